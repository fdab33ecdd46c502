"""Pure policy pieces: PIN strength, consent versions, lockout backoff, schedules,
attendance arithmetic. No engine needed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from facekiosk.kiosk import ErrorCode, PinIssue, ResultKind
from facekiosk.kiosk.attendance import PassRecord, day_summary, next_attendance
from facekiosk.kiosk.consent import ConsentError, available_languages, consent_version, load_consent
from facekiosk.kiosk.lockout import Backoff, IdLockouts, KioskLockout
from facekiosk.kiosk.match_policy import pin_needed_for_auth
from facekiosk.kiosk.pin_policy import pin_issues, pins_equal
from facekiosk.kiosk.receipt import enrollment_receipt, purge_receipt
from facekiosk.kiosk.restrictions import (
    AccessPolicy,
    AccessPolicyError,
    WeeklyWindow,
    forget_in_policy,
)
from facekiosk.kiosk.store import MemoryCounters
from facekiosk.settings import PinSettings


@pytest.mark.parametrize(
    ("pin", "issue"),
    [
        ("1111", PinIssue.REPEATED),
        ("121212", PinIssue.REPEATED),
        ("123123", PinIssue.REPEATED),
        ("1234", PinIssue.SEQUENTIAL),
        ("9876", PinIssue.SEQUENTIAL),
        ("7890", PinIssue.SEQUENTIAL),
        ("2580", PinIssue.COMMON),
        ("1986", PinIssue.COMMON),
        ("6969", PinIssue.COMMON),
        ("123", PinIssue.TOO_SHORT),
        ("12345678901234567", PinIssue.TOO_LONG),
        ("12a4", PinIssue.NOT_DIGITS),
        ("٣٤٥٦", PinIssue.NOT_DIGITS),  # non-ASCII digits
        ("", PinIssue.NOT_DIGITS),
    ],
)
def test_weak_pins_refused(pin, issue):
    assert issue in pin_issues(pin, PinSettings())


@pytest.mark.parametrize("pin", ["2791", "8305", "472916", "0392817465"])
def test_reasonable_pins_accepted(pin):
    assert pin_issues(pin, PinSettings()) == []


def test_pin_length_follows_settings():
    assert PinIssue.TOO_SHORT in pin_issues("2791", PinSettings(min_length=6))
    assert PinIssue.TOO_LONG in pin_issues("472916", PinSettings(max_length=5))


def test_when_a_pin_is_asked():
    ask = pin_needed_for_auth
    for policy, has_pin, sim, expected in [
        ("never", True, 0.5, False),
        ("always", True, 0.99, True),
        ("always", False, 0.5, False),  # nothing to ask for
        ("optional", True, 0.99, True),  # the person chose one: their record requires it
        ("optional", False, 0.99, False),
        ("low_confidence", True, 0.93, True),
        ("low_confidence", True, 0.98, False),
    ]:
        got = ask(
            PinSettings(policy=policy), has_pin=has_pin, similarity=sim, confident_threshold=0.97
        )
        assert got is expected, (policy, has_pin, sim)
    assert pins_equal("2791", "2791") and not pins_equal("2791", "2790")


def test_consent_version_follows_the_text(tmp_path):
    (tmp_path / "en.md").write_text("# Consent\nWe store a template.\n", encoding="utf-8")
    first = load_consent("en", folder=tmp_path)
    assert first.title == "Consent" and first.version.startswith("en-")
    # line endings and trailing spaces are not a change of meaning
    (tmp_path / "en.md").write_text("# Consent  \r\nWe store a template.\r\n", encoding="utf-8")
    assert load_consent("en", folder=tmp_path).version == first.version
    (tmp_path / "en.md").write_text(
        "# Consent\nWe store a template for 2 years.\n", encoding="utf-8"
    )
    changed = load_consent("en", folder=tmp_path)
    assert changed.version != first.version
    with pytest.raises(ConsentError, match="review the new text"):
        load_consent("en", pinned_version=first.version, folder=tmp_path)
    assert load_consent("fr", folder=tmp_path).language == "en"  # falls back to English
    with pytest.raises(ConsentError):
        load_consent("../etc/passwd", folder=tmp_path)


def test_shipped_consent_texts():
    assert {"en", "de"} <= set(available_languages())
    en, de = load_consent("en"), load_consent("de")
    assert en.version == consent_version("en", en.text) and de.version.startswith("de-")
    for text in (en, de):  # what, why, where, how long, how to withdraw
        assert text.text.count("\n## ") >= 5


def test_receipt_codes_are_short_stable_and_distinct():
    a, b = enrollment_receipt("id-a"), enrollment_receipt("id-b")
    assert a == enrollment_receipt("id-a") and a != b
    assert len(a) == 9 and a[4] == "-" and not set(a) & set("ILOU")
    assert purge_receipt("id-a", 7) != purge_receipt("id-a", 8)


def test_id_lockout_backoff_doubles_and_clears():
    store = MemoryCounters()
    locks = IdLockouts(store, Backoff(60, 200))
    assert locks.remaining("x", 0) == 0
    assert locks.lock("x", 1000) == 60 and locks.remaining("x", 1030) == 30
    assert locks.lock("x", 2000) == 120
    assert locks.lock("x", 3000) == 200  # capped
    assert locks.remaining("y", 3000) == 0  # per Index ID
    locks.clear("x")
    assert locks.remaining("x", 3001) == 0 and store.values == {}


def test_kiosk_lockout_after_failures_in_window():
    lock = KioskLockout(
        MemoryCounters(), "k1", max_failures=3, window_s=60, backoff=Backoff(30, 600)
    )
    assert lock.record_failure(0) == 0 and lock.record_failure(10) == 0
    assert lock.record_failure(100) == 0  # the window moved on: counting restarts
    assert lock.record_failure(110) == 0
    assert lock.record_failure(120) == 30 and lock.remaining(130) == 20
    for t in (200, 201):
        lock.record_failure(t)
    assert lock.record_failure(202) == 60  # second lockout: doubled


def test_weekly_windows():
    w = WeeklyWindow.parse("mon-fri 07:00-19:00")
    monday = datetime(2026, 3, 2, 8, 0)  # a Monday
    assert w.contains(monday) and not w.contains(monday.replace(hour=19))
    assert not w.contains(monday + timedelta(days=5))  # Saturday
    night = WeeklyWindow.parse("fri 22:00-06:00")
    friday = datetime(2026, 3, 6, 23, 0)
    assert night.contains(friday) and night.contains(friday + timedelta(hours=6))  # Sat 05:00
    assert not night.contains(friday + timedelta(hours=8))
    wrap = WeeklyWindow.parse("sat-mon 10:00-12:00")
    assert wrap.days == frozenset({5, 6, 0})
    assert WeeklyWindow.parse("sat,sun 10:00-24:00").contains(datetime(2026, 3, 7, 23, 59))
    for bad in ("weekdays 7-19", "mon 25:00-26:00", "xyz 07:00-08:00"):
        with pytest.raises(AccessPolicyError):
            WeeklyWindow.parse(bad)


def test_access_policy_decisions_and_file_round_trip(tmp_path):
    policy = AccessPolicy.parse(
        """
        optout = ["id-opt"]
        [groups.staff]
        schedule = ["mon-fri 07:00-19:00"]
        members = ["id-a", "id-opt"]
        [groups.night]
        schedule = ["mon-sun 22:00-06:00"]
        members = ["id-b"]
        """
    )
    monday_9 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    check = policy.check
    assert check("id-a", monday_9) is None  # kiosk without group restriction
    assert check("id-a", monday_9, kiosk_groups=["staff"]) is None
    assert check("id-b", monday_9, kiosk_groups=["staff"]) == ErrorCode.ACCESS_DENIED
    assert check("id-b", monday_9, kiosk_groups=["staff", "night"]) == ErrorCode.NOT_IN_SCHEDULE
    assert check("id-b", monday_9.replace(hour=23), kiosk_groups=["night"]) is None
    assert check("id-opt", monday_9) == ErrorCode.OPTED_OUT
    expired = monday_9 - timedelta(seconds=1)
    assert check("id-a", monday_9, valid_until=expired) == ErrorCode.EXPIRED
    policy.save(tmp_path)
    again = AccessPolicy.load(tmp_path)
    assert again.dump() == policy.dump() and again.groups["staff"].members == {"id-a", "id-opt"}
    assert forget_in_policy(tmp_path, ["id-opt", "id-unknown"]) == 2
    assert "id-opt" not in AccessPolicy.load(tmp_path).dump()
    assert forget_in_policy(tmp_path / "nowhere", ["id-a"]) == 0
    with pytest.raises(AccessPolicyError):
        AccessPolicy.parse("[groups.x]\nmembers = 3\n")
    assert AccessPolicy.load(tmp_path / "nowhere").groups == {}


def test_attendance_alternates_and_debounces():
    t0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    debounce = timedelta(minutes=5)
    assert next_attendance(None, t0, debounce) == ResultKind.CHECK_IN
    came = PassRecord(t0, "a", "check_in")
    assert next_attendance(came, t0 + timedelta(minutes=4), debounce) == ResultKind.ALREADY_RECORDED
    assert next_attendance(came, t0 + timedelta(hours=8), debounce) == ResultKind.CHECK_OUT
    left = PassRecord(t0 + timedelta(hours=8), "a", "check_out")
    assert next_attendance(left, t0 + timedelta(hours=9), debounce) == ResultKind.CHECK_IN
    # a check-in left open yesterday does not turn today's first pass into a check-out
    assert next_attendance(came, t0 + timedelta(days=1), debounce) == ResultKind.CHECK_IN


def test_day_summary():
    t0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    h = timedelta(hours=1)
    records = [
        PassRecord(t0, "a", "check_in"),
        PassRecord(t0 + 4 * h, "a", "check_out"),
        PassRecord(t0 + 5 * h, "a", "check_in"),
        PassRecord(t0 + 9 * h, "a", "check_out"),
        PassRecord(t0 + 1 * h, "b", "check_in"),
        PassRecord(t0 + 24 * h, "b", "check_out"),  # the next day
    ]
    a, b = day_summary(records, date(2026, 3, 2), UTC)
    assert (a.index_id, a.check_ins, a.check_outs, a.present_minutes, a.open) == (
        "a",
        2,
        2,
        480.0,
        False,
    )
    assert a.first_in == t0 and a.last_out == t0 + 9 * h
    assert (b.index_id, b.open, b.last_out) == ("b", True, None)


def test_every_error_code_is_reached_by_a_test():
    """A new error code needs a test that reaches it (the note lists which one)."""
    from pathlib import Path

    sources = "".join(p.read_text() for p in Path(__file__).parent.glob("test_*.py"))
    assert [c for c in ErrorCode if f"ErrorCode.{c.name}" not in sources] == []


def test_message_keys_cover_what_the_session_shows():
    from facekiosk.kiosk.codes import message_keys

    keys = message_keys()
    assert {"error.pad_attack", "guide.too_far", "guide.masked", "liveness.blink"} <= keys
    assert {"pin.pin_sequential", "result.check_in", "state.pin_entry"} <= keys
    assert "result.error" not in keys  # errors speak through error.*
