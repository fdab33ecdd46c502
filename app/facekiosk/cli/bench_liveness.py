"""`facekiosk bench liveness`: APCER per attack type, BPCER, time to decision.

The measuring lives in facekiosk.bench.liveness; this is argparse only.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from facekiosk.cli.context import CliContext, CliError, print_json


def register_bench(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "liveness",
        help="presentation-attack figures (APCER/BPCER) on live/ and attack/<type>/ media",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--dataset", type=Path, metavar="DIR", help="live/ and attack/<type>/")
    src.add_argument(
        "--from-shared",
        type=Path,
        metavar="DIR",
        help="build the dataset as symlinks (no copies) from DIR/liveness and DIR/faces",
    )
    p.add_argument("--level", choices=("passive", "challenge"), default="passive")
    p.add_argument("--fps", type=float, default=10.0, help="frames fed per media second")
    p.add_argument("--max-seconds", type=float, default=15.0, help="media per presentation")
    p.add_argument("--limit", type=int, default=0, help="at most N presentations per type")
    p.add_argument("--seed", type=int, default=0, help="challenge order and still jitter")
    p.add_argument(
        "--embed-every", type=int, default=0, help="embed every Nth frame (identity check)"
    )
    p.add_argument(
        "--compare",
        action="store_true",
        help="also run the rules before the anti-spoofing model (motion layer only) "
        "on the same frames",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.bench.liveness import Outcome, run_bench
    from facekiosk.engine.liveness.media import build_shared_view
    from facekiosk.engine.registry import create_engine
    from facekiosk.engine.types import EngineError

    if args.fps <= 0 or args.max_seconds <= 0 or args.limit < 0 or args.embed_every < 0:
        raise CliError("--fps and --max-seconds must be positive, --limit/--embed-every >= 0")
    with tempfile.TemporaryDirectory(prefix="facekiosk-liveness-") as tmp:
        dataset = args.dataset
        if args.from_shared is not None:
            try:
                dataset = build_shared_view(args.from_shared, Path(tmp) / "dataset")
            except FileNotFoundError as exc:
                raise CliError(str(exc)) from exc
        if not dataset.is_dir():
            raise CliError(f"{dataset}: not a folder")
        try:
            engine = create_engine(ctx.settings.engine, ctx.data_dir)
        except EngineError as exc:
            raise CliError(str(exc)) from exc

        def progress(outcome: Outcome) -> None:
            # stderr, also with --json (stdout): a long run shows where it is
            print(
                f"{outcome.rules:6} {outcome.item.label:6} "
                f"{outcome.item.attack_type or '-':12} "
                f"{outcome.status:9} {outcome.reason or '':18} model={outcome.model:9} "
                f"motion={outcome.motion:6} {outcome.item.path.name}",
                file=sys.stderr,
            )

        try:
            report = run_bench(
                engine,
                dataset,
                level=args.level,
                settings=ctx.settings.liveness,
                fps=args.fps,
                max_seconds=args.max_seconds,
                seed=args.seed,
                limit=args.limit,
                embed_every=args.embed_every,
                rules=("model", "motion") if args.compare else ("model",),
                progress=progress,
            )
        except FileNotFoundError as exc:
            raise CliError(str(exc)) from exc
    if args.json:
        print_json(report)
        return 0
    for rules, part in report.items():
        print(f"rules {rules}: presentations {part['presentations']}  level {args.level}")
        for kind, value in part["apcer"].items():
            print(f"  APCER {kind:14} {value:.3f}")
        print(f"  BPCER          {part['bpcer']}  (failures to acquire: {part['fta_live']})")
        print(f"  BPCER passive  {part['bpcer_passive']}  (passed before any prompt only)")
        print(f"  live split     {part['live_split']}")
        print(f"  live pass s    {part['live_pass_s']}")
    return 0
