"""Engine test fixtures: the real dlib engine, loaded once per session."""

from __future__ import annotations

import pytest

from facekiosk.engine.dlib_engine import DlibEngine


@pytest.fixture(scope="session")
def dlib_engine() -> DlibEngine:
    """Live-video configuration (the default detect width), dlib's own descriptor."""
    return DlibEngine(descriptor="dlib")


@pytest.fixture(scope="session")
def photo_engine() -> DlibEngine:
    """Still-photo configuration: full resolution, one upsampling for small faces."""
    return DlibEngine(detect_width=0, descriptor="dlib", upsample=1)


@pytest.fixture(scope="session")
def bundled_dir(tmp_path_factory):
    """A data dir whose models/bundled/ holds the built float SFace and dlib graphs."""
    return tmp_path_factory.mktemp("bundled-data")


@pytest.fixture(scope="session")
def bundled_engine(bundled_dir):
    """The fused engine (YuNet + dlib ResNet on onnxruntime + float SFace), live settings."""
    from facekiosk.engine.bundled_engine import BundledEngine

    return BundledEngine(data_dir=bundled_dir, threads=1)
