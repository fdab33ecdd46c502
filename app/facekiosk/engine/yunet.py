"""YuNet face detector (opencv_zoo, MIT) on onnxruntime: boxes, scores and 5 landmarks.

The vendored graph declares a fixed 640x640 input, but every layer is convolutional
and its Reshapes infer the anchor count, so the shapes are relaxed in memory at load and
the detector runs on any frame padded to a multiple of 32 (as OpenCV's FaceDetectorYN
does). Input: BGR float 0..255, NCHW, zero padding bottom/right, no normalisation.

Decoding (per stride 8/16/32, one anchor per cell): score = sqrt(cls * obj); centre =
(cell + offset) * stride; size = exp(log-size) * stride; landmarks = (cell + offset) *
stride, in YuNet's order right eye, left eye, nose, right mouth, left mouth of the
*subject*, which is image-left first: exactly `Face.kps`'s convention.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import onnxruntime as ort

from facekiosk.engine.types import EngineError, downscale_to_width
from facekiosk.engine.vendored import load_vendored

MODEL_FILE = "face_detection_yunet_2023mar.onnx"
STRIDES = (8, 16, 32)
PAD = 32  # input sides must be multiples of the largest stride
# The upstream demo's score threshold is 0.9; ../shared/models measured 0.6 as finding
# every DEV identity photo. Below it, false faces appear on textured background.
SCORE_THRESHOLD = 0.6
NMS_THRESHOLD = 0.3  # upstream default
TOP_K = 5000


@dataclass(frozen=True)
class Detection:
    """One YuNet face in frame pixels: box (x1, y1, x2, y2), score, (5, 2) landmarks."""

    box: tuple[float, float, float, float]
    score: float
    kps: np.ndarray


def _relaxed_graph(path: str) -> bytes:
    """The graph with free spatial input size and free output shapes (see module doc)."""
    import onnx

    model = onnx.load(path)
    dims = model.graph.input[0].type.tensor_type.shape.dim
    for dim, name in zip(dims[2:], ("height", "width"), strict=True):
        dim.ClearField("dim_value")
        dim.dim_param = name
    for output in model.graph.output:
        for k, dim in enumerate(output.type.tensor_type.shape.dim):
            if k == 1:  # the anchor count follows the input size
                dim.ClearField("dim_value")
                dim.dim_param = f"{output.name}_anchors"
    del model.graph.value_info[:]
    return bytes(model.SerializeToString())


def session_options(threads: int | None) -> ort.SessionOptions:
    """onnxruntime options shared by the bundled models: no busy-waiting workers, which
    would steal the cores the camera and GUI threads need."""
    import os

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads or max(1, os.cpu_count() or 1)
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # shape notes about relaxed outputs are not errors
    return options


class YuNetDetector:
    """Faces of one BGR frame, detected on a copy downscaled to `detect_width`."""

    def __init__(
        self,
        *,
        score_threshold: float = SCORE_THRESHOLD,
        nms_threshold: float = NMS_THRESHOLD,
        threads: int | None = None,
    ) -> None:
        path = load_vendored("yunet").path(MODEL_FILE)
        try:
            self._session = ort.InferenceSession(
                _relaxed_graph(str(path)),
                session_options(threads),
                providers=["CPUExecutionProvider"],
            )
        except Exception as exc:  # onnxruntime raises its own, unexported types
            raise EngineError(f"cannot load YuNet ({path.name}): {exc}") from exc
        self._input = self._session.get_inputs()[0].name
        self._outputs = [f"{kind}_{s}" for kind in ("cls", "obj", "bbox", "kps") for s in STRIDES]
        self.score_threshold = score_threshold
        self.nms_threshold = nms_threshold

    def detect(self, image: np.ndarray, detect_width: int = 0) -> list[Detection]:
        """Detections in full-frame pixels, not sorted. `detect_width` 0 = full resolution."""
        small, scale = downscale_to_width(image, detect_width)
        found = self._run(small)
        return [
            Detection(
                box=(d.box[0] / scale, d.box[1] / scale, d.box[2] / scale, d.box[3] / scale),
                score=d.score,
                kps=(d.kps / scale).astype(np.float32),
            )
            for d in found
        ]

    def _run(self, image: np.ndarray) -> list[Detection]:
        h, w = image.shape[:2]
        ph, pw = math.ceil(h / PAD) * PAD, math.ceil(w / PAD) * PAD
        blob = np.zeros((1, 3, ph, pw), dtype=np.float32)
        blob[0, :, :h, :w] = image.transpose(2, 0, 1)
        raw = self._session.run(self._outputs, {self._input: blob})
        outs = dict(zip(self._outputs, raw, strict=True))
        boxes, scores, kps = [], [], []
        for stride in STRIDES:
            cols = pw // stride
            cls = np.clip(outs[f"cls_{stride}"][0, :, 0], 0, 1)
            obj = np.clip(outs[f"obj_{stride}"][0, :, 0], 0, 1)
            score = np.sqrt(cls * obj)
            keep = np.nonzero(score >= self.score_threshold)[0]
            if keep.size == 0:
                continue
            cx, cy = (keep % cols).astype(np.float32), (keep // cols).astype(np.float32)
            bb = outs[f"bbox_{stride}"][0, keep]
            centre_x, centre_y = (cx + bb[:, 0]) * stride, (cy + bb[:, 1]) * stride
            bw, bh = np.exp(bb[:, 2]) * stride, np.exp(bb[:, 3]) * stride
            boxes.append(np.stack([centre_x - bw / 2, centre_y - bh / 2, bw, bh], axis=1))
            kp = outs[f"kps_{stride}"][0, keep].reshape(-1, 5, 2)
            kp = (kp + np.stack([cx, cy], axis=1)[:, None, :]) * stride
            kps.append(kp)
            scores.append(score[keep])
        if not boxes:
            return []
        all_boxes = np.concatenate(boxes)
        all_scores = np.concatenate(scores)
        all_kps = np.concatenate(kps)
        picked = cv2.dnn.NMSBoxes(
            all_boxes.tolist(),
            all_scores.tolist(),
            self.score_threshold,
            self.nms_threshold,
            top_k=TOP_K,
        )
        result = []
        for i in np.asarray(picked, dtype=int).reshape(-1):
            x, y, bw_, bh_ = (float(v) for v in all_boxes[i])
            result.append(Detection((x, y, x + bw_, y + bh_), float(all_scores[i]), all_kps[i]))
        return result
