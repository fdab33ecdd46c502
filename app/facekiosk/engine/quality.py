"""Quality gate: is this face good enough to enrol or to authenticate, and if not,
what should the person do? Returns stable guidance codes the UI turns into words.

Directions are always from the PERSON's point of view, for a camera frame that
is NOT mirrored (what the camera delivers; the UI may mirror its preview). A
face on the image's left is on the person's right, so they should MOVE_LEFT.
Pose signs follow engine.types.Pose (yaw > 0 = turned to their own left).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Literal

import cv2
import numpy as np

from facekiosk.engine.types import Face
from facekiosk.settings import QualitySettings

Purpose = Literal["enroll", "auth"]

# Blur and brightness are measured on the face box resized to this width, so
# the Laplacian-variance threshold means the same at every distance.
NORMALISED_FACE_WIDTH = 128
# A face darker than this (mean grey) must keep its detail (Laplacian variance at least
# quality.min_blur_var) to count as lit: what darkness costs recognition is lost detail,
# not the mean (settings/schema.py min_brightness). lestari's webcam clip: grey 38.8-42.9,
# variance 17.2-22.3 (a usable face, refused at the old floor of 50); the test frame
# scaled to a quarter: grey 39.5, variance 10 (refused).
DIM_LEVEL = 50.0
# A face box this close to the frame edge (pixels) counts as cut off.
EDGE_MARGIN_PX = 1.0


class Guidance(enum.StrEnum):
    """What is wrong, as a stable code (values never change; the UI translates them)."""

    NO_FACE = "NO_FACE"
    MANY_FACES = "MANY_FACES"
    TOO_FAR = "TOO_FAR"
    TOO_CLOSE = "TOO_CLOSE"
    CUT_OFF = "CUT_OFF"
    BLURRED = "BLURRED"
    TOO_DARK = "TOO_DARK"
    TOO_BRIGHT = "TOO_BRIGHT"
    MOVE_LEFT = "MOVE_LEFT"
    MOVE_RIGHT = "MOVE_RIGHT"
    MOVE_UP = "MOVE_UP"
    MOVE_DOWN = "MOVE_DOWN"
    TURN_LEFT = "TURN_LEFT"
    TURN_RIGHT = "TURN_RIGHT"
    LOOK_UP = "LOOK_UP"
    LOOK_DOWN = "LOOK_DOWN"
    TILT_HEAD = "TILT_HEAD"
    EYES_CLOSED = "EYES_CLOSED"


@dataclass(frozen=True)
class QualityVerdict:
    ok: bool
    face: Face | None  # the face judged (None when there is none, or several at enrolment)
    codes: list[Guidance] = field(default_factory=list)  # most important first
    measures: dict[str, float] = field(default_factory=dict)


def largest_face(faces: list[Face]) -> Face:
    return max(faces, key=lambda f: f.width * f.height)


def face_crop_stats(image: np.ndarray, face: Face) -> tuple[float, float] | None:
    """(Laplacian variance, mean grey level) of the face box, or None if it is off-frame."""
    height, width = image.shape[:2]
    x1, y1, x2, y2 = (round(v) for v in face.bbox)
    x1, y1, x2, y2 = max(0, x1), max(0, y1), min(width, x2), min(height, y2)
    if x2 - x1 < 4 or y2 - y1 < 4:
        return None
    crop = image[y1:y2, x1:x2]
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    scale = NORMALISED_FACE_WIDTH / grey.shape[1]
    size = (NORMALISED_FACE_WIDTH, max(1, round(grey.shape[0] * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    grey = cv2.resize(grey, size, interpolation=interpolation)
    sharpness = float(cv2.Laplacian(grey, cv2.CV_64F).var())
    return sharpness, float(grey.mean())


def _is_cut_off(face: Face, width: int, height: int) -> bool:
    x1, y1, x2, y2 = face.bbox
    m = EDGE_MARGIN_PX
    if x1 < m or y1 < m or x2 > width - 1 - m or y2 > height - 1 - m:
        return True
    if face.landmarks is not None:
        pts = np.asarray(face.landmarks)
        outside = (pts[:, 0] < 0) | (pts[:, 1] < 0) | (pts[:, 0] >= width) | (pts[:, 1] >= height)
        return bool(outside.any())
    return False


def _pose_codes(face: Face, purpose: Purpose, s: QualitySettings) -> list[Guidance]:
    if face.pose is None:
        return []
    if purpose == "enroll":
        max_yaw, max_pitch, max_roll = s.enroll_max_yaw, s.enroll_max_pitch, s.enroll_max_roll
    else:
        max_yaw, max_pitch, max_roll = s.auth_max_yaw, s.auth_max_pitch, s.auth_max_roll
    codes = []
    yaw, pitch, roll = face.pose.yaw, face.pose.pitch, face.pose.roll
    # Turned to their own left (yaw > 0): they should turn back to their right.
    if yaw > max_yaw:
        codes.append(Guidance.TURN_RIGHT)
    elif yaw < -max_yaw:
        codes.append(Guidance.TURN_LEFT)
    if pitch > max_pitch:
        codes.append(Guidance.LOOK_DOWN)
    elif pitch < -max_pitch:
        codes.append(Guidance.LOOK_UP)
    if abs(roll) > max_roll:
        codes.append(Guidance.TILT_HEAD)
    return codes


def assess(
    faces: list[Face],
    frame_shape: tuple[int, ...],
    purpose: Purpose,
    settings: QualitySettings,
    image: np.ndarray | None = None,
) -> QualityVerdict:
    """Judge the face to use: the only one (enrolment needs exactly one) or the
    largest (authentication). Blur and light are checked only when `image` is given."""
    if purpose not in ("enroll", "auth"):
        raise ValueError(f"purpose must be 'enroll' or 'auth', got {purpose!r}")
    if not faces:
        return QualityVerdict(ok=False, face=None, codes=[Guidance.NO_FACE])
    if purpose == "enroll" and len(faces) > 1:
        return QualityVerdict(
            ok=False, face=None, codes=[Guidance.MANY_FACES], measures={"faces": len(faces)}
        )
    face = largest_face(faces)
    height, width = int(frame_shape[0]), int(frame_shape[1])
    codes: list[Guidance] = []
    cx, cy = face.center
    measures: dict[str, float] = {
        "faces": float(len(faces)),
        "interocular_px": face.interocular,
        "face_fraction": max(face.width / width, face.height / height),
        "offset_x": (cx - width / 2.0) / width,
        "offset_y": (cy - height / 2.0) / height,
    }

    if _is_cut_off(face, width, height):
        codes.append(Guidance.CUT_OFF)
    if measures["face_fraction"] > settings.max_face_fraction:
        codes.append(Guidance.TOO_CLOSE)
    elif measures["interocular_px"] < settings.min_interocular_px:
        codes.append(Guidance.TOO_FAR)

    # Face on the image's left = on the person's right: they move to their left.
    if measures["offset_x"] < -settings.max_center_offset:
        codes.append(Guidance.MOVE_LEFT)
    elif measures["offset_x"] > settings.max_center_offset:
        codes.append(Guidance.MOVE_RIGHT)
    if measures["offset_y"] < -settings.max_center_offset:
        codes.append(Guidance.MOVE_DOWN)
    elif measures["offset_y"] > settings.max_center_offset:
        codes.append(Guidance.MOVE_UP)

    if face.pose is not None:
        measures.update(yaw=face.pose.yaw, pitch=face.pose.pitch, roll=face.pose.roll)
    codes.extend(_pose_codes(face, purpose, settings))

    if image is not None:
        stats = face_crop_stats(image, face)
        if stats is not None:
            sharpness, brightness = stats
            measures.update(blur_var=sharpness, brightness=brightness)
            dim = brightness < DIM_LEVEL and sharpness < settings.min_blur_var
            if brightness < settings.min_brightness or dim:
                codes.append(Guidance.TOO_DARK)
            elif brightness > settings.max_brightness:
                codes.append(Guidance.TOO_BRIGHT)
            elif sharpness < settings.min_blur_var:
                # Dark or washed-out faces lose edges too: only call it blur in good light.
                codes.append(Guidance.BLURRED)

    if face.eye_openness is not None:
        measures["eye_openness"] = face.eye_openness
        if face.eye_openness < settings.min_eye_openness:
            codes.append(Guidance.EYES_CLOSED)

    face.quality.update(measures)
    return QualityVerdict(ok=not codes, face=face, codes=codes, measures=measures)
