"""Searching every model space the vault holds, with the face's vector of that space.

When the engine changes (issue 18: `dlib` -> `bundled`), the vault still holds templates
of the old engine's space. The bundled engine also puts its dlib-space vector in
`face.extras["dlib_embedding"]`, so a person enrolled with the dlib engine is searched in
that space (decided with its own threshold, match_policy.LEGACY_THRESHOLDS) until their
template is upgraded at their next admitted sign-in (steps/admit.py) or re-enrolment.
Used by the kiosk's match and enrol steps and by the CLI (`identify`, `enroll`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

from facekiosk.engine.types import Embedding, Face
from facekiosk.kiosk.match_policy import LEGACY_THRESHOLDS, MatchDecision, SpaceResult
from facekiosk.kiosk.match_policy import decide_spaces as _decide_spaces
from facekiosk.vault.matching import make_template
from facekiosk.vault.records import Match


class SpaceVault(Protocol):
    def spaces(self) -> dict[str, int]: ...

    def search(self, embedding: Embedding, k: int = ...) -> Sequence[Match]: ...

    def find_duplicate(self, embedding: Embedding, threshold: float) -> Match | None: ...


@dataclass(frozen=True)
class Probe:
    embedding: Embedding
    threshold: float
    legacy: bool  # a vector of an older engine's space (face.extras), not face.embedding


def legacy_vectors(face: Face, held: Collection[str] | None = None) -> list[Embedding]:
    """The face's vectors of legacy spaces (those `held` by the vault, when given)."""
    primary = face.embedding.space if face.embedding is not None else None
    return [
        v
        for v in face.extras.values()
        if isinstance(v, Embedding)
        and v.space in LEGACY_THRESHOLDS
        and v.space != primary
        and (held is None or v.space in held)
    ]


def probes(face: Face, held: Collection[str], threshold: float) -> list[Probe]:
    """What to search for this face. The primary embedding is searched when the vault holds
    its space, or when no legacy vector of the face is held either (an empty vault, or one
    of another engine entirely: the vault's WrongSpaceError then tells the admin)."""
    legacy = [Probe(v, LEGACY_THRESHOLDS[v.space], True) for v in legacy_vectors(face, held)]
    if face.embedding is None:
        return legacy
    if face.embedding.space in held or not legacy:
        return [Probe(face.embedding, threshold, False), *legacy]
    return legacy


def search_face(
    vault: SpaceVault, face: Face, threshold: float, margin: float, k: int = 2
) -> tuple[MatchDecision, list[SpaceResult]]:
    """The frame's decision over every space it can be searched in, and each space's top-k.
    With one space (every vault after the upgrade) this is one search, as before."""
    results = [
        SpaceResult(p.embedding.space, vault.search(p.embedding, k=k), p.threshold)
        for p in probes(face, vault.spaces(), threshold)
    ]
    return _decide_spaces(results, margin), results


def find_duplicate(
    vault: SpaceVault,
    template: Embedding,
    legacy_frames: Sequence[Embedding],
    threshold: float,
) -> Match | None:
    """The Index ID this new template's person already has, in any space the vault holds:
    `template` (primary space) at `threshold`, the mean of `legacy_frames` of each legacy
    space at that space's threshold."""
    held = vault.spaces()
    by_space: dict[str, list[Embedding]] = {}
    for e in legacy_frames:
        if e.space in held and e.space in LEGACY_THRESHOLDS and e.space != template.space:
            by_space.setdefault(e.space, []).append(e)
    # As in `probes`: the primary space is searched unless only legacy spaces are held
    # (a vault of another engine entirely still raises the vault's WrongSpaceError).
    if template.space in held or not by_space:
        dup = vault.find_duplicate(template, threshold)
        if dup is not None:
            return dup
    for space, frames in by_space.items():
        _, mean = make_template(frames)
        probe = Embedding(mean, frames[0].engine, frames[0].model)
        dup = vault.find_duplicate(probe, LEGACY_THRESHOLDS[space])
        if dup is not None:
            return dup
    return None


def upgrade_counts(held: dict[str, int], primary: str) -> dict[str, int]:
    """Per space not `primary`: how many Index IDs still hold a template of it (they get a
    `primary` template at their next admitted sign-in or re-enrolment)."""
    return {space: n for space, n in sorted(held.items()) if space != primary and n}
