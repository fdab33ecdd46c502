"""installers/linux/import_model_pack.sh: a USB folder with SHA256SUMS -> installed packs.

Real packs are generated (tiny ONNX models with insightface's contracts, from the
engine's test helpers) and imported through the real `facekiosk models import`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.engine import test_packs_tiny as tiny
from tests.packaging.installer import REPO

SCRIPT = REPO / "installers" / "linux" / "import_model_pack.sh"
FACEKIOSK = Path(sys.executable).with_name("facekiosk")


def _usb(tmp_path: Path) -> Path:
    usb = tmp_path / "usb" / "facekiosk-models"
    usb.mkdir(parents=True)
    tiny.zip_folder(tiny.pack_folder(tmp_path / "pack"), usb / "buffalo_l.zip")
    digest = hashlib.sha256((usb / "buffalo_l.zip").read_bytes()).hexdigest()
    (usb / "SHA256SUMS").write_text(f"{digest}  buffalo_l.zip\n")
    return usb


def _run(usb: Path, data_dir: Path, *args: str, env: dict | None = None):
    return subprocess.run(
        ["bash", str(SCRIPT), "--facekiosk", str(FACEKIOSK), "--yes", *args, str(usb)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "FACEKIOSK_HOME": str(data_dir), **(env or {})},
        check=False,
    )


def test_shellcheck_clean():
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck not installed")
    proc = subprocess.run(["shellcheck", str(SCRIPT)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


def test_verified_pack_is_imported_and_verified(tmp_path, data_dir):
    usb = _usb(tmp_path)
    res = _run(usb, data_dir)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "OK   buffalo_l.zip" in res.stdout
    assert "buffalo_l: OK" in res.stdout  # `facekiosk models verify` after the import
    assert (data_dir / "models" / "buffalo_l" / "w600k_r50.onnx").is_file()


def test_a_corrupted_file_imports_nothing(tmp_path, data_dir):
    usb = _usb(tmp_path)
    blob = bytearray((usb / "buffalo_l.zip").read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    (usb / "buffalo_l.zip").write_bytes(bytes(blob))
    res = _run(usb, data_dir)
    assert res.returncode == 1
    assert "BAD  buffalo_l.zip" in res.stderr and "nothing was imported" in res.stderr
    assert not (data_dir / "models" / "buffalo_l").exists()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{h}  ../etc/passwd", "must be a plain file name"),
        ("{h}  missing.zip", "is not in"),
        ("not-a-hash  buffalo_l.zip", "malformed line"),
    ],
)
def test_bad_checksum_lists_are_refused(tmp_path, data_dir, line, message):
    usb = _usb(tmp_path)
    (usb / "SHA256SUMS").write_text(line.format(h="a" * 64) + "\n")
    res = _run(usb, data_dir)
    assert res.returncode == 1 and message in res.stderr
    assert not (data_dir / "models").exists()


def _gpg(home: Path, *args: str) -> None:
    subprocess.run(
        ["gpg", "--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", "", *args],
        check=True,
        capture_output=True,
        env={**os.environ, "GNUPGHOME": str(home)},
        timeout=120,
    )


def test_signed_list_is_checked_against_the_keyring(tmp_path, data_dir):
    if shutil.which("gpg") is None or shutil.which("gpgv") is None:
        pytest.skip("gpg/gpgv not installed")
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    _gpg(home, "--quick-gen-key", "facekiosk models <models@example.invalid>", "ed25519", "sign")
    keyring = tmp_path / "models.gpg"
    _gpg(home, "--output", str(keyring), "--export")
    usb = _usb(tmp_path)
    _gpg(home, "--output", str(usb / "SHA256SUMS.sig"), "--detach-sign", str(usb / "SHA256SUMS"))

    ok = _run(usb, data_dir, "--keyring", str(keyring), "--require-signature")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "signature OK" in ok.stdout

    # The list changed after signing: refused before anything is read.
    with (usb / "SHA256SUMS").open("a") as fh:
        fh.write(f"{'b' * 64}  extra.onnx\n")
    bad = _run(usb, tmp_path / "other-data", "--keyring", str(keyring))
    assert bad.returncode == 1 and "does not verify" in bad.stderr
    unsigned = tmp_path / "unsigned"
    shutil.copytree(usb, unsigned)
    (unsigned / "SHA256SUMS.sig").unlink()
    refused = _run(unsigned, tmp_path / "third", "--require-signature")
    assert refused.returncode == 1 and "signed SHA256SUMS is required" in refused.stderr
