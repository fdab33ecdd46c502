"""Decrypt every sealed unit in a data dir, whatever its file is called: the test's own
reading of the vector formats (not `VectorStore.scan`, which only reads the files the vault
names), so a copy, a stray or a crash's temp file cannot hide a template from it."""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Iterator
from pathlib import Path

from facekiosk.vault.crypto import AuthenticationFailed, KeyRing, unseal
from facekiosk.vault.vector_store import (
    _GEN_HEAD,
    _JOURNAL_HEAD,
    _REC_HEAD,
    JOURNAL_MAGIC,
    SEGMENT_MAGIC,
    SEGMENT_PREFIX,
    SNAP_MAGIC,
    VectorStore,
)

_U32, _U64 = struct.Struct(">I"), struct.Struct(">Q")


def final_name(name: str) -> str:
    """`.vectors.seg.T.S.G.XXXXXXXX.tmp` (fsutil.atomic_write) -> `vectors.seg.T.S.G`."""
    return name[1:].rsplit(".", 2)[0] if name.startswith(".") and name.endswith(".tmp") else name


def sealed_plaintexts(
    data_dir: Path, ring: KeyRing, vault_id: str, spaces: list[str]
) -> Iterator[tuple[str, str, bytes]]:
    """(file, kind, plaintext) for every unit that decrypts, kind "raw" for each file's
    bytes as they are (a template in clear counts too)."""
    store = VectorStore(data_dir, vault_id, ring)
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        name = str(path.relative_to(data_dir))
        data = path.read_bytes()
        yield name, "raw", data
        if data.startswith(SEGMENT_MAGIC):
            units = _segment(store, final_name(path.name), spaces, data)
        elif data.startswith(SNAP_MAGIC):
            units = _snapshot(store, data)
        elif data.startswith(JOURNAL_MAGIC):
            units = _journal(store, data)
        else:
            continue
        for kind, plain in units:
            yield name, kind, plain


def _try(ring: KeyRing, aad: bytes, blob: bytes | memoryview) -> bytes | None:
    try:
        return unseal(ring, aad, blob)
    except AuthenticationFailed:
        return None


def _segment(
    store: VectorStore, name: str, spaces: list[str], data: bytes
) -> Iterator[tuple[str, bytes]]:
    if not name.startswith(SEGMENT_PREFIX):
        return
    _tag, seg, _gen = name[len(SEGMENT_PREFIX) :].split(".")
    for space in spaces:  # the tag is a hash of the space: try each one
        aad = store._segment_aad(space, int(seg), name)
        plain = _try(store.ring, aad, memoryview(data)[len(SEGMENT_MAGIC) :])
        if plain is not None:
            yield "segment", plain


def _snapshot(store: VectorStore, data: bytes) -> Iterator[tuple[str, bytes]]:
    pos = len(SNAP_MAGIC)
    (head_len,) = _U32.unpack_from(data, pos)
    header_bytes = data[pos + 4 : pos + 4 + head_len]
    header = json.loads(header_bytes)
    tag = hashlib.sha256(header_bytes).hexdigest()
    pos += 4 + head_len
    for i, space in enumerate(header["spaces"]):
        (length,) = _U64.unpack_from(data, pos)
        blob = data[pos + _U64.size : pos + _U64.size + length]
        aad = store._aad("snapshot", int(header["generation"]), f"{i}/{space}/{tag}")
        plain = _try(store.ring, aad, blob)
        if plain is not None:
            yield "snapshot", plain
        pos += _U64.size + length


def _journal(store: VectorStore, data: bytes) -> Iterator[tuple[str, bytes]]:
    generation, _check = _GEN_HEAD.unpack_from(data, len(JOURNAL_MAGIC))
    pos, seq = _JOURNAL_HEAD, 0
    while pos + _REC_HEAD.size <= len(data):
        length, _check = _REC_HEAD.unpack_from(data, pos)
        blob = data[pos + _REC_HEAD.size : pos + _REC_HEAD.size + length]
        plain = _try(store.ring, store._aad("journal", generation, str(seq)), blob)
        if plain is not None:
            yield "journal", plain
        pos += _REC_HEAD.size + length
        seq += 1
