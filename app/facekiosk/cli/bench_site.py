"""`facekiosk bench site [--n N] [--kiosks K] [--rounds R] [--json]`: the multi-kiosk site
on a throw-away PostgreSQL hub (needs Debian's `postgresql` binaries)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from facekiosk.cli.context import CliContext, CliError, print_report


def register_bench(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("site", help="site hub: new-kiosk sync, propagation p50/p99, storage")
    p.add_argument("--n", type=int, default=100_000, help="people on the site (default 100000)")
    p.add_argument("--kiosks", type=int, default=5, help="kiosks propagation is timed to")
    p.add_argument("--rounds", type=int, default=20, help="enrol + delete rounds timed")
    p.add_argument("--workdir", type=Path, help="where the cluster and vaults go (default: tmp)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.site.cluster import pg_bin_dir

    if pg_bin_dir() is None:
        raise CliError("bench site needs PostgreSQL's binaries (apt-get install postgresql)")
    if args.n < 1 or args.kiosks < 1 or args.rounds < 1:
        raise CliError("--n, --kiosks and --rounds must be at least 1")
    from facekiosk.bench.site import run_site_bench

    def progress(msg: str) -> None:
        print(f"bench site: {msg}", file=sys.stderr, flush=True)

    report = run_site_bench(args.n, args.kiosks, args.rounds, args.workdir, progress)
    print_report(report, as_json=args.json)
    return 0
