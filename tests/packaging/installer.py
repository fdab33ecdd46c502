"""Helpers to run installers/linux/install.sh against a throw-away root."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
INSTALL_SH = REPO / "installers" / "linux" / "install.sh"
# What install.sh reads from a source tree.
SOURCE_PARTS = ("pyproject.toml", "uv.lock", "README.md", "app", "resources", "packaging")


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


def snapshot_source(dest: Path) -> Path:
    """Copy the parts of the repo install.sh reads, so edits elsewhere cannot race a test."""
    dest.mkdir(parents=True)
    for part in SOURCE_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / part)
    installers = dest / "installers" / "linux"
    installers.mkdir(parents=True)
    for name in ("install.sh", "first_start.py"):
        shutil.copy2(REPO / "installers" / "linux" / name, installers / name)
    return dest


def run_install(source: Path, *args: str | Path, env: dict[str, str] | None = None) -> Result:
    proc = subprocess.run(
        ["bash", str(source / "installers" / "linux" / "install.sh"), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, **(env or {})},
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def tree_state(root: Path) -> dict[str, tuple[int, int, int, int]]:
    """Every path under root -> (mtime_ns, mode, size, inode): any change shows."""
    state: dict[str, tuple[int, int, int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            st = path.lstat()
            state[str(path.relative_to(root))] = (st.st_mtime_ns, st.st_mode, st.st_size, st.st_ino)
    return state


def changed_paths(before: dict, after: dict) -> list[str]:
    keys = set(before) | set(after)
    return sorted(k for k in keys if before.get(k) != after.get(k))
