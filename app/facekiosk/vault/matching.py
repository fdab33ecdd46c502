"""Turning embeddings into a template and search results into a decision."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from facekiosk.engine.types import Embedding
from facekiosk.vault.records import Decision, Match


def decide(matches: Sequence[Match], threshold: float, margin: float = 0.0) -> Decision:
    """Match only when the best is above `threshold` and beats the runner-up by `margin`."""
    best = matches[0] if matches else None
    runner = matches[1] if len(matches) > 1 else None
    if best is None:
        return Decision("no_match", None, None, "empty")
    if best.similarity < threshold:
        return Decision("no_match", best, runner, "below_threshold")
    if runner is not None and best.similarity - runner.similarity < margin:
        return Decision("no_match", best, runner, "ambiguous")
    return Decision("match", best, runner, "ok")


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
