"""The kiosk's state-transition table: every state change is one of these, checked.

    IDLE -START_ENROLL-> CONSENT -CONSENT_GIVEN-> CAPTURE
    IDLE -START_SCAN-> CAPTURE -FACE_READY-> LIVENESS -LIVE_ENROLL-> TEMPLATE
                                                      -LIVE_AUTH-> MATCHING
    TEMPLATE -TEMPLATE_DONE-> PIN_SETUP -PIN_CHOSEN-> PIN_CONFIRM -PIN_MISMATCH-> PIN_SETUP
    MATCHING -NEED_PIN-> PIN_ENTRY;  MATCHING|PIN_ENTRY -NEED_CONSENT-> CONSENT
    MATCHING|PIN_ENTRY -CONFIRM_FORGET-> FORGET_CONFIRM
    scan state -TRACK_CHANGED-> CAPTURE (someone else in view: the attempt starts again)
    any state but RESULT -FINISH-> RESULT (success, refusal, timeout)
    any state -FAULT-> RESULT (a storage/engine failure; it may strike while a result
        is being recorded, hence also from RESULT)
    RESULT -RESULT_SHOWN-> IDLE;  any state -CANCEL-> IDLE

A move that is not in the table is a bug in the session, never a person's doing:
`next_state` raises IllegalTransition instead of leaving the kiosk in a state no screen
expects.
"""

from __future__ import annotations

from enum import StrEnum

from facekiosk.kiosk.codes import SCAN_STATES, State


class Event(StrEnum):
    START_ENROLL = "START_ENROLL"
    START_SCAN = "START_SCAN"  # sign-in or forget-me button, or auto-start
    CONSENT_GIVEN = "CONSENT_GIVEN"
    FACE_READY = "FACE_READY"  # one good face in view: liveness starts
    LIVE_ENROLL = "LIVE_ENROLL"  # liveness passed at enrollment
    LIVE_AUTH = "LIVE_AUTH"  # liveness passed at sign-in / forget-me
    TRACK_CHANGED = "TRACK_CHANGED"
    TEMPLATE_DONE = "TEMPLATE_DONE"
    PIN_CHOSEN = "PIN_CHOSEN"
    PIN_MISMATCH = "PIN_MISMATCH"
    NEED_PIN = "NEED_PIN"
    NEED_CONSENT = "NEED_CONSENT"  # the consent text changed since the person agreed
    CONFIRM_FORGET = "CONFIRM_FORGET"
    FINISH = "FINISH"
    FAULT = "FAULT"
    RESULT_SHOWN = "RESULT_SHOWN"
    CANCEL = "CANCEL"


class IllegalTransition(RuntimeError):
    """The session tried a move the table does not allow (a bug in the kiosk code)."""


def _table() -> dict[tuple[State, Event], State]:
    t: dict[tuple[State, Event], State] = {
        (State.IDLE, Event.START_ENROLL): State.CONSENT,
        (State.IDLE, Event.START_SCAN): State.CAPTURE,
        (State.CONSENT, Event.CONSENT_GIVEN): State.CAPTURE,
        (State.CAPTURE, Event.FACE_READY): State.LIVENESS,
        (State.LIVENESS, Event.LIVE_ENROLL): State.TEMPLATE,
        (State.LIVENESS, Event.LIVE_AUTH): State.MATCHING,
        (State.TEMPLATE, Event.TEMPLATE_DONE): State.PIN_SETUP,
        (State.PIN_SETUP, Event.PIN_CHOSEN): State.PIN_CONFIRM,
        (State.PIN_CONFIRM, Event.PIN_MISMATCH): State.PIN_SETUP,
        (State.MATCHING, Event.NEED_PIN): State.PIN_ENTRY,
        (State.RESULT, Event.RESULT_SHOWN): State.IDLE,
    }
    for s in (State.MATCHING, State.PIN_ENTRY):
        t[(s, Event.NEED_CONSENT)] = State.CONSENT
        t[(s, Event.CONFIRM_FORGET)] = State.FORGET_CONFIRM
    for s in SCAN_STATES:
        t[(s, Event.TRACK_CHANGED)] = State.CAPTURE
    for s in State:
        if s != State.RESULT:
            t[(s, Event.FINISH)] = State.RESULT
        t[(s, Event.FAULT)] = State.RESULT
        t[(s, Event.CANCEL)] = State.IDLE
    return t


TRANSITIONS: dict[tuple[State, Event], State] = _table()


def next_state(state: State, event: Event) -> State:
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise IllegalTransition(f"{event} is not allowed in {state}") from None


__all__ = ["TRANSITIONS", "Event", "IllegalTransition", "next_state"]
