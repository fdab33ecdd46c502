"""Tiny but real ONNX models with insightface's input/output contracts, and packs of them.

Model hubs are unreachable here, so the pack tests build their own packs: each
model is a small valid graph that onnxruntime runs and insightface's router
recognises (SCRFD detector with 9 outputs, 112x112 ArcFace with a 512-d output,
192x192 landmark models, 80x80 liveness). The detector "finds a face" exactly
where the image has a white 32x32 cell aligned to its stride-32 grid, so the
whole detect -> landmarks -> pose -> embed path runs on real sessions.
This module's own tests check the builders against onnxruntime and insightface.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
STRIDES = (8, 16, 32)
# 5 keypoints around the anchor, in stride units: eyes, nose, mouth corners (image-left first).
KPS_OFFSETS = [-0.6, -0.4, 0.6, -0.4, 0.0, 0.1, -0.45, 0.6, 0.45, 0.6]

PACK_FILES = {
    "det_10g.onnx": "detection",
    "w600k_r50.onnx": "recognition",
    "1k3d68.onnx": "landmark_3d_68",
    "2d106det.onnx": "landmark_2d_106",
}


def _save(graph: onnx.GraphProto, path: Path) -> Path:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path


def _const(name: str, array: np.ndarray) -> onnx.TensorProto:
    return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name=name)


def scrfd(path: Path, *, keypoints: bool = True) -> Path:
    """An SCRFD-shaped detector: 2 anchors per cell, scores/boxes(/keypoints) per stride."""
    x = helper.make_tensor_value_info("input.1", TensorProto.FLOAT, [1, 3, "h", "w"])
    nodes, inits, outputs = [], [], {"score": [], "bbox": [], "kps": []}
    heads = {"score": 2, "bbox": 8} | ({"kps": 20} if keypoints else {})
    for s in STRIDES:
        nodes.append(
            helper.make_node(
                "AveragePool", ["input.1"], [f"p{s}"], kernel_shape=[s, s], strides=[s, s]
            )
        )
        for head, channels in heads.items():
            weight = np.zeros((channels, 3, 1, 1))
            bias = np.zeros(channels)
            if head == "score":
                weight[:] = 10.0 if s == 32 else 0.0
                bias[:] = -20.0 if s == 32 else -50.0
            elif head == "bbox":
                bias[:] = 2.0  # 2 strides from the anchor on each side
            else:
                bias[:] = KPS_OFFSETS * 2
            inits += [_const(f"{head}{s}_w", weight), _const(f"{head}{s}_b", bias)]
            nodes.append(
                helper.make_node(
                    "Conv", [f"p{s}", f"{head}{s}_w", f"{head}{s}_b"], [f"{head}{s}_c"]
                )
            )
            src = f"{head}{s}_c"
            if head == "score":
                nodes.append(helper.make_node("Sigmoid", [src], [f"{head}{s}_sig"]))
                src = f"{head}{s}_sig"
            nodes.append(helper.make_node("Transpose", [src], [f"{head}{s}_t"], perm=[0, 2, 3, 1]))
            per_anchor = channels // 2
            inits.append(
                numpy_helper.from_array(
                    np.array([-1, per_anchor], dtype=np.int64), f"{head}{s}_shape"
                )
            )
            nodes.append(
                helper.make_node("Reshape", [f"{head}{s}_t", f"{head}{s}_shape"], [f"{head}_{s}"])
            )
            outputs[head].append(
                helper.make_tensor_value_info(f"{head}_{s}", TensorProto.FLOAT, ["n", per_anchor])
            )
    outs = outputs["score"] + outputs["bbox"] + outputs["kps"]
    return _save(helper.make_graph(nodes, "scrfd_tiny", [x], outs, inits), path)


def _pooled_linear(
    path: Path, side: int, out_dim: int, bias: np.ndarray, *, batch: str | int
) -> Path:
    """input [batch,3,side,side] -> global average -> linear -> [batch, out_dim]."""
    rng = np.random.default_rng(out_dim)
    x = helper.make_tensor_value_info("data", TensorProto.FLOAT, [batch, 3, side, side])
    y = helper.make_tensor_value_info("fc1", TensorProto.FLOAT, [batch, out_dim])
    nodes = [
        helper.make_node("GlobalAveragePool", ["data"], ["gap"]),
        helper.make_node("Flatten", ["gap"], ["flat"]),
        helper.make_node("MatMul", ["flat", "w"], ["mm"]),
        helper.make_node("Add", ["mm", "b"], ["fc1"]),
    ]
    inits = [_const("w", rng.normal(0, 0.1, (3, out_dim))), _const("b", bias)]
    return _save(helper.make_graph(nodes, "linear_tiny", [x], [y], inits), path)


def arcface(path: Path, *, dim: int = 512) -> Path:
    bias = np.random.default_rng(7).normal(0, 1, dim)
    return _pooled_linear(path, 112, dim, bias, batch="N")


def landmark_3d_68(path: Path) -> Path:
    from insightface.data import get_object

    mean = np.asarray(get_object("meanshape_68.pkl"), dtype=np.float64)
    if mean[8, 1] < mean[27, 1]:  # make image y point down (chin below the nose bridge)
        mean[:, 1] *= -1
    bias = np.zeros(3309)
    bias[-68 * 3 :] = (mean * 0.6).reshape(-1)
    return _pooled_linear(path, 192, 3309, bias, batch=1)


def landmark_2d_106(path: Path) -> Path:
    grid = np.random.default_rng(106).uniform(-0.5, 0.5, 212)
    return _pooled_linear(path, 192, 212, grid, batch=1)


def liveness(path: Path, *, input_side: int = 80) -> Path:
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, input_side, input_side])
    y = helper.make_tensor_value_info("live", TensorProto.FLOAT, [1])
    nodes = [
        helper.make_node("GlobalAveragePool", ["input"], ["gap"]),
        helper.make_node("Flatten", ["gap"], ["flat"]),
        helper.make_node("ReduceMean", ["flat"], ["mean"], axes=[1], keepdims=0),
        helper.make_node("Sigmoid", ["mean"], ["live"]),
    ]
    return _save(helper.make_graph(nodes, "liveness_tiny", [x], [y]), path)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pack_folder(folder: Path, *, manifest: bool = False, name: str = "buffalo_l") -> Path:
    """A buffalo_l-shaped folder of tiny models; with `manifest`, a shipped facekiosk-pack.json."""
    scrfd(folder / "det_10g.onnx")
    arcface(folder / "w600k_r50.onnx")
    landmark_3d_68(folder / "1k3d68.onnx")
    landmark_2d_106(folder / "2d106det.onnx")
    if manifest:
        files = [
            {"path": p.name, "size": p.stat().st_size, "sha256": sha256(p)}
            for p in sorted(folder.glob("*.onnx"))
        ]
        doc = {"format": 1, "name": name, "kind": "pack", "files": files, "licence": "test"}
        (folder / "facekiosk-pack.json").write_text(json.dumps(doc))
    return folder


def zip_folder(folder: Path, archive: Path, *, top: str | None = None) -> Path:
    """Zip `folder`'s files, under a top-level directory `top` when given (like antelopev2.zip)."""
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                rel = p.relative_to(folder).as_posix()
                zf.write(p, f"{top}/{rel}" if top else rel)
    return archive


def face_image() -> np.ndarray:
    """640x640 black BGR frame with one white stride-32 cell: the tiny detector's 'face'."""
    image = np.zeros((640, 640, 3), dtype=np.uint8)
    image[320:352, 288:320] = 255
    return image


# --- the builders themselves ----------------------------------------------------------


def test_tiny_models_route_like_insightface_models(tmp_path):
    from insightface.model_zoo import model_zoo

    folder = pack_folder(tmp_path / "pack")
    cpu = ["CPUExecutionProvider"]
    tasks = {
        p.name: model_zoo.get_model(str(p), providers=cpu).taskname for p in folder.glob("*.onnx")
    }
    assert tasks == PACK_FILES
    det = model_zoo.get_model(str(folder / "det_10g.onnx"), providers=cpu)
    assert det.use_kps and det.fmc == 3 and det._num_anchors == 2


def test_tiny_detector_finds_exactly_the_white_cell(tmp_path):
    from insightface.model_zoo import model_zoo

    det = model_zoo.get_model(str(scrfd(tmp_path / "d.onnx")), providers=["CPUExecutionProvider"])
    det.prepare(0, input_size=(640, 640), det_thresh=0.5)
    boxes, kps = det.detect(face_image())
    assert boxes.shape == (1, 5) and kps.shape == (1, 5, 2)
    # The anchor is the white cell's top-left grid point (288, 320); boxes reach 64 px around it.
    np.testing.assert_allclose(boxes[0, :4], [224, 256, 352, 384], atol=1e-3)
    assert boxes[0, 4] > 0.99
    blank = np.zeros_like(face_image())
    assert det.detect(blank)[0].shape[0] == 0


def test_tiny_liveness_meets_insightface_contract(tmp_path):
    from insightface.addons.liveness import Liveness

    model = Liveness(liveness(tmp_path / "liveness.onnx"), providers=["CPUExecutionProvider"])
    kps = np.array([[300, 330], [340, 330], [320, 345], [305, 360], [335, 360]], np.float32)
    result = model.predict(face_image(), kps)
    assert result["status"] == "ok" and 0.0 <= result["live_score"] <= 1.0
