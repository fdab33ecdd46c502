"""Saving writes only what differs from the defaults and keeps the admin's own file intact."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from facekiosk.settings import (
    SECTIONS,
    Settings,
    SettingsError,
    defaults_template,
    dump_settings,
    load_settings,
    parse_settings,
    save_settings,
)

NONET = Path(__file__).with_name("nonet.py")

ADMIN_FILE = """\
# Site: Hall B entrance. Ask Mo before changing anything here.
[meta]
schema = 1

[engine]
name = "dlib"
# raised for the 300 people of the evening shift (bench accuracy, 2026-03)
threshold = 0.935
future_key = "kept"   # a key from a newer facekiosk

[kiosk]
mode = "access"   # the turnstile
kiosk_id = "hall-b"
"""


def _replace(settings: Settings, section: str, **changes: object) -> Settings:
    new_section = dataclasses.replace(getattr(settings, section), **changes)
    return dataclasses.replace(settings, **{section: new_section})


def test_new_file_holds_only_non_defaults(data_dir):
    s = _replace(Settings(), "kiosk", mode="access", idle_timeout_s=45.0)
    path = save_settings(data_dir, s)
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {
        "meta": {"schema": 1},
        "kiosk": {"mode": "access", "idle_timeout_s": 45.0},
    }
    assert load_settings(data_dir) == s


def test_save_keeps_comments_order_and_unknown_keys(data_dir):
    path = data_dir / "settings.toml"
    path.write_text(ADMIN_FILE, encoding="utf-8")
    s = load_settings(data_dir)
    assert s.unknown_keys == ["engine.future_key"]
    s = _replace(s, "kiosk", idle_timeout_s=45.0)
    save_settings(data_dir, s)
    text = path.read_text(encoding="utf-8")
    # everything the admin wrote is there byte for byte, the new key after it
    assert text.startswith(ADMIN_FILE), text
    assert text[len(ADMIN_FILE) :].strip() == "idle_timeout_s = 45.0"
    assert load_settings(data_dir) == s


def test_a_key_set_back_to_its_default_leaves_the_file(data_dir):
    path = data_dir / "settings.toml"
    path.write_text(ADMIN_FILE, encoding="utf-8")
    s = _replace(load_settings(data_dir), "engine", threshold=None)
    s = _replace(s, "kiosk", mode="attendance")
    save_settings(data_dir, s)
    text = path.read_text(encoding="utf-8")
    assert "threshold" not in text.replace("# raised", "") and "mode" not in text
    assert "# Site: Hall B entrance." in text and 'future_key = "kept"' in text
    assert 'kiosk_id = "hall-b"' in text
    assert load_settings(data_dir) == s


def test_a_file_full_of_defaults_shrinks_to_what_the_site_changed(data_dir):
    """Files written by the old save (every default spelled out) are cleaned on the next save."""
    path = data_dir / "settings.toml"
    full = _replace(Settings(), "pin", policy="always")
    path.write_text(dump_settings(full), encoding="utf-8")
    save_settings(data_dir, load_settings(data_dir))
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {
        "meta": {"schema": 1},
        "pin": {"policy": "always"},
    }


def test_an_unreadable_file_is_not_overwritten(data_dir):
    path = data_dir / "settings.toml"
    path.write_text("[kiosk\nmode = ", encoding="utf-8")
    with pytest.raises(SettingsError, match="not overwritten"):
        save_settings(data_dir, Settings())
    assert path.read_text(encoding="utf-8") == "[kiosk\nmode = "


def test_defaults_template_lists_every_key_and_means_the_defaults():
    text = defaults_template()
    assert parse_settings(text) == Settings()
    for name, cls in SECTIONS.items():
        assert f"[{name}]" in text
        if name != "meta":
            for f in dataclasses.fields(cls):
                assert f"# {f.name} =" in text, f"{name}.{f.name}"


def test_settings_init_then_a_save_keeps_the_template(data_dir):
    proc = subprocess.run(
        [sys.executable, str(NONET), "--data-dir", str(data_dir), "settings", "init"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    path = data_dir / "settings.toml"
    template = path.read_text(encoding="utf-8")
    assert template == defaults_template()
    assert load_settings(data_dir) == Settings()
    save_settings(data_dir, _replace(Settings(), "camera", fps=15))
    after = path.read_text(encoding="utf-8")
    assert after.replace("fps = 15\n", "") == template  # one line added, nothing else changed
    tables = tomllib.loads(after)
    assert tables.pop("camera") == {"fps": 15} and tables.pop("meta") == {"schema": 1}
    assert all(values == {} for values in tables.values())  # the other tables: comments only
