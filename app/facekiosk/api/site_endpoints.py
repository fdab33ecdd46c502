"""The API on a kiosk that is a site member: a purge's site-wide confirmations
(`deletefacialid`'s answer and `purgestatus`) and every kiosk's events (`attendance`
with `scope=site`). Without a site, `purgestatus` answers from this vault alone."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from facekiosk.api import params as p
from facekiosk.api.errors import ApiError
from facekiosk.vault import EventRecord
from facekiosk.vault.errors import UnknownIndexId

if TYPE_CHECKING:
    from facekiosk.api.endpoints import ApiContext
    from facekiosk.vault.api_keys import ApiKeyRecord


def site_purge(ctx: ApiContext, fid: str) -> dict[str, Any] | None:
    """The site block of a purge: None without a site (the answer stays as it was)."""
    if ctx.site is None:
        return None
    try:
        return ctx.site.purge_status(fid)
    except ctx.site.errors as exc:
        return {"site_wide": True, "state": "hub_unreachable", "message": str(exc)}


def purge_text(site: dict[str, Any]) -> str:
    """One line for the receipt text: where the site-wide purge stands."""
    pending = site.get("pending")
    if pending is None:
        return f"Site-wide purge: {site.get('message', 'hub unreachable')}; ask /purgestatus later."
    done = ", ".join(site.get("confirmed") or []) or "none yet"
    if not pending:
        return f"Site-wide purge confirmed by every kiosk: {done}."
    down = "hub unreachable, the sync takes it there when it is back; " if site.get(
        "state") == "hub_unreachable" else ""  # fmt: skip
    return (f"Site-wide purge: {down}confirmed by {done}; pending: {', '.join(pending)} "
            "(ask /purgestatus later).")  # fmt: skip


def purgestatus(ctx: ApiContext, key: ApiKeyRecord, q: dict[str, Any]) -> dict[str, Any]:
    """Scope delete: the key that may purge follows its receipt; an attendance reader has
    no need to learn who was purged."""
    fid = p.fid(q)
    if ctx.site is not None:
        try:
            site = ctx.site.purge_status(fid)
        except ctx.site.errors as exc:
            raise ApiError("SITE_UNAVAILABLE", str(exc)) from None
        if site is not None:
            return {"status": "ok", "fid": fid, "site": site}
    local = _local_purge(ctx, fid)
    if local is not None:
        return {"status": "ok", "fid": fid, "site": None, **local}
    try:
        ctx.vault.get(fid)
    except (UnknownIndexId, KeyError):
        raise ApiError("UNKNOWN_FID", f"no purge of {fid} is known to this kiosk") from None
    return {"status": "ok", "fid": fid, "site": None, "state": "not_purged"}


def _local_purge(ctx: ApiContext, fid: str) -> dict[str, Any] | None:
    found = None
    for e in ctx.vault.audit_entries(0):  # purge look-ups are rare: an audit walk
        if e.action == "purge" and fid in e.details.get("index_ids", []):
            found = {"state": "confirmed", "purged_at": e.at.isoformat(), "audit_seq": e.seq,
                     "confirmed": [ctx.settings.kiosk.kiosk_id], "pending": []}  # fmt: skip
    return found


def site_events(
    ctx: ApiContext, since: datetime, until: datetime, kind: str | None, fid: str | None,
    limit: int,
) -> list[EventRecord]:  # fmt: skip
    if ctx.site is None:
        raise ApiError("BAD_REQUEST", "scope=site: this kiosk is not a member of a site")
    try:
        return ctx.site.events(since, until, kind, fid, limit)
    except ctx.site.errors as exc:
        raise ApiError("SITE_UNAVAILABLE", str(exc)) from None
