"""PIN at authentication, lockouts, self-service forget-me, access mode, restrictions.

Real frames, the real dlib engine and a real vault; liveness "off" (still images).
"""

from __future__ import annotations

import sys
from datetime import timedelta

import pytest

from facekiosk.kiosk import ErrorCode, PinIssue, ResultKind, State
from facekiosk.kiosk.access_hook import CommandHook, GrantEvent, HookError, RelayHook
from facekiosk.kiosk.consent import consent_version
from facekiosk.kiosk.receipt import purge_receipt
from facekiosk.kiosk.restrictions import AccessGroup, AccessPolicy

from .conftest import flow_settings


def test_pin_setup_refuses_weak_and_mismatched_pins(make_kiosk, people):
    k = make_kiosk(flow_settings(pin_policy="always"))
    s = k.session
    s.start_enroll()
    s.accept_consent()
    assert k.feed(people["t1_5"]) == State.PIN_SETUP
    assert not s.view.pin_skippable
    assert s.enter_pin("1234").pin_issue == PinIssue.SEQUENTIAL
    assert s.enter_pin("0000").pin_issue == PinIssue.REPEATED
    assert s.enter_pin("12").pin_issue == PinIssue.TOO_SHORT
    assert s.enter_pin("5831").state == State.PIN_CONFIRM
    view = s.enter_pin("5832")
    assert view.state == State.PIN_SETUP and view.pin_issue == PinIssue.MISMATCH
    s.enter_pin("5831")
    assert s.enter_pin("5831").result.kind == ResultKind.ENROLLED


def test_unique_pin_option(make_kiosk, people):
    settings = flow_settings(pin_policy="always")
    settings.pin.unique = True
    k = make_kiosk(settings)
    k.enroll(people["t1_0"], pin="5831")
    k.session.start_enroll()
    k.session.accept_consent()
    k.feed(people["t1_2"])
    assert k.session.enter_pin("5831").pin_issue == PinIssue.NOT_UNIQUE
    assert k.session.enter_pin("7302").state == State.PIN_CONFIRM


def test_wrong_pin_three_times_locks_the_index_id(make_kiosk, people):
    k = make_kiosk(flow_settings(pin_policy="always"))
    s = k.session
    index_id = k.enroll(people["t1_0"], pin="5831")
    s.start_auth()
    assert k.feed(people["t1_0"]) == State.PIN_ENTRY
    assert s.view.pin_tries_left == 3
    view = s.enter_pin("1111")
    assert view.state == State.PIN_ENTRY and view.error == ErrorCode.WRONG_PIN_CODE
    assert view.pin_tries_left == 2
    s.enter_pin("2222")
    view = s.enter_pin("3333")
    assert view.state == State.RESULT and view.error == ErrorCode.WRONG_PIN_CODE
    assert view.result.detail == "locked 60s"
    # Back within the lockout, even with the right PIN: refused, without asking.
    k.clock.advance(10)
    s.tick()
    s.start_auth()
    k.feed(people["t1_0"])
    assert s.view.error == ErrorCode.PIN_LOCKED
    denials = [(e.index_id, e.reason) for e in k.vault.events(kind="auth")]
    assert denials[-2:] == [(index_id, "WRONG_PIN_CODE"), (index_id, "PIN_LOCKED")]
    # The lockout is in the vault: a new session (a restart) still sees it.
    k2 = make_kiosk(flow_settings(pin_policy="always"), clock=k.clock)
    k2.session.start_auth()
    k2.feed(people["t1_0"])
    assert k2.session.view.error == ErrorCode.PIN_LOCKED
    # After the lockout the right PIN works and clears the history.
    k.clock.advance(60)
    s.tick()
    s.start_auth()
    assert k.feed(people["t1_0"]) == State.PIN_ENTRY
    assert s.enter_pin("5831").result.kind == ResultKind.CHECK_IN
    assert k.vault.get_counter(f"kiosk.pin_locks.{index_id}") == 0


def test_low_confidence_policy_asks_pin_only_below_confident_threshold(make_kiosk, people):
    settings = flow_settings(pin_policy="low_confidence")
    k = make_kiosk(settings)
    k.enroll(people["t1_0"], pin="5831")
    k.session.start_auth()
    assert k.feed(people["t1_0"]) == State.RESULT  # same photo: similarity ~1.0, no PIN
    # Demand more confidence than any match can give: the PIN is asked.
    settings.pin.confident_delta = 0.9999 - settings.engine.threshold
    k.clock.advance(400)
    k.session.tick()
    k.session.start_auth()
    assert k.feed(people["t1_0"]) == State.PIN_ENTRY


def test_forget_me_purges_then_face_is_unknown(make_kiosk, people):
    k = make_kiosk(flow_settings(pin_policy="optional"), policy=None)  # access.toml
    s = k.session
    index_id = k.enroll(people["t1_2"], pin="5831")
    other = k.enroll(people["hanks"], pin=None)
    AccessPolicy(groups={"staff": AccessGroup("staff", [], {index_id, other})}).save(k.data_dir)
    s.start_forget_me()
    assert k.feed(people["t1_2"]) == State.PIN_ENTRY  # PIN set: face alone is not enough
    assert s.enter_pin("5831").state == State.FORGET_CONFIRM
    view = s.confirm_forget()
    assert view.result.kind == ResultKind.FORGOTTEN
    seq = int(view.result.detail.split("#")[1])
    assert view.result.receipt_code == purge_receipt(index_id, seq)
    entry = next(e for e in k.vault.audit_entries() if e.seq == seq)
    assert entry.action == "purge" and entry.details["index_ids"] == [index_id]
    assert [r.index_id for r in k.vault.list_ids()] == [other]
    assert AccessPolicy.load(k.data_dir).groups["staff"].members == {other}
    k.clock.advance(10)
    s.tick()
    s.start_auth()
    k.feed(people["t1_2"])
    assert s.view.error == ErrorCode.UNRECOGNIZED_FACE


def test_forget_me_of_an_expired_record_still_works(make_kiosk, people):
    k = make_kiosk()
    k.enroll(people["t1_1"], pin=None, valid_until=k.clock.wall() + timedelta(hours=1))
    k.clock.advance(7200)
    k.session.tick()
    k.session.start_forget_me()
    assert k.feed(people["t1_1"]) == State.FORGET_CONFIRM
    assert k.session.confirm_forget().result.kind == ResultKind.FORGOTTEN
    assert k.vault.count() == 0


def test_attendance_debounce_then_check_out(make_kiosk, people):
    k = make_kiosk(flow_settings(mode="attendance", debounce_minutes=5))
    index_id = k.enroll(people["t1_5"], pin=None)
    kinds = []
    for wait in (0, 60, 3600):  # arrive, come back after a minute, leave an hour later
        k.clock.advance(wait)
        k.session.tick()
        k.session.start_auth()
        k.feed(people["t1_5"])
        kinds.append(k.session.view.result.kind)
        k.clock.advance(6)
        k.session.tick()
    assert kinds == [ResultKind.CHECK_IN, ResultKind.ALREADY_RECORDED, ResultKind.CHECK_OUT]
    stored = [(e.index_id, e.decision) for e in k.vault.events(kind="attendance")]
    assert stored == [(index_id, "check_in"), (index_id, "check_out")]


class RecordingRelay:
    def __init__(self) -> None:
        self.pulses: list[float] = []

    def pulse(self, seconds: float) -> None:
        self.pulses.append(seconds)


def test_access_mode_grants_through_the_hook_with_anti_passback(make_kiosk, people):
    relay = RecordingRelay()
    settings = flow_settings(mode="access", anti_passback=True, direction="in")
    k = make_kiosk(settings, hook=RelayHook(relay, pulse_s=1.5))
    index_id = k.enroll(people["t1_0"], pin=None)
    k.session.start_auth()
    k.feed(people["t1_0"])
    assert k.session.view.result.kind == ResultKind.GRANTED and relay.pulses == [1.5]
    k.clock.advance(30)
    k.session.tick()
    k.session.start_auth()
    k.feed(people["t1_0"])
    assert k.session.view.error == ErrorCode.ANTI_PASSBACK and relay.pulses == [1.5]
    # the exit kiosk lets them out, then the entrance admits them again
    exit_kiosk = make_kiosk(
        flow_settings(mode="access", anti_passback=True, direction="out"),
        clock=k.clock,
        hook=RelayHook(relay),
    )
    exit_kiosk.session.start_auth()
    exit_kiosk.feed(people["t1_0"])
    assert exit_kiosk.session.view.result.kind == ResultKind.GRANTED
    k.clock.advance(30)
    k.session.tick()
    k.session.start_auth()
    k.feed(people["t1_0"])
    assert k.session.view.result.kind == ResultKind.GRANTED
    decisions = [e.decision for e in k.vault.events(kind="access", index_id=index_id)]
    assert decisions == ["grant_in", "deny", "grant_out", "grant_in"]


def test_command_hook_runs_and_failure_is_reported(make_kiosk, people, tmp_path):
    out = tmp_path / "door.txt"
    script = "import os,sys; open(sys.argv[1],'w').write(os.environ['FACEKIOSK_INDEX_ID'])"
    ok = CommandHook(f'{sys.executable} -c "{script}" {out}')
    k = make_kiosk(flow_settings(mode="access"), hook=ok)
    index_id = k.enroll(people["t1_0"], pin=None)
    k.session.start_auth()
    k.feed(people["t1_0"])
    assert k.session.view.result.kind == ResultKind.GRANTED
    assert out.read_text() == index_id
    broken = make_kiosk(
        flow_settings(mode="access"),
        clock=k.clock,
        hook=CommandHook(f"{sys.executable} -c 'raise SystemExit(3)'"),
    )
    broken.session.start_auth()
    broken.feed(people["t1_0"])
    assert broken.session.view.error == ErrorCode.HOOK_FAILED
    assert k.vault.events(kind="access")[-1].reason == "HOOK_FAILED"
    missing = CommandHook("/nonexistent/door-opener")
    with pytest.raises(HookError, match="did not run"):
        missing.grant(GrantEvent(index_id, "k", "in", k.clock.wall()))


def test_schedules_groups_and_opt_out(make_kiosk, people):
    policy = AccessPolicy.parse(
        """
        [groups.day]
        schedule = ["mon-fri 08:00-18:00"]
        members = []
        """
    )
    settings = flow_settings(mode="access", access_groups=["day"])
    k = make_kiosk(settings, policy=policy)  # the clock starts Monday 09:00 UTC
    member = k.enroll(people["t1_0"], pin=None)
    stranger = k.enroll(people["t1_2"], pin=None)
    policy.add_member("day", member)
    policy.optout.add(stranger)

    def attempt(frames):
        k.session.start_auth()
        k.feed(frames)
        view = k.session.view
        k.clock.advance(6)
        k.session.tick()
        return view.error or view.result.kind

    assert attempt(people["t1_0"]) == ResultKind.GRANTED
    assert attempt(people["t1_2"]) == ErrorCode.OPTED_OUT
    policy.optout.clear()
    assert attempt(people["t1_2"]) == ErrorCode.ACCESS_DENIED
    k.clock.advance(10 * 3600)  # Monday 19:00
    assert attempt(people["t1_0"]) == ErrorCode.NOT_IN_SCHEDULE


def test_access_toml_edits_apply_while_the_kiosk_runs(make_kiosk, people):
    k = make_kiosk(flow_settings(), policy=None)
    index_id = k.enroll(people["t1_1"], pin=None)
    AccessPolicy(optout={index_id}).save(k.data_dir)
    k.session.start_auth()
    k.feed(people["t1_1"])
    assert k.session.view.error == ErrorCode.OPTED_OUT
    k.clock.advance(6)
    k.session.tick()
    AccessPolicy().save(k.data_dir)
    k.session.start_auth()
    k.feed(people["t1_1"])
    assert k.session.view.result.kind == ResultKind.CHECK_IN


def test_record_deleted_by_the_admin_during_forget_me(make_kiosk, people):
    k = make_kiosk()
    index_id = k.enroll(people["t1_1"], pin=None)
    k.session.start_forget_me()
    assert k.feed(people["t1_1"]) == State.FORGET_CONFIRM
    k.vault.delete([index_id], reason="admin", actor="admin")
    view = k.session.confirm_forget()
    assert view.error == ErrorCode.UNRECOGNIZED_FACE and view.result.detail == "deleted"


def test_changed_consent_text_is_accepted_again_at_sign_in(make_kiosk, people):
    from dataclasses import replace

    k = make_kiosk()
    index_id = k.enroll(people["t1_0"], pin=None)
    old = k.session.consent
    new = replace(old, text=old.text + "\nWe now also keep the template for 3 years.\n")
    new = replace(new, version=consent_version(new.language, new.text))
    k2 = make_kiosk(flow_settings(), clock=k.clock, consent=new)
    s = k2.session
    s.start_auth()
    assert k2.feed(people["t1_0"]) == State.CONSENT
    assert s.view.consent.version == new.version and s.view.purpose == "auth"
    view = s.decline_consent()
    assert view.error == ErrorCode.TERMS_NOT_ACCEPTED
    assert k.vault.events(kind="attendance") == []
    assert k.vault.events(kind="auth")[-1].index_id == index_id
    k.clock.advance(6)
    s.tick()
    s.start_auth()
    k2.feed(people["t1_0"])
    assert s.accept_consent().result.kind == ResultKind.CHECK_IN
    assert [v for v, _ in k.vault.consents(index_id)] == [old.version, new.version]
    # accepted once: not asked again; and a site can switch the prompt off
    k.clock.advance(600)
    s.tick()
    s.start_auth()
    assert k2.feed(people["t1_0"]) == State.RESULT
    quiet = make_kiosk(flow_settings(reconsent=False), clock=k.clock, consent=old)
    quiet.session.start_auth()
    assert quiet.feed(people["t1_0"]) == State.RESULT


def test_record_enrolled_without_consent_is_asked_at_first_sign_in(make_kiosk, people):
    k = make_kiosk()
    index_id = k.vault.enroll([f.faces[0].embedding for f in people["t1_5"]])  # admin import
    k.session.start_auth()
    assert k.feed(people["t1_5"]) == State.CONSENT
    k.session.accept_consent()
    assert k.vault.get(index_id).consent_version == k.session.consent.version


def test_relay_device_file_pulses_on_grant(make_kiosk, people, tmp_path):
    """A sysfs-GPIO-style value file stands in for the relay (the same writes)."""
    value = tmp_path / "gpio17_value"
    value.write_text("0")
    k = make_kiosk(
        flow_settings(mode="access", access_relay=str(value), relay_pulse_s=0.05), hook=None
    )
    assert isinstance(k.session.hook, RelayHook)
    k.enroll(people["t1_0"], pin=None)
    k.session.start_auth()
    k.feed(people["t1_0"])
    assert k.session.view.result.kind == ResultKind.GRANTED
    assert value.read_bytes() == b"1"  # energised at once
    k.session.hook.driver.wait_released(timeout=5)
    assert value.read_bytes() == b"0"  # released after the pulse
    broken = make_kiosk(
        flow_settings(mode="access", access_relay=str(tmp_path / "no" / "gpio")),
        clock=k.clock,
        hook=None,
    )
    broken.session.start_auth()
    broken.feed(people["t1_0"])
    assert broken.session.view.error == ErrorCode.HOOK_FAILED


def test_hook_choice_from_settings(tmp_path):
    from facekiosk.kiosk.access_hook import LogHook, hook_from_settings

    assert isinstance(hook_from_settings(""), LogHook)
    assert isinstance(hook_from_settings("", str(tmp_path / "v")), RelayHook)
    assert isinstance(hook_from_settings("true", str(tmp_path / "v")), CommandHook)
