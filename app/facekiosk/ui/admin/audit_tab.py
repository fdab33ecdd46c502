"""Audit log viewer with hash-chain verification.

New entries appear on their own: while the tab is shown it reads the vault's change feed
(`audit_entries(since_seq)`) every FEED_POLL_MS; a delete on the Index IDs tab used to stay
invisible here until "Refresh" (issue 17)."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from facekiosk.ui.admin.controls import touch_button
from facekiosk.ui.admin.table_fit import fit_columns

SHOWN_ENTRIES = 2000  # the newest entries; the CLI exports the whole log
FEED_POLL_MS = 1000  # one indexed query for entries after the newest shown: cheap


class AuditTab(QWidget):
    def __init__(self, vault: Any) -> None:
        super().__init__()
        self.vault = vault
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.verify_button = touch_button(self.tr("Verify hash chain"))
        self.refresh_button = touch_button(self.tr("Refresh"))
        self.result = QLabel()
        self.result.setObjectName("hint")
        for b in (self.verify_button, self.refresh_button):
            top.addWidget(b)
        top.addWidget(self.result, 1)
        layout.addLayout(top)
        # Off-device checkpoint: the only way to notice that the whole vault was swapped for
        # an older copy (its own anchor would be old too). Written down, checked later.
        row = QHBoxLayout()
        self.checkpoint_button = touch_button(self.tr("New checkpoint"))
        self.checkpoint = QLineEdit()
        self.checkpoint.setAccessibleName(self.tr("Audit checkpoint"))
        self.checkpoint.setPlaceholderText(
            self.tr("Checkpoint kept off this device (verify checks the log still holds it)")
        )
        row.addWidget(self.checkpoint_button)
        row.addWidget(self.checkpoint, 1)
        layout.addLayout(row)
        self.table = QTableWidget(0, 5)
        self.table.setAccessibleName(self.tr("Audit log"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("#"), self.tr("Time"), self.tr("Actor"), self.tr("Action"), self.tr("Details")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        fit_columns(self.table, elide=(4,))  # the details; each cell's tooltip has them all
        layout.addWidget(self.table, 1)
        self._last_seq = 0
        self._feed = QTimer(self)
        self._feed.setInterval(FEED_POLL_MS)
        self._feed.timeout.connect(self.poll)
        self.verify_button.clicked.connect(self.verify)
        self.checkpoint_button.clicked.connect(self.new_checkpoint)
        self.refresh_button.clicked.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        entries = self.vault.audit_entries() if self.vault is not None else []
        self.table.setRowCount(0)
        self._last_seq = 0
        self._add(entries[-SHOWN_ENTRIES:])

    def poll(self) -> int:
        """Show entries written since the newest one shown; returns how many."""
        if self.vault is None:
            return 0
        entries = self.vault.audit_entries(since_seq=self._last_seq)
        self._add(entries)
        return len(entries)

    def _add(self, entries: list[Any]) -> None:
        """Newest first: each entry goes in at the top."""
        for e in entries:
            self.table.insertRow(0)
            # one detail a line: a purge names many Index IDs, one line would run off the table
            details = "\n".join(f"{k}={_plain(v)}" for k, v in sorted(e.details.items()))
            cells = (
                str(e.seq),
                e.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                e.actor,
                e.action,
                details,
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(0, c, item)
            self._last_seq = max(self._last_seq, int(e.seq))
        while self.table.rowCount() > SHOWN_ENTRIES:
            self.table.removeRow(self.table.rowCount() - 1)
        if entries:
            self.table.resizeRowsToContents()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.poll()
        self._feed.start()

    def hideEvent(self, event) -> None:
        self._feed.stop()
        super().hideEvent(event)

    def new_checkpoint(self) -> str:
        """Show (and copy) a token naming the newest entry, for the site's records."""
        token = str(self.vault.audit_checkpoint())
        self.checkpoint.setText(token)
        self.checkpoint.selectAll()
        QApplication.clipboard().setText(token)
        self.result.setText(self.tr("Checkpoint copied: keep it off this device"))
        return token

    def verify(self) -> Any:
        try:
            v = self.vault.verify_audit(self.checkpoint.text().strip() or None)
        except ValueError as exc:
            self.result.setText(str(exc))
            self._mark(False)
            return None
        if v.ok:
            self.result.setText(
                self.tr("Chain intact: %1 entries checked").replace("%1", str(v.checked))
            )
        else:
            self.result.setText(
                self.tr("CHAIN BROKEN at entry %1: %2")
                .replace("%1", str(v.first_bad_seq))
                .replace("%2", v.reason)
            )
        self._mark(v.ok)
        return v

    def _mark(self, ok: bool) -> None:
        # the property picks the colour in kiosk.qss; polish makes a changed one show
        self.result.setProperty("ok", ok)
        self.result.style().unpolish(self.result)
        self.result.style().polish(self.result)


def _plain(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)
