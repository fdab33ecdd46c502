"""Checks on what an admin types: bounded numbers, new passphrases, output paths, and
escaping of stored text (labels, reasons) before it reaches a terminal."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

from facekiosk.cli.context import CliError

# New vault, rotation and recovery passphrases (README, security section). Existing vaults
# keep opening with whatever they were made with.
MIN_PASSPHRASE_LENGTH = 12
MAX_K = 1000
MAX_ROWS = 10**9  # far above any gallery; SQLite integers end at 2**63 - 1


def int_in(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: an integer in [low, high], else a clear usage error."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}, not {value}")
        return value

    return parse


def label_text(text: str) -> str:
    """An argparse type: a label the vault takes (at most MAX_LABEL characters), so a long
    one is a usage error, not a traceback after the engine has run."""
    from facekiosk.vault.identities import MAX_LABEL

    if len(text) > MAX_LABEL:
        raise argparse.ArgumentTypeError(
            f"at most {MAX_LABEL} characters, not {len(text)} (use an Index ID's payload for more)"
        )
    return text


def printable(text: object) -> str:
    """`text` with control characters escaped: a label or reason holding a newline or a
    terminal escape sequence must not fake rows or recolour the admin's terminal."""
    return "".join(
        ch if ch == " " or unicodedata.category(ch)[0] not in "CZ" else repr(ch)[1:-1]
        for ch in str(text)
    )


def read_passphrase(env: str, prompt: str, *, confirm: bool = False, new: bool = False) -> str:
    """From $env or a prompt; a `new` one (vault creation, rotation, recovery) needs
    MIN_PASSPHRASE_LENGTH characters, said before the prompt."""
    value = os.environ.get(env)
    if not value:
        if not sys.stdin.isatty():
            raise CliError(f"a passphrase is needed: set ${env} or run interactively")
        if new:
            print(f"The passphrase needs at least {MIN_PASSPHRASE_LENGTH} characters.")
        value = getpass.getpass(prompt)
        if confirm and getpass.getpass("again: ") != value:
            raise CliError("the passphrases differ")
    if new and len(value) < MIN_PASSPHRASE_LENGTH:
        raise CliError(
            f"the new passphrase is too short ({len(value)} characters): use at least "
            f"{MIN_PASSPHRASE_LENGTH}, e.g. four random words"
        )
    return value


def check_out(path: Path) -> None:
    """An --out file must go into an existing folder: say so before any work is done."""
    if path.is_dir():
        raise CliError(f"--out {path} is a directory; give a file name")
    if not path.parent.is_dir():
        raise CliError(f"--out {path}: folder {path.parent} does not exist; create it first")
