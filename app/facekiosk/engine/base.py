"""The engine interface every recognition engine implements."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from facekiosk.engine.types import (
    AntiSpoofScorer,
    Embedding,
    EngineError,
    Face,
    FrameRequest,
    box_iou,
    validate_image,
)

TRACK_MIN_IOU = 0.3  # the tracked person is the face overlapping their last box at least this much
DEFAULT_PROVIDERS = ["CPUExecutionProvider"]

# What `analyze(image)` without a request returns: every face with everything (the
# behaviour older callers were written against).
FULL_REQUEST = FrameRequest(embed="all")


class FaceEngine(ABC):
    """Turns a BGR frame into faces (with landmarks, pose, eye openness) and embeddings.

    Implementations must be safe to call from one worker thread at a time and
    must stay free of Qt (the engine runs headless too). They implement `detect`
    and `embed`; `analyze` (the one call the kiosk makes per frame) is built here.
    """

    name: str  # registry name, e.g. "dlib" or "insight"
    model_id: str  # e.g. "dlib_resnet_v1" or "buffalo_l/w600k_r50"
    dim: int
    default_threshold: float  # cosine similarity at FAR 1e-3 on the benchmark set
    # The presentation-attack model, loaded on the first request that asks for it;
    # assign a scorer to use another one (tests, a site model).
    antispoof: AntiSpoofScorer | None = None

    @abstractmethod
    def detect(self, image: np.ndarray, *, max_faces: int | None = None) -> list[Face]:
        """Faces sorted largest first, with bbox, score, kps, landmarks, pose, eye openness."""

    @abstractmethod
    def embed(self, image: np.ndarray, faces: list[Face]) -> list[Embedding]:
        """One embedding per face (also stored on `face.embedding`), batched when possible."""

    def detect_for(self, image: np.ndarray, request: FrameRequest) -> list[Face]:
        """Detection as `request` asks. Engines that can skip dense landmarks when
        `request.landmarks` is False override this; the default always computes them
        (dlib derives its 5 points from the 68, so it cannot skip them)."""
        return self.detect(image, max_faces=request.max_faces)

    def analyze(
        self,
        image: np.ndarray,
        request: FrameRequest | None = None,
        *,
        embed: bool | None = None,
        max_faces: int | None = None,
    ) -> list[Face]:
        """Everything one frame needs, in one call: detect, then embed and score the faces
        `request` asks for. Without a request every face is embedded (`FULL_REQUEST`);
        the keywords `embed`/`max_faces` are the older spelling of a request."""
        request = resolve_request(request, embed=embed, max_faces=max_faces)
        image = validate_image(image)
        faces = self.detect_for(image, request)
        if not faces:
            return faces
        primary = primary_face(faces, request.track_box)
        if request.embed == "all":
            self.embed(image, faces)
        elif request.embed == "primary":
            self.embed(image, [primary])
        if request.antispoof:
            primary.extras["antispoof"] = self.antispoof_scorer().score(image, primary)
        return faces

    def antispoof_scorer(self) -> AntiSpoofScorer:
        """The presentation-attack model, loaded once on first need (most frames never ask)."""
        if self.antispoof is None:
            try:
                from facekiosk.engine.liveness.antispoof import load_antispoof
            except ImportError as exc:
                raise EngineError(f"the anti-spoofing model is not installed ({exc})") from exc
            providers = list(getattr(self, "providers", None) or DEFAULT_PROVIDERS)
            self.antispoof = load_antispoof(providers)
        return self.antispoof

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release sessions/models."""


def resolve_request(
    request: FrameRequest | None, *, embed: bool | None = None, max_faces: int | None = None
) -> FrameRequest:
    """The request an `analyze` call means, from a FrameRequest or the older keywords."""
    if request is not None:
        if not isinstance(request, FrameRequest):
            raise TypeError(f"analyze() takes a FrameRequest, got {type(request).__name__}")
        if embed is not None or max_faces is not None:
            raise TypeError("analyze(): pass a FrameRequest or embed=/max_faces=, not both")
        return request
    if embed is None and max_faces is None:
        return FULL_REQUEST
    return FrameRequest(embed="none" if embed is False else "all", max_faces=max_faces)


def primary_face(faces: list[Face], track_box: tuple[float, float, float, float] | None) -> Face:
    """The face the session works with: the one that best overlaps the tracked box
    (IoU >= TRACK_MIN_IOU), else the largest (the quality gate's choice)."""
    from facekiosk.engine.quality import largest_face

    if track_box is not None:
        best = max(faces, key=lambda f: box_iou(track_box, f.bbox))
        if box_iou(track_box, best.bbox) >= TRACK_MIN_IOU:
            return best
    return largest_face(faces)
