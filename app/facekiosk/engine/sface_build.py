"""Build SFace's float graph once and cache it (engine.model_cache, as the dlib ResNet).

The vendored SFace file (opencv_zoo, block-quantised int8) cannot be used as is:
it lists 29 unused graph inputs (old weight names) that onnxruntime refuses, and
onnxruntime runs its blocked `DequantizeLinear` weights at 22-32 ms per face. This step

1. keeps only the image input `data`;
2. folds every `DequantizeLinear` whose inputs are constants into a float32
   initialiser: y = (x - zero_point) * scale, scale/zero_point repeated `block_size`
   times along `axis` (per-tensor / per-axis when there is no block size);
3. rewrites each PRelu with constant per-channel slopes s as the same function in ops
   that onnxruntime's blocked (NCHWc) conv layout keeps: y + (1 - s) * Relu(-y), i.e.
   a 1x1 depthwise Conv (weight -1) + Relu, a 1x1 depthwise Conv (weight 1 - s) and an
   Add, which onnxruntime fuses into two convs (the second with the Add as its sum
   input). Its broadcasting PRelu cost 45 % of SFace's time and breaks the conv chain
   with layout reorders; the earlier Relu(x) + s * Min(x, 0) form stayed off the
   blocked layout. Measured in one process, alternating, one face: PRelu 1.31x,
   Relu/Min 1.00x, this form 0.73x (docs/notes/engine.md);
4. checks the result against the quantised graph (step 1 only) on real aligned faces
   and deterministic noise: cosine >= MIN_COSINE, else BuildError and nothing is cached.

Layout: <data_dir>/models/bundled/sface_2021dec-<sha256[:16]>.onnx written atomically,
with the source sha256 and the builder version in its metadata (a stale or corrupt
cache is rebuilt).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from facekiosk.engine.model_cache import cached_path, file_sha256, install, is_current, stamp

log = logging.getLogger(__name__)

SOURCE_FILE = "face_recognition_sface_2021dec_int8bq.onnx"
MODEL_STEM = "sface_2021dec"
BUILDER_VERSION = "3"  # 3: the NCHWc-friendly PRelu form
INPUT_NAME = "data"
MIN_COSINE = 0.9999


class SFaceBuildError(RuntimeError):
    """The float SFace graph could not be built or disagrees with the vendored one."""


@dataclass(frozen=True)
class SFaceBuildResult:
    path: Path
    source_sha256: str
    built: bool  # False when a valid cached graph was found
    seconds: float
    folded: int | None  # DequantizeLinear nodes folded (None when not rebuilt)
    self_check_cosine: float | None


def source_path() -> Path:
    from facekiosk.engine.vendored import load_vendored

    return load_vendored("sface").path(SOURCE_FILE)


def model_path_for(data_dir: Path | None, sha256: str) -> Path:
    return cached_path(data_dir, MODEL_STEM, sha256)


def _identity(sha256: str) -> dict[str, str]:
    return {"source_sha256": sha256, "builder_version": BUILDER_VERSION}


def drop_unused_inputs(model: Any) -> Any:
    """The graph with `data` as its only input and a free batch size (in place)."""
    keep = [i for i in model.graph.input if i.name == INPUT_NAME]
    if len(keep) != 1:
        raise SFaceBuildError(f"SFace graph has no input named {INPUT_NAME!r}")
    del model.graph.input[:]
    model.graph.input.extend(keep)
    for value in (*model.graph.input, *model.graph.output):
        batch = value.type.tensor_type.shape.dim[0]
        batch.ClearField("dim_value")
        batch.dim_param = "N"
    del model.graph.value_info[:]
    return model


def _expand(param: np.ndarray, shape: tuple[int, ...], axis: int, block: int) -> np.ndarray:
    """Broadcast a scale/zero-point to the weight's shape."""
    if param.ndim == 0 or param.size == 1:
        return param.reshape(())
    if block > 0:  # blocked: one value per `block` consecutive elements along `axis`
        return np.repeat(param, block, axis=axis).take(range(shape[axis]), axis=axis)
    view = [1] * len(shape)  # per-axis: one value per slice along `axis`
    view[axis] = shape[axis]
    return param.reshape(view)


def fold_dequantize(model: Any) -> int:
    """Replace constant DequantizeLinear nodes by float32 initialisers; returns how many."""
    from onnx import numpy_helper

    inits = {t.name: t for t in model.graph.initializer}
    folded, keep_nodes = 0, []
    for node in model.graph.node:
        if node.op_type != "DequantizeLinear" or not all(i in inits for i in node.input if i):
            keep_nodes.append(node)
            continue
        attrs = {a.name: a.i for a in node.attribute}
        x = numpy_helper.to_array(inits[node.input[0]])
        axis = int(attrs.get("axis", 1)) % max(1, x.ndim)
        block = int(attrs.get("block_size", 0))
        scale = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)
        zero = (
            numpy_helper.to_array(inits[node.input[2]]).astype(np.float32)
            if len(node.input) > 2 and node.input[2]
            else np.zeros_like(scale)
        )
        y = (x.astype(np.float32) - _expand(zero, x.shape, axis, block)) * _expand(
            scale, x.shape, axis, block
        )
        folded_tensor = numpy_helper.from_array(y.astype(np.float32), node.output[0])
        model.graph.initializer.append(folded_tensor)
        folded += 1
    del model.graph.node[:]
    model.graph.node.extend(keep_nodes)
    used = {i for n in model.graph.node for i in n.input}
    unused = [t for t in model.graph.initializer if t.name not in used]
    for tensor in unused:
        model.graph.initializer.remove(tensor)
    return folded


def rewrite_prelu(model: Any) -> int:
    """Replace PRelu(y, s) with constant per-channel s by y + (1 - s) * Relu(-y) (see the
    module doc: two 1x1 depthwise convs and an Add); returns how many."""
    from onnx import helper, numpy_helper

    inits = {t.name: t for t in model.graph.initializer}
    count, nodes = 0, []
    for node in model.graph.node:
        slope_name = node.input[1] if node.op_type == "PRelu" else ""
        if slope_name not in inits:
            nodes.append(node)
            continue
        slope = numpy_helper.to_array(inits[slope_name]).astype(np.float32).reshape(-1)
        channels = slope.size
        if channels < 2:  # a scalar slope is not per channel: leave the node alone
            nodes.append(node)
            continue
        x, y = node.input[0], node.output[0]
        shape = (channels, 1, 1, 1)
        negate = numpy_helper.from_array(np.full(shape, -1.0, np.float32), f"{y}_negw")
        scale = numpy_helper.from_array((1.0 - slope).reshape(shape), f"{y}_scalew")
        model.graph.initializer.extend([negate, scale])
        nodes += [
            helper.make_node(
                "Conv", [x, negate.name], [f"{y}_neg"], group=channels, kernel_shape=[1, 1]
            ),
            helper.make_node("Relu", [f"{y}_neg"], [f"{y}_negrelu"]),
            helper.make_node(
                "Conv",
                [f"{y}_negrelu", scale.name],
                [f"{y}_scaled"],
                group=channels,
                kernel_shape=[1, 1],
            ),
            helper.make_node("Add", [x, f"{y}_scaled"], [y]),
        ]
        count += 1
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    used = {i for n in model.graph.node for i in n.input}
    for tensor in [t for t in model.graph.initializer if t.name not in used]:
        model.graph.initializer.remove(tensor)  # the PRelu slopes
    return count


def _check_faces() -> np.ndarray:
    """Real aligned faces (skimage's astronaut, insightface's t1.jpg: images shipped with
    dependencies; a frozen build may lack either) plus deterministic noise, which alone
    already exercises every folded weight: (N, 112, 112, 3) RGB uint8."""
    import cv2

    from facekiosk.engine.sface import align_faces
    from facekiosk.engine.yunet import YuNetDetector

    images = []
    try:
        from skimage import data

        images.append(np.ascontiguousarray(data.astronaut()[:, :, ::-1]))
    except (ImportError, OSError, ValueError):
        pass
    try:
        import insightface

        t1 = Path(insightface.__file__).parent / "data" / "images" / "t1.jpg"
        image = cv2.imread(str(t1), cv2.IMREAD_COLOR)
        if image is not None:
            images.append(image)
    except ImportError:
        pass
    detector = YuNetDetector()
    crops = []
    for image in images:
        kps = [d.kps for d in detector.detect(image)]
        if kps:
            crops.append(align_faces(image, kps))
    rng = np.random.default_rng(20261203)
    crops.append(rng.integers(0, 256, size=(2, 112, 112, 3), dtype=np.uint8))
    return np.concatenate(crops)


def compare_graphs(reference: bytes, candidate: bytes, faces: np.ndarray) -> float:
    """Minimum cosine between the two graphs' vectors on `faces`."""
    from facekiosk.engine.sface import run_graph_bytes

    a, b = run_graph_bytes(reference, faces), run_graph_bytes(candidate, faces)
    cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return float(cos.min())


def build_sface(
    data_dir: Path | None, *, force: bool = False, verify: bool = True
) -> SFaceBuildResult:
    """Ensure the float SFace graph exists under `data_dir`; build and check it if needed."""
    import onnx

    start = time.perf_counter()
    source = source_path()
    sha = file_sha256(source)
    target = model_path_for(data_dir, sha)
    if not force and is_current(target, _identity(sha)):
        return SFaceBuildResult(target, sha, False, time.perf_counter() - start, None, None)
    try:
        reference = drop_unused_inputs(onnx.load(str(source)))
        model = onnx.ModelProto()
        model.CopyFrom(reference)
        folded = fold_dequantize(model)
        rewrite_prelu(model)
    except (ValueError, KeyError, IndexError) as exc:
        raise SFaceBuildError(f"cannot fold {source.name}: {exc}") from exc
    if folded == 0:
        raise SFaceBuildError(f"{source.name}: no constant DequantizeLinear to fold")
    payload = stamp(model, {"source": source.name, **_identity(sha)})
    cosine = None
    if verify:
        cosine = compare_graphs(reference.SerializeToString(), payload, _check_faces())
        if cosine < MIN_COSINE:
            raise SFaceBuildError(
                f"folded SFace disagrees with the vendored graph (cosine {cosine:.6f})"
            )
    install(target, payload)
    log.info("built float SFace %s in %.1fs", target.name, time.perf_counter() - start)
    return SFaceBuildResult(target, sha, True, time.perf_counter() - start, folded, cosine)
