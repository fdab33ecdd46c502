"""The cv2/Qt trap: exactly one cv2 distribution, no Qt plugins of its own, and a real
PySide6 window on the xcb platform (Xvfb) after cv2 has been imported."""

from __future__ import annotations

import importlib.metadata as md
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.xvfb import xvfb_display

pytestmark = pytest.mark.xvfb


def _distributions_providing(top_level: str) -> list[str]:
    names = []
    for dist in md.distributions():
        tops = {str(f).split("/")[0] for f in (dist.files or [])}
        if top_level in tops:
            names.append(dist.metadata["Name"])
    return names


def test_exactly_one_cv2_distribution_and_it_is_headless():
    assert _distributions_providing("cv2") == ["opencv-python-headless"]


def test_cv2_ships_no_qt_plugins_and_leaves_qt_env_alone():
    code = (
        "import os, cv2, json; "
        "print(json.dumps([os.environ.get('QT_QPA_PLATFORM_PLUGIN_PATH'), "
        "os.environ.get('QT_QPA_FONTDIR'), cv2.__file__]))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    plugin_path, font_dir, cv2_file = json.loads(out.stdout)
    assert plugin_path is None and font_dir is None
    assert not (Path(cv2_file).parent / "qt").exists()


_WINDOW = r"""
import json, sys
import cv2  # first, as the app does: this is what used to break PySide6
from PySide6.QtCore import QTimer, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel

app = QApplication(sys.argv[:1])
label = QLabel("facekiosk")
label.setStyleSheet("background: #ff0000; font-size: 40px")
label.resize(320, 200)
label.show()
result = {}

def grab():
    image = label.grab().toImage()
    screen = QGuiApplication.primaryScreen().grabWindow(label.winId()).toImage()
    result.update(
        platform=app.platformName(),
        exposed=label.windowHandle().isExposed(),
        width=screen.width(),
        red=screen.pixelColor(5, 5).red(),
        green=screen.pixelColor(5, 5).green(),
        widget_red=image.pixelColor(5, 5).red(),
    )
    app.quit()

QTimer.singleShot(500, grab)
app.exec()
print(json.dumps(result))
"""


def test_real_window_on_xcb_after_cv2_import():
    with xvfb_display() as display:
        env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
        env["DISPLAY"] = display
        proc = subprocess.run(
            [sys.executable, "-c", _WINDOW], env=env, capture_output=True, text=True, timeout=60
        )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["platform"] == "xcb"
    assert result["exposed"] is True
    # The X server itself shows our red window: a real window, really drawn.
    assert result["width"] >= 320 and result["red"] > 200 and result["green"] < 60
