"""What a user or an attacker types at the CLI gets a clear error, never a traceback:
oversized images, a directory as --image, a damaged vault database, out-of-range numbers,
--out into a missing folder, labels with control characters, short new passphrases."""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import SHARED

NONET = Path(__file__).with_name("nonet.py")
PHOTO = SHARED / "faces" / "identities" / "Al_Gore" / "1.jpg"


def cli(data_dir: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, str(NONET), "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **(env or {})},
    )


def clear_error(proc: subprocess.CompletedProcess, text: str, rc: int = 1) -> None:
    assert proc.returncode == rc, (proc.returncode, proc.stderr[-1500:])
    assert "Traceback" not in proc.stderr, proc.stderr[-1500:]
    assert text in proc.stderr, proc.stderr[-1500:]


def png_header(path: Path, width: int, height: int) -> Path:
    """A PNG whose IHDR claims width x height, with one tiny IDAT (a decoder bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1024)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat)
                     + chunk(b"IEND", b""))
    return path


def make_vault(data_dir: Path, labels: list[str]) -> None:
    from facekiosk.engine.types import Embedding
    from facekiosk.vault import Vault

    data_dir.mkdir(mode=0o700, exist_ok=True)
    rng = np.random.default_rng(3)
    vault = Vault.open(data_dir)
    try:
        for label in labels:
            v = rng.normal(size=128).astype(np.float32)
            vault.enroll([Embedding(v / np.linalg.norm(v), "dlib", "dlib_resnet_v1")],
                         label=label, consent_version="test", actor="test")
    finally:
        vault.close()


@pytest.mark.parametrize(
    ("size", "declared"),
    [
        ((65535, 65535), "over 178 megapixels"),  # crashed before
        ((8000, 6000), "8000x6000"),  # 48 MP: decoded before (600-700 MB)
        ((12001, 10), "12001x10"),
    ],
)
def test_oversized_image_is_refused_before_decoding(tmp_path, size, declared):
    big = png_header(tmp_path / "big.png", *size)
    proc = cli(tmp_path / "data", "enroll", "--image", str(big))
    clear_error(proc, f"image too large ({declared} declared)")
    assert "40 megapixels" in proc.stderr


def test_read_image_refuses_a_bomb_without_decoding_it(tmp_path):
    """A 20000x20000 PNG would take ~1.2 GB to decode: refused from its header, so the
    process's peak memory stays far below that. VmHWM, not ru_maxrss: the latter carries the
    forking pytest process's size into the child (measured 1.2 GB with nothing decoded)."""
    big = png_header(tmp_path / "big.png", 20000, 20000)
    code = (
        "import re, sys\n"
        "import cv2, PIL.Image  # loaded already when the CLI reads an image\n"
        "from facekiosk.engine.types import ImageError, read_image\n"
        "try:\n    read_image(sys.argv[1])\nexcept ImageError as exc:\n    print('refused', exc)\n"
        "hwm = re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read())\n"
        "print(int(hwm.group(1)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(big)], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    assert out[0].startswith("refused"), out
    peak_kib = int(out[-1])
    assert peak_kib < 300 * 1024, peak_kib


def test_a_directory_as_image_says_so(tmp_path):
    clear_error(cli(tmp_path / "data", "identify", "--image", str(tmp_path)), "is a directory")


def test_a_normal_photo_still_reads():
    from facekiosk.engine.types import read_image

    assert read_image(str(PHOTO)).ndim == 3


def test_damaged_sqlite_header_is_a_clear_error(tmp_path):
    data_dir = tmp_path / "data"
    make_vault(data_dir, ["a"])
    db = data_dir / "vault.sqlite"
    raw = bytearray(db.read_bytes())
    raw[:16] = b"not a database!!"
    db.write_bytes(bytes(raw))
    clear_error(cli(data_dir, "admin", "list"), "admin check")


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["admin", "list", "--limit", str(10**19)], "must be between 0 and"),
        (["admin", "list", "--offset", "-5"], "must be between 0 and"),
        (["identify", "--image", str(PHOTO), "-k", "-1"], "must be between 1 and"),
        (["--log-level", "NONSENSE", "admin", "list"], "invalid choice"),
        # was a ValueError traceback from the vault after the engine had run
        (["enroll", "--image", str(PHOTO), "--label", "x" * 257], "at most 256 characters"),
    ],
)
def test_out_of_range_numbers_are_usage_errors(tmp_path, args, text):
    clear_error(cli(tmp_path / "data", *args), text, rc=2)


def test_out_into_a_missing_folder(tmp_path):
    data_dir = tmp_path / "data"
    make_vault(data_dir, ["a"])
    missing = tmp_path / "nope" / "events.csv"
    clear_error(cli(data_dir, "admin", "events", "--out", str(missing)), "does not exist")
    clear_error(
        cli(data_dir, "admin", "key", "export", "--out", str(missing)), "does not exist"
    )
    clear_error(cli(data_dir, "admin", "backup", "--out", str(missing)), "does not exist")


def test_labels_with_control_characters_are_escaped_in_admin_list(tmp_path):
    data_dir = tmp_path / "data"
    fake = "ok\n00000000-0000-0000-0000-000000000000  2026-01-01T00:00:00  -  active  \x1b[2J"
    make_vault(data_dir, [fake, "Zoë Müller"])
    proc = cli(data_dir, "admin", "list")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 3, lines  # two rows and the total: the newline made no fake row
    assert "\x1b" not in proc.stdout and "\\x1b[2J" in proc.stdout and "ok\\n0000" in proc.stdout
    assert "Zoë Müller" in proc.stdout  # letters are not escaped


def test_new_passphrases_need_the_documented_length(tmp_path):
    data_dir = tmp_path / "data"
    make_vault(data_dir, ["a"])
    short = {"FACEKIOSK_VAULT_NEW_PASSPHRASE": "x"}
    clear_error(cli(data_dir, "admin", "key", "rotate", "--passphrase", env=short), "at least 12")
    clear_error(
        cli(data_dir, "admin", "key", "export", "--recovery-passphrase", env=short), "at least 12"
    )
    ok = {"FACEKIOSK_VAULT_NEW_PASSPHRASE": "four random words here"}
    proc = cli(data_dir, "admin", "key", "rotate", "--passphrase", env=ok)
    assert proc.returncode == 0, proc.stderr
