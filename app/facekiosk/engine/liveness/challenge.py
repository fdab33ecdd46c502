"""The active challenge: a random sequence of 2-3 actions at random moments.

Each step: wait a random pause with the head near its rest pose (so the prompt
time cannot be predicted and every action starts from neutral), show the
prompt, then detect the action within the time limit, measured against the
rest pose of that step. A turn or a nod only counts when the landmarks show
parallax (a sheet turned like a head is a homography; see passive.py).

A clearly different head movement (people confuse left and right, especially in
a mirrored preview) repeats the step once: back to facing the camera, then the
same prompt again with `retry` set so the UI can say "the other way". A second
wrong move fails (WRONG_ACTION): a replayed recording has its own order, but a
wrong move is not by itself evidence of an attack. While the next prompt waits
for the head to face the camera, `guidance` says so (no silent wait).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from facekiosk.engine.liveness.blink import BlinkDetector
from facekiosk.engine.liveness.codes import Action, Guidance, Reason
from facekiosk.engine.liveness.geometry import homography_residual, turn_proxies
from facekiosk.engine.liveness.observation import Observation

ACTIONS = tuple(Action)
PAUSE_S = (0.4, 1.4)  # random wait before each prompt
NEUTRAL_YAW = 10.0  # degrees from the rest pose that still count as "facing the camera"
NEUTRAL_PITCH = 8.0
TURN_PARALLAX = 0.05  # homography residual a real 15-degree head turn exceeds (IOD units)
MIN_HOLD_S = 0.15  # a move must last this long ...
MIN_HOLD_FRAMES = 3  # ... and this many frames: pose solvers flip for a frame or two
# ... or 2 frames this far apart: on a loaded kiosk analysing 2-3 frames a second, 3 frames
# asked a person to hold a turn 1-1.5 s. The flips last 1-2 frames at 10 fps (<= 0.2 s),
# so two frames 0.4 s apart that both show the move are not a flip.
SLOW_HOLD_S = 0.4
# The landmarks themselves must agree with the pose (see geometry.turn_proxies); measured
# on the shared clips: a 15 degree yaw moves the yaw proxy ~0.15, 10 degrees of pitch
# move the pitch proxy ~0.1.
YAW_PROXY_MIN = 0.08
PITCH_PROXY_MIN = 0.05
MAX_WRONG = 1  # wrong moves forgiven per challenge (the step is asked again)
FACE_CAMERA_AFTER_S = 0.8  # head away from the rest pose this long in a pause: say so
REANCHOR_AFTER_S = 3.0  # ... this long: take the current pose as the new rest pose


@dataclass(frozen=True)
class ChallengeLimits:
    action_timeout_s: float = 4.0
    turn_deg: float = 15.0  # yaw change for TURN_LEFT / TURN_RIGHT
    look_deg: float = 10.0  # pitch change for LOOK_UP / LOOK_DOWN
    total_timeout_s: float = 14.0


def random_sequence(rng: random.Random, minimum: int = 2) -> list[Action]:
    """`minimum` or one more distinct actions (at most 5), order random."""
    n = min(len(ACTIONS), max(1, minimum) + rng.randint(0, 1))
    return rng.sample(ACTIONS, n)


def _axis_move(obs: Observation, rest: Observation, limits: ChallengeLimits) -> Action | None:
    """The head movement clearly done relative to `rest`, if any (blinks excluded)."""
    if obs.yaw is None or rest.yaw is None or obs.pitch is None or rest.pitch is None:
        return None
    d_yaw, d_pitch = obs.yaw - rest.yaw, obs.pitch - rest.pitch
    # Pick the dominant axis: pose estimators couple pitch into large yaws and back.
    if abs(d_yaw) / limits.turn_deg >= abs(d_pitch) / limits.look_deg:
        if d_yaw >= limits.turn_deg:
            return Action.TURN_LEFT
        if d_yaw <= -limits.turn_deg:
            return Action.TURN_RIGHT
    else:
        if d_pitch >= limits.look_deg:
            return Action.LOOK_UP
        if d_pitch <= -limits.look_deg:
            return Action.LOOK_DOWN
    return None


class MoveDetector:
    """Head moves relative to a rest pose that the landmarks confirm and that last
    MIN_HOLD_FRAMES frames and MIN_HOLD_S (one- or two-frame pose flips of the PnP
    solver, seen on fast shakes and on photos, do not count)."""

    def __init__(self, limits: ChallengeLimits) -> None:
        self.limits = limits
        self.candidate: tuple[Action, float, int] | None = None  # move, since, frames

    def update(self, obs: Observation, rest: Observation) -> Action | None:
        move = _axis_move(obs, rest, self.limits)
        if move is not None and not _landmarks_agree(move, obs, rest):
            move = None
        if move is None:
            self.candidate = None
            return None
        if self.candidate is None or self.candidate[0] is not move:
            self.candidate = (move, obs.t, 1)
        else:
            self.candidate = (move, self.candidate[1], self.candidate[2] + 1)
        _, since, frames = self.candidate
        span = obs.t - since + 1e-6
        held = (frames >= MIN_HOLD_FRAMES and span >= MIN_HOLD_S) or (
            frames >= 2 and span >= SLOW_HOLD_S
        )
        return move if held else None


def _landmarks_agree(move: Action, obs: Observation, rest: Observation) -> bool:
    yaw, pitch = turn_proxies(obs.points)
    yaw0, pitch0 = turn_proxies(rest.points)
    if move is Action.TURN_LEFT:
        return yaw - yaw0 >= YAW_PROXY_MIN
    if move is Action.TURN_RIGHT:
        return yaw0 - yaw >= YAW_PROXY_MIN
    if move is Action.LOOK_UP:
        return pitch0 - pitch >= PITCH_PROXY_MIN
    return pitch - pitch0 >= PITCH_PROXY_MIN  # LOOK_DOWN


class ActiveChallenge:
    def __init__(
        self,
        actions: list[Action],
        rng: random.Random,
        limits: ChallengeLimits | None = None,
        *,
        first_pause_s: tuple[float, float] = PAUSE_S,
    ) -> None:
        """`first_pause_s`: the random wait before the first prompt (PAUSE_S unless the
        caller already watched the person hold still, see session.ESCALATED_PAUSE_S)."""
        if not actions:
            raise ValueError("a challenge needs at least one action")
        self.actions = list(actions)
        self.rng = rng
        self.limits = limits or ChallengeLimits()
        self.first_pause_s = first_pause_s
        self.started_at: float | None = None
        self.step = 0
        self.prompt_at: float | None = None  # when the current prompt was shown
        self.pause_until: float | None = None
        self.rest: list[Observation] = []
        self.anchor: Observation | None = None  # rest pose of the first step
        self.blink = BlinkDetector()
        self.moves = MoveDetector(self.limits)
        self.failure: Reason | None = None
        self._away_s = 0.0
        self.planar_turns = 0  # a pose change without parallax: a sheet was turned
        self.completed_at: list[float] = []
        self.wrong = 0  # wrong moves so far
        self.retry = False  # the current step is asked again after a wrong move
        self.away_since: float | None = None  # pause: head away from the rest pose since

    @property
    def done(self) -> bool:
        return self.step >= len(self.actions)

    @property
    def prompt(self) -> Action | None:
        if self.done or self.failure is not None or self.prompt_at is None:
            return None
        return self.actions[self.step]

    @property
    def guidance(self) -> Guidance | None:
        """FACE_CAMERA while a pause waits for the head to come back to the rest pose."""
        if self.done or self.failure is not None or self.prompt_at is not None:
            return None
        return Guidance.FACE_CAMERA if self._away_s > FACE_CAMERA_AFTER_S else None

    @property
    def progress(self) -> float:
        return self.step / len(self.actions)

    def _rest_pose(self) -> Observation:
        """The median rest pose of this step's pause (robust to one bad frame)."""
        mid = self.rest[len(self.rest) // 2]
        yaws = [o.yaw for o in self.rest if o.yaw is not None]
        pitches = [o.pitch for o in self.rest if o.pitch is not None]
        return Observation(
            t=mid.t,
            points=mid.points,
            ear=float(np.median([o.ear for o in self.rest])),
            yaw=float(np.median(yaws)) if yaws else None,
            pitch=float(np.median(pitches)) if pitches else None,
            iod=mid.iod,
        )

    def _is_neutral(self, obs: Observation) -> bool:
        """Near the first step's rest pose (or, before it exists, near this pause's frames)."""
        if obs.yaw is None or obs.pitch is None:
            return False
        ref = self.anchor if self.anchor is not None else (self._rest_pose() if self.rest else obs)
        if ref.yaw is None or ref.pitch is None:
            return False
        return abs(obs.yaw - ref.yaw) < NEUTRAL_YAW and abs(obs.pitch - ref.pitch) < NEUTRAL_PITCH

    def update(self, obs: Observation | None, t: float) -> None:
        """Feed one frame of the tracked face (None = no face this frame)."""
        if self.done or self.failure is not None:
            return
        if self.started_at is None:
            self.started_at = t
        if t - self.started_at > self.limits.total_timeout_s:
            self.failure = Reason.CHALLENGE_TIMEOUT
            return
        if self.prompt_at is None:
            self._pause(obs, t)
            return
        if t - self.prompt_at > self.limits.action_timeout_s:
            self.failure = Reason.CHALLENGE_TIMEOUT
            return
        if obs is not None:
            self._detect(obs, t)

    def _pause(self, obs: Observation | None, t: float) -> None:
        if self.pause_until is None:
            bounds = self.first_pause_s if self.step == 0 and self.anchor is None else PAUSE_S
            self.pause_until = t + self.rng.uniform(*bounds)
            self.rest = []
        if obs is None:
            return
        neutral = self._is_neutral(obs)
        self.away_since = None if neutral else (self.away_since or t)
        self._away_s = t - self.away_since if self.away_since is not None else 0.0
        if not neutral and self._away_s > REANCHOR_AFTER_S:
            # The person settled in another pose (or the first rest pose was a bad frame):
            # waiting for the old one would be a silent wait until the timeout.
            self.anchor, self.rest, self.away_since, self._away_s = None, [obs], None, 0.0
            neutral = True
        if neutral:
            self.rest.append(obs)
        else:
            # Still moving from the last action (or never settled): the pause restarts.
            self.pause_until = t + self.rng.uniform(*PAUSE_S)
            self.rest = [] if self.anchor is not None else [obs]
        self.blink.update(obs.ear, t, obs.patch, obs.points)
        if t >= self.pause_until and len(self.rest) >= 2:
            self.prompt_at = t
            if self.anchor is None:
                self.anchor = self._rest_pose()
            self.blink.blinks.clear()

    def _detect(self, obs: Observation, t: float) -> None:
        wanted = self.actions[self.step]
        rest = self._rest_pose()
        blinked = self.blink.update(obs.ear, t, obs.patch, obs.points)
        moved = self.moves.update(obs, rest)
        hit = False
        if wanted is Action.BLINK:
            hit = blinked
        elif moved is wanted:
            if homography_residual(rest.points, obs.points) >= TURN_PARALLAX:
                hit = True
            else:
                self.planar_turns += 1
        elif moved is not None:
            self.wrong += 1
            if self.wrong > MAX_WRONG:
                self.failure = Reason.WRONG_ACTION
                return
            self.retry = True  # the same step again, after facing the camera
            self._next_pause()
            return
        if hit:
            self.completed_at.append(t)
            self.step += 1
            self.retry = False
            self._next_pause()

    def _next_pause(self) -> None:
        self.prompt_at = None
        self.pause_until = None
        self.moves.candidate = None
        self.away_since, self._away_s = None, 0.0
