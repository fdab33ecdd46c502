"""FaceEngine.analyze(image, FrameRequest): one call does what the session's step needs,
on the real dlib engine and real faces."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from facekiosk.engine.base import FULL_REQUEST, box_iou, primary_face
from facekiosk.engine.types import Face, FrameRequest


class CropContrastScorer:
    """A small stand-in for the presentation-attack model with its shape: it reads the face's
    own pixels (contrast of the box, scaled into [0, 1]) and cannot judge a face whose box
    leaves the frame, like the real model's context crop."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, ...]] = []

    def score(self, image: np.ndarray, face: Face) -> float | None:
        self.calls.append(face.bbox)
        x1, y1, x2, y2 = (round(v) for v in face.bbox)
        h, w = image.shape[:2]
        if x1 < 0 or y1 < 0 or x2 > w or y2 > h:
            return None
        return float(min(1.0, image[y1:y2, x1:x2].std() / 64.0))


def by_x(faces: list[Face]) -> list[Face]:
    return sorted(faces, key=lambda f: f.bbox[0])


def test_default_request_is_boxes_and_landmarks_without_embeddings(local_engine, one_face):
    (face,) = local_engine.analyze(one_face, FrameRequest())
    assert face.embedding is None and face.landmarks is not None and face.pose is not None
    assert "antispoof" not in face.extras


def test_primary_is_the_largest_face_without_a_track(local_engine, two_faces):
    faces = local_engine.analyze(two_faces, FrameRequest(embed="primary"))
    astronaut, hanks = by_x(faces)
    assert astronaut.width > hanks.width
    assert astronaut.embedding is not None and hanks.embedding is None


def test_primary_follows_the_tracked_box_even_when_smaller(local_engine, two_faces):
    hanks_box = by_x(local_engine.analyze(two_faces, FrameRequest()))[1].bbox
    shifted = (hanks_box[0] + 8, hanks_box[1] + 5, hanks_box[2] + 8, hanks_box[3] + 5)
    faces = local_engine.analyze(two_faces, FrameRequest(embed="primary", track_box=shifted))
    astronaut, hanks = by_x(faces)
    assert hanks.embedding is not None and astronaut.embedding is None


def test_a_track_box_overlapping_no_face_falls_back_to_the_largest(local_engine, two_faces):
    elsewhere = (0.0, 0.0, 60.0, 60.0)
    faces = local_engine.analyze(two_faces, FrameRequest(embed="primary", track_box=elsewhere))
    astronaut, hanks = by_x(faces)
    assert astronaut.embedding is not None and hanks.embedding is None


def test_embed_all_embeds_every_face_with_distinct_vectors(local_engine, two_faces):
    astronaut, hanks = by_x(local_engine.analyze(two_faces, FrameRequest(embed="all")))
    assert astronaut.embedding is not None and hanks.embedding is not None
    assert astronaut.embedding.similarity(hanks.embedding) < local_engine.default_threshold


def test_primary_embedding_equals_embedding_every_face(local_engine, one_face):
    (a,) = local_engine.analyze(one_face, FrameRequest(embed="primary"))
    (b,) = local_engine.analyze(one_face, FrameRequest(embed="all"))
    assert a.embedding is not None and b.embedding is not None
    assert a.embedding.similarity(b.embedding) > 0.9999


def test_antispoof_scores_the_primary_face_only(local_engine, two_faces):
    scorer = CropContrastScorer()
    local_engine.antispoof = scorer
    try:
        faces = local_engine.analyze(two_faces, FrameRequest(antispoof=True))
        assert len(scorer.calls) == 1
        astronaut, hanks = by_x(faces)
        value = astronaut.extras["antispoof"]
        assert isinstance(value, float) and 0.0 < value <= 1.0
        assert "antispoof" not in hanks.extras
        local_engine.analyze(two_faces, FrameRequest(embed="all"))
        assert len(scorer.calls) == 1  # not asked: not scored
    finally:
        local_engine.antispoof = None


def test_antispoof_none_means_cannot_judge(local_engine, one_face):
    class CannotJudge:
        def score(self, image: np.ndarray, face: Face) -> float | None:
            return None

    local_engine.antispoof = CannotJudge()
    try:
        (face,) = local_engine.analyze(one_face, FrameRequest(antispoof=True))
        assert "antispoof" in face.extras and face.extras["antispoof"] is None
    finally:
        local_engine.antispoof = None


def test_antispoof_model_loads_once_on_first_need(local_engine, one_face, monkeypatch):
    loads: list[list[str]] = []
    scorer = CropContrastScorer()

    def load_antispoof(providers: list[str]) -> CropContrastScorer:
        loads.append(providers)
        return scorer

    module = types.ModuleType("facekiosk.engine.liveness.antispoof")
    module.load_antispoof = load_antispoof  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "facekiosk.engine.liveness.antispoof", module)
    local_engine.antispoof = None
    try:
        local_engine.analyze(one_face, FrameRequest(embed="primary"))
        assert loads == []  # frames that do not ask never load the model
        for _ in range(3):
            (face,) = local_engine.analyze(one_face, FrameRequest(antispoof=True))
            assert isinstance(face.extras["antispoof"], float)
        assert loads == [["CPUExecutionProvider"]] and len(scorer.calls) == 3
    finally:
        local_engine.antispoof = None


def test_old_keywords_still_work(local_engine, two_faces):
    assert all(f.embedding is not None for f in local_engine.analyze(two_faces))
    assert all(f.embedding is None for f in local_engine.analyze(two_faces, embed=False))
    (only,) = local_engine.analyze(two_faces, max_faces=1)
    assert only.embedding is not None
    with pytest.raises(TypeError):
        local_engine.analyze(two_faces, FrameRequest(), embed=True)
    with pytest.raises(TypeError):
        local_engine.analyze(two_faces, True)  # the old positional embed flag


def test_no_faces_no_work(local_engine):
    scorer = CropContrastScorer()
    local_engine.antispoof = scorer
    try:
        empty = np.full((480, 640, 3), 90, np.uint8)
        assert local_engine.analyze(empty, FrameRequest(embed="all", antispoof=True)) == []
        assert scorer.calls == []
    finally:
        local_engine.antispoof = None


def test_primary_face_rule():
    def face(box: tuple[float, float, float, float]) -> Face:
        return Face(bbox=box, score=1.0, kps=np.zeros((5, 2), np.float32))

    big, small = face((0, 0, 100, 100)), face((200, 0, 260, 60))
    assert primary_face([small, big], None) is big
    assert primary_face([big, small], (205.0, 5.0, 265.0, 65.0)) is small
    # IoU exactly 0.3 still follows the track; just under it is someone else
    track = (200.0, 0.0, 400.0, 60.0)
    assert box_iou(track, small.bbox) == pytest.approx(0.3)
    assert primary_face([big, small], track) is small
    track = (200.0, 0.0, 410.0, 60.0)
    assert box_iou(track, small.bbox) < 0.3
    assert primary_face([big, small], track) is big
    assert FULL_REQUEST.embed == "all"
