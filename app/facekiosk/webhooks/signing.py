"""Webhook signatures: `Facekiosk-Signature: t=<unix time>,v1=<hex>` where v1 is
HMAC-SHA256(secret, "<t>.<raw body>"). The timestamp is inside the MAC, so a captured
delivery cannot be replayed later with a fresh time; receivers refuse old timestamps
(`verify`'s tolerance) and drop repeats by the `Idempotency-Key` header."""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "Facekiosk-Signature"
TOLERANCE_S = 300.0


def signature(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(
    secret: str, header: str, body: bytes, *, tolerance_s: float = TOLERANCE_S,
    now: float | None = None,
) -> bool:  # fmt: skip
    """What a receiver runs: True only for a valid, fresh signature (constant-time)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance_s:
        return False
    expected = signature(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
