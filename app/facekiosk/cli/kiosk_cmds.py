"""`facekiosk consent` (the consent text and its version), `facekiosk attendance`
(per-day check-in/check-out summary from the vault's event log) and `facekiosk access`
(access groups, weekly schedules and the opt-out list in access.toml)."""

from __future__ import annotations

import argparse
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from facekiosk.cli.context import CliContext, CliError, print_json

if TYPE_CHECKING:  # the kiosk package loads settings (pydantic): only inside the handlers
    from facekiosk.kiosk.restrictions import AccessPolicy


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("consent", help="show the consent text and its version")
    p.add_argument("--language", help="language code (default: kiosk.language)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_consent)

    p = sub.add_parser("attendance", help="per-day attendance summary (Index IDs only)")
    p.add_argument("--day", help="YYYY-MM-DD in local time (default: today)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_attendance)

    p = sub.add_parser("access", help="access groups, schedules and the opt-out list")
    acc = p.add_subparsers(dest="access_command", metavar="ACTION", required=True)
    q = acc.add_parser("show", help="print access.toml")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=run_access_show)
    q = acc.add_parser("group", help="create or reschedule a group")
    q.add_argument("name")
    q.add_argument("--schedule", action="append", default=[], metavar="'mon-fri 07:00-19:00'")
    q.set_defaults(func=run_access_group)
    for name, helptext in (("add", "add Index IDs to a group"), ("remove", "remove them")):
        q = acc.add_parser(name, help=helptext)
        q.add_argument("group")
        q.add_argument("index_ids", nargs="+", metavar="INDEX_ID")
        q.set_defaults(func=run_access_members)
    q = acc.add_parser("optout", help="never recognise these Index IDs here (--undo to lift)")
    q.add_argument("index_ids", nargs="+", metavar="INDEX_ID")
    q.add_argument("--undo", action="store_true")
    q.set_defaults(func=run_access_optout)


def run_consent(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.kiosk.consent import ConsentError, load_consent

    kiosk = ctx.settings.kiosk
    try:
        text = load_consent(args.language or kiosk.language, pinned_version=kiosk.consent_version)
    except ConsentError as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        print_json(
            {
                "language": text.language,
                "version": text.version,
                "title": text.title,
                "text": text.text,
            }
        )
    else:
        print(f"version: {text.version}\n")
        print(text.text, end="")
    return 0


def run_attendance(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.cli.vault_cmds import open_vault
    from facekiosk.kiosk.attendance import PassRecord, day_summary

    try:
        day = date.fromisoformat(args.day) if args.day else date.today()
    except ValueError as exc:
        raise CliError(f"--day: expected YYYY-MM-DD, got {args.day!r}") from exc
    start = datetime.combine(day, time.min).astimezone()
    with open_vault(ctx, create=False) as vault:
        events = vault.events(since=start, until=start + timedelta(days=1), kind="attendance")
    records = [PassRecord(e.at, e.index_id, e.decision, e.kiosk_id) for e in events if e.index_id]
    rows = day_summary(records, day)
    if args.json:
        print_json(
            {
                "day": day.isoformat(),
                "people": [
                    {
                        "index_id": r.index_id,
                        "first_in": r.first_in.astimezone().isoformat() if r.first_in else None,
                        "last_out": r.last_out.astimezone().isoformat() if r.last_out else None,
                        "check_ins": r.check_ins,
                        "check_outs": r.check_outs,
                        "present_minutes": r.present_minutes,
                        "open": r.open,
                    }
                    for r in rows
                ],
            }
        )
    else:
        print(f"{'index_id':36}  {'first in':8}  {'last out':8}  {'minutes':>7}  open")
        for r in rows:
            first = r.first_in.astimezone().strftime("%H:%M:%S") if r.first_in else "-"
            last = r.last_out.astimezone().strftime("%H:%M:%S") if r.last_out else "-"
            print(f"{r.index_id:36}  {first:8}  {last:8}  {r.present_minutes:7.1f}  {r.open}")
    return 0


def _policy(ctx: CliContext) -> AccessPolicy:
    from facekiosk.kiosk.restrictions import AccessPolicy, AccessPolicyError

    try:
        return AccessPolicy.load(ctx.data_dir)
    except AccessPolicyError as exc:
        raise CliError(str(exc)) from exc


def run_access_show(args: argparse.Namespace, ctx: CliContext) -> int:
    policy = _policy(ctx)
    if args.json:
        print_json(
            {
                "optout": sorted(policy.optout),
                "groups": {
                    g.name: {"schedule": [w.text for w in g.schedule], "members": sorted(g.members)}
                    for g in policy.groups.values()
                },
                "kiosk_admits": ctx.settings.kiosk.access_groups,
            }
        )
    else:
        print(policy.dump(), end="")
    return 0


def run_access_group(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.kiosk.restrictions import AccessGroup, AccessPolicyError, WeeklyWindow

    try:
        schedule = [WeeklyWindow.parse(text) for text in args.schedule]
    except AccessPolicyError as exc:
        raise CliError(str(exc)) from exc
    policy = _policy(ctx)
    group = policy.groups.setdefault(args.name, AccessGroup(args.name))
    group.schedule = schedule
    policy.save(ctx.prepare())
    return 0


def run_access_members(args: argparse.Namespace, ctx: CliContext) -> int:
    policy = _policy(ctx)
    if args.group not in policy.groups:
        raise CliError(f"no access group {args.group!r} (create it with `access group`)")
    members = policy.groups[args.group].members
    if args.access_command == "add":
        _check_enrolled(ctx, args.index_ids)
        members.update(args.index_ids)
    else:
        members.difference_update(args.index_ids)
    policy.save(ctx.prepare())
    return 0


def run_access_optout(args: argparse.Namespace, ctx: CliContext) -> int:
    policy = _policy(ctx)
    if args.undo:
        policy.optout.difference_update(args.index_ids)
    else:
        _check_enrolled(ctx, args.index_ids)
        policy.optout.update(args.index_ids)
    policy.save(ctx.prepare())
    return 0


def _check_enrolled(ctx: CliContext, index_ids: list[str]) -> None:
    """Only enrolled Index IDs go into access.toml (a typo would silently never match)."""
    from facekiosk.cli.vault_cmds import open_vault
    from facekiosk.vault import UnknownIndexId

    with open_vault(ctx, create=False) as vault:
        for index_id in index_ids:
            try:
                vault.get(index_id)
            except UnknownIndexId as exc:
                raise CliError(str(exc)) from exc
