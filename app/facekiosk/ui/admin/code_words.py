"""Words an admin reads for the codes the vault stores: event kinds, decisions, states.

The vault, the CSV export and the API keep the codes ("check_in", "revoked"): integrators
match on them. The panel shows the word in the admin's language with the code in the
cell's tooltip, so a German admin reads "Check-in" and can still find "check_in" in an
export. A code with no word here (a newer kiosk's, a site peer's) is shown as it is.
"""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

_C = "CodeWords"
# QT_TRANSLATE_NOOP returns its text; PySide6 types it as object.
_WORDS = cast(
    dict[str, str],
    {
        # event kinds
        "enroll": QT_TRANSLATE_NOOP("CodeWords", "enrolment"),
        "auth": QT_TRANSLATE_NOOP("CodeWords", "sign-in"),
        "attendance": QT_TRANSLATE_NOOP("CodeWords", "attendance"),
        "access": QT_TRANSLATE_NOOP("CodeWords", "access"),
        "forget": QT_TRANSLATE_NOOP("CodeWords", "forget me"),
        "session": QT_TRANSLATE_NOOP("CodeWords", "session"),
        # decisions
        "enrolled": QT_TRANSLATE_NOOP("CodeWords", "enrolled"),
        "deny": QT_TRANSLATE_NOOP("CodeWords", "refused"),
        "check_in": QT_TRANSLATE_NOOP("CodeWords", "check in"),
        "check_out": QT_TRANSLATE_NOOP("CodeWords", "check out"),
        "grant_in": QT_TRANSLATE_NOOP("CodeWords", "let in"),
        "grant_out": QT_TRANSLATE_NOOP("CodeWords", "let out"),
        "purged": QT_TRANSLATE_NOOP("CodeWords", "deleted"),
        "timeout": QT_TRANSLATE_NOOP("CodeWords", "timed out"),
        # API key and Index ID states
        "active": QT_TRANSLATE_NOOP("CodeWords", "active"),
        "no_template": QT_TRANSLATE_NOOP("CodeWords", "no template"),
        "revoked": QT_TRANSLATE_NOOP("CodeWords", "revoked"),
        "expired": QT_TRANSLATE_NOOP("CodeWords", "expired"),
    },
)


def word_for(code: str) -> str:
    """The translated word for a stored code; the code itself when it has none."""
    source = _WORDS.get(code)
    return QCoreApplication.translate(_C, source) if source else code
