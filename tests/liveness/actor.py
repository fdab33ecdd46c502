"""A scripted person for session tests: answers prompts with synthetic head moves."""

from __future__ import annotations

import numpy as np

from facekiosk.engine.liveness import Action, LivenessSession, LivenessState
from tests.liveness import synth

FPS = 15.0
LIVE_SCORE = 0.97  # a typical MiniFASNet real-probability for a live face
TARGET = {  # (yaw, pitch) at the peak of each action
    Action.TURN_LEFT: (25.0, 0.0),
    Action.TURN_RIGHT: (-25.0, 0.0),
    Action.LOOK_UP: (0.0, 18.0),
    Action.LOOK_DOWN: (0.0, -18.0),
}


class Actor:
    """Feeds rendered frames; `obey` answers prompts (after a human reaction delay),
    `script` plays a fixed list of actions regardless of prompts (a replay)."""

    def __init__(
        self, session: LivenessSession, seed: int = 0, embedding=None, antispoof=LIVE_SCORE
    ) -> None:
        """`antispoof`: the engine's model score on every frame (the synthetic drawing is
        not a camera image, so the real model is not asked; see test_model_layer.py)."""
        self.session = session
        self.rng = np.random.default_rng(seed)
        self.t = 0.0
        self.embedding = embedding
        self.shift = 0.0
        self.state: LivenessState | None = None
        self.antispoof = antispoof
        self.observing = False  # True: frames go to session.observe (before the check)

    def frame(self, yaw: float = 0.0, pitch: float = 0.0, eyes: float = 1.0, **kw) -> LivenessState:
        true_pts = synth.head_points(yaw, pitch, eyes) + np.array([self.shift, 0.0])
        # The picture shows the true face; the "detector" reports it with fit noise.
        pts = synth.noisy(true_pts, self.rng)
        face = synth.face(
            pts,
            yaw,
            pitch,
            embedding=kw.get("embedding", self.embedding),
            antispoof=kw.get("antispoof", self.antispoof),
        )
        n_faces = kw.get("n_faces", 1)
        image = synth.render(true_pts)
        shown = None if kw.get("no_face") else face
        if self.observing:
            self.session.observe(shown, n_faces, image, self.t)
            self.state = LivenessState("pending")
        else:
            self.state = self.session.update(shown, n_faces, image, self.t)
        self.t += 1.0 / FPS
        return self.state

    def hold(self, seconds: float, **kw) -> LivenessState:
        state = self.frame(**kw)
        for _ in range(max(0, round(seconds * FPS) - 1)):
            if state.status != "pending":
                break
            state = self.frame(**kw)
        return state

    def act(self, action: Action) -> LivenessState:
        """One action over ~1.2 s: out, hold, back to neutral."""
        if action is Action.BLINK:
            self.hold(0.2)
            for eyes in (0.5, 0.1, 0.1, 0.6):
                self.frame(eyes=eyes)
            return self.hold(0.4)
        yaw, pitch = TARGET[action]
        for k in (0.3, 0.6, 1.0, 1.0, 1.0, 1.0, 0.6, 0.3):
            state = self.frame(yaw * k, pitch * k)
        return self.hold(0.3) if state.status == "pending" else state

    def obey(self, max_seconds: float = 30.0) -> LivenessState:
        """Do whatever is prompted, as soon as it is prompted (after 0.2 s), until decided."""
        state = self.frame()
        while state.status == "pending" and self.t < max_seconds:
            if state.prompt is not None:
                self.hold(0.2)
                state = self.act(Action(state.prompt))
            else:
                state = self.frame()
        return state

    def script(self, actions: list[Action], gap_s: float = 1.0) -> LivenessState:
        state = self.hold(gap_s)
        for action in actions:
            if state.status != "pending":
                break
            state = self.act(action)
            state = self.hold(gap_s) if state.status == "pending" else state
        return state
