"""The Index IDs table model: pages rows in from a row source as the view scrolls.

Qt's fetchMore protocol: the view asks for more rows only when the user
scrolls near the end, so 100,000 Index IDs cost one page (200 rows) at open,
not 100,000 records. Sorting and searching reset the model and go back to the
source, which sorts/filters (the vault does it in SQL, labels in Python since
they are encrypted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from facekiosk.ui.admin.code_words import word_for

PAGE_SIZE = 200
_ROOT = QModelIndex()  # the invisible root: a table's rows hang off it


@dataclass(frozen=True)
class IdentityRow:
    index_id: str
    created: datetime | None
    last_seen: datetime | None
    consent_version: str | None
    status: str
    label: str | None
    has_pin: bool = False


class RowSource(Protocol):
    def count(self, search: str | None) -> int: ...

    def page(
        self, offset: int, limit: int, search: str | None, order_by: str
    ) -> list[IdentityRow]: ...


class VaultRowSource:
    """Rows from `facekiosk.vault.Vault.list_ids/count`."""

    def __init__(self, vault: Any) -> None:
        self.vault = vault

    def count(self, search: str | None) -> int:
        return int(self.vault.count(search or None))

    def page(self, offset: int, limit: int, search: str | None, order_by: str) -> list[IdentityRow]:
        return [
            IdentityRow(
                r.index_id, r.created, r.last_seen, r.consent_version, r.status, r.label, r.has_pin
            )
            for r in self.vault.list_ids(
                offset=offset, limit=limit, search=search or None, order_by=order_by
            )
        ]


_C = "IdentityTableModel"
# QT_TRANSLATE_NOOP returns its text; PySide6 types it as object
COLUMNS = cast(tuple[tuple[str, str], ...], (
    ("index_id", QT_TRANSLATE_NOOP("IdentityTableModel", "Index ID")),
    ("created", QT_TRANSLATE_NOOP("IdentityTableModel", "Created")),
    ("last_seen", QT_TRANSLATE_NOOP("IdentityTableModel", "Last seen")),
    ("consent_version", QT_TRANSLATE_NOOP("IdentityTableModel", "Consent")),
    ("status", QT_TRANSLATE_NOOP("IdentityTableModel", "Status")),
    ("label", QT_TRANSLATE_NOOP("IdentityTableModel", "Label")),
))


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    return str(value)


class IdentityTableModel(QAbstractTableModel):
    def __init__(self, source: RowSource, page_size: int = PAGE_SIZE, parent=None) -> None:
        super().__init__(parent)
        self.source = source
        self.page_size = page_size
        self.search: str | None = None
        self.order_by = "-created"
        self._rows: list[IdentityRow] = []
        self._total = 0
        self.pages_loaded = 0
        self.reload()

    # -- data ----------------------------------------------------------------------------
    def reload(self) -> None:
        self.beginResetModel()
        self._total = self.source.count(self.search)
        self._rows = []
        self.pages_loaded = 0
        self.endResetModel()
        if self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())

    @property
    def total(self) -> int:
        return self._total

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
        if parent.isValid():
            return
        page = self.source.page(len(self._rows), self.page_size, self.search, self.order_by)
        if not page:
            self._total = len(self._rows)  # the source shrank under us (a delete elsewhere)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()
        self.pages_loaded += 1

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        key = COLUMNS[index.column()][0]
        if key == "status":  # a word in the admin's language; the stored code in the tooltip
            word = word_for(row.status)
            if role == Qt.ItemDataRole.DisplayRole:
                return word
            if role == Qt.ItemDataRole.ToolTipRole:
                return word if word == row.status else f"{word} ({row.status})"
        if role == Qt.ItemDataRole.DisplayRole:
            return _fmt(getattr(row, key))
        if role == Qt.ItemDataRole.UserRole:
            return row.index_id
        if role == Qt.ItemDataRole.ToolTipRole:  # whole, when the column is cut at 800 px
            return _fmt(getattr(row, key))
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        # the tooltip: a long (German) header is cut when the column is at 800 px
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if orientation == Qt.Orientation.Horizontal:
            return QCoreApplication.translate(_C, COLUMNS[section][1])
        return str(section + 1)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][0]
        self.order_by = key if order == Qt.SortOrder.AscendingOrder else f"-{key}"
        self.reload()

    def set_search(self, text: str) -> None:
        self.search = text.strip() or None
        self.reload()

    def row_at(self, row: int) -> IdentityRow:
        return self._rows[row]
