"""The licence of every bundled model, for the About/privacy page (issue 18): read from
`resources/models/<name>/model.json` (what, licence, source) and its LICENSE file, so a
model added to the package shows up without a code change."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

from facekiosk.engine.packaged_models import DLIB_MODELS, PACKAGE
from facekiosk.paths import resources_dir


@dataclass(frozen=True)
class ModelLicence:
    name: str
    what: str
    licence: str
    source: str
    text: str  # the LICENSE file, whole


def bundled_licences(models_dir: Path | None = None) -> list[ModelLicence]:
    folder = models_dir or resources_dir() / "models"
    found = []
    for meta in sorted(folder.glob("*/model.json")):
        info = json.loads(meta.read_text(encoding="utf-8"))
        licence_file = meta.parent / "LICENSE"
        text = licence_file.read_text(encoding="utf-8") if licence_file.exists() else ""
        found.append(
            ModelLicence(
                str(info.get("name", meta.parent.name)),
                str(info.get("what", "")),
                str(info.get("licence", "")),
                str(info.get("source", "")),
                text.strip(),
            )
        )
    # the dlib weights come from a Python package, with its licence (CC0) and a caveat
    found += [ModelLicence(m.name, m.what, m.licence, PACKAGE, m.licence) for m in DLIB_MODELS]
    return found


def licences_html(models: list[ModelLicence], heading: str, missing: str) -> str:
    """The models as HTML for a QTextBrowser: one line each, then each licence text."""
    e = html.escape
    parts = [f"<h3>{e(heading)}</h3><ul>"]
    for m in models:
        parts.append(
            f"<li><b>{e(m.name)}</b> — {e(m.what)}. <b>{e(m.licence)}</b>. {e(m.source)}</li>"
        )
    parts.append("</ul>")
    for m in models:
        body = e(m.text) if m.text else e(missing)
        parts.append(f"<h4>{e(m.name)}: {e(m.licence)}</h4>")
        # wrapped: a licence line must not need a sideways scroll
        parts.append(f"<pre style='white-space: pre-wrap'>{body}</pre>")
    return "".join(parts)
