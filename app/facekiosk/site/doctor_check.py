"""`facekiosk doctor`'s site line: configured or not, last sync, lag.

No `site.json`: "stand-alone", decided from the file alone (no hub client is imported,
no socket is opened). A member: the vault is opened (device key, or the passphrase from
$FACEKIOSK_VAULT_PASSPHRASE) for the sealed hub password, and the hub is asked, with the
usual connect timeout. A running kiosk holds the vault: doctor then says where to look."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from facekiosk.settings import Settings
from facekiosk.site.membership import Membership, SiteError

if TYPE_CHECKING:
    from facekiosk.vault import Vault

OK, WARN, FAIL = "ok", "warn", "fail"
PASSPHRASE_ENV = "FACEKIOSK_VAULT_PASSPHRASE"  # as the CLI (cli/vault_cmds.py)


def site_state(data_dir: Path, settings: Settings | None) -> tuple[str, str, str]:
    """(status, detail, hint) for doctor's "site" line."""
    try:
        m = Membership.load(data_dir)
    except SiteError as exc:
        return FAIL, str(exc), "leave and join the site again (site join with a new token)"
    if m is None:
        return OK, "no site configured: stand-alone kiosk, no hub connection", ""
    settings = settings or Settings()
    member = f"member of site {m.site_id} as {m.kiosk_id}"
    if not settings.site.sync:
        member += " (background sync off: site.sync = false)"
    from facekiosk.vault import Vault, VaultError, VaultLockedError
    from facekiosk.vault.crypto import ENVELOPE_FILE, Envelope

    try:
        mode = Envelope.from_bytes((data_dir / ENVELOPE_FILE).read_bytes()).mode
        passphrase = os.environ.get(PASSPHRASE_ENV) if mode == "passphrase" else None
        if mode == "passphrase" and not passphrase:
            hint = f"set ${PASSPHRASE_ENV} to check the hub, or see the admin panel's Site tab"
            return WARN, f"{member}; last sync not checked (passphrase vault)", hint
        with Vault.open(data_dir, passphrase=passphrase, create=False) as vault:
            return _ask_hub(vault, m, member, settings.site.connect_timeout_s,
                            settings.site.dead_peer_s)  # fmt: skip
    except VaultLockedError:
        detail = f"{member}; the running kiosk syncs (its admin panel's Site tab shows them)"
        return OK, detail, ""
    except (VaultError, OSError, ValueError) as exc:
        return WARN, f"{member}; the vault does not open ({exc})", "see the vault checks above"


def _ask_hub(
    vault: Vault, m: Membership, member: str, timeout_s: float, dead_peer_s: float
) -> tuple[str, str, str]:
    import psycopg

    from facekiosk.site.hub import Hub
    from facekiosk.site.membership import connect_member

    try:
        hub = Hub(connect_member(m, m.secrets(vault), timeout_s, dead_peer_s))
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        hint = "check the network and the hub; the kiosk works on its own vault meanwhile"
        return WARN, f"{member}; hub unreachable: {first}", hint
    try:
        mine = next(k for k in hub.kiosks() if k["this_kiosk"])
        open_purges = sum(bool(p["pending"]) for p in hub.purges())
        duplicates = len(hub.duplicates())
    finally:
        hub.close()
    detail = (
        f"{member}; last sync {mine['last_sync'] or 'never'}, lag {mine['lag']}, "
        f"{open_purges} purge(s) waiting for kiosks, {duplicates} possible duplicate(s)"
    )
    if mine["last_sync"] is None or mine["lag"]:
        return WARN, detail, "start the kiosk or run `facekiosk site sync --once`"
    if duplicates:
        return WARN, detail, "see `facekiosk site status`: keep one Index ID, delete the other"
    return OK, detail, ""
