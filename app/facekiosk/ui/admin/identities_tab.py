"""Index IDs tab: search, sort, page through; delete (confirm + reason -> purge receipt),
bulk delete, re-enrol from the camera."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from facekiosk.kiosk.receipt import purge_receipt_text
from facekiosk.kiosk.restrictions import AccessPolicyError, forget_in_policy
from facekiosk.ui.admin.controls import row_of, touch_button
from facekiosk.ui.admin.index_model import IdentityTableModel, RowSource
from facekiosk.ui.admin.table_fit import fit_columns

log = logging.getLogger(__name__)

# pyside6-lupdate reads only literals: the purge receipt's source texts (kiosk/receipt.py,
# shared with the CLI) are marked here so the .ts keeps their translations.
RECEIPT_SOURCES = (
    QT_TRANSLATE_NOOP(
        "IdentitiesTab",
        "Purged %1 Index ID(s) at %2.\nVectors removed: %3, metadata rows removed: %4, "
        "events anonymised: %5.\nAudit entry #%6.",
    ),
    QT_TRANSLATE_NOOP(
        "IdentitiesTab", "access.toml could not be updated and still names them: %1"
    ),
)


class IdentitiesTab(QWidget):
    reenrol_requested = Signal(str)  # index_id
    # (receipt, its QMessageBox) after a purge: the site tab follows the receipt's kiosks
    purged = Signal(object, object)

    def __init__(self, rows: RowSource, vault: Any = None, data_dir: Path | None = None) -> None:
        super().__init__()
        self.vault = vault
        self.data_dir = data_dir  # where access.toml lives: purged IDs are removed from it
        self.model = IdentityTableModel(rows, parent=self)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search Index ID or label"))
        self.search.setAccessibleName(self.tr("Search Index IDs"))
        self.search.setClearButtonEnabled(True)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)  # typing does not hit the vault on every key
        self._debounce.timeout.connect(lambda: self.model.set_search(self.search.text()))
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        top.addWidget(self.search, 1)
        self.count_label = QLabel()
        top.addWidget(self.count_label)
        layout.addLayout(top)
        self.table = QTableView()
        self.table.setObjectName("identities_table")
        self.table.setAccessibleName(self.tr("Index IDs"))
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(40)
        self.table.verticalHeader().hide()  # row numbers of a sorted, paged list mean nothing
        fit_columns(self.table, elide=(0, 5))  # Index ID, label: cut in the middle at 800 px
        layout.addWidget(self.table, 1)
        self.delete_button = touch_button(self.tr("Delete selected…"))
        self.delete_button.setProperty("role", "danger")
        self.reenrol_button = touch_button(self.tr("Re-enrol from camera…"))
        self.refresh_button = touch_button(self.tr("Refresh"))
        layout.addLayout(row_of(self.delete_button, self.reenrol_button, self.refresh_button))
        self.delete_button.clicked.connect(self.delete_selected)
        self.reenrol_button.clicked.connect(self._reenrol)
        self.refresh_button.clicked.connect(self.model.reload)
        self.model.modelReset.connect(self._update_count)
        self.model.rowsInserted.connect(self._update_count)
        self.last_receipt: Any = None
        self.receipt_box: QMessageBox | None = None
        self.policy_error: str | None = None  # why access.toml kept purged IDs, if it did
        self._update_count()

    def _update_count(self, *_: Any) -> None:
        self.count_label.setText(
            self.tr("%1 of %2 shown")
            .replace("%1", str(self.model.rowCount()))
            .replace("%2", str(self.model.total))
        )

    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.row_at(r).index_id for r in rows]

    def _reenrol(self) -> None:
        ids = self.selected_ids()
        if len(ids) != 1:
            QMessageBox.information(self, self.tr("Re-enrol"), self.tr("Select one Index ID."))
            return
        self.reenrol_requested.emit(ids[0])

    def ask_reason(self, ids: list[str]) -> str | None:
        """Confirmation with a reason (stored in the audit log); None = cancelled. An empty
        reason is refused and asked again (it used to be stored as "admin request")."""
        prompt = self.tr(
            "Delete %1 Index ID(s) for good? Their templates are purged from every file.\n"
            "Reason (kept in the audit log):"
        ).replace("%1", str(len(ids)))
        while True:
            reason, ok = QInputDialog.getText(self, self.tr("Delete Index IDs"), prompt)
            if not ok:
                return None
            if valid_reason(reason):
                return reason.strip()
            prompt = self.tr("A reason is required (it is kept in the audit log).\n") + prompt

    def delete_selected(self, *, reason: str | None = None) -> Any:
        ids = self.selected_ids()
        if not ids or self.vault is None:
            return None
        if reason is None:
            reason = self.ask_reason(ids)
            if reason is None:
                return None
        if not valid_reason(reason):
            self.count_label.setText(self.tr("Not deleted: give a reason"))
            return None
        receipt = self.vault.delete(ids, reason=reason, actor="admin")
        log.info("admin purged %d Index ID(s)", len(ids))
        self.policy_error = None
        if self.data_dir is not None:
            # Groups and the opt-out list in access.toml must not keep naming them.
            try:
                removed = forget_in_policy(self.data_dir, receipt.index_ids)
                log.info("removed %d access.toml entries of purged Index IDs", removed)
            except (AccessPolicyError, OSError) as exc:
                log.error("purged, but access.toml was not updated: %s", exc)
                self.policy_error = str(exc)
        self.last_receipt = receipt
        self.model.reload()
        self.show_receipt(receipt)
        self.purged.emit(receipt, self.receipt_box)
        return receipt

    def receipt_text(self, receipt: Any) -> str:
        # The same receipt `facekiosk admin delete` prints, translated here.
        return purge_receipt_text(receipt, self.policy_error, tr=self.tr)

    def show_receipt(self, receipt: Any) -> None:
        box = QMessageBox(self)
        box.setObjectName("purge_receipt")
        box.setWindowTitle(self.tr("Purge receipt"))
        box.setText(self.receipt_text(receipt))
        box.setDetailedText("\n".join(receipt.index_ids))
        box.setModal(False)
        box.show()
        self.receipt_box = box


def valid_reason(reason: str) -> bool:
    """A deletion needs a reason an auditor can read later: not empty, not just spaces."""
    return bool(reason.strip())
