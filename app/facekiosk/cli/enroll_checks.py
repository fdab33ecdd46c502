"""Do the photos given to `facekiosk enroll` show one person? Measured pair by pair.

Comparing each photo with the mean of all photos (itself included) cannot catch a
mix-up: two photos with cosine c are each sqrt((1 + c) / 2) from their mean, so with
dlib (threshold 0.92) two different people at c = 0.85 (t1.jpg's faces: 0.81-0.90)
sit at 0.96 from the mean and pass. Every pair must match as the kiosk would match a
face: at the engine's calibrated threshold (kiosk.match_policy.resolve_threshold).
Measured with dlib on ../shared/faces (275 single-face photos, 51 people): a two-photo
enrolment of two different people passed the mean check in 5099 of 5100 pairs and passes
this check in 7 (0.14%); it also refuses 17 of 622 same-person pairs (2.7%, e.g.
Bill_Frist 1.jpg + 2.jpg at 0.918), pairs the kiosk would not match either: the admin
replaces that photo.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from facekiosk.engine.types import Embedding


@dataclass(frozen=True)
class Disagreement:
    photo: str  # the photo that matches the fewest of the others
    unmatched: list[str]  # the photos it does not match
    best: float  # its highest similarity to any other photo
    threshold: float

    def message(self) -> str:
        others = ", ".join(self.unmatched)
        return (
            f"{self.photo} does not look like the same person as {others} (similarity "
            f"{self.best:.3f}, a match needs {self.threshold:.3f}); the photos must all show "
            "one person, clearly enough to match each other: enrol each person separately, "
            "or replace this photo"
        )


def pairwise(embeddings: Sequence[Embedding]) -> np.ndarray:
    """n x n cosine similarities."""
    return np.array([[a.similarity(b) for b in embeddings] for a in embeddings])


def disagreeing_photo(
    names: Sequence[str], embeddings: Sequence[Embedding], threshold: float
) -> Disagreement | None:
    """None when every pair of photos matches at `threshold`; else the odd one out."""
    n = len(embeddings)
    if n < 2:
        return None
    sims = pairwise(embeddings)
    fails = [[j for j in range(n) if j != i and sims[i, j] < threshold] for i in range(n)]
    if not any(fails):
        return None
    # The photo failing the most pairs; ties (always with two photos) go to the one
    # least like the others on average, so the message names a single photo.
    mean_sim = [(sims[i].sum() - sims[i, i]) / (n - 1) for i in range(n)]
    worst = max(range(n), key=lambda i: (len(fails[i]), -mean_sim[i]))
    best = max(float(sims[worst, j]) for j in range(n) if j != worst)
    return Disagreement(names[worst], [names[j] for j in fails[worst]], best, threshold)
