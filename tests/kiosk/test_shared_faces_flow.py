"""Enrol from one photo, authenticate from ANOTHER photo of the same person
(../shared/faces): genuine variation (days apart, other light, other pose), not crops
of one picture. Liveness "off" (still photos). Skips when ../shared is absent."""

from __future__ import annotations

import pytest

from facekiosk.engine import quality
from facekiosk.engine.types import read_image
from facekiosk.kiosk import ErrorCode, ResultKind, State

from .conftest import Frame, flow_settings, frame_from

PEOPLE = 8


@pytest.fixture(scope="module")
def gallery(shared_faces, finder, engine):
    """person -> (enrollment frames, a different probe photo) for the first PEOPLE people
    with two photos that pass the quality gate (the kiosk would guide the others)."""
    q = flow_settings().quality
    out: dict[str, tuple[list[Frame], Frame]] = {}
    for person in sorted((shared_faces / "identities").iterdir()):
        frames: list[Frame] = []
        for path in sorted(person.glob("*.jpg")):
            photo = read_image(str(path))
            found = finder.detect(photo)
            if len(found) != 1:
                continue
            image = frame_from(photo, found[0].bbox, 2.4)  # framed like a kiosk camera
            faces = engine.analyze(image)
            purpose = "enroll" if not frames else "auth"
            if len(faces) == 1 and quality.assess(faces, image.shape, purpose, q, image).ok:
                frames.append(Frame(image, faces))
            if len(frames) == 2:
                out[person.name] = ([frames[0]], frames[1])
                break
        if len(out) == PEOPLE:
            break
    return out


@pytest.mark.dataset
def test_authenticate_from_a_different_photo(make_kiosk, gallery):
    settings = flow_settings(mode="attendance")
    # dlib's cosines are compressed (impostors 0.84-0.91, genuine 0.93-0.97 here): the
    # default 0.05 margin over the runner-up refuses 3 of these 8 correct top-1 matches.
    settings.engine.margin = 0.03
    k = make_kiosk(settings)
    ids = {}
    for person, (enroll_frames, _) in gallery.items():
        k.session.start_enroll()
        k.session.accept_consent()
        assert k.feed(enroll_frames) == State.PIN_SETUP, (person, k.session.view)
        ids[person] = k.session.skip_pin().result.index_id
        k.clock.advance(6)
        k.session.tick()
    outcomes = {}
    for person, (_, probe) in gallery.items():
        k.session.start_auth()
        k.feed([probe])
        view = k.session.view
        who = [e.index_id for e in k.session.drain_events() if e.kind == "attendance"]
        outcomes[person] = (view.error or view.result.kind, who)
        k.clock.advance(6)
        k.session.tick()
    recognised = [p for p, (kind, who) in outcomes.items() if kind == ResultKind.CHECK_IN]
    # Never the wrong person; a genuine photo may fall below the threshold (refused).
    for person, (kind, who) in outcomes.items():
        assert kind in (ResultKind.CHECK_IN, ErrorCode.UNRECOGNIZED_FACE), (person, kind)
        assert who in ([ids[person]], []), person
    assert len(recognised) >= PEOPLE - 1, outcomes
