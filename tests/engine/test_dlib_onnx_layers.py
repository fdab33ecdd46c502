"""Layer by layer: each residual unit's ONNX output against a plain numpy forward pass.

The numpy pass below is written straight from dlib's layer semantics, without the
converter's shortcuts (affine stays a separate step, padding and the zero-filled
add_prev are explicit), so a folding or padding slip shows up at the unit where it
happens instead of only as a wrong final vector.
"""

from __future__ import annotations

import cv2
import numpy as np
import onnxruntime as ort
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from facekiosk.engine.dlib_onnx import bundled_dat_path
from facekiosk.engine.dlib_onnx.dat_parser import (
    AddPrev,
    Affine,
    Conv,
    DlibNet,
    FullyConnected,
    Pool,
    Relu,
    Skip,
    Tag,
    parse_dat,
)
from facekiosk.engine.dlib_onnx.to_onnx import OUTPUT_NAME, build_graph, residual_probe_names

# (channels, rows, cols) after each residual unit: alevel4 .. alevel0.
UNIT_SHAPES = [(32, 35, 35)] * 3 + [(64, 17, 17)] * 4 + [(128, 8, 8)] * 3
UNIT_SHAPES += [(256, 4, 4)] * 3 + [(256, 2, 2)]


def _conv(x: np.ndarray, op: Conv) -> np.ndarray:
    (py, px), (sy, sx) = op.padding, op.stride
    x = np.pad(x, ((0, 0), (py, py), (px, px)))
    k = op.weight.shape[2]
    windows = sliding_window_view(x, (k, k), axis=(1, 2))[:, ::sy, ::sx]  # C, H, W, k, k
    out = np.tensordot(op.weight.astype(np.float64), windows, axes=([1, 2, 3], [0, 3, 4]))
    return out + op.bias[:, None, None]


def _pool(x: np.ndarray, op: Pool) -> np.ndarray:
    if op.window == (0, 0):
        return x.mean(axis=(1, 2), keepdims=True)
    (kh, kw), (sy, sx) = op.window, op.stride
    windows = sliding_window_view(x, (kh, kw), axis=(1, 2))[:, ::sy, ::sx]
    return windows.max(axis=(3, 4)) if op.kind == "max" else windows.mean(axis=(3, 4))


def _add_zero_filled(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.zeros(tuple(max(p, q) for p, q in zip(a.shape, b.shape, strict=True)))
    out[: a.shape[0], : a.shape[1], : a.shape[2]] += a
    out[: b.shape[0], : b.shape[1], : b.shape[2]] += b
    return out


def _add_cropped(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The plausible-looking alternative (crop to the common shape) that dlib does not do."""
    c, h, w = (min(p, q) for p, q in zip(a.shape, b.shape, strict=True))
    out = _add_zero_filled(a[:c, :h, :w], b[:c, :h, :w])
    return _add_zero_filled(out, np.zeros((max(a.shape[0], b.shape[0]), h, w)))


def numpy_forward(
    net: DlibNet, chip: np.ndarray, add=_add_zero_filled
) -> tuple[list[np.ndarray], np.ndarray]:
    """(each residual unit's output, final 128-d vector) for one RGB chip, in float64."""
    mean = np.asarray(net.input.mean_rgb)[:, None, None]
    x = (chip.transpose(2, 0, 1).astype(np.float64) - mean) * net.input.scale
    tags: dict[int, np.ndarray] = {}
    units: list[np.ndarray] = []
    previous = None
    for op in net.ops:
        if isinstance(op, Conv):
            x = _conv(x, op)
        elif isinstance(op, Affine):
            x = x * op.gamma[:, None, None] + op.beta[:, None, None]
        elif isinstance(op, Relu):
            x = np.maximum(x, 0)
            if isinstance(previous, AddPrev):
                units.append(x)
        elif isinstance(op, Pool):
            x = _pool(x, op)
        elif isinstance(op, Tag):
            tags[op.tag] = x
        elif isinstance(op, Skip):
            x = tags[op.tag]
        elif isinstance(op, AddPrev):
            x = add(x, tags[op.tag])
        elif isinstance(op, FullyConnected):
            x = x.reshape(-1) @ op.weight
        previous = op
    return units, x


@pytest.fixture(scope="module")
def net() -> DlibNet:
    return parse_dat(bundled_dat_path())


@pytest.fixture(scope="module")
def probed_session(net):
    model = build_graph(net, extra_outputs=True)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session, residual_probe_names(model)


@pytest.fixture(scope="module")
def face_chip(tom_hanks_image) -> np.ndarray:
    import dlib

    rgb = cv2.cvtColor(tom_hanks_image, cv2.COLOR_BGR2RGB)
    predictor = dlib.shape_predictor(
        str(bundled_dat_path().parent / "shape_predictor_5_face_landmarks.dat")
    )
    (rect,) = dlib.get_frontal_face_detector()(rgb, 1)
    return dlib.get_face_chip(rgb, predictor(rgb, rect), size=150, padding=0.25)


def test_each_residual_unit_matches_numpy(net, probed_session, face_chip) -> None:
    session, probes = probed_session
    assert len(probes) == len(UNIT_SHAPES)
    outputs = session.run([*probes, OUTPUT_NAME], {"chips": face_chip[None]})
    units, vector = numpy_forward(net, face_chip)
    for i, (got, want, shape) in enumerate(zip(outputs[:-1], units, UNIT_SHAPES, strict=True)):
        assert got.shape == (1, *shape) and want.shape == shape, f"unit {i}"
        scale = max(1.0, float(np.abs(want).max()))
        diff = float(np.abs(got[0] - want).max())
        assert diff <= 1e-4 * scale, f"unit {i} {shape}: max diff {diff:.2e} (scale {scale:.1f})"
    np.testing.assert_allclose(outputs[-1][0], vector, atol=1e-4)


def test_dlib_zero_fills_the_smaller_map_in_add_prev(net, face_chip) -> None:
    # At 8x8 the shortcut pools to 4x4 but the stride-2 conv gives 3x3. dlib's own vector
    # agrees with keeping 4x4 (zero-filling the conv output), not with cropping to 3x3.
    import dlib

    reference = dlib.face_recognition_model_v1(str(bundled_dat_path()))
    dlib_vec = np.asarray(reference.compute_face_descriptor(face_chip))
    _, zero_filled = numpy_forward(net, face_chip)
    _, cropped = numpy_forward(net, face_chip, add=_add_cropped)
    assert np.abs(zero_filled - dlib_vec).max() <= 1e-4
    assert np.abs(cropped - dlib_vec).max() > 1e-2
