"""The admin PIN/passphrase: an scrypt hash in `admin.json` (0600), lockout with backoff.

The kiosk window's close, the admin panel and kiosk-mode exit all ask for it.
Failures are counted in the same file, so restarting the app does not reset a
lockout. Constant-time comparison; the secret itself is never stored or logged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ADMIN_FILE = "admin.json"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_SECRET_LENGTH = 6
FREE_FAILURES = 3  # then a lockout: 30 s, doubling, at most 15 min
LOCKOUT_BASE_S = 30.0
LOCKOUT_MAX_S = 900.0


class AdminAuthError(RuntimeError):
    """No admin secret set, a weak one, or a locked-out login."""


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
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    def set_secret(self, secret: str) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            raise AdminAuthError(f"the admin PIN needs at least {MIN_SECRET_LENGTH} characters")
        if len(set(secret)) < 3:
            raise AdminAuthError("the admin PIN is too easy to guess (too few distinct characters)")
        salt = secrets.token_bytes(16)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
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
        ok = hmac.compare_digest(
            _hash(secret, bytes.fromhex(data["salt"])), bytes.fromhex(data["hash"])
        )
        if ok:
            if data.get("failures") or data.get("locked"):
                data.update(failures=0, locked=0.0)
                self._save(data)
            return LoginResult(True)
        failures = int(data.get("failures", 0)) + 1
        wait = 0.0
        if failures >= FREE_FAILURES:
            wait = min(LOCKOUT_MAX_S, LOCKOUT_BASE_S * 2 ** (failures - FREE_FAILURES))
        data.update(failures=failures, locked=now + wait)
        self._save(data)
        return LoginResult(False, wait, failures)
