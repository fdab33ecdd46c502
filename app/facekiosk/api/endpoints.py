"""The endpoints in FACEIO's shape. Each takes the checked key and the parameters and returns
a JSON object (or a CSV response); refusals are ApiError. They run in Starlette's worker
threads on the kiosk's own Vault object (thread-safe), so the kiosk sees a change at once.
No endpoint returns a vector or an image: only Index IDs, times, counts and site data."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from starlette.responses import Response

from facekiosk import __version__
from facekiosk.api import params as p
from facekiosk.api.errors import ApiError
from facekiosk.api.site_endpoints import purge_text, purgestatus, site_events, site_purge
from facekiosk.api.site_view import SiteView
from facekiosk.kiosk.pin_policy import pin_issues
from facekiosk.kiosk.receipt import purge_codes, purge_receipt_text
from facekiosk.settings import Settings
from facekiosk.vault import MAX_PAYLOAD, EventRecord, Vault, write_events_csv
from facekiosk.vault.api_keys import ApiKeyRecord
from facekiosk.vault.app_stats import AppStats
from facekiosk.vault.errors import UnknownIndexId

Params = dict[str, Any]
PAGE_MAX = 1000
EVENTS_MAX = 10_000


@dataclass
class ApiContext:
    vault: Vault
    settings: Settings
    data_dir: Path
    site: SiteView | None = None  # this kiosk is a site member (site/api_bridge.py)


def _actor(key: ApiKeyRecord) -> str:
    return f"api:{key.key_id}"


def _known(ctx: ApiContext, fid: str) -> None:
    try:
        ctx.vault.get(fid)
    except (UnknownIndexId, KeyError):
        raise ApiError("UNKNOWN_FID", f"no Index ID {fid} in this vault") from None


def status(ctx: ApiContext, key: ApiKeyRecord, _: Params) -> dict[str, Any]:
    return {
        "status": "ok",
        "service": "facekiosk",
        "version": __version__,
        "kiosk_id": ctx.settings.kiosk.kiosk_id,
        "time": datetime.now(UTC).isoformat(),
        "key_id": key.key_id,
        "scopes": list(key.scopes),
    }


def deletefacialid(ctx: ApiContext, key: ApiKeyRecord, q: Params) -> dict[str, Any]:
    """The admin panel's purge: same Vault.delete, audit entry (actor api:<key id>),
    access.toml clean-up and receipt text. On a site member the answer adds `site`: the
    purge goes site-wide (the background sync takes it to the hub), with the kiosks that
    confirmed and those pending (see `purgestatus`)."""
    from facekiosk.kiosk.restrictions import AccessPolicyError, forget_in_policy

    fid = p.fid(q)
    reason = p.text(q, "reason", "")[:200] or "deleted through the integrator API"
    try:
        receipt = ctx.vault.delete([fid], reason=reason, actor=_actor(key))
    except UnknownIndexId:
        raise ApiError("UNKNOWN_FID", f"no Index ID {fid} in this vault") from None
    policy_error = None
    try:
        forget_in_policy(ctx.data_dir, receipt.index_ids)
    except (AccessPolicyError, OSError) as exc:
        policy_error = str(exc)
    text = purge_receipt_text(receipt, policy_error)
    site = site_purge(ctx, fid)
    answer = {
        "status": "ok",
        "fid": fid,
        "receipt_code": purge_codes(receipt)[fid],
        "receipt": text if site is None else f"{text}\n{purge_text(site)}",
        "purged_at": receipt.purged_at.isoformat(),
        "vectors_removed": receipt.vectors_removed,
        "metadata_rows_removed": receipt.metadata_rows_removed,
        "events_anonymised": receipt.events_anonymised,
        "audit_seq": receipt.audit_seq,
        "access_policy_error": policy_error,
    }
    if site is not None:
        answer["site"] = site
    return answer


def setfacialidpayload(ctx: ApiContext, key: ApiKeyRecord, q: Params) -> dict[str, Any]:
    """`payload`: any JSON value (a string in a query or form), stored encrypted as JSON."""
    fid = p.fid(q)
    if "payload" not in q:
        raise ApiError("MISSING_PARAMETER", "parameter 'payload' is required")
    data = json.dumps(q["payload"], ensure_ascii=False, separators=(",", ":")).encode()
    if len(data) > MAX_PAYLOAD:
        raise ApiError("BODY_TOO_LARGE", f"the payload is larger than {MAX_PAYLOAD} bytes")
    _known(ctx, fid)
    try:
        ctx.vault.update(fid, payload=data, actor=_actor(key))
    except UnknownIndexId:
        raise ApiError("UNKNOWN_FID", f"no Index ID {fid} in this vault") from None
    return {"status": "ok", "fid": fid}


def getfacialidpayload(ctx: ApiContext, key: ApiKeyRecord, q: Params) -> dict[str, Any]:
    fid = p.fid(q)
    _known(ctx, fid)
    raw = ctx.vault.get_payload(fid)
    payload: Any = None
    if raw is not None:
        try:
            payload = json.loads(raw)
        except ValueError:  # set at the kiosk as plain bytes
            payload = raw.decode("utf-8", "replace")
    return {"status": "ok", "fid": fid, "payload": payload}


def setfacialidpincode(ctx: ApiContext, key: ApiKeyRecord, q: Params) -> dict[str, Any]:
    fid = p.fid(q)
    pin = p.text(q, "pin")
    issues = pin_issues(pin, ctx.settings.pin)
    if issues:
        raise ApiError("WEAK_PIN", f"PIN refused by the PIN policy: {', '.join(issues)}")
    try:
        ctx.vault.set_pin(fid, pin, actor=_actor(key))
    except UnknownIndexId:
        raise ApiError("UNKNOWN_FID", f"no Index ID {fid} in this vault") from None
    return {"status": "ok", "fid": fid}


def listfacialids(ctx: ApiContext, key: ApiKeyRecord, q: Params) -> dict[str, Any]:
    offset = p.integer(q, "offset", 0, 0, 10**9)
    limit = p.integer(q, "limit", 100, 1, PAGE_MAX)
    records = ctx.vault.list_ids(offset, limit)
    return {
        "status": "ok",
        "total": ctx.vault.count(),
        "offset": offset,
        "limit": limit,
        "fids": [
            {
                "fid": r.index_id,
                "created": r.created.isoformat(),
                "last_seen": r.last_seen.isoformat() if r.last_seen else None,
                "valid_until": r.valid_until.isoformat() if r.valid_until else None,
                "status": r.status,
                "has_pin": r.has_pin,
                "has_payload": r.has_payload,
                "consent_version": r.consent_version,
            }
            for r in records
        ],
    }


def attendance(ctx: ApiContext, key: ApiKeyRecord, q: Params) -> dict[str, Any] | Response:
    """Events between `from` (inclusive) and `to` (exclusive); `format` json or csv;
    `scope=site` (a site member): every kiosk's events from the hub."""
    until = p.when(q, "to", datetime.now(UTC))
    since = p.when(q, "from", until - timedelta(days=1))
    if since > until:
        raise ApiError("BAD_REQUEST", "'from' is after 'to'")
    limit = p.integer(q, "limit", EVENTS_MAX, 1, EVENTS_MAX)
    kind = q.get("kind") or None
    fid = p.fid(q) if q.get("fid") else None
    where = p.text(q, "scope", "kiosk").lower()
    if where not in ("kiosk", "site"):
        raise ApiError("BAD_REQUEST", "parameter 'scope' must be kiosk or site")
    if where == "site":
        events = site_events(ctx, since, until, kind and str(kind), fid, limit)
    else:
        events = ctx.vault.events(since, until, kind=kind and str(kind), index_id=fid,
                                  limit=limit)  # fmt: skip
    events = [
        e.__class__(e.id, e.at, e.kind, e.index_id, e.kiosk_id, e.decision, e.reason, {})
        for e in events
    ]  # `extra` (similarity, liveness verdicts) stays on the device
    fmt = p.text(q, "format", "json").lower()
    if fmt == "csv":
        out = io.StringIO()
        write_events_csv(events, out)
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8")
    if fmt != "json":
        raise ApiError("BAD_REQUEST", "parameter 'format' must be json or csv")
    return {
        "status": "ok",
        "scope": where,
        "from": since.isoformat(),
        "to": until.isoformat(),
        "count": len(events),
        "events": [_event_json(e) for e in events],
    }


def _event_json(e: EventRecord) -> dict[str, Any]:
    return {
        "id": e.id,
        "at": e.at.isoformat(),
        "kind": e.kind,
        "fid": e.index_id,
        "kiosk_id": e.kiosk_id,
        "decision": e.decision,
        "reason": e.reason,
    }


def appstats(ctx: ApiContext, key: ApiKeyRecord, q: Params) -> dict[str, Any]:
    """Counts by UTC day between `from` and `to` (default: the last 30 days)."""
    until = p.when(q, "to", datetime.now(UTC))
    since = p.when(q, "from", until - timedelta(days=30))
    if since > until or until - since > timedelta(days=3660):
        raise ApiError("BAD_REQUEST", "'from' must be before 'to', at most ten years apart")
    days = AppStats(ctx.vault.db).by_day(since, until)
    return {
        "status": "ok",
        "from": since.isoformat(),
        "to": until.isoformat(),
        "enrolled": ctx.vault.count(),
        "days": days,
    }


Handler = Callable[[ApiContext, ApiKeyRecord, Params], "dict[str, Any] | Response"]

# endpoint -> (scope it needs, handler)
ENDPOINTS: dict[str, tuple[str, Handler]] = {
    "status": ("read", status),
    "listfacialids": ("read", listfacialids),
    "getfacialidpayload": ("read", getfacialidpayload),
    "attendance": ("read", attendance),
    "appstats": ("read", appstats),
    "setfacialidpayload": ("write", setfacialidpayload),
    "setfacialidpincode": ("write", setfacialidpincode),
    "deletefacialid": ("delete", deletefacialid),
    "purgestatus": ("delete", purgestatus),
}
