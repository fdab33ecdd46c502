"""Every text goes through Qt's translator; German is complete and switches live."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from facekiosk.ui import messages
from facekiosk.ui.i18n import LanguageSwitcher, translations_dir
from facekiosk.ui.pages.attract import AttractPage
from facekiosk.ui.pages.pin import PinPage

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def german(qapp):
    switcher = LanguageSwitcher()
    assert switcher.set_language("de")
    yield switcher
    switcher.set_language("en")


def test_german_ts_is_complete_and_compiled_qm_is_current(tmp_path):
    ts = translations_dir() / "facekiosk_de.ts"
    root = ET.parse(ts).getroot()
    unfinished = [
        m.findtext("source")
        for m in root.iter("message")
        if m.find("translation").get("type") == "unfinished"
        or not "".join(m.find("translation").itertext()).strip()
    ]
    assert unfinished == []
    lrelease = REPO / ".venv" / "bin" / "pyside6-lrelease"
    if not lrelease.exists():
        pytest.skip("pyside6-lrelease not installed")
    fresh = tmp_path / "de.qm"
    subprocess.run([str(lrelease), "-silent", str(ts), "-qm", str(fresh)], check=True)
    committed = translations_dir() / "facekiosk_de.qm"
    assert fresh.read_bytes() == committed.read_bytes(), "run resources/translations/update.sh"


def _messages(ts: Path) -> dict[tuple[str, str], str]:
    """(context, source) -> German text ("" when unfinished or empty)."""
    out = {}
    for context in ET.parse(ts).getroot().iter("context"):
        for m in context.iter("message"):
            t = m.find("translation")
            done = t.get("type") != "unfinished"
            out[(context.findtext("name"), m.findtext("source"))] = (
                "".join(t.itertext()).strip() if done else ""
            )
    return out


def test_the_ts_holds_every_text_of_the_code_translated(tmp_path):
    """Re-extract the GUI's texts the way update.sh does: a text added to the code (the API
    and Site tabs were) and not yet in the committed .ts would show up untranslated."""
    lupdate = REPO / ".venv" / "bin" / "pyside6-lupdate"
    if not lupdate.exists():
        pytest.skip("pyside6-lupdate not installed")
    committed = translations_dir() / "facekiosk_de.ts"
    fresh = tmp_path / "de.ts"
    fresh.write_bytes(committed.read_bytes())
    subprocess.run(
        [str(lupdate), "-silent", "-extensions", "py", "-no-obsolete", "-locations", "none",
         str(REPO / "app" / "facekiosk" / "ui"), "-ts", str(fresh)],
        check=True,
    )  # fmt: skip
    missing = sorted(k for k, text in _messages(fresh).items() if not text)
    assert missing == [], "run resources/translations/update.sh and translate these"
    assert _messages(fresh) == _messages(committed)


def test_every_source_text_is_extracted():
    """The .ts holds every message key's text: nothing shown is left out of translation."""
    root = ET.parse(translations_dir() / "facekiosk_de.ts").getroot()
    sources = {m.findtext("source") for m in root.iter("message")}
    assert set(messages.MESSAGES.values()) <= sources


def test_language_switch_retranslates_pages(qtbot, german):
    page = AttractPage()
    qtbot.addWidget(page)
    assert page.enroll_button.text() == "Registrieren (erstes Mal)"
    assert page.language_button.text() == "English"  # the button names the other language
    assert messages.text("error.pad_attack") == "Die Lebenderkennung ist fehlgeschlagen"
    german.set_language("en")
    QApplication.processEvents()
    assert page.enroll_button.text() == "Enrol (first time)"
    assert page.enroll_button.accessibleName() == "Enrol (first time)"


def test_plural_forms(qtbot):
    switcher = LanguageSwitcher()
    switcher.set_language("en")
    page = PinPage()
    qtbot.addWidget(page)
    assert page.tr("%n tries left", "", 1) == "1 try left"
    assert page.tr("%n tries left", "", 2) == "2 tries left"
    switcher.set_language("de")
    try:
        assert page.tr("%n tries left", "", 1) == "noch 1 Versuch"
    finally:
        switcher.set_language("en")


def test_unknown_key_shows_itself():
    assert messages.text("error.something_new") == "error.something_new"


def test_every_session_message_key_has_a_text_and_a_german_translation(german):
    """Every key a SessionView can carry (kiosk.codes.message_keys) has an English text in
    the UI's table and a German translation: a new code cannot reach the screen as a raw key."""
    from facekiosk.kiosk.codes import message_keys

    keys = message_keys()
    missing = sorted(keys - set(messages.MESSAGES))
    assert missing == [], f"no UI text for {missing}: add them to facekiosk/ui/messages.py"
    root = ET.parse(translations_dir() / "facekiosk_de.ts").getroot()
    german_ts = {
        m.findtext("source"): "".join(m.find("translation").itertext()).strip()
        for c in root.iter("context")
        if c.findtext("name") == messages.CONTEXT
        for m in c.iter("message")
    }
    untranslated = sorted(k for k in keys if not german_ts.get(messages.MESSAGES[k]))
    assert untranslated == [], f"no German for {untranslated}: run update.sh, then translate"
    # ... and the compiled catalogue the kiosk loads really shows German for each of them
    not_loaded = sorted(k for k in keys if messages.text(k) == messages.MESSAGES[k])
    assert not_loaded == [], f"the .qm shows English for {not_loaded}: run update.sh"
