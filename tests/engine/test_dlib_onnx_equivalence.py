"""The ONNX descriptor gives dlib's vectors: on every face of the test images (issue 5).

Bound: cosine(ONNX, dlib) >= 0.9999 and max |ONNX - dlib| <= 1e-3 on dlib's raw
(un-normalised) 128-d output, chips from dlib.get_face_chips(size=150, padding=0.25).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import dlib
import numpy as np
import pytest

from facekiosk.engine.dlib_onnx import OnnxDescriptor, bundled_dat_path, load_descriptor

MIN_COSINE = 0.9999
MAX_ABS_DIFF = 1e-3


@pytest.fixture(scope="module")
def descriptor(tmp_path_factory) -> OnnxDescriptor:
    found = load_descriptor(tmp_path_factory.mktemp("onnx-data"))
    assert found is not None
    return found


@pytest.fixture(scope="module")
def dlib_models():
    folder = bundled_dat_path().parent
    return (
        dlib.get_frontal_face_detector(),
        dlib.shape_predictor(str(folder / "shape_predictor_5_face_landmarks.dat")),
        dlib.face_recognition_model_v1(str(bundled_dat_path())),
    )


def _chips(bgr: np.ndarray, dlib_models) -> np.ndarray:
    detector, predictor, _ = dlib_models
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    shapes = dlib.full_object_detections([predictor(rgb, r) for r in detector(rgb, 1)])
    if len(shapes) == 0:
        return np.zeros((0, 150, 150, 3), np.uint8)
    return np.stack(dlib.get_face_chips(rgb, shapes, size=150, padding=0.25))


def _dlib_vectors(chips: np.ndarray, dlib_models) -> np.ndarray:
    reference = dlib_models[2]
    return np.array([reference.compute_face_descriptor(c) for c in chips], dtype=np.float32)


def _assert_equivalent(onnx_vecs: np.ndarray, dlib_vecs: np.ndarray) -> None:
    assert onnx_vecs.shape == dlib_vecs.shape and onnx_vecs.dtype == np.float32
    cosine = np.sum(onnx_vecs * dlib_vecs, axis=1) / (
        np.linalg.norm(onnx_vecs, axis=1) * np.linalg.norm(dlib_vecs, axis=1)
    )
    worst = int(np.argmin(cosine))
    assert cosine.min() >= MIN_COSINE, f"face {worst}: cosine {cosine[worst]:.6f}"
    assert np.abs(onnx_vecs - dlib_vecs).max() <= MAX_ABS_DIFF


def test_t1_six_faces_in_one_batch(descriptor, dlib_models, t1_image) -> None:
    chips = _chips(t1_image, dlib_models)
    assert len(chips) == 6
    vectors = descriptor.compute(chips)
    _assert_equivalent(vectors, _dlib_vectors(chips, dlib_models))
    # Raw like dlib: not unit length (the engine normalises afterwards).
    assert not np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-2)


def test_batch_and_single_agree(descriptor, dlib_models, t1_image) -> None:
    chips = _chips(t1_image, dlib_models)
    singles = np.concatenate([descriptor.compute(c[None]) for c in chips])
    np.testing.assert_allclose(descriptor.compute(chips), singles, atol=1e-5)


@pytest.mark.parametrize("image_name", ["tom_hanks_image", "astronaut_image"])
def test_single_portraits(descriptor, dlib_models, image_name, request) -> None:
    chips = _chips(request.getfixturevalue(image_name), dlib_models)
    assert len(chips) >= 1  # HOG at upsample 1 also reports a second, non-face box on astronaut
    _assert_equivalent(descriptor.compute(chips), _dlib_vectors(chips, dlib_models))


def test_different_people_stay_apart(descriptor, dlib_models, t1_image, tom_hanks_image) -> None:
    # Guards against a degenerate graph that maps every face to the same vector.
    vecs = descriptor.compute(
        np.concatenate([_chips(t1_image, dlib_models), _chips(tom_hanks_image, dlib_models)])
    )
    dists = np.linalg.norm(vecs[:, None] - vecs[None], axis=-1)[np.triu_indices(len(vecs), 1)]
    assert dists.min() > 0.45  # dlib's different-person distances here start near 0.6


@pytest.mark.dataset
@pytest.mark.slow
def test_every_third_face_in_shared_faces_and_every_group(
    descriptor, dlib_models, shared_faces: Path
) -> None:
    # Every third identity photo (98 of 294, every one of the 51 people): dlib's own
    # descriptor costs ~0.3 s a face on a 2-core CI machine, and all 294 took 108 s of
    # the suite for a conversion that is deterministic (the notes keep the full run).
    identities = sorted((shared_faces / "identities").glob("*/*.jpg"))
    photos = identities[::3] + sorted((shared_faces / "groups").glob("*.jpg"))
    assert len(photos) >= 97 and len({p.parent.name for p in identities[::3]}) >= 51
    faces = 0
    for photo in photos:
        bgr = cv2.imread(str(photo), cv2.IMREAD_COLOR)
        assert bgr is not None, photo
        chips = _chips(bgr, dlib_models)
        if photo.parent.name != "groups":
            assert len(chips) >= 1, photo  # the README: one HOG face in every identity photo
        if len(chips):
            _assert_equivalent(descriptor.compute(chips), _dlib_vectors(chips, dlib_models))
            faces += len(chips)
    assert faces >= len(photos)
