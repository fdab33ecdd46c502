"""The insight engine on a generated tiny pack (real onnxruntime sessions through
insightface), its clear errors, and a real-pack check that skips when none is installed."""

from __future__ import annotations

import numpy as np
import pytest

from facekiosk.engine.insight_engine import DEFAULT_THRESHOLD, InsightEngine
from facekiosk.engine.packs import import_pack
from facekiosk.engine.registry import create_engine
from facekiosk.engine.types import EngineError, ImageError
from facekiosk.paths import default_data_dir
from facekiosk.settings import EngineSettings
from tests.engine import test_packs_tiny as tiny

INSIGHT = EngineSettings(name="insight", pack="buffalo_l")


@pytest.fixture
def installed(data_dir, tmp_path):
    import_pack(data_dir, tiny.pack_folder(tmp_path / "buffalo_l"))
    return data_dir


def test_no_pack_installed_says_how_to_install(data_dir):
    with pytest.raises(EngineError, match=r"models install buffalo_l.*models import PATH"):
        InsightEngine(INSIGHT, data_dir)
    with pytest.raises(EngineError, match="not installed"):
        create_engine(INSIGHT, data_dir)


def test_engine_identity(installed):
    engine = InsightEngine(INSIGHT, installed)
    assert (engine.name, engine.model_id, engine.dim) == ("insight", "buffalo_l/w600k_r50", 512)
    assert engine.landmark_task == "landmark_3d_68"
    assert engine.default_threshold == DEFAULT_THRESHOLD
    assert engine.providers[-1] == "CPUExecutionProvider"


def test_full_path_detect_landmarks_pose_embed(installed):
    engine = create_engine(INSIGHT, installed)
    image = tiny.face_image()
    faces = engine.analyze(image)
    assert len(faces) == 1
    face = faces[0]
    assert face.bbox == pytest.approx((224, 256, 352, 384), abs=1e-3)
    assert face.kps.shape == (5, 2) and face.kps[0, 0] < face.kps[1, 0]  # image-left eye first
    assert face.landmarks.shape == (68, 2)
    assert all(np.isfinite([face.pose.yaw, face.pose.pitch, face.pose.roll]))
    assert face.eye_openness is not None and face.eye_openness > 0
    emb = face.embedding
    assert emb.dim == 512 and emb.space == "insight/buffalo_l/w600k_r50"
    assert float(np.linalg.norm(emb.vector)) == pytest.approx(1.0, abs=1e-5)
    # Same crop, same vector; batching gives the same vectors as one at a time.
    again = engine.embed(image, [face, face])
    assert again[0].similarity(again[1]) == pytest.approx(1.0, abs=1e-6)
    assert again[0].similarity(emb) == pytest.approx(1.0, abs=1e-6)


def test_106_point_landmarks_give_no_pose(installed):
    engine = InsightEngine(INSIGHT, installed, landmarks="106")
    assert engine.landmark_task == "landmark_2d_106"
    (face,) = engine.detect(tiny.face_image())
    assert face.landmarks.shape == (106, 2) and face.pose is None


def test_custom_folder_without_manifest_goes_through_face_analysis(tmp_path):
    folder = tiny.pack_folder(tmp_path / "site_pack")
    engine = InsightEngine(EngineSettings(name="insight", pack=str(folder)), None)
    assert engine.model_id == "site_pack/w600k_r50"
    assert engine.landmark_task == "landmark_3d_68"
    assert len(engine.analyze(tiny.face_image())) == 1


def test_no_face_and_bad_input(installed):
    engine = InsightEngine(INSIGHT, installed)
    assert engine.analyze(np.zeros((480, 640, 3), np.uint8)) == []
    assert engine.analyze(np.full((480, 640), 128, np.uint8)) == []  # grey, 2-D
    assert engine.analyze(np.zeros((1, 1, 3), np.uint8)) == []
    with pytest.raises(ImageError, match="empty"):
        engine.detect(np.zeros((0, 0, 3), np.uint8))
    with pytest.raises(ImageError):
        engine.detect(np.zeros((4, 4, 3), np.float32))
    (face,) = engine.detect(tiny.face_image())
    face.kps = np.zeros((3, 2), np.float32)
    with pytest.raises(ImageError, match="5 finite keypoints"):
        engine.embed(tiny.face_image(), [face])


def test_wrong_embedding_size_is_a_clear_error(tmp_path):
    folder = tiny.pack_folder(tmp_path / "odd")
    tiny.arcface(folder / "w600k_r50.onnx", dim=128)
    with pytest.raises(EngineError, match=r"output shape is \['N', 128\], expected \[N, 512\]"):
        InsightEngine(EngineSettings(name="insight", pack=str(folder)), None)


def test_detector_without_keypoints_is_a_clear_error(data_dir, tmp_path):
    folder = tiny.pack_folder(tmp_path / "nokps")
    tiny.scrfd(folder / "det_10g.onnx", keypoints=False)
    import_pack(data_dir, folder, name="nokps")
    with pytest.raises(EngineError, match="no 5-point keypoint outputs"):
        InsightEngine(EngineSettings(name="insight", pack="nokps"), data_dir)


def test_modified_pack_refuses_to_load(installed):
    with (installed / "models" / "buffalo_l" / "det_10g.onnx").open("ab") as fh:
        fh.write(b"\0")
    with pytest.raises(EngineError, match="fails verification"):
        InsightEngine(INSIGHT, installed)


def test_unavailable_provider_falls_back_to_cpu(installed):
    settings = EngineSettings(
        name="insight", providers=["CUDAExecutionProvider", "CPUExecutionProvider"]
    )
    import onnxruntime

    engine = InsightEngine(settings, installed)
    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        assert engine.providers == ["CUDAExecutionProvider", "CPUExecutionProvider"]
    else:
        assert engine.providers == ["CPUExecutionProvider"]


# --- a real pack, when an admin installed one on this machine ------------------------


@pytest.fixture(scope="module")
def real_engine():
    home = default_data_dir()
    if not (home / "models" / "buffalo_l").is_dir():
        pytest.skip("no real insightface pack installed (facekiosk models install buffalo_l)")
    return InsightEngine(INSIGHT, home)


def test_real_pack_six_people_in_t1(real_engine, t1_image):
    faces = real_engine.analyze(t1_image)
    assert len(faces) == 6
    sims = [
        a.embedding.similarity(b.embedding) for i, a in enumerate(faces) for b in faces[i + 1 :]
    ]
    assert max(sims) < real_engine.default_threshold


def test_real_pack_flip_keeps_identity(real_engine, tom_hanks_image):
    (a,) = real_engine.analyze(tom_hanks_image, max_faces=1)
    (b,) = real_engine.analyze(np.ascontiguousarray(tom_hanks_image[:, ::-1]), max_faces=1)
    assert a.embedding.similarity(b.embedding) > real_engine.default_threshold
    assert np.sign(a.pose.yaw) == -np.sign(b.pose.yaw) or abs(a.pose.yaw) < 3
