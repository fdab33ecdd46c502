"""`facekiosk bench search --n N [--dim D] [--json]`: the vault's 1:N benchmark."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from facekiosk.cli.context import CliContext, CliError, print_report


def register_bench(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("search", help="1:N search, durable enroll, purge, snapshot save/load")
    p.add_argument("--n", type=int, default=100_000, help="enrolled identities (default 100000)")
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--queries", type=int, default=1000, help="probes for latency and recall")
    p.add_argument("--enrolls", type=int, default=200, help="durable single enrolls to time")
    p.add_argument(
        "--rerank", type=int, help="candidates re-ranked exactly (default: vault.search_rerank)"
    )
    p.add_argument(
        "--exact-max",
        type=int,
        help="largest gallery searched exactly (default: vault.search_exact_max)",
    )
    p.add_argument(
        "--rerank-sweep",
        help="comma-separated rerank values to also measure on the same index (adds"
        " 'rerank_sweep')",
    )
    p.add_argument(
        "--graph-sweep",
        help="comma-separated efSearch values: also time an HNSW graph (faiss, M=48) on the"
        " same vectors (adds 'graph_baseline'; the build takes a minute at 100k)",
    )
    p.add_argument("--workdir", type=Path, help="where the throw-away vault goes (default: tmp)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.bench.search import run_search_bench
    from facekiosk.vault.space_index import SearchParams

    if args.n < 2 or args.dim < 2:
        raise CliError("--n and --dim must be at least 2")

    def progress(msg: str) -> None:
        print(f"bench search: {msg}", file=sys.stderr, flush=True)

    result = run_search_bench(
        args.n,
        args.dim,
        queries=args.queries,
        enrolls=args.enrolls,
        workdir=args.workdir,
        progress=progress,
        rerank_sweep=[int(x) for x in args.rerank_sweep.split(",")] if args.rerank_sweep else None,
        graph_sweep=[int(x) for x in args.graph_sweep.split(",")] if args.graph_sweep else None,
        search=SearchParams(
            exact_max=(
                ctx.settings.vault.search_exact_max if args.exact_max is None else args.exact_max
            ),
            rerank=args.rerank or ctx.settings.vault.search_rerank,
        ),
    )
    print_report(result, as_json=args.json)
    return 0
