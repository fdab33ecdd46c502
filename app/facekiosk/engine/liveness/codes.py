"""Stable codes the UI and the kiosk flows show or log (never translated, never renamed)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

Level = Literal["off", "passive", "challenge"]
Status = Literal["pending", "passed", "failed"]


class Action(StrEnum):
    """A challenge prompt, from the PERSON's point of view (see Pose in engine/types.py)."""

    BLINK = "BLINK"
    TURN_LEFT = "TURN_LEFT"  # yaw increases: the person turns to their own left
    TURN_RIGHT = "TURN_RIGHT"
    LOOK_UP = "LOOK_UP"  # pitch increases
    LOOK_DOWN = "LOOK_DOWN"


class Reason(StrEnum):
    """Why a session failed, or why a pending session restarted."""

    STILL_IMAGE = "STILL_IMAGE"  # no motion at all: a photo on a stand or a paused screen
    PLANAR_MOTION = "PLANAR_MOTION"  # the face moves like a flat sheet (paper, screen)
    SCREEN_CUES = "SCREEN_CUES"  # moire / display or print texture around the face
    ADDON_SPOOF = "ADDON_SPOOF"  # the insightface liveness model says spoof
    MODEL_SPOOF = "MODEL_SPOOF"  # the bundled MiniFASNet pair says screen/replay (smoothed)
    MODEL_UNSURE = "MODEL_UNSURE"  # challenge done, but the model never said live: not an attack
    CHALLENGE_TIMEOUT = "CHALLENGE_TIMEOUT"  # a prompted action was not done in time
    WRONG_ACTION = "WRONG_ACTION"  # another action than the prompted one (replay clue)
    TRACK_LOST = "TRACK_LOST"  # the face vanished or jumped; the challenge restarts
    FACE_CHANGED = "FACE_CHANGED"  # another person's embedding; the challenge restarts
    MULTIPLE_FACES = "MULTIPLE_FACES"  # a second face appeared; the challenge restarts
    TOO_MANY_RESTARTS = "TOO_MANY_RESTARTS"


class Guidance(StrEnum):
    """A pending-state prompt that is not a challenge action: how to let the check work."""

    STEP_BACK = "STEP_BACK"  # the face fills the frame: the model needs the context around it
    FACE_CAMERA = "FACE_CAMERA"  # the next prompt waits for the head to face the camera again
