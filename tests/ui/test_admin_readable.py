"""Issue 17, the admin panel as an admin meets it: whole texts in the tables, a header for
every column, new audit entries without "Refresh", "Chain intact" in the good colour, no
delete without a reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QInputDialog

from facekiosk.settings import Settings
from facekiosk.ui.admin.panel import AdminPanel
from tests.ui.test_admin_tabs import unit


@pytest.fixture
def vault(data_dir):
    from facekiosk.vault import Vault

    with Vault.open(data_dir) as v:
        yield v


@pytest.fixture
def panel(qtbot, vault, data_dir):
    from facekiosk.ui.app import qt_app

    qt_app()  # the theme: the colours under test come from kiosk.qss
    consent = "en-c4c324aad5"
    ids = [vault.enroll([unit(i)], label=f"person {i}", consent_version=consent) for i in range(3)]
    now = datetime.now(UTC)
    vault.record_event("auth", ids[1], "kiosk-1", "deny", "UNRECOGNIZED_FACE", at=now)
    vault.record_event("attendance", ids[0], "kiosk-1", "check_in", at=now)
    p = AdminPanel(vault, Settings(), data_dir)
    qtbot.addWidget(p)
    p.resize(1024, 700)
    p.show()
    p.ids = ids  # type: ignore[attr-defined]
    return p


def clipped_cells(table) -> list[str]:
    """Cells (and headers) whose text is wider than their column: what the eye sees cut."""
    model = table.model()
    header = table.horizontalHeader()
    metrics = table.fontMetrics()
    cut = []
    for c in range(model.columnCount()):
        width = header.sectionSize(c)
        texts = [str(model.headerData(c, header.orientation()))]
        texts += [str(model.index(r, c).data() or "") for r in range(model.rowCount())]
        for text in texts:
            widest = max((metrics.horizontalAdvance(line) for line in text.split("\n")), default=0)
            if widest > width:
                cut.append(f"col {c}: {text[:40]!r} needs {widest} px, has {width}")
    return cut


@pytest.mark.parametrize("tab_name", ["identities", "audit", "events"])
def test_tables_show_whole_texts_and_a_header_for_every_column(qtbot, panel, tab_name):
    tab = getattr(panel, tab_name)
    panel.tabs.setCurrentIndex(["identities", "audit", "events"].index(tab_name))
    if tab_name != "identities":
        tab.refresh()
    QApplication.processEvents()
    table = tab.table
    assert table.model().rowCount() >= 2
    assert clipped_cells(table) == []
    if tab_name != "identities":  # six short columns and one Index ID: no sideways scroll
        assert table.horizontalScrollBar().maximum() == 0
    model = table.model()
    headers = [str(model.headerData(c, table.horizontalHeader().orientation()) or "").strip()
               for c in range(model.columnCount())]  # fmt: skip
    assert all(headers), headers
    # a selected column's header is not drawn bold (wider than the width measured for it)
    assert not table.horizontalHeader().highlightSections()


ELIDED = {"identities": (0, 5), "audit": (4,), "events": (5, 3)}


@pytest.mark.parametrize("width", [800, 1024])
@pytest.mark.parametrize("tab_name", ["identities", "audit", "events"])
def test_tables_are_readable_without_sideways_scrolling(qtbot, panel, tab_name, width):
    """A portrait 800x1280 screen: the right columns used to sit off-screen until scrolled.
    Now the long columns are cut in the middle, whole in the tooltip; the rest stay whole;
    at 1024 px nothing is cut at all."""
    panel.resize(width, 1200 if width == 800 else 700)
    tab = getattr(panel, tab_name)
    panel.tabs.setCurrentIndex(["identities", "audit", "events"].index(tab_name))
    if tab_name != "identities":
        tab.refresh()
    QApplication.processEvents()
    table = tab.table
    table.fit_columns()
    QApplication.processEvents()
    assert table.model().rowCount() >= 2
    assert table.horizontalScrollBar().maximum() == 0
    area = panel.tabs.currentWidget()  # the tab's own scroll area does not scroll either
    assert area.horizontalScrollBar().maximum() == 0
    header = table.horizontalHeader()
    assert sum(header.sectionSize(c) for c in range(header.count())) <= table.viewport().width()
    cut = clipped_cells(table)
    if width == 1024:
        assert cut == []
        return
    assert all(int(c.split(":")[0][4:]) in ELIDED[tab_name] for c in cut), cut
    model = table.model()
    for c in ELIDED[tab_name]:  # a cut cell tells its whole text on hover
        for r in range(model.rowCount()):
            index = model.index(r, c)
            assert index.data(Qt.ItemDataRole.ToolTipRole) == index.data()


def test_audit_tab_shows_a_new_entry_without_refresh(qtbot, panel, vault):
    panel.tabs.setCurrentIndex(1)
    audit = panel.audit
    qtbot.waitUntil(lambda: audit.isVisible(), timeout=2000)
    before = audit.table.rowCount()
    vault.delete([panel.ids[2]], reason="left the company", actor="admin")
    qtbot.waitUntil(lambda: audit.table.rowCount() == before + 1, timeout=5000)
    assert audit.table.item(0, 3).text() == "purge"  # newest first
    assert "left the company" in audit.table.item(0, 4).text()


def test_chain_intact_is_drawn_in_the_good_colour(panel):
    panel.tabs.setCurrentIndex(1)
    label = panel.audit.result
    assert panel.audit.verify().ok
    colour = label.palette().color(QPalette.ColorRole.WindowText)
    assert colour == QColor("#3ddc84"), colour.name()


def test_a_delete_without_a_reason_is_refused(qtbot, panel, vault, monkeypatch):
    tab = panel.identities
    tab.table.selectRow(0)
    assert tab.delete_selected(reason="   ") is None
    assert vault.count() == 3
    answers = iter([("", True), ("  ", True), ("lost badge", True)])
    asked = []

    def get_text(parent, title, prompt, *a, **kw):
        asked.append(prompt)
        return next(answers)

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    receipt = tab.delete_selected()
    assert receipt is not None and vault.count() == 2
    assert len(asked) == 3 and "reason is required" in asked[1]
    assert any("lost badge" in str(e.details) for e in vault.audit_entries())


@pytest.fixture
def german(qapp):
    """The panel in German for one test, English again after it."""
    from facekiosk.ui.app import qt_app
    from facekiosk.ui.i18n import LanguageSwitcher

    qt_app()
    switcher = LanguageSwitcher()
    assert switcher.set_language("de")
    yield
    switcher.set_language("en")


def shown_panel(qtbot, vault, data_dir, width: int, height: int) -> AdminPanel:
    """The admin panel shown at width x height, its Index IDs table fitted."""
    p = AdminPanel(vault, Settings(), data_dir)
    qtbot.addWidget(p)
    p.resize(width, height)
    p.show()
    QApplication.processEvents()
    p.identities.table.fit_columns()
    QApplication.processEvents()
    return p


def test_german_index_ids_tab_fits_800_px(qtbot, vault, data_dir, german):
    """Longer German headers and buttons: the tab scrolled sideways as a whole before."""
    for i in range(3):
        vault.enroll([unit(i)], label=f"Person {i}", consent_version="en-c4c324aad5")
    p = shown_panel(qtbot, vault, data_dir, 800, 1200)
    table = p.identities.table
    assert p.tabs.currentWidget().horizontalScrollBar().maximum() == 0
    assert table.horizontalScrollBar().maximum() == 0
    model = table.model()
    assert model.headerData(5, Qt.Orientation.Horizontal) == "Bezeichnung"
    assert model.headerData(5, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)


def test_german_events_and_key_states_read_as_words_with_the_code_in_the_tooltip(
    qtbot, vault, data_dir, german
):
    """The walk saw "check_in", "deny" and "active" as English codes in the German panel.
    The vault and the export keep the codes; the panel shows words, the code in the
    tooltip, and a code it has no word for as it is."""
    from facekiosk.ui.admin.api_tab import ApiTab

    index_id = vault.enroll([unit(1)], label="Person", consent_version="en-c4c324aad5")
    now = datetime.now(UTC)
    vault.record_event("attendance", index_id, "kiosk-1", "check_in", at=now)
    vault.record_event("session", None, "kiosk-1", "future_code", at=now)
    vault.api_keys.create(("read",), label="HR")
    p = AdminPanel(vault, Settings(), data_dir)
    qtbot.addWidget(p)
    events = p.events.table
    rows = {
        events.item(r, 1).text(): (events.item(r, 2).text(), events.item(r, 2).toolTip())
        for r in range(events.rowCount())
    }
    assert rows["Anwesenheit"] == ("Check-in", "Check-in (check_in)")
    assert rows["Sitzung"] == ("future_code", "future_code")
    kinds = [p.events.kind.itemText(i) for i in range(p.events.kind.count())]
    assert "Registrierung" in kinds and "enroll" not in kinds
    api = ApiTab(vault, Settings())
    qtbot.addWidget(api)
    assert api.keys.item(0, 3).text() == "aktiv"
    assert "check_in" in {e.decision for e in vault.events()}  # the stored code is unchanged


def test_german_index_ids_are_whole_at_1024_px_and_the_status_is_a_word(
    qtbot, vault, data_dir, german
):
    """The walk saw the German Index IDs tab cut every Index ID at 1024 px (its long
    "Zuletzt gesehen" header took the room) and the status as the English code "active"."""
    for i in range(3):
        index_id = vault.enroll([unit(i)], label=f"Person {i}", consent_version="en-c4c324aad5")
        vault.touch(index_id)  # a date in "last seen" too: the widest this column gets
    panel = shown_panel(qtbot, vault, data_dir, 1024, 700)  # kept: the table is its child
    table = panel.identities.table
    assert table.horizontalHeader().sectionSize(0) >= table.sizeHintForColumn(0)
    model = table.model()
    assert model.index(0, 4).data() == "aktiv"
    assert model.index(0, 4).data(Qt.ItemDataRole.ToolTipRole) == "aktiv (active)"
