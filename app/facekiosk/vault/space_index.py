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
    space's index is created; `ef` on every open. Up to `exact_max` templates the search
    is exact instead (one matrix-vector product is faster than the graph there)."""

    m: int = 48
    ef_construction: int = 400
    ef: int = 512
    # Measured on an idle 2-core box at n=100k: one float32 matrix-vector product takes
    # 1.5 ms (2 threads) to 2.8 ms (1 thread) with recall 1.0, while the graph needs ef=512
    # and ~2.0 ms for recall 0.999 (docs/notes/vault.md). So search exactly up to 100k.
    exact_max: int = 100_000

    @classmethod
    def from_settings(cls, vault_settings: Any) -> HnswParams:
        """From `settings.vault` (hnsw_m, hnsw_ef)."""
        return cls(m=vault_settings.hnsw_m, ef=vault_settings.hnsw_ef)


class DenseTable:
    """The live templates as one dense matrix, for exact search of small galleries."""

    def __init__(self, dim: int) -> None:
        self.matrix = np.zeros((64, dim), np.float32)
        self.ids: list[str] = []
        self.row_of: dict[str, int] = {}

    def put(self, index_id: str, vec: np.ndarray) -> None:
        row = self.row_of.get(index_id)
        if row is None:
            row = len(self.ids)
            if row == len(self.matrix):
                grown = np.zeros((2 * row, self.matrix.shape[1]), np.float32)
                grown[:row] = self.matrix
                self.matrix.fill(0.0)  # no stray copy of the templates left behind
                self.matrix = grown
            self.ids.append(index_id)
            self.row_of[index_id] = row
        self.matrix[row] = vec

    def drop(self, index_id: str) -> None:
        row = self.row_of.pop(index_id, None)
        if row is None:
            return
        last = len(self.ids) - 1
        if row != last:  # move the last row into the hole
            self.matrix[row] = self.matrix[last]
            self.ids[row] = self.ids[last]
            self.row_of[self.ids[row]] = row
        self.ids.pop()
        self.matrix[last] = 0.0

    def top(self, vec: np.ndarray, k: int) -> list[tuple[str, float]]:
        n = len(self.ids)
        sims = self.matrix[:n] @ vec
        k = min(k, n)
        best = np.argpartition(-sims, k - 1)[:k] if k < n else np.arange(n)
        # float64 for the final order and values, like the graph path's re-ranking
        exact = self.matrix[best].astype(np.float64) @ vec.astype(np.float64)
        order = np.argsort(-exact)
        return [(self.ids[best[i]], float(exact[i])) for i in order]


_ID_LEN = 36  # canonical UUID text; stored as ASCII so loading is one decode and slicing


class SpaceIndex:
    def __init__(
        self, space: str, dim: int, *, capacity: int = 1024, params: HnswParams | None = None
    ) -> None:
        params = params or HnswParams()
        self.space = space
        self.dim = dim
        self.exact_max = params.exact_max
        self._table: DenseTable | None = DenseTable(dim) if params.exact_max > 0 else None
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
            else:
                if label is None:
                    label = self.next_label
                self.next_label = max(self.next_label, label + 1)
                self._reserve(1)
                self._index.add_items(vec[None, :], [label], replace_deleted=True)
                self.label_of[index_id] = label
                self.id_of[label] = index_id
            if self._table is not None:
                self._table.put(index_id, vec)
            self._fit_table()
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
            if self._table is not None and len(self.label_of) <= self.exact_max:
                for index_id, vec in zip(index_ids, vecs, strict=True):
                    self._table.put(index_id, vec)
            self._fit_table()

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
            if self._table is not None:
                self._table.drop(index_id)
            self._fit_table()
            return True

    def _fit_table(self) -> None:
        """Keep the dense table only while the gallery is small enough (write lock held)."""
        live = len(self.label_of)
        if self._table is not None and live > self.exact_max:
            self._table.matrix.fill(0.0)
            self._table = None
        elif self._table is None and self.exact_max > 0 and live <= self.exact_max:
            table = DenseTable(self.dim)
            if live:
                ids = list(self.label_of)
                vecs = self._index.get_items([self.label_of[i] for i in ids])
                for index_id, vec in zip(ids, np.asarray(vecs, np.float32), strict=True):
                    table.put(index_id, vec)
            self._table = table

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
            if self._table is not None:
                return self._table.top(vec, k)
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
            ids = "".join(self.id_of[int(lab)] for lab in labels).encode("ascii")
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
        self.exact_max = (params or HnswParams()).exact_max
        self._table = None
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
        text = arrays["_ids"].tobytes().decode("ascii")
        ids = [text[i : i + _ID_LEN] for i in range(0, len(text), _ID_LEN)]
        self.id_of = dict(zip(arrays["_labels"].tolist(), ids, strict=True))
        self.label_of = {v: k for k, v in self.id_of.items()}
        self._fit_table()
        return self
