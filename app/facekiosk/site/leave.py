"""`facekiosk site leave`: this kiosk leaves its site for good.

Order matters. A last sync pass first (what only this vault holds is pushed, pending
purges are acknowledged); then the hub marks the kiosk as gone (its missing
acknowledgements stop holding purges open, it loses the group role and its login; the
role is dropped by the next member's pass); then `site.json` goes, so nothing here syncs
again; only then are the people this kiosk holds only from the site purged locally: a
purge after `site.json` is gone is never pushed as a site-wide deletion. Those people are
purged by default because later site-wide deletions can no longer reach this vault.

`site leave --offline` is for a hub that is gone for good (decommissioned, lost): no last
sync and no mark on the hub, which keeps listing this kiosk until its owner runs `site remove`.
What the hub never got stays local; the report names the purges begun here that no receipt
shows confirmed site-wide, so the admin can repeat them on a kiosk that still has the site.

`site remove KIOSK_ID --dsn ADMIN` is the same on the hub for a kiosk that cannot leave
itself (dead, stolen), with the hub owner's credentials (used once, not kept).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from facekiosk.site.hub import Hub
from facekiosk.site.membership import Membership
from facekiosk.site.sync import BULK_ACTION, RECEIPT_ACTION, SYNC_ACTOR, SiteSync
from facekiosk.vault import Vault

log = logging.getLogger(__name__)

LEAVE_ACTION = "site_leave"


@dataclass
class LeaveReport:
    site_id: str
    kiosk_id: str
    last_sync: dict[str, Any] = field(default_factory=dict)
    purged_site_people: int = 0
    kept_site_people: int = 0
    offline: bool = False
    unconfirmed_purges: list[str] = field(default_factory=list)  # offline only


def from_the_site(vault: Vault) -> set[str]:
    """Index IDs this vault holds only because the site sync imported them."""
    here: set[str] = set()
    for e in vault.audit_entries(0):
        if e.actor == SYNC_ACTOR:
            continue
        if e.action == "enroll" and "index_id" in e.details:
            here.add(str(e.details["index_id"]))
        elif e.action == BULK_ACTION:
            here.update(str(i) for i in e.details.get("index_ids", []))
    return vault.identities.all_ids() - here


def leave_site(
    vault: Vault, membership: Membership, hub: Hub, sync: SiteSync, *, keep_people: bool = False
) -> LeaveReport:
    report = LeaveReport(membership.site_id, membership.kiosk_id)
    report.last_sync = asdict(sync.run_once(hub))
    hub.leave()
    return _detach(vault, membership, report, keep_people)


def leave_offline(
    vault: Vault, membership: Membership, *, keep_people: bool = False
) -> LeaveReport:
    """Leave without the hub: nothing is pushed, nothing opens a socket."""
    report = LeaveReport(membership.site_id, membership.kiosk_id, offline=True)
    report.unconfirmed_purges = unconfirmed_purges(vault)
    return _detach(vault, membership, report, keep_people)


def unconfirmed_purges(vault: Vault) -> list[str]:
    """Index IDs purged on this kiosk (not applied from the hub) with no receipt of every
    kiosk's confirmation: the hub, and so the other kiosks, may never have heard of them."""
    begun: dict[str, None] = {}
    confirmed: set[str] = set()
    for e in vault.audit_entries(0):
        if e.action == "purge" and e.actor != SYNC_ACTOR:
            begun.update((str(i), None) for i in e.details.get("index_ids", []))
        elif e.action == RECEIPT_ACTION:
            confirmed.add(str(e.details["index_id"]))
    return [i for i in begun if i not in confirmed]


def _detach(
    vault: Vault, membership: Membership, report: LeaveReport, keep_people: bool
) -> LeaveReport:
    """The local half of leaving: audit entry, `site.json` gone, site-only people purged."""
    imported = sorted(from_the_site(vault))
    details = {"site_id": membership.site_id, "kiosk_id": membership.kiosk_id,
               "site_people": len(imported), "kept": keep_people}  # fmt: skip
    if report.offline:
        details |= {"offline": True, "unconfirmed_purges": report.unconfirmed_purges}
    vault.audit(LEAVE_ACTION, "admin", details)
    Membership.path(vault.data_dir).unlink()
    if imported and not keep_people:
        vault.delete(imported, reason="this kiosk left its site", actor="admin")
        report.purged_site_people = len(imported)
    else:
        report.kept_site_people = len(imported)
    log.info("left site %s (%s)%s", membership.site_id, membership.kiosk_id,
             " without the hub" if report.offline else "")  # fmt: skip
    return report


def remove_kiosk(admin_dsn: str, kiosk_id: str) -> str:
    """Mark another kiosk as gone, as the hub's owner; returns its role."""
    import psycopg

    from facekiosk.site.membership import SiteError

    try:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            row = conn.execute("SELECT facekiosk.remove_kiosk(%s)", (kiosk_id,)).fetchone()
    except psycopg.errors.UndefinedObject as exc:
        raise SiteError(str(exc).strip().splitlines()[0]) from exc
    except psycopg.Error as exc:
        raise SiteError(f"the hub refused (the owner's DSN is needed): {str(exc).strip()}") from exc
    assert row is not None
    log.info("removed kiosk %s (%s) from the site", kiosk_id, row[0])
    return str(row[0])
