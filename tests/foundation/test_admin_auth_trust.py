"""Admin PIN: fails closed when a try cannot be recorded, refuses guessable PINs, and
`run --set-admin-pin` asks for the current PIN and states the rule first (issue 14)."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from facekiosk.admin_auth import AdminAuth, AdminAuthError, weak_secret_reason

NONET = Path(__file__).with_name("nonet.py")
GOOD = "582914"


@pytest.mark.parametrize(
    "pin", ["123456", "654321", "890123", "111111", "121212", "123123", "123321", "112233",
            "12345", "password", "abcdef"],
)
def test_guessable_admin_pins_are_refused(tmp_path, pin):
    assert weak_secret_reason(pin)
    with pytest.raises(AdminAuthError, match="too easy to guess"):
        AdminAuth(tmp_path).set_secret(pin)


@pytest.mark.parametrize("pin", [GOOD, "739146", "long service passphrase", "19850704"])
def test_ordinary_admin_pins_are_accepted(tmp_path, pin):
    AdminAuth(tmp_path).set_secret(pin)
    assert AdminAuth(tmp_path).login(pin).ok


def test_a_try_that_cannot_be_recorded_is_refused(tmp_path):
    """Before: on a full disk every wrong try raised and was never counted, so guessing
    went on without lockout, and a right guess still logged in."""
    auth = AdminAuth(tmp_path)
    auth.set_secret(GOOD)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1, hard))  # every write fails (EFBIG)
    try:
        for guess in ("000001", "000002", "000003", "000004", GOOD):
            with pytest.raises(AdminAuthError, match="cannot be recorded"):
                auth.login(guess)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert auth.login(GOOD).ok  # disk back: the right PIN works again


def test_failures_count_and_lock(tmp_path):
    now = [1000.0]
    auth = AdminAuth(tmp_path, clock=lambda: now[0])
    auth.set_secret(GOOD)
    results = [auth.login("000000") for _ in range(3)]
    assert [r.failures for r in results] == [1, 2, 3]
    assert results[-1].locked_for_s == 30.0
    assert not auth.login(GOOD).ok  # locked: even the right PIN waits
    now[0] += 31
    assert auth.login(GOOD).ok
    assert auth.login("000000").failures == 1  # a success reset the count


def set_pin(data_dir: Path, *lines: str) -> subprocess.CompletedProcess:
    # No controlling terminal: getpass falls back to reading stdin.
    return subprocess.run(
        [sys.executable, str(NONET), "--data-dir", str(data_dir), "run", "--set-admin-pin"],
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        timeout=60,
        start_new_session=True,
    )


def test_set_admin_pin_states_the_rule_and_asks_for_the_current_pin(tmp_path):
    data_dir = tmp_path / "data"
    first = set_pin(data_dir, "123456")
    assert first.returncode == 1
    assert "at least 6 characters" in first.stdout  # the rule, before any entry
    assert "too easy to guess" in first.stderr and "Traceback" not in first.stderr
    assert set_pin(data_dir, GOOD, GOOD).returncode == 0
    # Replacing it needs the current PIN.
    wrong = set_pin(data_dir, "999888", "739146", "739146")
    assert wrong.returncode == 1 and "wrong current admin PIN" in wrong.stderr
    assert AdminAuth(data_dir).login(GOOD).ok
    right = set_pin(data_dir, GOOD, "739146", "739146")
    assert right.returncode == 0, right.stderr
    assert AdminAuth(data_dir).login("739146").ok
