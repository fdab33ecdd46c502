"""`facekiosk run` with camera.source = "auto": a camera when one delivers frames,
otherwise the demo source (the README's quick start promises that)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from facekiosk.cli.run_cmd import resolve_auto_source
from facekiosk.doctor import camera_candidates, first_camera

NONET = Path(__file__).parents[1] / "foundation" / "nonet.py"


def test_auto_picks_the_camera_that_delivers():
    assert resolve_auto_source(lambda: "/dev/video2") == "/dev/video2"


def test_auto_falls_back_to_demo_without_a_camera(capsys):
    assert resolve_auto_source(lambda: None) == "demo"
    assert "no camera found" in capsys.readouterr().err


@pytest.mark.skipif(
    any(Path(c).exists() for c in camera_candidates()), reason="this machine has a camera"
)
def test_run_without_camera_shows_the_demo(tmp_path):
    assert first_camera(timeout=5) is None  # the real probe, on a machine with no camera
    shots = tmp_path / "shots"
    proc = subprocess.run(
        [
            sys.executable,
            str(NONET),
            "--data-dir",
            str(tmp_path / "data"),
            "run",
            "--screenshot",
            str(shots),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "starting the demo source" in proc.stderr
    assert len(list(shots.glob("*.png"))) >= 10
