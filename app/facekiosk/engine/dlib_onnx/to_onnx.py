"""Write a parsed dlib face ResNet as an ONNX graph (opset 17) with the `onnx` package.

Graph contract: input `chips` uint8 [N, 150, 150, 3] RGB (what dlib.get_face_chips
returns), output `descriptor` float32 [N, 128] — dlib's raw, un-normalised vector.

dlib semantics reproduced here:
- input: (pixel - channel mean) / 256, channels R, G, B;
- con_: cross-correlation with symmetric zero padding, output 1 + (n + 2p - k) // s;
  each con_ is followed by an affine_ (frozen batch norm), which is folded into the
  convolution's weights and bias (exact in real arithmetic, float rounding only);
- max_pool_/avg_pool_: floor-mode windows without padding here (checked);
  window 0 = avg_pool_everything (global average);
- add_prev_: sum with a tagged output where dlib zero-fills the smaller tensor at the
  end of each axis (ares_down adds a 2x2-average-pooled shortcut with half the
  channels, and at 8x8 -> 4x4 vs 3x3 also a smaller map);
- fc_ without bias: y = x @ W with W stored (inputs, outputs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

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
)

OPSET = 17
IR_VERSION = 8  # oldest IR that carries opset 17: loads in any onnxruntime >= 1.13
INPUT_NAME = "chips"
OUTPUT_NAME = "descriptor"
CONVERTER_VERSION = "1"


class ConversionError(ValueError):
    """The parsed network uses something this converter does not reproduce exactly."""


@dataclass
class _Value:
    name: str
    shape: tuple[int, int, int]  # (channels, rows, cols) per sample


@dataclass
class _GraphBuilder:
    nodes: list[onnx.NodeProto] = field(default_factory=list)
    initializers: list[onnx.TensorProto] = field(default_factory=list)
    counter: int = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}_{self.counter}"

    def const(self, prefix: str, array: np.ndarray) -> str:
        name = self.fresh(prefix)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(self, op: str, inputs: list[str], prefix: str, **attrs: Any) -> str:
        out = self.fresh(prefix)
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out


def _out_size(n: int, k: int, s: int, p: int) -> int:
    return 1 + (n + 2 * p - k) // s


def _fold(conv: Conv, affine: Affine | None) -> tuple[np.ndarray, np.ndarray]:
    w = conv.weight.astype(np.float64)
    b = conv.bias.astype(np.float64)
    if affine is not None:
        g = affine.gamma.astype(np.float64)
        w = w * g[:, None, None, None]
        b = b * g + affine.beta.astype(np.float64)
    return w.astype(np.float32), b.astype(np.float32)


def _conv(g: _GraphBuilder, x: _Value, conv: Conv, affine: Affine | None) -> _Value:
    w, b = _fold(conv, affine)
    if w.shape[1] != x.shape[0]:
        raise ConversionError(f"con_ expects {w.shape[1]} channels, gets {x.shape[0]}")
    kh, kw = w.shape[2:]
    (sy, sx), (py, px) = conv.stride, conv.padding
    out = g.node(
        "Conv",
        [x.name, g.const("W", w), g.const("B", b)],
        "conv",
        kernel_shape=[kh, kw],
        strides=[sy, sx],
        pads=[py, px, py, px],
    )
    return _Value(
        out, (w.shape[0], _out_size(x.shape[1], kh, sy, py), _out_size(x.shape[2], kw, sx, px))
    )


def _pool(g: _GraphBuilder, x: _Value, pool: Pool) -> _Value:
    if pool.padding != (0, 0):
        raise ConversionError(f"padded {pool.kind} pooling is not reproduced: {pool}")
    if pool.window == (0, 0):
        if pool.kind != "avg":
            raise ConversionError("global max pooling is not used by the face ResNet")
        return _Value(g.node("GlobalAveragePool", [x.name], "gap"), (x.shape[0], 1, 1))
    (kh, kw), (sy, sx) = pool.window, pool.stride
    op = "MaxPool" if pool.kind == "max" else "AveragePool"
    out = g.node(op, [x.name], pool.kind + "pool", kernel_shape=[kh, kw], strides=[sy, sx])
    return _Value(
        out, (x.shape[0], _out_size(x.shape[1], kh, sy, 0), _out_size(x.shape[2], kw, sx, 0))
    )


def _zero_fill(g: _GraphBuilder, x: _Value, shape: tuple[int, int, int]) -> str:
    grow = [t - s for s, t in zip(x.shape, shape, strict=True)]
    if not any(grow):
        return x.name
    pads = np.array([0, 0, 0, 0, 0, *grow], dtype=np.int64)  # begins (N,C,H,W), then ends
    return g.node("Pad", [x.name, g.const("pads", pads)], "pad", mode="constant")


def _add_prev(g: _GraphBuilder, x: _Value, other: _Value) -> _Value:
    (c1, r1, k1), (c2, r2, k2) = x.shape, other.shape
    shape = (max(c1, c2), max(r1, r2), max(k1, k2))
    out = g.node("Add", [_zero_fill(g, x, shape), _zero_fill(g, other, shape)], "add")
    return _Value(out, shape)


def _input(g: _GraphBuilder, net: DlibNet) -> _Value:
    rows, cols = net.input.size
    x = g.node("Cast", [INPUT_NAME], "cast", to=TensorProto.FLOAT)
    x = g.node("Transpose", [x], "nchw", perm=[0, 3, 1, 2])
    mean = np.array(net.input.mean_rgb, dtype=np.float32).reshape(1, 3, 1, 1)
    x = g.node("Sub", [x, g.const("mean", mean)], "centre")
    x = g.node("Mul", [x, g.const("scale", np.array(net.input.scale, np.float32))], "scale")
    return _Value(x, (3, rows, cols))


def build_graph(net: DlibNet, *, extra_outputs: bool = False) -> onnx.ModelProto:
    """The ONNX model; `extra_outputs` also exposes each residual unit's output (for tests)."""
    g = _GraphBuilder()
    x = _input(g, net)
    tags: dict[int, _Value] = {}
    probes: list[_Value] = []
    ops = list(net.ops)
    i = 0
    while i < len(ops):
        op = ops[i]
        if isinstance(op, Conv):
            nxt = ops[i + 1] if i + 1 < len(ops) else None
            affine = nxt if isinstance(nxt, Affine) else None
            x = _conv(g, x, op, affine)
            i += 2 if affine is not None else 1
            continue
        if isinstance(op, Affine):
            raise ConversionError("affine_ without a preceding con_ is not used by the face ResNet")
        if isinstance(op, Relu):
            x = _Value(g.node("Relu", [x.name], "relu"), x.shape)
            if isinstance(ops[i - 1], AddPrev):
                probes.append(x)
        elif isinstance(op, Pool):
            x = _pool(g, x, op)
        elif isinstance(op, Tag):
            tags[op.tag] = x
        elif isinstance(op, Skip):
            x = tags[op.tag]
        elif isinstance(op, AddPrev):
            x = _add_prev(g, x, tags[op.tag])
        elif isinstance(op, FullyConnected):
            flat = g.node("Flatten", [x.name], "flat", axis=1)
            if op.weight.shape[0] != int(np.prod(x.shape)):
                raise ConversionError(f"fc_ expects {op.weight.shape[0]} inputs, gets {x.shape}")
            out = helper.make_node("MatMul", [flat, g.const("fc", op.weight)], [OUTPUT_NAME])
            g.nodes.append(out)
        else:  # pragma: no cover - the parser only yields the types above
            raise ConversionError(f"unsupported op {op!r}")
        i += 1
    rows, cols = net.input.size
    inputs = [helper.make_tensor_value_info(INPUT_NAME, TensorProto.UINT8, ["N", rows, cols, 3])]
    dim = net.ops[-1].weight.shape[1]  # type: ignore[union-attr]
    outputs = [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ["N", dim])]
    if extra_outputs:
        outputs += [
            helper.make_tensor_value_info(p.name, TensorProto.FLOAT, ["N", *p.shape])
            for p in probes
        ]
    graph = helper.make_graph(
        g.nodes, "dlib_face_recognition_resnet_model_v1", inputs, outputs, g.initializers
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="facekiosk.dlib_onnx",
        producer_version=CONVERTER_VERSION,
    )
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model


def residual_probe_names(model: onnx.ModelProto) -> list[str]:
    return [o.name for o in model.graph.output if o.name != OUTPUT_NAME]
