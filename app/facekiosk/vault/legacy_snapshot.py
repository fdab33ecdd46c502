"""Read snapshot sections of formats 1 (facekiosk 0.1's hnswlib graph) and 2 (one blob per space).

Format 1 section: `u64 len | JSON header | raw arrays`; the header holds hnswlib's state
scalars and the array layout. hnswlib's level-0 block stores each element as
`links | float32 vector | u64 label` at fixed offsets given by the state, so the live
templates can be read back directly. Deleted elements are skipped: only labels in the
section's own label -> Index ID map are live (purged ones were overwritten with noise).
"""

from __future__ import annotations

import json
import struct

import numpy as np

_LEN = struct.Struct(">Q")
_ID_LEN = 36


def read_hnswlib_section(data: bytes | memoryview) -> tuple[str, int, list[str], np.ndarray]:
    """(space, dim, Index IDs, templates as an (n, dim) float32 array)."""
    view = memoryview(data)
    (head_len,) = _LEN.unpack_from(view)
    meta = json.loads(bytes(view[_LEN.size : _LEN.size + head_len]))
    pos = _LEN.size + head_len
    arrays: dict[str, np.ndarray] = {}
    for key, dtype, shape in meta["arrays"]:
        dt = np.dtype(dtype)
        count = int(np.prod(shape)) if shape else 1
        arrays[key] = np.frombuffer(view, dtype=dt, count=count, offset=pos).reshape(shape)
        pos += count * dt.itemsize
    state, dim = meta["state"], int(meta["dim"])
    if state.get("space") != "ip" or int(state["dim"]) != dim:
        raise ValueError(f"unexpected hnswlib state: space {state.get('space')}, dim {dim}")
    size = int(state["size_data_per_element"])
    count = int(state["cur_element_count"])
    block = arrays["data_level0"].view(np.uint8)[: count * size].reshape(count, size)
    vec_at, label_at = int(state["offset_data"]), int(state["label_offset"])
    vectors = np.ascontiguousarray(block[:, vec_at : vec_at + 4 * dim]).view(np.float32)
    labels = np.ascontiguousarray(block[:, label_at : label_at + 8]).view(np.uint64).ravel()
    text = arrays["_ids"].tobytes().decode("ascii")
    id_of = dict(
        zip(
            arrays["_labels"].tolist(),
            (text[i : i + _ID_LEN] for i in range(0, len(text), _ID_LEN)),
            strict=True,
        )
    )
    rows = [r for r, label in enumerate(labels.tolist()) if label in id_of]
    ids = [id_of[int(labels[r])] for r in rows]
    if len(ids) != len(id_of):
        raise ValueError(f"{len(id_of) - len(ids)} live label(s) missing from the graph")
    return str(meta["space"]), dim, ids, vectors[rows].reshape(len(rows), dim).copy()


def read_format2_section(data: bytes | memoryview) -> tuple[str, int, list[str], np.ndarray]:
    """Format 2 (one blob per space: `u64 len | JSON | ids | matrix | faiss codes`); the
    codes are derived data and are rebuilt, so only the templates are read."""
    view = memoryview(data)
    (head_len,) = _LEN.unpack_from(view)
    meta = json.loads(bytes(view[_LEN.size : _LEN.size + head_len]))
    n, dim = int(meta["n"]), int(meta["dim"])
    pos = _LEN.size + head_len
    text = bytes(view[pos : pos + n * _ID_LEN]).decode("ascii")
    pos += n * _ID_LEN
    matrix = np.frombuffer(view, np.float32, count=n * dim, offset=pos).reshape(n, dim)
    ids = [text[i : i + _ID_LEN] for i in range(0, len(text), _ID_LEN)]
    return str(meta["space"]), dim, ids, matrix.copy()


def read_legacy_section(
    data: bytes | memoryview, fmt: int
) -> tuple[str, int, list[str], np.ndarray]:
    if fmt == 1:
        return read_hnswlib_section(data)
    if fmt == 2:
        return read_format2_section(data)
    raise ValueError(f"no reader for snapshot format {fmt}")
