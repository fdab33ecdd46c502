"""Typed settings: one TOML file (`settings.toml` in the data dir), defaults in code.

`schema` holds every key's type, default, range and cross-field rule; `parse` reads a file
through it (a bad value is a `SettingsError` naming the dotted key, unknown keys are
reported, not fatal); `save` writes only what differs from the defaults, keeping the
admin's comments.
"""

from facekiosk.settings.parse import (
    SETTINGS_FILE,
    SettingsError,
    build_section,
    load_settings,
    parse_settings,
    settings_from_data,
)
from facekiosk.settings.save import (
    defaults_template,
    dump_settings,
    save_settings,
    update_document,
)
from facekiosk.settings.schema import (
    LOG_LEVELS,
    SECTIONS,
    SETTINGS_SCHEMA,
    THRESHOLD_RANGES,
    CameraSettings,
    EngineSettings,
    KioskSettings,
    LivenessSettings,
    LogSettings,
    MetaSettings,
    PinSettings,
    QualitySettings,
    Settings,
    VaultSettings,
)

__all__ = [
    "LOG_LEVELS",
    "SECTIONS",
    "SETTINGS_FILE",
    "SETTINGS_SCHEMA",
    "THRESHOLD_RANGES",
    "CameraSettings",
    "EngineSettings",
    "KioskSettings",
    "LivenessSettings",
    "LogSettings",
    "MetaSettings",
    "PinSettings",
    "QualitySettings",
    "Settings",
    "SettingsError",
    "VaultSettings",
    "build_section",
    "defaults_template",
    "dump_settings",
    "load_settings",
    "parse_settings",
    "save_settings",
    "settings_from_data",
    "update_document",
]
