"""The ASGI application: one route per FACEIO-style endpoint, GET and POST alike.

Starlette (on uvicorn) rather than FastAPI: the endpoints take loose FACEIO parameters from
query, form or JSON and answer with our own stable error codes, so FastAPI's pydantic
request models and its generated OpenAPI would be fought rather than used, and Starlette is
FastAPI's own core (one dependency less, nothing hidden). The OpenAPI file is
docs/openapi.json, checked against this route table by tests/api/test_openapi.py.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from facekiosk.api.auth import RateLimiter, authenticate, require_scope
from facekiosk.api.endpoints import ENDPOINTS, ApiContext
from facekiosk.api.errors import ApiError
from facekiosk.api.params import read_params
from facekiosk.api.usage import UsageCounter
from facekiosk.vault.errors import VaultDiskFullError, VaultError

log = logging.getLogger(__name__)


def _error(error: ApiError) -> JSONResponse:
    return JSONResponse(error.body(), error.status, headers=error.headers)


def build_app(ctx: ApiContext, usage: UsageCounter, limiter: RateLimiter) -> Starlette:
    keys = ctx.vault.api_keys
    max_body = ctx.settings.api.max_body_bytes

    def serve(name: str, authorization: str | None, query: dict[str, Any]) -> Any:
        """Key, rate limit, scope and the endpoint in ONE worker-thread hop (measured: a
        second hop for the key check alone cost ~15 % of a `status` call)."""
        scope, handler = ENDPOINTS[name]
        key = authenticate(keys, authorization)
        try:
            limiter.take(key.key_id)
            require_scope(key, scope)
            return key.key_id, handler(ctx, key, query)
        except ApiError as exc:
            exc.key_id = key.key_id  # type: ignore[attr-defined]
            raise

    async def dispatch(request: Request) -> Response:
        name = request.path_params["endpoint"]
        key_id = ""
        try:
            if name not in ENDPOINTS:
                raise ApiError("NOT_FOUND", f"no endpoint /{name[:64]} (see docs/openapi.json)")
            # the body first (capped, async): a worker thread never waits on a slow client
            query = await read_params(request, max_body)
            key_id, result = await run_in_threadpool(
                serve, name, request.headers.get("authorization"), query
            )
            response = result if isinstance(result, Response) else JSONResponse(result)
        except ApiError as exc:
            key_id = key_id or getattr(exc, "key_id", "")
            response = _error(exc)
        except VaultDiskFullError as exc:
            response = _error(ApiError("VAULT_UNAVAILABLE", str(exc)))
        except (VaultError, ValueError) as exc:
            response = _error(ApiError("BAD_REQUEST", str(exc)))
        except Exception:
            log.exception("API /%s failed", name)
            response = _error(ApiError("INTERNAL_ERROR", "internal error (see the kiosk log)"))
        usage.count(key_id, name if name in ENDPOINTS else "-", response.status_code)
        return response

    async def http_error(request: Request, exc: Exception) -> Response:
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(
            getattr(exc, "status_code", 400), "BAD_REQUEST"
        )
        return _error(ApiError(code, str(getattr(exc, "detail", "")) or code.lower()))

    return Starlette(
        routes=[Route("/{endpoint}", dispatch, methods=["GET", "POST"])],
        exception_handlers={HTTPException: http_error},
    )
