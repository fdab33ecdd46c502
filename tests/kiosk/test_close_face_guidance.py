"""Issue 17: a face that already fills the frame (a close, low-resolution camera) gets
one hint, "Step back a little", not "Move your whole face into the frame" in turn."""

from __future__ import annotations

import cv2
import numpy as np

from facekiosk.kiosk.codes import State
from tests.kiosk.conftest import Frame


def close_frames(engine, image: np.ndarray) -> list[Frame]:
    """The astronaut's face filling 640x480 at zooms where the quality gate says CUT_OFF
    and TOO_CLOSE (0.9, 1.0) and TOO_CLOSE alone (1.1, 1.2), the head moving sideways."""
    x1, y1, x2, y2 = engine.analyze(image)[0].bbox
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    frames = []
    for zoom in (0.9, 1.1, 1.0, 1.2):
        for dx in (-0.1, 0.0, 0.1):
            h = (y2 - y1) * zoom
            w = h * 4 / 3
            x, y = cx + dx * w - w / 2, cy - h / 2
            m = np.float32([[640 / w, 0, -x * 640 / w], [0, 480 / h, -y * 480 / h]])
            img = cv2.warpAffine(image, m, (640, 480), borderMode=cv2.BORDER_REPLICATE)
            frames.append(Frame(img, engine.analyze(img)))
    return frames


def test_a_face_filling_the_frame_gets_one_consistent_hint(make_kiosk, engine, astronaut_image):
    frames = close_frames(engine, astronaut_image)
    k = make_kiosk()
    k.session.start_auth()
    keys = []
    for frame in frames:
        k.clock.advance(0.2)
        view = k.show(frame)
        assert view.state == State.CAPTURE
        keys.append(view.message_key)
    assert set(keys) == {"guide.too_close"}, keys
