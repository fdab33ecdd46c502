"""Capture thread: newest frame only, and a source that stops or repeats is reopened."""

from __future__ import annotations

import time

import numpy as np
import pytest

from facekiosk.pipeline.capture import CaptureStatus, CaptureThread, LatestFrame
from facekiosk.pipeline.demo_source import T1_FACES, demo_slides, demo_source
from facekiosk.pipeline.sources import (
    SourceError,
    VideoFileSource,
    image_folder_source,
    open_source,
)
from tests.ui.helpers import StoppingCamera


def test_latest_frame_keeps_only_the_newest():
    slot = LatestFrame()
    assert slot.get() is None
    for i in range(5):
        slot.put(np.full((2, 2, 3), i, np.uint8))
    packet = slot.get()
    assert packet is not None and packet.seq == 5 and packet.frame[0, 0, 0] == 4
    assert slot.wait_newer(5, 0.01) is None
    assert slot.wait_newer(4, 0.01) is packet
    slot.clear()
    assert slot.get() is None


@pytest.mark.parametrize("mode", ["silent", "repeating"])
def test_stopped_camera_is_reported_and_reopened(mode):
    camera = StoppingCamera(good=5, mode=mode, fail_opens=1)
    slot = LatestFrame()
    statuses: list[CaptureStatus] = []
    thread = CaptureThread(camera, slot, statuses.append, stall_s=0.2, backoff=(0.05, 0.1))
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (camera.opens >= 2 and thread.frames > 10):
            time.sleep(0.02)
    finally:
        thread.stop()
    states = [s.state for s in statuses]
    assert camera.opens >= 2, states
    assert "stalled" in states and "reopening" in states
    stalled = next(s for s in statuses if s.state == "stalled")
    expected = "no new frame" if mode == "silent" else "the same frame repeats"
    assert expected in stalled.message
    # after the failed reopen, frames flow again and the status says so
    assert states[states.index("reopening") + 1 :].count("running") >= 1
    assert thread.frames > 10 and states[-1] == "stopped"


def test_capture_of_unopenable_source_keeps_retrying_until_stopped():
    camera = StoppingCamera(good=0, mode="silent", fail_opens=10**6)
    camera.broken = True
    statuses: list[CaptureStatus] = []
    thread = CaptureThread(camera, LatestFrame(), statuses.append, backoff=(0.01, 0.02))
    thread.start()
    time.sleep(0.3)
    thread.stop()
    assert not thread.is_alive()
    attempts = [s.attempt for s in statuses if s.state == "reopening"]
    assert len(attempts) >= 2 and attempts == sorted(attempts)
    assert "device busy" in statuses[0].message


def test_demo_source_moves_and_shows_people(t1_image):
    slides = demo_slides()
    labels = [s.label for s in slides]
    assert labels[0] == "nobody" and labels[1] == "astronaut" and labels[-1] == "group"
    assert sum(label.startswith("t1 person") for label in labels) == 2 * len(T1_FACES)
    source = demo_source(fps=200.0)
    source.open()
    source.hold(1)
    a, b = source.read(), source.read()
    assert a.shape == (480, 640, 3) and a.dtype == np.uint8
    assert not np.array_equal(a, b)  # slight drift, like a camera
    assert np.abs(a.astype(int) - b.astype(int)).mean() < 30  # but the same scene


def test_image_folder_source_skips_unreadable(tmp_path, tom_hanks_image):
    import cv2

    cv2.imwrite(str(tmp_path / "a.png"), tom_hanks_image)
    (tmp_path / "b.jpg").write_bytes(b"not an image")
    (tmp_path / "notes.txt").write_text("ignored")
    source = image_folder_source(tmp_path)
    assert [s.label for s in source.slides] == ["a.png"]
    with pytest.raises(SourceError, match="not a folder"):
        image_folder_source(tmp_path / "missing")
    (tmp_path / "a.png").unlink()
    with pytest.raises(SourceError, match="no readable images"):
        image_folder_source(tmp_path)


def test_video_file_source_loops(tmp_path):
    import cv2

    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 100.0, (64, 48))
    if not writer.isOpened():
        pytest.skip("no MJPG writer in this OpenCV build")
    for i in range(3):
        writer.write(np.full((48, 64, 3), 60 * i, np.uint8))
    writer.release()
    source = VideoFileSource(path)
    source.open()
    means = [int(source.read().mean()) for _ in range(7)]
    source.close()
    assert len(set(means)) == 3 and abs(means[0] - means[3]) <= 2  # looped


def test_open_source_parses_specs(tmp_path):
    assert open_source("demo").name == "demo"
    assert open_source("2").name == "camera 2"
    assert open_source("/dev/video7").name == "camera /dev/video7"
    with pytest.raises(SourceError, match="not a camera index"):
        open_source(str(tmp_path / "nothing-here"))
    (tmp_path / "x.png").write_bytes(b"")
    with pytest.raises(Exception, match="not a readable image"):
        open_source(str(tmp_path / "x.png"))
