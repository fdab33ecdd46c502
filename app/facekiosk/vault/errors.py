"""Vault errors: each one says what went wrong and what the admin can do about it."""

from __future__ import annotations

import errno
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from facekiosk.engine.types import IncompatibleEmbeddingError


class VaultError(RuntimeError):
    """Any vault failure."""


class VaultKeyError(VaultError):
    """The key file or passphrase does not unlock this vault (nothing was changed)."""


class VaultLockedError(VaultError):
    """Another process has the vault open."""


class VaultDiskFullError(VaultError):
    """No space left: the vault stays readable (open, search, list, verify), writes fail."""

    def __init__(self, where: Path) -> None:
        super().__init__(
            f"the disk is full: free space on the file system of {where} (the vault is "
            f"readable: recognition and lists work, but nothing can be enrolled, changed or "
            f"deleted until there is room)"
        )


# Below this much free space an SQLite error is taken for a full disk (WAL and its shared
# memory need a few pages; a real full disk reports "disk I/O error" on tmpfs, for one).
LOW_SPACE = 4 << 20


def disk_is_full(where: Path) -> bool:
    try:
        return shutil.disk_usage(where).free < LOW_SPACE
    except OSError:
        return False


@contextmanager
def disk_full_guard(where: Path) -> Iterator[None]:
    """A write that hits a full disk raises one clear VaultDiskFullError."""
    try:
        yield
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise VaultDiskFullError(where) from exc
        raise


class UnknownIndexId(VaultError, KeyError):
    """An Index ID that is not (or no longer) enrolled."""

    def __init__(self, index_ids: list[str]) -> None:
        self.index_ids = index_ids
        super().__init__(f"unknown Index ID(s): {', '.join(index_ids)}")

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class SchemaVersionError(VaultError):
    """The vault was written by a newer facekiosk (downgrades are refused)."""


class VaultCorruptError(VaultError):
    """A record failed authentication or is malformed: `path` and byte `offset` say where."""

    def __init__(self, path: Path, offset: int, detail: str) -> None:
        self.path = Path(path)
        self.offset = offset
        self.detail = detail
        super().__init__(f"{self.path}: corrupt record at byte offset {offset}: {detail}")


class WrongSpaceError(IncompatibleEmbeddingError):
    """A vector from a model whose templates are not in this vault (or of the wrong size)."""
