"""dlib's face-recognition ResNet on onnxruntime: same vectors as dlib, several times faster.

`load_descriptor(data_dir)` converts the bundled `.dat` once (parser and converter
written here, checked against dlib) and returns an `OnnxDescriptor`, or None when
that fails so the engine can fall back to dlib's own descriptor.
"""

from facekiosk.engine.dlib_onnx.build import (
    BuildError,
    BuildResult,
    build_bundled,
    bundled_dat_path,
    load_descriptor,
)
from facekiosk.engine.dlib_onnx.runtime import OnnxDescriptor

__all__ = [
    "BuildError",
    "BuildResult",
    "OnnxDescriptor",
    "build_bundled",
    "bundled_dat_path",
    "load_descriptor",
]
