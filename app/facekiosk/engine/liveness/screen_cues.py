"""Screen and print cues (placeholder until measured)."""

from __future__ import annotations

import numpy as np

from facekiosk.engine.types import Face


class CueAccumulator:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.spoof = False

    def update(self, image: np.ndarray, face: Face) -> None:
        return None

    def scores(self) -> dict[str, float]:
        return {}
