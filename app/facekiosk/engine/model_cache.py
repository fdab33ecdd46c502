"""The cache of ONNX graphs this project builds from shipped weights (dlib ResNet, SFace).

Both builders share one shape, kept here: the file is named after the sha256 of the
weights it was made from, carries that sha and the builder's version in its ONNX
metadata (a different source, an older builder or a truncated file means: rebuild),
is checked against a reference before it is installed, and is written atomically
(temp file, fsync, rename: a crash never leaves half a model under the final name).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import platformdirs

from facekiosk.fsutil import atomic_write

log = logging.getLogger(__name__)

T = TypeVar("T")


def cache_dir(data_dir: Path | None) -> Path:
    """`<data_dir>/models/bundled`, or the per-user cache dir when `data_dir` is None."""
    base = data_dir if data_dir is not None else Path(platformdirs.user_cache_dir("facekiosk"))
    return base / "models" / "bundled"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def cached_path(data_dir: Path | None, stem: str, source_sha256: str) -> Path:
    return cache_dir(data_dir) / f"{stem}-{source_sha256[:16]}.onnx"


def is_current(path: Path, required: Mapping[str, str]) -> bool:
    """A cached graph whose metadata holds every `required` key/value (a file that is
    missing, truncated or foreign is not current: rebuild it)."""
    if not path.is_file():
        return False
    import onnx

    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception:  # onnx raises DecodeError and others for a damaged file
        return False
    meta = {p.key: p.value for p in model.metadata_props}
    return all(meta.get(key) == value for key, value in required.items())


def stamp(model: Any, props: Mapping[str, str]) -> bytes:
    """The serialised graph with `props` as its metadata (what `is_current` reads)."""
    from onnx import helper

    helper.set_model_props(model, dict(props))
    return bytes(model.SerializeToString())


def install(target: Path, payload: bytes) -> None:
    """Write a checked graph atomically under its final name."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write(target, payload, mode=0o644)  # public weights, no secret


def load_or_rebuild(build: Callable[[bool], Path], load: Callable[[Path], T]) -> T:
    """`load(build(force=False))`; a cached file that passed the metadata check but does
    not load (damaged after its header) is rebuilt once and loaded again."""
    path = build(False)
    try:
        return load(path)
    except Exception as exc:  # each runtime raises its own types; the rebuild decides
        log.warning("cached graph %s does not load (%s): rebuilding it", path.name, exc)
        return load(build(True))
