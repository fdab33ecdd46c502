from __future__ import annotations

import pytest

from facekiosk.engine.base import FaceEngine
from facekiosk.engine.dlib_engine import DlibEngine
from facekiosk.engine.registry import available_engines, create_engine
from facekiosk.engine.types import EngineError
from facekiosk.settings import EngineSettings


def test_dlib_is_always_available_and_created_from_settings():
    assert "dlib" in available_engines()
    engine = create_engine(EngineSettings(name="dlib", descriptor="dlib", detect_width=400))
    assert isinstance(engine, FaceEngine) and isinstance(engine, DlibEngine)
    assert (engine.name, engine.model_id, engine.dim) == ("dlib", "dlib_resnet_v1", 128)
    assert engine.detect_width == 400
    assert engine.descriptor_backend == "dlib"
    assert 0.0 < engine.default_threshold < 1.0
    assert not engine.photos
    assert create_engine(EngineSettings(descriptor="dlib"), photos=True).photos


def test_unknown_engine_is_a_clear_error():
    settings = EngineSettings()
    settings.name = "nope"  # type: ignore[assignment]  # the schema refuses it; assignment does not
    with pytest.raises(EngineError, match=r"unknown engine 'nope'.*dlib"):
        create_engine(settings)


def test_bad_descriptor_choice_is_a_clear_error():
    with pytest.raises(EngineError, match="unknown descriptor runtime"):
        DlibEngine(descriptor="cuda")


def test_insight_without_pack_is_an_engine_error(data_dir):
    # No pack is installed in a fresh data dir: whatever state the insight engine's
    # code is in, the caller gets an EngineError, never an ImportError/OSError.
    with pytest.raises(EngineError):
        create_engine(EngineSettings(name="insight", pack="buffalo_l"), data_dir)
