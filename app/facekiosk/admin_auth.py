"""The admin PIN/passphrase: an scrypt hash in `admin.json` (0600), lockout with backoff.

The kiosk window's close, the admin panel and kiosk-mode exit all ask for it.
Failures are counted in the same file, so restarting the app does not reset a
lockout. Each try is counted as a failure BEFORE the secret is checked and only
cleared when it was right: a try that cannot be recorded (full disk) is refused,
so a guesser gains nothing from a full disk or a kill mid-check (fail closed).
Constant-time comparison; the secret itself is never stored or logged. Qt-free:
the CLI (`run --set-admin-pin`) and the window share it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from facekiosk.fsutil import atomic_write, private_mkdir

ADMIN_FILE = "admin.json"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_SECRET_LENGTH = 6
SECRET_RULE = (
    f"at least {MIN_SECRET_LENGTH} characters, not a guessable pattern "
    "(no repeated or sequential digits such as 111111, 123456, 121212, 123321)"
)
# Read from many leaked-PIN lists; the patterns below catch most of the rest.
COMMON_SECRETS = frozenset(
    {
        "password",
        "passwort",
        "qwerty",
        "qwertz",
        "letmein",
        "admin1",
        "admin123",
        "696969",
        "123qwe",
        "qwe123",
        "abc123",
        "iloveyou",
        "trustno1",
        "159753",
        "147258",
        "258369",
    }
)
FREE_FAILURES = 3  # then a lockout: 30 s, doubling, at most 15 min
LOCKOUT_BASE_S = 30.0
LOCKOUT_MAX_S = 900.0


class AdminAuthError(RuntimeError):
    """No admin secret set, a weak one, or a login that cannot be recorded."""


def weak_secret_reason(secret: str) -> str | None:
    """Why `secret` is too easy to guess, or None when it is acceptable."""
    if len(secret) < MIN_SECRET_LENGTH:
        return f"it needs at least {MIN_SECRET_LENGTH} characters"
    low = secret.lower()
    if len(set(low)) < 3:
        return "it has too few distinct characters"
    if low in COMMON_SECRETS:
        return "it is on every list of common PINs and passwords"
    steps = {
        (ord(b) - ord(a)) % 10 if a.isdigit() and b.isdigit() else ord(b) - ord(a)
        for a, b in itertools.pairwise(low)
    }
    if steps in ({1}, {9}, {-1}):  # 123456, 987654, 890123 (wrapping), abcdef
        return "it is a sequence (like 123456)"
    for n in range(2, len(low) // 2 + 1):
        if low == (low[:n] * len(low))[: len(low)]:
            return "it repeats a short pattern (like 121212 or 123123)"
    if len(low) % 2 == 0 and low[::2] == low[1::2]:
        return "it doubles each character (like 112233)"
    if low == low[::-1]:
        return "it is a mirror pattern (like 123321)"
    return None


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    locked_for_s: float = 0.0
    failures: int = 0


def _hash(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(
        secret.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )


class AdminAuth:
    def __init__(self, data_dir: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(data_dir) / ADMIN_FILE
        self._clock = clock

    def is_set(self) -> bool:
        return self.path.is_file()

    def _load(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise AdminAuthError(
                "no admin PIN is set; run `facekiosk run --set-admin-pin` on the console"
            ) from exc

    def _save(self, data: dict) -> None:
        atomic_write(self.path, json.dumps(data).encode("utf-8"))

    def set_secret(self, secret: str) -> None:
        """Store a new secret (callers that replace one check the old one first)."""
        reason = weak_secret_reason(secret)
        if reason:
            raise AdminAuthError(
                f"that admin PIN is too easy to guess: {reason}; use {SECRET_RULE}"
            )
        salt = secrets.token_bytes(16)
        private_mkdir(self.path.parent)
        self._save(
            {"salt": salt.hex(), "hash": _hash(secret, salt).hex(), "failures": 0, "locked": 0.0}
        )

    def locked_for(self) -> float:
        if not self.is_set():
            return 0.0
        return max(0.0, float(self._load().get("locked", 0.0)) - self._clock())

    def login(self, secret: str) -> LoginResult:
        data = self._load()
        now = self._clock()
        locked = float(data.get("locked", 0.0)) - now
        if locked > 0:
            return LoginResult(False, locked, int(data.get("failures", 0)))
        before = dict(data)
        failures = int(data.get("failures", 0)) + 1
        wait = 0.0
        if failures >= FREE_FAILURES:
            wait = min(LOCKOUT_MAX_S, LOCKOUT_BASE_S * 2 ** (failures - FREE_FAILURES))
        data.update(failures=failures, locked=now + wait)
        try:
            self._save(data)  # counted as failed until proven right
        except OSError as exc:
            raise AdminAuthError(
                f"admin login refused: this try cannot be recorded ({exc.strerror or exc}); "
                "free disk space in the data dir"
            ) from exc
        ok = hmac.compare_digest(
            _hash(secret, bytes.fromhex(data["salt"])), bytes.fromhex(data["hash"])
        )
        if not ok:
            return LoginResult(False, wait, failures)
        before.update(failures=0, locked=0.0)
        with contextlib.suppress(OSError):  # not reset: the next try may wait; still closed
            self._save(before)
        return LoginResult(True)
