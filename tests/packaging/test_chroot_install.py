"""install.sh as root on a real Debian root (debootstrap chroot): installers/linux/chroot_check.sh.

Needs root, debootstrap, the Debian mirror and PyPI; 5-10 min from scratch:
    FACEKIOSK_TEST_CHROOT=/var/tmp/fk-chroot   (created when absent, reused after)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.packaging.installer import REPO

CHROOT = os.environ.get("FACEKIOSK_TEST_CHROOT", "")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROOT, reason="set FACEKIOSK_TEST_CHROOT=DIR"),
    pytest.mark.timeout(3600),
]


def test_install_in_a_debootstrap_chroot():
    if os.geteuid() != 0 or shutil.which("debootstrap") is None:
        pytest.skip("needs root and debootstrap")
    proc = subprocess.run(
        ["bash", str(REPO / "installers/linux/chroot_check.sh"), CHROOT],
        capture_output=True,
        text=True,
        timeout=3500,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "chroot_check: OK" in proc.stderr
    timings = json.loads(proc.stdout[proc.stdout.index("{") :])
    assert timings["suite"] == "bookworm" and timings["install_s"] >= 0
