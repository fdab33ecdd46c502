"""The API's stable error codes: every refusal is JSON `{"status": "error", "error": CODE,
"message": ...}` with one HTTP status per code (docs/openapi.json lists them)."""

from __future__ import annotations

HTTP_STATUS: dict[str, int] = {
    "BAD_REQUEST": 400,  # malformed body or parameter
    "MISSING_PARAMETER": 400,
    "INVALID_FID": 400,  # `fid` is not an Index ID (a UUID)
    "WEAK_PIN": 400,  # refused by the kiosk's PIN policy
    "UNAUTHORIZED": 401,  # no key, a malformed or unknown key
    "KEY_REVOKED": 401,
    "KEY_EXPIRED": 401,
    "FORBIDDEN": 403,  # the key lacks the scope the endpoint needs
    "UNKNOWN_FID": 404,
    "NOT_FOUND": 404,  # no such endpoint
    "METHOD_NOT_ALLOWED": 405,
    "BODY_TOO_LARGE": 413,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "RATE_LIMITED": 429,  # with Retry-After
    "INTERNAL_ERROR": 500,
    "VAULT_UNAVAILABLE": 503,  # e.g. the disk is full (read-only vault)
    "SITE_UNAVAILABLE": 503,  # the site hub cannot answer, or no reader credential
}


class ApiError(Exception):
    def __init__(self, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = HTTP_STATUS[code]
        self.headers = headers or {}

    def body(self) -> dict[str, str]:
        return {"status": "error", "error": self.code, "message": self.message}
