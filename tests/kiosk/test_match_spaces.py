"""match_policy.decide_spaces and space_search.probes: one threshold per model space, the
margin within a space, two spaces naming two people is ambiguous."""

from __future__ import annotations

import numpy as np
import pytest

from facekiosk.engine.types import Embedding, Face
from facekiosk.kiosk.match_policy import (
    LEGACY_THRESHOLDS,
    SpaceResult,
    confident_threshold,
    decide_spaces,
)
from facekiosk.kiosk.space_search import probes, upgrade_counts
from facekiosk.settings import Settings
from facekiosk.vault.records import Match

FUSED, DLIB = "bundled/fused", "dlib/dlib_resnet_v1"


def _r(space: str, threshold: float, *sims: tuple[str, float]) -> SpaceResult:
    return SpaceResult(space, [Match(i, s) for i, s in sims], threshold)


def test_each_space_is_decided_with_its_own_threshold():
    # 0.80 is a fused match (threshold 0.74); 0.91 is below dlib's 0.92
    d = decide_spaces([_r(FUSED, 0.74, ("a", 0.80)), _r(DLIB, 0.92, ("b", 0.91))], 0.02)
    assert (d.outcome, d.best.index_id, d.space) == ("match", "a", FUSED)
    d = decide_spaces([_r(FUSED, 0.74, ("a", 0.70)), _r(DLIB, 0.92, ("b", 0.95))], 0.02)
    assert (d.outcome, d.best.index_id, d.space) == ("match", "b", DLIB)
    d = decide_spaces([_r(FUSED, 0.74, ("a", 0.70)), _r(DLIB, 0.92, ("b", 0.91))], 0.02)
    assert (d.outcome, d.reason) == ("no_match", "below_threshold")
    assert decide_spaces([_r(FUSED, 0.74)], 0.02).reason == "empty"
    assert decide_spaces([], 0.02).reason == "empty"


def test_two_people_in_two_spaces_or_a_close_runner_up_is_ambiguous():
    d = decide_spaces([_r(FUSED, 0.74, ("a", 0.80)), _r(DLIB, 0.92, ("b", 0.95))], 0.02)
    assert (d.outcome, d.reason) == ("no_match", "ambiguous")
    close = _r(DLIB, 0.92, ("b", 0.95), ("c", 0.94))
    d = decide_spaces([_r(FUSED, 0.74, ("a", 0.60)), close], 0.02)
    assert (d.outcome, d.reason, d.space) == ("no_match", "ambiguous", DLIB)


def _vec(seed: int, dim: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=dim).astype(np.float32)


def test_probes_search_the_spaces_the_vault_holds():
    face = Face(bbox=(0, 0, 10, 10), score=1.0, kps=np.zeros((5, 2), np.float32))
    face.embedding = Embedding(_vec(1, 256), "bundled", "fused")
    face.extras["dlib_embedding"] = Embedding(_vec(2, 128), "dlib", "dlib_resnet_v1")
    face.extras["sface_embedding"] = Embedding(_vec(3, 128), "sface", "sface_2021dec")

    def spaces(held: dict[str, int]) -> list[tuple[str, float]]:
        return [(p.embedding.space, p.threshold) for p in probes(face, held, 0.74)]

    assert spaces({FUSED: 3}) == [(FUSED, 0.74)]  # upgraded vault: one search, as before
    assert spaces({DLIB: 3}) == [(DLIB, 0.92)]
    assert spaces({FUSED: 1, DLIB: 2}) == [(FUSED, 0.74), (DLIB, 0.92)]
    assert spaces({}) == [(FUSED, 0.74)]  # empty vault
    # A vault of another engine entirely: the primary search lets the vault say so.
    assert spaces({"insight/buffalo_l/w600k_r50": 3}) == [(FUSED, 0.74)]
    assert upgrade_counts({FUSED: 1, DLIB: 2}, FUSED) == {DLIB: 2}


def test_legacy_threshold_is_the_dlib_engines_default_and_its_pin_threshold():
    from facekiosk.engine.dlib_engine import DEFAULT_THRESHOLD, DlibEngine

    assert {f"{DlibEngine.name}/{DlibEngine.model_id}": DEFAULT_THRESHOLD} == LEGACY_THRESHOLDS
    s = Settings()
    delta = s.pin.confident_delta
    assert confident_threshold(s, 0.74) == pytest.approx(0.74 + delta)
    assert confident_threshold(s, 0.74, DLIB) == pytest.approx(0.92 + delta)
