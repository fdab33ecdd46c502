"""`facekiosk site …`: multi-kiosk sites on a PostgreSQL hub that holds only ciphertext
(init, token, join, sync, status, receipt, leave, remove). Each command but `remove` opens
the vault itself, so it runs while the kiosk is stopped (the running kiosk syncs in its own
background thread)."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from facekiosk.cli.context import CliContext, CliError, print_json

if TYPE_CHECKING:
    from facekiosk.site.hub import Hub
    from facekiosk.site.membership import Membership
    from facekiosk.vault import Vault


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("site", help="multi-kiosk site: share the gallery through a hub")
    site = p.add_subparsers(dest="site_command", metavar="ACTION", required=True)
    q = site.add_parser("init", help="create the hub schema and make this kiosk a member")
    q.add_argument("--dsn", required=True, help="libpq DSN of a PostgreSQL admin (CREATEROLE)")
    q.add_argument("--kiosk-id", help="name shown in status (default: kiosk.kiosk_id)")
    q.set_defaults(func=run_init)
    q = site.add_parser("token", help="issue a one-time join token for another kiosk")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=run_token)
    q = site.add_parser("join", help="join a site with a token from `site token`")
    q.add_argument("--dsn", required=True, help="the hub: host, port, dbname, sslmode, …")
    q.add_argument("--token", required=True)
    q.add_argument("--kiosk-id", help="name shown in status (default: kiosk.kiosk_id)")
    q.set_defaults(func=run_join)
    q = site.add_parser("sync", help="sync with the hub (until stopped, or --once)")
    q.add_argument("--once", action="store_true", help="one pass, then exit")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=run_sync)
    q = site.add_parser("status", help="kiosks, last sync, lag, pending purges, duplicates")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=run_status)
    q = site.add_parser("receipt", help="which kiosks confirmed a site-wide purge")
    q.add_argument("index_id", metavar="INDEX_ID")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=run_receipt)
    q = site.add_parser("leave", help="this kiosk leaves the site for good")
    q.add_argument("--keep-people", action="store_true",
                   help="keep the people enrolled elsewhere (later site-wide deletions will "
                        "not reach them here)")  # fmt: skip
    q.add_argument("--offline", action="store_true",
                   help="the hub is gone for good: leave without it (nothing is pushed; the "
                        "hub lists this kiosk until its owner runs `site remove`)")  # fmt: skip
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=run_leave)
    q = site.add_parser("remove", help="remove a dead or stolen kiosk (the hub owner's DSN)")
    q.add_argument("kiosk_id", metavar="KIOSK_ID")
    q.add_argument("--dsn", required=True, help="libpq DSN of the hub's owner (from site init)")
    q.set_defaults(func=run_remove)


@contextmanager
def _vault(ctx: CliContext) -> Iterator[Vault]:
    from facekiosk.cli.vault_cmds import open_vault

    with open_vault(ctx) as vault:
        yield vault


def _member(vault: Vault) -> Membership:
    from facekiosk.site.membership import Membership

    m = Membership.load(vault.data_dir)
    if m is None:
        raise CliError("this kiosk is not a site member: run `site init` or `site join` first")
    return m


@contextmanager
def _hub(
    ctx: CliContext, vault: Vault, *, offline_hint: bool = False
) -> Iterator[tuple[Membership, Hub]]:
    import psycopg

    from facekiosk.site.hub import Hub
    from facekiosk.site.membership import connect_member

    m = _member(vault)
    try:
        site = ctx.settings.site
        conn = connect_member(m, m.secrets(vault), site.connect_timeout_s, site.dead_peer_s)
    except psycopg.OperationalError as exc:
        hint = " (if the hub is gone for good: `site leave --offline`)" if offline_hint else ""
        raise CliError(f"cannot reach the site hub: {str(exc).strip()}{hint}") from exc
    hub = Hub(conn)
    try:
        yield m, hub
    except psycopg.Error as exc:
        raise CliError(f"site hub: {str(exc).strip()}") from exc
    finally:
        hub.close()


def _site_errors() -> tuple[type[BaseException], ...]:
    import psycopg

    from facekiosk.site.membership import SiteError

    return (SiteError, psycopg.Error)


def run_init(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.site.membership import init_site

    with _vault(ctx) as vault:
        try:
            m = init_site(vault, args.dsn, args.kiosk_id or ctx.settings.kiosk.kiosk_id)
        except _site_errors() as exc:
            raise CliError(f"site init: {str(exc).strip()}") from exc
    print(f"site {m.site_id} created; this kiosk ({m.kiosk_id}) is its first member")
    return 0


def run_token(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.site.membership import issue_token

    with _vault(ctx) as vault, _hub(ctx, vault) as (m, hub):
        token = issue_token(hub.conn, m.site_id, m.secrets(vault).site_key)
    if args.json:
        print_json({"token": token.encode(), "site_id": m.site_id, "role": token.role})
    else:
        print(token.encode())
        print("one-time: give it to the new kiosk's `site join --token`", file=sys.stderr)
    return 0


def run_join(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.site.membership import join_site

    with _vault(ctx) as vault:
        try:
            m = join_site(vault, args.dsn, args.token, args.kiosk_id or ctx.settings.kiosk.kiosk_id)
        except _site_errors() as exc:
            raise CliError(f"site join: {str(exc).strip()}") from exc
    print(f"joined site {m.site_id} as {m.kiosk_id}")
    return 0


def _report_json(report: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(report)


def run_sync(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.site.service import SiteService, duplicate_threshold
    from facekiosk.site.sync import SiteSync

    with _vault(ctx) as vault:
        if args.once:
            with _hub(ctx, vault) as (m, hub):
                sync = SiteSync(vault, m, m.secrets(vault), batch=ctx.settings.site.batch,
                                duplicate_threshold=duplicate_threshold(ctx.settings))  # fmt: skip
                report = sync.run_once(hub)
            if args.json:
                print_json(_report_json(report))
            else:
                print(_report_line(report))
            return 0
        ctx.prepare()  # file logging: the service logs hub outages there

        def show(report: Any) -> None:
            print(_report_line(report), flush=True)

        service = SiteService(vault, _member(vault), ctx.settings, on_sync=show).start()
        signal.signal(signal.SIGTERM, lambda *_: service.stop())
        try:
            service.join()
        except KeyboardInterrupt:
            service.stop()
    return 0


def _report_line(r: Any) -> str:
    line = (
        f"pushed {r.pushed_records} record(s), {r.pushed_purges} purge(s), "
        f"{r.pushed_events} event(s); applied {r.imported} record(s), {r.purged} purge(s)"
    )
    for d in r.duplicates:
        line += f"\npossible duplicate: {' and '.join(d['index_ids'])} ({d['similarity']})"
    return line


def run_status(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.site.sync import receipts

    with _vault(ctx) as vault, _hub(ctx, vault) as (m, hub):
        status: dict[str, Any] = {
            "site_id": m.site_id, "kiosk_id": m.kiosk_id, "feed_seq": hub.feed_head(),
            "kiosks": hub.kiosks(), "pending_purges": hub.purges(),
            "duplicates": hub.duplicates(), "confirmed_purges": receipts(vault),
        }  # fmt: skip
    if args.json:
        print_json(status)
        return 0
    print(f"site {status['site_id']} (this kiosk: {status['kiosk_id']}), "
          f"feed at {status['feed_seq']}")  # fmt: skip
    for k in status["kiosks"]:
        state = f"left {k['left_at']}" if k["left_at"] else f"lag {k['lag']}"
        print(f"  {k['kiosk_id']:<20} last sync {k['last_sync'] or 'never'}, {state}")
    for p in status["pending_purges"]:
        print(f"purge {p['index_id']}: confirmed {', '.join(p['confirmed']) or '-'}; "
              f"pending {', '.join(p['pending']) or '-'}")  # fmt: skip
    for d in status["duplicates"]:
        print(f"possible duplicate: {' and '.join(d['index_ids'])} (cosine {d['similarity']}, "
              f"found by {d['found_by']})")  # fmt: skip
    return 0


def run_receipt(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.site.sync import receipts

    with _vault(ctx) as vault:
        found = receipts(vault, args.index_id)
        if not found:
            with _hub(ctx, vault) as (_m, hub):
                found = hub.purges(args.index_id)
    if not found:
        raise CliError(f"no site-wide purge of {args.index_id} known here")
    receipt = found[-1]
    if args.json:
        print_json(receipt)
    else:
        print(f"purge of {receipt['index_id']} at {receipt['purged_at']}")
        print(f"confirmed: {', '.join(receipt['confirmed']) or '-'}")
        print(f"pending:   {', '.join(receipt['pending']) or '-'}")
    return 0


def run_leave(args: argparse.Namespace, ctx: CliContext) -> int:
    from dataclasses import asdict

    from facekiosk.site.leave import leave_offline, leave_site
    from facekiosk.site.service import duplicate_threshold
    from facekiosk.site.sync import SiteSync

    if args.offline:
        with _vault(ctx) as vault:
            report = leave_offline(vault, _member(vault), keep_people=args.keep_people)
    else:
        with _vault(ctx) as vault, _hub(ctx, vault, offline_hint=True) as (m, hub):
            sync = SiteSync(vault, m, m.secrets(vault), batch=ctx.settings.site.batch,
                            duplicate_threshold=duplicate_threshold(ctx.settings))  # fmt: skip
            report = leave_site(vault, m, hub, sync, keep_people=args.keep_people)
    if args.json:
        print_json(asdict(report))
        return 0
    if report.offline:
        print(f"{report.kiosk_id} left site {report.site_id} without the hub: nothing was pushed; "
              f"the hub lists it until the owner runs `site remove {report.kiosk_id}`")  # fmt: skip
        if report.unconfirmed_purges:
            print(f"{len(report.unconfirmed_purges)} deletion(s) made here have no "
                  f"site-wide confirmation; repeat them on a kiosk of the site "
                  f"(`admin delete`):")  # fmt: skip
            for index_id in report.unconfirmed_purges:
                print(f"  {index_id}")
    else:
        print(f"{report.kiosk_id} left site {report.site_id}; its last changes were pushed")
    if report.kept_site_people:
        print(f"kept {report.kept_site_people} people enrolled elsewhere: later site-wide "
              f"deletions do not reach this vault (delete them with `admin delete`)")  # fmt: skip
    else:
        print(f"purged {report.purged_site_people} people it held only from the site")
    return 0


def run_remove(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.site.leave import remove_kiosk

    try:
        role = remove_kiosk(args.dsn, args.kiosk_id)
    except _site_errors() as exc:
        raise CliError(f"site remove: {str(exc).strip()}") from exc
    print(f"{args.kiosk_id} ({role}) is no longer a member: purges no longer wait for it; "
          f"its role is dropped at the next sync of any kiosk")  # fmt: skip
    return 0
