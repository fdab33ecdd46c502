"""KioskSession: the kiosk's behaviour as a plain state machine (no Qt).

    IDLE -> CONSENT (enroll) -> CAPTURE -> LIVENESS -> MATCHING (auth, forget-me)
                                                    -> TEMPLATE (enroll)
         -> PIN_SETUP/PIN_CONFIRM (enroll) | PIN_ENTRY (auth, forget-me)
         -> FORGET_CONFIRM (forget-me) -> RESULT -> IDLE

Inputs: `on_frame(image, faces, t)` with the faces the caller's worker detected
(`engine.analyze(image, embed=False)` is enough: the session embeds lazily, only
the one face of the frames it needs — a match step or a template frame — which
saves the ~100 ms dlib descriptor on every frame spent on guidance or
challenge prompts; faces that already carry an embedding are used as they
are), the person's buttons (`start_*`, `accept_consent`, `enter_pin`, ...) and
`tick()` for timeouts. Output: `view` (an immutable `SessionView`) and
`drain_events()`. Every decision is also written to the vault's event log.

The session never keeps an image: frames are used during `on_frame` and
dropped. Embeddings of an attempt (template frames, match streak) and the
liveness session are dropped whenever a result is shown, on cancel and on
every timeout.
"""

from __future__ import annotations

import functools
import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from facekiosk.engine import quality
from facekiosk.engine.base import FaceEngine
from facekiosk.engine.liveness.geometry import box_iou
from facekiosk.engine.types import Embedding, EngineError, Face
from facekiosk.kiosk import pin_policy
from facekiosk.kiosk.access_hook import (
    GrantEvent,
    HookError,
    OutputHook,
    hook_from_settings,
    passback_violation,
)
from facekiosk.kiosk.attendance import CHECK_IN, CHECK_OUT, next_attendance
from facekiosk.kiosk.codes import (
    ErrorCode,
    PinIssue,
    Purpose,
    ResultKind,
    SessionGuidance,
    State,
)
from facekiosk.kiosk.consent import ConsentError, ConsentText, load_consent
from facekiosk.kiosk.evidence import MatchStreak, TemplateFrames
from facekiosk.kiosk.liveness_port import (
    LivenessFactory,
    LivenessLike,
    default_liveness_factory,
)
from facekiosk.kiosk.lockout import Backoff, IdLockouts, KioskLockout
from facekiosk.kiosk.occlusion import looks_masked
from facekiosk.kiosk.receipt import enrollment_receipt, purge_receipt
from facekiosk.kiosk.restrictions import ACCESS_FILE, AccessPolicy, forget_in_policy
from facekiosk.kiosk.store import CounterStore
from facekiosk.kiosk.vault_port import EventLog
from facekiosk.kiosk.view import KioskEvent, Result, SessionView
from facekiosk.settings import Settings, SettingsError
from facekiosk.vault import UnknownIndexId, VaultError

log = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 16 * 1024
TRACK_MIN_IOU = 0.3  # below this the face in view is treated as someone else

_SCAN_STATES = (State.CAPTURE, State.LIVENESS, State.MATCHING, State.TEMPLATE)
_INPUT_STATES = (State.CONSENT, State.PIN_SETUP, State.PIN_CONFIRM, State.PIN_ENTRY)
_INPUT_STATES += (State.FORGET_CONFIRM,)

# The reason a scan step was blocked when it timed out -> the error shown.
_BLOCK_ERRORS: dict[str, ErrorCode] = {
    "NO_FACE": ErrorCode.NO_FACES_DETECTED,
    "MANY_FACES": ErrorCode.MANY_FACES,
    "MASKED": ErrorCode.FACE_MASKED,
    "AGE_UNKNOWN": ErrorCode.AGE_UNKNOWN,
    "QUALITY": ErrorCode.POOR_QUALITY,
}


class KioskError(RuntimeError):
    """A call that makes no sense in the current state (a UI bug, not a person's error)."""


_SYSTEM_FAILURES = (VaultError, EngineError, sqlite3.Error, OSError)


def _fail_safe(method: Callable[..., SessionView]) -> Callable[..., SessionView]:
    """A storage or engine failure mid-step ends the attempt with SYSTEM_ERROR (and drops
    what it held) instead of leaving the kiosk half-way; the cause goes to the log."""

    @functools.wraps(method)
    def wrapper(self: KioskSession, *args: Any, **kwargs: Any) -> SessionView:
        try:
            return method(self, *args, **kwargs)
        except _SYSTEM_FAILURES:
            log.exception("kiosk step %s failed", method.__name__)
            with self._lock:
                now = self._clock()
                self._fail(ErrorCode.SYSTEM_ERROR, now, count=False, store=False)
                return self._make_view(now)

    return wrapper


def _check_settings(s: Settings) -> None:
    k = s.kiosk
    checks = [
        (k.capture_timeout_s > 0, "kiosk.capture_timeout_s: must be positive"),
        (k.result_display_s > 0, "kiosk.result_display_s: must be positive"),
        (k.unrecognized_frames >= 1, "kiosk.unrecognized_frames: at least 1"),
        (3 <= k.template_frames <= 5, "kiosk.template_frames: 3 to 5"),
        (k.max_failures >= 1, "kiosk.max_failures: at least 1"),
        (k.failure_window_s > 0, "kiosk.failure_window_s: must be positive"),
        (k.debounce_minutes >= 0, "kiosk.debounce_minutes: must not be negative"),
        (k.min_age >= 0, "kiosk.min_age: must not be negative"),
        (k.enroll_validity_days >= 0, "kiosk.enroll_validity_days: must not be negative"),
        (0 < k.relay_pulse_s <= 60, "kiosk.relay_pulse_s: 0 to 60 seconds"),
        (0 <= s.pin.confident_delta < 1, "pin.confident_delta: in [0, 1)"),
        (0 < s.pin.lockout_base_s <= s.pin.lockout_max_s, "pin.lockout_base_s/max_s"),
    ]
    for ok, message in checks:
        if not ok:
            raise SettingsError(message)


class KioskSession:
    """One kiosk's flows. `engine`/`vault`: the real ones (or anything with their methods);
    `clock`: monotonic seconds for timeouts; `wall_clock`: aware datetimes for lockouts,
    schedules, validity and events; `liveness_factory(level)`: a fresh liveness session per
    attempt; `store`: lockout counters (default: the vault); `policy`: an AccessPolicy (default:
    access.toml in `data_dir`, re-read when edited); `hook`: the access-mode output;
    `consent`: the text shown (default: resources/consent for kiosk.language)."""

    def __init__(
        self,
        engine: FaceEngine,
        vault: Any,
        settings: Settings,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        liveness_factory: LivenessFactory | None = None,
        *,
        wall_clock: Callable[[], datetime] | None = None,
        store: CounterStore | None = None,
        policy: AccessPolicy | None = None,
        hook: OutputHook | None = None,
        consent: ConsentText | None = None,
        data_dir: Path | None = None,
    ) -> None:
        _check_settings(settings)
        self.engine = engine
        self.vault = vault
        self.settings = settings
        self._clock = clock
        self._wall = wall_clock or (lambda: datetime.now(UTC).astimezone())
        self._data_dir = data_dir
        # An injected policy is used as is; otherwise access.toml is re-read when it changes
        # (the admin edits it while the kiosk runs).
        self._policy_file = (
            None if policy is not None or data_dir is None else data_dir / ACCESS_FILE
        )
        self._policy_stamp: float | None = None
        self.policy = policy if policy is not None else AccessPolicy()
        k = settings.kiosk
        self.hook = hook or hook_from_settings(k.access_hook, k.access_relay, k.relay_pulse_s)
        self.consent = consent or load_consent(
            settings.kiosk.language, pinned_version=settings.kiosk.consent_version
        )
        store = store or vault  # the vault keeps counters, purged with their Index ID
        pin = settings.pin
        self._id_locks = IdLockouts(store, Backoff(pin.lockout_base_s, pin.lockout_max_s))
        self._kiosk_lock = KioskLockout(
            store,
            settings.kiosk.kiosk_id,
            max_failures=settings.kiosk.max_failures,
            window_s=settings.kiosk.failure_window_s,
            backoff=Backoff(pin.lockout_base_s, pin.lockout_max_s),
        )
        self._log = EventLog(vault, settings.kiosk.kiosk_id)
        self.threshold = (
            settings.engine.threshold
            if settings.engine.threshold is not None
            else float(engine.default_threshold)
        )
        self._liveness_factory = liveness_factory or default_liveness_factory(
            settings.liveness,
            rng or random.SystemRandom(),
            same_person_threshold=self.threshold,
            data_dir=data_dir,
            providers=settings.engine.providers,
        )
        self._warned_mask_unknown = False
        self._current_versions: dict[str, str] = {self.consent.language: self.consent.version}
        self._lock = threading.RLock()  # worker thread feeds frames, GUI thread presses buttons
        self._events: list[KioskEvent] = []
        self._reset(State.IDLE, self._clock())

    # ------------------------------------------------------------------ state
    def _reset(self, state: State, now: float) -> None:
        """Drop everything an attempt holds and enter `state`."""
        self._state = state
        if state == State.IDLE:
            self._purpose: Purpose | None = None
            self._result: Result | None = None
            self._error: ErrorCode | None = None
        self._enroll_args: dict[str, Any] = {}  # the payload is personal data: never kept
        self._consent_at: datetime | None = None
        self._drop_biometrics()
        self._step_t0 = now
        self._last_input = now
        self._guidance: tuple[str, ...] = ()
        self._block = "NO_FACE"
        self._pin_issue: PinIssue | None = None
        self._pin_first: str | None = None
        self._pin_tries = 0
        self._pin_error: ErrorCode | None = None
        self._candidate: tuple[str, float] | None = None

    def _drop_biometrics(self) -> None:
        self._track_box: tuple[float, float, float, float] | None = None
        self._liveness: LivenessLike | None = None
        self._liveness_status = "pending"
        self._liveness_prompt: str | None = None
        self._liveness_progress = 0.0
        k = self.settings.kiosk
        self._streak = MatchStreak(k.confirm_frames, k.unrecognized_frames)
        self._template = TemplateFrames(k.template_frames, self.threshold)

    def held_biometrics(self) -> int:
        """How many biometric items the session holds now (0 after every result/timeout)."""
        with self._lock:
            return (
                self._template.held()
                + len(self._streak.hits)
                + (self._liveness is not None)
                + (self._track_box is not None)
            )

    def _enter(self, state: State, now: float) -> None:
        self._state = state
        self._step_t0 = now
        self._last_input = now
        self._guidance = ()

    def _now(self, t: float | None = None) -> float:
        return self._clock() if t is None else t

    # ------------------------------------------------------------------ view
    @property
    def state(self) -> State:
        return self._state

    @property
    def view(self) -> SessionView:
        with self._lock:
            return self._make_view(self._clock())

    def _make_view(self, now: float) -> SessionView:
        s = self._state
        seconds_left = None
        if s in _SCAN_STATES:
            seconds_left = max(0.0, self.settings.kiosk.capture_timeout_s - (now - self._step_t0))
        elif s in _INPUT_STATES:
            seconds_left = max(0.0, self.settings.kiosk.idle_timeout_s - (now - self._last_input))
        elif s == State.RESULT:
            seconds_left = max(0.0, self.settings.kiosk.result_display_s - (now - self._step_t0))
        progress = 0.0
        if s == State.MATCHING:
            progress = self._streak.progress
        elif s == State.TEMPLATE:
            progress = self._template.progress
        error = self._error if s == State.RESULT else self._pin_error
        return SessionView(
            state=s,
            purpose=self._purpose,
            guidance=self._guidance,
            liveness_prompt=self._liveness_prompt if s == State.LIVENESS else None,
            liveness_progress=self._liveness_progress,
            progress=progress,
            face_box=self._track_box,
            consent=self.consent if s == State.CONSENT else None,
            pin_issue=self._pin_issue,
            pin_tries_left=(
                self.settings.pin.max_tries - self._pin_tries if s == State.PIN_ENTRY else None
            ),
            pin_skippable=s == State.PIN_SETUP and self.settings.pin.policy == "optional",
            error=error,
            result=self._result if s == State.RESULT else None,
            seconds_left=seconds_left,
            message_key=self._message_key(error),
        )

    def _message_key(self, error: ErrorCode | None) -> str:
        if error is not None:
            return f"error.{error.lower()}"
        if self._state == State.RESULT and self._result is not None:
            return f"result.{self._result.kind.lower()}"
        if self._pin_issue is not None:
            return f"pin.{self._pin_issue.lower()}"
        if self._state == State.LIVENESS and self._liveness_prompt:
            return f"liveness.{self._liveness_prompt.lower()}"
        if self._guidance:
            return f"guide.{self._guidance[0].lower()}"
        return f"state.{self._state.lower()}"

    def drain_events(self) -> list[KioskEvent]:
        with self._lock:
            events, self._events = self._events, []
            return events

    # ------------------------------------------------------------------ user input
    @_fail_safe
    def start_enroll(
        self,
        *,
        payload: bytes | None = None,
        label: str | None = None,
        valid_until: datetime | None = None,
    ) -> SessionView:
        """Begin an enrollment (consent first). `payload`: up to 16 KB linked to the new
        Index ID and encrypted like the vector (e.g. an employee number)."""
        if payload is not None and len(payload) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"payload is {len(payload)} bytes; the limit is {MAX_PAYLOAD_BYTES}")
        with self._lock:
            now = self._begin(Purpose.ENROLL)
            if self._state == State.RESULT:
                return self._make_view(now)
            if valid_until is None and self.settings.kiosk.enroll_validity_days:
                valid_until = self._wall() + timedelta(
                    days=self.settings.kiosk.enroll_validity_days
                )
            self._enroll_args = {"payload": payload, "label": label, "valid_until": valid_until}
            self._enter(State.CONSENT, now)
            return self._make_view(now)

    @_fail_safe
    def start_auth(self) -> SessionView:
        with self._lock:
            now = self._begin(Purpose.AUTH)
            if self._state != State.RESULT:
                self._enter(State.CAPTURE, now)
            return self._make_view(now)

    @_fail_safe
    def start_forget_me(self) -> SessionView:
        """Self-service deletion: authenticate (face, then PIN when set), confirm, purge."""
        with self._lock:
            now = self._begin(Purpose.FORGET)
            if self._state != State.RESULT:
                self._enter(State.CAPTURE, now)
            return self._make_view(now)

    def _begin(self, purpose: Purpose) -> float:
        now = self._clock()
        if self._state in _SCAN_STATES:
            # e.g. "Enrol" pressed while auto-start scans: nothing was committed yet
            self._emit("session", "cancelled", reason=ErrorCode.CANCELLED)
        elif self._state not in (State.IDLE, State.RESULT):
            raise KioskError(f"cannot start {purpose} while in {self._state}")
        self._reset(State.IDLE, now)
        self._purpose = purpose
        locked = self._kiosk_lock.remaining(self._wall().timestamp())
        if locked > 0:
            self._fail(ErrorCode.TOO_MANY_REQUESTS, now, detail=f"{locked:.0f}s", count=False)
        return now

    def set_language(self, language: str) -> ConsentText:
        """Show the consent text in `language` from now on (the on-screen language button),
        so the version recorded at enrolment is the text the person read. A site that pins
        kiosk.consent_version keeps the pinned text for other languages (only reviewed
        words are shown); a language without a text falls back to English (load_consent)."""
        with self._lock:
            pinned = self.settings.kiosk.consent_version
            if pinned and pinned.rsplit("-", 1)[0] != language:
                log.warning(
                    "consent: kiosk.consent_version pins %s; keeping that text for %r",
                    pinned,
                    language,
                )
                language = pinned.rsplit("-", 1)[0]
            if language != self.consent.language:
                try:
                    consent = load_consent(language, pinned_version=pinned)
                except ConsentError as exc:  # keep showing (and recording) the current text
                    log.error("consent: cannot switch to %r: %s", language, exc)
                    return self.consent
                self.consent = consent
                self._current_versions[consent.language] = consent.version
            return self.consent

    @_fail_safe
    def accept_consent(self) -> SessionView:
        with self._lock:
            now = self._expect(State.CONSENT)
            self._consent_at = self._wall()
            if self._purpose == Purpose.AUTH:  # a changed text accepted at sign-in
                assert self._candidate is not None
                self.vault.record_consent(
                    self._candidate[0], self.consent.version, self._consent_at
                )
                self._authenticated(now, consent_checked=True)
            else:
                self._enter(State.CAPTURE, now)
            return self._make_view(now)

    @_fail_safe
    def decline_consent(self) -> SessionView:
        """Enrollment: nothing is stored, not even an event (no Index ID exists). Sign-in
        after a text change: refused (the record stays; forget-me or the admin remove it)."""
        with self._lock:
            now = self._expect(State.CONSENT)
            if self._purpose == Purpose.AUTH and self._candidate is not None:
                index_id = self._candidate[0]
                self._deny(ErrorCode.TERMS_NOT_ACCEPTED, index_id, now, failure=False)
            else:
                self._fail(ErrorCode.TERMS_NOT_ACCEPTED, now, count=False, store=False)
            return self._make_view(now)

    @_fail_safe
    def enter_pin(self, pin: str) -> SessionView:
        with self._lock:
            now = self._clock()
            if self._state == State.PIN_SETUP:
                self._pin_setup(pin, now)
            elif self._state == State.PIN_CONFIRM:
                self._pin_confirm(pin, now)
            elif self._state == State.PIN_ENTRY:
                self._pin_check(pin, now)
            else:
                raise KioskError(f"no PIN expected in {self._state}")
            return self._make_view(now)

    @_fail_safe
    def skip_pin(self) -> SessionView:
        """Policy "optional": enrol without a PIN."""
        with self._lock:
            now = self._expect(State.PIN_SETUP)
            if self.settings.pin.policy != "optional":
                raise KioskError(f"pin.policy {self.settings.pin.policy!r} requires a PIN")
            self._finish_enroll(None, now)
            return self._make_view(now)

    @_fail_safe
    def confirm_forget(self) -> SessionView:
        with self._lock:
            now = self._expect(State.FORGET_CONFIRM)
            self._purge_self(now)
            return self._make_view(now)

    def cancel(self) -> SessionView:
        """Back to attract at once; the attempt's data is dropped and nothing is stored."""
        with self._lock:
            now = self._clock()
            if self._state not in (State.IDLE, State.RESULT):
                self._emit("session", "cancelled", reason=ErrorCode.CANCELLED)
            self._reset(State.IDLE, now)
            return self._make_view(now)

    def _expect(self, state: State) -> float:
        if self._state != state:
            raise KioskError(f"expected {state}, the session is in {self._state}")
        return self._clock()

    # ------------------------------------------------------------------ time
    @_fail_safe
    def tick(self, t: float | None = None) -> SessionView:
        """Apply timeouts; call a few times a second even when no frames come."""
        with self._lock:
            now = self._now(t)
            self._timeouts(now)
            return self._make_view(now)

    def _timeouts(self, now: float) -> bool:
        k = self.settings.kiosk
        s = self._state
        if s == State.RESULT and now - self._step_t0 >= k.result_display_s:
            self._reset(State.IDLE, now)
            return True
        if s in _INPUT_STATES and now - self._last_input >= k.idle_timeout_s:
            self._fail(ErrorCode.TIMEOUT, now, detail=f"no input in {s}", count=False)
            return True
        if s in _SCAN_STATES and now - self._step_t0 >= k.capture_timeout_s:
            code = ErrorCode.TIMEOUT
            if s == State.CAPTURE or self._block in ("NO_FACE", "MANY_FACES"):
                code = _BLOCK_ERRORS.get(self._block, ErrorCode.TIMEOUT)
            self._fail(code, now, detail=f"timeout in {s}", count=False)
            return True
        return False

    # ------------------------------------------------------------------ frames
    @_fail_safe
    def on_frame(self, image: np.ndarray, faces: list[Face], t: float | None = None) -> SessionView:
        """One camera frame and the faces detected in it. The image is not kept."""
        with self._lock:
            now = self._now(t)
            if not self._timeouts(now):
                if self._state == State.IDLE and self.settings.kiosk.auto_start and faces:
                    self._purpose = Purpose.AUTH
                    if self._kiosk_lock.remaining(self._wall().timestamp()) <= 0:
                        self._enter(State.CAPTURE, now)
                if self._state in _SCAN_STATES:
                    self._scan(image, faces, now)
            return self._make_view(now)

    def _scan(self, image: np.ndarray, faces: list[Face], now: float) -> None:
        enroll = self._purpose == Purpose.ENROLL
        verdict = quality.assess(
            faces, image.shape, "enroll" if enroll else "auth", self.settings.quality, image
        )
        face = verdict.face
        if face is None:  # nobody, or several people at enrollment
            self._block = "MANY_FACES" if len(faces) > 1 else "NO_FACE"
            self._guidance = tuple(str(c) for c in verdict.codes)
            self._track_box = None
            self._streak.interrupt()
            if self._liveness is not None:
                self._update_liveness(None, len(faces), image, now)
            return
        if not self._same_track(face):
            self._restart_scan(now)
        self._block = ""
        self._track_box = tuple(float(v) for v in face.bbox)  # type: ignore[assignment]

        refusal = self._face_refusal(image, face)
        if refusal is not None:
            if refusal == ErrorCode.MINORS_NOT_ALLOWED:
                self._fail(refusal, now, count=False)
            else:
                masked = refusal == ErrorCode.FACE_MASKED
                self._block = "MASKED" if masked else "AGE_UNKNOWN"
                guide = SessionGuidance.MASKED if masked else SessionGuidance.AGE_UNKNOWN
                self._guidance = (str(guide),)
            return

        if self._state == State.CAPTURE:
            if not verdict.ok:
                self._block = "QUALITY"
                self._guidance = tuple(str(c) for c in verdict.codes)
                return
            self._guidance = ()
            self._enter(State.LIVENESS, now)
            level = (
                self.settings.liveness.enroll_level if enroll else self.settings.liveness.auth_level
            )
            self._liveness = self._liveness_factory(level)
            if enroll:
                # The face before the challenge: template frames after it must match it, so
                # the person who passed liveness is the person enrolled.
                self._template.anchor = self._embed(image, face)

        if self._state == State.LIVENESS:
            # Challenge prompts ask for head turns: pose guidance does not apply here.
            self._guidance = ()
            if not enroll and verdict.ok:
                # The same frames confirm the identity; matching first puts the embedding on
                # the face, so liveness can check the identity stays the same throughout.
                self._match_step(image, face, now)
            if self._state == State.LIVENESS:
                self._update_liveness(face, len(faces), image, now)
            if self._state == State.LIVENESS and self._liveness_status == "passed":
                self._enter(State.TEMPLATE if enroll else State.MATCHING, now)
                if not enroll:
                    self._maybe_decide(now)
                    return
            else:
                return

        self._guidance = tuple(str(c) for c in verdict.codes)
        if not verdict.ok:
            self._block = "QUALITY"
            return
        if self._state == State.MATCHING:
            self._match_step(image, face, now)
        elif self._state == State.TEMPLATE:
            self._template_step(image, face, now)

    def _same_track(self, face: Face) -> bool:
        return self._track_box is None or box_iou(self._track_box, face.bbox) >= TRACK_MIN_IOU

    def _restart_scan(self, now: float) -> None:
        """Someone else is in view: the attempt starts again from capture."""
        if self._state != State.CAPTURE:
            self._emit("session", "restart", reason="TRACK_CHANGED")
        self._drop_biometrics()
        self._enter(State.CAPTURE, now)

    def _face_refusal(self, image: np.ndarray, face: Face) -> ErrorCode | None:
        k = self.settings.kiosk
        if not k.allow_masked and self._is_masked(image, face):
            return ErrorCode.FACE_MASKED
        if k.min_age > 0:
            age = face.extras.get("age")
            if age is None:
                return ErrorCode.AGE_UNKNOWN  # fail closed: the engine cannot tell
            if float(age) < k.min_age:  # type: ignore[arg-type]
                return ErrorCode.MINORS_NOT_ALLOWED
        return None

    def _is_masked(self, image: np.ndarray, face: Face) -> bool:
        """The engine's verdict when it gives one, else the lower-face colour check."""
        masked = face.extras.get("masked")
        if masked is None:
            masked = looks_masked(image, face)
        if masked is None and not self._warned_mask_unknown:
            self._warned_mask_unknown = True
            log.warning("kiosk.allow_masked = false: no mask verdict for this engine's faces")
        return bool(masked)

    def _update_liveness(self, face: Face | None, n: int, image: np.ndarray, now: float) -> None:
        assert self._liveness is not None
        st = self._liveness.update(face, n, image, now)
        self._liveness_status = st.status
        self._liveness_prompt = st.prompt
        self._liveness_progress = float(st.progress)
        if st.status == "failed":
            # A prompted action not done in time is more often a slow person than an attack:
            # say TIMEOUT (still a failed attempt for the kiosk lockout).
            slow = str(st.reason) == "CHALLENGE_TIMEOUT"
            code = ErrorCode.TIMEOUT if slow else ErrorCode.PAD_ATTACK
            self._fail(code, now, detail=str(st.reason or ""))

    def _access_policy(self) -> AccessPolicy:
        if self._policy_file is not None:
            try:
                stamp: float | None = self._policy_file.stat().st_mtime_ns
            except FileNotFoundError:
                stamp = None
            if stamp != self._policy_stamp:
                self.policy = AccessPolicy.load(self._policy_file.parent)
                self._policy_stamp = stamp
        return self.policy

    def _embed(self, image: np.ndarray, face: Face) -> Embedding:
        if face.embedding is not None:
            return face.embedding
        return self.engine.embed(image, [face])[0]

    # -- authentication / forget-me
    def _match_step(self, image: np.ndarray, face: Face, now: float) -> None:
        embedding = self._embed(image, face)
        matches = self.vault.search(embedding, k=2)
        decision = self.vault.decide(matches, self.threshold, self.settings.engine.margin)
        if decision.outcome == "match":
            self._streak.hit(decision.best.index_id, decision.best.similarity)
            if self._state == State.MATCHING:
                self._maybe_decide(now)
        else:
            self._streak.miss()
            if self._streak.unrecognized:
                self._deny(ErrorCode.UNRECOGNIZED_FACE, None, now, reason=decision.reason)

    def _maybe_decide(self, now: float) -> None:
        confirmed = self._streak.confirmed
        if confirmed is None:
            return
        index_id, similarity = confirmed
        self._drop_biometrics()  # the identity is settled; no more frames needed
        self._candidate = (index_id, similarity)
        wall = self._wall()
        if self._id_locks.remaining(index_id, wall.timestamp()) > 0:
            self._deny(ErrorCode.PIN_LOCKED, index_id, now, failure=False)
            return
        try:
            record = self.vault.get(index_id)
        except UnknownIndexId:  # deleted by the admin a moment ago
            self._deny(ErrorCode.UNRECOGNIZED_FACE, None, now, reason="deleted")
            return
        has_pin = bool(self.vault.has_pin(index_id))
        if self._purpose == Purpose.FORGET:
            need_pin = has_pin  # the right to be forgotten never waits for a schedule
        else:
            refusal = self._access_policy().check(
                index_id,
                wall,
                kiosk_groups=self.settings.kiosk.access_groups,
                valid_until=record.valid_until,
            )
            if refusal is not None:
                self._deny(refusal, index_id, now, failure=False)
                return
            need_pin = pin_policy.pin_needed_for_auth(
                self.settings.pin,
                has_pin=has_pin,
                similarity=similarity,
                confident_threshold=self.threshold + self.settings.pin.confident_delta,
            )
        if need_pin:
            self._enter(State.PIN_ENTRY, now)
        else:
            self._authenticated(now)

    def _pin_check(self, pin: str, now: float) -> None:
        assert self._candidate is not None
        index_id = self._candidate[0]
        self._last_input = now
        wall = self._wall().timestamp()
        if self._id_locks.remaining(index_id, wall) > 0:
            self._deny(ErrorCode.PIN_LOCKED, index_id, now, failure=False)
            return
        if self.vault.verify_pin(index_id, pin):
            self._id_locks.clear(index_id)
            self._pin_error = None
            self._authenticated(now)
            return
        self._pin_tries += 1
        self._pin_error = ErrorCode.WRONG_PIN_CODE
        if self._pin_tries >= self.settings.pin.max_tries:
            seconds = self._id_locks.lock(index_id, wall)
            self._deny(ErrorCode.WRONG_PIN_CODE, index_id, now, detail=f"locked {seconds:.0f}s")

    def _authenticated(self, now: float, *, consent_checked: bool = False) -> None:
        assert self._candidate is not None
        index_id, similarity = self._candidate
        if self._purpose == Purpose.FORGET:
            self._enter(State.FORGET_CONFIRM, now)
            return
        if (
            self.settings.kiosk.reconsent
            and not consent_checked
            and not self._consent_current(index_id)
        ):
            self._enter(State.CONSENT, now)  # the text changed since they agreed
            return
        self.vault.touch(index_id)
        wall = self._wall()
        k = self.settings.kiosk
        if k.mode == "attendance":
            last = self._log.last_pass(index_id, "attendance", wall)
            kind = next_attendance(last, wall, timedelta(minutes=k.debounce_minutes))
            if kind != ResultKind.ALREADY_RECORDED:
                decision = CHECK_IN if kind == ResultKind.CHECK_IN else CHECK_OUT
                self._record("attendance", decision, index_id, "ok", similarity)
            self._succeed(kind, now, index_id=None, similarity=similarity)
            return
        if k.anti_passback and passback_violation(
            self._log.last_pass(index_id, "access", wall), k.direction
        ):
            self._deny(ErrorCode.ANTI_PASSBACK, index_id, now, failure=False, kind="access")
            return
        try:
            self.hook.grant(GrantEvent(index_id, k.kiosk_id, k.direction, wall))
        except HookError as exc:
            log.error("access hook failed: %s", exc)
            self._deny(ErrorCode.HOOK_FAILED, index_id, now, failure=False, kind="access")
            return
        self._record("access", f"grant_{k.direction}", index_id, "ok", similarity)
        self._succeed(ResultKind.GRANTED, now, index_id=None, similarity=similarity)

    def _consent_current(self, index_id: str) -> bool:
        """Did this person accept the text now in force, in the language they accepted?"""
        accepted = self.vault.get(index_id).consent_version
        if not accepted:
            return False
        if accepted == self.consent.version:
            return True
        language = accepted.rsplit("-", 1)[0]
        if language not in self._current_versions:
            try:
                current = load_consent(language).version
            except ConsentError:
                current = ""
            self._current_versions[language] = current
        return accepted == self._current_versions[language]

    def _purge_self(self, now: float) -> None:
        assert self._candidate is not None
        index_id = self._candidate[0]
        try:
            receipt = self.vault.delete(
                [index_id],
                reason="self-service forget-me",
                actor=f"self@{self.settings.kiosk.kiosk_id}",
            )
        except UnknownIndexId:  # the admin deleted it while the person was confirming
            self._deny(ErrorCode.UNRECOGNIZED_FACE, None, now, failure=False, reason="deleted")
            return
        self._id_locks.clear(index_id)
        self.policy.forget([index_id])
        if self._data_dir is not None:
            forget_in_policy(self._data_dir, [index_id])
        code = purge_receipt(index_id, receipt.audit_seq)
        self._emit("forget", "purged", index_id=None, extra={"audit_seq": receipt.audit_seq})
        self._succeed(
            ResultKind.FORGOTTEN,
            now,
            index_id=None,
            receipt_code=code,
            detail=f"audit #{receipt.audit_seq}",
        )

    # -- enrollment
    def _template_step(self, image: np.ndarray, face: Face, now: float) -> None:
        pose = (face.pose.yaw, face.pose.pitch) if face.pose is not None else (0.0, 0.0)
        wanted = self._template.wants(pose, now)
        if wanted is None:
            self._guidance = (str(SessionGuidance.MOVE_SLIGHTLY),)
        if not wanted:
            return
        if not self._template.add(self._embed(image, face), pose, now):
            # Not the person who passed liveness: someone swapped in front of the camera.
            self._restart_scan(now)
            return
        if self._template.done:
            self._template_done(now)

    def _template_done(self, now: float) -> None:
        duplicate = self.vault.find_duplicate(self._template.mean(), self.threshold)
        if duplicate is not None:
            # The existing Index ID is not revealed: it would tell a stranger who is enrolled.
            # It still tells that this face is enrolled, so it counts as a failed attempt:
            # the kiosk lockout slows down anyone probing who is enrolled.
            self._record("enroll", "deny", None, ErrorCode.FACE_DUPLICATION, duplicate.similarity)
            self._fail(ErrorCode.FACE_DUPLICATION, now, store=False)
            return
        if pin_policy.pin_offered_at_enroll(self.settings.pin):
            self._enter(State.PIN_SETUP, now)
        else:
            self._finish_enroll(None, now)

    def _pin_setup(self, pin: str, now: float) -> None:
        self._last_input = now
        issues = pin_policy.pin_issues(pin, self.settings.pin)
        if not issues and self.settings.pin.unique and self._pin_in_use(pin):
            issues = [PinIssue.NOT_UNIQUE]
        if issues:
            self._pin_issue = issues[0]
            return
        self._pin_issue = None
        self._pin_first = pin
        self._enter(State.PIN_CONFIRM, now)

    def _pin_in_use(self, pin: str) -> bool:
        """pin.unique: one scrypt check per stored PIN (fine for hundreds, slow for thousands)."""
        return any(
            r.has_pin and self.vault.verify_pin(r.index_id, pin) for r in self.vault.list_ids()
        )

    def _pin_confirm(self, pin: str, now: float) -> None:
        assert self._pin_first is not None
        if pin_policy.pins_equal(pin, self._pin_first):
            self._finish_enroll(pin, now)
            return
        self._enter(State.PIN_SETUP, now)
        self._pin_first = None
        self._pin_issue = PinIssue.MISMATCH

    def _finish_enroll(self, pin: str | None, now: float) -> None:
        args = self._enroll_args
        template = list(self._template.embeddings)
        self._pin_first = None
        index_id = self.vault.enroll(
            template,
            label=args.get("label"),
            payload=args.get("payload"),
            consent_version=None,  # recorded below with the time the person accepted
            valid_until=args.get("valid_until"),
        )
        try:
            if pin is not None:
                self.vault.set_pin(index_id, pin)
            self.vault.record_consent(
                index_id, self.consent.version, self._consent_at or self._wall()
            )
        except Exception:
            # Half an enrollment is worse than none: take the new Index ID back out.
            self.vault.delete([index_id], reason="enrollment rolled back", actor="kiosk")
            raise
        self._record("enroll", "enrolled", index_id, "ok", None)
        self._succeed(
            ResultKind.ENROLLED, now, index_id=index_id, receipt_code=enrollment_receipt(index_id)
        )

    # ------------------------------------------------------------------ outcomes
    def _succeed(
        self,
        kind: ResultKind,
        now: float,
        *,
        index_id: str | None,
        similarity: float | None = None,
        receipt_code: str | None = None,
        detail: str = "",
    ) -> None:
        self._reset(State.RESULT, now)
        self._error = None
        self._result = Result(kind, self._wall(), index_id, receipt_code, similarity, detail)

    def _fail(
        self,
        code: ErrorCode,
        now: float,
        *,
        detail: str = "",
        count: bool = True,
        store: bool = True,
        index_id: str | None = None,
    ) -> None:
        """Show error `code`; `count` adds a kiosk failure, `store` writes the event log."""
        purpose = self._purpose
        self._reset(State.RESULT, now)
        self._error = code
        self._result = Result(ResultKind.ERROR, self._wall(), None, None, None, detail)
        if store:
            self._record(str(purpose or "session"), "deny", index_id, code, None, detail)
        else:
            self._emit(str(purpose or "session"), "deny", reason=code)
        if count:
            locked = self._kiosk_lock.record_failure(self._wall().timestamp())
            if locked:
                log.warning("kiosk locked for %.0f s after repeated failures", locked)
                self._emit("session", "kiosk_locked", extra={"seconds": locked})

    def _deny(
        self,
        code: ErrorCode,
        index_id: str | None,
        now: float,
        *,
        failure: bool = True,
        detail: str = "",
        reason: str = "",
        kind: str | None = None,
    ) -> None:
        if kind is not None:
            self._record(kind, "deny", index_id, code, None, detail)
            self._fail(code, now, detail=detail, count=failure, store=False)
        else:
            self._fail(code, now, detail=detail or reason, count=failure, index_id=index_id)

    def _record(
        self,
        kind: str,
        decision: str,
        index_id: str | None,
        reason: str,
        similarity: float | None,
        detail: str = "",
    ) -> None:
        extra: dict[str, object] = {}
        if similarity is not None:
            extra["similarity"] = round(float(similarity), 4)
        if detail:
            extra["detail"] = detail
        at = self._wall()
        self._log.record(kind, index_id, decision, str(reason), extra, at)
        self._events.append(KioskEvent(kind, decision, at, index_id, str(reason), extra))

    def _emit(
        self,
        kind: str,
        decision: str,
        *,
        index_id: str | None = None,
        reason: str = "",
        extra: dict[str, object] | None = None,
    ) -> None:
        self._events.append(
            KioskEvent(kind, decision, self._wall(), index_id, str(reason), extra or {})
        )


__all__ = ["MAX_PAYLOAD_BYTES", "KioskError", "KioskSession"]
