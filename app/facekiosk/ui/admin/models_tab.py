"""Model packs tab: list installed and known packs, import from a folder/zip, verify."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from facekiosk.ui.admin.controls import hint_label, row_of, touch_button
from facekiosk.ui.admin.table_fit import fit_columns


class ModelsTab(QWidget):
    def __init__(self, data_dir: Path) -> None:
        super().__init__()
        self.data_dir = data_dir
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 5)
        self.table.setAccessibleName(self.tr("Model packs"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Pack"),
                self.tr("Kind"),
                self.tr("Installed"),
                self.tr("Licence"),
                self.tr("Description"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        # a pack's licence text is a paragraph: it wraps instead of pushing the description
        # (and its own header, centred in a huge section) off the panel
        fit_columns(self.table, wrap=(3, 4))
        layout.addWidget(self.table, 1)
        self.import_button = touch_button(self.tr("Import pack folder…"))
        self.import_zip_button = touch_button(self.tr("Import pack zip…"))
        self.verify_button = touch_button(self.tr("Verify selected"))
        layout.addLayout(row_of(self.import_button, self.import_zip_button, self.verify_button))
        self.status = hint_label()
        layout.addWidget(self.status)
        self.import_button.clicked.connect(self._import_folder_dialog)
        self.import_zip_button.clicked.connect(self._import_zip_dialog)
        self.verify_button.clicked.connect(self.verify_selected)
        self.refresh()

    def refresh(self) -> None:
        from facekiosk.engine.packs import list_packs

        packs = list_packs(self.data_dir)
        self.table.setRowCount(len(packs))
        for r, p in enumerate(packs):
            cells = (
                p.name,
                p.kind,
                self.tr("yes") if p.installed else self.tr("no"),
                p.licence_status or p.licence,
                p.description,
            )
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(str(text)))
        self.table.resizeRowsToContents()

    def verify_selected(self) -> str:
        from facekiosk.engine.packs import PackError, verify_pack

        rows = {i.row() for i in self.table.selectionModel().selectedRows()}
        item = self.table.item(min(rows), 0) if rows else None
        if item is None:
            text = self.tr("Select an installed pack.")
            self.status.setText(text)
            return text
        name = item.text()
        try:
            report = verify_pack(self.data_dir, name)
        except PackError as exc:
            text = str(exc)
        else:
            text = (
                self.tr("%1: verified, all files match").replace("%1", name)
                if report.ok
                else self.tr("%1: PROBLEMS: %2")
                .replace("%1", name)
                .replace("%2", "; ".join(report.problems))
            )
        self.status.setText(text)
        return text

    def _import_folder_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Pack folder"))
        if path:
            self.import_path(Path(path))

    def _import_zip_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Pack zip"), "", self.tr("Zip files (*.zip)")
        )
        if path:
            self.import_path(Path(path))

    def import_path(self, path: Path) -> str:
        """Offline import (USB stick): verified like a download before it is installed."""
        from facekiosk.engine.packs import PackError, import_pack

        try:
            result = import_pack(self.data_dir, path)
        except (PackError, OSError, ValueError) as exc:
            text = str(exc)
        else:
            text = self.tr("Imported %1").replace("%1", result.name)
            self.refresh()
        self.status.setText(text)
        return text
