"""The insightface liveness addon, when an admin installed it (`models install liveness`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from facekiosk.engine.packs.errors import PackError
from facekiosk.engine.packs.store import models_root, verify_folder

log = logging.getLogger(__name__)

LIVENESS = "liveness"


def load_liveness_addon(
    data_dir: Path | None, providers: Sequence[str] | None, threshold: float
) -> object | None:
    """insightface's `addons.liveness.Liveness` for the installed addon, else None.

    None means "not installed" only: an installed addon whose files no longer
    match its manifest, or that insightface refuses, is a PackError.
    Its `predict(image_bgr, kps5)` returns {"status", "is_live", "live_score"}.
    """
    if data_dir is None:
        from facekiosk.paths import default_data_dir

        data_dir = default_data_dir()
    folder = models_root(data_dir) / LIVENESS
    if not folder.is_dir():
        return None
    report = verify_folder(folder, name=LIVENESS)
    if not report.ok:
        raise PackError(
            "the liveness addon fails verification ("
            + "; ".join(report.problems)
            + "); reinstall it with `facekiosk models install liveness`"
        )
    from facekiosk.engine.packs.manifest import read_manifest

    manifest = read_manifest(folder)
    assert manifest is not None  # verify_folder checked it
    entry = manifest.file(LIVENESS)
    if entry is None:
        raise PackError(f"{folder}: the manifest lists no liveness model")
    from insightface.addons.liveness import Liveness

    try:
        return Liveness(
            folder / entry.path,
            threshold=threshold,
            providers=list(providers) if providers else ["CPUExecutionProvider"],
        )
    except (RuntimeError, ValueError, TypeError) as exc:
        raise PackError(f"liveness addon: {exc}") from exc
