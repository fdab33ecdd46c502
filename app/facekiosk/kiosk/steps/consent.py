"""Consent step: the text shown (and recorded) and whether someone's consent is current."""

from __future__ import annotations

import logging

from facekiosk.kiosk.consent import ConsentError, ConsentText, load_consent
from facekiosk.kiosk.core import FlowCore

log = logging.getLogger(__name__)


class ConsentStep:
    def __init__(self, core: FlowCore, text: ConsentText) -> None:
        self.core = core
        self.text = text
        self._current_versions: dict[str, str] = {text.language: text.version}

    def set_language(self, language: str) -> ConsentText:
        """See KioskSession.set_language."""
        pinned = self.core.settings.kiosk.consent_version
        if pinned and pinned.rsplit("-", 1)[0] != language:
            log.warning(
                "consent: kiosk.consent_version pins %s; keeping that text for %r",
                pinned,
                language,
            )
            language = pinned.rsplit("-", 1)[0]
        if language != self.text.language:
            try:
                text = load_consent(language, pinned_version=pinned)
            except ConsentError as exc:  # keep showing (and recording) the current text
                log.error("consent: cannot switch to %r: %s", language, exc)
                return self.text
            self.text = text
            self._current_versions[text.language] = text.version
        return self.text

    def is_current(self, index_id: str) -> bool:
        """Did this person accept the text now in force, in the language they accepted?"""
        accepted = self.core.vault.get(index_id).consent_version
        if not accepted:
            return False
        if accepted == self.text.version:
            return True
        language = accepted.rsplit("-", 1)[0]
        if language not in self._current_versions:
            try:
                current = load_consent(language).version
            except ConsentError:
                current = ""
            self._current_versions[language] = current
        return accepted == self._current_versions[language]
