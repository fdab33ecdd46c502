"""An engine's operating points {far: {threshold, tar}}: this site's saved `bench accuracy`
report, else the engine's built-in reference. Read by the admin settings editor (runtime),
written by `bench accuracy --save` (facekiosk.bench.accuracy.save_report)."""

from __future__ import annotations

import json
from pathlib import Path

FAR_POINTS = {"1e-2": 1e-2, "1e-3": 1e-3, "1e-4": 1e-4}
REJECTION_FAR = "1e-3"  # the operating point used for unknown-person rejection

OperatingPoints = dict[str, dict[str, float]]


def report_path(data_dir: Path, engine: str, model: str) -> Path:
    """Where `bench accuracy --save` keeps the report for one engine/model."""
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in model)
    return Path(data_dir) / "bench" / f"accuracy-{engine}-{safe}.json"


def reference_far(engine: str, model: str | None) -> OperatingPoints | None:
    """The engine's built-in operating points {far: {threshold, tar}}, if it has them."""
    if engine == "dlib":
        from facekiosk.engine.dlib_engine import REFERENCE_FAR, DlibEngine

        if model in (None, DlibEngine.model_id):
            return REFERENCE_FAR
    if engine == "bundled" and model in (None, bundled_model_id()):
        from facekiosk.engine.vendored import load_vendored

        table = load_vendored("sface").calibration.get("reference_far")
        return dict(table) if table else None
    return None


def bundled_model_id() -> str | None:
    """The fused engine's model id from its calibration, without loading any model."""
    from facekiosk.engine.fusion import calibration_from_manifest, fused_model_id
    from facekiosk.engine.types import EngineError
    from facekiosk.engine.vendored import load_vendored

    try:
        version = calibration_from_manifest(load_vendored("sface").calibration).version
    except EngineError:
        return None
    return fused_model_id(version)


def far_table(
    data_dir: Path, engine: str, model: str | None
) -> tuple[OperatingPoints, Path | None] | None:
    """Operating points {far: {threshold, tar}} for FAR_POINTS, and the file they came from:
    this site's saved `bench accuracy` report when present (and readable), else the engine's
    built-in reference (path None), else None."""
    if model is None and engine == "dlib":
        from facekiosk.engine.dlib_engine import DlibEngine

        model = DlibEngine.model_id
    if model is None and engine == "bundled":
        model = bundled_model_id()
    if model is not None:
        path = report_path(data_dir, engine, model)
        try:
            report = json.loads(path.read_text())
            table = {
                key: {
                    "threshold": float(report["threshold_at_far"][key]),
                    "tar": float(report["tar_at_far"][key]),
                }
                for key in FAR_POINTS
            }
            return table, path
        except (OSError, ValueError, KeyError, TypeError):
            pass
    ref = reference_far(engine, model)
    return (ref, None) if ref is not None else None
