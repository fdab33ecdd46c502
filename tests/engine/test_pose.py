"""Pose and eye openness: signs and magnitudes against known image edits."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from facekiosk.engine.pose import estimate_pose, eye_aspect_ratio, five_keypoints

from .derive import rotate


@pytest.fixture(scope="module")
def astronaut_pose(photo_engine, astronaut_image):
    return photo_engine.detect(astronaut_image)[0].pose


@pytest.mark.parametrize("degrees", [-20, -10, 10, 20])
def test_in_plane_rotation_moves_roll_by_that_angle(
    photo_engine, astronaut_image, astronaut_pose, degrees
):
    faces = photo_engine.detect(rotate(astronaut_image, degrees))
    assert faces
    # OpenCV rotates counter-clockwise for positive angles; roll > 0 is clockwise.
    moved = faces[0].pose.roll - astronaut_pose.roll
    assert moved == pytest.approx(-degrees, abs=3.0)


@pytest.mark.parametrize("which", ["tom", "t1"])
def test_horizontal_flip_flips_yaw(photo_engine, tom_hanks_image, t1_image, which):
    image = tom_hanks_image if which == "tom" else t1_image
    faces = photo_engine.detect(image)
    flipped = photo_engine.detect(cv2.flip(image, 1))
    assert len(faces) == len(flipped)
    w = image.shape[1]
    for face in faces:
        if abs(face.pose.yaw) < 10:
            continue  # near-frontal: the sign is noise
        cx = face.center[0]
        mirror = min(flipped, key=lambda f: abs((w - 1 - f.center[0]) - cx))
        assert np.sign(mirror.pose.yaw) == -np.sign(face.pose.yaw)
        assert abs(mirror.pose.yaw + face.pose.yaw) < 0.5 * abs(face.pose.yaw) + 5


def test_yaw_sign_follows_the_documented_convention(photo_engine, tom_hanks_image):
    # Tom Hanks (Tom_Hanks_54745.png) has turned to his own left: nose towards image right.
    face = photo_engine.detect(tom_hanks_image)[0]
    assert face.kps[2][0] > (face.kps[0][0] + face.kps[1][0]) / 2  # nose right of eye midpoint
    assert face.pose.yaw > 10


def test_frontal_face_is_near_zero(astronaut_pose):
    assert abs(astronaut_pose.yaw) < 8 and abs(astronaut_pose.pitch) < 8


def test_eye_aspect_ratio_of_synthetic_eyes():
    lm = np.zeros((68, 2), dtype=np.float64)
    for start, cx in ((36, 100.0), (42, 200.0)):
        # p1 left corner, p2/p3 upper lid, p4 right corner, p5/p6 lower lid; width 40.
        lm[start : start + 6] = [
            (cx - 20, 0),
            (cx - 7, -6),
            (cx + 7, -6),
            (cx + 20, 0),
            (cx + 7, 6),
            (cx - 7, 6),
        ]
    assert eye_aspect_ratio(lm) == pytest.approx(12 / 40)
    lm[[37, 38, 43, 44], 1] = 0.0  # upper lids down onto the lower ones... half closed
    lm[[40, 41, 46, 47], 1] = 0.0
    assert eye_aspect_ratio(lm) == pytest.approx(0.0)
    kps = five_keypoints(lm)
    assert kps.shape == (5, 2) and kps[0][0] < kps[1][0]


def test_bad_landmark_shape_is_a_clear_error():
    with pytest.raises(ValueError, match=r"\(68, 2\)"):
        estimate_pose(np.zeros((5, 2)), (480, 640, 3))
    with pytest.raises(ValueError, match=r"\(68, 2\)"):
        eye_aspect_ratio(np.zeros((106, 2)))


def _poses(engine, path, stride: int = 8) -> np.ndarray:
    cap = cv2.VideoCapture(str(path))
    poses, index = [], 0
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            if index % stride == 0:
                faces = engine.detect(frame)
                if faces:
                    p = faces[0].pose
                    poses.append((p.yaw, p.pitch, p.roll))
            index += 1
    finally:
        cap.release()
    return np.array(poses)


@pytest.mark.dataset
def test_real_head_shake_and_nod_move_the_right_angle(dlib_engine, shared_liveness):
    videos = shared_liveness / "videos"
    shake = _poses(dlib_engine, videos / "live_head_shake_zulkhuu.mp4")
    nod = _poses(dlib_engine, videos / "live_head_nod_zulkhuu.mp4")
    assert len(shake) > 20 and len(nod) > 20
    yaw, pitch = 0, 1
    # Shaking: yaw swings both ways well past 15 deg, pitch stays in a narrow band.
    assert np.percentile(shake[:, yaw], 5) < -15 < 15 < np.percentile(shake[:, yaw], 95)
    assert np.ptp(np.percentile(shake[:, pitch], [5, 95])) < 20
    # Nodding: pitch swings by > 20 deg while yaw hardly moves.
    assert np.ptp(np.percentile(nod[:, pitch], [5, 95])) > 20
    assert np.ptp(np.percentile(nod[:, yaw], [5, 95])) < 10
