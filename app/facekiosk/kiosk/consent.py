"""Versioned consent texts from `resources/consent/<language>.md`.

The version is derived from the text itself (language + first 10 hex digits of
the SHA-256 of the normalised text), so any edit of a text bumps its version
and a person's recorded consent always points at the exact words they saw.
`kiosk.consent_version` in settings pins the version the site approved: if the
text on disk no longer has that version the kiosk refuses to start enrolling
instead of showing words nobody reviewed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from facekiosk.paths import resources_dir

CONSENT_DIR = "consent"
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


class ConsentError(RuntimeError):
    """The consent text is missing, unreadable, or not the approved version."""


@dataclass(frozen=True)
class ConsentText:
    language: str
    version: str  # e.g. "en-3f2a9c1b04"
    title: str  # the first Markdown heading
    text: str  # the whole Markdown text, normalised


def normalise(text: str) -> str:
    """Line endings and trailing spaces do not change the meaning (nor the version)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip() + "\n"


def consent_version(language: str, text: str) -> str:
    digest = hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()
    return f"{language}-{digest[:10]}"


def available_languages(folder: Path | None = None) -> list[str]:
    folder = folder or resources_dir() / CONSENT_DIR
    return sorted(p.stem for p in folder.glob("*.md") if _LANGUAGE.match(p.stem))


def load_consent(
    language: str = "en", *, pinned_version: str = "", folder: Path | None = None
) -> ConsentText:
    """The consent text for `language` (falls back to English when missing)."""
    if not _LANGUAGE.match(language):
        raise ConsentError(f"consent language {language!r} is not a language code")
    folder = folder or resources_dir() / CONSENT_DIR
    path = folder / f"{language}.md"
    if not path.is_file():
        path = folder / "en.md"
        language = "en"
    try:
        text = normalise(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConsentError(f"cannot read consent text {path}: {exc}") from exc
    version = consent_version(language, text)
    if pinned_version and pinned_version != version:
        raise ConsentError(
            f"consent text {path.name} is version {version} but settings pin "
            f"kiosk.consent_version = {pinned_version!r}: review the new text and update the pin"
        )
    title = next((ln.lstrip("# ").strip() for ln in text.splitlines() if ln.startswith("#")), "")
    return ConsentText(language=language, version=version, title=title, text=text)
