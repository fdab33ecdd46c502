"""Audit log viewer with hash-chain verification."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

SHOWN_ENTRIES = 2000  # the newest entries; the CLI exports the whole log


class AuditTab(QWidget):
    def __init__(self, vault: Any) -> None:
        super().__init__()
        self.vault = vault
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.verify_button = QPushButton(self.tr("Verify hash chain"))
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.result = QLabel()
        self.result.setObjectName("hint")
        for b in (self.verify_button, self.refresh_button):
            b.setMinimumHeight(56)
            b.setAccessibleName(b.text())
            top.addWidget(b)
        top.addWidget(self.result, 1)
        layout.addLayout(top)
        self.table = QTableWidget(0, 4)
        self.table.setAccessibleName(self.tr("Audit log"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("#"), self.tr("Time"), self.tr("Actor"), self.tr("Action and details")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        layout.addWidget(self.table, 1)
        self.verify_button.clicked.connect(self.verify)
        self.refresh_button.clicked.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        entries = self.vault.audit_entries() if self.vault is not None else []
        entries = entries[-SHOWN_ENTRIES:][::-1]
        self.table.setRowCount(len(entries))
        for r, e in enumerate(entries):
            cells = (
                str(e.seq),
                e.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                e.actor,
                f"{e.action} {json.dumps(e.details, sort_keys=True)}",
            )
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    def verify(self) -> Any:
        v = self.vault.verify_audit()
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
        self.result.setProperty("ok", v.ok)
        return v
