"""Read dlib's `dlib_face_recognition_resnet_model_v1.dat` into plain numpy layers.

The file is dlib's serialisation of `add_loss_layer<loss_metric_, ...>`: the
loss details, then every layer wrapper's version number from the top of the
network down (each `add_layer` writes its version and then recurses into its
subnet before writing its own details), then the input layer, then each
layer's details from the bottom up. `resnet_layout` supplies the type that
tells tags and skips apart; every layer's type string, version and parameter
shapes are checked against it, so a different network is rejected, not misread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from facekiosk.engine.dlib_onnx.dlib_serial import DlibFormatError, DlibReader
from facekiosk.engine.dlib_onnx.resnet_layout import (
    LayerNode,
    SkipNode,
    Stack,
    TagNode,
    face_resnet_stack,
)

ADD_LAYER_VERSION = 2  # add_layer<details, subnet>: details + 3 flags + 3 tensors
INPUT_ADD_LAYER_VERSIONS = (2, 3)  # add_layer<details, input>: v3 adds sample_expansion_factor
FC_NO_BIAS = 1  # dlib's fc_bias_mode
CONV_MODE = 0  # dlib's layer_mode for affine_


@dataclass(frozen=True)
class InputSpec:
    """input_rgb_image_sized: x = (pixel - mean) / 256 per R, G, B channel."""

    mean_rgb: tuple[float, float, float]
    size: tuple[int, int]  # (rows, cols)
    scale: float = 1.0 / 256.0


@dataclass(frozen=True)
class Conv:
    weight: np.ndarray  # (out, in, kh, kw), cross-correlation like ONNX Conv
    bias: np.ndarray  # (out,)
    stride: tuple[int, int]
    padding: tuple[int, int]  # symmetric (top/bottom, left/right)


@dataclass(frozen=True)
class Affine:
    """Frozen batch norm: y = x * gamma[c] + beta[c]."""

    gamma: np.ndarray
    beta: np.ndarray


@dataclass(frozen=True)
class Relu:
    pass


@dataclass(frozen=True)
class Pool:
    kind: str  # "max" or "avg"
    window: tuple[int, int]  # (0, 0) = whole feature map (avg_pool_everything)
    stride: tuple[int, int]
    padding: tuple[int, int]


@dataclass(frozen=True)
class AddPrev:
    """Element-wise sum with tag `tag`'s output; dlib zero-pads the smaller tensor."""

    tag: int


@dataclass(frozen=True)
class Tag:
    tag: int


@dataclass(frozen=True)
class Skip:
    tag: int


@dataclass(frozen=True)
class FullyConnected:
    weight: np.ndarray  # (inputs, outputs): y = x @ weight


Op = Conv | Affine | Relu | Pool | AddPrev | Tag | Skip | FullyConnected


@dataclass(frozen=True)
class DlibNet:
    input: InputSpec
    ops: tuple[Op, ...]  # from the input up to the fc layer
    loss: str
    loss_params: tuple[float, ...]

    def count(self, kind: type) -> int:
        return sum(isinstance(op, kind) for op in self.ops)

    @property
    def num_parameters(self) -> int:
        """Trainable values as dlib counts them (conv weights+biases, affine gamma+beta, fc)."""
        total = 0
        for op in self.ops:
            if isinstance(op, Conv):
                total += op.weight.size + op.bias.size
            elif isinstance(op, Affine):
                total += op.gamma.size + op.beta.size
            elif isinstance(op, FullyConnected):
                total += op.weight.size
        return total


def parse_dat(path: Path) -> DlibNet:
    """Parse the face-recognition ResNet; raises DlibFormatError saying where it went wrong."""
    return parse_bytes(Path(path).read_bytes())


def parse_bytes(data: bytes) -> DlibNet:
    reader = DlibReader(data)
    reader.expect_version((1,), "add_loss_layer")
    loss, loss_params = _loss_details(reader)
    stack = face_resnet_stack()
    input_version = _read_versions(reader, stack)
    spec = _input_details(reader)
    ops: list[Op] = []
    bottom, *rest_bottom_up = list(reversed(stack))
    assert isinstance(bottom, LayerNode)  # checked by _read_versions
    ops.append(_layer_details(reader, bottom))
    _input_layer_trailer(reader, input_version)
    for node in rest_bottom_up:
        if isinstance(node, TagNode):
            ops.append(Tag(node.tag))
        elif isinstance(node, SkipNode):
            ops.append(Skip(node.tag))
        else:
            ops.append(_layer_details(reader, node))
            _layer_trailer(reader)
    if reader.remaining:
        raise DlibFormatError(f"{reader.remaining} unexpected bytes after the network")
    return DlibNet(spec, tuple(ops), loss, loss_params)


def _read_versions(reader: DlibReader, stack: Stack) -> int:
    """Check each wrapper's version, top down; return the bottom (input) add_layer's."""
    *upper, bottom = stack
    for node in upper:
        if isinstance(node, LayerNode):
            reader.expect_version((ADD_LAYER_VERSION,), f"add_layer ({node.kind})")
        else:
            reader.expect_version((1,), type(node).__name__)
    if not isinstance(bottom, LayerNode):
        raise DlibFormatError("the layout must end with a layer over the input")
    return reader.expect_version(INPUT_ADD_LAYER_VERSIONS, "add_layer over the input layer")


def _loss_details(reader: DlibReader) -> tuple[str, tuple[float, ...]]:
    name = reader.string()
    if name == "loss_metric_2":
        return name, (reader.float(), reader.float())  # margin, distance threshold
    if name == "loss_metric_":
        return name, ()
    raise DlibFormatError(f"expected a loss_metric layer, found {name!r}")


def _input_details(reader: DlibReader) -> InputSpec:
    name = reader.string()
    if name != "input_rgb_image_sized":
        raise DlibFormatError(f"expected input_rgb_image_sized, found {name!r}")
    mean = (reader.float(), reader.float(), reader.float())
    size = (reader.int(), reader.int())
    return InputSpec(mean_rgb=mean, size=size)


def _layer_trailer(reader: DlibReader) -> None:
    # this_layer_setup_called, gradient_input_is_stale, get_output_and_gradient_input_disabled,
    # then x_grad, cached_output and params_grad: training state, ignored.
    for _ in range(3):
        reader.bool()
    for _ in range(3):
        reader.tensor()


def _input_layer_trailer(reader: DlibReader, version: int) -> None:
    _layer_trailer(reader)  # flags, x_grad, cached_output, grad_final
    if version >= 3:
        reader.int()  # sample_expansion_factor


def _layer_details(reader: DlibReader, node: LayerNode) -> Op:
    start = reader.pos
    name = reader.string()
    if node.kind == "con" and name == "con_4":
        return _conv(reader)
    if node.kind == "affine" and name == "affine_":
        return _affine(reader)
    if node.kind == "relu" and name == "relu_":
        return Relu()
    if node.kind in ("max_pool", "avg_pool") and name == f"{node.kind}_2":
        return _pool(reader, node.kind.removesuffix("_pool"))
    if node.kind == "add_prev" and name == "add_prev_":
        return AddPrev(node.tag)
    if node.kind == "fc" and name == "fc_2":
        return _fc(reader)
    raise DlibFormatError(f"expected a {node.kind} layer at byte {start}, found {name!r}")


def _conv(reader: DlibReader) -> Conv:
    params = reader.tensor().reshape(-1)
    num_filters, nr, nc = reader.int(), reader.int(), reader.int()
    stride = (reader.int(), reader.int())
    padding = (reader.int(), reader.int())
    filters, biases = reader.alias_tensor(), reader.alias_tensor()
    for _ in range(4):  # learning-rate and weight-decay multipliers
        reader.float()
    if (filters.num_samples, filters.nr, filters.nc) != (num_filters, nr, nc):
        raise DlibFormatError(f"con_ filter shape {filters} disagrees with {num_filters}x{nr}x{nc}")
    if biases.size != num_filters or params.size != filters.size + biases.size:
        raise DlibFormatError(f"con_ has {params.size} params for {filters} + {biases}")
    weight = params[: filters.size].reshape(num_filters, filters.k, nr, nc)
    return Conv(weight=weight, bias=params[filters.size :].copy(), stride=stride, padding=padding)


def _affine(reader: DlibReader) -> Affine:
    params = reader.tensor().reshape(-1)
    gamma, beta = reader.alias_tensor(), reader.alias_tensor()
    mode = reader.int()
    if mode != CONV_MODE or gamma.size != beta.size or params.size != 2 * gamma.size:
        raise DlibFormatError(f"affine_ mode {mode} with {params.size} params is not per-channel")
    return Affine(gamma=params[: gamma.size].copy(), beta=params[gamma.size :].copy())


def _pool(reader: DlibReader, kind: str) -> Pool:
    window = (reader.int(), reader.int())
    stride = (reader.int(), reader.int())
    padding = (reader.int(), reader.int())
    return Pool(kind=kind, window=window, stride=stride, padding=padding)


def _fc(reader: DlibReader) -> FullyConnected:
    num_outputs, num_inputs = reader.int(), reader.int()
    params = reader.tensor().reshape(-1)
    weights, biases = reader.alias_tensor(), reader.alias_tensor()
    bias_mode = reader.int()
    for _ in range(4):
        reader.float()
    if bias_mode != FC_NO_BIAS or biases.size != 0:
        raise DlibFormatError("expected fc_no_bias (the face ResNet's last layer)")
    if (weights.num_samples, weights.k) != (num_inputs, num_outputs) or params.size != (
        num_inputs * num_outputs
    ):
        raise DlibFormatError(f"fc_ weights {weights} disagree with {num_inputs}x{num_outputs}")
    return FullyConnected(weight=params.reshape(num_inputs, num_outputs))
