"""Model weights shipped inside the package (`resources/models/<name>/`), checked at load.

Each folder holds the upstream files byte for byte, their LICENSE and a `model.json`:

    {"name": "yunet", "licence": "MIT", "source": "opencv/opencv_zoo ... @ 966be4cb",
     "files": {"face_detection_yunet_2023mar.onnx": {"bytes": 232589, "sha256": "8f23..."}},
     "calibration": {...}}          # optional, model-specific numbers fitted on DEV data

Nothing is fetched at run time: a missing or altered file is a `VendoredModelError` that
names the file and what to do (reinstall the package), never a silent fallback.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from facekiosk.engine.types import EngineError
from facekiosk.paths import resources_dir

MANIFEST = "model.json"
_verified: set[Path] = set()  # files already hashed in this process (a hash costs ~30 ms/10 MB)
_lock = threading.Lock()


class VendoredModelError(EngineError):
    """A bundled model file is missing or does not match its recorded sha256."""


@dataclass(frozen=True)
class VendoredModel:
    name: str
    folder: Path
    licence: str
    source: str
    files: dict[str, dict[str, Any]]
    calibration: dict[str, Any] = field(default_factory=dict)

    def path(self, file: str) -> Path:
        """The verified path of one of this model's files (sha256 checked once per process)."""
        meta = self.files.get(file)
        if meta is None:
            raise VendoredModelError(f"{self.name}: {file} is not listed in {MANIFEST}")
        path = self.folder / file
        with _lock:
            if path in _verified:
                return path
            if not path.is_file():
                raise VendoredModelError(
                    f"bundled model file {path} is missing: reinstall facekiosk"
                )
            digest = hashlib.sha256()
            with path.open("rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    digest.update(chunk)
            if digest.hexdigest() != meta["sha256"]:
                raise VendoredModelError(
                    f"bundled model file {path} does not match its sha256 in {MANIFEST} "
                    "(damaged or replaced): reinstall facekiosk"
                )
            _verified.add(path)
        return path

    @property
    def licence_file(self) -> Path:
        return self.folder / "LICENSE"


def models_root() -> Path:
    return resources_dir() / "models"


def load_vendored(name: str) -> VendoredModel:
    """Read `resources/models/<name>/model.json` (no hashing until a file is asked for)."""
    folder = models_root() / name
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise VendoredModelError(
            f"bundled model {name!r} not found in {folder}: reinstall facekiosk"
        ) from exc
    except (OSError, ValueError) as exc:
        raise VendoredModelError(f"{folder / MANIFEST} is unreadable: {exc}") from exc
    return VendoredModel(
        name=str(data["name"]),
        folder=folder,
        licence=str(data["licence"]),
        source=str(data.get("source", "")),
        files=dict(data["files"]),
        calibration=dict(data.get("calibration", {})),
    )


def list_vendored() -> list[VendoredModel]:
    """Every bundled model, for `models list` and the About page."""
    root = models_root()
    if not root.is_dir():
        return []
    return [load_vendored(p.name) for p in sorted(root.iterdir()) if (p / MANIFEST).is_file()]
