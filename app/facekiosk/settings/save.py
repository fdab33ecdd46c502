"""Writing settings.toml: only what differs from the defaults, in the admin's own file.

The existing file is edited as a tomlkit document, so the admin's comments, key order and
keys this version does not know survive a save from the admin panel; a key set back to its
default is removed, so the file keeps showing what this site changed.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Comment, Table
from tomlkit.toml_document import TOMLDocument

from facekiosk.settings.parse import SETTINGS_FILE, SettingsError
from facekiosk.settings.schema import SECTIONS, SETTINGS_SCHEMA, Settings


def _fields(section: Any) -> list[str]:
    return [f.name for f in dataclasses.fields(section)]


def dump_settings(settings: Settings) -> str:
    """TOML text of every value in force (`settings show`); None (= default) is left out."""
    doc = tomlkit.document()
    for name in SECTIONS:
        section = getattr(settings, name)
        table = tomlkit.table()
        for key in _fields(section):
            value = getattr(section, key)
            if value is not None:
                table[key] = value
        doc[name] = table
    return tomlkit.dumps(doc)


def defaults_template() -> str:
    """A new settings.toml for `settings init`: every key commented out at its default."""
    lines = [
        "# facekiosk settings. Every key is listed at its default, commented out: uncomment",
        "# a line to change it for this site (README, Configuration). Check the file with",
        "# `facekiosk settings check`; the admin panel keeps these comments when it saves.",
        "",
        "[meta]",
        f"schema = {SETTINGS_SCHEMA}",
    ]
    defaults = Settings()
    for name in SECTIONS:
        if name == "meta":
            continue
        lines += ["", f"[{name}]"]
        section = getattr(defaults, name)
        for key in _fields(section):
            value = getattr(section, key)
            if value is None:
                lines.append(f"# {key} =   (unset: the engine's own default)")
            else:
                lines.append(f"# {key} = {tomlkit.item(value).as_string()}")
    return "\n".join(lines) + "\n"


def _read_document(path: Path) -> TOMLDocument:
    if not path.exists():
        return tomlkit.document()
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except (TOMLKitError, UnicodeDecodeError) as exc:
        # never overwrite a file we cannot read: the admin's edits would be lost
        raise SettingsError(f"{path}: not valid TOML, not overwritten: {exc}") from exc


def _has_comments(table: Table) -> bool:
    return bool(table.trivia.comment) or any(
        isinstance(item, Comment) for _, item in table.value.body
    )


def update_document(doc: TOMLDocument, settings: Settings) -> None:
    """Make `doc` say `settings`: set values that differ from the defaults (unless the file
    already says so), remove known keys at their default, leave everything else alone."""
    defaults = Settings()
    for name in SECTIONS:
        section, default = getattr(settings, name), getattr(defaults, name)
        table = doc.get(name)
        for key in _fields(section):
            value = getattr(section, key)
            keep = name == "meta" or value != getattr(default, key)
            if not keep:
                if table is not None and key in table:
                    del table[key]
                continue
            if name == "meta":
                value = SETTINGS_SCHEMA  # what this version writes is its own schema
            if table is None:
                table = tomlkit.table()
                doc[name] = table
            current = table.get(key)
            if current is None or tomlkit.item(current).unwrap() != value:
                table[key] = value
        if isinstance(table, Table) and len(table) == 0 and not _has_comments(table):
            del doc[name]


def save_settings(data_dir: Path, settings: Settings) -> Path:
    """Write atomically (temp file + rename) so a crash never leaves half a file."""
    from facekiosk.fsutil import atomic_write

    path = data_dir / SETTINGS_FILE
    doc = _read_document(path)
    update_document(doc, settings)
    atomic_write(path, tomlkit.dumps(doc).encode("utf-8"))
    return path
