"""dlib .dat parser: serialisation primitives and the real face ResNet, layer by layer."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from facekiosk.engine.dlib_onnx import bundled_dat_path
from facekiosk.engine.dlib_onnx.dat_parser import (
    AddPrev,
    Affine,
    Conv,
    FullyConnected,
    Pool,
    Relu,
    Skip,
    Tag,
    parse_bytes,
    parse_dat,
)
from facekiosk.engine.dlib_onnx.dlib_serial import DlibFormatError, DlibReader


def _int(value: int) -> bytes:
    """dlib's integer encoding, written independently of the reader under test."""
    magnitude = abs(value)
    payload = magnitude.to_bytes((magnitude.bit_length() + 7) // 8, "little")
    return bytes([len(payload) | (0x80 if value < 0 else 0)]) + payload


# --- primitives --------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 1, 2, 127, 255, 256, 4736, -28, -1, 2**40, -(2**62)])
def test_int_round_trip(value: int) -> None:
    assert DlibReader(_int(value)).int() == value


def test_known_bytes_from_the_model_header() -> None:
    # The first bytes of the .dat: version 1, "loss_metric_2", margin 0.04.
    header = bytes.fromhex("0101010d") + b"loss_metric_2" + bytes.fromhex("030ad7a3811c")
    reader = DlibReader(header)
    assert reader.int() == 1
    assert reader.string() == "loss_metric_2"
    assert reader.float() == pytest.approx(0.04, rel=1e-7)
    assert reader.remaining == 0


def test_float_special_values_and_bool() -> None:
    data = _int(0) + _int(32000) + _int(0) + _int(32001) + _int(0) + _int(32002) + b"10"
    reader = DlibReader(data)
    assert reader.float() == math.inf
    assert reader.float() == -math.inf
    assert math.isnan(reader.float())
    assert reader.bool() is True
    assert reader.bool() is False


@pytest.mark.parametrize("version", [1, 2])
def test_tensor_both_versions(version: int) -> None:
    values = np.array([0.5, -2.0, 3.25, 0.0, 1e-3, -7.5], dtype=np.float32)
    header = _int(version) + _int(1) + _int(2) + _int(3) + _int(1)
    if version == 2:
        body = values.astype("<f4").tobytes()
    else:  # portable floats: mantissa * 2**exponent
        body = b"".join(
            _int(int(m * 2**24)) + _int(e - 24) for m, e in (math.frexp(float(v)) for v in values)
        )
    tensor = DlibReader(header + body).tensor()
    assert tensor.shape == (1, 2, 3, 1)
    np.testing.assert_array_equal(tensor.reshape(-1), values)


def test_bad_bytes_are_rejected_with_a_position() -> None:
    with pytest.raises(DlibFormatError, match="end of data"):
        DlibReader(bytes([0x04, 0x01])).int()
    with pytest.raises(DlibFormatError, match="integer header"):
        DlibReader(bytes([0x09]) + bytes(9)).int()
    with pytest.raises(DlibFormatError, match="bool"):
        DlibReader(b"x").bool()
    with pytest.raises(DlibFormatError, match="tensor shape"):
        DlibReader(_int(2) + _int(-1) + _int(1) + _int(1) + _int(1)).tensor()


# --- the real model ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dat() -> Path:
    return bundled_dat_path()


@pytest.fixture(scope="module")
def net(dat: Path):
    return parse_dat(dat)


def _expected_convs() -> list[tuple[int, int, int, int, int]]:
    """(out, in, kernel, stride, padding) of each con_, from the published network type."""
    convs = [(32, 3, 7, 2, 0)]
    channels = 32
    for width, units, downsample in ((32, 3, False), (64, 4, True), (128, 3, True), (256, 3, True)):
        for unit in range(units):
            down = downsample and unit == 0
            convs.append((width, channels, 3, 2 if down else 1, 0 if down else 1))
            convs.append((width, width, 3, 1, 1))
            channels = width
    convs.append((256, 256, 3, 2, 0))  # alevel0: ares_down<256>
    convs.append((256, 256, 3, 1, 1))
    return convs


def test_input_and_loss(net) -> None:
    assert net.input.size == (150, 150)
    assert net.input.mean_rgb == pytest.approx((122.782, 117.001, 104.298), abs=1e-4)
    assert net.input.scale == 1 / 256
    assert net.loss == "loss_metric_2"
    assert net.loss_params == pytest.approx((0.04, 0.6))


def test_every_conv_shape_stride_and_padding(net) -> None:
    convs = [op for op in net.ops if isinstance(op, Conv)]
    got = [
        (c.weight.shape[0], c.weight.shape[1], c.weight.shape[2], c.stride[0], c.padding[0])
        for c in convs
    ]
    assert got == _expected_convs()
    for c in convs:
        assert c.weight.shape[2] == c.weight.shape[3]
        assert c.stride[0] == c.stride[1] and c.padding[0] == c.padding[1]
        assert c.bias.shape == (c.weight.shape[0],)


def test_each_conv_is_followed_by_a_matching_affine(net) -> None:
    ops = list(net.ops)
    for i, op in enumerate(ops):
        if isinstance(op, Conv):
            affine = ops[i + 1]
            assert isinstance(affine, Affine)
            assert affine.gamma.shape == affine.beta.shape == (op.weight.shape[0],)
    assert net.count(Affine) == net.count(Conv) == 29


def test_pools_residuals_and_fc(net) -> None:
    pools = [op for op in net.ops if isinstance(op, Pool)]
    assert pools[0] == Pool("max", (3, 3), (2, 2), (0, 0))
    assert pools[1:5] == [Pool("avg", (2, 2), (2, 2), (0, 0))] * 4
    assert pools[5].kind == "avg" and pools[5].window == (0, 0)  # avg_pool_everything
    units = 3 + 4 + 3 + 3 + 1  # residual units per level, alevel4 .. alevel0
    assert net.count(AddPrev) == units
    assert [op.tag for op in net.ops if isinstance(op, Skip)] == [1, 1, 1, 1]
    assert net.count(Tag) == units + 4  # plus tag2 in each downsampling unit
    assert net.count(Relu) == 1 + 2 * units
    fc = net.ops[-1]
    assert isinstance(fc, FullyConnected) and fc.weight.shape == (256, 128)


def test_total_parameter_count(net) -> None:
    expected = sum(o * i * k * k + o + 2 * o for o, i, k, _, _ in _expected_convs()) + 256 * 128
    assert net.num_parameters == expected == 5_614_592


def test_weights_are_finite_and_not_degenerate(net) -> None:
    for op in net.ops:
        if isinstance(op, Conv):
            assert np.isfinite(op.weight).all() and np.abs(op.weight).max() > 0
        if isinstance(op, Affine):
            assert np.isfinite(op.gamma).all() and np.isfinite(op.beta).all()


def test_truncated_file_is_rejected(dat: Path) -> None:
    data = dat.read_bytes()
    with pytest.raises(DlibFormatError):
        parse_bytes(data[: len(data) // 2])
    with pytest.raises(DlibFormatError, match="unexpected bytes"):
        parse_bytes(data + b"\x00")


def test_another_dlib_model_is_rejected(dat: Path) -> None:
    # The 5-point shape predictor is also a dlib serialisation, of something else entirely.
    with pytest.raises(DlibFormatError):
        parse_dat(dat.parent / "shape_predictor_5_face_landmarks.dat")
