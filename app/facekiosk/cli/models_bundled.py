"""`facekiosk models build-bundled [--force] [--json]`: convert dlib's ResNet to ONNX and
fold SFace's quantised weights, once; and the bundled models' rows of `models list`.

`models_cmds.register` calls `register_models(models_subparsers)`.
"""

from __future__ import annotations

import argparse
from typing import Any

from facekiosk.cli.context import CliContext, CliError, print_json


def register_models(models_sub: argparse._SubParsersAction) -> None:
    p = models_sub.add_parser(
        "build-bundled",
        help="build the bundled engine's ONNX graphs: dlib ResNet (checked against dlib) and "
        "float SFace (checked against the vendored graph)",
    )
    p.add_argument("--force", action="store_true", help="rebuild even if a valid model exists")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run_build_bundled)


def run_build_bundled(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.engine.dlib_onnx import BuildError, build_bundled
    from facekiosk.engine.sface_build import SFaceBuildError, build_sface
    from facekiosk.engine.types import EngineError

    data_dir = ctx.prepare()
    try:
        result = build_bundled(data_dir, force=args.force)
        sface = build_sface(data_dir, force=args.force)
    except (BuildError, SFaceBuildError, EngineError) as exc:
        raise CliError(f"build-bundled: {exc}") from exc
    report = {
        "path": str(result.path),
        "dat_sha256": result.dat_sha256,
        "built": result.built,
        "seconds": round(result.seconds, 3),
        "parameters": result.parameters,
        "self_check_cosine": result.self_check_cosine,
        "self_check_max_abs": result.self_check_max_abs,
        "sface": {
            "path": str(sface.path),
            "source_sha256": sface.source_sha256,
            "built": sface.built,
            "seconds": round(sface.seconds, 3),
            "folded_dequantize": sface.folded,
            "self_check_cosine": sface.self_check_cosine,
        },
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
    if args.json:
        pass
    elif sface.built:
        print(
            f"built {sface.path} in {sface.seconds:.1f}s ({sface.folded} weights folded; "
            f"matches the vendored graph: cosine {sface.self_check_cosine:.6f})"
        )
    else:
        print(f"up to date: {sface.path}")
    return 0


def bundled_rows() -> list[dict[str, Any]]:
    """`models list` rows of the models shipped inside facekiosk, with their licences."""
    from facekiosk.engine.packaged_models import DLIB_MODELS, PACKAGE
    from facekiosk.engine.vendored import list_vendored

    rows: list[dict[str, Any]] = [
        {
            "name": m.name,
            "kind": "bundled",
            "installed": True,
            "description": m.what,
            "licence": m.licence,
            "source": PACKAGE,
            "size_bytes": None,
        }
        for m in DLIB_MODELS
    ]
    for model in list_vendored():
        rows.append(
            {
                "name": model.name,
                "kind": "bundled",
                "installed": True,
                "description": model.source,
                "licence": model.licence,
                "source": model.source,
                "size_bytes": sum(int(f.get("bytes", 0)) for f in model.files.values()),
                "path": str(model.folder),
            }
        )
    return rows
