"""`facekiosk consent` (the consent text and its version) and `facekiosk attendance`
(per-day check-in/check-out summary from the vault's event log)."""

from __future__ import annotations

import argparse
from datetime import date, datetime, time, timedelta

from facekiosk.cli.context import CliContext, CliError, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("consent", help="show the consent text and its version")
    p.add_argument("--language", help="language code (default: kiosk.language)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_consent)

    p = sub.add_parser("attendance", help="per-day attendance summary (Index IDs only)")
    p.add_argument("--day", help="YYYY-MM-DD in local time (default: today)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_attendance)


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
