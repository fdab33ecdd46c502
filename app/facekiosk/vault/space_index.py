"""One hnswlib graph per embedding space, with Index ID <-> label maps and a RW lock.

Inner product on unit float32 vectors = cosine similarity. Removal overwrites the
vector with random noise before `mark_deleted` (hnswlib keeps deleted vectors in memory
and in its serialised state otherwise), and the slot is reused by the next add.
Serialisation goes through hnswlib's own state dict (no pickle, no temp files): scalars
as JSON, arrays as raw bytes.
"""

from __future__ import annotations

import json
import struct
import uuid
from dataclasses import dataclass
from typing import Any

import hnswlib
import numpy as np

from facekiosk.vault.rwlock import ReadWriteLock

RERANK_MIN = 16  # candidates fetched from the graph before exact re-ranking
_LEN = struct.Struct(">Q")


@dataclass(frozen=True)
class HnswParams:
    """Face embeddings are a hard case for HNSW: impostors sit at nearly equal distance
    from one another, so the graph needs more links and a wider search than for uniform
    data. Measured by `bench search` at n=100k face-like vectors: M=32/efc=200 reaches
    id_recall 0.978 at ef=256 and 0.996 at ef=1024; M=48/efc=400 reaches 0.995 at ef=256
    and 0.999 at ef=512 (docs/notes/vault.md). `m` and `ef_construction` apply when a
    space's index is created; `ef` on every open."""

    m: int = 48
    ef_construction: int = 400
    ef: int = 512


class SpaceIndex:
    def __init__(
        self, space: str, dim: int, *, capacity: int = 1024, params: HnswParams | None = None
    ) -> None:
        params = params or HnswParams()
        self.space = space
        self.dim = dim
        self.lock = ReadWriteLock()
        self.label_of: dict[str, int] = {}
        self.id_of: dict[int, str] = {}
        self.next_label = 0
        self._index = hnswlib.Index(space="ip", dim=dim)
        self._index.init_index(
            max_elements=max(capacity, 16),
            ef_construction=params.ef_construction,
            M=params.m,
            allow_replace_deleted=True,
        )
        self._index.set_ef(params.ef)
        self._index.set_num_threads(1)

    def __len__(self) -> int:
        return len(self.label_of)

    # --- writes (caller holds no lock; each takes the write lock) --------------------------

    def add(self, index_id: str, vector: np.ndarray, label: int | None = None) -> int:
        """Insert or replace the template of `index_id`; returns its label."""
        vec = self._check(vector)
        with self.lock.write():
            if index_id in self.label_of:
                label = self.label_of[index_id]
                self._index.add_items(vec[None, :], [label])  # hnswlib updates in place
                return label
            if label is None:
                label = self.next_label
            self.next_label = max(self.next_label, label + 1)
            self._reserve(1)
            self._index.add_items(vec[None, :], [label], replace_deleted=True)
            self.label_of[index_id] = label
            self.id_of[label] = index_id
            return label

    def add_many(self, index_ids: list[str], vectors: np.ndarray, num_threads: int = -1) -> None:
        """Bulk insert of new Index IDs (bench and imports): one hnswlib call."""
        vecs = np.ascontiguousarray(vectors, dtype=np.float32)
        with self.lock.write():
            labels = np.arange(self.next_label, self.next_label + len(index_ids), dtype=np.uint64)
            self._reserve(len(index_ids))
            self._index.set_num_threads(num_threads if num_threads > 0 else 0)
            self._index.add_items(vecs, labels, replace_deleted=True)
            self._index.set_num_threads(1)
            for index_id, label in zip(index_ids, labels.tolist(), strict=True):
                self.label_of[index_id] = label
                self.id_of[label] = index_id
            self.next_label += len(index_ids)

    def remove(self, index_id: str) -> bool:
        with self.lock.write():
            label = self.label_of.pop(index_id, None)
            if label is None:
                return False
            del self.id_of[label]
            noise = np.random.default_rng().standard_normal(self.dim).astype(np.float32)
            noise /= np.linalg.norm(noise)
            self._index.add_items(noise[None, :], [label])  # overwrite the biometric bytes
            self._index.mark_deleted(label)
            return True

    def _reserve(self, extra: int) -> None:
        needed = self._index.element_count + extra  # deleted slots are reused, never freed
        if needed > self._index.get_max_elements():
            self._index.resize_index(max(needed, 2 * self._index.get_max_elements()))

    def set_ef(self, ef: int) -> None:
        with self.lock.write():
            self._index.set_ef(ef)

    # --- reads ------------------------------------------------------------------------------

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Top-k (Index ID, similarity): graph candidates re-ranked exactly in float64."""
        vec = self._check(vector)
        with self.lock.read():
            live = len(self.label_of)
            if live == 0 or k <= 0:
                return []
            n_cand = min(live, max(k, RERANK_MIN))
            labels, _ = self._index.knn_query(vec[None, :], k=n_cand)
            cand = labels[0]
            stored = np.asarray(self._index.get_items(cand), dtype=np.float64)
            ids = [self.id_of[int(lab)] for lab in cand]
        sims = stored @ vec.astype(np.float64)
        order = np.argsort(-sims)[:k]
        return [(ids[i], float(sims[i])) for i in order]

    def vectors(self) -> tuple[list[str], np.ndarray]:
        """All live templates (brute-force baselines, re-encryption)."""
        with self.lock.read():
            ids = list(self.label_of)
            if not ids:
                return ids, np.zeros((0, self.dim), np.float32)
            labels = [self.label_of[i] for i in ids]
            return ids, np.asarray(self._index.get_items(labels), dtype=np.float32)

    def _check(self, vector: np.ndarray) -> np.ndarray:
        vec = np.ascontiguousarray(vector, dtype=np.float32).reshape(-1)
        if vec.shape[0] != self.dim:
            from facekiosk.vault.errors import WrongSpaceError

            raise WrongSpaceError(f"{self.space} templates are {self.dim}-d, got {vec.shape[0]}-d")
        return vec

    # --- serialisation ----------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """hnswlib state + maps, as `len|json header|raw arrays` (held in memory only)."""
        with self.lock.read():
            (state,) = self._index.__getstate__()
            labels = np.fromiter(self.id_of.keys(), dtype=np.uint64, count=len(self.id_of))
            ids = b"".join(uuid.UUID(self.id_of[int(lab)]).bytes for lab in labels)
            meta: dict[str, Any] = {
                "space": self.space,
                "dim": self.dim,
                "next_label": self.next_label,
            }
        arrays: list[tuple[str, np.ndarray]] = [
            ("_labels", labels),
            ("_ids", np.frombuffer(ids, np.uint8)),
        ]
        scalars: dict[str, Any] = {}
        for key, value in state.items():
            if isinstance(value, np.ndarray):
                arrays.append((key, np.ascontiguousarray(value)))
            else:
                scalars[key] = value
        meta["state"] = scalars
        meta["arrays"] = [[k, a.dtype.str, list(a.shape)] for k, a in arrays]
        head = json.dumps(meta).encode()
        parts = [_LEN.pack(len(head)), head]
        parts.extend(memoryview(a).cast("B") for _, a in arrays)
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, data: bytes | memoryview, params: HnswParams | None = None) -> SpaceIndex:
        view = memoryview(data)
        (head_len,) = _LEN.unpack_from(view)
        meta = json.loads(bytes(view[_LEN.size : _LEN.size + head_len]))
        pos = _LEN.size + head_len
        arrays: dict[str, np.ndarray] = {}
        for key, dtype, shape in meta["arrays"]:
            dt = np.dtype(dtype)
            count = int(np.prod(shape)) if shape else 1
            arr = np.frombuffer(view, dtype=dt, count=count, offset=pos).reshape(shape)
            arrays[key] = arr
            pos += count * dt.itemsize
        self = cls.__new__(cls)
        self.space, self.dim, self.next_label = meta["space"], meta["dim"], meta["next_label"]
        self.lock = ReadWriteLock()
        state = dict(meta["state"])
        for key, arr in arrays.items():
            if not key.startswith("_"):
                state[key] = arr.copy()
        # pybind11's __setstate__ constructs in place: it must run on an uninitialised object.
        self._index = hnswlib.Index.__new__(hnswlib.Index)
        self._index.__setstate__((state,))
        self._index.set_ef((params or HnswParams()).ef)
        self._index.set_num_threads(1)
        raw_ids = arrays["_ids"].tobytes()
        self.id_of = {
            int(lab): str(uuid.UUID(bytes=raw_ids[16 * i : 16 * i + 16]))
            for i, lab in enumerate(arrays["_labels"].tolist())
        }
        self.label_of = {v: k for k, v in self.id_of.items()}
        return self
