"""One search index per embedding space: the templates as a dense float32 matrix, plus a
4-bit quantised copy (faiss PQ fast-scan) that picks candidates once the gallery is large.

Why not a graph (HNSW): a probe's only close neighbour is its own template, and every
other template sits at about the same distance from it, so a graph search has no slope
to follow and must visit a large share of the gallery. Measured at n=100k face-like
vectors (docs/notes/vault.md): hnswlib needs ef=512 and ~1.9 ms for id_recall 0.999,
slower than one BLAS matrix-vector product (~1.4 ms); usearch (f16/i8) behaves the same.
A scan of 4-bit codes (64 bytes per template instead of 512) followed by an exact
re-rank of the best `rerank` candidates gives recall 1.0 on the same probes at ~0.25 ms.

Search is exact (one matrix-vector product) up to `exact_max` live templates. The dense
matrix and the codes stay row-aligned: a removed row is cut out of both (order kept), so
a purged template leaves no code behind; the vacated matrix rows are zeroed.
Each Index ID belongs to a snapshot segment of up to SEGMENT_ROWS templates; writes mark
their segment dirty and `segment_body` serialises one segment (`u64 len | JSON | ids |
matrix | codes`) in memory only, for the caller to encrypt.
"""

from __future__ import annotations

import json
import logging
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from facekiosk.vault.rwlock import ReadWriteLock

if TYPE_CHECKING:
    import faiss

log = logging.getLogger(__name__)

_LEN = struct.Struct(">Q")
_ID_LEN = 36  # canonical UUID text; stored as ASCII so loading is one decode and slicing
SCAN_BLOCK = 128  # codes per SIMD block of the fast scan (a multiple of 32)
SEGMENT_ROWS = 16_384  # templates per snapshot segment: a purge rewrites one segment
TAIL_MAX = 1024  # rows added since the last pack, searched exactly, before a re-pack
TRAIN_SAMPLE = 65_536  # rows the quantiser is trained on (k-means of 16 levels per dim)


@dataclass(frozen=True)
class SearchParams:
    """`exact_max`: largest gallery searched exactly (at 20k templates of 128-d the
    matrix-vector product takes ~0.3 ms). `rerank`: candidates the quantised scan hands
    to the exact re-rank (64 keeps id_recall at 1.0 at n=100k; 8 already gives 0.9995).
    `train_min`: fewest templates to train the quantiser on (smaller stays exact)."""

    exact_max: int = 20_000
    rerank: int = 64
    train_min: int = 1024

    @classmethod
    def from_settings(cls, vault_settings: Any) -> SearchParams:
        """From `settings.vault` (search_exact_max, search_rerank)."""
        return cls(exact_max=vault_settings.search_exact_max, rerank=vault_settings.search_rerank)


# faiss can fail to load on a broken install (its loader may even call sys.exit): the
# codes are only an accelerator, so the search then stays exact (slower) and says so once.
_QUANTISER_ERRORS = (ImportError, OSError, RuntimeError, SystemExit)
_quantiser_unavailable: list[str] = []


def _faiss() -> Any:
    """faiss, imported on first use (small galleries never need it), single-threaded: a
    query is one short scan, and OpenMP threads would only compete with the camera."""
    import faiss

    faiss.omp_set_num_threads(1)
    return faiss


def _quantiser_failed(exc: BaseException) -> None:
    if not _quantiser_unavailable:
        log.error("1:N search stays exact (slower): the quantised scan failed: %r", exc)
    _quantiser_unavailable.append(repr(exc))


def _codes_for(dim: int) -> faiss.IndexPQ:
    f = _faiss()
    # one 4-bit sub-quantiser per dimension (per two above 256-d: ArcFace's 512)
    m = dim if dim <= 256 else dim // 2
    return f.IndexPQ(dim, m, 4, f.METRIC_INNER_PRODUCT)


def _pack(codes: faiss.IndexPQ) -> faiss.Index:
    """The SIMD-scannable layout of `codes` (4-8 ms at 100k). Never modified afterwards:
    in faiss 1.15 an `add` after a `remove_ids` on a packed index corrupts codes (search
    results then disagree with the plain codes for ~30% of probes), so rows removed are
    cut from the plain codes and the scan is packed again, and new rows wait in an exactly
    searched tail until the next pack. (Its `reconstruct` is also wrong for blocks other
    than 32; search is not affected and nothing here reconstructs from the scan.)"""
    # blocks of 128 codes scan ~12% faster than the default 32 (0.21 vs 0.24 ms at 100k)
    return _faiss().IndexPQFastScan(codes, SCAN_BLOCK)


class SpaceIndex:
    def __init__(
        self, space: str, dim: int, *, capacity: int = 64, params: SearchParams | None = None
    ) -> None:
        self.space = space
        self.dim = dim
        self.params = params or SearchParams()
        self.lock = ReadWriteLock()
        self._matrix = np.zeros((max(capacity, 16), dim), np.float32)
        self._ids: list[str] = []
        self._row_of: dict[str, int] = {}
        # 4-bit codes, row-aligned with the matrix: `_codes` is the plain array (removable),
        # `_scan` the same codes packed for the SIMD scan; both None while search is exact.
        self._codes: faiss.IndexPQ | None = None
        self._scan: faiss.Index | None = None
        self._packed = 0  # rows [0, _packed) are in _scan; the rest are the exact tail
        # Snapshot segments: every Index ID belongs to one; a write marks its segment dirty
        # and the next compaction rewrites only the dirty ones (purge = one segment).
        self._seg_of: dict[str, int] = {}
        self._members: dict[int, dict[str, None]] = {}  # ordered sets of Index IDs
        self._dirty: set[int] = set()
        self._open_seg = 0

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, index_id: object) -> bool:
        return index_id in self._row_of

    def ids(self) -> list[str]:
        with self.lock.read():
            return list(self._ids)

    @property
    def quantised(self) -> bool:
        """True while searches go through the quantised scan."""
        return self._scan is not None

    # --- writes (each takes the write lock) -------------------------------------------------

    def add(self, index_id: str, vector: np.ndarray) -> None:
        """Insert or replace the template of `index_id`."""
        vec = self._check(vector)
        with self.lock.write():
            if index_id in self._row_of:
                self._cut([self._row_of[index_id]])  # a replaced template leaves no code either
            self._append([index_id], vec[None, :])
            self._fit()

    def add_many(self, index_ids: list[str], vectors: np.ndarray) -> None:
        """Bulk insert of new Index IDs (imports and benchmarks)."""
        vecs = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(index_ids), -1)
        if vecs.shape[1] != self.dim:
            self._check(vecs[0])
        with self.lock.write():
            known = [self._row_of[i] for i in index_ids if i in self._row_of]
            if known:
                self._cut(sorted(known))
            self._append(index_ids, vecs)
            self._fit()

    def remove(self, index_id: str) -> bool:
        return self.remove_many([index_id]) == 1

    def remove_many(self, index_ids: list[str]) -> int:
        """Cut the templates of `index_ids` (unknown ones are skipped); returns how many."""
        with self.lock.write():
            rows = sorted({self._row_of[i] for i in index_ids if i in self._row_of})
            if rows:
                self._cut(rows)
                self._fit()
            return len(rows)

    def _append(self, index_ids: list[str], vecs: np.ndarray, seg: int | None = None) -> None:
        n, extra = len(self._ids), len(index_ids)
        if n + extra > len(self._matrix):
            grown = np.zeros((max(n + extra, 2 * len(self._matrix)), self.dim), np.float32)
            grown[:n] = self._matrix[:n]
            self._matrix.fill(0.0)  # no stray copy of the templates left behind
            self._matrix = grown
        self._matrix[n : n + extra] = vecs
        for offset, index_id in enumerate(index_ids):
            self._row_of[index_id] = n + offset
        self._ids.extend(index_ids)
        for index_id in index_ids:
            self._assign(index_id, seg)
        if self._codes is not None:
            self._codes.add(vecs)
            if len(self._ids) - self._packed > TAIL_MAX:
                self._repack()

    def _assign(self, index_id: str, seg: int | None) -> None:
        if seg is None:
            if len(self._members.get(self._open_seg, ())) >= SEGMENT_ROWS:
                self._open_seg = max(self._members) + 1
            seg = self._open_seg
            self._dirty.add(seg)
        self._seg_of[index_id] = seg
        self._members.setdefault(seg, {})[index_id] = None

    def _cut(self, rows: list[int]) -> None:
        """Remove rows from the matrix and the codes, keeping the order of the rest."""
        n = len(self._ids)
        keep = np.ones(n, bool)
        keep[rows] = False
        m = int(keep.sum())
        self._matrix[:m] = self._matrix[:n][keep]
        self._matrix[m:n] = 0.0
        first = rows[0]  # rows before the first cut keep their numbers
        for index_id in (self._ids[r] for r in rows):
            del self._row_of[index_id]
            seg = self._seg_of.pop(index_id)
            del self._members[seg][index_id]
            self._dirty.add(seg)
        tail = zip(self._ids[first:], keep[first:].tolist(), strict=True)
        self._ids[first:] = [index_id for index_id, kept in tail if kept]
        self._row_of.update(zip(self._ids[first:], range(first, m), strict=True))
        if self._codes is not None:
            self._codes.remove_ids(_faiss().IDSelectorBatch(np.asarray(rows, np.int64)))
            self._repack()

    def _repack(self) -> None:
        assert self._codes is not None
        self._scan, self._packed = _pack(self._codes), int(self._codes.ntotal)

    def _fit(self) -> None:
        """Quantise once the gallery outgrows exact search; drop the codes when it has
        shrunk well below that again (hysteresis: no retraining at the boundary)."""
        n = len(self._ids)
        want = n > self.params.exact_max and n >= self.params.train_min
        if want and self._codes is None and not _quantiser_unavailable:
            try:
                self._codes = self._trained_codes(n)
                self._repack()
                self._dirty.update(self._members)  # segments carry their codes
            except _QUANTISER_ERRORS as exc:
                self._codes = self._scan = None
                self._packed = 0
                _quantiser_failed(exc)
        elif self._codes is not None and n <= self.params.exact_max // 2:
            self._codes = self._scan = None
            self._packed = 0
            self._dirty.update(self._members)

    def _trained_codes(self, n: int) -> faiss.IndexPQ:
        codes = _codes_for(self.dim)
        live = self._matrix[:n]
        if n > TRAIN_SAMPLE:  # a fixed seed: the same gallery gives the same codebook
            rows = np.random.default_rng(0).choice(n, TRAIN_SAMPLE, replace=False)
            codes.train(np.ascontiguousarray(live[np.sort(rows)]))
        else:
            codes.train(live)
        codes.add(live)
        return codes

    # --- reads -------------------------------------------------------------------------------

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Top-k (Index ID, similarity), re-ranked exactly in float64."""
        vec = self._check(vector)
        with self.lock.read():
            n = len(self._ids)
            if n == 0 or k <= 0:
                return []
            if self._scan is not None:
                want = max(k, self.params.rerank)
                _, rows = self._scan.search(vec[None, :], min(self._packed, want))
                cand = rows[0][rows[0] >= 0]
                if n > self._packed:  # rows added since the last pack: exact
                    tail = self._matrix[self._packed : n] @ vec
                    top = min(want, len(tail))
                    best = np.argpartition(-tail, top - 1)[:top] if top < len(tail) else None
                    extra = np.arange(len(tail)) if best is None else best
                    cand = np.concatenate([cand, extra + self._packed])
            else:
                sims = self._matrix[:n] @ vec
                k_top = min(k, n)
                cand = np.argpartition(-sims, k_top - 1)[:k_top] if k_top < n else np.arange(n)
            exact = self._matrix[cand].astype(np.float64) @ vec.astype(np.float64)
            order = np.argsort(-exact)[:k]
            return [(self._ids[int(cand[i])], float(exact[i])) for i in order]

    def vectors(self) -> tuple[list[str], np.ndarray]:
        """All live templates (brute-force baselines, re-encryption); a copy."""
        with self.lock.read():
            return list(self._ids), self._matrix[: len(self._ids)].copy()

    def vector_of(self, index_id: str) -> np.ndarray:
        """One Index ID's template (site sync exports it); a copy."""
        with self.lock.read():
            return self._matrix[self._row_of[index_id]].copy()

    def _check(self, vector: np.ndarray) -> np.ndarray:
        vec = np.ascontiguousarray(vector, dtype=np.float32).reshape(-1)
        if vec.shape[0] != self.dim:
            from facekiosk.vault.errors import WrongSpaceError

            raise WrongSpaceError(f"{self.space} templates are {self.dim}-d, got {vec.shape[0]}-d")
        return vec

    # --- serialisation: segments -------------------------------------------------------------

    def segments(self) -> list[int]:
        """Segments that hold templates."""
        with self.lock.read():
            return sorted(seg for seg, members in self._members.items() if members)

    def dirty_segments(self) -> set[int]:
        with self.lock.read():
            return set(self._dirty)

    def mark_all_dirty(self) -> None:
        """The next compaction rewrites every segment (key rotation, format change)."""
        with self.lock.write():
            self._dirty.update(self._members)

    def clear_dirty(self, written: set[int]) -> None:
        """After a compaction wrote `written`: forget them, and segments left empty."""
        with self.lock.write():
            self._dirty -= written
            for seg in [s for s, members in self._members.items() if not members]:
                if seg != self._open_seg:
                    del self._members[seg]

    def codebook(self) -> bytes | None:
        """The quantiser's centroids (float32), stored once per space in the manifest."""
        with self.lock.read():
            if self._codes is None:
                return None
            return _faiss().vector_to_array(self._codes.pq.centroids).astype(np.float32).tobytes()

    def segment_body(self, seg: int) -> bytes:
        """`u64 len | JSON head | ids | matrix | codes` of one segment, in memory only."""
        with self.lock.read():
            members = list(self._members.get(seg, ()))
            rows = np.fromiter((self._row_of[i] for i in members), np.int64, len(members))
            matrix = self._matrix[rows].tobytes()
            codes, code_size = b"", 0
            if self._codes is not None:
                code_size = int(self._codes.code_size)
                plain = _faiss().rev_swig_ptr(self._codes.codes.data(), self._codes.codes.size())
                codes = plain.reshape(-1, code_size)[rows].tobytes()
        head = json.dumps({"n": len(members), "dim": self.dim, "code_size": code_size}).encode()
        return b"".join(
            [_LEN.pack(len(head)), head, "".join(members).encode("ascii"), matrix, codes]
        )

    @classmethod
    def from_segments(
        cls,
        space: str,
        dim: int,
        bodies: Sequence[tuple[int, bytes | memoryview]],
        codebook: bytes | None,
        params: SearchParams | None = None,
    ) -> SpaceIndex:
        """Rebuild from `segment_body` outputs and the manifest's codebook. Raises
        ValueError on a body that does not parse (the caller names the file)."""
        parsed = [(seg, _parse_segment(body, dim)) for seg, body in bodies]
        loaded: Any = None
        total = sum(len(ids) for _, (ids, _m, _c) in parsed)
        self = cls(space, dim, capacity=total, params=params)
        for seg, (ids, matrix, _codes) in parsed:
            self._append(ids, matrix, seg)
        if self._members:
            self._open_seg = max(self._members)
        codes = [c for _, (_i, _m, c) in parsed]
        if codebook is not None and total and all(c is not None for c in codes):
            try:  # derived data: anything odd about it means "train again" in _fit below
                self._codes = _codes_from(dim, codebook, np.concatenate(codes))  # type: ignore[arg-type]
                self._repack()
                loaded = self._codes
            except (*_QUANTISER_ERRORS, ValueError) as exc:
                log.warning("search codes of %s unusable (%r): training them again", space, exc)
                self._codes = self._scan = None
                self._packed = 0
        self._fit()  # also covers a changed exact_max since the snapshot was written
        self._dirty.clear()
        if self._codes is not loaded or (codebook is not None and loaded is None):
            self._dirty.update(self._members)  # the stored codes no longer match: rewrite
        return self

    @classmethod
    def from_legacy(
        cls, data: bytes | memoryview, fmt: int, params: SearchParams | None = None
    ) -> SpaceIndex:
        """A section of snapshot format 1 (hnswlib) or 2 (one blob per space); every
        segment is dirty, so the next compaction writes the current format."""
        from facekiosk.vault.legacy_snapshot import read_legacy_section

        space, dim, ids, matrix = read_legacy_section(data, fmt)
        self = cls(space, dim, capacity=len(ids), params=params)
        self._append(ids, matrix)
        self._fit()
        self._dirty.update(self._members)
        return self


def _parse_segment(
    body: bytes | memoryview, dim: int
) -> tuple[list[str], np.ndarray, np.ndarray | None]:
    view = memoryview(body)
    (head_len,) = _LEN.unpack_from(view)
    meta = json.loads(bytes(view[_LEN.size : _LEN.size + head_len]))
    n, code_size = int(meta["n"]), int(meta["code_size"])
    if int(meta["dim"]) != dim:
        raise ValueError(f"segment of {meta['dim']}-d templates in a {dim}-d space")
    pos = _LEN.size + head_len
    text = bytes(view[pos : pos + n * _ID_LEN]).decode("ascii")
    pos += n * _ID_LEN
    matrix = np.frombuffer(view, np.float32, count=n * dim, offset=pos).reshape(n, dim)
    pos += matrix.nbytes
    codes = None
    if code_size:
        codes = np.frombuffer(view, np.uint8, count=n * code_size, offset=pos).reshape(n, -1)
        pos += codes.nbytes
    if pos != len(view) or len(text) != n * _ID_LEN:
        raise ValueError("segment length does not match its header")
    ids = [text[i : i + _ID_LEN] for i in range(0, len(text), _ID_LEN)]
    return ids, matrix, codes


def _codes_from(dim: int, codebook: bytes, codes: np.ndarray) -> faiss.IndexPQ:
    index = _codes_for(dim)
    centroids = np.frombuffer(codebook, np.float32)
    if centroids.size != index.pq.M * index.pq.ksub * index.pq.dsub:
        raise ValueError(f"codebook of {centroids.size} values for {index.pq.M} sub-quantisers")
    if codes.ndim != 2 or codes.shape[1] != index.code_size:
        raise ValueError(f"codes of {codes.shape[-1]} bytes, expected {index.code_size}")
    f = _faiss()
    f.copy_array_to_vector(centroids, index.pq.centroids)
    index.is_trained = True
    f.copy_array_to_vector(np.ascontiguousarray(codes).ravel(), index.codes)
    index.ntotal = codes.shape[0]
    return index
