"""The words the kiosk shows for the session's stable codes, through Qt's translator.

The session gives one `message_key` (e.g. "guide.too_far", "error.pad_attack");
this table holds the English source text, marked with QT_TRANSLATE_NOOP so
`pyside6-lupdate` extracts it into resources/translations/*.ts.
"""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

CONTEXT = "Messages"

# QT_TRANSLATE_NOOP returns its text; PySide6 types it as object
MESSAGES: dict[str, str] = cast(dict[str, str], {
    "state.idle": QT_TRANSLATE_NOOP("Messages", "Welcome"),
    "state.consent": QT_TRANSLATE_NOOP("Messages", "Please read and decide"),
    "state.capture": QT_TRANSLATE_NOOP("Messages", "Look at the camera"),
    "state.liveness": QT_TRANSLATE_NOOP("Messages", "Checking that you are really here"),
    "state.matching": QT_TRANSLATE_NOOP("Messages", "Recognising you, hold still"),
    "state.template": QT_TRANSLATE_NOOP("Messages", "Hold still, move your head slightly"),
    "state.pin_setup": QT_TRANSLATE_NOOP("Messages", "Choose a PIN"),
    "state.pin_confirm": QT_TRANSLATE_NOOP("Messages", "Type the same PIN again"),
    "state.pin_entry": QT_TRANSLATE_NOOP("Messages", "Type your PIN"),
    "state.forget_confirm": QT_TRANSLATE_NOOP("Messages", "Delete your data for good?"),
    "state.result": QT_TRANSLATE_NOOP("Messages", "Done"),
    "guide.no_face": QT_TRANSLATE_NOOP("Messages", "Step in front of the camera"),
    "guide.many_faces": QT_TRANSLATE_NOOP("Messages", "Only one person, please"),
    "guide.too_far": QT_TRANSLATE_NOOP("Messages", "Come closer"),
    "guide.too_close": QT_TRANSLATE_NOOP("Messages", "Step back a little"),
    "guide.cut_off": QT_TRANSLATE_NOOP("Messages", "Move your whole face into the frame"),
    "guide.blurred": QT_TRANSLATE_NOOP("Messages", "Hold still"),
    "guide.too_dark": QT_TRANSLATE_NOOP("Messages", "It is too dark"),
    "guide.too_bright": QT_TRANSLATE_NOOP("Messages", "It is too bright"),
    "guide.move_left": QT_TRANSLATE_NOOP("Messages", "Move to your left"),
    "guide.move_right": QT_TRANSLATE_NOOP("Messages", "Move to your right"),
    "guide.move_up": QT_TRANSLATE_NOOP("Messages", "Move up a little"),
    "guide.move_down": QT_TRANSLATE_NOOP("Messages", "Move down a little"),
    # pose guidance says where the face should END (face the camera): "Turn your head
    # slightly to your left" read almost like the challenge "Turn your head to your left"
    "guide.turn_left": QT_TRANSLATE_NOOP(
        "Messages", "Face the camera: head a bit more to your left"
    ),
    "guide.turn_right": QT_TRANSLATE_NOOP(
        "Messages", "Face the camera: head a bit more to your right"
    ),
    "guide.look_up": QT_TRANSLATE_NOOP("Messages", "Face the camera: chin a little higher"),
    "guide.look_down": QT_TRANSLATE_NOOP("Messages", "Face the camera: chin a little lower"),
    "guide.tilt_head": QT_TRANSLATE_NOOP("Messages", "Keep your head straight"),
    "guide.eyes_closed": QT_TRANSLATE_NOOP("Messages", "Open your eyes"),
    "guide.masked": QT_TRANSLATE_NOOP("Messages", "Please take off your mask"),
    "guide.age_unknown": QT_TRANSLATE_NOOP(
        "Messages", "Your age cannot be checked here: please ask staff"
    ),
    "guide.move_slightly": QT_TRANSLATE_NOOP("Messages", "Turn your head a little"),
    "liveness.blink": QT_TRANSLATE_NOOP("Messages", "Blink"),
    "liveness.turn_left": QT_TRANSLATE_NOOP("Messages", "Turn your head to your left"),
    "liveness.turn_right": QT_TRANSLATE_NOOP("Messages", "Turn your head to your right"),
    "liveness.look_up": QT_TRANSLATE_NOOP("Messages", "Look up"),
    "liveness.look_down": QT_TRANSLATE_NOOP("Messages", "Look down"),
    # liveness guidance: the model needs some context around the face; the next prompt
    # waits for the head to face the camera again
    "liveness.step_back": QT_TRANSLATE_NOOP("Messages", "Please step back a little"),
    "liveness.face_camera": QT_TRANSLATE_NOOP("Messages", "Look straight at the camera again"),
    # the same prompt after a wrong move (a second wrong move ends the check)
    "liveness.retry_blink": QT_TRANSLATE_NOOP("Messages", "Keep your head still and just blink"),
    "liveness.retry_turn_left": QT_TRANSLATE_NOOP(
        "Messages", "Other way: turn your head to your LEFT"
    ),
    "liveness.retry_turn_right": QT_TRANSLATE_NOOP(
        "Messages", "Other way: turn your head to your RIGHT"
    ),
    "liveness.retry_look_up": QT_TRANSLATE_NOOP("Messages", "Not quite: look UP"),
    "liveness.retry_look_down": QT_TRANSLATE_NOOP("Messages", "Not quite: look DOWN"),
    "result.enrolled": QT_TRANSLATE_NOOP("Messages", "You are enrolled"),
    "result.authenticated": QT_TRANSLATE_NOOP("Messages", "Welcome back"),
    "result.check_in": QT_TRANSLATE_NOOP("Messages", "Checked in"),
    "result.check_out": QT_TRANSLATE_NOOP("Messages", "Checked out"),
    "result.already_recorded": QT_TRANSLATE_NOOP("Messages", "Already recorded"),
    "result.granted": QT_TRANSLATE_NOOP("Messages", "Access granted"),
    "result.forgotten": QT_TRANSLATE_NOOP("Messages", "Your data has been deleted"),
    "result.error": QT_TRANSLATE_NOOP("Messages", "Something went wrong"),
    "error.no_faces_detected": QT_TRANSLATE_NOOP("Messages", "No face was found"),
    "error.many_faces": QT_TRANSLATE_NOOP("Messages", "More than one face was in view"),
    "error.unrecognized_face": QT_TRANSLATE_NOOP("Messages", "We do not recognise you"),
    "error.pad_attack": QT_TRANSLATE_NOOP("Messages", "The liveness check failed"),
    "error.wrong_pin_code": QT_TRANSLATE_NOOP("Messages", "Wrong PIN"),
    "error.pin_locked": QT_TRANSLATE_NOOP("Messages", "Too many wrong PINs: try again later"),
    "error.face_duplication": QT_TRANSLATE_NOOP("Messages", "You are already enrolled"),
    "error.terms_not_accepted": QT_TRANSLATE_NOOP("Messages", "You declined: nothing was stored"),
    "error.timeout": QT_TRANSLATE_NOOP("Messages", "Time is up"),
    "error.too_many_requests": QT_TRANSLATE_NOOP("Messages", "Too many attempts: please wait"),
    "error.minors_not_allowed": QT_TRANSLATE_NOOP("Messages", "Not available for minors"),
    "error.age_unknown": QT_TRANSLATE_NOOP("Messages", "Your age could not be checked"),
    "error.face_masked": QT_TRANSLATE_NOOP("Messages", "Please uncover your face"),
    "error.poor_quality": QT_TRANSLATE_NOOP("Messages", "The picture was not clear enough"),
    "error.expired": QT_TRANSLATE_NOOP("Messages", "Your enrolment has expired"),
    "error.not_in_schedule": QT_TRANSLATE_NOOP("Messages", "Not allowed at this time"),
    "error.access_denied": QT_TRANSLATE_NOOP("Messages", "Access denied"),
    "error.opted_out": QT_TRANSLATE_NOOP("Messages", "You opted out of face recognition"),
    "error.anti_passback": QT_TRANSLATE_NOOP("Messages", "You already passed this way"),
    "error.hook_failed": QT_TRANSLATE_NOOP("Messages", "Recognised, but the door did not open"),
    "error.cancelled": QT_TRANSLATE_NOOP("Messages", "Cancelled"),
    "error.system_error": QT_TRANSLATE_NOOP(
        "Messages", "Something went wrong: please try again or ask staff"
    ),
    "error.liveness_not_confirmed": QT_TRANSLATE_NOOP(
        "Messages", "We could not confirm that you are really here: please try again"
    ),
    "pin.pin_not_digits": QT_TRANSLATE_NOOP("Messages", "Use digits only"),
    "pin.pin_too_short": QT_TRANSLATE_NOOP("Messages", "That PIN is too short"),
    "pin.pin_too_long": QT_TRANSLATE_NOOP("Messages", "That PIN is too long"),
    "pin.pin_repeated": QT_TRANSLATE_NOOP("Messages", "Too easy to guess: no repeats"),
    "pin.pin_sequential": QT_TRANSLATE_NOOP("Messages", "Too easy to guess: no sequences"),
    "pin.pin_common": QT_TRANSLATE_NOOP("Messages", "Too common: choose another"),
    "pin.pin_not_unique": QT_TRANSLATE_NOOP("Messages", "Choose another PIN"),
    "pin.pin_mismatch": QT_TRANSLATE_NOOP("Messages", "The PINs differ: start again"),
})

# One line of advice per error code: what the person can do now (issue 17).
ADVICE: dict[str, str] = cast(dict[str, str], {
    "NO_FACES_DETECTED": QT_TRANSLATE_NOOP(
        "Messages", "Stand about an arm's length from the screen, face towards it."
    ),
    "MANY_FACES": QT_TRANSLATE_NOOP(
        "Messages", "Make sure nobody else is in view, then try again."
    ),
    "UNRECOGNIZED_FACE": QT_TRANSLATE_NOOP(
        "Messages", "Not enrolled yet? Choose \"Enrol (first time)\" on the start screen."
    ),
    "PAD_ATTACK": QT_TRANSLATE_NOOP(
        "Messages", "Use your own face, not a photo or a screen. Ask staff if this repeats."
    ),
    "WRONG_PIN_CODE": QT_TRANSLATE_NOOP(
        "Messages", "Check your PIN and try again; more wrong PINs lock it for a while."
    ),
    "PIN_LOCKED": QT_TRANSLATE_NOOP(
        "Messages", "Your PIN is locked after wrong tries: wait, or ask staff."
    ),
    "FACE_DUPLICATION": QT_TRANSLATE_NOOP(
        "Messages", "You can already sign in from the start screen."
    ),
    "TERMS_NOT_ACCEPTED": QT_TRANSLATE_NOOP(
        "Messages", "Nothing was stored. Ask staff about the other way in."
    ),
    "TIMEOUT": QT_TRANSLATE_NOOP("Messages", "Take your time and try again."),
    "TOO_MANY_REQUESTS": QT_TRANSLATE_NOOP(
        "Messages", "Several attempts failed in a row. You can try again when the time is up."
    ),
    "MINORS_NOT_ALLOWED": QT_TRANSLATE_NOOP("Messages", "Please ask staff for help."),
    "AGE_UNKNOWN": QT_TRANSLATE_NOOP("Messages", "Please ask staff for help."),
    "FACE_MASKED": QT_TRANSLATE_NOOP(
        "Messages", "Take off a mask, scarf or sunglasses, then try again."
    ),
    "POOR_QUALITY": QT_TRANSLATE_NOOP(
        "Messages", "Face the screen in even light, an arm's length away, and hold still."
    ),
    "EXPIRED": QT_TRANSLATE_NOOP("Messages", "Ask staff to renew your enrolment."),
    "NOT_IN_SCHEDULE": QT_TRANSLATE_NOOP("Messages", "Please come back in your allowed hours."),
    "ACCESS_DENIED": QT_TRANSLATE_NOOP("Messages", "This kiosk is not open to you: ask staff."),
    "OPTED_OUT": QT_TRANSLATE_NOOP("Messages", "Please use the site's other way in."),
    "ANTI_PASSBACK": QT_TRANSLATE_NOOP(
        "Messages", "You are already recorded in this direction: use the other door."
    ),
    "HOOK_FAILED": QT_TRANSLATE_NOOP(
        "Messages", "Try once more; if the door stays shut, ask staff."
    ),
    "CANCELLED": QT_TRANSLATE_NOOP("Messages", "Nothing was stored."),
    "SYSTEM_ERROR": QT_TRANSLATE_NOOP(
        "Messages", "Try again in a moment; if it repeats, ask staff."
    ),
    "LIVENESS_NOT_CONFIRMED": QT_TRANSLATE_NOOP(
        "Messages", "Follow the prompts on the screen, in good light, facing the camera."
    ),
})
# Errors where trying again at once can help (the rest need staff, time or a decision).
RETRYABLE = frozenset(
    {
        "NO_FACES_DETECTED", "MANY_FACES", "UNRECOGNIZED_FACE", "PAD_ATTACK", "WRONG_PIN_CODE",
        "TIMEOUT", "TOO_MANY_REQUESTS", "FACE_MASKED", "POOR_QUALITY", "HOOK_FAILED",
        "CANCELLED", "SYSTEM_ERROR", "LIVENESS_NOT_CONFIRMED",
    }
)  # fmt: skip

# Guidance code -> the preview's arrow (from the person's point of view, preview mirrored).
ARROW_FOR_GUIDANCE: dict[str, str] = {
    "TOO_FAR": "closer",
    "TOO_CLOSE": "back",
    "MOVE_LEFT": "left",
    "MOVE_RIGHT": "right",
    "MOVE_UP": "up",
    "MOVE_DOWN": "down",
    "TURN_LEFT": "left",
    "TURN_RIGHT": "right",
    "LOOK_UP": "up",
    "LOOK_DOWN": "down",
}
# A liveness prompt (challenge action or guidance) -> the arrow; the preview is mirrored, so
# "left" (the screen's left edge) is the person's own left, as TURN_LEFT means. A repeated
# prompt after a wrong move keeps its arrow (the words say "other way").
ARROW_FOR_PROMPT: dict[str, str] = {
    "STEP_BACK": "back",
    "TURN_LEFT": "left",
    "TURN_RIGHT": "right",
    "LOOK_UP": "up",
    "LOOK_DOWN": "down",
}


def text(key: str) -> str:
    """The translated text for a message key; an unknown key shows itself (never blank)."""
    source = MESSAGES.get(key)
    if source is None:
        return key
    return QCoreApplication.translate(CONTEXT, source)


def advice(code: str) -> str:
    """One translated line of advice for an error code ("" for a code without one)."""
    source = ADVICE.get(code)
    return QCoreApplication.translate(CONTEXT, source) if source else ""
