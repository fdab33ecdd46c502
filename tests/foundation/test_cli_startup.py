"""`facekiosk --help` / `--version` build every command's parser: that must not load the
heavy libraries the commands use (pydantic + tomlkit alone took --version from 0.9 s to
1.7 s). Command modules import them inside their handlers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import facekiosk
from facekiosk.logging_setup import LOG_LEVELS
from facekiosk.settings import LOG_LEVELS as SCHEMA_LOG_LEVELS

HEAVY = ("pydantic", "tomlkit", "numpy", "cv2", "dlib", "onnxruntime", "PySide6", "faiss")


def _loaded_after(code: str) -> list[str]:
    probe = f"import json, sys; {code}; print(json.dumps(sorted(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(Path(facekiosk.__file__).parents[1])}
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.splitlines()[-1])


def test_building_the_parser_loads_no_heavy_library():
    loaded = _loaded_after("from facekiosk.cli import build_parser; build_parser()")
    assert [m for m in loaded if m.split(".")[0] in HEAVY] == []
    # nor any area package that pulls them in (settings, kiosk, vault, engine, ui, bench)
    areas = ("settings", "kiosk", "vault", "engine", "ui", "bench", "pipeline")
    assert [m for m in loaded if m.split(".")[:2][-1] in areas and m.startswith("facekiosk.")] == []


def test_cli_log_levels_are_the_schema_ones():
    assert LOG_LEVELS == SCHEMA_LOG_LEVELS
