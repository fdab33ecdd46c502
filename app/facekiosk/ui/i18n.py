"""Language switching through Qt's translation system (.qm compiled from .ts sources).

resources/translations/facekiosk_<lang>.ts are the sources (pyside6-lupdate),
the .qm next to them are compiled with pyside6-lrelease (both ship with
PySide6-Essentials). English is the source language: facekiosk_en.ts holds only
its plural forms ("1 try left" / "2 tries left"). Regenerate with
`resources/translations/update.sh` after changing any text.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTranslator

from facekiosk.paths import resources_dir

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "en"
LANGUAGES = {"en": "English", "de": "Deutsch"}


def translations_dir() -> Path:
    return resources_dir() / "translations"


class LanguageSwitcher:
    def __init__(self) -> None:
        self._translator: QTranslator | None = None
        self.language = SOURCE_LANGUAGE

    def set_language(self, language: str) -> bool:
        """Install `language`'s catalogue (every widget gets a LanguageChange event)."""
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("create the QApplication first")
        if self._translator is not None:
            app.removeTranslator(self._translator)
            self._translator = None
        self.language = SOURCE_LANGUAGE
        translator = QTranslator(app)
        qm = translations_dir() / f"facekiosk_{language}.qm"
        if not translator.load(str(qm)):
            # English needs no catalogue (only its plural forms live in facekiosk_en.qm)
            if language != SOURCE_LANGUAGE:
                log.warning("no translation for %r (%s); showing English", language, qm)
            return language == SOURCE_LANGUAGE
        app.installTranslator(translator)
        self._translator = translator
        self.language = language
        return True

    def next_language(self) -> str:
        names = list(LANGUAGES)
        return names[(names.index(self.language) + 1) % len(names)]
