"""Attendance/access events with filters and CSV export."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from facekiosk.ui.admin.code_words import word_for
from facekiosk.ui.admin.table_fit import fit_columns

SHOWN_EVENTS = 5000
KINDS = ("", "enroll", "auth", "attendance", "access", "forget", "session")


class EventsTab(QWidget):
    def __init__(self, vault: Any) -> None:
        super().__init__()
        self.vault = vault
        layout = QVBoxLayout(self)
        self.kind = QComboBox()
        self.kind.setAccessibleName(self.tr("Event kind"))
        for k in KINDS:
            self.kind.addItem(word_for(k) if k else self.tr("all kinds"), k)
        self.since = QDateTimeEdit(QDateTime.currentDateTime().addDays(-7))
        self.until = QDateTimeEdit(QDateTime.currentDateTime().addDays(1))
        for w, name in ((self.since, self.tr("From")), (self.until, self.tr("Until"))):
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd HH:mm")
            w.setAccessibleName(name)
        self.index_id = QLineEdit()
        self.index_id.setPlaceholderText(self.tr("Index ID (optional)"))
        self.index_id.setAccessibleName(self.tr("Filter by Index ID"))
        self.apply_button = QPushButton(self.tr("Apply"))
        self.export_button = QPushButton(self.tr("Export CSV…"))
        filters = (
            self.kind,
            QLabel(self.tr("from")),
            self.since,
            QLabel(self.tr("until")),
            self.until,
        )
        others = (self.index_id, self.apply_button, self.export_button)
        for widgets in (filters, others):  # two rows: fit an 800 px wide panel
            row = QHBoxLayout()
            for widget in widgets:
                row.addWidget(widget)
            layout.addLayout(row)
        self.table = QTableWidget(0, 6)
        self.table.setAccessibleName(self.tr("Events"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Time"),
                self.tr("Kind"),
                self.tr("Decision"),
                self.tr("Reason"),
                self.tr("Kiosk"),
                self.tr("Index ID"),  # last: the long one takes the room that is left
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        fit_columns(self.table, elide=(5, 3))  # Index ID, reason: whole in the tooltip
        layout.addWidget(self.table, 1)
        self.apply_button.clicked.connect(self.refresh)
        self.export_button.clicked.connect(self._export_dialog)
        self.refresh()

    def _range(self) -> tuple[datetime, datetime]:
        return _aware(self.since.dateTime()), _aware(self.until.dateTime())

    def query(self) -> list[Any]:
        if self.vault is None:
            return []
        since, until = self._range()
        return self.vault.events(
            since=since,
            until=until,
            kind=self.kind.currentData() or None,
            index_id=self.index_id.text().strip() or None,
        )

    def refresh(self) -> None:
        events = self.query()[-SHOWN_EVENTS:][::-1]
        self.table.setRowCount(len(events))
        for r, e in enumerate(events):
            # (shown, tooltip): kinds and decisions as words, their stored code in the
            # tooltip (what the CSV export and the API carry); other cells whole.
            cells = (
                (e.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"), None),
                (word_for(e.kind), e.kind),
                (word_for(e.decision), e.decision),
                (e.reason or "—", None),
                (e.kiosk_id, None),
                (e.index_id or "—", None),
            )
            for c, (text, code) in enumerate(cells):
                item = QTableWidgetItem(text)
                # the whole text of a column cut at a narrow width
                item.setToolTip(text if code is None or code == text else f"{text} ({code})")
                self.table.setItem(r, c, item)

    def export_csv(self, path: Path) -> int:
        from facekiosk.vault import write_events_csv

        with open(path, "w", encoding="utf-8", newline="") as fh:
            return write_events_csv(self.query(), fh)

    def _export_dialog(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export events"), "events.csv", self.tr("CSV files (*.csv)")
        )
        if name:
            self.export_csv(Path(name))


def _aware(moment: QDateTime) -> datetime:
    """The edit's local time as an aware datetime (the vault compares aware times).

    Through the epoch rather than toPython(): PySide6 types that as object."""
    return datetime.fromtimestamp(moment.toMSecsSinceEpoch() / 1000).astimezone()


def last_days(days: int) -> tuple[datetime, datetime]:
    now = datetime.now().astimezone()
    return now - timedelta(days=days), now + timedelta(days=1)
