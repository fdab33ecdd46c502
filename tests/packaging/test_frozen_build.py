"""The PyInstaller one-folder build: built, then driven from the frozen folder.

The build takes minutes (about 3.5 min here on a shared 2-core machine), so it
runs only when asked, and is started at nice 19 when the run is collected; these
tests run last and wait for it (tests/packaging/early_start.py):
    FACEKIOSK_TEST_FROZEN=1      build with packaging/build_frozen.sh, then test
    FACEKIOSK_TEST_FROZEN=reuse  test an existing dist/facekiosk (after a build)
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.packaging import early_start
from tests.packaging.installer import REPO

MODE = os.environ.get("FACEKIOSK_TEST_FROZEN", "")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(MODE not in ("1", "reuse"), reason="set FACEKIOSK_TEST_FROZEN=1"),
    pytest.mark.timeout(1800),
]

DIST = REPO / "dist" / "facekiosk"
FROZEN = DIST / "facekiosk"
INTERNAL = DIST / "_internal"


@pytest.fixture(scope="module")
def report() -> dict:
    if MODE == "1":
        # Started niced when the run was collected (tests/conftest.py); waited for here.
        code, log_tail = early_start.FROZEN_BUILD.wait(timeout=1700)
        assert code == 0, log_tail
    path = REPO / "dist" / "frozen-build.json"
    if not path.exists():
        pytest.fail("no dist/frozen-build.json: run packaging/build_frozen.sh first")
    return json.loads(path.read_text())


def frozen(*args: str, home: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "FACEKIOSK_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [str(FROZEN), *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def test_build_smoke_tests_passed(report):
    assert report["doctor_exit_code"] == 0
    assert report["demo_exit_code"] == 0 and report["demo_pages"] >= 5
    assert report["size_bytes"] > 100 * 2**20 and report["files"] > 100


def test_folder_holds_models_resources_and_no_dev_tools(report):
    models = sorted(p.name for p in (INTERNAL / "face_recognition_models" / "models").iterdir())
    assert models == [
        "dlib_face_recognition_resnet_model_v1.dat",
        "mmod_human_face_detector.dat",
        "shape_predictor_5_face_landmarks.dat",
        "shape_predictor_68_face_landmarks.dat",
    ]
    assert (INTERNAL / "facekiosk" / "resources" / "consent" / "en.md").is_file()
    assert (INTERNAL / "insightface" / "data" / "images" / "t1.jpg").is_file()
    assert (INTERNAL / "PySide6" / "Qt" / "plugins" / "platforms" / "libqxcb.so").is_file()
    for dev in ("pytest", "_pytest", "ruff", "PyInstaller"):
        assert not (INTERNAL / dev).exists(), dev


def test_frozen_version_and_doctor(report, tmp_path):
    version = frozen("--version", home=tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == f"facekiosk {report['version']}"
    doctor = frozen("doctor", "--json", "--no-camera", home=tmp_path / "home")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    checks = {c["name"]: c["status"] for c in json.loads(doctor.stdout)["checks"]}
    assert checks["qt"] == "ok" and checks["bundled models"] == "ok"
    # faiss is imported lazily by the vault (large galleries only): this is the
    # proof that the build carries it, its SWIG module and its vendored libraries.
    assert checks["vector search"] == "ok" and checks["packages"] == "ok"


def test_frozen_enrolls_and_identifies_with_the_bundled_models(
    report, tmp_path, tom_hanks_image, astronaut_image
):
    import cv2

    tom, other = tmp_path / "tom.png", tmp_path / "astronaut.png"
    cv2.imwrite(str(tom), tom_hanks_image)
    cv2.imwrite(str(other), astronaut_image)
    home = tmp_path / "home"
    enrolled = frozen("enroll", "--image", str(tom), "--json", home=home)
    assert enrolled.returncode == 0, enrolled.stderr
    index_id = json.loads(enrolled.stdout)["index_id"]
    same = json.loads(frozen("identify", "--image", str(tom), "--json", home=home).stdout)
    assert same["decision"] == "match" and same["matches"][0]["index_id"] == index_id
    stranger = json.loads(frozen("identify", "--image", str(other), "--json", home=home).stdout)
    assert stranger["decision"] != "match"


def test_frozen_runs_inline_code_for_doctor_probes(report, tmp_path):
    proc = frozen("-c", "import sys, PySide6; print(sys.argv[1:])", "a", "b", home=tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == "['a', 'b']"
    failing = frozen("-c", "raise SystemExit(3)", home=tmp_path)
    assert failing.returncode == 3


def test_frozen_gui_on_a_real_x_server(report, tmp_path):
    """The bundled xcb platform plugin with this machine's X libraries (Xvfb)."""
    import shutil

    if shutil.which("xvfb-run") is None:
        pytest.skip("xvfb-run not installed")
    shots = tmp_path / "shots"
    env = {**os.environ, "FACEKIOSK_HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "xcb"}
    proc = subprocess.run(
        ["xvfb-run", "-a", str(FROZEN), "demo", "--screenshot", str(shots)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(list(shots.glob("*.png"))) == report["demo_pages"]
