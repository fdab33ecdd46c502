"""SFace (opencv_zoo, Apache-2.0) 128-d face recogniser on onnxruntime.

Input: RGB float 0..255, 112x112, aligned by the standard ArcFace 5-point similarity
transform (what OpenCV's `FaceRecognizerSF.alignCrop` does); fed BGR its vectors drift
(median cosine 0.93 to the RGB ones, ../shared/models/README.md). The graph normalises
pixels itself. The runtime uses the float graph built by `sface_build` (22-32 ms per
face for the quantised file); the graph takes any batch size, run one face at a time
(a batch was no faster per face here, RUN_BATCH).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort
from skimage.transform import SimilarityTransform

from facekiosk.engine.types import EngineError
from facekiosk.engine.yunet import session_options

CROP = 112
DIM = 128
# Faces per onnxruntime run. The graph takes any batch, but on the 2-core machine a
# batch of six was no faster per face than six runs (same process, alternating: 18.1
# against 17.1 ms per face with the NCHWc PRelu form; 428 against 292 ms for six with
# the earlier form), and single-face runs balance over the cores (engine.run_pool).
RUN_BATCH = 1
# ArcFace's reference 5 points in a 112x112 crop, image-left first (Face.kps order).
ARCFACE_5 = np.array(
    [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ],
    dtype=np.float64,
)


def align_faces(image: np.ndarray, kps: Sequence[np.ndarray]) -> np.ndarray:
    """(N, 112, 112, 3) RGB uint8 crops of a BGR image, one per (5, 2) landmark set."""
    crops = np.zeros((len(kps), CROP, CROP, 3), dtype=np.uint8)
    for i, points in enumerate(kps):
        # Least-squares similarity (Umeyama), as insightface and OpenCV's alignCrop.
        transform = SimilarityTransform.from_estimate(
            np.asarray(points, dtype=np.float64), ARCFACE_5
        )
        if not transform:
            raise EngineError("face landmarks are degenerate: cannot align the face")
        matrix = transform.params[:2].astype(np.float64)
        crop = cv2.warpAffine(image, matrix, (CROP, CROP), borderValue=0.0)
        crops[i] = crop[:, :, ::-1]
    return crops


def _blob(faces: np.ndarray) -> np.ndarray:
    faces = np.asarray(faces)
    if faces.ndim != 4 or faces.shape[1:] != (CROP, CROP, 3) or faces.dtype != np.uint8:
        raise ValueError(f"faces must be uint8 [N, 112, 112, 3], got {faces.dtype} {faces.shape}")
    return np.ascontiguousarray(faces.transpose(0, 3, 1, 2), dtype=np.float32)


def run_graph_bytes(graph: bytes, faces: np.ndarray) -> np.ndarray:
    """Raw vectors of an in-memory SFace graph (the build step's equivalence check)."""
    session = ort.InferenceSession(graph, session_options(None), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    rows = [session.run(None, {name: _blob(faces[i : i + 1])})[0] for i in range(len(faces))]
    return np.concatenate(rows)


class SFaceRecognizer:
    """Raw (not unit-length) 128-d SFace vectors for aligned RGB crops (RUN_BATCH per run)."""

    model_id = "sface_2021dec"
    dim = DIM

    def __init__(self, model_path: Path, *, threads: int | None = None) -> None:
        self.path = Path(model_path)
        try:
            self._session = ort.InferenceSession(
                str(self.path), session_options(threads), providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own, unexported types
            raise EngineError(f"cannot load SFace graph {self.path.name}: {exc}") from exc
        self._input = self._session.get_inputs()[0].name

    def prepare(self, faces: np.ndarray) -> np.ndarray:
        """The graph's input for (N, 112, 112, 3) uint8 RGB crops: float32 NCHW."""
        return _blob(faces)

    def run(self, blob: np.ndarray) -> np.ndarray:
        """(N, 128) float32 raw vectors of a prepared batch, in one onnxruntime run."""
        out = self._session.run(None, {self._input: blob})[0]
        return np.asarray(out, dtype=np.float32).reshape(len(blob), DIM)

    def compute(self, faces: np.ndarray) -> np.ndarray:
        if len(faces) == 0:
            return np.zeros((0, DIM), dtype=np.float32)
        blob = self.prepare(faces)
        rows = [self.run(blob[i : i + RUN_BATCH]) for i in range(0, len(blob), RUN_BATCH)]
        return np.concatenate(rows)


def load_sface(data_dir: Path | None, *, threads: int | None = None) -> SFaceRecognizer:
    """The float SFace graph, built on first use; EngineError (with what to do) if not possible."""
    from facekiosk.engine.model_cache import load_or_rebuild
    from facekiosk.engine.sface_build import SFaceBuildError, build_sface

    try:
        return load_or_rebuild(
            lambda force: build_sface(data_dir, force=force).path,
            lambda path: SFaceRecognizer(path, threads=threads),
        )
    except SFaceBuildError as exc:
        raise EngineError(f"{exc} (run `facekiosk models build-bundled --force`)") from exc
