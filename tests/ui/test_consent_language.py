"""The start screen's language button switches the consent text too, so the version an
enrolment records is the text that was on screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from facekiosk.kiosk.consent import load_consent
from tests.ui.test_full_flow import wait_page


@pytest.fixture
def kiosk_en(make_kiosk):
    k = make_kiosk()
    yield k
    k.window.languages.set_language("en")  # the translator is application-wide


def test_language_button_switches_consent_text_and_recorded_version(qtbot, kiosk_en):
    w, vault = kiosk_en.window, kiosk_en.vault
    german, english = load_consent("de"), load_consent("en")
    assert german.version != english.version
    attract = w.pages["attract"]
    qtbot.mouseClick(attract.language_button, Qt.MouseButton.LeftButton)
    assert w.languages.language == "de"
    qtbot.waitUntil(lambda: attract.enroll_button.text() == "Registrieren (erstes Mal)")
    qtbot.mouseClick(attract.enroll_button, Qt.MouseButton.LeftButton)
    wait_page(qtbot, w, "consent")
    consent = w.pages["consent"]
    shown = consent.text.toPlainText()
    assert german.title in shown and english.title not in shown
    assert german.version in consent.version.text()
    bar = consent.text.verticalScrollBar()
    bar.setValue(bar.maximum())
    qtbot.waitUntil(consent.accept_button.isEnabled, timeout=5000)
    qtbot.mouseClick(consent.accept_button, Qt.MouseButton.LeftButton)
    wait_page(qtbot, w, "result")
    view = kiosk_en.controller.view
    assert str(view.result.kind) == "ENROLLED", view
    assert vault.get(view.result.index_id).consent_version == german.version


def test_consent_page_regates_accept_when_the_text_changes(qtbot):
    from facekiosk.ui.pages.consent import ConsentPage

    page = ConsentPage()
    qtbot.addWidget(page)
    page.resize(400, 300)  # small: the texts do not fit, scrolling is needed
    page.show()
    english, german = load_consent("en"), load_consent("de")
    page.set_consent(english.text, english.version)
    bar = page.text.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5000)
    bar.setValue(bar.maximum())
    qtbot.waitUntil(page.accept_button.isEnabled, timeout=5000)
    page.set_consent(german.text, german.version)  # switched while on the page
    qtbot.wait(200)  # layout and scroll-range signals settle
    assert not page.accept_button.isEnabled()
    assert bar.value() == 0 and bar.maximum() > 0


def test_the_buttons_say_what_the_consent_text_tells_people_to_choose(qtbot):
    """The text says "choose **I agree** or **No thanks**"; the button said "No, thanks"
    ("Nein, danke"). The text's own words are the buttons' (changing the text would change
    its version and ask everyone again)."""
    from facekiosk.ui.i18n import LanguageSwitcher
    from facekiosk.ui.pages.consent import ConsentPage

    page = ConsentPage()
    qtbot.addWidget(page)
    switcher = LanguageSwitcher()
    try:
        for language in ("en", "de"):
            assert switcher.set_language(language)
            page.retranslate()
            text = load_consent(language).text
            for button in (page.accept_button, page.decline_button):
                assert f"**{button.text()}**" in text, (language, button.text())
    finally:
        switcher.set_language("en")
