"""`facekiosk models build-bundled [--force] [--json]`: convert dlib's ResNet to ONNX once.

`models_cmds.register` calls `register_models(models_subparsers)`.
"""

from __future__ import annotations

import argparse

from facekiosk.cli.context import CliContext, CliError, print_json


def register_models(models_sub: argparse._SubParsersAction) -> None:
    p = models_sub.add_parser(
        "build-bundled",
        help="convert the bundled dlib face ResNet to ONNX (fast engine; checked against dlib)",
    )
    p.add_argument("--force", action="store_true", help="rebuild even if a valid model exists")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run_build_bundled)


def run_build_bundled(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.engine.dlib_onnx import BuildError, build_bundled

    data_dir = ctx.prepare()
    try:
        result = build_bundled(data_dir, force=args.force)
    except BuildError as exc:
        raise CliError(f"build-bundled: {exc}") from exc
    report = {
        "path": str(result.path),
        "dat_sha256": result.dat_sha256,
        "built": result.built,
        "seconds": round(result.seconds, 3),
        "parameters": result.parameters,
        "self_check_cosine": result.self_check_cosine,
        "self_check_max_abs": result.self_check_max_abs,
    }
    if args.json:
        print_json(report)
    elif result.built:
        print(
            f"built {result.path} in {result.seconds:.1f}s "
            f"(matches dlib: cosine {result.self_check_cosine:.6f}, "
            f"max diff {result.self_check_max_abs:.1e})"
        )
    else:
        print(f"up to date: {result.path}")
    return 0
