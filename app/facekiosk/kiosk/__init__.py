"""Kiosk flows without Qt: consent, enrollment, authentication, PIN, forget-me,
attendance and access. The UI draws `KioskSession.view` and feeds frames and buttons."""

from facekiosk.kiosk.codes import ErrorCode, PinIssue, Purpose, ResultKind, State
from facekiosk.kiosk.consent import ConsentError, ConsentText, load_consent
from facekiosk.kiosk.session import MAX_PAYLOAD_BYTES, KioskError, KioskSession
from facekiosk.kiosk.view import KioskEvent, Result, SessionView

__all__ = [
    "MAX_PAYLOAD_BYTES",
    "ConsentError",
    "ConsentText",
    "ErrorCode",
    "KioskError",
    "KioskEvent",
    "KioskSession",
    "PinIssue",
    "Purpose",
    "Result",
    "ResultKind",
    "SessionView",
    "State",
    "load_consent",
]
