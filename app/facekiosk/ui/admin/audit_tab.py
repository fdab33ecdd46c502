"""Audit log viewer with hash-chain verification."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
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
        # Off-device checkpoint: the only way to notice that the whole vault was swapped for
        # an older copy (its own anchor would be old too). Written down, checked later.
        row = QHBoxLayout()
        self.checkpoint_button = QPushButton(self.tr("New checkpoint"))
        self.checkpoint_button.setMinimumHeight(56)
        self.checkpoint_button.setAccessibleName(self.checkpoint_button.text())
        self.checkpoint = QLineEdit()
        self.checkpoint.setAccessibleName(self.tr("Audit checkpoint"))
        self.checkpoint.setPlaceholderText(
            self.tr("Checkpoint kept off this device (verify checks the log still holds it)")
        )
        row.addWidget(self.checkpoint_button)
        row.addWidget(self.checkpoint, 1)
        layout.addLayout(row)
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
        self.checkpoint_button.clicked.connect(self.new_checkpoint)
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
            self.result.setProperty("ok", False)
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
        self.result.setProperty("ok", v.ok)
        return v
