"""Reading settings: TOML text or plain data through the schema into `Settings`.

Any bad value is one `SettingsError` naming the dotted key; unknown keys are collected in
`Settings.unknown_keys` and ignored, so an older app can read a newer file's extra keys.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from facekiosk.settings.schema import SECTIONS, Settings

SETTINGS_FILE = "settings.toml"


class SettingsError(ValueError):
    """A settings value is wrong; the message names the key."""


_EXPECTED = {
    "bool_type": "expected true or false",
    "int_type": "expected an integer",
    "float_type": "expected a number",
    "string_type": "expected a string",
    "list_type": "expected a list",
}
_BOUNDS = {
    "greater_than_equal": ("ge", "must be at least"),
    "greater_than": ("gt", "must be above"),
    "less_than_equal": ("le", "must be at most"),
    "less_than": ("lt", "must be below"),
}


def _dotted(section: str, loc: tuple[int | str, ...]) -> str:
    key = section
    for part in loc:
        key += f"[{part}]" if isinstance(part, int) else f".{part}"
    return key


def _message(section: str, error: ErrorDetails) -> str:
    """One pydantic error in the style `kiosk.mode: 'party' is not one of ...`."""
    kind, ctx, value = error["type"], error.get("ctx", {}), error.get("input")
    if kind == "value_error":
        text = str(ctx.get("error", error["msg"]))
        if not error["loc"]:  # a cross-field rule: its message starts with its field(s)
            return f"{section}.{text}"
        return f"{_dotted(section, error['loc'])}: {text}"
    key = _dotted(section, error["loc"])
    if kind == "literal_error":
        allowed = str(ctx.get("expected", "")).replace(" or ", ", ")
        return f"{key}: {value!r} is not one of {allowed}"
    if kind in _EXPECTED:
        return f"{key}: {_EXPECTED[kind]}, got {value!r}"
    if kind in _BOUNDS:
        name, words = _BOUNDS[kind]
        return f"{key}: {words} {ctx.get(name)}, got {value!r}"
    if kind == "string_too_short":
        return f"{key}: must not be empty"
    return f"{key}: {error['msg']}, got {value!r}"


def build_section(name: str, values: Mapping[str, Any]) -> Any:
    """The section `name` from `values` (known keys only); SettingsError names the key."""
    try:
        return SECTIONS[name](**values)
    except ValidationError as exc:
        raise SettingsError(_message(name, exc.errors()[0])) from None


def settings_from_data(data: Mapping[str, Any]) -> Settings:
    """Validate plain data (as read from TOML: section -> key -> value) into Settings."""
    unknown: list[str] = []
    sections: dict[str, Any] = {}
    for name, table in data.items():
        cls = SECTIONS.get(name)
        if cls is None:
            unknown.append(name)
            continue
        if not isinstance(table, Mapping):
            raise SettingsError(f"{name}: expected a [{name}] table")
        known = cls.__dataclass_fields__
        values = {k: v for k, v in table.items() if k in known}
        unknown.extend(f"{name}.{k}" for k in table if k not in known)
        sections[name] = build_section(name, values)
    settings = Settings(**sections)
    settings.unknown_keys = unknown
    return settings


def parse_settings(text: str, *, source: str = "settings") -> Settings:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{source}: not valid TOML: {exc}") from exc
    meta = data.setdefault("meta", {})
    if isinstance(meta, dict):
        meta.setdefault("schema", 1)  # a file from before the [meta] table
    return settings_from_data(data)


def load_settings(data_dir: Path) -> Settings:
    """Read `settings.toml` from the data dir; a missing file means all defaults."""
    path = data_dir / SETTINGS_FILE
    if not path.exists():
        return Settings()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SettingsError(f"{path}: not UTF-8 text") from exc
    return parse_settings(text, source=str(path))
