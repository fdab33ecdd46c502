"""Turning a person's embeddings into one template (the match decision is the kiosk's:
`facekiosk.kiosk.match_policy`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from facekiosk.engine.types import Embedding


def make_template(embeddings: Sequence[Embedding]) -> tuple[str, np.ndarray]:
    """Several images of one person -> one unit vector (mean of unit vectors, re-normalised)."""
    if not embeddings:
        raise ValueError("enroll needs at least one embedding")
    first = embeddings[0]
    for other in embeddings[1:]:
        first.check_compatible(other)
    mean = np.mean(np.stack([e.vector for e in embeddings]).astype(np.float64), axis=0)
    norm = float(np.linalg.norm(mean))
    if norm < 1e-6:
        raise ValueError("the embeddings cancel out: they cannot be one person")
    return first.space, (mean / norm).astype(np.float32)
