"""`facekiosk bench flow [--rounds N] [--json]`: kiosk flow cost per frame, eager vs lazy
embedding (facekiosk.bench.flow); `facekiosk bench masks --dataset DIR [--json]`: the
mask check on real photos and painted masks (facekiosk.bench.masks)."""

from __future__ import annotations

import argparse
from pathlib import Path

from facekiosk.cli.context import CliContext, CliError, print_report


def register_bench(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("flow", help="kiosk flow: per-frame cost, eager vs lazy embedding")
    p.add_argument("--rounds", type=int, default=3, help="flows per mode (interleaved)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)

    p = sub.add_parser("masks", help="mask check: false 'masked' on photos, painted-mask misses")
    p.add_argument("--dataset", type=Path, required=True, help="identities/<person>/<n>.jpg")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_masks)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.bench.flow import run_flow_bench
    from facekiosk.engine.registry import create_engine
    from facekiosk.engine.types import EngineError

    if args.rounds < 1:
        raise CliError("--rounds must be at least 1")
    try:
        engine = create_engine(ctx.settings.engine, ctx.data_dir)
    except EngineError as exc:
        raise CliError(str(exc)) from exc
    result = run_flow_bench(engine, rounds=args.rounds)
    print_report(result, as_json=args.json)
    return 0


def run_masks(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.bench.masks import run_mask_bench
    from facekiosk.engine.dlib_engine import DlibEngine

    if not args.dataset.is_dir():
        raise CliError(f"--dataset {args.dataset}: not a folder")
    # photos, not kiosk frames: full-resolution detection (small faces)
    result = run_mask_bench(DlibEngine(detect_width=0), args.dataset)
    print_report(result, as_json=args.json)
    return 0
