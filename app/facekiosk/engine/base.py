"""The engine interface every recognition engine implements."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from facekiosk.engine.types import Embedding, Face, validate_image


class FaceEngine(ABC):
    """Turns a BGR frame into faces (with landmarks, pose, eye openness) and embeddings.

    Implementations must be safe to call from one worker thread at a time and
    must stay free of Qt (the engine runs headless too).
    """

    name: str  # registry name, e.g. "dlib" or "insight"
    model_id: str  # e.g. "dlib_resnet_v1" or "buffalo_l/w600k_r50"
    dim: int
    default_threshold: float  # cosine similarity at FAR 1e-3 on the benchmark set

    @abstractmethod
    def detect(self, image: np.ndarray, *, max_faces: int | None = None) -> list[Face]:
        """Faces sorted largest first, with bbox, score, kps, landmarks, pose, eye openness."""

    @abstractmethod
    def embed(self, image: np.ndarray, faces: list[Face]) -> list[Embedding]:
        """One embedding per face (also stored on `face.embedding`), batched when possible."""

    def analyze(
        self, image: np.ndarray, *, embed: bool = True, max_faces: int | None = None
    ) -> list[Face]:
        image = validate_image(image)
        faces = self.detect(image, max_faces=max_faces)
        if embed and faces:
            self.embed(image, faces)
        return faces

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release sessions/models."""
