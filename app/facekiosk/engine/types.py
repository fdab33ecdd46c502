"""Plain result types shared by every engine, the vault, the flows and the UI.

Arrays are numpy; images are BGR uint8 HxWx3 (OpenCV's convention) everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np


class EngineError(RuntimeError):
    """An engine could not run (model missing, bad input it cannot handle)."""


class ImageError(ValueError):
    """The input is not a usable image (empty, wrong shape or dtype, corrupt file)."""


class IncompatibleEmbeddingError(ValueError):
    """Two vectors from different engines/models were about to be compared."""


@dataclass(frozen=True)
class Pose:
    """Head angles in degrees: yaw > 0 = person turned to their left (camera's right),
    pitch > 0 = looking up, roll > 0 = head tilted clockwise in the image."""

    yaw: float
    pitch: float
    roll: float


@dataclass(frozen=True)
class Embedding:
    """An L2-normalised float32 vector plus the engine and model that made it.

    `similarity` refuses vectors of another model: they live in different spaces.
    """

    vector: np.ndarray
    engine: str
    model: str

    def __post_init__(self) -> None:
        v = np.asarray(self.vector, dtype=np.float32).reshape(-1)
        norm = float(np.linalg.norm(v))
        if not np.isfinite(norm) or norm == 0.0:
            raise ValueError("embedding vector is zero or not finite")
        if abs(norm - 1.0) > 1e-3:
            v = v / norm
        v.setflags(write=False)
        object.__setattr__(self, "vector", v)

    @property
    def dim(self) -> int:
        return int(self.vector.shape[0])

    @property
    def space(self) -> str:
        """Vectors are comparable only within one space."""
        return f"{self.engine}/{self.model}"

    def comparable(self, other: Embedding) -> bool:
        return self.space == other.space and self.dim == other.dim

    def check_compatible(self, other: Embedding) -> None:
        if not self.comparable(other):
            raise IncompatibleEmbeddingError(
                f"cannot compare {self.space} ({self.dim}-d) with {other.space} ({other.dim}-d)"
            )

    def similarity(self, other: Embedding) -> float:
        """Cosine similarity (inner product of unit vectors)."""
        self.check_compatible(other)
        return float(np.dot(self.vector, other.vector))


@dataclass
class Face:
    """One detected face in one frame.

    bbox: (x1, y1, x2, y2) in frame pixels. kps: (5, 2) float32 — left eye,
    right eye, nose tip, left mouth corner, right mouth corner, where "left"
    means image-left (the person's right). landmarks: dense (68 or 106, 2) when
    the engine has them. eye_openness: mean eye aspect ratio (68-point engines).
    """

    bbox: tuple[float, float, float, float]
    score: float
    kps: np.ndarray
    landmarks: np.ndarray | None = None
    pose: Pose | None = None
    eye_openness: float | None = None
    embedding: Embedding | None = None
    quality: dict[str, float] = field(default_factory=dict)
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def width(self) -> float:
        return self.bbox[2] - self.bbox[0]

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]

    @property
    def center(self) -> tuple[float, float]:
        return ((self.bbox[0] + self.bbox[2]) / 2.0, (self.bbox[1] + self.bbox[3]) / 2.0)

    @property
    def interocular(self) -> float:
        return float(np.linalg.norm(self.kps[1] - self.kps[0]))


@dataclass(frozen=True)
class FrameRequest:
    """What one engine call on one frame must produce: the kiosk session says what its
    current step needs, and the pipeline makes exactly one `analyze` call with it.

    landmarks: dense landmarks, pose and eye openness (False: boxes and 5 points only).
    embed: which faces get `face.embedding` ("primary": the face that best overlaps
        `track_box` with IoU >= 0.3, else the largest).
    antispoof: put the presentation-attack model's real-probability of the primary face
        in `face.extras["antispoof"]` (None when the model cannot judge it, e.g. a face
        too close for its context crop).
    """

    landmarks: bool = True
    embed: Literal["none", "primary", "all"] = "none"
    antispoof: bool = False
    max_faces: int | None = None
    track_box: tuple[float, float, float, float] | None = None


class AntiSpoofScorer(Protocol):
    """A presentation-attack model: real-probability in [0, 1] of one face, or None when
    the face cannot be judged (too close to the frame edge for the model's context)."""

    def score(self, image: np.ndarray, face: Face) -> float | None: ...


def box_iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Intersection over union of two (x1, y1, x2, y2) boxes: how the kiosk follows one
    person from frame to frame."""
    x1, y1 = max(a[0], b[0]), max(a[1], b[1])
    x2, y2 = min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def downscale_to_width(image: np.ndarray, width: int) -> tuple[np.ndarray, float]:
    """(image shrunk to `width` px wide, the scale used); unchanged when `width` is 0 or not
    smaller. Detectors run on the small copy and map boxes back with the scale."""
    import cv2

    h, w = image.shape[:2]
    scale = width / w if 0 < width < w else 1.0
    if scale == 1.0:
        return image, 1.0
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA), scale


def validate_image(image: object) -> np.ndarray:
    """Return `image` as a contiguous BGR uint8 HxWx3 array or raise ImageError."""
    if not isinstance(image, np.ndarray):
        raise ImageError(f"expected a numpy image, got {type(image).__name__}")
    if image.size == 0:
        raise ImageError("empty image")
    if image.dtype != np.uint8:
        raise ImageError(f"expected uint8 pixels, got {image.dtype}")
    if image.ndim == 2:
        import cv2

        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.ndim == 3 and image.shape[2] == 4:
        import cv2

        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    elif image.ndim != 3 or image.shape[2] != 3:
        raise ImageError(f"expected an HxWx3 image, got shape {image.shape}")
    return np.ascontiguousarray(image)


# Refused before decoding (issue 17: a 20000x20000 PNG of 425 KB took 10 s and 2.5 GB,
# a header claiming 65535x65535 crashed). 40 MP covers every camera and phone photo; the
# engine detects on a downscaled copy anyway. A decoded 40 MP BGR image is 120 MB.
MAX_IMAGE_PIXELS = 40_000_000
MAX_IMAGE_SIDE = 12_000
MAX_IMAGE_BYTES = 100 * 1024 * 1024


def read_image(path: str) -> np.ndarray:
    """Decode an image file to BGR; a missing, corrupt or oversized file is an ImageError.

    The declared size is read from the header (Pillow opens lazily, nothing is decoded)
    and checked against MAX_IMAGE_PIXELS / MAX_IMAGE_SIDE before cv2 decodes it.
    """
    import os
    import warnings

    import cv2
    from PIL import Image, UnidentifiedImageError

    if os.path.isdir(path):
        raise ImageError(f"{path}: is a directory, not an image file")
    if not os.path.isfile(path):
        raise ImageError(f"{path}: no such file")
    unreadable = f"{path}: not a readable image (corrupt or unsupported format)"
    if os.path.getsize(path) > MAX_IMAGE_BYTES:
        raise ImageError(f"{path}: file larger than {MAX_IMAGE_BYTES // 2**20} MB")
    declared = ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as header:
                width, height = header.size
        if width * height > MAX_IMAGE_PIXELS or max(width, height) > MAX_IMAGE_SIDE:
            declared = f"{width}x{height}"
    except Image.DecompressionBombError:  # Pillow's own guard, at 2x its 89 MP default
        declared = f"over {2 * (Image.MAX_IMAGE_PIXELS or 0) // 1_000_000} megapixels"
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageError(unreadable) from exc
    if declared:
        raise ImageError(
            f"{path}: image too large ({declared} declared); the limit is "
            f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels and {MAX_IMAGE_SIDE} px a side: "
            "scale it down first"
        )
    data = np.fromfile(path, dtype=np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if image is None:
        raise ImageError(unreadable)
    return image
