"""insightface's optional 80x80 RGB liveness model, when the site installed it.

The model is loaded by the model-packs code (`facekiosk.engine.packs`); here its
per-frame live probability is smoothed over the track and joins the decision:
the session passes only when the median is at or above `addon_threshold`, and
fails (ADDON_SPOOF) when enough frames put it below.
"""

from __future__ import annotations

import logging
from collections import deque
from pathlib import Path
from typing import Any, Protocol, cast

import numpy as np

from facekiosk.engine.types import Face
from facekiosk.settings import LivenessSettings

log = logging.getLogger(__name__)

WINDOW = 10  # frames in the median
MIN_LIVE = 3  # frames before a "live" verdict counts
MIN_SPOOF = 5  # frames before a "spoof" verdict counts


class LivenessAddon(Protocol):
    def predict(self, image: np.ndarray, landmarks: np.ndarray) -> dict[str, Any]:
        """{"status": "ok"|"input_rejected", "live_score": float|None, ...}"""
        ...


def load_addon(
    data_dir: Path, settings: LivenessSettings, providers: list[str] | None = None
) -> LivenessAddon | None:
    """The installed addon, or None when absent (or the packs code is not in this build)."""
    try:
        from facekiosk.engine.packs import load_liveness_addon
    except ImportError:
        return None
    providers = providers or ["CPUExecutionProvider"]
    addon = load_liveness_addon(data_dir, providers, settings.addon_threshold)
    if addon is None:
        log.info("liveness addon not installed: passive checks and challenge only")
        return None
    return cast(LivenessAddon, addon)  # the packs loader is typed loosely


class AddonScorer:
    def __init__(self, model: LivenessAddon, threshold: float) -> None:
        self.model = model
        self.threshold = threshold
        self.reset()

    def reset(self) -> None:
        self.samples: deque[float] = deque(maxlen=WINDOW)
        self.rejected = 0

    def update(self, image: np.ndarray, face: Face) -> None:
        result = self.model.predict(image, face.kps)
        score = result.get("live_score")
        if result.get("status") == "ok" and score is not None:
            self.samples.append(float(score))
        else:
            self.rejected += 1  # face too close to the edge for the model's crop

    @property
    def median(self) -> float | None:
        return float(np.median(self.samples)) if self.samples else None

    @property
    def live(self) -> bool:
        return len(self.samples) >= MIN_LIVE and (self.median or 0.0) >= self.threshold

    @property
    def spoof(self) -> bool:
        return len(self.samples) >= MIN_SPOOF and (self.median or 0.0) < self.threshold

    def scores(self) -> dict[str, float]:
        median = self.median
        return {"addon_live": median if median is not None else float("nan")}
