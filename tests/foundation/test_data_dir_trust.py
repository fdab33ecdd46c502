"""The data dir is private whatever the umask; the CLI refuses one another user could change;
`doctor` reports permissions, leftover temp files and the telemetry state (issue 14, item 6)."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

from tests.conftest import SHARED

NONET = Path(__file__).with_name("nonet.py")
PHOTO = SHARED / "faces" / "identities" / "Al_Gore" / "1.jpg"


def cli(data_dir: Path, *args: str, umask: int = -1) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(NONET), "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=180,
        umask=umask,
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_enroll_under_umask_000_makes_every_new_directory_0700(tmp_path):
    """Before: enroll made <dir>/models/bundled with mkdir(parents=True): data dir 0777."""
    data_dir = tmp_path / "new" / "data"
    proc = cli(data_dir, "enroll", "--image", str(PHOTO), umask=0)
    assert proc.returncode == 0, proc.stderr
    for folder in (tmp_path / "new", data_dir, data_dir / "models", data_dir / "models/bundled"):
        assert mode(folder) == 0o700, (folder, oct(mode(folder)))


def test_cli_refuses_a_data_dir_writable_by_others(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    data_dir.chmod(0o777)
    proc = cli(data_dir, "admin", "list")
    assert proc.returncode == 1
    assert "refusing to start" in proc.stderr and f"chmod 700 {data_dir}" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_refuses_a_settings_file_writable_by_others(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    settings = data_dir / "settings.toml"
    settings.write_text("")
    settings.chmod(0o666)
    proc = cli(data_dir, "settings", "check")
    assert proc.returncode == 1
    assert f"chmod 600 {settings}" in proc.stderr


def test_doctor_reports_permissions_leftovers_and_telemetry(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    (data_dir / ".vectors.seg.000001.ab12cd34.tmp").write_bytes(b"old")
    data_dir.chmod(0o775)
    proc = cli(data_dir, "doctor", "--json", "--no-camera")
    checks = {c["name"]: c for c in json.loads(proc.stdout)["checks"]}
    assert checks["permissions"]["status"] == "fail"
    assert f"chmod 700 {data_dir}" in checks["permissions"]["detail"]
    assert checks["leftover files"]["status"] == "warn"
    assert ".vectors.seg.000001.ab12cd34.tmp" in checks["leftover files"]["detail"]
    assert checks["telemetry"]["status"] == "ok", checks["telemetry"]
    assert proc.returncode == 1  # a failing check
    data_dir.chmod(0o700)
    (data_dir / ".vectors.seg.000001.ab12cd34.tmp").unlink()
    checks = {
        c["name"]: c
        for c in json.loads(cli(data_dir, "doctor", "--json", "--no-camera").stdout)["checks"]
    }
    assert checks["permissions"]["status"] == "ok"
    assert checks["leftover files"]["status"] == "ok"
