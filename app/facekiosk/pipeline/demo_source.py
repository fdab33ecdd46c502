"""The demo source: a slideshow of faces from images the installed packages ship.

Lets a newcomer without a camera see every page: an empty scene (attract),
one person at a time (enrol, then the same person again to authenticate),
a group photo (MANY_FACES). Faces come from insightface's t1.jpg (six people)
and Tom_Hanks_54745.png, and scikit-image's astronaut.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from facekiosk.pipeline.sources import Slide, SlideshowSource

# Face boxes (x1, y1, x2, y2) in insightface 2.1's t1.jpg, found once with dlib's HOG
# detector; fixed so that the demo needs no engine to build its slides.
T1_FACES: tuple[tuple[int, int, int, int], ...] = (
    (67, 283, 175, 390),
    (275, 176, 364, 265),
    (450, 295, 557, 402),
    (724, 367, 832, 474),
    (870, 67, 999, 196),
    (1118, 283, 1226, 390),
)
ASTRONAUT_FACE = (165, 80, 265, 190)  # skimage.data.astronaut(), 512x512
FRAME_SIZE = (640, 480)
FACE_WIDTH_PX = 170  # a person about 60 cm from a 640x480 camera
PERSON_SECONDS = 10.0
EMPTY_SECONDS = 3.0


def insightface_image(name: str) -> np.ndarray:
    import insightface

    path = Path(insightface.__file__).parent / "data" / "images" / name
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise FileNotFoundError(f"insightface sample image missing: {path}")
    return image


def astronaut() -> np.ndarray:
    from skimage import data

    return cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)


def face_scene(
    image: np.ndarray,
    box: tuple[float, float, float, float],
    size: tuple[int, int] = FRAME_SIZE,
    face_px: int = FACE_WIDTH_PX,
    *,
    grey_border: bool = False,
) -> np.ndarray:
    """Scale `image` so the face is `face_px` wide and centre it in a `size` frame.

    Outside the image: its edge pixels repeated, or plain grey for tight crops.
    """
    w, h = size
    x1, y1, x2, y2 = box
    s = face_px / max(1.0, x2 - x1)
    cx, cy = (x1 + x2) / 2 * s, (y1 + y2) / 2 * s
    m = np.array([[s, 0.0, w / 2 - cx], [0.0, s, h / 2 - cy]], dtype=np.float64)
    border = cv2.BORDER_CONSTANT if grey_border else cv2.BORDER_REPLICATE
    return cv2.warpAffine(
        image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=border, borderValue=(72, 72, 72)
    )


def empty_scene(size: tuple[int, int] = FRAME_SIZE) -> np.ndarray:
    """A soft vertical gradient with no face in it (the attract screen's camera view)."""
    w, h = size
    ramp = np.linspace(70, 130, h, dtype=np.float32)[:, None, None]
    tint = np.array([1.0, 0.95, 0.85], dtype=np.float32)[None, None, :]
    return np.broadcast_to(ramp * tint, (h, w, 3)).astype(np.uint8).copy()


def demo_people() -> list[Slide]:
    """One slide per person (labels are for the demo's own captions, never stored)."""
    t1 = insightface_image("t1.jpg")
    people = [
        Slide(face_scene(t1, box), PERSON_SECONDS, f"t1 person {i + 1}")
        for i, box in enumerate(T1_FACES)
    ]
    hanks = insightface_image("Tom_Hanks_54745.png")
    h, w = hanks.shape[:2]
    # The file is an aligned 112x112 face crop: the face spans roughly its middle 70 %.
    people.append(
        Slide(
            face_scene(hanks, (0.15 * w, 0.15 * h, 0.85 * w, 0.85 * h), grey_border=True),
            PERSON_SECONDS,
            "Hanks",
        )
    )
    people.append(Slide(face_scene(astronaut(), ASTRONAUT_FACE), PERSON_SECONDS, "astronaut"))
    return people


def demo_slides() -> list[Slide]:
    """Empty scene, each person twice in a row (enrol, then authenticate), a group photo.

    The astronaut comes first: a frontal, evenly lit portrait that passes the enrolment
    quality checks; most other photos show turned or tilted heads, which is a fine
    way to see the guidance arrows.
    """
    empty = Slide(empty_scene(), EMPTY_SECONDS, "nobody")
    slides: list[Slide] = [empty]
    people = demo_people()
    for person in [people[-1], *people[:-1]]:
        slides += [person, empty, person, empty]
    t1 = insightface_image("t1.jpg")
    slides.append(Slide(t1, 4.0, "group"))
    return slides


def demo_source(*, fps: float = 15.0, drift: bool = True) -> SlideshowSource:
    return SlideshowSource(demo_slides(), name="demo", fps=fps, drift=drift)
