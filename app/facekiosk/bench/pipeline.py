"""`facekiosk bench pipeline`: per-stage latency of the per-frame engine path
(detect, landmarks, pose, quality, embed) on a one-face 640x480 kiosk frame and
on insightface's six-face t1.jpg; decode excluded, warm-up runs excluded.

`--baseline-sequential` (bundled engine): the same engine with its model runs one
after another instead of side by side, the two taking turns frame by frame.

Also times the two ResNet runtimes of the dlib engine on the same chips in the
same process (embed_dlib_ms / embed_onnx_ms), so their ratio is fair on a busy
machine even when the absolute numbers are noisy.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from facekiosk.engine.base import FaceEngine
from facekiosk.engine.quality import assess
from facekiosk.engine.types import FrameRequest, box_iou
from facekiosk.settings import Settings

if TYPE_CHECKING:
    from facekiosk.engine.dlib_engine import DlibEngine

WARMUP = 3
STAGES = ("detect", "landmarks", "pose", "quality", "embed", "total")
ANALYZE_ALL = FrameRequest(embed="all")


def kiosk_frame() -> np.ndarray:
    """640x480 BGR with one kiosk-sized face (~185 px wide): skimage's astronaut,
    head and shoulders cropped and scaled like a webcam at arm's length."""
    from skimage import data

    rgb = data.astronaut()[0:300, 60:460]
    return cv2.resize(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), (640, 480))


def group_frame() -> np.ndarray:
    """insightface's t1.jpg (1280x886, six people)."""
    import insightface

    path = Path(insightface.__file__).parent / "data" / "images" / "t1.jpg"
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise FileNotFoundError(path)
    return image


def stats(samples: list[float]) -> dict[str, float]:
    a = np.asarray(samples, dtype=np.float64)
    return {
        "median_ms": round(float(np.median(a)), 2),
        "p90_ms": round(float(np.percentile(a, 90)), 2),
        "p99_ms": round(float(np.percentile(a, 99)), 2),
    }


def _run_once(
    engine: FaceEngine, image: np.ndarray, settings: Settings, detect_kwargs: dict
) -> tuple[int, dict[str, float]]:
    """One pass of the per-frame path: (faces, milliseconds per stage).

    An engine that reports its stages (`last_timings`) is timed through `analyze` (the one
    call the kiosk makes per frame, every face embedded), then the quality gate: its
    stages may overlap (the bundled engine embeds beside the landmarks), `total` is the
    frame. Other engines: detect, quality and embed as separate calls."""
    if hasattr(engine, "last_timings"):
        width = detect_kwargs.get("detect_width")
        saved = getattr(engine, "detect_width", None)
        if width is not None:  # analyze() takes no width: the engine's setting, for now
            engine.detect_width = width  # type: ignore[attr-defined]
        try:
            t0 = time.perf_counter()
            faces = engine.analyze(image, ANALYZE_ALL)
            t1 = time.perf_counter()
        finally:
            if width is not None:
                engine.detect_width = saved  # type: ignore[attr-defined]
        assess(faces, image.shape, "auth", settings.quality, image)
        t2 = time.perf_counter()
        inner: dict[str, float] = engine.last_timings
        stages = {k: v for k, v in inner.items() if k in STAGES or k.startswith("embed_")}
        stages["quality"] = (t2 - t1) * 1e3
        stages["total"] = (t2 - t0) * 1e3
        return len(faces), stages
    t0 = time.perf_counter()
    faces = engine.detect(image, **detect_kwargs)
    t1 = time.perf_counter()
    assess(faces, image.shape, "auth", settings.quality, image)
    t2 = time.perf_counter()
    if faces:
        engine.embed(image, faces)
    t3 = time.perf_counter()
    return len(faces), {
        "detect": (t1 - t0) * 1e3,
        "quality": (t2 - t1) * 1e3,
        "embed": (t3 - t2) * 1e3,
        "total": (t3 - t0) * 1e3,
    }


def time_frames(
    engines: dict[str, FaceEngine],
    image: np.ndarray,
    settings: Settings,
    repeats: int,
    detect_kwargs: dict | None = None,
    warmup: int = WARMUP,
) -> dict[str, dict]:
    """Time the per-frame path of each engine `repeats` times (after warm-up), the
    engines taking turns frame by frame: on a busy machine both see the same load,
    so their ratio means something even when the absolute numbers do not."""
    detect_kwargs = detect_kwargs or {}
    per_stage: dict[str, dict[str, list[float]]] = {name: {} for name in engines}
    faces = dict.fromkeys(engines, 0)
    for run in range(warmup + repeats):
        for name, engine in engines.items():
            faces[name], stages = _run_once(engine, image, settings, detect_kwargs)
            if run >= warmup:
                for stage, ms in stages.items():
                    per_stage[name].setdefault(stage, []).append(ms)
    report = {}
    for name, samples in per_stage.items():
        ordered = [s for s in STAGES if s in samples] + sorted(set(samples) - set(STAGES))
        summary = {s: stats(samples[s]) for s in ordered}
        total = summary["total"]["median_ms"]
        report[name] = {
            "faces": faces[name],
            "shape": list(image.shape[:2]),
            "stages": summary,
            "fps": round(1000.0 / total, 2) if total > 0 else None,
        }
    return report


def time_frame(
    engine: FaceEngine,
    image: np.ndarray,
    settings: Settings,
    repeats: int,
    detect_kwargs: dict | None = None,
    warmup: int = WARMUP,
) -> dict:
    """Run the per-frame path `repeats` times (after warm-up) and time every stage."""
    return time_frames({"engine": engine}, image, settings, repeats, detect_kwargs, warmup)[
        "engine"
    ]


def _median_ms(fn: Callable[[], object], repeats: int, warmup: int) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(times))


def time_descriptors(
    chips: np.ndarray, repeats: int, data_dir: Path | None, warmup: int = WARMUP
) -> dict[str, float | None]:
    """Per-face median ms of dlib's and the ONNX ResNet on the same chips (None if absent)."""
    from facekiosk.engine.dlib_engine import DlibResnetDescriptor, _load_onnx_descriptor
    from facekiosk.engine.dlib_models import locate_models

    result: dict[str, float | None] = {"embed_dlib_ms": None, "embed_onnx_ms": None}
    if len(chips) == 0:
        return result
    one = chips[:1]
    dlib_rt = DlibResnetDescriptor(locate_models().resnet)
    onnx_rt = _load_onnx_descriptor(data_dir)
    dlib_ms = round(_median_ms(lambda: dlib_rt.compute(one), repeats, warmup), 2)
    result["embed_dlib_ms"] = dlib_ms
    result["embed_dlib_batch_ms_per_face"] = round(
        _median_ms(lambda: dlib_rt.compute(chips), max(1, repeats // 3), warmup) / len(chips), 2
    )
    if onnx_rt is not None:
        onnx_ms = round(_median_ms(lambda: onnx_rt.compute(one), repeats, warmup), 2)
        result["embed_onnx_ms"] = onnx_ms
        result["embed_onnx_batch_ms_per_face"] = round(
            _median_ms(lambda: onnx_rt.compute(chips), max(1, repeats // 3), warmup) / len(chips), 2
        )
        result["embed_ratio_dlib_over_onnx"] = round(dlib_ms / onnx_ms, 2)
        a, b = dlib_rt.compute(chips), onnx_rt.compute(chips)
        cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
        result["descriptor_min_cosine"] = round(float(cos.min()), 6)
    return result


def run_pipeline(
    engine: FaceEngine,
    repeats: int = 30,
    settings: Settings | None = None,
    data_dir: Path | None = None,
    warmup: int = WARMUP,
    baseline: FaceEngine | None = None,
) -> dict:
    """The `bench pipeline` report (JSON-ready). With a `baseline` engine, both take
    turns on every frame and the report adds the baseline's frames and the ratios."""
    settings = settings or Settings()
    engines = {"engine": engine} if baseline is None else {"engine": engine, "baseline": baseline}
    one = kiosk_frame()
    group = group_frame()
    frames, base_frames = [], []
    timed_one = time_frames(engines, one, settings, repeats, warmup=warmup)
    frame_one = timed_one["engine"]
    frames.append({"name": "kiosk_640x480_one_face", **frame_one})
    # The group photo's faces are ~100 px in a 1280 px frame: the live setting
    # (HOG on a 480 px frame) cannot see them, so it runs at full resolution (or at
    # the engine's `group_detect_width`: YuNet finds all six at 640).
    group_width = getattr(engine, "group_detect_width", 0)
    group_kwargs = {"detect_width": group_width} if hasattr(engine, "detect_width") else {}
    timed_group = time_frames(
        engines, group, settings, max(1, repeats // 3), group_kwargs, warmup=warmup
    )
    frames.append({"name": "t1_six_faces", "detect_width": group_width, **timed_group["engine"]})
    frames[0]["detect_width"] = getattr(engine, "detect_width", None)
    if baseline is not None:
        base_frames = [
            {"name": frames[0]["name"], **timed_one["baseline"]},
            {"name": frames[1]["name"], **timed_group["baseline"]},
        ]

    report: dict = {
        "engine": engine.name,
        "model": engine.model_id,
        "descriptor_backend": getattr(engine, "descriptor_backend", None),
        "repeats": repeats,
        "warmup": warmup,
        "cpu_count": os.cpu_count(),
        "frames": frames,
        # Convenience copies of the headline: the one-face kiosk frame.
        "stages": frame_one["stages"],
        "fps": frame_one["fps"],
        "embed_dlib_ms": None,
        "embed_onnx_ms": None,
    }
    if baseline is not None:
        report["baseline"] = {"frames": base_frames}
        report["ratio_to_baseline"] = {
            new["name"]: {
                stage: round(
                    new["stages"][stage]["median_ms"] / old["stages"][stage]["median_ms"], 3
                )
                for stage in ("embed", "total")
                if old["stages"][stage]["median_ms"] > 0
            }
            for new, old in zip(frames, base_frames, strict=True)
        }
    from facekiosk.bench.liveness_cost import time_liveness

    # per LIVENESS frame at the authentication default: the anti-spoofing model + the session
    report["liveness"] = time_liveness(engine, one, settings, repeats, warmup)
    from facekiosk.engine.dlib_engine import DlibEngine

    if isinstance(engine, DlibEngine):  # the only engine with both ResNet runtimes
        faces = engine.detect(group, detect_width=0)
        chips = engine.chips(group, faces)
        report.update(time_descriptors(chips, repeats, data_dir, warmup))
    return report


def kiosk_frames_from_photos(
    engine: DlibEngine, dataset: Path, face_width: int, limit: int | None = None
) -> list[tuple[np.ndarray, tuple[float, ...]]]:
    """640x480 frames with one photo each, scaled so its face box is `face_width` px
    wide and centred (as at a kiosk), with the expected box. Needs a photo-mode engine."""
    from facekiosk.engine.dataset import list_dataset
    from facekiosk.engine.types import read_image

    frames: list[tuple[np.ndarray, tuple[float, ...]]] = []
    for sample in list_dataset(dataset)[:limit]:
        photo = read_image(str(sample.path))
        faces = engine.detect(photo, max_faces=1, detect_width=0, upsample=1)
        if not faces:
            continue
        x1, y1, x2, y2 = faces[0].bbox
        s = face_width / (x2 - x1)
        cx, cy = (x1 + x2) / 2 * s, (y1 + y2) / 2 * s
        m = np.array([[s, 0, 320 - cx], [0, s, 240 - cy]], dtype=np.float32)
        frame = cv2.warpAffine(photo, m, (640, 480), borderMode=cv2.BORDER_REPLICATE)
        box = (320 - (x2 - x1) * s / 2, 240 - (y2 - y1) * s / 2, 320 + (x2 - x1) * s / 2)
        frames.append((frame, (*box, 240 + (y2 - y1) * s / 2)))
    return frames


def detect_width_recall(
    engine: DlibEngine,
    dataset: Path,
    face_widths: tuple[int, ...] = (90, 110, 130, 160, 200, 260),
    detect_widths: tuple[int, ...] = (240, 320, 400, 480, 640),
    limit: int | None = None,
) -> dict:
    """Share of kiosk-sized faces HOG finds when the 640x480 frame is first
    downscaled to each detect width (upsample 0), and the median detect time."""
    result: dict = {"frame": [640, 480], "photos": None, "recall": {}, "detect_ms": {}}
    times: dict[int, list[float]] = {w: [] for w in detect_widths}
    for face_width in face_widths:
        frames = kiosk_frames_from_photos(engine, dataset, face_width, limit)
        result["photos"] = len(frames)
        row = {}
        for width in detect_widths:
            hits = 0
            for frame, box in frames:
                t0 = time.perf_counter()
                faces = engine.detect(frame, detect_width=width, upsample=0)
                times[width].append((time.perf_counter() - t0) * 1e3)
                hits += any(box_iou(f.bbox, box) > 0.3 for f in faces)
            row[str(width)] = round(hits / len(frames), 4) if frames else None
        result["recall"][str(face_width)] = row
    result["detect_ms"] = {str(w): round(float(np.median(t)), 2) for w, t in times.items() if t}
    return result
