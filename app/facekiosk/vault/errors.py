"""Vault errors: each one says what went wrong and what the admin can do about it."""

from __future__ import annotations

from pathlib import Path

from facekiosk.engine.types import IncompatibleEmbeddingError


class VaultError(RuntimeError):
    """Any vault failure."""


class VaultKeyError(VaultError):
    """The key file or passphrase does not unlock this vault (nothing was changed)."""


class VaultLockedError(VaultError):
    """Another process has the vault open."""


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
