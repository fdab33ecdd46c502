"""Open each model of a staged pack once, through insightface, to learn its task.

This both labels files for the manifest (so the engine later opens only the
models it needs) and proves every model loads before the pack goes live.
"""

from __future__ import annotations

from pathlib import Path

from facekiosk.engine.packs.errors import PackError

CPU = ["CPUExecutionProvider"]


def probe_tasks(folder: Path, kind: str) -> dict[str, str | None]:
    """{relative path of each .onnx: insightface task name or None if not routed}."""
    import onnxruntime

    onnxruntime.set_default_logger_severity(3)
    models = sorted(folder.rglob("*.onnx"))
    if not models:
        raise PackError("the pack contains no .onnx model")
    tasks: dict[str, str | None] = {}
    for path in models:
        rel = path.relative_to(folder).as_posix()
        tasks[rel] = _probe_addon(path, rel) if kind == "addon" else _probe_model(path, rel)
    found = set(tasks.values())
    if kind == "pack":
        missing = [t for t in ("detection", "recognition") if t not in found]
        if missing:
            raise PackError(
                f"not a face pack: no {' or '.join(missing)} model found among "
                f"{', '.join(sorted(tasks))}"
            )
    return tasks


def _probe_model(path: Path, rel: str) -> str | None:
    from insightface.model_zoo import model_zoo

    try:
        model = model_zoo.get_model(str(path), providers=CPU)
    except Exception as exc:  # onnxruntime/onnx raise many types for a bad file
        raise PackError(f"{rel}: not a loadable ONNX model ({_short(exc)})") from exc
    return None if model is None else str(model.taskname)


def _probe_addon(path: Path, rel: str) -> str:
    from insightface.addons.liveness import Liveness

    try:
        Liveness(path, providers=CPU)
    except Exception as exc:
        raise PackError(f"{rel}: not a usable liveness model ({_short(exc)})") from exc
    return "liveness"


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]
