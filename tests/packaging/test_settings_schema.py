"""settings.toml carries a format version; a downgraded app refuses a newer file."""

from __future__ import annotations

import pytest

from facekiosk.settings import (
    SETTINGS_SCHEMA,
    SettingsError,
    dump_settings,
    load_settings,
    parse_settings,
    save_settings,
)


def test_written_file_carries_the_schema(data_dir):
    save_settings(data_dir, parse_settings(""))
    text = (data_dir / "settings.toml").read_text(encoding="utf-8")
    assert f"[meta]\nschema = {SETTINGS_SCHEMA}\n" in text
    assert load_settings(data_dir).meta.schema == SETTINGS_SCHEMA


def test_file_without_meta_is_schema_1():
    assert parse_settings("[kiosk]\nkiosk_id = 'door'\n").meta.schema == 1


def test_newer_file_is_refused_with_a_clear_message(data_dir):
    newer = dump_settings(parse_settings("")).replace(
        f"schema = {SETTINGS_SCHEMA}", f"schema = {SETTINGS_SCHEMA + 1}"
    )
    path = data_dir / "settings.toml"
    path.write_text(newer, encoding="utf-8")
    with pytest.raises(SettingsError, match=r"meta\.schema: .*newer than this facekiosk"):
        load_settings(data_dir)
    assert path.read_text(encoding="utf-8") == newer  # refused, not rewritten


def test_schema_must_be_an_integer():
    with pytest.raises(SettingsError, match=r"meta\.schema"):
        parse_settings("[meta]\nschema = 'two'\n")
