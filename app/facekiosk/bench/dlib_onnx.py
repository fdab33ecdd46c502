"""Speed of the ONNX descriptor against dlib's, on the same chips, in the same process.

    python -m facekiosk.bench.dlib_onnx [--rounds 20] [--json]

Chips are the six faces of insightface's t1.jpg (HOG + 5-point + get_face_chips).
Reports per-face medians / p90 / p99 in ms for dlib (one chip per call), ONNX one
chip per call and ONNX in a batch of six, for onnxruntime at 1 thread and at
os.cpu_count() threads, the ratios dlib / ONNX, the longest stall a 1 ms ticker
thread sees while each runs (the GIL question), and the vectors' agreement.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from facekiosk.engine.dlib_onnx.build import build_bundled, bundled_dat_path
from facekiosk.engine.dlib_onnx.runtime import OnnxDescriptor


def t1_chips() -> np.ndarray:
    import cv2
    import dlib
    import insightface

    path = Path(insightface.__file__).parent / "data" / "images" / "t1.jpg"
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise FileNotFoundError(f"{path}: unreadable (insightface's sample image)")
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    predictor = dlib.shape_predictor(
        str(bundled_dat_path().parent / "shape_predictor_5_face_landmarks.dat")
    )
    rects = dlib.get_frontal_face_detector()(rgb, 1)
    shapes = dlib.full_object_detections([predictor(rgb, r) for r in rects])
    return np.stack(dlib.get_face_chips(rgb, shapes, size=150, padding=0.25))


def _stats(samples_s: list[float], per: int = 1) -> dict[str, float]:
    ms = np.asarray(samples_s) * 1000.0 / per
    return {
        "median": round(float(np.median(ms)), 3),
        "p90": round(float(np.percentile(ms, 90)), 3),
        "p99": round(float(np.percentile(ms, 99)), 3),
        "n": int(ms.size),
    }


def _time(fn: Callable[[], object], rounds: int) -> list[float]:
    fn()  # warm-up: first-run allocations and lazy initialisation
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def longest_stall_ms(fn: Callable[[], object], rounds: int) -> float:
    """Longest gap between ticks of a Python thread sleeping 1 ms while `fn` runs."""
    stop = threading.Event()
    gaps: list[float] = []

    def tick() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            time.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    time.sleep(0.02)
    try:
        for _ in range(rounds):
            fn()
    finally:
        stop.set()
        ticker.join()
    return round(max(gaps) * 1000.0, 2)


def run_bench(rounds: int = 20, data_dir: Path | None = None) -> dict[str, object]:
    import dlib

    chips = t1_chips()
    with tempfile.TemporaryDirectory(prefix="facekiosk-bench-") as tmp:
        built = build_bundled(data_dir or Path(tmp), verify=False)
        threads_all = os.cpu_count() or 1
        onnx_all = OnnxDescriptor(built.path, threads=threads_all)
        onnx_one = OnnxDescriptor(built.path, threads=1)
        reference = dlib.face_recognition_model_v1(str(bundled_dat_path()))

        def dlib_each() -> None:
            for chip in chips:
                reference.compute_face_descriptor(chip)

        def onnx_each(d: OnnxDescriptor) -> Callable[[], None]:
            def run() -> None:
                for chip in chips:
                    d.compute(chip[None])

            return run

        n = len(chips)
        dlib_rounds = max(3, rounds // 4)  # dlib is the slow one; fewer rounds, same chips
        dlib_s = _time(dlib_each, dlib_rounds)
        single_all = _time(onnx_each(onnx_all), rounds)
        single_one = _time(onnx_each(onnx_one), rounds)
        batch_all = _time(lambda: onnx_all.compute(chips), rounds)
        batch_one = _time(lambda: onnx_one.compute(chips), rounds)

        ref = np.array([reference.compute_face_descriptor(c) for c in chips], np.float32)
        got = onnx_all.compute(chips)
        cos = np.sum(ref * got, 1) / (np.linalg.norm(ref, axis=1) * np.linalg.norm(got, axis=1))

        stats = {
            "dlib_per_face": _stats(dlib_s, n),
            f"onnx_single_threads{threads_all}": _stats(single_all, n),
            "onnx_single_threads1": _stats(single_one, n),
            f"onnx_batch{n}_threads{threads_all}_per_face": _stats(batch_all, n),
            f"onnx_batch{n}_threads1_per_face": _stats(batch_one, n),
        }
        dlib_ms = stats["dlib_per_face"]["median"]
        onnx_ms = stats[f"onnx_single_threads{threads_all}"]["median"]
        batch_ms = stats[f"onnx_batch{n}_threads{threads_all}_per_face"]["median"]
        return {
            "faces": n,
            "cpu_count": threads_all,
            "rounds": {"dlib": dlib_rounds, "onnx": rounds},
            "embed_dlib_ms": dlib_ms,
            "embed_onnx_ms": onnx_ms,
            "embed_onnx_batch_per_face_ms": batch_ms,
            "ratio_dlib_over_onnx_single": round(dlib_ms / onnx_ms, 2),
            "ratio_dlib_over_onnx_batch": round(dlib_ms / batch_ms, 2),
            "timings_ms": stats,
            "ticker_longest_stall_ms": {
                "dlib": longest_stall_ms(dlib_each, 1),
                "onnx": longest_stall_ms(onnx_each(onnx_all), 3),
            },
            "equivalence": {
                "min_cosine": float(cos.min()),
                "max_abs_diff": float(np.abs(ref - got).max()),
            },
            "build_seconds": round(built.seconds, 2),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run_bench(args.rounds)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"dlib {result['embed_dlib_ms']} ms/face, ONNX {result['embed_onnx_ms']} ms/face "
            f"(batch {result['embed_onnx_batch_per_face_ms']}), "
            f"ratio {result['ratio_dlib_over_onnx_single']}x"
        )
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
