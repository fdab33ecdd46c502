"""Durable, encrypted storage of the vector indexes: one snapshot plus an append-only journal.

snapshot `vectors.snap`:     MAGIC | u32 len | header JSON | per space: u64 len | sealed body
journal  `vectors.journal`:  MAGIC | u64 gen | u64 ~gen | per record: u32 len | u32 ~len | sealed

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
import struct
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from facekiosk.fsutil import fsync_dir
from facekiosk.vault.crypto import AuthenticationFailed, KeyRing, seal, seal_parts, unseal
from facekiosk.vault.errors import SchemaVersionError, VaultCorruptError
from facekiosk.vault.space_index import SearchParams, SpaceIndex

log = logging.getLogger(__name__)

SNAPSHOT_FILE = "vectors.snap"
JOURNAL_FILE = "vectors.journal"
SNAP_MAGIC = b"FKSNAP01"
JOURNAL_MAGIC = b"FKJRNL01"
SNAPSHOT_FORMAT = 2  # 1: hnswlib graph sections (read, rewritten on open)
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


class VectorStore:
    """Owns the two files; the indexes themselves live in memory in `SpaceIndex` objects."""

    def __init__(
        self, data_dir: Path, vault_id: str, ring: KeyRing, params: SearchParams | None = None
    ) -> None:
        self.dir = data_dir
        self.params = params or SearchParams()
        self.loaded_format = SNAPSHOT_FORMAT  # of the snapshot read at load()
        self.vault_id = vault_id
        self.ring = ring
        self.generation = 0
        self.journal_records = 0
        self._journal: int | None = None  # fd open for appending

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
        if not self.journal_path.exists():
            self._write_empty_journal(self.generation)
        for record in self._replay_journal():
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
                spaces[name] = SpaceIndex.from_bytes(body, self.params, fmt)
            except (ValueError, KeyError, struct.error) as exc:
                raise VaultCorruptError(path, start, f"section {name!r}: {exc}") from exc
            pos += length
        if pos != len(data):
            raise VaultCorruptError(path, pos, "unexpected bytes after the last section")
        self.generation = generation
        self.loaded_format = fmt
        return spaces

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
        if self.snapshot_path.exists():
            try:
                data = self.snapshot_path.read_bytes()
                (head_len,) = _U32.unpack_from(data, len(SNAP_MAGIC))
                start = len(SNAP_MAGIC) + 4
                header_bytes = data[start : start + head_len]
                header = json.loads(header_bytes)
                tag = hashlib.sha256(header_bytes).hexdigest()
                pos = start + head_len
                for i, name in enumerate(header["spaces"]):
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
        data = self.journal_path.read_bytes()
        generation, _ = _GEN_HEAD.unpack_from(data, len(JOURNAL_MAGIC))
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
        self, aad: bytes, blob: bytes, path: Path, pos: int
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
        parts = []
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

    def compact(self, spaces: dict[str, SpaceIndex]) -> None:
        """New snapshot (temp, fsync, rename, fsync dir), then an empty journal the same way."""
        generation = self.generation + 1
        names = sorted(name for name, s in spaces.items() if len(s) > 0)
        header = json.dumps(
            {"format": SNAPSHOT_FORMAT, "generation": generation, "spaces": names}
        ).encode()
        header_tag = hashlib.sha256(header).hexdigest()
        tmp = self.snapshot_path.with_name(f".{SNAPSHOT_FILE}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(SNAP_MAGIC + _U32.pack(len(header)) + header)
                for i, name in enumerate(names):
                    aad = self._aad("snapshot", generation, f"{i}/{name}/{header_tag}")
                    head, body = seal_parts(self.ring, aad, spaces[name].to_bytes())
                    fh.write(_U64.pack(len(head) + len(body)))
                    fh.write(head)
                    fh.write(body)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.snapshot_path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        fsync_dir(self.dir)
        self.generation = generation
        self._write_empty_journal(generation)

    def _write_empty_journal(self, generation: int) -> None:
        tmp = self.journal_path.with_name(f".{JOURNAL_FILE}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(JOURNAL_MAGIC + _GEN_HEAD.pack(generation, generation ^ _M64))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.journal_path)
        fsync_dir(self.dir)
        if self._journal is not None:
            os.close(self._journal)
            self._journal = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND)
        self.journal_records = 0

    def close(self) -> None:
        if self._journal is not None:
            os.close(self._journal)
            self._journal = None
