"""Durable, encrypted storage of the vector indexes: a snapshot (a manifest and segment
files) plus an append-only journal.

manifest `vectors.snap`:     MAGIC | u32 len | header JSON | per space: u64 len | sealed body
                             (body: the space's segment list with file names and sha256,
                             and its quantiser codebook)
segments `vectors.seg.<space tag>.<segment>.<generation>`: MAGIC | sealed body (up to
                             16,384 templates: Index IDs, float32 rows, 4-bit codes)
journal  `vectors.journal`:  MAGIC | u64 gen | u64 ~gen | per record: u32 len | u32 ~len | sealed

A compaction rewrites only the segments that changed, so a purge costs one segment, not
the whole gallery; the manifest pins every segment by name (bound into its AAD) and hash.

Lengths and the generation are stored with their bitwise complement: a flipped bit
in them is corruption, never mistaken for a torn write (which would drop a record).

Each sealed unit carries associated data naming the vault, the file kind, the
generation and the record's position, so records cannot be swapped or replayed.
A journal whose generation is older than the snapshot's was already folded into it
(crash between the two renames of a compaction) and is ignored. A torn last journal
record (power cut mid-append) is dropped with a warning and cut off; a complete
record that fails its tag is corruption and is reported with file and offset.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import struct
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from facekiosk.fsutil import atomic_write, fsync_dir
from facekiosk.vault.crypto import AuthenticationFailed, KeyRing, seal, seal_parts, unseal
from facekiosk.vault.errors import SchemaVersionError, VaultCorruptError
from facekiosk.vault.space_index import SearchParams, SpaceIndex

log = logging.getLogger(__name__)

SNAPSHOT_FILE = "vectors.snap"
JOURNAL_FILE = "vectors.journal"
SNAP_MAGIC = b"FKSNAP01"
JOURNAL_MAGIC = b"FKJRNL01"
SNAPSHOT_FORMAT = 3  # 1: hnswlib graph, 2: one blob per space (both read, rewritten on open)
SEGMENT_MAGIC = b"FKSEG001"
SEGMENT_PREFIX = "vectors.seg."
SEGMENT_NAME = re.compile(r"vectors\.seg\.[0-9a-f]{12}\.\d+\.\d+")
_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")
_REC_HEAD = struct.Struct(">II")  # length, ~length
_GEN_HEAD = struct.Struct(">QQ")  # generation, ~generation
_JOURNAL_HEAD = len(JOURNAL_MAGIC) + _GEN_HEAD.size
_M32, _M64 = 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF
_MAX_RECORD = 64 * 1024 * 1024


@dataclass(frozen=True)
class JournalRecord:
    op: str  # "add" (insert or replace a template) or "del"
    space: str
    index_id: str
    vector: np.ndarray | None = None  # float32, for "add"

    def encode(self) -> bytes:
        head = json.dumps({"op": self.op, "space": self.space}).encode()
        vec = b"" if self.vector is None else np.asarray(self.vector, np.float32).tobytes()
        return _U32.pack(len(head)) + head + uuid.UUID(self.index_id).bytes + vec

    @classmethod
    def decode(cls, data: bytes) -> JournalRecord:
        (n,) = _U32.unpack_from(data)
        head = json.loads(data[4 : 4 + n])
        index_id = str(uuid.UUID(bytes=data[4 + n : 20 + n]))
        raw = data[20 + n :]
        vector = np.frombuffer(raw, dtype=np.float32).copy() if raw else None
        return cls(head["op"], head["space"], index_id, vector)


def _bad_magic(path: Path, kind: str) -> VaultCorruptError:
    return VaultCorruptError(path, 0, f"bad magic: not a facekiosk vector {kind} (first bytes)")


def section_files(body: bytes) -> list[str]:
    """The segment files a decrypted manifest section names (format 3)."""
    (head_len,) = _U64.unpack_from(body)
    head = json.loads(body[_U64.size : _U64.size + head_len])
    return [str(e["file"]) for e in head["segments"]]


class VectorStore:
    """Owns the two files; the indexes themselves live in memory in `SpaceIndex` objects."""

    def __init__(
        self, data_dir: Path, vault_id: str, ring: KeyRing, params: SearchParams | None = None
    ) -> None:
        self.dir = data_dir
        self.params = params or SearchParams()
        self.loaded_format = SNAPSHOT_FORMAT  # of the snapshot read at load()
        self.unfinished_purge = False  # set by load(): the journal holds deletes/replacements
        self.vault_id = vault_id
        self.ring = ring
        self.generation = 0
        self.journal_records = 0
        self._journal: int | None = None  # fd open for appending
        # space -> segment -> {"file", "n", "sha256"}: what the current manifest names
        self._segments: dict[str, dict[int, dict[str, Any]]] = {}

    @property
    def snapshot_path(self) -> Path:
        return self.dir / SNAPSHOT_FILE

    @property
    def journal_path(self) -> Path:
        return self.dir / JOURNAL_FILE

    def _aad(self, kind: str, generation: int, position: str) -> bytes:
        return f"facekiosk/{self.vault_id}/{kind}/{generation}/{position}".encode()

    # --- load ---------------------------------------------------------------------------------

    def load(self) -> dict[str, SpaceIndex]:
        spaces = self._read_snapshot() if self.snapshot_path.exists() else {}
        self._remove_unreferenced_segments()  # left by a compaction a crash interrupted
        if not self.journal_path.exists():
            self._write_empty_journal(self.generation)
        self.unfinished_purge = False
        for record in self._replay_journal():
            # a delete or a replaced template whose compaction a crash cut short: the old
            # vector is still in a segment (or this journal) until the vault compacts
            space = spaces.get(record.space)
            if record.op == "del" or (space is not None and record.index_id in space):
                self.unfinished_purge = True
            self.apply(spaces, record)
        self._journal = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND)
        return spaces

    def apply(self, spaces: dict[str, SpaceIndex], record: JournalRecord) -> None:
        if record.op == "add":
            assert record.vector is not None
            if record.space not in spaces:
                dim = record.vector.shape[0]
                spaces[record.space] = SpaceIndex(record.space, dim, params=self.params)
            spaces[record.space].add(record.index_id, record.vector)
        elif record.op == "del" and record.space in spaces:
            spaces[record.space].remove(record.index_id)

    def _read_snapshot(self) -> dict[str, SpaceIndex]:
        path = self.snapshot_path
        data = path.read_bytes()
        if data[: len(SNAP_MAGIC)] != SNAP_MAGIC:
            raise VaultCorruptError(path, 0, "not a facekiosk vector snapshot")
        pos = len(SNAP_MAGIC)
        try:
            (head_len,) = _U32.unpack_from(data, pos)
            header_bytes = data[pos + 4 : pos + 4 + head_len]
            header = json.loads(header_bytes)
            generation, names = int(header["generation"]), list(header["spaces"])
            fmt = int(header["format"])
        except (struct.error, ValueError, KeyError, TypeError) as exc:
            raise VaultCorruptError(path, pos, f"unreadable header ({exc})") from exc
        if fmt > SNAPSHOT_FORMAT:
            raise SchemaVersionError(
                f"{path}: snapshot format {fmt} is newer than this facekiosk ({SNAPSHOT_FORMAT})"
            )
        pos += 4 + head_len
        spaces: dict[str, SpaceIndex] = {}
        # The header is bound into every section's AAD: editing it breaks them all.
        header_tag = hashlib.sha256(header_bytes).hexdigest()
        for i, name in enumerate(names):
            start = pos
            try:
                (length,) = _U64.unpack_from(data, pos)
            except struct.error as exc:
                raise VaultCorruptError(path, start, "section length missing") from exc
            pos += _U64.size
            blob = memoryview(data)[pos : pos + length]
            if len(blob) != length:
                raise VaultCorruptError(path, start, "section truncated")
            aad = self._aad("snapshot", generation, f"{i}/{name}/{header_tag}")
            try:
                body = unseal(self.ring, aad, blob)
            except AuthenticationFailed as exc:
                raise VaultCorruptError(path, start, f"section {name!r}: {exc}") from exc
            try:
                if fmt < 3:
                    spaces[name] = SpaceIndex.from_legacy(body, fmt, self.params)
                else:
                    spaces[name] = self._read_space(name, body, generation)
            except (ValueError, KeyError, struct.error) as exc:
                raise VaultCorruptError(path, start, f"section {name!r}: {exc}") from exc
            pos += length
        if pos != len(data):
            raise VaultCorruptError(path, pos, "unexpected bytes after the last section")
        self.generation = generation
        self.loaded_format = fmt
        return spaces

    def _read_space(self, name: str, body: bytes, generation: int) -> SpaceIndex:
        """A space's manifest section: its segment list and codebook; then each segment."""
        (head_len,) = _U64.unpack_from(body)
        head = json.loads(body[_U64.size : _U64.size + head_len])
        codebook = body[_U64.size + head_len :] or None
        entries = {int(e["seg"]): e for e in head["segments"]}
        bodies = [(seg, self._read_segment(name, seg, e)) for seg, e in sorted(entries.items())]
        self._segments[name] = entries
        return SpaceIndex.from_segments(name, int(head["dim"]), bodies, codebook, self.params)

    def _read_segment(self, space: str, seg: int, entry: dict[str, Any]) -> bytes:
        path = self.dir / str(entry["file"])
        if not SEGMENT_NAME.fullmatch(path.name):
            raise VaultCorruptError(self.snapshot_path, 0, f"bad segment name {path.name!r}")
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise VaultCorruptError(
                path, 0, "segment file named by the snapshot is missing"
            ) from exc
        if not data.startswith(SEGMENT_MAGIC):
            raise VaultCorruptError(path, 0, "not a facekiosk vector segment")
        view = memoryview(data)[len(SEGMENT_MAGIC) :]
        try:
            body = unseal(self.ring, self._segment_aad(space, seg, path.name), view)
        except AuthenticationFailed as exc:
            raise VaultCorruptError(path, len(SEGMENT_MAGIC), f"segment: {exc}") from exc
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            # authentic, but not the version the snapshot names (an older copy put back)
            raise VaultCorruptError(path, 0, "segment file is not the one the snapshot names")
        return body

    def _segment_aad(self, space: str, seg: int, file_name: str) -> bytes:
        return self._aad("segment", 0, f"{space}/{seg}/{file_name}")

    def _segment_file(self, space: str, seg: int, generation: int) -> str:
        tag = hashlib.sha256(space.encode()).hexdigest()[:12]
        return f"{SEGMENT_PREFIX}{tag}.{seg}.{generation}"

    def _referenced(self) -> set[str]:
        return {str(e["file"]) for entries in self._segments.values() for e in entries.values()}

    def _remove_unreferenced_segments(self) -> None:
        keep = self._referenced()
        stale = [
            p
            for p in self.dir.glob(f"{SEGMENT_PREFIX}*")
            if SEGMENT_NAME.fullmatch(p.name) and p.name not in keep
        ]
        for path in stale:
            path.unlink(missing_ok=True)
        if stale:
            fsync_dir(self.dir)

    def _replay_journal(self) -> Iterator[JournalRecord]:
        path = self.journal_path
        with open(path, "rb") as fh:
            data = fh.read()
        if data[: len(JOURNAL_MAGIC)] != JOURNAL_MAGIC or len(data) < _JOURNAL_HEAD:
            raise VaultCorruptError(path, 0, "not a facekiosk journal")
        generation, check = _GEN_HEAD.unpack_from(data, len(JOURNAL_MAGIC))
        if check != generation ^ _M64:
            raise VaultCorruptError(path, len(JOURNAL_MAGIC), "journal header damaged")
        if generation == self.generation - 1:
            log.warning(
                "journal generation %d predates snapshot %d: already folded in, reset",
                generation,
                self.generation,
            )
            self._write_empty_journal(self.generation)
            return
        if generation != self.generation:
            raise VaultCorruptError(
                path,
                len(JOURNAL_MAGIC),
                f"journal generation {generation} does not follow snapshot {self.generation}",
            )
        pos, seq = _JOURNAL_HEAD, 0
        while pos < len(data):
            if pos + _REC_HEAD.size > len(data):
                self._drop_torn_tail(pos, len(data))
                break
            length, check = _REC_HEAD.unpack_from(data, pos)
            if check != length ^ _M32 or length > _MAX_RECORD:
                raise VaultCorruptError(path, pos, f"journal record {seq}: length field damaged")
            end = pos + _REC_HEAD.size + length
            if end > len(data):
                self._drop_torn_tail(pos, len(data))
                break
            blob = data[pos + _REC_HEAD.size : end]
            try:
                plain = unseal(self.ring, self._aad("journal", generation, str(seq)), blob)
                record = JournalRecord.decode(plain)
            except AuthenticationFailed as exc:
                raise VaultCorruptError(path, pos, f"journal record {seq}: {exc}") from exc
            yield record
            pos = end
            seq += 1
        self.journal_records = seq

    def scan(self) -> Iterator[tuple[Path, int, bytes | VaultCorruptError]]:
        """Every sealed unit of both files: (file, offset, plaintext or the error).

        Unlike `load` it does not stop at a bad journal record while the length fields
        around it are intact, so an admin sees everything that is still readable.
        """
        space_names: list[str] = []
        if self.snapshot_path.exists():
            try:
                data = self.snapshot_path.read_bytes()
                if not data.startswith(SNAP_MAGIC):
                    yield self.snapshot_path, 0, _bad_magic(self.snapshot_path, "snapshot")
                (head_len,) = _U32.unpack_from(data, len(SNAP_MAGIC))
                start = len(SNAP_MAGIC) + 4
                header_bytes = data[start : start + head_len]
                header = json.loads(header_bytes)
                tag = hashlib.sha256(header_bytes).hexdigest()
                pos = start + head_len
                space_names = list(header["spaces"])
                for i, name in enumerate(space_names):
                    (length,) = _U64.unpack_from(data, pos)
                    blob = data[pos + _U64.size : pos + _U64.size + length]
                    aad = self._aad("snapshot", int(header["generation"]), f"{i}/{name}/{tag}")
                    yield (
                        self.snapshot_path,
                        pos,
                        self._try_unseal(aad, blob, self.snapshot_path, pos),
                    )
                    pos += _U64.size + length
            except (struct.error, ValueError, KeyError, TypeError) as exc:
                yield self.snapshot_path, 0, VaultCorruptError(self.snapshot_path, 0, str(exc))
        # Every segment file in the dir, named by the snapshot or not (a crash's leftovers).
        spaces = {hashlib.sha256(n.encode()).hexdigest()[:12]: n for n in space_names}
        for path in sorted(self.dir.glob(f"{SEGMENT_PREFIX}*")):
            if not SEGMENT_NAME.fullmatch(path.name):
                continue
            tag, seg, _gen = path.name[len(SEGMENT_PREFIX) :].split(".")
            if tag not in spaces:
                yield path, 0, VaultCorruptError(path, 0, "segment of a space the snapshot lacks")
                continue
            raw = path.read_bytes()
            if not raw.startswith(SEGMENT_MAGIC):
                yield path, 0, _bad_magic(path, "segment")
            view = memoryview(raw)[len(SEGMENT_MAGIC) :]
            aad = self._segment_aad(spaces[tag], int(seg), path.name)
            yield path, len(SEGMENT_MAGIC), self._try_unseal(aad, view, path, len(SEGMENT_MAGIC))
        try:
            data = self.journal_path.read_bytes()
            generation, check = _GEN_HEAD.unpack_from(data, len(JOURNAL_MAGIC))
        except (FileNotFoundError, struct.error) as exc:
            yield self.journal_path, 0, VaultCorruptError(self.journal_path, 0, str(exc))
            return
        if not data.startswith(JOURNAL_MAGIC):
            yield self.journal_path, 0, _bad_magic(self.journal_path, "journal")
        if check != generation ^ _M64:
            yield (
                self.journal_path,
                len(JOURNAL_MAGIC),
                VaultCorruptError(self.journal_path, len(JOURNAL_MAGIC), "journal header damaged"),
            )
        pos, seq = _JOURNAL_HEAD, 0
        while pos + _REC_HEAD.size <= len(data):
            length, check = _REC_HEAD.unpack_from(data, pos)
            if check != length ^ _M32:
                yield (
                    self.journal_path,
                    pos,
                    VaultCorruptError(
                        self.journal_path, pos, "length field damaged; the rest is unreadable"
                    ),
                )
                return
            blob = data[pos + _REC_HEAD.size : pos + _REC_HEAD.size + length]
            aad = self._aad("journal", generation, str(seq))
            yield self.journal_path, pos, self._try_unseal(aad, blob, self.journal_path, pos)
            pos += _REC_HEAD.size + length
            seq += 1

    def _try_unseal(
        self, aad: bytes, blob: bytes | memoryview, path: Path, pos: int
    ) -> bytes | VaultCorruptError:
        try:
            return unseal(self.ring, aad, blob)
        except AuthenticationFailed as exc:
            return VaultCorruptError(path, pos, str(exc))

    def _drop_torn_tail(self, offset: int, size: int) -> None:
        log.warning(
            "%s: dropping a torn last record (%d bytes at offset %d; power cut?)",
            self.journal_path.name,
            size - offset,
            offset,
        )
        with open(self.journal_path, "r+b") as fh:
            fh.truncate(offset)
            fh.flush()
            os.fsync(fh.fileno())

    # --- write --------------------------------------------------------------------------------

    def append(self, records: list[JournalRecord]) -> None:
        """Append and fsync: durable on return."""
        assert self._journal is not None, "store not loaded"
        parts: list[bytes] = []
        for record in records:
            aad = self._aad("journal", self.generation, str(self.journal_records + len(parts)))
            blob = seal(self.ring, aad, record.encode())
            parts.append(_REC_HEAD.pack(len(blob), len(blob) ^ _M32) + blob)
        payload = b"".join(parts)
        written = os.write(self._journal, payload)
        if written != len(payload):  # disk full: cut back so the journal stays well-formed
            os.ftruncate(self._journal, os.fstat(self._journal).st_size - written)
            raise OSError(f"short write to {self.journal_path}")
        os.fsync(self._journal)
        self.journal_records += len(records)

    def compact(self, spaces: dict[str, SpaceIndex], *, full: bool = False) -> None:
        """Fold the journal in: rewrite the segments that changed (each: temp, fsync,
        rename), then the manifest the same way, then delete the segment files it no longer
        names, then start an empty journal. `full` rewrites every segment (new data key).

        A crash before the manifest's rename leaves the old manifest, its files and the
        journal in place (new files are orphans, deleted on the next open); after it, the
        old journal is recognised as folded in and old files are deleted on the next open.
        """
        generation = self.generation + 1
        names = sorted(name for name, s in spaces.items() if len(s) > 0)
        written: dict[str, set[int]] = {}
        entries_of: dict[str, dict[int, dict[str, Any]]] = {}
        new_files: list[Path] = []
        try:
            for name in names:
                space = spaces[name]
                old = self._segments.get(name, {})
                live = set(space.segments())
                todo = live if full else (space.dirty_segments() | (live - set(old))) & live
                entries = {seg: e for seg, e in old.items() if seg in live and seg not in todo}
                for seg in sorted(todo):
                    entry = self._write_segment(name, seg, space.segment_body(seg), generation)
                    new_files.append(self.dir / entry["file"])
                    entries[seg] = entry
                written[name] = set(space.dirty_segments()) | todo
                entries_of[name] = entries
            header = json.dumps(
                {"format": SNAPSHOT_FORMAT, "generation": generation, "spaces": names}
            ).encode()
            header_tag = hashlib.sha256(header).hexdigest()
            parts = [SNAP_MAGIC + _U32.pack(len(header)) + header]
            for i, name in enumerate(names):
                aad = self._aad("snapshot", generation, f"{i}/{name}/{header_tag}")
                section = self._space_section(name, spaces[name], entries_of[name])
                head, body = seal_parts(self.ring, aad, section)
                parts += [_U64.pack(len(head) + len(body)), head, body]
            atomic_write(self.snapshot_path, parts)  # the commit point of a compaction
        except BaseException:
            for path in new_files:  # not named by any manifest: never needed
                path.unlink(missing_ok=True)
            raise
        self.generation = generation
        self._segments = entries_of
        for name in names:
            spaces[name].clear_dirty(written[name])
        self._write_empty_journal(generation)  # before anything can fail: appends stay valid
        # Old versions (the purged templates are here): an error surfaces to the caller,
        # and every open deletes what is left.
        self._remove_unreferenced_segments()

    def _space_section(
        self, name: str, space: SpaceIndex, entries: dict[int, dict[str, Any]]
    ) -> bytes:
        head = json.dumps(
            {"space": name, "dim": space.dim, "segments": [entries[s] for s in sorted(entries)]}
        ).encode()
        return _U64.pack(len(head)) + head + (space.codebook() or b"")

    def _write_segment(self, space: str, seg: int, body: bytes, generation: int) -> dict[str, Any]:
        file_name = self._segment_file(space, seg, generation)
        path = self.dir / file_name
        head, sealed = seal_parts(self.ring, self._segment_aad(space, seg, file_name), body)
        digest = hashlib.sha256(SEGMENT_MAGIC + head)
        digest.update(sealed)
        atomic_write(path, [SEGMENT_MAGIC, head, sealed])
        return {"seg": seg, "file": file_name, "sha256": digest.hexdigest()}

    def _write_empty_journal(self, generation: int) -> None:
        atomic_write(
            self.journal_path, JOURNAL_MAGIC + _GEN_HEAD.pack(generation, generation ^ _M64)
        )
        if self._journal is not None:
            os.close(self._journal)
            self._journal = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND)
        self.journal_records = 0

    def close(self) -> None:
        if self._journal is not None:
            os.close(self._journal)
            self._journal = None
