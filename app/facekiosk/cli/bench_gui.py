"""`facekiosk bench gui`: GUI responsiveness with the real engine on the demo source."""

from __future__ import annotations

import argparse
import os

from facekiosk.cli.context import CliContext, print_json


def register_bench(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "gui",
        help="preview/inference rates and GUI stalls (offscreen, demo source, real engine)",
    )
    p.add_argument("--seconds", type=float, default=10.0, help="measurement time per mode")
    p.add_argument(
        "--mode",
        choices=("thread", "process", "both"),
        default="both",
        help="run the engine in the inference thread, in a worker process, or compare both",
    )
    p.add_argument(
        "--descriptor",
        choices=("auto", "onnx", "dlib"),
        help="override engine.descriptor (dlib = its own runtime, which holds the GIL)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from facekiosk.bench.gui import run_gui_bench

    settings = ctx.settings
    if args.descriptor:
        import dataclasses

        engine = dataclasses.replace(settings.engine, descriptor=args.descriptor)
        settings = dataclasses.replace(settings, engine=engine)
    modes = ("thread", "process") if args.mode == "both" else (args.mode,)
    results = {m: run_gui_bench(settings, ctx.data_dir, args.seconds, mode=m) for m in modes}
    # top level: the production configuration (or the one mode asked for); "modes" compares
    out = dict(results["process" if "process" in results else modes[0]])
    if len(modes) > 1:
        out["modes"] = results
    if args.json:
        print_json(out)
    else:
        for mode, r in results.items():
            print(
                f"{mode:8s} preview {r['preview_fps']:5.1f} fps"
                f"  inference {r['inference_fps']:5.1f} fps"
                f"  max stall {r['max_stall_ms']:6.1f} ms  p99 {r['p99_stall_ms']:6.1f} ms"
            )
    return 0
