"""The bundled v2 engine on real images: YuNet detection, landmarks, fused vectors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from facekiosk.bench.pipeline import group_frame, kiosk_frame
from facekiosk.engine.bundled_engine import BundledEngine, hog_like_box
from facekiosk.engine.dlib_engine import DlibEngine
from facekiosk.engine.registry import create_engine
from facekiosk.engine.yunet import YuNetDetector
from facekiosk.settings import EngineSettings


@pytest.fixture(scope="module")
def yunet() -> YuNetDetector:
    return YuNetDetector(threads=1)


def test_yunet_finds_the_six_faces_of_t1(yunet):
    image = group_frame()
    for width in (0, 640):
        found = yunet.detect(image, width)
        assert len(found) == 6, width
        for det in found:
            x1, _, x2, _ = det.box
            assert 80 < x2 - x1 < 140 and det.score > 0.8
            assert x1 <= det.kps[:, 0].min() and det.kps[:, 0].max() <= x2


def test_yunet_finds_the_astronaut_with_points_image_left_first(yunet):
    from skimage import data

    image = np.ascontiguousarray(data.astronaut()[:, :, ::-1])
    (det,) = yunet.detect(image, 320)
    kps = det.kps
    assert kps[0, 0] < kps[1, 0] and kps[3, 0] < kps[4, 0]  # image-left first
    assert kps[:2, 1].max() < kps[2, 1] < kps[3:, 1].min()  # eyes, nose, mouth downwards


def test_engine_sorts_the_central_large_face_first_and_reports_the_rest(bundled_engine):
    image = group_frame()
    faces = bundled_engine.detect(image, detect_width=640)
    assert len(faces) == 6  # MANY_FACES can be reported
    first = faces[0]
    cx = (first.bbox[0] + first.bbox[2]) / 2
    assert abs(cx - image.shape[1] / 2) < image.shape[1] / 4  # not the edge faces
    assert len(bundled_engine.detect(image, detect_width=640, max_faces=2)) == 2


def test_landmarks_pose_and_openness_match_the_dlib_engine(bundled_engine):
    frame = kiosk_frame()
    (face,) = bundled_engine.detect(frame)
    (ref,) = DlibEngine(descriptor="dlib").detect(frame)
    assert face.landmarks is not None and face.landmarks.shape == (68, 2)
    assert face.pose is not None and ref.pose is not None
    assert abs(face.pose.yaw - ref.pose.yaw) < 3 and abs(face.pose.pitch - ref.pose.pitch) < 3
    assert abs(face.eye_openness - ref.eye_openness) < 0.03  # type: ignore[operator]
    assert np.median(np.linalg.norm(face.landmarks - ref.landmarks, axis=1)) < 2.5
    # The predictor's box is HOG-like (square, around HOG's), not YuNet's raw box.
    box = hog_like_box(face.bbox)
    assert box[2] - box[0] == box[3] - box[1]


def test_landmarks_can_be_skipped(bundled_engine):
    (face,) = bundled_engine.detect(kiosk_frame(), landmarks=False)
    assert face.landmarks is None and face.pose is None and face.kps.shape == (5, 2)


def test_fused_score_is_the_z_fusion_of_the_two_cosines_on_real_pairs(bundled_engine):
    images = [group_frame(), kiosk_frame()]
    faces = []
    for image in images:
        found = bundled_engine.detect(image, detect_width=640)
        bundled_engine.embed(image, found)
        faces += found
    assert len(faces) == 7
    cal = bundled_engine.calibration
    for f, g in itertools.combinations(faces, 2):
        c_d = float(np.dot(f.extras["dlib_embedding"].vector, g.extras["dlib_embedding"].vector))
        c_s = float(np.dot(f.extras["sface_embedding"].vector, g.extras["sface_embedding"].vector))
        fused = f.embedding.similarity(g.embedding)
        assert cal.z_from_cosine(fused) == pytest.approx(cal.z_score(c_d, c_s), abs=1e-4)
        # The cosine is the weighted mean of the two cosines (a + b = 1).
        a, b = cal.weights
        assert fused == pytest.approx(a * c_d + b * c_s, abs=1e-5)
    assert faces[0].embedding.dim == 256 and faces[0].embedding.engine == "bundled"


def test_fused_vector_matches_the_same_face_after_a_small_change(bundled_engine):
    import cv2

    frame = kiosk_frame()
    moved = cv2.warpAffine(frame, np.float32([[0.95, 0, 20], [0, 0.95, 10]]), (640, 480))
    a, b = (bundled_engine.analyze(img)[0].embedding for img in (frame, moved))
    assert a.similarity(b) > bundled_engine.default_threshold


def test_dlib_vector_stays_in_the_dlib_engine_space(bundled_engine, bundled_dir):
    frame = kiosk_frame()
    (face,) = bundled_engine.analyze(frame)
    old = DlibEngine(data_dir=bundled_dir)
    (ref,) = old.analyze(frame)
    legacy = face.extras["dlib_embedding"]
    assert legacy.space == ref.embedding.space  # type: ignore[union-attr]
    assert legacy.similarity(ref.embedding) > 0.97  # type: ignore[arg-type]


def test_registry_creates_bundled_and_sface(bundled_dir):
    engine = create_engine(EngineSettings(name="bundled", detect_width=320), bundled_dir)
    assert isinstance(engine, BundledEngine)
    assert (engine.name, engine.dim) == ("bundled", 256)
    assert engine.model_id.startswith("dlib_resnet_v1+sface_2021dec/z")
    assert 0.5 < engine.default_threshold < 0.9 and engine.detect_width == 320
    assert create_engine(EngineSettings(name="bundled"), bundled_dir, photos=True).photos
    sface = create_engine(EngineSettings(name="sface"), bundled_dir)
    assert (sface.name, sface.dim) == ("sface", 128)


def test_runs_side_by_side_give_the_same_vectors_in_face_order(bundled_engine, bundled_dir):
    # engine.run_pool: each face's SFace and dlib runs are separate tasks on two
    # workers; the vectors must land on their own face whatever order the runs end in.
    image = group_frame()
    parallel = BundledEngine(data_dir=bundled_dir, threads=1, workers=2)
    faces_a = bundled_engine.detect(image, detect_width=640)
    faces_b = parallel.detect(image, detect_width=640)
    bundled_engine.embed(image, faces_a)
    parallel.embed(image, faces_b)
    parallel.close()
    assert len(faces_a) == len(faces_b) == 6
    for a, b in zip(faces_a, faces_b, strict=True):
        assert a.embedding.similarity(b.embedding) > 0.99999  # type: ignore[union-attr, arg-type]
        for key in ("dlib_embedding", "sface_embedding"):
            assert a.extras[key].similarity(b.extras[key]) > 0.99999


def test_request_without_landmarks_skips_the_predictor(bundled_engine):
    from facekiosk.engine.types import FrameRequest

    (face,) = bundled_engine.analyze(kiosk_frame(), FrameRequest(landmarks=False, embed="primary"))
    assert face.landmarks is None and face.embedding is not None
    (full,) = bundled_engine.analyze(kiosk_frame(), FrameRequest(embed="none"))
    assert full.landmarks is not None and full.pose is not None


def test_analyze_embedding_beside_the_landmarks_gives_the_same_faces(bundled_dir):
    # analyze() starts the embedding runs right after YuNet, beside the 68-point
    # predictor: the faces, their landmarks and vectors must equal detect() + embed().
    from facekiosk.engine.types import FrameRequest

    image = group_frame()
    overlapped = BundledEngine(detect_width=640, data_dir=bundled_dir, threads=1, workers=2)
    sequential = BundledEngine(detect_width=640, data_dir=bundled_dir, threads=1)
    try:
        got = overlapped.analyze(image, FrameRequest(embed="all"))
        want = sequential.detect(image)
        sequential.embed(image, want)
        assert len(got) == len(want) == 6
        for a, b in zip(got, want, strict=True):
            assert a.bbox == b.bbox and np.array_equal(a.landmarks, b.landmarks)
            assert a.pose == b.pose and a.eye_openness == b.eye_openness
            assert a.embedding.similarity(b.embedding) > 0.99999  # type: ignore[union-attr, arg-type]
        # "primary" embeds only the tracked face.
        track = want[3].bbox
        faces = overlapped.analyze(image, FrameRequest(embed="primary", track_box=track))
        embedded = [f for f in faces if f.embedding is not None]
        assert [f.bbox for f in embedded] == [track]
        assert embedded[0].landmarks is not None
    finally:
        overlapped.close()
