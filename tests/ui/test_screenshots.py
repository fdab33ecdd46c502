"""The screenshot helper saves a distinct, non-empty PNG of every page."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage

from facekiosk.settings import Settings
from facekiosk.ui.main_window import KioskWindow
from facekiosk.ui.screenshots import SIZES, sample_views, save_screenshots


def test_screenshot_of_every_page(qtbot, data_dir, tmp_path):
    from facekiosk.vault import Vault

    with Vault.open(data_dir) as vault:
        w = KioskWindow(None, Settings(), data_dir, vault=vault)
        qtbot.addWidget(w)
        paths = save_screenshots(w, tmp_path / "shots")
    names = {p.stem for p in paths}
    expected = {"attract", "privacy", "admin_login", "admin_index_ids", "admin_audit"}
    expected |= {"privacy_licences", "admin_events", "admin_settings", "admin_vault"}
    expected |= {"admin_models", "admin_api", *sample_views()}
    assert expected | {f"portrait_{n}" for n in expected} <= names  # 1024x768 and 800x1280
    portrait = QImage(str(next(p for p in paths if p.stem == "portrait_attract")))
    assert (portrait.width(), portrait.height()) == SIZES["portrait_"]
    digests = set()
    for p in paths:
        image = QImage(str(p))
        assert not image.isNull() and image.width() >= 800, p
        digests.add(p.read_bytes())
    assert len(digests) == len(paths)  # every page looks different


def _files(folder: Path) -> list[str]:
    """The files in `folder` but SQLite's -wal/-shm (they come and go with connections)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm")))


def test_admin_screenshots_show_demo_rows_from_a_throwaway_vault(qtbot, data_dir, tmp_path):
    """The Index IDs screenshot shows demo records; the window's own vault and data dir
    get none of them (nor the demo vault's files)."""
    from facekiosk.vault import Vault

    shown: list[tuple[int, list[str], str]] = []
    with Vault.open(data_dir) as vault:
        before = _files(data_dir)
        w = KioskWindow(None, Settings(), data_dir, vault=vault)
        qtbot.addWidget(w)

        def on_page(name: str) -> None:
            if name == "admin":
                tab = w.admin_panel.identities
                labels = [tab.model.row_at(r).label for r in range(tab.model.rowCount())]
                shown.append((tab.model.total, labels, str(w.admin_panel.vault.data_dir)))

        w.page_changed.connect(on_page)
        save_screenshots(w, tmp_path / "shots")
        assert vault.count() == 0 and w.vault is vault and w.data_dir == data_dir
    assert _files(data_dir) == before
    assert len(shown) == len(SIZES)  # the admin panel once per window size
    for total, labels, demo_dir in shown:
        assert total >= 3 and sorted(labels) == [f"Demo {i + 1}" for i in range(total)]
        assert not Path(demo_dir).exists(), "the throw-away data dir is removed afterwards"
