"""What every command gets: the data dir, settings (loaded on first use), JSON output."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from facekiosk.logging_setup import configure_logging
from facekiosk.paths import default_data_dir, ensure_data_dir

if TYPE_CHECKING:  # settings load pydantic and tomlkit (~0.5 s): only when a command reads them
    from facekiosk.settings import Settings


class CliError(Exception):
    """A user-facing failure: printed as one line, exit code 1 unless told."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class CliContext:
    data_dir: Path
    log_level: str | None = None
    _settings: Settings | None = field(default=None, repr=False)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> CliContext:
        data_dir = Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()
        return cls(data_dir=data_dir, log_level=args.log_level)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from facekiosk.settings import SettingsError, load_settings

            try:
                self._settings = load_settings(self.data_dir)
            except SettingsError as exc:
                raise CliError(f"settings: {exc}") from exc
            for key in self._settings.unknown_keys:
                print(f"facekiosk: warning: unknown settings key {key!r} ignored", file=sys.stderr)
        return self._settings

    def prepare(self) -> Path:
        """Create the data dir and start file logging; call from commands that write."""
        try:
            ensure_data_dir(self.data_dir)
        except OSError as exc:
            raise CliError(f"cannot create data dir {self.data_dir}: {exc.strerror}") from exc
        configure_logging(self.data_dir, self.log_level or self.settings.log.level)
        return self.data_dir


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, indent=2, sort_keys=False, default=str)
    sys.stdout.write("\n")


def print_report(report: dict[str, Any], *, as_json: bool) -> None:
    """A benchmark report: JSON, or one aligned `key: value` line per entry."""
    if as_json:
        print_json(report)
        return
    width = max((len(k) for k in report), default=0)
    for key, value in report.items():
        print(f"{key:>{width}}: {value}")
