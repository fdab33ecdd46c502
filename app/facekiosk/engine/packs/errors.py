"""The one error type of the pack machinery: its message is what the admin reads."""

from __future__ import annotations


class PackError(RuntimeError):
    """A pack could not be installed, imported, verified, loaded or removed."""
