from importlib.metadata import PackageNotFoundError, version

# First, before anything can import onnxruntime (see telemetry.py).
from facekiosk.telemetry import silence_runtimes

silence_runtimes()

try:
    __version__ = version("facekiosk")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"
