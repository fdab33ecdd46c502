"""The `facekiosk` CLI: help, version, doctor --json, settings errors — run as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from facekiosk import __version__

NONET = Path(__file__).with_name("nonet.py")


def cli(*args: str, data_dir: Path, check: bool = False) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, str(NONET), "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_help_lists_the_commands(data_dir):
    out = cli("--help", data_dir=data_dir, check=True).stdout
    for command in ("doctor", "settings", "bench"):
        assert command in out


def test_version(data_dir):
    out = cli("--version", data_dir=data_dir, check=True).stdout
    assert out.strip() == f"facekiosk {__version__}"


def test_python_dash_m_entry_point(data_dir):
    proc = subprocess.run(
        [sys.executable, "-m", "facekiosk", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and __version__ in proc.stdout


def test_doctor_json_passes_here(data_dir):
    proc = cli("doctor", "--json", data_dir=data_dir)
    report = json.loads(proc.stdout)
    by_name = {c["name"]: c for c in report["checks"]}
    for name in ("python", "packages", "cv2", "onnxruntime", "vector search", "qt", "data dir"):
        assert name in by_name, name
    assert "camera" in by_name
    assert by_name["cv2"]["status"] == "ok"
    assert by_name["vector search"]["status"] == "ok"
    assert "faiss-cpu" in by_name["packages"]["detail"]
    assert report["ok"] is True, [c for c in report["checks"] if c["status"] == "fail"]
    assert proc.returncode == 0


def test_doctor_fails_on_bad_settings_and_says_what_to_do(data_dir):
    (data_dir / "settings.toml").write_text("[engine]\ndetect_width = -5\n")
    proc = cli("doctor", "--json", "--no-camera", data_dir=data_dir)
    report = json.loads(proc.stdout)
    assert proc.returncode == 1 and report["ok"] is False
    bad = [c for c in report["checks"] if c["status"] == "fail"]
    assert [c["name"] for c in bad] == ["settings"]
    assert "engine.detect_width" in bad[0]["detail"] and bad[0]["hint"]


def test_doctor_fails_on_unwritable_data_dir(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a dir")
    proc = cli("doctor", "--json", "--no-camera", data_dir=blocker / "data")
    report = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert {c["name"]: c["status"] for c in report["checks"]}["data dir"] == "fail"


def test_settings_error_names_key_and_exits_nonzero(data_dir):
    (data_dir / "settings.toml").write_text("[kiosk]\nmode = 'party'\n")
    proc = cli("settings", "show", data_dir=data_dir)
    assert proc.returncode == 1
    assert "kiosk.mode" in proc.stderr and "Traceback" not in proc.stderr


def test_settings_unknown_key_warns(data_dir):
    (data_dir / "settings.toml").write_text("[kiosk]\nmood = 'calm'\n")
    proc = cli("settings", "check", data_dir=data_dir)
    assert proc.returncode == 0 and "kiosk.mood" in proc.stderr


@pytest.mark.parametrize("host", ["10.1.2.3", "example.com"])
def test_nonet_runner_blocks_outside_addresses(host, tmp_path):
    """The guard used above must itself be able to fail."""
    code = (
        "import runpy, sys, socket; sys.argv=['nonet']; "
        f"ns = runpy.run_path({str(NONET)!r}, run_name='guard'); sys.addaudithook(ns['_hook']); "
        f"socket.create_connection(({host!r}, 80), timeout=1)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode != 0 and "network access attempted" in proc.stderr


def test_doctor_fails_on_a_tampered_model_pack(data_dir, tmp_path):
    from facekiosk.cli import main
    from tests.engine import test_packs_tiny as tiny

    archive = tiny.zip_folder(tiny.pack_folder(tmp_path / "p"), tmp_path / "buffalo_l.zip")
    assert main(["--data-dir", str(data_dir), "models", "import", str(archive), "--yes"]) == 0
    ok = json.loads(cli("doctor", "--json", "--no-camera", data_dir=data_dir).stdout)
    assert {c["name"]: c["status"] for c in ok["checks"]}["model packs"] == "ok"
    model = next((data_dir / "models" / "buffalo_l").glob("*.onnx"))
    model.write_bytes(model.read_bytes()[:-10])  # a torn copy from a USB stick
    proc = cli("doctor", "--json", "--no-camera", data_dir=data_dir)
    checks = {c["name"]: c for c in json.loads(proc.stdout)["checks"]}
    assert proc.returncode == 1 and checks["model packs"]["status"] == "fail"
    assert model.name in checks["model packs"]["detail"] and checks["model packs"]["hint"]


def test_vector_search_check_fails_when_faiss_does_not_load(monkeypatch):
    from facekiosk.doctor import check_vector_search

    monkeypatch.setitem(sys.modules, "faiss", None)  # what a build without faiss sees
    check = check_vector_search()
    assert check.status == "fail" and "faiss does not load" in check.detail
    assert "faiss-cpu" in check.hint


def test_vector_search_check_fails_on_wrong_results(monkeypatch):
    """The check looks at the answer, not only at the import: an L2 index finds
    the right neighbours but scores them 0, not 1, and must be caught."""
    import faiss

    from facekiosk.doctor import check_vector_search

    assert check_vector_search().status == "ok"
    monkeypatch.setattr(faiss, "IndexFlatIP", faiss.IndexFlatL2)
    check = check_vector_search()
    assert check.status == "fail" and "self-similarity 0.000" in check.detail and check.hint


def test_vector_search_check_survives_faiss_exiting_on_a_missing_swig_module():
    """faiss's loader calls sys.exit(1) when faiss/swigfaiss.py is missing; the
    doctor must report that, not exit. Run apart: it half-imports faiss."""
    code = (
        "import json, sys; sys.modules['faiss.swigfaiss'] = None; "
        "from facekiosk.doctor import check_vector_search; "
        "print(json.dumps(check_vector_search().__dict__))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    check = json.loads(proc.stdout)
    assert check["status"] == "fail" and "SWIG module is missing" in check["detail"]
