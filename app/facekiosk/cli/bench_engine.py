"""`facekiosk bench accuracy` and `facekiosk bench pipeline` (argparse only; the
measuring lives in facekiosk.bench.accuracy / facekiosk.bench.pipeline)."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from facekiosk.cli.context import CliContext, CliError, print_json


def register_bench(sub: argparse._SubParsersAction) -> None:
    acc = sub.add_parser(
        "accuracy",
        help="verification/identification accuracy on identities/<person>/<image>",
    )
    acc.add_argument("--dataset", required=True, type=Path, metavar="DIR")
    _engine_args(acc)
    acc.add_argument("--plot", type=Path, metavar="PNG", help="write a DET curve here")
    acc.add_argument(
        "--save",
        action="store_true",
        help="also write the report to <data_dir>/bench/accuracy-<engine>-<model>.json "
        "(the admin settings editor shows its FAR thresholds)",
    )
    acc.set_defaults(func=_run_accuracy)

    pipe = sub.add_parser("pipeline", help="per-stage latency of the per-frame engine path")
    _engine_args(pipe)
    pipe.add_argument("--repeats", type=int, default=30, help="timed runs per frame")
    pipe.add_argument(
        "--recall-dataset",
        type=Path,
        metavar="DIR",
        help="also measure HOG recall per detect width on kiosk frames made from DIR's photos",
    )
    pipe.add_argument(
        "--baseline-sequential",
        action="store_true",
        help="bundled engine: also time it with its model runs one after another (not side "
        "by side), the two taking turns frame by frame; the report adds ratio_to_baseline",
    )
    pipe.set_defaults(func=_run_pipeline)


def _engine_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", help="engine name (default: engine.name from settings)")
    parser.add_argument(
        "--descriptor",
        choices=("auto", "onnx", "dlib"),
        help="dlib engine: ResNet runtime (default: engine.descriptor from settings)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def _create(args: argparse.Namespace, ctx: CliContext):
    from facekiosk.engine.registry import create_engine
    from facekiosk.engine.types import EngineError

    settings = ctx.settings.engine
    changes = {}
    if args.engine:
        changes["name"] = args.engine
    if args.descriptor:
        changes["descriptor"] = args.descriptor
    try:
        return create_engine(dataclasses.replace(settings, **changes), ctx.data_dir)
    except EngineError as exc:
        raise CliError(str(exc)) from exc


def _run_accuracy(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.bench.accuracy import run_accuracy, save_report

    if not (args.dataset / "identities").is_dir():
        raise CliError(f"{args.dataset}: expected an identities/<person>/<image> folder")
    engine = _create(args, ctx)
    try:
        report = run_accuracy(engine, args.dataset, plot=args.plot)
    except (FileNotFoundError, ValueError) as exc:
        raise CliError(str(exc)) from exc
    saved = save_report(ctx.data_dir, report) if args.save else None
    if args.json:
        print_json(report)
    else:
        print(
            f"{report['engine']} / {report['model']}: {report['images']} images of "
            f"{report['identities']} people, {report['fail_to_detect']} not detected"
        )
        print(f"EER {report['eer']:.4f}; rank-1 {report['rank1']:.4f}")
        for key, tar in report["tar_at_far"].items():
            t = report["threshold_at_far"][key]
            print(f"  FAR {key}: TAR {tar:.4f} at threshold {t:.4f}")
        if args.plot:
            print(f"DET plot: {args.plot}")
        if saved:
            print(f"saved: {saved}")
    return 0


def _run_pipeline(args: argparse.Namespace, ctx: CliContext) -> int:
    from facekiosk.bench.pipeline import run_pipeline

    if args.repeats < 1:
        raise CliError("--repeats must be at least 1")
    if args.recall_dataset and not (args.recall_dataset / "identities").is_dir():
        raise CliError(f"{args.recall_dataset}: expected identities/<person>/<image>")
    engine = _create(args, ctx)
    if args.recall_dataset:
        from facekiosk.engine.dlib_engine import DlibEngine

        # It sweeps HOG's detect width at upsample 0; other detectors take no upsample.
        if not isinstance(engine, DlibEngine):
            raise CliError(
                f"--recall-dataset measures dlib's HOG detector, not {engine.name!r}:"
                " add --engine dlib"
            )
    baseline = _sequential_twin(engine, args, ctx) if args.baseline_sequential else None
    report = run_pipeline(
        engine,
        repeats=args.repeats,
        settings=ctx.settings,
        data_dir=ctx.data_dir,
        baseline=baseline,
    )
    if args.recall_dataset:
        from facekiosk.bench.pipeline import detect_width_recall

        report["detect_width_recall"] = detect_width_recall(engine, args.recall_dataset)
    if args.json:
        print_json(report)
    else:
        for frame in report["frames"]:
            stages = ", ".join(
                f"{name} {s['median_ms']:.1f}" for name, s in frame["stages"].items()
            )
            print(f"{frame['name']} ({frame['faces']} faces): {stages} ms; {frame['fps']:.1f} fps")
        print(
            f"descriptor {report['descriptor_backend']}: embed per face "
            f"dlib {report['embed_dlib_ms']} ms, onnx {report['embed_onnx_ms']} ms"
        )
        for name, ratios in report.get("ratio_to_baseline", {}).items():
            print(f"{name}: side by side / one after another: {ratios}")
    return 0


def _sequential_twin(engine, args: argparse.Namespace, ctx: CliContext):
    """The bundled engine as configured, but running its models one after another."""
    from facekiosk.engine.bundled_engine import BundledEngine

    if not isinstance(engine, BundledEngine):
        raise CliError("--baseline-sequential compares the bundled engine's schedules")
    return BundledEngine(
        detect_width=engine.detect_width,
        data_dir=ctx.data_dir,
        photos=engine.photos,
        vectors=engine.vectors,
        descriptor=args.descriptor or ctx.settings.engine.descriptor,
        workers=1,
    )
