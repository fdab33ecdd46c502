"""The layer stack of dlib's `dlib_face_recognition_resnet_model_v1`, as its C++ type spells it.

dlib's serialisation is not self-describing: tags and skips carry no bytes of
their own beyond a version number, so a reader must know the network's type.
This module rebuilds that type (from dlib's dnn_face_recognition_ex.cpp) as a
flat list of nodes ordered from the loss layer down to the input, exactly the
order in which dlib writes the per-layer version numbers:

    loss_metric<fc_no_bias<128, avg_pool_everything<
        alevel0<alevel1<alevel2<alevel3<alevel4<
        max_pool<3,3,2,2, relu<affine<con<32,7,7,2,2, input_rgb_image_sized<150>>>>>>>>>>>>>

    block<N,stride>   = affine<con<N,3,3,1,1, relu<affine<con<N,3,3,stride,stride, SUB>>>>>
    ares<N>           = relu<add_prev1<block<N,1, tag1<SUB>>>>
    ares_down<N>      = relu<add_prev2<avg_pool<2,2,2,2, skip1<tag2<block<N,2, tag1<SUB>>>>>>>
    alevel0 = ares_down<256>;  alevel1 = ares<256> x2 on ares_down<256>
    alevel2 = ares<128> x2 on ares_down<128>;  alevel3 = ares<64> x3 on ares_down<64>
    alevel4 = ares<32> x3
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

LayerKind = Literal["con", "affine", "relu", "max_pool", "avg_pool", "add_prev", "fc"]


@dataclass(frozen=True)
class LayerNode:
    """An `add_layer`: a computational layer whose details are serialised."""

    kind: LayerKind
    tag: int = 0  # add_prev<tag>: which tag's output is added


@dataclass(frozen=True)
class TagNode:
    tag: int


@dataclass(frozen=True)
class SkipNode:
    """`skip<tag>`: continue from the output of the nearest `tag` below."""

    tag: int


Node = LayerNode | TagNode | SkipNode
Stack = list[Node]  # top (nearest the loss) first

INPUT_SIZE = 150
EMBEDDING_DIM = 128


def _layer(kind: LayerKind, sub: Stack, tag: int = 0) -> Stack:
    return [LayerNode(kind, tag), *sub]


def _block(sub: Stack) -> Stack:
    # The strides live in the serialised con_ details; the layout only needs the order.
    inner = _layer("relu", _layer("affine", _layer("con", sub)))
    return _layer("affine", _layer("con", inner))


def _ares(sub: Stack) -> Stack:
    return _layer("relu", _layer("add_prev", _block([TagNode(1), *sub]), tag=1))


def _ares_down(sub: Stack) -> Stack:
    down = [SkipNode(1), TagNode(2), *_block([TagNode(1), *sub])]
    return _layer("relu", _layer("add_prev", _layer("avg_pool", down), tag=2))


def _repeat(fn, times: int, sub: Stack) -> Stack:
    for _ in range(times):
        sub = fn(sub)
    return sub


def face_resnet_stack() -> Stack:
    """All nodes between the loss layer and the input layer, top first."""
    stem = _layer("max_pool", _layer("relu", _layer("affine", _layer("con", []))))
    level4 = _repeat(_ares, 3, stem)
    level3 = _repeat(_ares, 3, _ares_down(level4))
    level2 = _repeat(_ares, 2, _ares_down(level3))
    level1 = _repeat(_ares, 2, _ares_down(level2))
    level0 = _ares_down(level1)
    return _layer("fc", _layer("avg_pool", level0))
