"""Head pose and eye openness from the 68 iBUG landmarks (dlib's 68-point predictor).

Pose: cv2.solvePnP of nine rigid landmarks against a mean 3D face, with a pinhole
camera whose focal length is the frame width (a ~53 degree horizontal field of
view, typical of webcams; the angles are not sensitive to it). Signs follow
`engine.types.Pose`: yaw > 0 = person turned to their left (camera's right),
pitch > 0 = looking up, roll > 0 = head tilted clockwise in the image.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from facekiosk.engine.types import Pose

# iBUG-68 indices; "left" is image-left (the person's right eye/mouth corner).
NOSE_TIP = 30
LEFT_MOUTH = 48
RIGHT_MOUTH = 54
LEFT_EYE = slice(36, 42)
RIGHT_EYE = slice(42, 48)

# A mean face in camera-aligned axes (x = image right, y = image down, z = away
# from the camera), nose tip at the origin, units of 1/450 of the outer eye-corner
# span (~0.2 mm). x and y are the median 68-point shape of the 293 faces of
# ../shared/faces (symmetrised), so a face looking into the lens solves to ~0;
# depths are those of insightface's 3D mean shape (data/objects/meanshape_68.pkl)
# at the same scale. Only rigid points are used: mouth corners and chin move with
# smiles and speech and would read as pitch.
_FACE_MODEL_3D = np.array(
    [
        (0.0, 0.0, 0.0),  # 30 nose tip
        (0.0, -195.0, 81.0),  # 27 nose bridge
        (0.0, 73.0, 50.0),  # 33 below the nose
        (-73.0, 45.0, 106.0),  # 31 image-left nostril wing
        (73.0, 45.0, 106.0),  # 35 image-right nostril wing
        (-225.0, -183.5, 199.0),  # 36 image-left eye, outer corner
        (-97.0, -175.5, 166.0),  # 39 image-left eye, inner corner
        (97.0, -175.5, 166.0),  # 42 image-right eye, inner corner
        (225.0, -183.5, 199.0),  # 45 image-right eye, outer corner
    ],
    dtype=np.float64,
)
_PNP_INDICES = [30, 27, 33, 31, 35, 36, 39, 42, 45]
_OUTER_LEFT, _OUTER_RIGHT = 5, 8  # rows of the outer eye corners above


def _check68(landmarks68: np.ndarray) -> np.ndarray:
    pts = np.asarray(landmarks68, dtype=np.float64)
    if pts.shape != (68, 2):
        raise ValueError(f"expected (68, 2) landmarks, got {pts.shape}")
    return pts


def estimate_pose(landmarks68: np.ndarray, frame_shape: tuple[int, ...]) -> Pose:
    """Yaw, pitch and roll in degrees for one face (see the module docstring for signs)."""
    pts = _check68(landmarks68)
    height, width = int(frame_shape[0]), int(frame_shape[1])
    focal = float(width)
    camera = np.array(
        [[focal, 0.0, width / 2.0], [0.0, focal, height / 2.0], [0.0, 0.0, 1.0]],
        dtype=np.float64,
    )
    image_points = pts[_PNP_INDICES]
    # Start from a frontal face at the distance its eye span implies: without a
    # guess the solver can land on the mirrored solution (roll near 180 degrees).
    eye_span = float(np.linalg.norm(image_points[_OUTER_RIGHT] - image_points[_OUTER_LEFT]))
    model_span = float(_FACE_MODEL_3D[_OUTER_RIGHT, 0] - _FACE_MODEL_3D[_OUTER_LEFT, 0])
    eye_span = eye_span or 1.0
    centre = image_points[0]
    depth = focal * model_span / eye_span
    tvec0 = np.array(
        [
            [(centre[0] - width / 2.0) * depth / focal],
            [(centre[1] - height / 2.0) * depth / focal],
            [depth],
        ],
        dtype=np.float64,
    )
    ok, rvec, tvec = cv2.solvePnP(
        _FACE_MODEL_3D,
        image_points.reshape(-1, 1, 2),
        camera,
        None,
        rvec=np.zeros((3, 1), dtype=np.float64),
        tvec=tvec0,
        useExtrinsicGuess=True,
        flags=cv2.SOLVEPNP_ITERATIVE,
    )
    if not ok:
        return Pose(yaw=float("nan"), pitch=float("nan"), roll=float("nan"))
    rotation, _ = cv2.Rodrigues(rvec)
    # Where the face points (its "forward" is -z in the model) and its ear-to-ear axis.
    forward = rotation @ np.array([0.0, 0.0, -1.0])
    across = rotation @ np.array([1.0, 0.0, 0.0])
    # Angles are relative to the line of sight: a face off-centre that looks
    # into the lens is frontal (0, 0), which is what the quality gate asks.
    to_camera = -tvec.reshape(3)
    yaw = _yaw(forward) - _yaw(to_camera)
    pitch = _pitch(forward) - _pitch(to_camera)
    roll = math.degrees(math.atan2(across[1], across[0]))
    return Pose(yaw=yaw, pitch=pitch, roll=roll)


def _yaw(v: np.ndarray) -> float:
    return math.degrees(math.atan2(v[0], -v[2]))


def _pitch(v: np.ndarray) -> float:
    return math.degrees(math.atan2(-v[1], math.hypot(v[0], v[2])))


def _ear(eye: np.ndarray) -> float:
    # Soukupova & Cech (2016): vertical lid distances over the horizontal eye width.
    width = np.linalg.norm(eye[0] - eye[3])
    if width == 0:
        return 0.0
    vertical = np.linalg.norm(eye[1] - eye[5]) + np.linalg.norm(eye[2] - eye[4])
    return float(vertical / (2.0 * width))


def eye_aspect_ratio(landmarks68: np.ndarray) -> float:
    """Mean eye aspect ratio of both eyes: ~0.25-0.35 open, below ~0.15 closed."""
    pts = _check68(landmarks68)
    return (_ear(pts[LEFT_EYE]) + _ear(pts[RIGHT_EYE])) / 2.0


def five_keypoints(landmarks68: np.ndarray) -> np.ndarray:
    """(5, 2) float32 in the Face.kps order: image-left eye centre, image-right eye
    centre, nose tip, image-left mouth corner, image-right mouth corner."""
    pts = _check68(landmarks68)
    return np.array(
        [
            pts[LEFT_EYE].mean(axis=0),
            pts[RIGHT_EYE].mean(axis=0),
            pts[NOSE_TIP],
            pts[LEFT_MOUTH],
            pts[RIGHT_MOUTH],
        ],
        dtype=np.float32,
    )
