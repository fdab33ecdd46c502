"""The graph search the vault does not use, measured on the same vectors (`bench search
--graph-sweep`), so the design decision can be re-checked on any machine.

HNSW from faiss (the same algorithm as hnswlib, from the library the vault ships),
M=48 / efConstruction=400 as session 1 tuned hnswlib; each efSearch value is timed per
single query and scored with the same identification recall as the vault.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

GRAPH_M = 48
GRAPH_EF_CONSTRUCTION = 400


def graph_sweep(
    gallery: np.ndarray, probes: np.ndarray, truth_rows: np.ndarray, efs: list[int]
) -> dict[str, Any]:
    """Build an HNSW graph over `gallery` and time top-1 queries of `probes` per ef."""
    import faiss

    index = faiss.IndexHNSWFlat(gallery.shape[1], GRAPH_M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = GRAPH_EF_CONSTRUCTION
    faiss.omp_set_num_threads(2)  # the build may use both cores, queries use one
    t = time.perf_counter()
    index.add(np.ascontiguousarray(gallery, dtype=np.float32))
    build_s = time.perf_counter() - t
    faiss.omp_set_num_threads(1)
    sweep = []
    for ef in efs:
        index.hnsw.efSearch = ef
        times, found = [], []
        for p in probes:
            t = time.perf_counter()
            _, rows = index.search(p[None, :], 1)
            times.append(time.perf_counter() - t)
            found.append(int(rows[0, 0]))
        ms = np.asarray(times) * 1000.0
        sweep.append(
            {
                "ef": ef,
                "query_p50_ms": round(float(np.percentile(ms, 50)), 4),
                "query_p99_ms": round(float(np.percentile(ms, 99)), 4),
                "id_recall": round(float(np.mean(np.asarray(found) == truth_rows)), 5),
            }
        )
    return {
        "m": GRAPH_M,
        "ef_construction": GRAPH_EF_CONSTRUCTION,
        "build_s": round(build_s, 3),
        "sweep": sweep,
    }
