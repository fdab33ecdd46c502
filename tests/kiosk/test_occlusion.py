"""The lower-face colour check behind `kiosk.allow_masked = false`: real faces are not
flagged, painted masks are (derived images: the faces' own landmarks outline the mask)."""

from __future__ import annotations

import pytest

from facekiosk.bench.masks import paint_mask
from facekiosk.engine.types import Face, read_image
from facekiosk.kiosk.occlusion import MASKED_BELOW, looks_masked, lower_face_skin_fraction


def test_real_faces_are_not_masked(people):
    for name, frames in people.items():
        for f in frames:
            expected = None if name == "hanks" else False  # a greyscale photo: no verdict
            assert looks_masked(f.image, f.faces[0]) is expected, name


def test_painted_masks_are_masked(people, masked_frames):
    for f in masked_frames:
        assert looks_masked(f.image, f.faces[0]) is True
    # judged with the clean face's landmarks (a detector that still finds masked faces)
    for name, frames in people.items():
        if name == "hanks":
            continue  # greyscale
        f = frames[0]
        for bgr in ((235, 206, 135), (240, 240, 240), (30, 30, 30), (60, 60, 160)):
            masked = paint_mask(f.image, f.faces[0].landmarks, bgr)
            assert lower_face_skin_fraction(masked, f.faces[0].landmarks) < MASKED_BELOW, name


def test_no_landmarks_no_verdict(people):
    f = people["hanks"][0]
    bare = Face(bbox=f.faces[0].bbox, score=1.0, kps=f.faces[0].kps)
    assert looks_masked(f.image, bare) is None


@pytest.mark.dataset
def test_no_false_mask_on_shared_photos(shared_faces, finder):
    """Every 6th photo of ../shared/faces (about 50): none flagged as masked."""
    paths = sorted((shared_faces / "identities").glob("*/*.jpg"))[::6]
    judged = 0
    for path in paths:
        image = read_image(str(path))
        faces = finder.detect(image)
        if len(faces) == 1:
            judged += 1
            assert looks_masked(image, faces[0]) is False, path.name
    assert judged >= 40
