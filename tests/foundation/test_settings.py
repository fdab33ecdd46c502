"""Settings: defaults in code, typed values, unknown keys reported, bad values name the key."""

from __future__ import annotations

import pytest

from facekiosk.settings import (
    Settings,
    SettingsError,
    dump_settings,
    load_settings,
    parse_settings,
    save_settings,
)


def test_missing_file_gives_defaults(tmp_path):
    assert load_settings(tmp_path) == Settings()


def test_values_are_typed_and_ints_widen_to_float():
    s = parse_settings("[quality]\nenroll_max_yaw = 10\n[engine]\nthreshold = 0.5\n")
    assert s.quality.enroll_max_yaw == 10.0 and isinstance(s.quality.enroll_max_yaw, float)
    assert s.engine.threshold == 0.5


def test_unknown_keys_are_reported_not_fatal():
    s = parse_settings("[engine]\nnmae = 'dlib'\n[colour]\nx = 1\n")
    assert s.unknown_keys == ["engine.nmae", "colour"]
    assert s.engine.name == "bundled"  # the misspelt key is ignored: the default stays


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[engine]\ndetect_width = 'wide'\n", "engine.detect_width"),
        ("[engine]\ndescriptor = 'gpu'\n", "engine.descriptor"),
        ("[pin]\nunique = 1\n", "pin.unique"),
        ("[pin]\nmin_length = 3\n", "pin.min_length"),
        ("[kiosk]\nmode = 'party'\n", "kiosk.mode"),
        ("[engine]\nproviders = 'CPU'\n", "engine.providers"),
        ("engine = 3\n", "engine"),
        ("[engine]\nthreshold = 2.0\n", "engine.threshold"),
    ],
)
def test_bad_values_name_the_key(text, key):
    with pytest.raises(SettingsError) as info:
        parse_settings(text)
    assert str(info.value).startswith(key)


def test_broken_toml_is_a_clear_error(tmp_path):
    (tmp_path / "settings.toml").write_text("[engine\nname=")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(tmp_path)


def test_round_trip_through_file(tmp_path):
    s = parse_settings(
        "[kiosk]\nmode = 'access'\nanti_passback = true\n[engine]\nthreshold = 0.7\n"
    )
    save_settings(tmp_path, s)
    again = load_settings(tmp_path)
    assert again == s
    assert "threshold = 0.7" in dump_settings(again)
    assert not list(tmp_path.glob(".settings-*"))  # no temp file left behind
