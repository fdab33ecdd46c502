"""The template index: one `SpaceIndex` per model space in memory, made durable by the
`VectorStore` (sealed segments + journal). Writes go to the journal (fsync) before memory;
1:N search reads memory only, under each space's read lock."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from facekiosk.engine.types import Embedding
from facekiosk.vault.errors import WrongSpaceError
from facekiosk.vault.records import Match
from facekiosk.vault.space_index import SearchParams, SpaceIndex
from facekiosk.vault.vector_store import SNAPSHOT_FORMAT, JournalRecord, VectorStore

log = logging.getLogger(__name__)


class Templates:
    """Callers serialise writes (the vault's lock); `search` needs no lock."""

    def __init__(self, store: VectorStore, params: SearchParams, compact_every: int) -> None:
        self.store = store
        self.params = params
        self.compact_every = compact_every
        self.spaces: dict[str, SpaceIndex] = store.load()
        if store.loaded_format < SNAPSHOT_FORMAT:  # rewrite an old snapshot now
            log.info("rewriting snapshot format %d as %d", store.loaded_format, SNAPSHOT_FORMAT)
            store.compact(self.spaces)
        elif store.unfinished_purge:  # finish a purge a crash interrupted
            log.warning("finishing an interrupted purge: compacting the vector snapshot")
            store.compact(self.spaces)

    # --- writes -------------------------------------------------------------------------------

    def check_dim(self, space: str, dim: int) -> None:
        existing = self.spaces.get(space)
        if existing is not None and existing.dim != dim:
            raise WrongSpaceError(f"{space} templates are {existing.dim}-d, got {dim}-d")

    def _index_for(self, space: str, dim: int) -> SpaceIndex:
        if space not in self.spaces:
            self.spaces[space] = SpaceIndex(space, dim, params=self.params)
        return self.spaces[space]

    def add(self, space: str, index_id: str, template: np.ndarray) -> None:
        """Durable (journal fsync) before it is searchable."""
        self.check_dim(space, template.shape[0])
        self.store.append([JournalRecord("add", space, index_id, template)])
        self._index_for(space, template.shape[0]).add(index_id, template)

    def add_many(self, space: str, ids: list[str], vecs: np.ndarray) -> None:
        self.check_dim(space, vecs.shape[1])
        self.store.append(
            [JournalRecord("add", space, i, v) for i, v in zip(ids, vecs, strict=True)]
        )
        self._index_for(space, vecs.shape[1]).add_many(ids, vecs)

    def replace(self, space: str, index_id: str, template: np.ndarray) -> None:
        """A new template for an Index ID, possibly in another space; the caller compacts
        so that no file keeps the old one."""
        self.check_dim(space, template.shape[0])
        old = self.space_of(index_id)
        records = [JournalRecord("add", space, index_id, template)]
        if old is not None and old != space:
            records.insert(0, JournalRecord("del", old, index_id))
        self.store.append(records)
        if old is not None and old != space:
            self.spaces[old].remove(index_id)
        self._index_for(space, template.shape[0]).add(index_id, template)

    def remove(self, ids: list[str]) -> int:
        """Journal the deletes and drop them from memory; the caller compacts."""
        located = [(self.space_of(i), i) for i in ids]
        self.store.append([JournalRecord("del", s, i) for s, i in located if s])
        return sum(
            space.remove_many([i for s, i in located if s == name])
            for name, space in self.spaces.items()
        )

    def compact(self, *, full: bool = False) -> None:
        self.store.compact(self.spaces, full=full)

    def maybe_compact(self) -> None:
        if self.store.journal_records >= self.compact_every:
            self.compact()

    # --- reads --------------------------------------------------------------------------------

    def space_of(self, index_id: str) -> str | None:
        for name, space in self.spaces.items():
            if index_id in space:
                return name
        return None

    def ids(self) -> set[str]:
        return {i for space in self.spaces.values() for i in space.ids()}

    def search(self, embedding: Embedding, k: int = 5) -> list[Match]:
        index = self.spaces.get(embedding.space)
        if index is None:
            others = sorted(name for name, s in self.spaces.items() if len(s))
            if others:
                raise WrongSpaceError(
                    f"the vault holds templates of {', '.join(others)}, not {embedding.space}: "
                    f"use that engine or re-enrol with this one"
                )
            return []
        return [Match(i, s) for i, s in index.search(embedding.vector, k)]

    def find_duplicate(self, embedding: Embedding, threshold: float) -> Match | None:
        best = self.search(embedding, k=1)
        return best[0] if best and best[0].similarity >= threshold else None

    def counts(self) -> dict[str, int]:
        return {name: len(s) for name, s in self.spaces.items() if len(s)}

    def info(self) -> dict[str, dict[str, Any]]:
        return {
            name: {
                "templates": len(s),
                "search": "quantised" if s.quantised else "exact",
                "segments": len(s.segments()),
            }
            for name, s in self.spaces.items()
            if len(s)
        }

    def close(self) -> None:
        self.store.close()
