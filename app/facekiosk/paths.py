"""Where facekiosk keeps its data: one data dir, chosen once per process."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_HOME = "FACEKIOSK_HOME"


def default_data_dir() -> Path:
    """`$FACEKIOSK_HOME` when set, else the platform's user data dir."""
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("facekiosk", appauthor=False))


def ensure_data_dir(path: Path) -> Path:
    """Create the data dir private to this user (0700): it holds the vault."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def resources_dir() -> Path:
    """The repo's `resources/` (source checkout) or the copy bundled next to the package."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "resources", here.parent.parent / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("facekiosk resources/ folder not found next to the package")
