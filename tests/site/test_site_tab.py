"""The admin panel's Site tab against the real hub: kiosks with last sync and lag, a
possible duplicate, a purge receipt that names the kiosks that confirmed and those pending
(and follows them as they confirm); no tab without a site."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt

from facekiosk.engine.types import Embedding
from facekiosk.settings import Settings, load_settings
from facekiosk.site import hub_state as hub_state_module
from facekiosk.site.hub import Hub
from facekiosk.site.hub_state import RECHECK_S, hub_state, saw_down
from facekiosk.site.membership import Membership, connect_member
from facekiosk.site.sync import SiteSync
from facekiosk.ui.admin.panel import AdminPanel
from facekiosk.vault import Vault
from tests.site.conftest import Site, near, unit

SPACE = ("bundled", "site-test")


@pytest.fixture(scope="module")
def site(pg_cluster, tmp_path_factory) -> Site:
    return Site(pg_cluster, tmp_path_factory.mktemp("tab")).create("A", "B")


@pytest.fixture
def vault_a(site) -> Iterator[Vault]:
    with Vault.open(site.dir("A")) as vault:
        yield vault


def sync_here(vault: Vault) -> dict[str, Any]:
    """One pass of this process's kiosk (its vault is open here: no CLI)."""
    m = Membership.load(vault.data_dir)
    assert m is not None
    hub = Hub(connect_member(m, m.secrets(vault)))
    try:
        return vars(SiteSync(vault, m, m.secrets(vault)).run_once(hub))
    finally:
        hub.close()


def cells(table: Any) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]  # fmt: skip


def test_site_tab_shows_kiosks_duplicates_and_follows_a_purge(qtbot, site, vault_a):
    rng = np.random.default_rng(164)
    v = unit(rng)[0]
    id_a = vault_a.enroll([Embedding(v, *SPACE)])
    b = site.kiosk("B")
    [id_b] = b.enroll(near(v, rng))
    assert "error" not in b.sync()
    assert sync_here(vault_a)["duplicates"]

    panel = AdminPanel(vault_a, load_settings(site.dir("A")), site.dir("A"))
    qtbot.addWidget(panel)
    tab = panel.site
    assert tab is not None
    assert "Site" in [panel.tabs.tabText(i) for i in range(panel.tabs.count())]
    with qtbot.waitSignal(tab.refreshed, timeout=10000):
        tab.refresh()
    kiosks = cells(tab.kiosks_table)
    assert [k[0] for k in kiosks] == ["A (this kiosk)", "B"]
    assert all(k[1] != "never" for k in kiosks), kiosks
    assert [k[2] for k in kiosks] == ["0", "1"]  # B has yet to pull A's record
    assert cells(tab.duplicates_table)[0][0] == " / ".join(sorted([id_a, id_b]))
    for table in (tab.kiosks_table, tab.purges_table, tab.duplicates_table):  # as every tab
        assert table.horizontalHeader().defaultAlignment() & Qt.AlignmentFlag.AlignLeft
    pair = tab.duplicates_table.item(0, 0)
    assert pair.toolTip() == pair.text()  # whole when the column is cut at 800 px

    ids = panel.identities
    row = next(r for r in range(ids.model.rowCount()) if ids.model.row_at(r).index_id == id_a)
    ids.table.selectRow(row)
    ids.delete_selected(reason="site tab test")
    assert "confirmed by A; pending B" in ids.receipt_box.text()
    assert "Vectors removed" in ids.receipt_box.text()  # the vault's receipt is kept

    assert sync_here(vault_a)["pushed_purges"] == 1
    assert "error" not in b.sync()  # B confirms
    b.close()
    with qtbot.waitSignal(tab.refreshed, timeout=10000):
        tab.refresh()
    assert "confirmed by A, B; pending -" in ids.receipt_box.text()
    assert cells(tab.purges_table) and cells(tab.purges_table)[0][3] == "-"
    assert cells(tab.duplicates_table) == []  # the purge took the pair with it

    assert sync_here(vault_a)["closed_purges"] == [id_a]  # the receipt moves to A's log
    with qtbot.waitSignal(tab.refreshed, timeout=10000):
        tab.refresh()
    assert cells(tab.purges_table) == []
    assert tab.receipt_note([id_a]) == ("Site-wide purge (every kiosk of the site):\n"
                                        "confirmed by A, B; pending -", False)  # fmt: skip


def test_a_hub_found_down_is_shown_at_once_then_read_again(qtbot, site, vault_a):
    """The sync (or the API) found the hub down a moment ago: the tab says so without
    waiting out another connect timeout, and reads the hub again once RECHECK_S is over."""
    m = Membership.load(vault_a.data_dir)
    assert m is not None
    panel = AdminPanel(vault_a, load_settings(site.dir("A")), site.dir("A"))
    qtbot.addWidget(panel)
    tab = panel.site
    assert tab is not None
    with qtbot.waitSignal(tab.refreshed, timeout=10000):
        tab.refresh()
    assert tab.error_label.text() == ""
    assert hub_state(vault_a.data_dir, m.dsn).up is True  # the tab's read counts too

    saw_down(vault_a.data_dir, m.dsn, "connection timeout expired")
    with qtbot.waitSignal(tab.refreshed, timeout=10000) as shown:
        tab.refresh()
    assert "connection timeout expired" in tab.error_label.text()
    assert shown.args[0].error == "connection timeout expired"
    assert [k[0] for k in cells(tab.kiosks_table)] == ["A (this kiosk)", "B"]  # last read kept

    key = hub_state_module._key(vault_a.data_dir, m.dsn)  # that observation, RECHECK_S later
    old = hub_state_module._states[key]
    hub_state_module._states[key] = replace(old, at=old.at - RECHECK_S - 1)
    with qtbot.waitSignal(tab.refreshed, timeout=10000):
        tab.refresh()
    assert tab.error_label.text() == ""
    assert hub_state(vault_a.data_dir, m.dsn).up is True


def test_without_a_site_there_is_no_site_tab(qtbot, data_dir: Path):
    with Vault.open(data_dir) as vault:
        panel = AdminPanel(vault, Settings(), data_dir)
        qtbot.addWidget(panel)
        assert panel.site is None
        assert "Site" not in [panel.tabs.tabText(i) for i in range(panel.tabs.count())]
