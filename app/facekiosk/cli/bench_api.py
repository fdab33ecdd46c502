"""`facekiosk bench api [--json]`: the integrator API at 200 requests/s on loopback."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from facekiosk.cli.context import CliContext, CliError, print_report


def register_bench(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("api", help="API latency under load; deletes interleaved with sign-ins")
    p.add_argument("--rate", type=float, default=200.0, help="requests/s (default 200)")
    p.add_argument("--seconds", type=float, default=20.0, help="load duration (default 20, max 50)")
    p.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    p.add_argument("--people", type=int, default=2000, help="synthetic Index IDs (default 2000)")
    p.add_argument("--deletes", type=int, default=40, help="deletefacialid calls (default 40)")
    p.add_argument("--auth-rate", type=float, default=20.0,
                   help="kiosk sign-ins/s during the load (default 20)")  # fmt: skip
    p.add_argument("--workdir", type=Path, help="where the throw-away vault goes (default: tmp)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.bench.api import run_api_bench

    if not 0 < args.seconds <= 50 or args.rate <= 0 or args.clients < 1:
        raise CliError("--seconds must be in (0, 50], --rate > 0, --clients >= 1")
    if not 0 <= args.deletes < args.people or args.deletes >= args.rate * args.seconds / 2:
        raise CliError("--deletes must be below --people and below half the requests")
    print("bench api: running (about --seconds + 10 s)", file=sys.stderr, flush=True)
    result = run_api_bench(
        rate=args.rate, seconds=args.seconds, clients=args.clients, people=args.people,
        deletes=args.deletes, auth_per_s=args.auth_rate, workdir=args.workdir,
    )  # fmt: skip
    print_report(result, as_json=args.json)
    return 0 if result["ok"] else 1
