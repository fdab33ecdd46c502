"""One engine round trip per processed frame: the real engine in its worker process (counted
on the parent side), the real session and vault, the Qt-free frame step, through a whole
enrolment and a whole authentication on real face frames."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pytest

from facekiosk.engine.base import FaceEngine
from facekiosk.engine.types import Embedding, Face, FrameRequest
from facekiosk.kiosk import KioskSession
from facekiosk.kiosk.codes import SCAN_STATES, State
from facekiosk.kiosk.liveness_port import SimpleLivenessState
from facekiosk.pipeline.step import process_frame
from facekiosk.vault import Vault
from tests.ui.helpers import flow_settings, people_source

FRAME_DT = 0.2  # fake seconds per camera frame
MAX_FRAMES = 80


class CountingEngine(FaceEngine):
    """The engine as the kiosk sees it, counting every call that crosses to the child."""

    def __init__(self, inner: FaceEngine) -> None:
        self.inner = inner
        self.name, self.model_id, self.dim = inner.name, inner.model_id, inner.dim
        self.default_threshold = inner.default_threshold
        self.calls: Counter[str] = Counter()

    def analyze(self, image: np.ndarray, request: FrameRequest | None = None, **kw: Any):
        self.calls["analyze"] += 1
        return self.inner.analyze(image, request, **kw)

    def detect(self, image: np.ndarray, *, max_faces: int | None = None) -> list[Face]:
        self.calls["detect"] += 1
        return self.inner.detect(image, max_faces=max_faces)

    def embed(self, image: np.ndarray, faces: list[Face]) -> list[Embedding]:
        self.calls["embed"] += 1
        return self.inner.embed(image, faces)


class PassAfter:
    """Liveness that passes after a few frames (the demo frames are stills, which real
    liveness refuses); it keeps the session in LIVENESS for those frames."""

    def __init__(self, frames: int) -> None:
        self.frames, self.seen = frames, 0

    def update(self, face, n_faces, image, t):
        self.seen += 1
        if self.seen < self.frames:
            return SimpleLivenessState(status="pending", prompt="BLINK", progress=0.5)
        return SimpleLivenessState()


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def rig(data_dir, remote_engine):
    settings = flow_settings()
    settings.liveness.enroll_level = "passive"
    settings.liveness.auth_level = "passive"
    engine = CountingEngine(remote_engine)
    vault = Vault.open(data_dir)
    clock = Clock()
    # enrolment: 3 frames in LIVENESS; authentication: liveness passes on its first frame,
    # before the match streak is complete, so frames are also processed in MATCHING
    liveness_frames = iter([3, 1])
    session = KioskSession(
        engine,
        vault,
        settings,
        clock=clock,
        liveness_factory=lambda level: PassAfter(next(liveness_frames)),
        data_dir=data_dir,
    )
    source = people_source(fps=1000.0)
    source.open()
    yield engine, session, clock, source
    vault.close()


def test_one_analyze_per_frame_through_enrolment_and_authentication(rig):
    engine, session, clock, source = rig
    log: list[tuple[State, Counter[str]]] = []

    def step() -> None:
        before = engine.calls.copy()
        state = session.state
        clock.t += FRAME_DT
        process_frame(engine, session, source.read(), clock.t)
        log.append((state, engine.calls - before))

    def scan() -> None:
        for _ in range(MAX_FRAMES):
            if session.state not in SCAN_STATES:
                return
            step()

    for _ in range(3):
        step()  # attract screen: frames arrive, nothing is analysed
    session.start_enroll()
    step()  # consent page
    session.accept_consent()
    scan()
    view = session.view
    assert view.result is not None and str(view.result.kind) == "ENROLLED", view
    step()  # result page
    clock.t += 600.0
    session.tick(clock.t)
    assert session.state == State.IDLE
    session.start_auth()
    scan()
    view = session.view
    assert view.result is not None and view.error is None, view
    assert str(view.result.kind) == "CHECK_IN"

    scanned = [(s, c) for s, c in log if s in SCAN_STATES]
    idle = [(s, c) for s, c in log if s not in SCAN_STATES]
    assert {s for s, _ in scanned} == set(SCAN_STATES)  # capture, liveness, template, matching
    assert {s for s, _ in idle} == {State.IDLE, State.CONSENT, State.RESULT}
    assert all(c == Counter(analyze=1) for _, c in scanned), scanned
    assert all(not c for _, c in idle), idle
    assert engine.calls["embed"] == engine.calls["detect"] == 0
    assert engine.calls["analyze"] == len(scanned)
