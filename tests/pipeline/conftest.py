"""Pipeline fixtures: real frames with one and two real faces, the real dlib engine in
this process and in its worker process."""

from __future__ import annotations

import numpy as np
import pytest

from facekiosk.pipeline.demo_source import ASTRONAUT_FACE, astronaut, face_scene, insightface_image
from facekiosk.settings import EngineSettings


@pytest.fixture(scope="session")
def local_engine():
    from facekiosk.engine.registry import create_engine

    engine = create_engine(EngineSettings())
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def remote_engine():
    from facekiosk.engine.remote import RemoteEngine

    engine = RemoteEngine(EngineSettings())
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def one_face() -> np.ndarray:
    """The astronaut, face ~170 px wide, centred in a 640x480 frame."""
    return face_scene(astronaut(), ASTRONAUT_FACE)


@pytest.fixture(scope="session")
def two_faces() -> np.ndarray:
    """Two people side by side: the astronaut large on the left, Tom Hanks smaller on the
    right (each placed at a size the live detector finds)."""
    left = face_scene(astronaut(), ASTRONAUT_FACE, (320, 480), face_px=190)
    hanks = insightface_image("Tom_Hanks_54745.png")
    h, w = hanks.shape[:2]
    box = (0.15 * w, 0.15 * h, 0.85 * w, 0.85 * h)
    right = face_scene(hanks, box, (320, 480), face_px=110, grey_border=True)
    return np.ascontiguousarray(np.hstack([left, right]))
