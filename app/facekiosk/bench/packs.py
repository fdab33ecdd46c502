"""What our pack policy costs: sha256 verification throughput (the engine re-hashes a
pack at every load) and the download path (cap, hashing, fsync) against a plain
`requests` download of the same file from a loopback server, in the same process."""

from __future__ import annotations

import functools
import http.server
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from facekiosk.engine.packs.fetch import download
from facekiosk.engine.packs.manifest import sha256_file

MB = 1024 * 1024


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]

    return {
        "median_s": round(statistics.median(ordered), 4),
        "p90_s": round(pct(0.9), 4),
        "p99_s": round(pct(0.99), 4),
    }


def _time(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm-up (page cache, connection setup), not counted
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def run_pack_bench(size_mb: int = 64, runs: int = 7) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="fk-bench-packs-") as tmp:
        root = Path(tmp)
        served = root / "served"
        served.mkdir()
        blob = served / "pack.zip"
        with blob.open("wb") as fh:
            for _ in range(size_mb):
                fh.write(os.urandom(MB))

        hash_runs = _time(lambda: sha256_file(blob), runs)

        handler = functools.partial(_Quiet, directory=str(served))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/pack.zip"
        dest = root / "models"

        def plain() -> None:
            with requests.get(url, stream=True, timeout=30) as r:
                for _chunk in r.iter_content(256 * 1024):
                    pass

        def ours() -> None:
            path, _ = download(url, dest, max_bytes=(size_mb + 1) * MB, progress=False)
            path.unlink()

        try:
            plain_runs, ours_runs = [], []
            plain()
            ours()
            for _ in range(runs):  # interleaved so both see the same machine load
                plain_runs += _time_once(plain)
                ours_runs += _time_once(ours)
        finally:
            server.shutdown()
            server.server_close()

    hashing = _stats(hash_runs)
    plain_stats, ours_stats = _stats(plain_runs), _stats(ours_runs)
    return {
        "size_mb": size_mb,
        "runs": runs,
        "sha256": {**hashing, "mb_per_s": round(size_mb / hashing["median_s"], 1)},
        "download_plain": plain_stats,
        "download_checked": {
            **ours_stats,
            "mb_per_s": round(size_mb / ours_stats["median_s"], 1),
        },
        "download_ratio_vs_plain": round(ours_stats["median_s"] / plain_stats["median_s"], 2),
    }


def _time_once(fn: Callable[[], object]) -> list[float]:
    start = time.perf_counter()
    fn()
    return [time.perf_counter() - start]
