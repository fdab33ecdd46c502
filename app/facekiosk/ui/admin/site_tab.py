"""Admin "Site" tab, shown only when this kiosk is a site member (`site.json`): the site's
kiosks with last sync and lag, purges still waiting for acknowledgements, possible
duplicates found at sync. It also extends the Index IDs tab's purge receipt with the
kiosks that confirmed the site-wide purge and those still pending, updated as they confirm.

The hub is read in a worker thread over a short connection of its own (the kiosk's
background sync keeps its connection to itself): a slow or unreachable hub never freezes
the panel (connect timeout `site.connect_timeout_s`). While the hub was found down in the
last `RECHECK_S` (by the sync, the API or this tab: `site/hub_state.py`) the tab says so at
once instead of waiting out another connect timeout."""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from facekiosk.settings import Settings
from facekiosk.site.hub_state import RECHECK_S, hub_state, saw_down, saw_up
from facekiosk.site.membership import Membership, SiteError
from facekiosk.ui.admin.controls import touch_button
from facekiosk.ui.admin.table_fit import fit_columns

if TYPE_CHECKING:
    from facekiosk.vault import Vault

log = logging.getLogger(__name__)

REFRESH_MS = 5000  # while the tab is shown or a receipt still waits for kiosks


@dataclass
class SiteStatus:
    kiosks: list[dict[str, Any]] = field(default_factory=list)
    purges: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    receipts: list[dict[str, Any]] = field(default_factory=list)  # closed: in the audit log
    error: str = ""


def fetch_status(
    vault: Vault, membership: Membership, timeout_s: float, dead_peer_s: float = 20.0
) -> SiteStatus:
    """One read of the hub as this kiosk's role (in a worker thread)."""
    import psycopg

    from facekiosk.site.hub import Hub
    from facekiosk.site.membership import connect_member
    from facekiosk.site.sync import receipts

    status = SiteStatus(receipts=receipts(vault))
    known = hub_state(vault.data_dir, membership.dsn)
    if known.down_within(RECHECK_S):
        status.error = known.error or "found down by the site sync"
        return status
    try:
        secrets = membership.secrets(vault)
        hub = Hub(connect_member(membership, secrets, timeout_s, dead_peer_s))
        try:
            status.kiosks, status.purges = hub.kiosks(), hub.purges()
            status.duplicates = hub.duplicates()
        finally:
            hub.close()
    except psycopg.Error as exc:
        status.error = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        saw_down(vault.data_dir, membership.dsn, status.error)
        return status
    saw_up(vault.data_dir, membership.dsn,
           [k["kiosk_id"] for k in status.kiosks if not k.get("left_at")])  # fmt: skip
    return status


def receipt_state(status: SiteStatus, me: str, index_id: str) -> tuple[list[str], list[str]]:
    """(confirmed, pending) kiosks for one purged Index ID: the hub's open purge, else
    this kiosk's closed receipt, else not pushed yet (this kiosk only; the others pend)."""
    for p in status.purges:
        if p["index_id"] == index_id:
            return list(p["confirmed"]), list(p["pending"])
    for r in status.receipts:
        if r["index_id"] == index_id:
            return list(r["confirmed"]), []
    others = [k["kiosk_id"] for k in status.kiosks if not k.get("left_at") and k["kiosk_id"] != me]
    return [me], sorted(others)


def _item(value: object) -> QTableWidgetItem:
    text = "" if value is None else str(value)
    item = QTableWidgetItem(text)
    item.setToolTip(text)  # an elided Index ID is whole here
    return item


def _table(headers: list[str], name: str, elide: tuple[int, ...]) -> QTableWidget:
    """Sized like the other admin tables (table_fit: whole texts, headers to the left,
    the long columns cut in the middle on a narrow panel)."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setDefaultSectionSize(36)
    fit_columns(table, elide=elide)
    return table


class SiteTab(QWidget):
    refreshed = Signal(object)  # SiteStatus, emitted in the GUI thread after each read
    _done = Signal(object)  # worker thread -> GUI thread (queued)

    def __init__(self, vault: Vault, membership: Membership, settings: Settings) -> None:
        super().__init__()
        self.vault = vault
        self.m = membership
        self.timeout_s = settings.site.connect_timeout_s
        self.dead_peer_s = settings.site.dead_peer_s
        self.status = SiteStatus()
        self._busy = self._again = False
        self._following: list[tuple[QMessageBox, str, list[str]]] = []  # box, text, ids
        self._done.connect(self._show)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.summary = QLabel(
            self.tr("Site %1, this kiosk: %2").replace("%1", membership.site_id)
            .replace("%2", membership.kiosk_id)
        )  # fmt: skip
        self.summary.setWordWrap(True)
        top.addWidget(self.summary, 1)
        self.refresh_button = touch_button(
            self.tr("Refresh"), accessible=self.tr("Refresh site status")
        )
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(self.refresh_button)
        layout.addLayout(top)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        layout.addWidget(self.error_label)
        layout.addWidget(QLabel(self.tr("Kiosks")))
        self.kiosks_table = _table(
            [self.tr("Kiosk"), self.tr("Last sync"), self.tr("Lag (feed rows)")],
            self.tr("Kiosks"), elide=(0,),
        )  # fmt: skip
        layout.addWidget(self.kiosks_table, 1)
        layout.addWidget(QLabel(self.tr("Purges waiting for kiosks")))
        self.purges_table = _table(
            [self.tr("Index ID"), self.tr("Purged at"), self.tr("Confirmed"), self.tr("Pending")],
            self.tr("Purges waiting for kiosks"), elide=(0, 2, 3),
        )  # fmt: skip
        layout.addWidget(self.purges_table, 1)
        layout.addWidget(QLabel(self.tr("Possible duplicates (one person, two Index IDs)")))
        self.duplicates_table = _table(
            [self.tr("Index IDs"), self.tr("Cosine"), self.tr("Found by"), self.tr("At")],
            self.tr("Possible duplicates"), elide=(0,),
        )  # fmt: skip
        layout.addWidget(self.duplicates_table, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.refresh()

    def _tick(self) -> None:
        if self.isVisible() or self._following:
            self.refresh()

    def refresh(self) -> None:
        """Read the hub in a worker thread; `refreshed` fires when the tables show a read
        begun after this call (one asked for during a read is run after it)."""
        if self._busy:
            self._again = True
            return
        self._busy = True
        threading.Thread(target=self._read, name="site-tab", daemon=True).start()

    def _read(self) -> None:
        try:
            status = fetch_status(self.vault, self.m, self.timeout_s, self.dead_peer_s)
        except Exception as exc:  # the vault closed under us, a damaged site.json, …
            log.exception("site tab: status read failed")
            status = SiteStatus(error=str(exc))
        with contextlib.suppress(RuntimeError):  # the panel is gone
            self._done.emit(status)

    def _show(self, status: SiteStatus) -> None:
        self._busy = False
        if status.error:
            self.error_label.setText(
                self.tr("The hub is unreachable (%1): the kiosk works on its own vault and "
                        "syncs when it is back.").replace("%1", status.error)
            )  # fmt: skip
            status = SiteStatus(self.status.kiosks, self.status.purges, self.status.duplicates,
                                status.receipts, status.error)  # fmt: skip
        else:
            self.error_label.setText("")
        self.status = status
        self._fill(self.kiosks_table, [
            (k["kiosk_id"] + (self.tr(" (this kiosk)") if k["this_kiosk"] else ""),
             k["last_sync"] or self.tr("never"),
             self.tr("left %1").replace("%1", k["left_at"]) if k.get("left_at") else k["lag"])
            for k in status.kiosks
        ])  # fmt: skip
        self._fill(self.purges_table, [
            (p["index_id"], p["purged_at"], ", ".join(p["confirmed"]) or "-",
             ", ".join(p["pending"]) or "-") for p in status.purges
        ])  # fmt: skip
        self._fill(self.duplicates_table, [
            (" / ".join(d["index_ids"]), d["similarity"], d["found_by"], d["at"])
            for d in status.duplicates
        ])  # fmt: skip
        self._update_receipts()
        if self._again:
            self._again = False
            self.refresh()
        else:
            self.refreshed.emit(status)

    @staticmethod
    def _fill(table: QTableWidget, rows: list[tuple[object, ...]]) -> None:
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.setItem(r, c, _item(value))

    def title(self) -> str:
        # here, not at the caller: lupdate files `tab.tr(...)` under a context named "tab",
        # which the runtime never asks for, so the German title was never found
        return self.tr("Site")

    # --- the purge receipt --------------------------------------------------------------

    def receipt_note(self, index_ids: list[str]) -> tuple[str, bool]:
        """The site part of a purge receipt, and whether kiosks are still pending."""
        lines = [self.tr("Site-wide purge (every kiosk of the site):")]
        waiting = False
        for index_id in index_ids:
            confirmed, pending = receipt_state(self.status, self.m.kiosk_id, index_id)
            waiting = waiting or bool(pending)
            prefix = f"{index_id}: " if len(index_ids) > 1 else ""
            lines.append(
                prefix + self.tr("confirmed by %1; pending %2")
                .replace("%1", ", ".join(confirmed) or "-").replace("%2", ", ".join(pending) or "-")
            )  # fmt: skip
        return "\n".join(lines), waiting

    def follow(self, box: QMessageBox, index_ids: list[str]) -> None:
        """Append the site state to a purge receipt box and keep it current."""
        self._following.append((box, box.text(), list(index_ids)))
        self._update_receipts()
        self.refresh()

    def _update_receipts(self) -> None:
        still = []
        for box, text, ids in self._following:
            note, waiting = self.receipt_note(ids)
            try:
                box.setText(f"{text}\n\n{note}")
            except RuntimeError:  # the receipt box was closed and deleted
                continue
            if waiting:
                still.append((box, text, ids))
        self._following = still


def add_site_tab(panel: Any, vault: Vault, settings: Settings, data_dir: Path) -> SiteTab | None:
    """The panel's hook: a "Site" tab and site-aware purge receipts when this data dir is a
    site member; None (and no hub client loaded) otherwise."""
    try:
        membership = Membership.load(data_dir)
    except SiteError as exc:
        log.error("site tab not shown: %s", exc)
        return None
    if membership is None:
        return None
    from facekiosk.ui.admin.panel import _scrollable

    tab = SiteTab(vault, membership, settings)
    panel.tabs.addTab(_scrollable(tab), tab.title())
    panel.identities.purged.connect(
        lambda receipt, box: tab.follow(box, list(receipt.index_ids))
    )
    return tab
