"""Request parameters the FACEIO way: in the query string or in a form / JSON body (GET and
POST alike), with a hard cap on the body size read (413 before the rest is read)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from facekiosk.api.errors import ApiError


async def read_params(request: Request, max_body: int) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query_params)
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ApiError("BAD_REQUEST", "Content-Length is not a number")
        if int(declared) > max_body:
            raise ApiError("BODY_TOO_LARGE", f"the body is larger than {max_body} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_body:  # chunked uploads have no Content-Length
            raise ApiError("BODY_TOO_LARGE", f"the body is larger than {max_body} bytes")
    if not body.strip():
        return params
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("application/json", ""):
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError("BAD_REQUEST", f"the body is not valid JSON ({exc})") from None
        if not isinstance(data, dict):
            raise ApiError("BAD_REQUEST", "the JSON body must be an object")
    elif kind == "application/x-www-form-urlencoded":
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
            data = dict(pairs)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError("BAD_REQUEST", f"the form body is malformed ({exc})") from None
    else:
        raise ApiError(
            "UNSUPPORTED_MEDIA_TYPE",
            f"send parameters as application/json or application/x-www-form-urlencoded, not {kind}",
        )
    params.update(data)
    return params


def text(params: dict[str, Any], name: str, default: str | None = None) -> str:
    value = params.get(name, default)
    if value is None:
        raise ApiError("MISSING_PARAMETER", f"parameter {name!r} is required")
    if not isinstance(value, str):
        raise ApiError("BAD_REQUEST", f"parameter {name!r} must be a string")
    return value


def fid(params: dict[str, Any]) -> str:
    value = text(params, "fid").strip()
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ApiError("INVALID_FID", f"fid {value[:64]!r} is not an Index ID (a UUID)") from None


def integer(params: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = params.get(name, default)
    try:
        number = int(value)  # "20" in a query, 20 in JSON
    except (TypeError, ValueError):
        raise ApiError("BAD_REQUEST", f"parameter {name!r} must be an integer") from None
    if isinstance(value, bool) or not low <= number <= high:
        raise ApiError("BAD_REQUEST", f"parameter {name!r} must be between {low} and {high}")
    return number


def when(params: dict[str, Any], name: str, default: datetime) -> datetime:
    """An ISO 8601 time (`2026-03-02T09:00:00Z`, or a date); naive means UTC."""
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ApiError("BAD_REQUEST", f"parameter {name!r} must be an ISO 8601 time") from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)
