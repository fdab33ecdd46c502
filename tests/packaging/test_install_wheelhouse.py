"""Air-gapped install: install.sh --wheelhouse with the network unplugged.

Needs a wheelhouse made by installers/linux/make_wheelhouse.sh (5 min, PyPI):
    FACEKIOSK_TEST_WHEELHOUSE=/path/to/wheelhouse
Runs the installer in an empty network namespace (`unshare --net`, root) so
that any download attempt fails the test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.packaging.installer import snapshot_source

WHEELHOUSE = os.environ.get("FACEKIOSK_TEST_WHEELHOUSE", "")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not WHEELHOUSE, reason="set FACEKIOSK_TEST_WHEELHOUSE=DIR"),
    pytest.mark.timeout(1800),
]


def test_offline_install_from_the_wheelhouse(tmp_path):
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare to cut the network")
    source = snapshot_source(tmp_path / "src")
    root = tmp_path / "root"
    proc = subprocess.run(
        [
            "unshare",
            "--net",
            "bash",
            str(source / "installers/linux/install.sh"),
            "--prefix",
            str(root),
            "--wheelhouse",
            WHEELHOUSE,
        ],
        capture_output=True,
        text=True,
        timeout=1700,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "wheelhouse" in proc.stdout and "verified" in proc.stdout
    first = json.loads(next(ln for ln in proc.stdout.splitlines() if ln.startswith("{")))
    assert first["vault"] == "created" and first["device_key_mode"] == "0o600"
    exe = root / "opt/facekiosk/venv/bin/facekiosk"
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("facekiosk ")
    assert not (root / "opt/facekiosk/venv/bin/pytest").exists()
    assert Path(WHEELHOUSE, "SHA256SUMS").is_file()
