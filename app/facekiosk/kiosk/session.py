"""KioskSession: the kiosk's behaviour as a plain state machine (no Qt) — a thin facade.

Inputs: `frame_request()` says what the next camera frame needs from the engine; the
pipeline makes that one `engine.analyze(frame, request)` call and passes the faces to
`on_frame(image, faces, t)` (the session never calls the engine); the person's buttons
(`start_*`, `accept_consent`, `enter_pin`, ...); `tick()` for timeouts. Output: `view`
(an immutable SessionView) and `drain_events()`; every decision is also written to the
vault's event log.

The states and the moves between them are the table in transitions.py; each step is a
handler in steps/; how an attempt ends is outcome.py; what an attempt holds is attempt.py
(replaced wholesale on every result, cancel and timeout, so `held_biometrics()` is 0).
The session never keeps an image.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from facekiosk.engine.types import Face, FrameRequest
from facekiosk.kiosk import frame_plan, match_policy
from facekiosk.kiosk.access_hook import OutputHook, hook_from_settings
from facekiosk.kiosk.codes import SCAN_STATES, ErrorCode, Purpose, State
from facekiosk.kiosk.consent import ConsentText, load_consent
from facekiosk.kiosk.core import FlowCore
from facekiosk.kiosk.engine_port import EngineInfo
from facekiosk.kiosk.errors import KioskError
from facekiosk.kiosk.errors import fail_safe as _fail_safe
from facekiosk.kiosk.liveness_port import LivenessFactory, default_liveness_factory
from facekiosk.kiosk.lockout import Backoff, IdLockouts, KioskLockout
from facekiosk.kiosk.outcome import OutcomeRecorder
from facekiosk.kiosk.presenter import make_view
from facekiosk.kiosk.restrictions import AccessPolicy
from facekiosk.kiosk.steps.admit import AccessPolicySource, AdmitStep
from facekiosk.kiosk.steps.consent import ConsentStep
from facekiosk.kiosk.steps.enrol import EnrolStep
from facekiosk.kiosk.steps.forget import ForgetStep
from facekiosk.kiosk.steps.liveness import LivenessStep
from facekiosk.kiosk.steps.match import MatchStep
from facekiosk.kiosk.steps.pin import PinStep
from facekiosk.kiosk.steps.scan import ScanStep
from facekiosk.kiosk.steps.start import StartStep
from facekiosk.kiosk.steps.timeouts import INPUT_STATES, apply_timeouts
from facekiosk.kiosk.store import CounterStore
from facekiosk.kiosk.throttle import SourceThrottle
from facekiosk.kiosk.transitions import Event
from facekiosk.kiosk.vault_port import EventLog, VaultPort
from facekiosk.kiosk.view import KioskEvent, SessionView
from facekiosk.settings import Settings

MAX_PAYLOAD_BYTES = 16 * 1024


class KioskSession:
    """One kiosk's flows. `engine`: anything with the engine's metadata (name, model_id,
    dim, default_threshold); `vault`: the real one (or a VaultPort); `clock`: monotonic
    seconds for timeouts; `wall_clock`: aware datetimes for lockouts, schedules, validity
    and events; `liveness_factory(level)`: a fresh liveness session per attempt; `store`:
    lockout counters (default: the vault); `policy`: an AccessPolicy (default: access.toml
    in `data_dir`, re-read when edited); `hook`: the access-mode output; `consent`: the
    text shown (default: resources/consent for kiosk.language)."""

    def __init__(
        self,
        engine: EngineInfo,
        vault: VaultPort,
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
        self.engine = engine
        self.vault = vault
        self.settings = settings
        k, pin = settings.kiosk, settings.pin
        self.threshold = match_policy.resolve_threshold(settings, engine)
        wall = wall_clock or (lambda: datetime.now(UTC).astimezone())
        self._core = core = FlowCore(settings, vault, self.threshold, clock, wall)
        self.hook = hook or hook_from_settings(k.access_hook, k.access_relay, k.relay_pulse_s)
        text = consent or load_consent(k.language, pinned_version=k.consent_version)
        self._consent = ConsentStep(core, text)
        store = store or vault  # the vault keeps counters, purged with their Index ID
        id_locks = IdLockouts(store, Backoff(pin.lockout_base_s, pin.lockout_max_s))
        kiosk_lock = KioskLockout(
            store, k.kiosk_id, max_failures=k.max_failures, window_s=k.failure_window_s,
            backoff=Backoff(k.lockout_base_s, k.lockout_max_s),
        )  # fmt: skip
        throttle = SourceThrottle(
            store, self.threshold, window_s=k.failure_window_s,
            max_failures=k.source_max_failures,
            backoff=Backoff(k.source_backoff_base_s, k.source_backoff_max_s),
        )  # fmt: skip
        self._out = out = OutcomeRecorder(
            core, EventLog(vault, k.kiosk_id), kiosk_lock, throttle
        )
        self._start = StartStep(core, out, kiosk_lock)
        self._policy = AccessPolicySource(policy, data_dir)
        factory = liveness_factory or default_liveness_factory(
            settings.liveness,
            rng or random.SystemRandom(),
            same_person_threshold=self.threshold,
            data_dir=data_dir,
            providers=settings.engine.providers,
        )
        self._admit = admit = AdmitStep(core, out, self._consent, self.hook)
        match = MatchStep(core, out, admit, self._policy, id_locks)
        self._enrol = enrol = EnrolStep(core, out, self._consent)
        self._pin = PinStep(core, out, admit, enrol, id_locks)
        self._forget = ForgetStep(core, out, self._policy, id_locks, data_dir)
        self._scan = ScanStep(core, out, LivenessStep(core, out, factory), match, enrol)
        self._lock = threading.RLock()  # worker thread feeds frames, GUI thread presses buttons

    # ------------------------------------------------------------------ read
    @property
    def state(self) -> State:
        return self._core.state

    @property
    def consent(self) -> ConsentText:
        return self._consent.text

    @property
    def policy(self) -> AccessPolicy:
        return self._policy.policy

    @property
    def view(self) -> SessionView:
        with self._lock:
            return make_view(self._core, self.consent, self._core.clock())

    def held_biometrics(self) -> int:
        """How many biometric items the session holds now (0 after every result/timeout)."""
        with self._lock:
            a = self._core.attempt
            return a.bio.held() + len(a.upgrade)

    def throttled_faces(self) -> int:
        """Face vectors the attempt-source throttle holds in memory now (kiosk/throttle.py):
        only of faces that failed, only while their failures count or their pause runs."""
        with self._lock:
            return self._out.throttle.held()

    def drain_events(self) -> list[KioskEvent]:
        """Events since the last drain (the newest outcome.MAX_EVENTS; older ones drop)."""
        with self._lock:
            return self._out.drain()

    def frame_request(self) -> FrameRequest | None:
        """What the next frame needs from the engine (None: no analysis, just tick)."""
        with self._lock:
            return frame_plan.frame_request(self._core)

    # ------------------------------------------------------------------ buttons
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
            now = self._core.clock()
            self._start.enroll(now, payload, label, valid_until)
            return make_view(self._core, self.consent, now)

    @_fail_safe
    def start_auth(self) -> SessionView:
        return self._start_scan(Purpose.AUTH)

    @_fail_safe
    def start_forget_me(self) -> SessionView:
        """Self-service deletion: authenticate (face, then PIN when set), confirm, purge."""
        return self._start_scan(Purpose.FORGET)

    def _start_scan(self, purpose: Purpose) -> SessionView:
        with self._lock:
            now = self._core.clock()
            self._start.scan(purpose, now)
            return make_view(self._core, self.consent, now)

    def set_language(self, language: str) -> ConsentText:
        """Show the consent text in `language` from now on (the on-screen language button),
        so the version recorded at enrolment is the text the person read. A site that pins
        kiosk.consent_version keeps the pinned text for other languages (only reviewed
        words are shown); a language without a text falls back to English (load_consent)."""
        with self._lock:
            return self._consent.set_language(language)

    @_fail_safe
    def accept_consent(self) -> SessionView:
        return self._consent_answer(True)

    @_fail_safe
    def decline_consent(self) -> SessionView:
        """Enrollment: nothing is stored, not even an event (no Index ID exists). Sign-in
        after a text change: refused (the record stays; forget-me or the admin remove it)."""
        return self._consent_answer(False)

    def _consent_answer(self, accepted: bool) -> SessionView:
        with self._lock:
            now = self._expect(State.CONSENT)
            if self._core.attempt.purpose == Purpose.AUTH:  # a changed text, at sign-in
                self._admit.reconsent(accepted, now)
            elif accepted:
                self._core.attempt.consent_at = self._core.wall()
                self._core.go(Event.CONSENT_GIVEN, now)
            else:
                self._out.fail(ErrorCode.TERMS_NOT_ACCEPTED, now, count=False, store=False)
            return make_view(self._core, self.consent, now)

    @_fail_safe
    def enter_pin(self, pin: str) -> SessionView:
        with self._lock:
            now = self._core.clock()
            self._pin.enter(pin, now)
            return make_view(self._core, self.consent, now)

    @_fail_safe
    def skip_pin(self) -> SessionView:
        """Policy "optional": enrol without a PIN."""
        with self._lock:
            now = self._expect(State.PIN_SETUP)
            if self.settings.pin.policy != "optional":
                raise KioskError(f"pin.policy {self.settings.pin.policy!r} requires a PIN")
            self._enrol.finish(None, now)
            return make_view(self._core, self.consent, now)

    @_fail_safe
    def note_input(self) -> SessionView:
        """The person is busy with an input page without answering yet (scrolling the
        consent text, tapping PIN digits): its idle timeout starts again. Walking the real
        window, the consent page went back to the start while its text was being read.
        Ignored outside the input pages."""
        with self._lock:
            now = self._core.clock()
            if self.state in INPUT_STATES:
                self._core.attempt.last_input = now
            return make_view(self._core, self.consent, now)

    @_fail_safe
    def confirm_forget(self) -> SessionView:
        with self._lock:
            now = self._expect(State.FORGET_CONFIRM)
            self._forget.purge(now)
            return make_view(self._core, self.consent, now)

    def cancel(self) -> SessionView:
        """Back to attract at once; the attempt's data is dropped and nothing is stored."""
        with self._lock:
            now = self._core.clock()
            if self.state not in (State.IDLE, State.RESULT):
                self._out.emit("session", "cancelled", reason=ErrorCode.CANCELLED)
            self._core.reset(Event.CANCEL, now)
            return make_view(self._core, self.consent, now)

    def _system_failure(self) -> SessionView:
        with self._lock:
            now = self._core.clock()
            self._out.fail(ErrorCode.SYSTEM_ERROR, now, count=False, store=False, event=Event.FAULT)
            return make_view(self._core, self.consent, now)

    def _expect(self, state: State) -> float:
        if self.state != state:
            raise KioskError(f"expected {state}, the session is in {self.state}")
        return self._core.clock()

    # ------------------------------------------------------------------ time and frames
    @_fail_safe
    def tick(self, t: float | None = None) -> SessionView:
        """Apply timeouts; call a few times a second even when no frames come."""
        with self._lock:
            now = self._core.clock() if t is None else t
            apply_timeouts(self._core, self._out, now)
            return make_view(self._core, self.consent, now)

    @_fail_safe
    def on_frame(self, image: np.ndarray, faces: list[Face], t: float | None = None) -> SessionView:
        """One camera frame and the faces of the one engine call made with
        `frame_request()`. The image is not kept; the engine is never called here."""
        with self._lock:
            core = self._core
            now = core.clock() if t is None else t
            if not apply_timeouts(core, self._out, now):
                if self.state == State.IDLE and self.settings.kiosk.auto_start and faces:
                    self._start.auto_start(now)
                if self.state in SCAN_STATES:
                    self._scan.on_frame(image, faces, now)
            return make_view(core, self.consent, now)


__all__ = ["MAX_PAYLOAD_BYTES", "KioskError", "KioskSession"]
