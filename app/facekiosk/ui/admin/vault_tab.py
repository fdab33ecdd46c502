"""Vault tab: backup, restore (into an empty data dir), export the wrapped key, rotate it;
templates per model space, and how many Index IDs still hold a previous engine's template
(they upgrade at their next sign-in or re-enrolment: `facekiosk admin upgrade-templates`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from facekiosk.ui.admin.controls import hint_label, touch_button


class VaultTab(QWidget):
    def __init__(self, vault: Any, data_dir: Path, primary_space: str | None = None) -> None:
        """`primary_space`: the running engine's model space ("engine/model"); templates of
        any other space are counted as left to upgrade."""
        super().__init__()
        self.vault = vault
        self.data_dir = data_dir
        self.primary_space = primary_space
        layout = QVBoxLayout(self)
        self.info = QLabel()
        self.info.setWordWrap(True)
        layout.addWidget(self.info)
        self.backup_button = touch_button(self.tr("Back up the vault…"))
        self.export_button = touch_button(self.tr("Export the wrapped key…"))
        self.rotate_button = touch_button(self.tr("Rotate the key"))
        self.restore_button = touch_button(self.tr("Restore a backup…"))
        for b in (self.backup_button, self.export_button, self.rotate_button, self.restore_button):
            layout.addWidget(b)
        self.status = hint_label()
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.backup_button.clicked.connect(self._backup_dialog)
        self.export_button.clicked.connect(self._export_dialog)
        self.rotate_button.clicked.connect(self._rotate_confirm)
        self.restore_button.clicked.connect(self._restore_dialog)
        self.refresh()

    def refresh(self) -> None:
        if self.vault is None:
            self.info.setText(self.tr("No vault is open."))
            return
        modes = {
            "exact": self.tr("exact search"),
            "quantised": self.tr("4-bit scan, candidates re-ranked exactly"),
        }
        lines = []
        for name, info in self.vault.search_info().items():
            # plural forms from the .qm ("1 templates" was seen in the real window)
            templates = self.tr("%Ln template(s)", "", info["templates"])
            segments = self.tr("%n snapshot segment(s)", "", info["segments"])
            lines.append(f"{name}: {templates}, {modes[info['search']]}, {segments}")
        lines += self._upgrade_lines()
        self.info.setText(
            self.tr("Vault %1 in %2\nTemplates per model: %3")
            .replace("%1", str(self.vault.vault_id))
            .replace("%2", str(self.data_dir))
            .replace("%3", "\n" + "\n".join(lines) if lines else "—")
        )

    def _upgrade_lines(self) -> list[str]:
        if self.primary_space is None:
            return []
        from facekiosk.kiosk.match_policy import LEGACY_THRESHOLDS
        from facekiosk.kiosk.space_search import upgrade_counts

        lines = []
        for space, n in upgrade_counts(self.vault.spaces(), self.primary_space).items():
            text = (
                self.tr("%1: %2 Index IDs to upgrade, each at their next sign-in or re-enrolment")
                if space in LEGACY_THRESHOLDS
                else self.tr("%1: %2 Index IDs this engine cannot recognise: re-enrol them")
            )
            lines.append(text.replace("%1", space).replace("%2", f"{n:,}"))
        return lines

    def backup(self, dest: Path) -> Path:
        path = self.vault.backup(dest)
        self.status.setText(self.tr("Backup written: %1").replace("%1", str(path)))
        return path

    def export_key(self, dest: Path) -> Path:
        dest.write_bytes(self.vault.export_key())
        dest.chmod(0o600)
        self.status.setText(self.tr("Wrapped key written: %1").replace("%1", str(dest)))
        return dest

    def rotate(self) -> None:
        self.vault.rotate_key()
        self.status.setText(self.tr("Key rotated. Export the new wrapped key for the safe."))

    def _backup_dialog(self) -> None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Back up the vault"), f"facekiosk-{stamp}.fkbackup"
        )
        if name:
            self.backup(Path(name))

    def _export_dialog(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, self.tr("Export key"), "facekiosk-key.json")
        if name:
            self.export_key(Path(name))

    def _rotate_confirm(self) -> None:
        if (
            QMessageBox.question(self, self.tr("Rotate key"), self.tr("Rotate the vault key now?"))
            == QMessageBox.StandardButton.Yes
        ):
            self.rotate()

    def _restore_dialog(self) -> None:
        QMessageBox.information(
            self,
            self.tr("Restore"),
            self.tr(
                "A backup restores into an empty data directory, with the kiosk stopped:\n"
                "facekiosk --data-dir NEW_DIR admin restore ARCHIVE"
            ),
        )
