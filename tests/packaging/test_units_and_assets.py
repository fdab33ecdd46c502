"""The rendered systemd units pass `systemd-analyze verify`; desktop entry and icons are valid."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.packaging.installer import REPO, run_install, snapshot_source

LINUX = REPO / "packaging" / "linux"
# Lines of `systemd-analyze verify` that mean a unit file mistake (it exits 0 on some).
UNIT_PROBLEMS = (
    "Unknown key",
    "Unknown section",
    "ignoring",
    "Invalid",
    "Failed to parse",
    "bad unit file setting",
    "fatal error",
)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    """A --prefix install in boot mode and one in session mode; returns the tmp base."""
    base = tmp_path_factory.mktemp("units")
    source = snapshot_source(base / "src")
    for mode in ("boot", "session"):
        res = run_install(source, "--prefix", base / mode, "--skip-venv", "--mode", mode)
        assert res.returncode == 0, res.stderr
    return base


def _verify(unit_text: str, name: str, tmp_path: Path) -> str:
    # Executables the installer brings (cage, the venv) are absent here; verify
    # checks they exist, so point them at /bin/true and verify everything else.
    text = unit_text.replace("ExecStart=/usr/bin/cage", "ExecStart=/bin/true")
    text = text.replace("ExecStart=/opt/facekiosk/venv/bin/facekiosk", "ExecStart=/bin/true")
    path = tmp_path / name
    path.write_text(text)
    proc = subprocess.run(
        ["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    return output


@pytest.mark.parametrize(
    ("mode", "unit"),
    [
        ("boot", "etc/systemd/system/facekiosk.service"),
        ("session", "etc/systemd/user/facekiosk-session.service"),
    ],
)
def test_rendered_units_pass_systemd_analyze_verify(rendered, tmp_path, mode, unit):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze not available")
    text = (rendered / mode / unit).read_text()
    output = _verify(text, Path(unit).name, tmp_path)
    problems = [ln for ln in output.splitlines() if any(p in ln for p in UNIT_PROBLEMS)]
    assert problems == []


def test_verify_catches_a_misspelt_key(rendered, tmp_path):
    """The check above can fail: a typo in a unit is reported."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze not available")
    text = (rendered / "boot/etc/systemd/system/facekiosk.service").read_text()
    output = _verify(text.replace("RestartSec=", "RestartSecs="), "facekiosk.service", tmp_path)
    assert "Unknown key" in output


def test_boot_unit_is_locked_down(rendered):
    unit = (rendered / "boot/etc/systemd/system/facekiosk.service").read_text()
    for line in (
        "IPAddressDeny=any",
        "NoNewPrivileges=yes",
        "ProtectHome=yes",
        "UMask=0077",
        "SupplementaryGroups=video",
        "PAMName=facekiosk",
        "WantedBy=graphical.target",
    ):
        assert line in unit.splitlines(), line


def test_desktop_entry_is_valid():
    if shutil.which("desktop-file-validate") is None:
        pytest.skip("desktop-file-validate not installed (apt-get install desktop-file-utils)")
    proc = subprocess.run(
        ["desktop-file-validate", str(LINUX / "facekiosk.desktop")], capture_output=True, text=True
    )
    assert proc.returncode == 0 and "error" not in proc.stdout, proc.stdout


def test_icons_are_real_images():
    root = ET.parse(LINUX / "facekiosk.svg").getroot()
    assert root.tag.endswith("svg") and root.get("viewBox") == "0 0 256 256"
    import cv2

    for size in (48, 256):
        image = cv2.imread(str(LINUX / f"facekiosk-{size}.png"), cv2.IMREAD_UNCHANGED)
        assert image is not None and image.shape == (size, size, 4)
        assert image[..., 3].min() == 0 and image[..., 3].max() == 255  # transparent corners
