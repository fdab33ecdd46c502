"""The screenshot helper saves a distinct, non-empty PNG of every page."""

from __future__ import annotations

from PySide6.QtGui import QImage

from facekiosk.settings import Settings
from facekiosk.ui.main_window import KioskWindow
from facekiosk.ui.screenshots import sample_views, save_screenshots


def test_screenshot_of_every_page(qtbot, data_dir, tmp_path):
    from facekiosk.vault import Vault

    with Vault.open(data_dir) as vault:
        w = KioskWindow(None, Settings(), data_dir, vault=vault)
        qtbot.addWidget(w)
        paths = save_screenshots(w, tmp_path / "shots")
    names = {p.stem for p in paths}
    expected = {"attract", "privacy", "admin_login", "admin_index_ids", "admin_audit"}
    assert expected | set(sample_views()) <= names
    digests = set()
    for p in paths:
        image = QImage(str(p))
        assert not image.isNull() and image.width() >= 800, p
        digests.add(p.read_bytes())
    assert len(digests) == len(paths)  # every page looks different
