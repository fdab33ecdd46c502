"""The kiosk window in kiosk mode on a real X server (Xvfb): full screen, exposed, drawn,
and the close button refused without the admin PIN. Skips when Xvfb is not installed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.xvfb import xvfb_display

pytestmark = pytest.mark.xvfb

_KIOSK = r"""
import json, sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from facekiosk.settings import Settings
from facekiosk.ui.app import qt_app
from facekiosk.ui.kiosk_mode import apply_kiosk_mode
from facekiosk.ui.main_window import KioskWindow

app = qt_app()
window = KioskWindow(None, Settings(), Path(sys.argv[1]))
apply_kiosk_mode(window)
result = {}

def check():
    screen = QGuiApplication.primaryScreen()
    shot = screen.grabWindow(0).toImage()
    result.update(
        platform=app.platformName(),
        exposed=window.windowHandle().isExposed(),
        full=window.isFullScreen(),
        size=[window.width(), window.height()],
        screen=[screen.size().width(), screen.size().height()],
        close_refused=not window.close(),
        page=window.current_page_name(),
        # the theme's dark background, as the X server shows it
        bg=list(shot.pixelColor(2, shot.height() // 2).getRgb()[:3]),
    )
    window._close_allowed = True
    window.close()
    app.quit()

QTimer.singleShot(800, check)
app.exec()
print(json.dumps(result))
"""


def test_kiosk_mode_on_a_real_x_server(tmp_path):
    with xvfb_display(1024, 600) as display:
        env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
        env["DISPLAY"] = display
        proc = subprocess.run(
            [sys.executable, "-c", _KIOSK, str(tmp_path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    assert r["platform"] == "xcb" and r["exposed"] and r["full"]
    assert r["size"] == r["screen"] == [1024, 600]
    assert r["close_refused"] and r["page"] == "admin_login"
    assert max(r["bg"]) < 60  # dark theme drawn on the real screen
