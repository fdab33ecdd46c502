"""What the integrator API (api/) needs from the site, handed to it by the wiring (ui/app.py,
`facekiosk api serve`): api/ never imports site/ (tests/foundation/test_layers.py), so a
kiosk with no site imports nothing network-related for the API either.

- `purge_status(fid)`: a site-wide purge's confirmations, asked with this kiosk's own role
  (it may read `purges`, `purge_acks` and `kiosks`; nothing new is granted).
- `events(...)`: every kiosk's events from the hub, read with the site's read-only role
  (`fk_reader_<tag>`), never with the kiosk's role. The kiosk role cannot create roles, and
  widening it would let every kiosk read every other's attendance; so the hub's owner
  creates a login role in the reader role and the admin hands it to this kiosk once
  (`facekiosk api site-reader ROLE`): `set_reader` refuses a credential that can do more
  than read (superuser, a kiosk role, one that sees the feed's ciphertext), and stores its
  password sealed under the vault's key ring in `site_reader.json`.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from facekiosk.fsutil import atomic_write
from facekiosk.site.hub_state import RECHECK_S, hub_state, saw_down, saw_up
from facekiosk.site.membership import Membership, SiteError
from facekiosk.vault import EventRecord, Vault

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

READER_FILE = "site_reader.json"
READER_SECRET = "site-reader"
CONNECT_TIMEOUT_S = 5.0
# A purge's answer waits at most this long for the hub (an integrator's admin panel waits
# on it), and not at all for RECHECK_S after the hub was found down (by the sync or here).
HUB_ANSWER_S = 1.0


@dataclass
class SiteBridge:
    vault: Vault
    membership: Membership
    errors: tuple[type[Exception], ...] = (SiteError,)  # what the API answers as 503

    @property
    def kiosk_id(self) -> str:
        return self.membership.kiosk_id

    # --- purges -------------------------------------------------------------------------

    def purge_status(self, fid: str) -> dict[str, Any] | None:
        """Where a purge of `fid` stands site-wide; None when this kiosk knows none.
        state: `pending` (some kiosks have not confirmed), `confirmed` (all have),
        `queued` (purged here; the next sync pass takes it to the hub) or
        `hub_unreachable` (purged here, the sync takes it to the hub when it is back; the
        kiosks known to this process are listed as pending). The hub gets HUB_ANSWER_S to
        answer, and none while the hub was found down in the last RECHECK_S."""
        from facekiosk.site.sync import receipts

        done = receipts(self.vault, fid)
        if done:  # begun here and closed: the receipt is in this vault's audit log
            r = done[-1]
            return _status("confirmed", r.get("purged_at"), self.kiosk_id, r["confirmed"], [])
        local = _local_purge(self.vault, fid)
        known = hub_state(self.vault.data_dir, self.membership.dsn)
        try:
            if known.down_within(RECHECK_S):
                raise ConnectionError(known.error or "found down by the site sync")
            rows, kiosks = self._read_purges(fid)
        except _hub_errors() as exc:
            if not known.down_within(RECHECK_S):
                saw_down(self.vault.data_dir, self.membership.dsn, _first_line(exc))
            if local is None:
                raise SiteError(f"the site hub is unreachable: {_first_line(exc)}") from exc
            return self._offline(local[0], _first_line(exc))
        saw_up(self.vault.data_dir, self.membership.dsn, kiosks)
        if rows:
            r = rows[-1]
            state = "pending" if r["pending"] else "confirmed"
            return _status(state, r["purged_at"], r["origin"], r["confirmed"], r["pending"])
        if local is None:
            return None
        at, actor = local
        if actor == "site":  # begun at another kiosk, which has closed it with every kiosk
            return _status("confirmed", at, None, kiosks, [])
        others = [k for k in kiosks if k != self.kiosk_id]
        return _status("queued", at, self.kiosk_id, [self.kiosk_id], others)

    def _read_purges(self, fid: str) -> tuple[list[dict[str, Any]], list[str]]:
        """The hub's open purges of `fid` and its kiosks, read in a worker thread that
        gets HUB_ANSWER_S: libpq's connect timeout is whole seconds, at least 2, and a
        host that drops packets costs all of it (the read itself is a few ms)."""
        done = threading.Event()
        out: list[Any] = []

        def read() -> None:
            try:
                with self._member() as conn:
                    from facekiosk.site.hub import Hub

                    hub = Hub(conn)
                    out.append((hub.purges(fid), hub.members()))
            except BaseException as exc:  # handed to the caller (who may have gone)
                out.append(exc)
            finally:
                done.set()

        threading.Thread(target=read, name="site-purge-status", daemon=True).start()
        if not done.wait(HUB_ANSWER_S):
            raise TimeoutError(f"no answer within {HUB_ANSWER_S:.0f} s")
        if isinstance(out[0], BaseException):
            raise out[0]
        rows, kiosks = out[0]
        return rows, kiosks

    def _offline(self, at: str, error: str) -> dict[str, Any]:
        """Purged here, the hub unreachable: this kiosk confirmed, every other kiosk this
        process knows of pends (None: none known, the hub was never reached)."""
        kiosks = hub_state(self.vault.data_dir, self.membership.dsn).kiosks
        others = None if kiosks is None else [k for k in kiosks if k != self.kiosk_id]
        out = _status("hub_unreachable", at, self.kiosk_id, [self.kiosk_id], others)
        out["message"] = (f"the site hub is unreachable ({error}): purged here; the site sync "
                          "takes the purge to the hub when it is back")  # fmt: skip
        return out

    def _member(self) -> psycopg.Connection[Any]:
        from facekiosk.site.membership import connect_member

        secrets = self.membership.secrets(self.vault)
        return connect_member(self.membership, secrets, CONNECT_TIMEOUT_S)

    # --- site-wide attendance -----------------------------------------------------------

    def has_reader(self) -> bool:
        return (self.vault.data_dir / READER_FILE).exists()

    def events(
        self, since: datetime, until: datetime, kind: str | None, fid: str | None, limit: int
    ) -> list[EventRecord]:
        """Every kiosk's events in [since, until), read as the site's reader role. `extra`
        (similarity, liveness verdicts) is never selected."""
        role, password = self._reader()
        try:
            with _connect(self.membership, role, password) as conn:
                rows = conn.execute(
                    "SELECT local_id, at, kind, index_id, kiosk_id, decision, reason"
                    " FROM facekiosk.events WHERE at >= %(since)s AND at < %(until)s"
                    " AND (%(kind)s::text IS NULL OR kind = %(kind)s)"
                    " AND (%(fid)s::text IS NULL OR index_id = %(fid)s)"
                    " ORDER BY at, origin, local_id LIMIT %(limit)s",
                    {"since": since, "until": until, "kind": kind, "fid": fid, "limit": limit},
                ).fetchall()
        except _hub_errors() as exc:
            raise SiteError(f"the site hub is unreachable: {_first_line(exc)}") from exc
        return [EventRecord(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], {}) for r in rows]

    def _reader(self) -> tuple[str, str]:
        path = self.vault.data_dir / READER_FILE
        if not path.exists():
            raise SiteError(
                "no site reader credential on this kiosk: the hub's owner creates a login "
                "role in the site's reader role, then run `facekiosk api site-reader ROLE`"
            )
        d = json.loads(path.read_text())
        sealed = base64.b64decode(d["sealed"])
        return d["role"], self.vault.transfer.open_secret(READER_SECRET, sealed).decode()


def open_bridge(data_dir: Path, vault: Vault) -> SiteBridge | None:
    """The wiring's hook: a bridge when this data dir is a site member, else None (no
    psycopg imported, no socket)."""
    try:
        membership = Membership.load(data_dir)
    except SiteError as exc:
        log.error("site features of the API are off: %s", exc)
        return None
    return None if membership is None else SiteBridge(vault, membership)


def set_reader(vault: Vault, role: str, password: str) -> dict[str, Any]:
    """Check that `role` can read the site's events and nothing more, then keep it sealed."""
    from facekiosk.site.hub_schema import group_roles

    membership = Membership.load(vault.data_dir)
    if membership is None:
        raise SiteError("this kiosk is not a site member (no site.json)")
    try:
        with _connect(membership, role, password) as conn:
            group, reader = group_roles(str(conn.info.dbname))
            row = conn.execute(
                "SELECT r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolbypassrls,"
                " pg_has_role(current_user, %s, 'MEMBER'), pg_has_role(current_user, %s, 'USAGE'),"
                " (SELECT coalesce(bool_or(has_table_privilege(c.oid, CASE c.relname WHEN"
                "  'events' THEN 'INSERT, UPDATE, DELETE' ELSE 'SELECT' END)), false)"
                "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                "  WHERE n.nspname = 'facekiosk' AND c.relname IN"
                "  ('feed', 'outbox', 'join_tokens', 'events'))"
                " FROM pg_roles r WHERE r.rolname = current_user",
                (group, reader),
            ).fetchone()
            assert row is not None
            wide, kiosk_member, is_reader, more = row
            if wide or kiosk_member or more:
                raise SiteError(
                    f"refused: {role} can do more than read the site's events (superuser, a "
                    f"kiosk's group role, or access to the feed); give a role only in {reader}"
                )
            if not is_reader:
                raise SiteError(f"refused: {role} is not in the site's reader role {reader}")
            counted = conn.execute("SELECT count(*) FROM facekiosk.events").fetchone()
            visible = int(counted[0]) if counted else 0
    except _hub_errors() as exc:
        raise SiteError(f"the hub refused {role}: {_first_line(exc)}") from exc
    sealed = vault.transfer.seal_secret(READER_SECRET, password.encode())
    body = {"role": role, "sealed": base64.b64encode(sealed).decode()}
    atomic_write(vault.data_dir / READER_FILE, json.dumps(body).encode() + b"\n")
    return {"role": role, "reader_role": reader, "events_visible": int(visible)}


def clear_reader(data_dir: Path) -> bool:
    path = Path(data_dir) / READER_FILE
    if not path.exists():
        return False
    path.unlink()
    return True


def _connect(m: Membership, role: str, password: str) -> psycopg.Connection[Any]:
    from facekiosk.site.membership import connect

    return connect(m.dsn, role, password, timeout_s=CONNECT_TIMEOUT_S, kiosk_id=f"{m.kiosk_id} api")


def _local_purge(vault: Vault, fid: str) -> tuple[str, str] | None:
    """(time, actor) of this vault's purge of `fid` (an audit walk: purges are rare calls)."""
    found = None
    for e in vault.audit_entries(0):
        if e.action == "purge" and fid in e.details.get("index_ids", []):
            found = (e.at.isoformat(), e.actor)
    return found


def _status(
    state: str, at: str | None, origin: str | None, confirmed: list[str], pending: list[str] | None
) -> dict[str, Any]:
    return {"site_wide": True, "state": state, "purged_at": at, "origin": origin,
            "confirmed": confirmed, "pending": pending}  # fmt: skip


def _hub_errors() -> tuple[type[BaseException], ...]:
    import psycopg

    return (psycopg.Error, OSError)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
