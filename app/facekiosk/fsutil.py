"""Durable file writes shared by settings, the vault and model files."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in `path` durable (the directory entry itself)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes | Iterable[bytes], *, mode: int = 0o600) -> None:
    """Write `data` so that `path` holds either the old or the new bytes, never a torn mix:
    a temp file in the same dir (created with `mode`), fsync, rename, fsync the dir.
    `data` may be a sequence of parts (large sealed sections need no joined copy)."""
    parts = [data] if isinstance(data, bytes | bytearray | memoryview) else data
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            for part in parts:
                fh.write(part)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def private_mkdir(path: Path, mode: int = 0o700) -> Path:
    """Create `path` and any missing parents with `mode`, whatever the umask.

    `Path.mkdir(parents=True, mode=...)` gives the parents the umask's default (0755, or
    0777 under umask 000): `enroll` once made the data dir that way through
    `<dir>/models/bundled`. Existing directories are left as they are (callers that need
    them private check with `paths.check_private`).
    """
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=mode)
        except FileExistsError:  # made meanwhile by another process: leave its mode alone
            continue
        os.chmod(folder, mode)  # mkdir's mode is masked by the umask; chmod is not
    if not path.is_dir():
        raise NotADirectoryError(f"{path} is not a directory")
    return path
