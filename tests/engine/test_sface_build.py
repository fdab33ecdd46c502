"""The SFace build step: unused inputs dropped, DequantizeLinear folded, same vectors."""

from __future__ import annotations

import numpy as np
import onnx
import pytest

from facekiosk.engine import sface_build
from facekiosk.engine.sface import SFaceRecognizer, align_faces, run_graph_bytes
from facekiosk.engine.yunet import YuNetDetector


def run_graph_bytes_batch(graph: bytes, faces: np.ndarray) -> np.ndarray:
    import onnxruntime as ort

    session = ort.InferenceSession(graph, providers=["CPUExecutionProvider"])
    blob = faces.transpose(0, 3, 1, 2).astype(np.float32)
    return session.run(None, {"data": blob})[0]


def _real_faces() -> np.ndarray:
    from facekiosk.bench.pipeline import group_frame

    image = group_frame()
    return align_faces(image, [d.kps for d in YuNetDetector(threads=1).detect(image, 640)])


def test_build_caches_a_float_graph_equal_to_the_vendored_one(bundled_dir):
    result = sface_build.build_sface(bundled_dir)
    model = onnx.load(str(result.path))
    assert [i.name for i in model.graph.input] == ["data"]
    assert not [n for n in model.graph.node if n.op_type == "DequantizeLinear"]
    faces = _real_faces()
    assert len(faces) == 6
    reference = sface_build.drop_unused_inputs(onnx.load(str(sface_build.source_path())))
    want = run_graph_bytes(reference.SerializeToString(), faces)
    got = SFaceRecognizer(result.path, threads=1).compute(faces)
    cos = np.sum(want * got, axis=1) / (np.linalg.norm(want, axis=1) * np.linalg.norm(got, axis=1))
    assert cos.min() >= sface_build.MIN_COSINE
    # The built graph also takes all six in one run, with the same vectors.
    batch = run_graph_bytes_batch(result.path.read_bytes(), faces)
    assert np.abs(batch - got).max() < 1e-3
    # Cached: a second call does not rebuild; a damaged file is rebuilt.
    assert not sface_build.build_sface(bundled_dir).built
    result.path.write_bytes(b"junk")
    assert sface_build.build_sface(bundled_dir).built


def test_a_wrong_fold_is_refused(bundled_dir, monkeypatch, tmp_path):
    # Per-block scales applied per tensor: the check must catch it and cache nothing.
    monkeypatch.setattr(
        sface_build, "_expand", lambda p, shape, axis, block: p.reshape(-1)[0]
    )
    with pytest.raises(sface_build.SFaceBuildError, match="disagrees"):
        sface_build.build_sface(tmp_path)
    assert not list((tmp_path / "models" / "bundled").glob("*.onnx"))


def test_fold_handles_blocks_along_either_axis():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    scale = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=np.float32)
    got = sface_build._expand(scale, x.shape, 1, 2)
    assert got.shape == (3, 4) and got[2, 3] == 6.0 and got[0, 1] == 1.0
    col = np.array([[1.0, 2.0, 3.0, 4.0]], dtype=np.float32)
    assert sface_build._expand(col, x.shape, 0, 3).shape == (3, 4)


def _prelu_graph(slopes: np.ndarray) -> onnx.ModelProto:
    from onnx import TensorProto, helper, numpy_helper

    channels = slopes.size
    weight = np.random.default_rng(3).normal(size=(channels, channels, 1, 1)).astype(np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[1, 1]),
            helper.make_node("PRelu", ["y", "s"], ["z"]),
        ],
        "prelu",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, channels, 16, 16])],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, channels, 16, 16])],
        [
            numpy_helper.from_array(weight, "w"),
            numpy_helper.from_array(slopes.reshape(channels, 1, 1).astype(np.float32), "s"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model


def test_prelu_rewrite_is_the_same_function_for_any_slope():
    import onnxruntime as ort

    slopes = np.linspace(-0.8, 1.2, 16)  # SFace's range is -0.81..1.12
    original = _prelu_graph(slopes)
    rewritten = onnx.ModelProto()
    rewritten.CopyFrom(original)
    assert sface_build.rewrite_prelu(rewritten) == 1
    assert not [n for n in rewritten.graph.node if n.op_type == "PRelu"]
    x = np.random.default_rng(4).normal(size=(1, 16, 16, 16)).astype(np.float32)
    outs = [
        ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"]).run(
            None, {"x": x}
        )[0]
        for m in (original, rewritten)
    ]
    assert np.abs(outs[0] - outs[1]).max() < 1e-5


def test_built_graph_stays_in_one_conv_layout(bundled_dir, tmp_path):
    # The speed of the build step: onnxruntime fuses the PRelu form into convs, so the
    # optimised graph converts to and from its blocked layout at most once each (the
    # earlier Relu/Min form and PRelu itself left ~27 layout changes in the chain).
    import onnxruntime as ort

    from facekiosk.engine.yunet import session_options

    result = sface_build.build_sface(bundled_dir)
    options = session_options(1)
    options.optimized_model_filepath = str(tmp_path / "optimised.onnx")
    ort.InferenceSession(str(result.path), options, providers=["CPUExecutionProvider"])
    ops = [n.op_type for n in onnx.load(str(tmp_path / "optimised.onnx")).graph.node]
    assert ops.count("ReorderInput") + ops.count("ReorderOutput") <= 2
    assert not {"PRelu", "Min", "Relu"} & set(ops)
