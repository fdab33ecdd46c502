"""`facekiosk bench flow-liveness`: liveness through the real kiosk flow, end to end.

For each person of ../shared/liveness with both a live and a replay recording (the
MANIFEST pairs `live_*_<person>` / `attack_*_<person>`): enrol them from the live clip
through the real KioskSession and a real (throw-away) vault, default settings; then, per
random seed, sign in with the replay clip as the camera (must never be granted) and with
the live clip (granted in >= 9 of 10, median time to grant <= 3 s: issue 19).

Every frame goes through `pipeline.step.process_frame` (one engine call per frame, the
request the session asks for). Frames are fed at the clip's own timestamps on a fake
clock, so a run is deterministic per seed and not bound to this machine's speed. A seed
sets the liveness session's random challenge and where in the clip the person "walks up"
(a start offset in the first half of the clip); the clip loops at its end, as a replay
attacker would loop a video. Between attempts the fake clock moves on an hour, so the
kiosk failure lockout and the attendance debounce of one try do not decide the next.

`frame_ms` (the `--frame-ms` option) paces frames as the window does instead: the clip
plays at its own rate and size (as `run --source` plays it), the inference worker takes
the newest frame whenever it is free, and each analysis costs `frame_ms` of the fake clock
(`first_frame_ms` for the first analysis of every attempt: each attempt is then the first
after start-up, when the engine loads models on that call). Frames that came
while the engine was busy are dropped, as in the window. 60-70 ms is this machine's engine
cost when quiet (bundled engine, a sign-in LIVENESS frame), 300-600 ms when the kiosk gets
a third of a core (measured in the window: `docs/notes/liveness.md`, Session 4).

Enrolment runs at the default enrolment level (the challenge) first. A recording cannot
answer a random prompt unless it happens to do that move, so when the challenge is not
passed the person is enrolled at the next level of `ENROL_LEVELS` ("passive", then "off":
the documented test path) and the report says which level enrolled them and why.
"""

from __future__ import annotations

import copy
import json
import random
import statistics
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from facekiosk.engine.liveness.media import video_frames
from facekiosk.kiosk.codes import SCAN_STATES, ResultKind, State
from facekiosk.kiosk.restrictions import AccessPolicy
from facekiosk.kiosk.session import KioskSession
from facekiosk.kiosk.view import SessionView
from facekiosk.pipeline.step import FrameAnalyzer, process_frame
from facekiosk.settings import Settings

ENROL_LEVELS = ("challenge", "passive", "off")  # tried in this order (see the docstring)
BENCH_PIN = "5829"  # passes the weak-PIN rules; the "person" types it when asked
MAX_ATTEMPT_S = 60.0  # fake seconds; the session's own timeouts (20 s a step) end sooner
BETWEEN_TRIES_S = 3600.0  # past the kiosk failure window and the attendance debounce
WANT_GRANTS = 0.9  # issue 19: live granted in >= 9 of 10 tries
WANT_MEDIAN_S = 3.0  # ... with a median time to grant within 3 s


@dataclass(frozen=True)
class Pair:
    person: str
    live: Path
    replay: Path


def shared_pairs(liveness_dir: Path) -> list[Pair]:
    """People with both a live and a replay (spoof) video in `liveness_dir`/MANIFEST.json."""
    manifest = json.loads((liveness_dir / "MANIFEST.json").read_text(encoding="utf-8"))
    live: dict[str, Path] = {}
    replay: dict[str, Path] = {}
    for entry in manifest["files"]:
        if entry.get("kind") != "video":
            continue
        path = liveness_dir / entry["file"]
        person = path.stem.rsplit("_", 1)[-1]
        if entry.get("label") == "live" and path.name.startswith("live_"):
            live[person] = path
        elif entry.get("label") == "spoof" and "replay" in path.name:
            replay[person] = path
    return [Pair(p, live[p], replay[p]) for p in sorted(live.keys() & replay.keys())]


@dataclass
class FakeClock:
    """Monotonic seconds for the session; `wall` follows it from a fixed date."""

    t: float = 0.0
    start: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 9, 0, tzinfo=UTC))

    def __call__(self) -> float:
        return self.t

    def wall(self) -> datetime:
        return self.start + timedelta(seconds=self.t)


def camera(path: Path, fps: float, start_s: float) -> Iterator[tuple[float, np.ndarray]]:
    """(seconds since the person walked up, frame): the clip from `start_s` on at `fps`,
    looping at its end; times keep increasing across the loop."""
    base, first, origin = 0.0, True, 0.0
    while True:
        last: float | None = None
        for t, frame in video_frames(path, fps=fps):
            if first and t < start_s - 1e-6:
                continue
            if last is None:
                origin = t
            last = base + t - origin
            yield last, frame
        if last is None:
            raise ValueError(f"{path}: no frames after {start_s:.2f} s")
        base, first = last + 1.0 / fps, False


class PacedClip:
    """The clip as `pipeline.sources.VideoFileSource` plays it (native rate and size,
    looping): `frame_at(t)` is the newest frame shown `t` s after `start_s`. Time only
    moves forward, so frames are grabbed in order and only the ones asked for decoded."""

    def __init__(self, path: Path, start_s: float) -> None:
        self.path, self.start_s = path, start_s
        self._cap: Any = None
        self._index = -1  # frames grabbed since the last (re)open
        self._loops = 0
        self.fps, self.frames = self._probe()
        self._frame: np.ndarray | None = None

    def _probe(self) -> tuple[float, int]:
        import cv2

        cap = cv2.VideoCapture(str(self.path))
        try:
            fps = cap.get(cv2.CAP_PROP_FPS)
            fps = float(fps) if 1.0 <= fps <= 240.0 else 25.0  # as VideoFileSource
            n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        finally:
            cap.release()
        if n <= 0:
            raise ValueError(f"{self.path}: no frames")
        return fps, n

    def frame_at(self, t: float) -> np.ndarray:
        import cv2

        wanted = int((self.start_s + t) * self.fps + 1e-6)
        loop, index = divmod(wanted, self.frames)
        if self._cap is None or loop != self._loops or index < self._index:
            if self._cap is not None:
                self._cap.release()
            self._cap, self._index, self._loops = cv2.VideoCapture(str(self.path)), -1, loop
        while self._index < index:
            if not self._cap.grab():
                break  # fewer frames than the header says: keep the last one
            self._index += 1
            self._frame = None
        if self._frame is None:
            ok, frame = self._cap.retrieve()
            if not ok:
                raise ValueError(f"{self.path}: cannot decode frame {self._index}")
            self._frame = frame
        return self._frame

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


@dataclass
class Attempt:
    outcome: str  # "granted", an ErrorCode, "PIN_ASKED" (replay reached the PIN pad) or "UNDECIDED"
    seconds: float  # from the button press to the result
    detail: str = ""  # the liveness reason (or other detail) of a refusal
    pin_asked: bool = False
    verdicts: dict[str, str] = field(default_factory=dict)
    result_kind: str = ""
    frames: int = 0


class FlowRunner:
    """One kiosk (settings, vault, engine) driven by recorded clips on a fake clock."""

    def __init__(
        self,
        engine: FrameAnalyzer,
        info: Any,
        vault: Any,
        settings: Settings,
        fps: float,
        *,
        frame_ms: float | None = None,
        first_frame_ms: float | None = None,
    ) -> None:
        self.engine, self.info, self.vault = engine, info, vault
        self.settings, self.fps = settings, fps
        self.frame_s = None if frame_ms is None else frame_ms / 1000.0
        # the first analysis of each attempt (a cold engine); then frame_ms
        self.first_s = self.frame_s if first_frame_ms is None else first_frame_ms / 1000.0
        self.clock = FakeClock()

    def session(self, seed: int, settings: Settings | None = None) -> KioskSession:
        return KioskSession(
            self.info,
            self.vault,
            settings or self.settings,
            clock=self.clock,
            rng=random.Random(seed),
            wall_clock=self.clock.wall,
            policy=AccessPolicy(),
        )

    def _frames(self, clip: Path, start_s: float) -> Iterator[tuple[float, np.ndarray]]:
        """(fake seconds since the attempt began, frame) as the kiosk would analyse them."""
        if self.frame_s is None:
            for t_rel, frame in camera(clip, self.fps, start_s):
                yield 1.0 / self.fps + t_rel, frame
            return
        paced = PacedClip(clip, start_s)
        try:
            t, cost, step = 0.0, self.first_s or self.frame_s, self.frame_s
            while True:
                yield t, paced.frame_at(t)  # the newest frame when the worker is free
                t, cost = t + cost, step
        finally:
            paced.close()

    def run(
        self, session: KioskSession, clip: Path, start_s: float, *, knows_pin: bool
    ) -> Attempt:
        """Feed `clip` to an attempt already started (CAPTURE) until it has a result."""
        t0 = self.clock.t
        pin_asked, frames = False, 0
        for t_rel, frame in self._frames(clip, start_s):
            if self.frame_s is not None:
                _tick_until(session, self.clock.t, t0 + t_rel)  # the window ticks at 4 Hz
            self.clock.t = t0 + t_rel
            process_frame(self.engine, session, frame, self.clock.t)
            frames += 1
            state = session.state
            if state in (State.PIN_SETUP, State.PIN_CONFIRM, State.PIN_ENTRY):
                pin_asked = pin_asked or state == State.PIN_ENTRY
                if not knows_pin and state == State.PIN_ENTRY:
                    asked = Attempt("PIN_ASKED", self.clock.t - t0, frames=frames, pin_asked=True)
                    return self._finish(session, asked)
                for _ in range(3):  # set-up + confirm, or the sign-in PIN
                    if session.state in (State.PIN_SETUP, State.PIN_CONFIRM, State.PIN_ENTRY):
                        session.enter_pin(BENCH_PIN)
            if session.state not in SCAN_STATES:
                break
            if self.clock.t - t0 > MAX_ATTEMPT_S:
                session.cancel()
                return self._finish(session, Attempt("UNDECIDED", self.clock.t - t0, frames=frames))
        view = session.view
        attempt = _attempt_of(view, self.clock.t - t0, session.drain_events())
        attempt.pin_asked, attempt.frames = pin_asked, frames
        return self._finish(session, attempt)

    def _finish(self, session: KioskSession, attempt: Attempt) -> Attempt:
        if session.state not in (State.IDLE, State.RESULT):
            session.cancel()
        self.clock.t += BETWEEN_TRIES_S
        session.tick(self.clock.t)
        return attempt


TICK_S = 0.25  # ui.controller.TICK_MS: timeouts are checked while the engine is busy


def _tick_until(session: KioskSession, last: float, now: float) -> None:
    t = last + TICK_S
    while t < now and session.state in SCAN_STATES:
        session.tick(t)
        t += TICK_S


def _attempt_of(view: SessionView, seconds: float, events: list[Any]) -> Attempt:
    if view.result is not None and view.result.kind != ResultKind.ERROR:
        return Attempt("granted", seconds, result_kind=str(view.result.kind))
    deny = [e for e in events if e.decision == "deny"]
    extra = deny[-1].extra if deny else {}
    verdicts = extra.get("verdicts") if isinstance(extra.get("verdicts"), dict) else {}
    detail = view.result.detail if view.result is not None else ""
    code = str(view.error) if view.error is not None else f"STATE_{view.state}"
    return Attempt(code, seconds, detail, verdicts=dict(verdicts or {}))


def enrol(runner: FlowRunner, pair: Pair, levels: tuple[str, ...]) -> dict[str, Any]:
    """Enrol `pair.person` from the live clip (start of the clip, seed 0) at the first
    level in `levels` that works; the report lists every level tried."""
    tried: list[dict[str, Any]] = []
    for level in levels:
        settings = copy.deepcopy(runner.settings)
        settings.liveness.enroll_level = level  # type: ignore[assignment]
        session = runner.session(0, settings)
        session.start_enroll()
        session.accept_consent()
        attempt = runner.run(session, pair.live, 0.0, knows_pin=True)
        ok = attempt.result_kind == str(ResultKind.ENROLLED)
        tried.append(
            {"level": level, "outcome": "ENROLLED" if ok else attempt.outcome,
             "detail": attempt.detail, "seconds": round(attempt.seconds, 2)}
        )  # fmt: skip
        if ok:
            return {"enrolled": True, "level": level, "tried": tried}
    return {"enrolled": False, "level": None, "tried": tried}


def sign_in(runner: FlowRunner, clip: Path, seed: int, *, knows_pin: bool) -> dict[str, Any]:
    duration = _duration(clip)
    start_s = round(random.Random(seed).uniform(0.0, duration / 2), 2)
    session = runner.session(seed)
    session.start_auth()
    a = runner.run(session, clip, start_s, knows_pin=knows_pin)
    return {
        "seed": seed, "start_s": start_s, "outcome": a.outcome, "detail": a.detail,
        "seconds": round(a.seconds, 2), "pin_asked": a.pin_asked, "verdicts": a.verdicts,
        "frames": a.frames,
    }  # fmt: skip


def _duration(clip: Path) -> float:
    import cv2

    cap = cv2.VideoCapture(str(clip))
    try:
        fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
        return float(cap.get(cv2.CAP_PROP_FRAME_COUNT)) / fps
    finally:
        cap.release()


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    granted = [r for r in runs if r["outcome"] == "granted"]
    times = sorted(r["seconds"] for r in granted)
    refused = Counter(r["outcome"] for r in runs if r["outcome"] != "granted")
    reasons = Counter(f"{r['outcome']}/{r['detail']}" for r in runs if r["outcome"] != "granted")
    return {
        "tries": len(runs),
        "granted": len(granted),
        "refused": dict(sorted(refused.items())),
        "refused_by_reason": dict(sorted(reasons.items())),
        "pin_asked": sum(r["pin_asked"] for r in runs),
        "grant_s": {
            "median": round(statistics.median(times), 2) if times else None,
            "p90": round(float(np.percentile(times, 90)), 2) if times else None,
        },
        "runs": runs,
    }


def run_flow_liveness(
    engine: Any,
    pairs: list[Pair],
    *,
    tries: int = 10,
    fps: float = 10.0,
    settings: Settings | None = None,
    enrol_levels: tuple[str, ...] = ENROL_LEVELS,
    progress: Callable[[str], None] | None = None,
    frame_ms: float | None = None,
    first_frame_ms: float | None = None,
) -> dict[str, Any]:
    """The per-person table (JSON-ready) and whether issue 19's targets are met."""
    from facekiosk.vault import Vault

    settings = settings or Settings()
    say = progress or (lambda _msg: None)
    people: dict[str, Any] = {}
    with (
        tempfile.TemporaryDirectory(prefix="fk-bench-flow-liveness-") as tmp,
        Vault.open(Path(tmp)) as vault,
    ):
        runner = FlowRunner(
            engine, engine, vault, settings, fps, frame_ms=frame_ms, first_frame_ms=first_frame_ms
        )
        for pair in pairs:  # everyone enrolled first: a replay must match nobody
            say(f"enrol {pair.person}")
            people[pair.person] = {"enrolment": enrol(runner, pair, enrol_levels)}
        for pair in pairs:
            row = people[pair.person]
            if not row["enrolment"]["enrolled"]:
                continue
            for clip, key, knows in ((pair.replay, "replay", False), (pair.live, "live", True)):
                runs = []
                for seed in range(tries):
                    runs.append(sign_in(runner, clip, seed, knows_pin=knows))
                    say(f"{pair.person} {key} seed {seed}: {runs[-1]['outcome']}")
                row[key] = _summary(runs)
            row["clips"] = {"live": pair.live.name, "replay": pair.replay.name}
    return {
        "settings": {
            "engine": getattr(engine, "name", "?"),
            "auth_level": settings.liveness.auth_level,
            "min_brightness": settings.quality.min_brightness,
            "enrol_levels_tried": list(enrol_levels),
            "fps": fps if frame_ms is None else None,
            "frame_ms": frame_ms,
            "first_frame_ms": first_frame_ms if frame_ms is not None else None,
            "tries": tries,
        },
        "people": people,
        "targets": _targets(people),
    }


def _targets(people: dict[str, Any]) -> dict[str, Any]:
    """Issue 19's targets over the people enrolled; who could not be enrolled is listed
    apart (a failure to enrol is not a pass of the replay test)."""
    rows = [r for r in people.values() if "live" in r]
    measured = bool(rows)
    return {
        "not_enrolled": sorted(p for p, r in people.items() if "live" not in r),
        "replay_never_granted": measured and all(r["replay"]["granted"] == 0 for r in rows),
        "live_granted_9_of_10": measured
        and all(r["live"]["granted"] >= WANT_GRANTS * r["live"]["tries"] for r in rows),
        "live_median_within_3s": measured
        and all(
            (m := r["live"]["grant_s"]["median"]) is not None and m <= WANT_MEDIAN_S for r in rows
        ),
    }
