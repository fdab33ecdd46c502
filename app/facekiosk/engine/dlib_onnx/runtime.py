"""Run the converted dlib face ResNet on onnxruntime."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import onnxruntime as ort

from facekiosk.engine.dlib_onnx.to_onnx import INPUT_NAME, OUTPUT_NAME
from facekiosk.engine.types import EngineError

CHIP_SIZE = 150
DESCRIPTOR_DIM = 128


def default_threads() -> int:
    return max(1, os.cpu_count() or 1)


class OnnxDescriptor:
    """dlib's 128-d face descriptor computed by onnxruntime, batched.

    `compute` returns dlib's raw vectors (not unit length, like
    `face_recognition_model_v1.compute_face_descriptor`); callers L2-normalise.
    onnxruntime releases the GIL while it runs, so a GUI thread stays responsive.
    One instance may be shared by threads: `InferenceSession.run` is thread-safe.
    """

    model_id = "dlib_resnet_v1"
    dim = DESCRIPTOR_DIM

    def __init__(self, model_path: Path, *, threads: int | None = None) -> None:
        self.path = Path(model_path)
        self.threads = threads or default_threads()
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        # Busy-waiting worker threads would steal the cores the camera and GUI threads need.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self._session = ort.InferenceSession(
                str(self.path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own, unexported exception types
            raise EngineError(f"cannot load ONNX descriptor {self.path.name}: {exc}") from exc
        self._check_contract()

    def _check_contract(self) -> None:
        inputs, outputs = self._session.get_inputs(), self._session.get_outputs()
        want_in = (INPUT_NAME, "tensor(uint8)", [CHIP_SIZE, CHIP_SIZE, 3])
        got_in = (inputs[0].name, inputs[0].type, list(inputs[0].shape[1:])) if inputs else None
        if len(inputs) != 1 or got_in != want_in:
            raise EngineError(f"{self.path.name}: expected input {want_in}, found {got_in}")
        out = next((o for o in outputs if o.name == OUTPUT_NAME), None)
        if out is None or out.type != "tensor(float)" or out.shape[1:] != [DESCRIPTOR_DIM]:
            raise EngineError(f"{self.path.name}: expected output {OUTPUT_NAME} float [N, 128]")

    def compute(self, chips: np.ndarray) -> np.ndarray:
        """Raw descriptors float32 [N, 128] for uint8 RGB chips [N, 150, 150, 3]."""
        chips = np.asarray(chips)
        if chips.ndim == 3:
            raise ValueError("chips must be a batch [N, 150, 150, 3]; use chips[None] for one")
        if chips.ndim != 4 or chips.shape[1:] != (CHIP_SIZE, CHIP_SIZE, 3):
            raise ValueError(f"chips must be [N, 150, 150, 3], got shape {chips.shape}")
        if chips.dtype != np.uint8:
            raise ValueError(f"chips must be uint8 RGB, got {chips.dtype}")
        if chips.shape[0] == 0:
            return np.zeros((0, DESCRIPTOR_DIM), dtype=np.float32)
        feed = {INPUT_NAME: np.ascontiguousarray(chips)}
        (vectors,) = self._session.run([OUTPUT_NAME], feed)
        return vectors

    def __repr__(self) -> str:
        return f"OnnxDescriptor({self.path.name!r}, threads={self.threads})"
