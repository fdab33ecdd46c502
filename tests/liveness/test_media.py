"""Presentation media: frame folders, fps sampling, stills as video, dataset layout."""

from __future__ import annotations

import dataclasses
import itertools

import cv2
import numpy as np
import pytest

from facekiosk.engine.liveness.media import (
    NO_JITTER,
    STILL_JITTER,
    discover,
    folder_frames,
    still_frames,
    video_frames,
)
from tests.liveness import synth


def test_folder_of_frames_is_sampled_at_the_asked_rate(tmp_path):
    for i in range(20):  # 2 s at the folder's assumed 10 fps
        cv2.imwrite(str(tmp_path / f"{i:03d}.png"), synth.render(synth.head_points(yaw=i)))
    frames = list(folder_frames(tmp_path, fps=5))
    assert len(frames) == 10
    assert [round(t, 2) for t, _ in frames[:3]] == [0.0, 0.2, 0.4]


def test_video_frames_skip_to_the_asked_rate(tmp_path):
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (320, 240))
    for i in range(60):
        writer.write(cv2.resize(synth.render(synth.head_points(yaw=i % 20)), (320, 240)))
    writer.release()
    frames = list(video_frames(path, fps=10))
    assert 19 <= len(frames) <= 21
    assert np.allclose(np.diff([t for t, _ in frames]), 0.1, atol=0.04)


def test_still_jitter_moves_and_never_repeats_a_frame(tom_hanks_image):
    steady = [f for _, f in still_frames(tom_hanks_image, seconds=1.0, fps=10, jitter=NO_JITTER)]
    assert len(steady) == 10
    assert all(not np.array_equal(a, b) for a, b in itertools.pairwise(steady))  # sensor noise
    # Without sensor noise, the jittered photo still moves; the steady one does not.
    quiet_hand = dataclasses.replace(STILL_JITTER, noise=0.0)
    quiet_stand = dataclasses.replace(NO_JITTER, noise=0.0)
    moving = [f for _, f in still_frames(tom_hanks_image, seconds=1.0, fps=10, jitter=quiet_hand)]
    fixed = [f for _, f in still_frames(tom_hanks_image, seconds=1.0, fps=10, jitter=quiet_stand)]
    assert np.array_equal(fixed[0], fixed[-1])
    assert np.mean(np.abs(moving[0].astype(int) - moving[-1].astype(int))) > 1.0


def test_discover_reads_the_layout(tmp_path):
    (tmp_path / "live").mkdir()
    (tmp_path / "attack" / "print").mkdir(parents=True)
    (tmp_path / "attack" / "replay" / "clip1").mkdir(parents=True)  # a folder of frames
    cv2.imwrite(str(tmp_path / "live" / "a.png"), np.zeros((8, 8, 3), np.uint8))
    cv2.imwrite(str(tmp_path / "attack" / "print" / "b.jpg"), np.zeros((8, 8, 3), np.uint8))
    (tmp_path / "attack" / "print" / "notes.txt").write_text("ignored")
    items = {(i.label, i.attack_type, i.kind) for i in discover(tmp_path)}
    assert items == {
        ("live", None, "still"),
        ("attack", "print", "still"),
        ("attack", "replay", "frames"),
    }
    with pytest.raises(FileNotFoundError, match="live/"):
        discover(tmp_path / "attack")
