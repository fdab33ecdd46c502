"""The SessionView of the current state and attempt (what the UI draws)."""

from __future__ import annotations

from facekiosk.kiosk.codes import SCAN_STATES, ErrorCode, State
from facekiosk.kiosk.consent import ConsentText
from facekiosk.kiosk.core import FlowCore
from facekiosk.kiosk.steps.timeouts import INPUT_STATES, result_display_s
from facekiosk.kiosk.view import SessionView


def make_view(core: FlowCore, consent: ConsentText, now: float) -> SessionView:
    s = core.state
    a = core.attempt
    k = core.settings.kiosk
    pin = core.settings.pin
    seconds_left = None
    if s in SCAN_STATES:
        seconds_left = max(0.0, k.capture_timeout_s - (now - a.step_t0))
    elif s in INPUT_STATES:
        seconds_left = max(0.0, k.idle_timeout_s - (now - a.last_input))
    elif s == State.RESULT:
        seconds_left = max(0.0, result_display_s(core) - (now - a.step_t0))
    progress = 0.0
    if s == State.MATCHING:
        progress = a.bio.streak.progress
    elif s == State.TEMPLATE:
        progress = a.bio.template.progress
    error = a.error if s == State.RESULT else a.pin_error
    wait_s = None
    if s == State.RESULT and a.result is not None and a.result.retry_at is not None:
        wait_s = max(0.0, (a.result.retry_at - core.wall()).total_seconds())
    return SessionView(
        state=s,
        purpose=a.purpose,
        guidance=a.guidance,
        liveness_prompt=a.bio.liveness_prompt if s == State.LIVENESS else None,
        liveness_progress=a.bio.liveness_progress,
        liveness_retry=a.bio.liveness_retry and s == State.LIVENESS,
        progress=progress,
        face_box=a.bio.track_box,
        consent=consent if s == State.CONSENT else None,
        pin_issue=a.pin_issue,
        pin_tries_left=pin.max_tries - a.pin_tries if s == State.PIN_ENTRY else None,
        pin_skippable=s == State.PIN_SETUP and pin.policy == "optional",
        error=error,
        result=a.result if s == State.RESULT else None,
        seconds_left=seconds_left,
        wait_s=wait_s,
        message_key=_message_key(core, error),
    )


def _message_key(core: FlowCore, error: ErrorCode | None) -> str:
    a = core.attempt
    if error is not None:
        return f"error.{error.lower()}"
    if core.state == State.RESULT and a.result is not None:
        return f"result.{a.result.kind.lower()}"
    if a.pin_issue is not None:
        return f"pin.{a.pin_issue.lower()}"
    if core.state == State.LIVENESS and a.bio.liveness_prompt:
        prompt = a.bio.liveness_prompt.lower()
        if a.bio.liveness_retry:
            return f"liveness.retry_{prompt}"  # "Other way: turn your head to your LEFT"
        return f"liveness.{prompt}"
    if a.guidance:
        return f"guide.{a.guidance[0].lower()}"
    return f"state.{core.state.lower()}"
