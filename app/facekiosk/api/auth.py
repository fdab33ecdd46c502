"""Who is calling: `Authorization: Bearer KEY` checked against the vault's key hashes
(constant-time), the key's scope, and a token-bucket rate limit per key (429 with
Retry-After). Revocation is seen by the next call: every call reads the key's row."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from facekiosk.api.errors import ApiError
from facekiosk.vault.api_keys import ApiKeyRecord, ApiKeys

_PROBLEM = {
    "malformed": ("UNAUTHORIZED", "the API key is malformed (expected fk_<id>_<secret>)"),
    "unknown": ("UNAUTHORIZED", "unknown API key"),
    "revoked": ("KEY_REVOKED", "this API key was revoked"),
    "expired": ("KEY_EXPIRED", "this API key has expired"),
}


def authenticate(keys: ApiKeys, authorization: str | None) -> ApiKeyRecord:
    if not authorization:
        raise ApiError(
            "UNAUTHORIZED", "send the key as `Authorization: Bearer KEY`",
            {"WWW-Authenticate": 'Bearer realm="facekiosk"'},
        )  # fmt: skip
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError("UNAUTHORIZED", "use `Authorization: Bearer KEY`",
                       {"WWW-Authenticate": 'Bearer realm="facekiosk"'})  # fmt: skip
    check = keys.check(token.strip())
    if check.problem or check.record is None:
        code, message = _PROBLEM[check.problem or "unknown"]
        error = ApiError(code, message, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        error.key_id = check.record.key_id if check.record else ""  # type: ignore[attr-defined]
        raise error
    return check.record


def require_scope(key: ApiKeyRecord, scope: str) -> None:
    if scope not in key.scopes:
        raise ApiError(
            "FORBIDDEN",
            f"this key's scopes ({', '.join(key.scopes)}) do not include {scope!r}",
        )


class RateLimiter:
    """One token bucket per key: `burst` calls at once, refilled at `rate` per second."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self.clock = rate, float(burst), clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key id -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key_id: str) -> None:
        with self._lock:
            now = self.clock()
            tokens, at = self._buckets.get(key_id, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens < 1.0:
                self._buckets[key_id] = (tokens, now)
                wait = math.ceil((1.0 - tokens) / self.rate)
                raise ApiError(
                    "RATE_LIMITED", f"more than {self.rate:g} calls/s for this key; retry later",
                    {"Retry-After": str(max(1, wait))},
                )  # fmt: skip
            self._buckets[key_id] = (tokens - 1.0, now)
