"""The bundled engine v2: YuNet detector, dlib 68-point landmarks, dlib ResNet + SFace fused.

detect(): YuNet (onnxruntime) on the frame downscaled to `detect_width`; dlib's 68-point
predictor on YuNet's box mapped to the square box HOG gives (the predictor was trained on
HOG boxes): pose and eye openness then match today's within a median 0.6-0.9 degree and
0.01-0.02 EAR (docs/notes/engine.md). Faces: largest and most central first.

embed(): dlib chips (5-point predictor on the same box, as the dlib engine) through the
ONNX ResNet and ArcFace-aligned RGB crops (YuNet's 5 points) through the float SFace
graph, each face and model its own run, the runs side by side on the cores
(engine.run_pool; in analyze() they start right after YuNet, beside the 68 points);
fused into one 256-d unit vector (engine.fusion) whose cosine is the calibrated
z-fusion score. The dlib-only vector stays in
`face.extras["dlib_embedding"]` (the `dlib` engine's space: templates enrolled with
the old engine can still be matched and upgraded) and SFace's in "sface_embedding".

`vectors="sface"` makes an SFace-only engine (`bench accuracy --engine sface`).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np

from facekiosk.engine.base import FaceEngine, primary_face, resolve_request
from facekiosk.engine.dlib_engine import Descriptor, DlibEngine
from facekiosk.engine.fusion import Calibration, calibration_from_manifest, fused_model_id
from facekiosk.engine.pose import estimate_pose, eye_aspect_ratio, five_keypoints
from facekiosk.engine.run_pool import RunPool
from facekiosk.engine.sface import SFaceRecognizer, align_faces, load_sface
from facekiosk.engine.types import Embedding, EngineError, Face, FrameRequest, validate_image
from facekiosk.engine.vendored import load_vendored
from facekiosk.engine.yunet import YuNetDetector

# YuNet on a 640x480 frame downscaled to 320 px finds every face of ../shared/faces
# placed at >= 90 px (the TOO_FAR edge), like 480 and 640, in ~1/3 of the time
# (bench pipeline --recall-dataset; docs/notes/engine.md).
DEFAULT_DETECT_WIDTH = 320
PHOTO_MAX_WIDTH = 1600  # still photos: full resolution up to this width

# HOG's square box from YuNet's box, fitted on the 294 photos of ../shared/faces
# (median over matched pairs): side = 1.093 x YuNet width, centre 0.05 x height lower.
HOG_SIDE = 1.093
HOG_SHIFT_Y = 0.050
# On a turned face YuNet's box follows the visible face and the predictor, anchored on the
# box, pulls the fit toward frontal: luyt turned 45 deg (dlib engine) measured 2-22 deg,
# zulkhuu's shake 33 -> 20, so the liveness motion layer saw a third less parallax and
# prompted people who were moving (docs/notes/liveness.md, Session 5). The points are
# fitted again on the box HOG would give the first fit's outline; HOG box vs its own
# 68 points over 454 frames of the 11 ../shared/liveness live clips: side 0.726 x the
# points' bounding diagonal (sd 0.05), centre -0.009 / -0.027 side from their mean.
REBOX_SIDE = 0.726
REBOX_DX = -0.009
REBOX_DY = -0.027
# Refit only when the two boxes disagree: frontal frames measured IoU 0.87-0.98, turned
# ones 0.67-0.89 (luyt at 44 deg read -3 on a 0.89 box, so the bar is above that).
REFIT_IOU = 0.9

# Ordering: a face's area is discounted by its distance from the frame centre, so a
# partial face at the edge (YuNet reports those) does not beat the person in front.
CENTRE_WEIGHT = 0.5

Vectors = Literal["fused", "sface"]


def hog_like_box(box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = box
    side = HOG_SIDE * (x2 - x1)
    cx, cy = (x1 + x2) / 2.0, (y1 + y2) / 2.0 + HOG_SHIFT_Y * (y2 - y1)
    return (
        round(cx - side / 2),
        round(cy - side / 2),
        round(cx + side / 2),
        round(cy + side / 2),
    )


def box_from_landmarks(points: np.ndarray) -> tuple[int, int, int, int]:
    """The box HOG would give the face these 68 points outline (REBOX_* constants)."""
    side = REBOX_SIDE * math.hypot(float(np.ptp(points[:, 0])), float(np.ptp(points[:, 1])))
    cx = float(points[:, 0].mean()) + REBOX_DX * side
    cy = float(points[:, 1].mean()) + REBOX_DY * side
    return (
        round(cx - side / 2),
        round(cy - side / 2),
        round(cx + side / 2),
        round(cy + side / 2),
    )


def _refit(
    fit: Callable[[np.ndarray, tuple[int, int, int, int]], np.ndarray],
    gray: np.ndarray,
    bbox: tuple[float, float, float, float],
    points: np.ndarray,
) -> np.ndarray:
    """The points fitted again when their outline's box disagrees with the one they were
    fitted on (IoU < REFIT_IOU: a turned face); a fit costs ~8 ms at load 4."""
    box = box_from_landmarks(points)
    if _iou(box, hog_like_box(bbox)) >= REFIT_IOU:
        return points
    return fit(gray, box)


def _iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    iw = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _rank(box: tuple[float, float, float, float], shape: tuple[int, ...]) -> float:
    height, width = shape[:2]
    cx, cy = (box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0
    off = math.hypot(cx - width / 2.0, cy - height / 2.0) / math.hypot(width / 2.0, height / 2.0)
    return (box[2] - box[0]) * (box[3] - box[1]) * (1.0 - CENTRE_WEIGHT * min(1.0, off))


class BundledEngine(FaceEngine):
    name = "bundled"
    dim = 256
    # `bench pipeline` on t1.jpg (six ~100 px faces in 1280 px): YuNet finds all six at
    # 640 px in a quarter of the full-resolution time.
    group_detect_width = 640

    def __init__(
        self,
        detect_width: int = DEFAULT_DETECT_WIDTH,
        data_dir: Path | None = None,
        *,
        photos: bool = False,
        vectors: Vectors = "fused",
        descriptor: str = "auto",
        threads: int | None = None,
        workers: int | None = None,
    ) -> None:
        if detect_width < 0:
            raise EngineError("detect_width must be >= 0")
        self.detect_width = detect_width
        self.photos = photos
        self._vectors = vectors
        self._data_dir = data_dir
        # `threads`: cores to use (None: all), as onnxruntime threads inside each session
        # and (unless `workers` says otherwise; 1 = one after another) as workers running
        # the recognisers' runs side by side (engine.run_pool).
        self._threads = threads
        self._pool = RunPool(workers or threads or os.cpu_count() or 1)
        self._yunet = YuNetDetector(threads=threads)
        # The dlib engine supplies the predictors and the ResNet runtime (HOG unused).
        self._dlib = DlibEngine(
            descriptor=descriptor, data_dir=data_dir, descriptor_threads=threads
        )
        self._sface: SFaceRecognizer | None = None
        self.calibration: Calibration | None = None
        manifest = load_vendored("sface").calibration
        self.reference_far: dict[str, dict[str, float]] | None = manifest.get("reference_far")
        if vectors == "fused":
            self.calibration = calibration_from_manifest(manifest)
            self.model_id = fused_model_id(self.calibration.version)
            self.default_threshold = float(manifest["reference_far"]["1e-3"]["threshold"])
        elif vectors == "sface":
            self.name, self.model_id, self.dim = "sface", SFaceRecognizer.model_id, 128
            # SFace alone is a benchmark engine; its own FAR table from the same DEV run.
            self.reference_far = manifest.get("sface_reference_far")
            self.default_threshold = float(manifest["sface_reference_far"]["1e-3"]["threshold"])
        else:
            raise EngineError(f"unknown vectors {vectors!r}: use fused or sface")
        self.last_timings: dict[str, float] = {}

    @property
    def vectors(self) -> Vectors:
        return self._vectors

    @property
    def descriptor_backend(self) -> str:
        return f"{self._dlib.descriptor_backend}+onnx"

    def _ensure_sface(self) -> SFaceRecognizer:
        if self._sface is None:
            self._sface = load_sface(self._data_dir, threads=self._threads)
        return self._sface

    # -- detection ----------------------------------------------------------

    def detect_for(self, image: np.ndarray, request: FrameRequest) -> list[Face]:
        """Skips the 68-point predictor (pose, eye openness) when the request does not
        need it: faces then carry YuNet's box, score and 5 points."""
        return self.detect(image, max_faces=request.max_faces, landmarks=request.landmarks)

    def detect(
        self,
        image: np.ndarray,
        *,
        max_faces: int | None = None,
        detect_width: int | None = None,
        landmarks: bool = True,
        upsample: int | None = None,  # HOG's knob: accepted for the dlib benches, unused
    ) -> list[Face]:
        image = validate_image(image)
        faces = self._find(image, max_faces, detect_width)
        if landmarks:
            self._add_landmarks(image, faces)
        return faces

    def _find(
        self, image: np.ndarray, max_faces: int | None, detect_width: int | None = None
    ) -> list[Face]:
        """YuNet's faces, largest and most central first: box, score, 5 points."""
        t0 = time.perf_counter()
        if detect_width is None:
            live = self.detect_width
            detect_width = min(image.shape[1], PHOTO_MAX_WIDTH) if self.photos else live
        found = self._yunet.detect(image, detect_width)
        found.sort(key=lambda d: _rank(d.box, image.shape), reverse=True)
        if max_faces is not None:
            found = found[:max_faces]
        faces = [
            Face(
                bbox=det.box,
                score=det.score,
                kps=det.kps,
                extras={"dlib_rect": hog_like_box(det.box), "yunet_kps": det.kps},
            )
            for det in found
        ]
        self.last_timings = {"detect": (time.perf_counter() - t0) * 1e3}
        return faces

    def _add_landmarks(self, image: np.ndarray, faces: list[Face]) -> None:
        """The 68 points on the HOG-like box, and from them the 5 points, pose and eye
        openness the dlib engine gives (the gates are tuned on them)."""
        t1 = time.perf_counter()
        marks = []
        if faces:
            gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
            marks = [self._dlib.landmarks68(gray, hog_like_box(face.bbox)) for face in faces]
            fit = self._dlib.landmarks68
            marks = [
                _refit(fit, gray, face.bbox, p) for face, p in zip(faces, marks, strict=True)
            ]
        t2 = time.perf_counter()
        for face, points in zip(faces, marks, strict=True):
            face.landmarks = points
            face.kps = five_keypoints(points)
            face.pose = estimate_pose(points, image.shape)
            face.eye_openness = eye_aspect_ratio(points)
        self.last_timings["landmarks"] = (t2 - t1) * 1e3
        self.last_timings["pose"] = (time.perf_counter() - t2) * 1e3

    # -- one call per frame --------------------------------------------------

    def analyze(
        self,
        image: np.ndarray,
        request: FrameRequest | None = None,
        *,
        embed: bool | None = None,
        max_faces: int | None = None,
    ) -> list[Face]:
        """`FaceEngine.analyze`, same result, with the embedding runs started as soon as
        YuNet has found the faces: they use YuNet's points and box only, so they run on
        the other core while this one computes the 68 points and the pose."""
        request = resolve_request(request, embed=embed, max_faces=max_faces)
        if request.embed == "none" or self._pool.workers == 1:
            return super().analyze(image, request)
        image = validate_image(image)
        faces = self._find(image, request.max_faces)
        if not faces:
            return faces
        primary = primary_face(faces, request.track_box)
        targets = faces if request.embed == "all" else [primary]
        t0 = time.perf_counter()
        running = self._pool.start(self._embed_tasks(image, targets))
        if request.landmarks:
            self._add_landmarks(image, faces)
        t1 = time.perf_counter()
        self._collect(targets, running.finish(), t0, t1)
        if request.antispoof:
            primary.extras["antispoof"] = self.antispoof_scorer().score(image, primary)
        return faces

    # -- embedding ----------------------------------------------------------

    def embed(self, image: np.ndarray, faces: list[Face]) -> list[Embedding]:
        image = validate_image(image)
        if not faces:
            return []
        t0 = time.perf_counter()
        return self._collect(faces, self._pool.map(self._embed_tasks(image, faces)), t0, t0)

    def _embed_tasks(
        self, image: np.ndarray, faces: list[Face]
    ) -> list[Callable[[], tuple[np.ndarray, float]]]:
        """One task per face and model, alignment included (it runs beside the other
        model's run); SFace (the slower) first, so greedy workers balance."""
        sface = self._ensure_sface()
        tasks: list[Callable[[], np.ndarray]] = [
            partial(_sface_vector, sface, image, _yunet_kps(face)) for face in faces
        ]
        if self._vectors == "fused":
            descriptor = self._dlib._ensure_descriptor()
            rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
            tasks += [partial(_dlib_vector, self._dlib, descriptor, rgb, face) for face in faces]
        return [partial(_timed, task) for task in tasks]

    def _collect(
        self,
        faces: list[Face],
        runs: list[tuple[np.ndarray, float]],
        started: float,
        waited_from: float,
    ) -> list[Embedding]:
        """Put each face's vectors on it (fused, dlib, SFace) and record the timings."""
        n = len(faces)
        done = time.perf_counter()
        result = []
        for k, face in enumerate(faces):
            s = Embedding(runs[k][0], engine="sface", model=SFaceRecognizer.model_id)
            face.extras["sface_embedding"] = s
            if len(runs) == n:  # SFace alone
                embedding = Embedding(s.vector, engine=self.name, model=self.model_id)
            else:
                d = Embedding(runs[n + k][0], engine=DlibEngine.name, model=DlibEngine.model_id)
                face.extras["dlib_embedding"] = d
                assert self.calibration is not None
                fused = self.calibration.fuse(d.vector[None], s.vector[None])[0]
                embedding = Embedding(fused, engine=self.name, model=self.model_id)
            face.embedding = embedding
            result.append(embedding)
        self.last_timings.update(
            {
                # From the first task to the last vector (in analyze() this overlaps the
                # landmarks and pose); embed_wait: what the frame waited for after them.
                "embed": (time.perf_counter() - started) * 1e3,
                "embed_wait": (done - waited_from) * 1e3,
                # Each model's tasks summed: they overlap, so these can add up to more
                # than embed.
                "embed_sface": sum(ms for _, ms in runs[:n]),
                "embed_dlib": sum(ms for _, ms in runs[n:]),
            }
        )
        return result

    def close(self) -> None:
        self._pool.close()
        self._sface = None


def _sface_vector(sface: SFaceRecognizer, image: np.ndarray, kps: np.ndarray) -> np.ndarray:
    """One face's raw SFace vector (128,): ArcFace crop, one run."""
    return sface.run(sface.prepare(align_faces(image, [kps])))[0]


def _dlib_vector(
    dlib: DlibEngine, descriptor: Descriptor, rgb: np.ndarray, face: Face
) -> np.ndarray:
    """One face's raw dlib ResNet vector (128,): dlib's chip, one run."""
    return np.asarray(descriptor.compute(dlib.chips_rgb(rgb, [face]))[0], dtype=np.float32)


def _timed(task: Callable[[], np.ndarray]) -> tuple[np.ndarray, float]:
    """A task's result and the milliseconds it took."""
    t0 = time.perf_counter()
    out = task()
    return out, (time.perf_counter() - t0) * 1e3


def _yunet_kps(face: Face) -> np.ndarray:
    """YuNet's points align SFace (its DEV numbers were measured so); a face from another
    detector falls back to its own 5 points."""
    kps: Any = face.extras.get("yunet_kps")
    return np.asarray(kps if kps is not None else face.kps, dtype=np.float64)
