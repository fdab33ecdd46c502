"""The bundled dlib engine: HOG detector, 68/5-point predictors, ResNet 128-d descriptor.

Live video: HOG runs on the frame downscaled to `detect_width` (a kiosk face is
large, so a smaller frame keeps recall and is faster); landmarks,
pose and alignment always use the full-resolution frame. Still photos
(`photos=True`, e.g. enrolment from files): HOG at full resolution up to
PHOTO_MAX_WIDTH, upsampled once when the photo is small, so faces down to
~40 px are found.

The descriptor runtime is pluggable (`descriptor="auto"|"onnx"|"dlib"`): the
ONNX port of the same ResNet (facekiosk.engine.dlib_onnx) is fed exactly the
same 150x150 chips as dlib's own, so vectors from both are interchangeable.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Literal, Protocol

import cv2
import dlib
import numpy as np

from facekiosk.engine.base import FaceEngine
from facekiosk.engine.dlib_models import locate_models
from facekiosk.engine.pose import estimate_pose, eye_aspect_ratio, five_keypoints
from facekiosk.engine.types import (
    Embedding,
    EngineError,
    Face,
    downscale_to_width,
    validate_image,
)

log = logging.getLogger(__name__)

CHIP_SIZE = 150  # the ResNet's input size
CHIP_PADDING = 0.25  # dlib's default context around the 5-point alignment

# Cosine similarity at which two vectors are called the same person: the FAR 1e-3
# point of `facekiosk bench accuracy` on ../shared/faces (294 photos, 51 people,
# 712 genuine / 42359 impostor pairs): threshold 0.9222 (0.9207 with dlib's own
# runtime), TAR 95.8%, EER 0.7%. dlib's raw vectors are not unit length (norm
# ~1.4) and sit in a narrow cone, so after normalisation genuine pairs average
# 0.952 and impostors 0.826: the "Euclidean 0.6 = cosine 0.82" rule of thumb,
# which assumes unit vectors, would accept 57% of all impostor pairs.
DEFAULT_THRESHOLD = 0.92
# The same run's operating points (threshold, TAR) at FAR 1e-2 / 1e-3 / 1e-4: the
# engine's built-in reference, shown in the admin settings editor until a site's own
# `facekiosk bench accuracy --save` result exists (DEFAULT_THRESHOLD is the 1e-3 point).
REFERENCE_FAR = {
    "1e-2": {"threshold": 0.905, "tar": 0.997},
    "1e-3": {"threshold": 0.922, "tar": 0.958},
    "1e-4": {"threshold": 0.935, "tar": 0.865},
}

# Live video: HOG on the 640x480 frame downscaled to 480 px finds 100% of faces
# >= 90 px wide (interocular ~40 px, the quality gate's TOO_FAR edge); at 320 px
# only 2% of 90 px and 63% of 110 px faces are found (bench: detect_width_recall
# on ../shared/faces placed in kiosk frames; docs/notes/engine.md).
DEFAULT_DETECT_WIDTH = 480

# Still photos: HOG at full resolution up to this width (a 12 MP photo would take
# seconds), and upsampled once below PHOTO_UPSAMPLE_BELOW px (HOG's smallest face
# is 80 px; one upsampling finds faces of ~40 px, as on ../shared/faces).
PHOTO_MAX_WIDTH = 1600
PHOTO_UPSAMPLE_BELOW = 1000

# HOG scores below this are "weak": on the test images false positives score
# 0.02-0.4 while kiosk-sized faces score > 1 (small photo faces can be ~0).
WEAK_SCORE = 0.5

DescriptorChoice = Literal["auto", "onnx", "dlib"]


class Descriptor(Protocol):
    def compute(self, chips: np.ndarray) -> np.ndarray:
        """(N, 150, 150, 3) uint8 RGB chips -> (N, 128) float32 raw descriptors."""
        ...


class DlibResnetDescriptor:
    """dlib's own runtime for the ResNet (holds the GIL while it runs)."""

    def __init__(self, model_path: Path) -> None:
        self._model = dlib.face_recognition_model_v1(str(model_path))

    def compute(self, chips: np.ndarray) -> np.ndarray:
        if len(chips) == 0:
            return np.zeros((0, 128), dtype=np.float32)
        batch = [np.ascontiguousarray(chip) for chip in chips]
        vectors = self._model.compute_face_descriptor(batch)
        return np.asarray([np.asarray(v) for v in vectors], dtype=np.float32)


def _load_onnx_descriptor(data_dir: Path | None, threads: int | None = None) -> Descriptor | None:
    """The ONNX port when it can be built/loaded here, else None (reason logged)."""
    try:
        from facekiosk.engine.dlib_onnx import load_descriptor
    except ImportError as exc:
        log.warning("ONNX descriptor unavailable (%s)", exc)
        return None
    try:
        return load_descriptor(data_dir, threads=threads)
    except Exception as exc:  # a broken cache or converter must not stop the kiosk
        log.warning("ONNX descriptor failed to load: %s", exc)
        return None


class DlibEngine(FaceEngine):
    name = "dlib"
    model_id = "dlib_resnet_v1"
    dim = 128
    default_threshold = DEFAULT_THRESHOLD
    reference_far = REFERENCE_FAR

    def __init__(
        self,
        detect_width: int = DEFAULT_DETECT_WIDTH,
        descriptor: DescriptorChoice | str = "auto",
        data_dir: Path | None = None,
        *,
        upsample: int = 0,
        photos: bool = False,
        descriptor_threads: int | None = None,
    ) -> None:
        """`descriptor_threads`: onnxruntime threads of the ONNX ResNet (None: one per
        core; the bundled engine runs it single-threaded beside SFace)."""
        if descriptor not in ("auto", "onnx", "dlib"):
            raise EngineError(f"unknown descriptor runtime {descriptor!r}: use auto, onnx or dlib")
        if detect_width < 0 or upsample < 0:
            raise EngineError("detect_width and upsample must be >= 0")
        self.detect_width = detect_width  # 0 = full resolution
        self.upsample = upsample
        self.photos = photos  # still-photo detection (overrides detect_width/upsample)
        self._descriptor_choice = descriptor
        self._data_dir = data_dir
        self._descriptor_threads = descriptor_threads
        files = locate_models()
        self._files = files
        self._detector = dlib.get_frontal_face_detector()
        self._sp68 = dlib.shape_predictor(str(files.sixty_eight_point))
        self._sp5 = dlib.shape_predictor(str(files.five_point))
        self._descriptor: Descriptor | None = None
        self._backend: str | None = None
        # Milliseconds of the last detect()/embed() per stage, for `bench pipeline`.
        self.last_timings: dict[str, float] = {}

    # -- descriptor runtime -------------------------------------------------

    def _ensure_descriptor(self) -> Descriptor:
        if self._descriptor is not None:
            return self._descriptor
        choice = self._descriptor_choice
        if choice in ("auto", "onnx"):
            onnx = _load_onnx_descriptor(self._data_dir, self._descriptor_threads)
            if onnx is not None:
                self._descriptor, self._backend = onnx, "onnx"
                return onnx
            if choice == "onnx":
                raise EngineError(
                    "descriptor='onnx' but the ONNX ResNet could not be loaded "
                    "(see the log; try `facekiosk models build-bundled`)"
                )
            log.warning("falling back to dlib's own ResNet runtime (slower)")
        self._descriptor = DlibResnetDescriptor(self._files.resnet)
        self._backend = "dlib"
        return self._descriptor

    @property
    def descriptor_backend(self) -> str:
        """Which runtime computes the vectors, "onnx" or "dlib" (loads it if needed)."""
        self._ensure_descriptor()
        assert self._backend is not None
        return self._backend

    # -- detection ----------------------------------------------------------

    def detect(
        self,
        image: np.ndarray,
        *,
        max_faces: int | None = None,
        upsample: int | None = None,
        detect_width: int | None = None,
    ) -> list[Face]:
        image = validate_image(image)
        t0 = time.perf_counter()
        width, up = self._detect_params(image.shape[1], detect_width, upsample)
        rects = self._find_faces(image, width, up)
        if max_faces is not None:
            rects = rects[:max_faces]
        t1 = time.perf_counter()
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if rects else None
        shapes = [self._sp68(gray, rect) for rect, _ in rects]
        t2 = time.perf_counter()
        faces = []
        for (rect, score), shape in zip(rects, shapes, strict=True):
            landmarks = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)
            box = (rect.left(), rect.top(), rect.right(), rect.bottom())
            faces.append(
                Face(
                    bbox=tuple(float(v) for v in box),  # type: ignore[arg-type]
                    score=score,
                    kps=five_keypoints(landmarks),
                    landmarks=landmarks,
                    pose=estimate_pose(landmarks, image.shape),
                    eye_openness=eye_aspect_ratio(landmarks),
                    extras={"dlib_rect": box},
                )
            )
        t3 = time.perf_counter()
        self.last_timings = {
            "detect": (t1 - t0) * 1e3,
            "landmarks": (t2 - t1) * 1e3,
            "pose": (t3 - t2) * 1e3,
        }
        return faces

    def _detect_params(
        self, image_width: int, detect_width: int | None, upsample: int | None
    ) -> tuple[int, int]:
        """(detect width, upsample) for this call: explicit arguments win, then
        photo mode, then the live settings."""
        if self.photos:
            width = min(image_width, PHOTO_MAX_WIDTH)
            default_width, default_up = width, int(width < PHOTO_UPSAMPLE_BELOW)
        else:
            default_width, default_up = self.detect_width, self.upsample
        return (
            default_width if detect_width is None else detect_width,
            default_up if upsample is None else upsample,
        )

    def _find_faces(
        self, image: np.ndarray, detect_width: int, upsample: int
    ) -> list[tuple[dlib.rectangle, float]]:
        """HOG boxes in full-resolution pixels with their scores, confident ones first.

        HOG sees colour (the strongest gradient over R, G, B): on ../shared/faces
        a grey input misses a face that colour finds, for ~1.5x the cost."""
        small, scale = downscale_to_width(image, detect_width)
        small = cv2.cvtColor(small, cv2.COLOR_BGR2RGB)
        boxes, scores, _ = self._detector.run(small, upsample, 0.0)
        found = []
        for box, score in zip(boxes, scores, strict=True):
            rect = dlib.rectangle(
                round(box.left() / scale),
                round(box.top() / scale),
                round(box.right() / scale),
                round(box.bottom() / scale),
            )
            found.append((rect, float(score)))
        # Largest first, but weak detections after confident ones: HOG's false
        # positives (clothing, hands) score low and can be larger than the face.
        found.sort(key=lambda item: (item[1] >= WEAK_SCORE, item[0].area()), reverse=True)
        return found

    def landmarks68(self, gray: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
        """(68, 2) float32 landmarks of one face box (left, top, right, bottom) on a grey frame."""
        shape = self._sp68(gray, dlib.rectangle(*(int(v) for v in box)))
        return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)

    # -- embedding ----------------------------------------------------------

    def chips(self, image: np.ndarray, faces: list[Face]) -> np.ndarray:
        """(N, 150, 150, 3) uint8 RGB chips aligned exactly like dlib does."""
        image = validate_image(image)
        return self.chips_rgb(cv2.cvtColor(image, cv2.COLOR_BGR2RGB), faces)

    def chips_rgb(self, rgb: np.ndarray, faces: list[Face]) -> np.ndarray:
        """`chips` of an RGB frame already converted (one conversion for many calls)."""
        shapes = dlib.full_object_detections()
        for face in faces:
            shapes.append(self._sp5(rgb, _rect_of(face)))
        if len(shapes) == 0:
            return np.zeros((0, CHIP_SIZE, CHIP_SIZE, 3), dtype=np.uint8)
        chips = dlib.get_face_chips(rgb, shapes, size=CHIP_SIZE, padding=CHIP_PADDING)
        return np.stack(chips).astype(np.uint8, copy=False)

    def embed(self, image: np.ndarray, faces: list[Face]) -> list[Embedding]:
        descriptor = self._ensure_descriptor()
        t0 = time.perf_counter()
        chips = self.chips(image, faces)
        raw = descriptor.compute(chips) if len(chips) else np.zeros((0, self.dim), np.float32)
        embeddings = []
        for face, vector in zip(faces, raw, strict=True):
            embedding = Embedding(vector, engine=self.name, model=self.model_id)
            face.embedding = embedding
            embeddings.append(embedding)
        self.last_timings["embed"] = (time.perf_counter() - t0) * 1e3
        return embeddings


def _rect_of(face: Face) -> dlib.rectangle:
    box: Any = face.extras.get("dlib_rect")
    if box is None:  # a face from another detector: use its box
        box = tuple(round(v) for v in face.bbox)
    left, top, right, bottom = (int(v) for v in box)
    return dlib.rectangle(left, top, right, bottom)
