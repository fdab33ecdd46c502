"""`facekiosk bench flow [--rounds N] [--json]`: kiosk flow cost per frame, eager vs lazy
embedding (logic in facekiosk.kiosk.bench_flow)."""

from __future__ import annotations

import argparse

from facekiosk.cli.context import CliContext, CliError, print_json


def register_bench(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("flow", help="kiosk flow: per-frame cost, eager vs lazy embedding")
    p.add_argument("--rounds", type=int, default=3, help="flows per mode (interleaved)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.engine.registry import create_engine
    from facekiosk.engine.types import EngineError
    from facekiosk.kiosk.bench_flow import run_flow_bench

    if args.rounds < 1:
        raise CliError("--rounds must be at least 1")
    try:
        engine = create_engine(ctx.settings.engine, ctx.data_dir)
    except EngineError as exc:
        raise CliError(str(exc)) from exc
    result = run_flow_bench(engine, rounds=args.rounds)
    if args.json:
        print_json(result)
    else:
        for key, value in result.items():
            print(f"{key:>26}: {value}")
    return 0
