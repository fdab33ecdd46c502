"""MiniFASNet pair (Minivision Silent-Face-Anti-Spoofing, Apache-2.0) on onnxruntime.

Recipe (../shared/models/README.md, upstream `CropImage` + `test.py`): for each model,
the face box is scaled by the model's context factor (2.7 / 4.0) around its centre,
capped so it fits the frame and shifted to stay inside it, resized to 80x80, fed as BGR
float 0..255 (no normalisation); the two 3-class softmaxes are averaged and class 1 is
"real". The model judges the presentation medium (screen moire, bezel, print texture)
from the context around the face, so a face that fills the frame cannot be judged:
`score` returns None then (the session asks the person to step back).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from facekiosk.engine.types import AntiSpoofScorer, EngineError, Face
from facekiosk.engine.vendored import load_vendored

SIZE = 80
REAL_CLASS = 1
N_CLASSES = 3
# model file -> context scale of its crop (upstream encodes it in the file name)
MODELS = {"2.7_80x80_MiniFASNetV2.onnx": 2.7, "4_0_0_80x80_MiniFASNetV1SE.onnx": 4.0}
# The 2.7x crop must keep at least this share of its intended size (the frame caps it).
# Live frames of ../shared/liveness (dlib boxes): context < 0.4: 69 % scored spoof,
# 0.4-0.5: 43 %, >= 0.5: none of 575; replays were all >= 0.6.
MIN_CONTEXT = 0.5


class AntiSpoofModelError(EngineError):
    """The anti-spoofing model files are not the MiniFASNet contract this code expects."""


@dataclass(frozen=True)
class CropBox:
    x1: int
    y1: int
    x2: int
    y2: int
    context: float  # achieved scale / wanted scale (1.0 = the full context fits)


def context_crop(
    shape: tuple[int, ...], bbox: tuple[float, float, float, float], scale: float
) -> CropBox | None:
    """Upstream's crop: box scaled around its centre, capped to the frame, shifted inside."""
    h, w = int(shape[0]), int(shape[1])
    x1, y1, x2, y2 = bbox
    bw, bh = x2 - x1, y2 - y1
    if bw <= 1 or bh <= 1:
        return None
    s = min((h - 1) / bh, (w - 1) / bw, scale)
    nw, nh = bw * s, bh * s
    cx, cy = x1 + bw / 2, y1 + bh / 2
    left, top, right, bottom = cx - nw / 2, cy - nh / 2, cx + nw / 2, cy + nh / 2
    if left < 0:
        right, left = right - left, 0.0
    if top < 0:
        bottom, top = bottom - top, 0.0
    if right > w - 1:
        left, right = left - (right - w + 1), float(w - 1)
    if bottom > h - 1:
        top, bottom = top - (bottom - h + 1), float(h - 1)
    return CropBox(int(left), int(top), int(right), int(bottom), s / scale)


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max()
    e = np.exp(z)
    return e / e.sum()


class MiniFASNetScorer:
    """`AntiSpoofScorer`: mean real-probability of the pair, or None (too close/tiny)."""

    def __init__(self, files: dict[Path, float], providers: list[str]) -> None:
        import onnxruntime as ort

        self.models: list[tuple[object, str, float]] = []
        self._lock = threading.Lock()  # one engine thread normally; sessions are not re-entrant
        for path, scale in files.items():
            opts = ort.SessionOptions()
            # 1 thread each: 5-8 ms per face for the pair; the engine owns the other core.
            opts.intra_op_num_threads = 1
            opts.inter_op_num_threads = 1
            try:
                sess = ort.InferenceSession(str(path), opts, providers=providers)
            except Exception as exc:  # onnxruntime raises its own untyped errors
                raise AntiSpoofModelError(
                    f"{path.name}: onnxruntime cannot load it ({exc}): reinstall facekiosk"
                ) from exc
            inputs, outputs = sess.get_inputs(), sess.get_outputs()
            shape_in = list(inputs[0].shape) if len(inputs) == 1 else None
            shape_out = list(outputs[0].shape) if len(outputs) == 1 else None
            if shape_in is None or shape_in[1:] != [3, SIZE, SIZE] or shape_out is None:
                raise AntiSpoofModelError(
                    f"{path.name}: expected one input [N, 3, {SIZE}, {SIZE}] and one output "
                    f"[N, {N_CLASSES}], got inputs {[i.shape for i in inputs]} and outputs "
                    f"{[o.shape for o in outputs]}: reinstall facekiosk"
                )
            if shape_out[-1] != N_CLASSES:
                raise AntiSpoofModelError(
                    f"{path.name}: expected {N_CLASSES} classes (spoof, real, spoof), "
                    f"got output shape {shape_out}: reinstall facekiosk"
                )
            self.models.append((sess, inputs[0].name, scale))

    def crop_context(self, image: np.ndarray, face: Face) -> float:
        """How much of the 2.7x context fits in the frame (1.0 = all of it)."""
        box = context_crop(image.shape, face.bbox, min(s for _, _, s in self.models))
        return box.context if box is not None else 0.0

    def score(self, image: np.ndarray, face: Face) -> float | None:
        probs = []
        for sess, name, scale in self.models:
            box = context_crop(image.shape, face.bbox, scale)
            if box is None:
                return None
            if scale == min(s for _, _, s in self.models) and box.context < MIN_CONTEXT:
                return None  # too close: the model would see only face, no medium
            patch = image[box.y1 : box.y2 + 1, box.x1 : box.x2 + 1]
            if patch.shape[0] < 8 or patch.shape[1] < 8:
                return None
            patch = cv2.resize(patch, (SIZE, SIZE), interpolation=cv2.INTER_LINEAR)
            blob = patch.transpose(2, 0, 1)[None].astype(np.float32)  # BGR 0..255, as trained
            with self._lock:
                logits = sess.run(None, {name: blob})[0]  # type: ignore[attr-defined]
            probs.append(_softmax(np.asarray(logits, dtype=np.float64).reshape(-1))[REAL_CLASS])
        return float(np.mean(probs))


_cache: dict[tuple[str, ...], MiniFASNetScorer] = {}
_cache_lock = threading.Lock()


def load_antispoof(providers: list[str] | None = None) -> AntiSpoofScorer:
    """The bundled MiniFASNet pair (sha256-checked; shared per provider list in a process).
    Raises VendoredModelError for a missing/altered file, AntiSpoofModelError for a file
    that is not the expected model."""
    key = tuple(providers or ["CPUExecutionProvider"])
    with _cache_lock:
        if key not in _cache:
            vendored = load_vendored("minifasnet")
            files = {vendored.path(name): scale for name, scale in MODELS.items()}
            _cache[key] = MiniFASNetScorer(files, list(key))
        return _cache[key]
