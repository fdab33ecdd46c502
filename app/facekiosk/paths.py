"""Where facekiosk keeps its data: one data dir, chosen once per process."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import platformdirs

from facekiosk.fsutil import private_mkdir

ENV_HOME = "FACEKIOSK_HOME"
# Files another local user must not be able to replace: settings (access_hook runs a
# program), the admin PIN hash, the access policy.
GUARDED_FILES = ("settings.toml", "admin.json", "access.toml")


class InsecureDataDirError(RuntimeError):
    """The data dir or a file in it can be changed by another local user."""


def default_data_dir() -> Path:
    """`$FACEKIOSK_HOME` when set, else the platform's user data dir."""
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("facekiosk", appauthor=False))


def ensure_data_dir(path: Path) -> Path:
    """Create the data dir private to this user (0700, parents too): it holds the vault."""
    return private_mkdir(path)


def permission_problems(data_dir: Path) -> list[str]:
    """What makes `data_dir` unsafe, each with the command that fixes it; [] when safe.

    A data dir writable by group/others lets another user swap admin.json or settings.toml
    (whose access_hook then runs their program); one owned by another user can be changed
    by them whatever its mode. Missing paths are fine: they are created private.
    """
    problems = []
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    for path, fix in [(data_dir, "chmod 700")] + [
        (data_dir / name, "chmod 600") for name in GUARDED_FILES
    ]:
        try:
            st = path.stat() if path == data_dir else path.lstat()
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(st.st_mode) and path != data_dir:
            problems.append(f"{path} is a symbolic link: replace it with the file itself")
            continue
        if uid is not None and st.st_uid != uid:
            problems.append(
                f"{path} belongs to uid {st.st_uid}, not to this user (uid {uid}): run "
                f"facekiosk as its owner (e.g. runuser -u <owner>), or chown {uid} {path}"
            )
        if st.st_mode & 0o022:
            problems.append(
                f"{path} is writable by group/others (mode {stat.S_IMODE(st.st_mode):o}): "
                f"{fix} {path}"
            )
    return problems


def check_private(data_dir: Path) -> None:
    """Refuse an unsafe data dir (see `permission_problems`)."""
    problems = permission_problems(data_dir)
    if problems:
        raise InsecureDataDirError(
            "refusing to start: another local user could change this data dir; "
            + "; ".join(problems)
        )


def open_data_dir(path: Path) -> Path:
    """Create the data dir private, then refuse it if another user could change it."""
    ensure_data_dir(path)
    check_private(path)
    return path


def resources_dir() -> Path:
    """The repo's `resources/` (source checkout) or the copy bundled next to the package."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "resources", here.parent.parent / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("facekiosk resources/ folder not found next to the package")
