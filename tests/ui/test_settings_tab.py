"""The admin settings tab saves through the schema: only changed keys reach the file, the
admin's comments stay, and a value the schema refuses is named and nothing is written."""

from __future__ import annotations

import tomllib

import pytest

from facekiosk.settings import load_settings
from facekiosk.ui.admin.settings_tab import SettingsTab

ADMIN_FILE = """\
# Hall B kiosk: keep the PIN for everyone (works council, 2026-02)
[pin]
policy = "always"   # agreed with the works council
"""


@pytest.fixture
def tab(qtbot, data_dir):
    (data_dir / "settings.toml").write_text(ADMIN_FILE, encoding="utf-8")
    t = SettingsTab(load_settings(data_dir), data_dir)
    qtbot.addWidget(t)
    return t


def _file(data_dir) -> str:
    return (data_dir / "settings.toml").read_text(encoding="utf-8")


def test_save_writes_only_the_change_and_keeps_the_comments(tab, data_dir):
    widget, _ = tab.editors["kiosk.idle_timeout_s"]
    widget.setValue(45.0)
    assert tab.save() is not None, tab.status.text()
    text = _file(data_dir)
    assert text.startswith(ADMIN_FILE)  # the admin's lines, comments included, untouched
    assert tomllib.loads(text) == {
        "pin": {"policy": "always"},
        "kiosk": {"idle_timeout_s": 45.0},
        "meta": {"schema": 1},
    }


def test_emptying_the_threshold_removes_it(tab, data_dir):
    widget, _ = tab.editors["engine.threshold"]
    widget.setText("0.76")  # the bundled engine's FAR 1e-4 point
    assert tab.save() is not None, tab.status.text()
    assert load_settings(data_dir).engine.threshold == 0.76
    widget.setText("")  # back to the engine's default
    assert tab.save() is not None, tab.status.text()
    assert "threshold" not in _file(data_dir)
    assert load_settings(data_dir).engine.threshold is None


def test_the_throttle_limits_are_edited_in_the_kiosk_section(tab, data_dir):
    limits = {
        "kiosk.source_max_failures": 5,
        "kiosk.source_backoff_base_s": 45.0,
        "kiosk.source_backoff_max_s": 900.0,
        "kiosk.lockout_base_s": 120.0,
        "kiosk.lockout_max_s": 1800.0,
    }
    for key, value in limits.items():
        tab.editors[key][0].setValue(value)  # type: ignore[attr-defined]
    assert tab.save() is not None, tab.status.text()
    kiosk = load_settings(data_dir).kiosk
    assert {f"kiosk.{k}": getattr(kiosk, k) for k in (
        "source_max_failures", "source_backoff_base_s", "source_backoff_max_s",
        "lockout_base_s", "lockout_max_s",
    )} == limits  # fmt: skip


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("engine.threshold", "-1.0"),
        ("engine.threshold", "1.5"),
        ("engine.threshold", "high"),
        ("engine.margin", 0.7),
        ("kiosk.template_frames", 9),
        ("pin.lockout_base_s", 7200.0),
        ("kiosk.relay_pulse_s", 0.0),
        ("kiosk.source_max_failures", 0),
        ("kiosk.source_backoff_base_s", 900.0),  # longer than source_backoff_max_s (600)
        ("kiosk.lockout_base_s", 7200.0),  # longer than kiosk.lockout_max_s (3600)
    ],
)
def test_a_refused_value_is_named_and_nothing_is_written(tab, data_dir, key, value):
    widget, _ = tab.editors[key]
    if isinstance(value, str):
        widget.setText(value)
    else:
        widget.setValue(value)
    assert tab.save() is None
    assert f"Not saved: {key}" in tab.status.text()
    assert _file(data_dir) == ADMIN_FILE
    assert not tab.restart_button.isEnabled()
