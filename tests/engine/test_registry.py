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


def test_default_engine_is_bundled_at_its_own_detect_width():
    from facekiosk.engine.bundled_engine import DEFAULT_DETECT_WIDTH as YUNET_WIDTH
    from facekiosk.engine.dlib_engine import DEFAULT_DETECT_WIDTH as HOG_WIDTH
    from facekiosk.engine.registry import default_detect_width, engine_space

    settings = EngineSettings()
    assert (settings.name, settings.detect_width) == ("bundled", None)
    assert (default_detect_width("bundled"), default_detect_width("dlib")) == (320, 480)
    assert (YUNET_WIDTH, HOG_WIDTH) == (320, 480)
    assert create_engine(EngineSettings(name="dlib", descriptor="dlib")).detect_width == 480
    engine = create_engine(settings)
    assert (engine.name, engine.detect_width) == ("bundled", 320)
    assert engine_space(settings) == f"bundled/{engine.model_id}"
    assert engine_space(EngineSettings(name="dlib")) == f"{DlibEngine.name}/{DlibEngine.model_id}"
    assert engine_space(EngineSettings(name="insight")) is None


@pytest.mark.parametrize(
    ("name", "threshold", "ok"),
    [
        ("bundled", 0.7411, True),  # its default (FAR 1e-3)
        ("bundled", 0.45, True),
        ("bundled", 0.44, False),  # below the lowest DEV impostor pair: everyone matches
        ("bundled", 0.90, True),
        ("bundled", 0.92, False),  # a dlib-era threshold: 4 % of genuine pairs pass
        ("dlib", 0.92, True),
    ],
)
def test_threshold_range_per_engine(name, threshold, ok):
    from pydantic import ValidationError

    if ok:
        assert EngineSettings(name=name, threshold=threshold).threshold == threshold
        return
    with pytest.raises(ValidationError, match="threshold") as info:
        EngineSettings(name=name, threshold=threshold)
    if threshold > 0.9:
        assert 'engine.name = "dlib"' in str(info.value)


def test_a_dlib_era_threshold_without_an_engine_name_keeps_dlib():
    """settings.toml written when dlib was the default: `threshold = 0.935` alone still means
    the dlib engine after the update (no outage, nobody refused at 0.935 on fused cosines)."""
    from facekiosk.settings import parse_settings

    assert parse_settings("[engine]\nthreshold = 0.935\n").engine.name == "dlib"
    assert parse_settings("[engine]\nthreshold = 0.76\n").engine.name == "bundled"
    assert parse_settings("[engine]\nname = 'dlib'\nthreshold = 0.85\n").engine.name == "dlib"
