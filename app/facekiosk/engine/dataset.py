"""The development photo set layout (`identities/<person>/<image>`, as ../shared/faces):
read by `bench accuracy`, `bench pipeline` and the fusion calibration fit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}


@dataclass(frozen=True)
class Sample:
    identity: str
    path: Path


def list_dataset(root: Path) -> list[Sample]:
    """Samples sorted by identity then file name (so "first image" is well defined)."""
    folder = Path(root) / "identities"
    if not folder.is_dir():
        raise FileNotFoundError(f"{root}: expected an identities/<person>/<image> folder")
    samples = [
        Sample(person.name, image)
        for person in sorted(p for p in folder.iterdir() if p.is_dir())
        for image in sorted(person.iterdir())
        if image.suffix.lower() in IMAGE_SUFFIXES
    ]
    if not samples:
        raise FileNotFoundError(f"{folder}: no images")
    return samples
