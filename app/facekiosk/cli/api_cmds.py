"""`facekiosk api serve | keys … | webhooks …`: the integrator API from the command line.

`api serve` opens the vault itself, for a device with no kiosk running; with the kiosk
running, the kiosk serves the API (settings `[api] enabled = true`): the vault is one
process at a time, so `serve` then says so instead of waiting for the lock.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from facekiosk.cli.context import CliContext, CliError, print_json
from facekiosk.cli.vault_cmds import open_vault

SCOPES = ("read", "write", "delete")
EVENTS = ("enroll", "auth", "delete")
LOCKED_HINT = (
    "the vault is open in another process (the kiosk?). The running kiosk serves the API "
    "itself: enable it in the admin panel (API tab) or set [api] enabled = true in "
    "settings.toml and restart the kiosk"
)


def register(sub: argparse._SubParsersAction) -> None:
    api = sub.add_parser("api", help="integrator REST API: serve, keys, webhooks")
    asub = api.add_subparsers(dest="api_command", metavar="ACTION", required=True)
    p = asub.add_parser("serve", help="serve the API on this device (no kiosk running)")
    p.add_argument("--host", help="address to listen on (default: api.host, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: api.port; 0 = any free port)")
    p.set_defaults(func=run_serve)

    keys = asub.add_parser("keys", help="API keys: create, list, revoke")
    ksub = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    p = ksub.add_parser("create", help="a new key (shown once; the vault keeps its hash)")
    p.add_argument("--scope", action="append", choices=SCOPES, required=True,
                   help="read, write or delete (repeat for several)")  # fmt: skip
    p.add_argument("--label", default="", help="what the key is for (e.g. 'HR system')")
    p.add_argument("--expires", help="expiry, ISO 8601 (e.g. 2027-01-31T00:00:00Z)")
    p.add_argument("--days", type=int, help="expiry in this many days")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_keys_create)
    p = ksub.add_parser("list", help="every key: id, scopes, state, last use")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_keys_list)
    p = ksub.add_parser("revoke", help="revoke a key (refused from its next call on)")
    p.add_argument("key_id")
    p.set_defaults(func=run_keys_revoke)

    hooks = asub.add_parser("webhooks", help="webhooks: add, list, remove, secret")
    hsub = hooks.add_subparsers(dest="hooks_command", metavar="ACTION", required=True)
    p = hsub.add_parser("add", help="POST these events to URL (signed; see README)")
    p.add_argument("url")
    p.add_argument("--event", action="append", choices=EVENTS, required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_hooks_add)
    p = hsub.add_parser("list", help="webhooks and their queue")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_hooks_list)
    p = hsub.add_parser("remove", help="remove a webhook and its undelivered events")
    p.add_argument("webhook_id", type=int)
    p.set_defaults(func=run_hooks_remove)
    p = hsub.add_parser("secret", help="print a webhook's signing secret")
    p.add_argument("webhook_id", type=int)
    p.set_defaults(func=run_hooks_secret)

    p = asub.add_parser(
        "site-reader", help="a site member: the hub login (in the site's reader role) that "
        "`attendance?scope=site` reads with; password on stdin",
    )  # fmt: skip
    p.add_argument("role", nargs="?", help="the PostgreSQL login role the hub's owner created")
    p.add_argument("--clear", action="store_true", help="forget the stored credential")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_site_reader)


@contextmanager
def _vault(ctx: CliContext, *refusals: type[Exception]) -> Iterator[Any]:
    """The vault, open for one action: a lock held by the kiosk says so (LOCKED_HINT); the
    action's `refusals` (a bad URL or scope: ValueError, …) reach the admin as their message,
    as open_vault does for every VaultError (unknown key or webhook)."""
    from facekiosk.vault import VaultLockedError

    try:
        with open_vault(ctx, create=False) as vault:
            try:
                yield vault
            except refusals as exc:
                raise CliError(str(exc)) from exc
    except CliError as exc:
        if isinstance(exc.__cause__, VaultLockedError):
            raise CliError(LOCKED_HINT) from exc
        raise


def run_serve(args: argparse.Namespace, ctx: CliContext) -> int:
    import signal
    import threading

    from facekiosk.api.server import ApiStartError
    from facekiosk.api.service import start_integrations

    ctx.prepare()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    from facekiosk.site.api_bridge import open_bridge

    with _vault(ctx) as vault:
        try:
            running = start_integrations(
                vault, ctx.settings, ctx.data_dir, api=True, host=args.host, port=args.port,
                strict=True, site=open_bridge(ctx.data_dir, vault),
            )  # fmt: skip
        except ApiStartError as exc:
            raise CliError(str(exc)) from exc
        from facekiosk.site.service import start_site_service

        # a site member's purge through the API must reach the hub: serve syncs as the kiosk
        site = start_site_service(ctx.data_dir, ctx.settings, vault)  # None without a site
        try:
            hooks = "on" if running.sender else "off ([webhooks] enabled = false)"
            print(f"facekiosk API on {running.server.url} (webhooks {hooks})", flush=True)
            while not stop.wait(0.5):
                pass
        finally:
            if site is not None:
                site.stop()
            running.close()
    return 0


def _expiry(args: argparse.Namespace) -> datetime | None:
    if args.expires and args.days is not None:
        raise CliError("give --expires or --days, not both")
    if args.days is not None:
        if args.days < 1:
            raise CliError("--days must be at least 1")
        return datetime.now(UTC) + timedelta(days=args.days)
    if args.expires:
        try:
            at = datetime.fromisoformat(args.expires.replace("Z", "+00:00"))
        except ValueError as exc:
            raise CliError(f"--expires: {exc}") from exc
        return at if at.tzinfo else at.replace(tzinfo=UTC)
    return None


def _key_json(r: Any) -> dict[str, Any]:
    return {
        "key_id": r.key_id,
        "scopes": list(r.scopes),
        "label": r.label,
        "state": r.state(),
        "created": r.created.isoformat(),
        "expires": r.expires.isoformat() if r.expires else None,
        "revoked": r.revoked.isoformat() if r.revoked else None,
        "last_used": r.last_used.isoformat() if r.last_used else None,
    }


def run_keys_create(args: argparse.Namespace, ctx: CliContext) -> int:
    expires = _expiry(args)
    with _vault(ctx, ValueError) as vault:
        new = vault.api_keys.create(args.scope, label=args.label, expires=expires, actor="cli")
    if args.json:
        print_json({**_key_json(new.record), "key": new.token})
    else:
        print(new.token)
        print(f"key id {new.record.key_id}, scopes {' '.join(new.record.scopes)}: shown once, "
              "store it now (send it as `Authorization: Bearer KEY`)", file=sys.stderr)  # fmt: skip
    return 0


def run_keys_list(args: argparse.Namespace, ctx: CliContext) -> int:
    with _vault(ctx) as vault:
        keys = [_key_json(r) for r in vault.api_keys.all()]
    if args.json:
        print_json({"keys": keys})
        return 0
    for k in keys:
        scopes, expires, used = ",".join(k["scopes"]), k["expires"] or "-", k["last_used"] or "-"
        print(f"{k['key_id']}  {scopes:<17} {k['state']:<8} expires {expires}  "
              f"last used {used}  {k['label']}")  # fmt: skip
    print(f"{len(keys)} key(s)")
    return 0


def run_keys_revoke(args: argparse.Namespace, ctx: CliContext) -> int:
    with _vault(ctx) as vault:
        vault.api_keys.revoke(args.key_id, actor="cli")
    print(f"revoked {args.key_id}")
    return 0


def run_hooks_add(args: argparse.Namespace, ctx: CliContext) -> int:
    with _vault(ctx, ValueError) as vault:
        hook = vault.webhooks.add(args.url, args.event, actor="cli")
        secret = vault.webhooks.secret(hook.id)
    if args.json:
        print_json({"id": hook.id, "url": hook.url, "events": list(hook.events),
                    "secret": secret})  # fmt: skip
    else:
        print(f"webhook {hook.id}: {hook.url} ({' '.join(hook.events)})")
        print(f"signing secret: {secret}")
        if not ctx.settings.webhooks.enabled:
            print("note: deliveries start once [webhooks] enabled = true", file=sys.stderr)
    return 0


def run_hooks_list(args: argparse.Namespace, ctx: CliContext) -> int:
    with _vault(ctx) as vault:
        hooks = vault.webhooks.all()
        pending = vault.webhooks.pending_count()
    rows = [{"id": h.id, "url": h.url, "events": list(h.events), "enabled": h.enabled,
             "created": h.created.isoformat()} for h in hooks]  # fmt: skip
    if args.json:
        print_json({"webhooks": rows, "pending": pending})
        return 0
    for r in rows:
        print(f"{r['id']}  {r['url']}  {' '.join(r['events'])}")
    print(f"{len(rows)} webhook(s), {pending} delivery(ies) pending")
    return 0


def run_hooks_remove(args: argparse.Namespace, ctx: CliContext) -> int:
    with _vault(ctx) as vault:
        vault.webhooks.remove(args.webhook_id, actor="cli")
    print(f"removed webhook {args.webhook_id}")
    return 0


def run_site_reader(args: argparse.Namespace, ctx: CliContext) -> int:
    """The role is checked on the hub (it may read the site's events and nothing more)
    before its password is kept, sealed under the vault's key ring."""
    import getpass

    from facekiosk.site.api_bridge import clear_reader, set_reader
    from facekiosk.site.membership import SiteError

    if args.clear:
        with _vault(ctx) as vault:
            gone = clear_reader(ctx.data_dir)
            if gone:
                vault.audit("api_site_reader_clear", "cli", {})
        print("site reader credential removed" if gone else "no site reader credential stored")
        return 0
    if not args.role:
        raise CliError("give the role (or --clear)")
    if sys.stdin.isatty():
        password = getpass.getpass(f"password of {args.role}: ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    if not password:
        raise CliError("no password given (on stdin)")
    with _vault(ctx, SiteError) as vault:
        found = set_reader(vault, args.role, password)
        vault.audit("api_site_reader_set", "cli", {"role": args.role})
    if args.json:
        print_json(found)
    else:
        print(f"site reader {found['role']} (in {found['reader_role']}) stored; it sees "
              f"{found['events_visible']} event(s) on the hub")  # fmt: skip
    return 0


def run_hooks_secret(args: argparse.Namespace, ctx: CliContext) -> int:
    with _vault(ctx) as vault:
        print(vault.webhooks.secret(args.webhook_id))
    return 0
