"""Rotating log file in the data dir. Never log images, vectors, PINs or names."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The accepted log.level / --log-level values. settings.schema spells them again as a
# Literal (a type needs literals); a test keeps the two equal. Here so the CLI parser
# can offer them without loading the settings schema (pydantic) on --help/--version.
LOG_LEVELS: tuple[str, ...] = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def configure_logging(data_dir: Path | None, level: str = "INFO", *, stderr: bool = True) -> None:
    root = logging.getLogger()
    root.setLevel(level.upper())
    for handler in list(root.handlers):
        if getattr(handler, "_facekiosk", False):
            root.removeHandler(handler)
    handlers: list[logging.Handler] = []
    if data_dir is not None:
        log_dir = data_dir / "logs"
        log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        handlers.append(
            logging.handlers.RotatingFileHandler(
                log_dir / "facekiosk.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"
            )
        )
    if stderr:
        stream = logging.StreamHandler()
        stream.setLevel(logging.WARNING)
        handlers.append(stream)
    for handler in handlers:
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler._facekiosk = True  # type: ignore[attr-defined]
        root.addHandler(handler)
