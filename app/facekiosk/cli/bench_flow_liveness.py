"""`facekiosk bench flow-liveness [--shared DIR] [--tries N] [--fps F] [--json]`: replay and
live clips of enrolled people through the real kiosk flow (facekiosk.bench.flow_liveness)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from facekiosk.cli.context import CliContext, CliError, print_json


def register_bench(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "flow-liveness",
        help="enrol people from live clips, then sign in with their replay and live clips "
        "(default settings, real session and vault)",
    )
    p.add_argument(
        "--shared", type=Path, default=Path("../shared"), metavar="DIR",
        help="folder with liveness/MANIFEST.json (default ../shared)",
    )  # fmt: skip
    p.add_argument("--tries", type=int, default=10, help="random seeds per clip (default 10)")
    p.add_argument("--fps", type=float, default=10.0, help="frames fed per clip second")
    p.add_argument(
        "--frame-ms", type=float, default=None, metavar="MS",
        help="pace frames as the window does: the clip plays at its own rate and size and "
        "each analysis takes MS (frames meanwhile are dropped); default: every clip frame "
        "at --fps",
    )  # fmt: skip
    p.add_argument(
        "--first-frame-ms", type=float, default=None, metavar="MS",
        help="with --frame-ms: the first analysis of each attempt takes MS (a cold engine)",
    )  # fmt: skip
    p.add_argument("--person", action="append", default=[], help="only this person (repeatable)")
    p.add_argument(
        "--min-brightness", type=float, default=None, metavar="GREY",
        help="override quality.min_brightness (the lestari webcam clip's face is grey "
        "level ~40: accepted at the default 30 since it keeps its detail)",
    )  # fmt: skip
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.bench.flow_liveness import run_flow_liveness, shared_pairs
    from facekiosk.engine.registry import create_engine
    from facekiosk.engine.types import EngineError
    from facekiosk.settings import Settings

    if args.tries < 1 or args.fps <= 0:
        raise CliError("--tries must be at least 1 and --fps positive")
    if any(v is not None and v <= 0 for v in (args.frame_ms, args.first_frame_ms)):
        raise CliError("--frame-ms and --first-frame-ms must be positive")
    if args.first_frame_ms is not None and args.frame_ms is None:
        raise CliError("--first-frame-ms needs --frame-ms")
    liveness = args.shared / "liveness"
    if not (liveness / "MANIFEST.json").is_file():
        raise CliError(f"{liveness}/MANIFEST.json not found: give the shared folder with --shared")
    pairs = shared_pairs(liveness)
    if args.person:
        pairs = [p for p in pairs if p.person in args.person]
    if not pairs:
        raise CliError(f"{liveness}: no person with both a live and a replay clip")
    settings = Settings()  # the bench measures the defaults, not this site's settings
    if args.min_brightness is not None:
        if not 0 <= args.min_brightness < settings.quality.max_brightness:
            raise CliError("--min-brightness must be in 0 .. quality.max_brightness")
        settings.quality.min_brightness = args.min_brightness
    try:
        engine = create_engine(settings.engine, ctx.data_dir)
    except EngineError as exc:
        raise CliError(str(exc)) from exc
    report = run_flow_liveness(
        engine, pairs, tries=args.tries, fps=args.fps, settings=settings,
        progress=lambda msg: print(msg, file=sys.stderr, flush=True),
        frame_ms=args.frame_ms, first_frame_ms=args.first_frame_ms,
    )  # fmt: skip
    if args.json:
        print_json(report)
    else:
        _print_table(report)
    return 0


def _print_table(report: dict[str, Any]) -> None:
    for person, row in report["people"].items():
        enrol = row["enrolment"]
        tried = ", ".join(f"{t['level']}: {t['outcome']} {t['detail']}" for t in enrol["tried"])
        if not enrol["enrolled"]:
            print(f"{person}: not enrolled ({tried})")
            continue
        print(f"{person}: enrolled at {enrol['level']} ({tried})")
        for key in ("replay", "live"):
            r = row[key]
            grant = r["grant_s"]
            print(
                f"  {key:6} granted {r['granted']}/{r['tries']}  refused "
                f"{r['refused_by_reason']}  grant s median {grant['median']} p90 {grant['p90']}"
            )
    print(f"targets: {report['targets']}")
