"""`facekiosk bench …`: each area adds its benchmark through `register_bench(subparsers)`."""

from __future__ import annotations

import argparse
import importlib

# Area modules that add `bench` subcommands (accuracy, pipeline, search, liveness, gui).
BENCH_MODULES: tuple[str, ...] = (
    "facekiosk.cli.bench_engine",
    "facekiosk.cli.bench_vault",
    "facekiosk.cli.bench_liveness",
    "facekiosk.cli.bench_gui",
    "facekiosk.cli.bench_packs",
    "facekiosk.cli.bench_kiosk",
    "facekiosk.cli.bench_flow_liveness",
    "facekiosk.cli.bench_site",
    "facekiosk.cli.bench_api",
)


def register(sub: argparse._SubParsersAction) -> None:
    bench = sub.add_parser("bench", help="benchmarks (JSON out with --json)")
    bench_sub = bench.add_subparsers(dest="bench_command", metavar="BENCH")
    for name in BENCH_MODULES:
        importlib.import_module(name).register_bench(bench_sub)
