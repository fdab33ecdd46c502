"""`facekiosk bench packs [--size-mb N] [--runs N] [--json]`: cost of pack verification
and of the checked download path (loopback only; no internet)."""

from __future__ import annotations

import argparse

from facekiosk.cli.context import CliContext, print_json


def register_bench(bench_sub: argparse._SubParsersAction) -> None:
    p = bench_sub.add_parser("packs", help="sha256 verify and checked-download throughput")
    p.add_argument("--size-mb", type=int, default=64, help="test file size (default 64)")
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.bench.packs import run_pack_bench

    result = run_pack_bench(size_mb=max(1, args.size_mb), runs=max(1, args.runs))
    if args.json:
        print_json(result)
    else:
        print(
            f"sha256: {result['sha256']['mb_per_s']} MB/s; checked download "
            f"{result['download_checked']['mb_per_s']} MB/s, "
            f"{result['download_ratio_vs_plain']}x a plain download"
        )
    return 0
