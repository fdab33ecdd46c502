"""The pipeline and the engine host stay free of Qt: the CLI, benches and a headless kiosk
import them without PySide6."""

from __future__ import annotations

import json
import subprocess
import sys

MODULES = [
    "facekiosk.pipeline.capture",
    "facekiosk.pipeline.sources",
    "facekiosk.pipeline.demo_source",
    "facekiosk.pipeline.step",
    "facekiosk.engine.remote",
    "facekiosk.engine.base",
]


def test_pipeline_modules_import_no_qt():
    code = (
        "import importlib, json, sys\n"
        f"for m in {MODULES!r}: importlib.import_module(m)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'shiboken6') or m.startswith('facekiosk.ui'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
