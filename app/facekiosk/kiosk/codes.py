"""Stable codes the kiosk shows and logs: states, purposes, errors, results.

Error codes follow FACEIO's names where FACEIO has one, so operators who know
FACEIO read them the same way. They are part of the public contract (UI
message keys, event log, admin exports): never rename one, only add.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    IDLE = "IDLE"  # attract screen; nothing held in memory
    CONSENT = "CONSENT"  # enrollment only: the consent text, accept/decline
    CAPTURE = "CAPTURE"  # guidance until one good face is in view
    LIVENESS = "LIVENESS"  # passive checks / active challenge prompts
    MATCHING = "MATCHING"  # auth: the same face confirmed over N frames
    TEMPLATE = "TEMPLATE"  # enroll: collecting frames across small pose changes
    PIN_SETUP = "PIN_SETUP"  # enroll: choose a PIN
    PIN_CONFIRM = "PIN_CONFIRM"  # enroll: type the PIN again
    PIN_ENTRY = "PIN_ENTRY"  # auth / forget-me: type the PIN
    FORGET_CONFIRM = "FORGET_CONFIRM"  # forget-me: last chance before the purge
    RESULT = "RESULT"  # success or error shown; then back to IDLE


# The states in which camera frames drive the session (the pipeline analyses frames only
# in these, and in IDLE when kiosk.auto_start is on).
SCAN_STATES: frozenset[State] = frozenset(
    {State.CAPTURE, State.LIVENESS, State.MATCHING, State.TEMPLATE}
)


class Purpose(StrEnum):
    ENROLL = "enroll"
    AUTH = "auth"
    FORGET = "forget"


class ErrorCode(StrEnum):
    NO_FACES_DETECTED = "NO_FACES_DETECTED"  # nobody in view until the capture timeout
    MANY_FACES = "MANY_FACES"  # more than one face kept in view
    UNRECOGNIZED_FACE = "UNRECOGNIZED_FACE"  # a live face that matches no Index ID
    PAD_ATTACK = "PAD_ATTACK"  # liveness saw an attack (photo, screen, replay, frozen feed...)
    WRONG_PIN_CODE = "WRONG_PIN_CODE"  # PIN wrong pin.max_tries times: attempt aborted
    PIN_LOCKED = "PIN_LOCKED"  # this Index ID is in a PIN lockout (backoff)
    FACE_DUPLICATION = "FACE_DUPLICATION"  # enrollment of a face already enrolled
    TERMS_NOT_ACCEPTED = "TERMS_NOT_ACCEPTED"  # consent declined: nothing stored
    TIMEOUT = "TIMEOUT"  # no progress / no input for too long
    TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS"  # the kiosk is in a failure lockout
    MINORS_NOT_ALLOWED = "MINORS_NOT_ALLOWED"  # estimated age below kiosk.min_age
    AGE_UNKNOWN = "AGE_UNKNOWN"  # kiosk.min_age set but the engine gives no age
    FACE_MASKED = "FACE_MASKED"  # masked/obscured face and kiosk.allow_masked is off
    POOR_QUALITY = "POOR_QUALITY"  # a face was there but never good enough in time
    EXPIRED = "EXPIRED"  # the Index ID's validity period is over
    NOT_IN_SCHEDULE = "NOT_IN_SCHEDULE"  # none of the person's access groups is open now
    ACCESS_DENIED = "ACCESS_DENIED"  # not in any access group this kiosk admits
    OPTED_OUT = "OPTED_OUT"  # the Index ID is on the opt-out list
    ANTI_PASSBACK = "ANTI_PASSBACK"  # same direction twice in a row (access mode)
    HOOK_FAILED = "HOOK_FAILED"  # recognised, but the door/relay/command did not run
    CANCELLED = "CANCELLED"  # the person pressed cancel
    SYSTEM_ERROR = "SYSTEM_ERROR"  # storage or engine failure: try again or ask staff
    # liveness not confirmed, with no evidence of an attack (wrong head move twice, the
    # model stayed unsure, too many interruptions): try again, nobody is accused
    LIVENESS_NOT_CONFIRMED = "LIVENESS_NOT_CONFIRMED"


class ResultKind(StrEnum):
    ENROLLED = "ENROLLED"
    AUTHENTICATED = "AUTHENTICATED"  # recognised (no attendance/access action)
    CHECK_IN = "CHECK_IN"
    CHECK_OUT = "CHECK_OUT"
    ALREADY_RECORDED = "ALREADY_RECORDED"  # attendance debounce: nothing new stored
    GRANTED = "GRANTED"  # access mode: the output hook ran
    FORGOTTEN = "FORGOTTEN"  # self-service purge done
    ERROR = "ERROR"


class PinIssue(StrEnum):
    """Why a PIN typed at set-up is refused (the person picks another)."""

    NOT_DIGITS = "PIN_NOT_DIGITS"
    TOO_SHORT = "PIN_TOO_SHORT"
    TOO_LONG = "PIN_TOO_LONG"
    REPEATED = "PIN_REPEATED"  # 1111, 1212, 123123
    SEQUENTIAL = "PIN_SEQUENTIAL"  # 1234, 9876, 7890
    COMMON = "PIN_COMMON"  # on the common-PIN list
    NOT_UNIQUE = "PIN_NOT_UNIQUE"  # pin.unique and someone already uses it
    MISMATCH = "PIN_MISMATCH"  # confirmation differs


class SessionGuidance(StrEnum):
    """Guidance the session adds to the quality gate's codes (engine.quality.Guidance)."""

    MASKED = "MASKED"  # take off the mask (kiosk.allow_masked = false)
    AGE_UNKNOWN = "AGE_UNKNOWN"  # min_age set, the engine gives no age: ask staff
    MOVE_SLIGHTLY = "MOVE_SLIGHTLY"  # enrollment: turn the head a little between frames


LIVENESS_PROMPTS = ("BLINK", "TURN_LEFT", "TURN_RIGHT", "LOOK_UP", "LOOK_DOWN")
# Pending-state guidance of the liveness session (engine.liveness.codes.Guidance).
LIVENESS_GUIDANCE = ("STEP_BACK", "FACE_CAMERA")


def message_keys() -> set[str]:
    """Every `SessionView.message_key` the session can produce: the UI's translation table
    must cover them all (a test in the UI can check against this)."""
    from facekiosk.engine.quality import Guidance

    keys = {f"error.{c.lower()}" for c in ErrorCode}
    keys |= {f"result.{k.lower()}" for k in ResultKind if k != ResultKind.ERROR}
    keys |= {f"pin.{p.lower()}" for p in PinIssue}
    keys |= {f"state.{s.lower()}" for s in State}
    keys |= {f"guide.{g.lower()}" for g in (*Guidance, *SessionGuidance)}
    keys |= {f"liveness.{a.lower()}" for a in (*LIVENESS_PROMPTS, *LIVENESS_GUIDANCE)}
    keys |= {f"liveness.retry_{a.lower()}" for a in LIVENESS_PROMPTS}  # after a wrong move
    return keys
