"""Every page fits from a 7" 800x480 panel to 1080p, landscape and portrait."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from facekiosk.settings import Settings
from facekiosk.ui.main_window import KioskWindow
from facekiosk.ui.widgets import TOUCH_MIN_PX, BigButton

SIZES = [(800, 480), (480, 800), (1024, 768), (1920, 1080), (1080, 1920)]


@pytest.fixture(scope="module")
def window(qapp, tmp_path_factory):
    from facekiosk.ui.app import qt_app
    from facekiosk.vault import Vault

    qt_app()  # the theme, as `facekiosk run` applies it
    data_dir = tmp_path_factory.mktemp("layout")
    vault = Vault.open(data_dir)
    w = KioskWindow(None, Settings(), data_dir, vault=vault, demo_note="Demo banner")
    w.show()
    w.show_admin_panel()
    yield w
    w.close()
    w.deleteLater()
    vault.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_page_fits(window, size):
    window.resize(*size)
    QApplication.processEvents()
    assert window.size().toTuple() == size
    room = window.stack.size()
    pages = {**window.pages, "admin": window.admin_panel}
    too_big = {}
    for name, page in pages.items():
        window.show_page(name)  # measured as shown: hidden pages are polished lazily
        QApplication.processEvents()
        hint = page.minimumSizeHint()
        if hint.width() > room.width() or hint.height() > room.height():
            too_big[name] = hint.toTuple()
    assert too_big == {}, f"room {room.toTuple()}"
    # touch targets shrink with small panels but stay finger-sized (>= 7 mm on a 7" 800x480)
    heights = [b.minimumHeight() for b in window.findChildren(BigButton)]
    assert min(heights) >= round(TOUCH_MIN_PX * 0.55)


def test_controls_have_accessible_names(window):
    from PySide6.QtWidgets import QPushButton

    unnamed = [
        b.objectName() or b.text()
        for b in window.findChildren(QPushButton)
        if not (b.accessibleName() or b.text())
    ]
    assert unnamed == []
    assert window.preview.accessibleName() == "Camera preview"
