"""Shared fixtures: one real dlib engine per session and cached per-frame detections."""

from __future__ import annotations

import pytest

from facekiosk.engine.dlib_engine import DlibEngine


@pytest.fixture(scope="session")
def engine() -> DlibEngine:
    return DlibEngine(detect_width=320, descriptor="auto")
