"""Apply settings by restarting: the kiosk closes everything, then replaces its process.

`QApplication.exec()` can run once per process (timers stop firing after it returns), so
the whole kiosk runs in a child process here, with the real `os.execv`."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

CHILD = """
import os, sys
from pathlib import Path
if os.environ.get("FK_RESTARTED"):
    from facekiosk.vault import Vault
    with Vault.open(Path(sys.argv[1])):  # the old image's vault lock is gone
        pass
    print("restarted", sys.argv[1:], os.getpid(), flush=True)
    sys.exit(0)
os.environ["FK_RESTARTED"] = "1"
from PySide6.QtCore import QTimer
from facekiosk.settings import Settings
from facekiosk.ui.app import build_kiosk, run_kiosk
from facekiosk.vault import Vault

data_dir = Path(sys.argv[1])
kiosk = build_kiosk(Settings(), data_dir, "demo", engine_mode="thread", demo=True)
print("first", os.getpid(), flush=True)
if sys.argv[2] == "restart":
    kiosk.window.show_admin_panel()
    QTimer.singleShot(500, kiosk.window.admin_panel.settings_tab.restart_requested.emit)
else:
    QTimer.singleShot(500, kiosk.app.quit)
code = run_kiosk(kiosk)
with Vault.open(data_dir):  # the lock was released on the way out
    pass
print("exited", code, flush=True)
"""


def _run(tmp_path: Path, data_dir: Path, action: str) -> list[str]:
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(CHILD))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FACEKIOSK_HOME": str(data_dir)}
    env.pop("FK_RESTARTED", None)
    done = subprocess.run(
        [sys.executable, str(script), str(data_dir), action],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


def test_restart_from_the_admin_panel_reexecs_the_same_command(tmp_path, data_dir):
    out = _run(tmp_path, data_dir, "restart")
    first_pid = out[0].split()[1]
    # same PID (systemd and cage see no exit), same arguments, nothing after run_kiosk ran
    assert out[1:] == [f"restarted ['{data_dir}', 'restart'] {first_pid}"]


def test_plain_quit_closes_without_restarting(tmp_path, data_dir):
    out = _run(tmp_path, data_dir, "quit")
    assert out[1:] == ["exited 0"]


def test_restart_argv_of_a_frozen_build(monkeypatch):
    from facekiosk.ui import app as ui_app

    assert ui_app.restart_argv() == [sys.executable, *sys.orig_argv[1:]]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "argv", ["/opt/facekiosk/facekiosk", "run", "--kiosk"])
    assert ui_app.restart_argv() == [sys.executable, "run", "--kiosk"]
