"""`facekiosk settings show|check|init`: read, validate or create settings.toml.

`check` loads the file exactly as start-up does (facekiosk.settings' schema, nothing else),
so a file it passes is one the kiosk starts with."""

from __future__ import annotations

import argparse
import dataclasses
import sys

from facekiosk.cli.context import CliContext, CliError, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("settings", help="show, check or create settings.toml")
    p.add_argument("action", choices=["show", "check", "init", "path"], nargs="?", default="show")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.fsutil import atomic_write
    from facekiosk.settings import SETTINGS_FILE, defaults_template, dump_settings

    path = ctx.data_dir / SETTINGS_FILE
    if args.action == "path":
        print(path)
        return 0
    if args.action == "init":
        if path.exists():
            raise CliError(f"{path} exists; edit it instead")
        ctx.prepare()
        # every key commented out at its default: the file lists what can be set, yet
        # holds only what the site uncomments (a later panel save keeps the comments)
        atomic_write(path, defaults_template().encode("utf-8"))
        print(f"wrote the defaults, commented out, to {path}")
        return 0
    settings = ctx.settings  # raises CliError naming the bad key
    if args.action == "check":
        status = "with unknown keys" if settings.unknown_keys else "valid"
        print(f"{path}: {status}", file=sys.stderr)
        return 0
    if args.json:
        data = dataclasses.asdict(settings)
        data.pop("unknown_keys", None)
        print_json(data)
    else:
        print(dump_settings(settings), end="")
    return 0
