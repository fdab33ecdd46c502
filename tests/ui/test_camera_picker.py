"""Settings editor: camera selection with a live preview (demo, a video file and an image
folder made here; no real camera on the test machine), saved to camera.source."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from facekiosk.settings import Settings, load_settings
from facekiosk.ui.admin.settings_tab import SettingsTab


@pytest.fixture
def tab(qtbot, data_dir):
    t = SettingsTab(Settings(), data_dir)
    qtbot.addWidget(t)
    t.show()
    yield t
    t.camera_picker.stop_preview()


def _previews(qtbot, picker, min_frames: int = 2) -> None:
    picker.preview_button.click()  # the admin presses "Preview"
    qtbot.waitUntil(lambda: picker.frames_shown >= min_frames, timeout=10_000)
    assert picker.preview.isVisible() and picker.preview._frame is not None
    assert "live" in picker.status.text()


def test_lists_cameras_demo_and_auto_and_previews_the_demo(qtbot, tab, data_dir):
    picker = tab.camera_picker
    choices = [picker.combo.itemText(i) for i in range(picker.combo.count())]
    assert choices[0] == "auto" and "demo" in choices and len(choices) >= 3  # + cameras
    assert picker.source() == "auto" and not picker.previewing  # nothing opened unasked
    picker.set_source("demo")
    _previews(qtbot, picker)
    assert tab.save() is not None
    assert load_settings(data_dir).camera.source == "demo"
    picker.preview_button.click()  # off again: capture stopped, no frame kept
    assert not picker.previewing and picker.preview._frame is None


def test_preview_follows_a_typed_video_file_and_image_folder(qtbot, tab, data_dir, tmp_path):
    picker = tab.camera_picker
    video = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (64, 48))
    if not writer.isOpened():
        pytest.skip("no MJPG writer in this OpenCV build")
    for i in range(10):
        writer.write(np.full((48, 64, 3), 20 * i, np.uint8))
    writer.release()
    picker.set_source(str(video))
    _previews(qtbot, picker)
    assert picker.preview._frame.shape[:2] == (48, 64)
    folder = tmp_path / "stills"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), np.full((120, 160, 3), 200, np.uint8))
    picker.set_source(str(folder))  # while previewing: the preview switches to the folder
    qtbot.waitUntil(lambda: picker.status.text().startswith("folder stills: live"), timeout=10_000)
    assert picker.previewing and picker.preview._frame.mean() > 150  # the folder's bright still
    assert tab.save() is not None
    assert load_settings(data_dir).camera.source == str(folder)


def test_a_bad_path_is_reported_not_previewed(qtbot, tab, data_dir, tmp_path):
    picker = tab.camera_picker
    picker.set_source(str(tmp_path / "missing.mp4"))
    picker.preview_button.click()
    assert not picker.previewing and not picker.preview_button.isChecked()
    assert "Cannot preview" in picker.status.text()


def test_hiding_the_tab_stops_the_preview(qtbot, tab):
    picker = tab.camera_picker
    picker.set_source("demo")
    _previews(qtbot, picker)
    tab.hide()
    assert not picker.previewing and picker.preview._frame is None
