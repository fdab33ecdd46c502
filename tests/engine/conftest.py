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
