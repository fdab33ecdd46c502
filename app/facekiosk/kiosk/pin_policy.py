"""PIN policy: when a PIN is set up or asked for, and which PINs are too weak.

The vault stores PINs only as scrypt hashes and compares in constant time; this
module decides *policy*. Weak PINs are refused at set-up: one repeated block
(1111, 1212, 123123), a run up or down the digits (1234, 9876, 7890), a
keypad line (2580) or a commonly used PIN (birth years included).
"""

from __future__ import annotations

import hmac
import itertools

from facekiosk.kiosk.codes import PinIssue
from facekiosk.settings import PinSettings

# Most-used PINs from published analyses of leaked PIN sets, plus keypad lines.
_COMMON = """
    1234 1111 0000 1212 7777 1004 2000 4444 2222 6969 9999 3333 5555 6666 1122 1313
    8888 4321 2001 1010 2580 0852 1478 3698 7410 9630 1397 7913 1590 0007 1230 0123
    2468 1357 5683 0911 1225 0101 0202 1001 2012 2323 1986 4200 6789 5678 2112 5150
    123456 654321 111111 000000 121212 112233 123123 159753 696969 666666 987654
    131313 789456 123321 147258 147852 258369 102030 010203 520520 112358 222222
    555555 999999 777777 888888 1234567 12345678 87654321 11111111 123456789
"""
COMMON_PINS: frozenset[str] = frozenset(_COMMON.split())


def pin_issues(pin: str, settings: PinSettings) -> list[PinIssue]:
    """Every reason `pin` is refused at set-up (empty list = acceptable)."""
    if not pin.isascii() or not pin.isdigit():
        return [PinIssue.NOT_DIGITS]
    issues: list[PinIssue] = []
    if len(pin) < settings.min_length:
        issues.append(PinIssue.TOO_SHORT)
    if len(pin) > settings.max_length:
        issues.append(PinIssue.TOO_LONG)
    if _is_repeated_block(pin):
        issues.append(PinIssue.REPEATED)
    if _is_sequential(pin):
        issues.append(PinIssue.SEQUENTIAL)
    if pin in COMMON_PINS or _looks_like_year(pin):
        issues.append(PinIssue.COMMON)
    return issues


def _is_repeated_block(pin: str) -> bool:
    n = len(pin)
    return any(n % size == 0 and pin == pin[:size] * (n // size) for size in range(1, n // 2 + 1))


def _is_sequential(pin: str) -> bool:
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    return steps in ({1}, {9})  # +1 or -1 every time (wrapping 9 -> 0)


def _looks_like_year(pin: str) -> bool:
    return len(pin) == 4 and pin[:2] in ("19", "20")


def pins_equal(a: str, b: str) -> bool:
    """Constant-time equality for the set-up confirmation (nothing leaks by timing)."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def pin_required_at_enroll(settings: PinSettings) -> bool:
    """A PIN that may be asked at authentication must exist: always and low_confidence."""
    return settings.policy in ("always", "low_confidence")


def pin_offered_at_enroll(settings: PinSettings) -> bool:
    return settings.policy != "never"
