"""`facekiosk` command line: a thin dispatcher over per-area command modules.

Each module in `COMMAND_MODULES` exposes `register(subparsers)` and sets
`func(args, ctx) -> int` on its parsers. Command modules import their heavy
libraries (dlib, onnxruntime, Qt) inside the handlers, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from facekiosk import __version__
from facekiosk.cli.context import CliContext, CliError
from facekiosk.logging_setup import LOG_LEVELS

# The area modules that add subcommands, in help order.
COMMAND_MODULES: tuple[str, ...] = (
    "facekiosk.cli.doctor_cmd",
    "facekiosk.cli.settings_cmd",
    "facekiosk.cli.run_cmd",
    "facekiosk.cli.vault_cmds",
    "facekiosk.cli.models_cmds",
    "facekiosk.cli.kiosk_cmds",
    "facekiosk.cli.site_cmds",
    "facekiosk.cli.bench_cmds",
    "facekiosk.cli.api_cmds",
)


# Commands that only inspect: doctor must run on an unsafe data dir to report it.
INSPECT_ONLY = frozenset({"doctor"})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="facekiosk",
        description="On-premises face-authentication kiosk (offline, encrypted vault).",
    )
    parser.add_argument("--version", action="version", version=f"facekiosk {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="data directory (default: $FACEKIOSK_HOME or the platform's user data dir)",
    )
    parser.add_argument(
        "--log-level",
        default=None,
        type=str.upper,  # "debug" works as in settings.toml; anything else is a usage error
        choices=LOG_LEVELS,
        help="override log.level from settings",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0 if args.command is None else 2
    ctx = CliContext.from_args(args)
    # Private whatever the shell's umask: under umask 000 the engine's models/ folder came
    # out 0777 and files 0666. Restored on return (tests call main() in-process).
    umask = os.umask(0o077)
    created = not ctx.data_dir.exists()
    try:
        if args.command not in INSPECT_ONLY:
            _open_data_dir(ctx.data_dir)
        return int(args.func(args, ctx) or 0)
    except CliError as exc:
        if created:  # a refused command leaves no trace, not even an empty data dir
            with contextlib.suppress(OSError):
                ctx.data_dir.rmdir()
        print(f"facekiosk: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    finally:
        os.umask(umask)


def _open_data_dir(data_dir: Path) -> None:
    from facekiosk.paths import InsecureDataDirError, open_data_dir

    try:
        open_data_dir(data_dir)
    except InsecureDataDirError as exc:
        raise CliError(str(exc)) from exc
    except OSError as exc:
        raise CliError(f"cannot create data dir {data_dir}: {exc.strerror or exc}") from exc


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
