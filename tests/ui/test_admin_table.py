"""The Index IDs table pages rows in: 100,000 rows open with one page and scroll."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QModelIndex, Qt

from facekiosk.ui.admin.identities_tab import IdentitiesTab
from facekiosk.ui.admin.index_model import PAGE_SIZE, IdentityRow, IdentityTableModel

N_ROWS = 100_000


class SyntheticRows:
    """100k rows computed on demand, sorted and filtered like the vault would; counts calls."""

    def __init__(self, n: int) -> None:
        base = datetime(2026, 1, 1, tzinfo=UTC)
        rng = random.Random(8)
        self.ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n)]
        self.created = [base + timedelta(minutes=i) for i in range(n)]
        self.page_calls: list[tuple[int, int, str | None, str]] = []

    def _order(self, search: str | None, order_by: str) -> list[int]:
        idx = range(len(self.ids))
        if search:
            idx = [i for i in idx if search in self.ids[i]]
        key = order_by.lstrip("-")
        values = self.ids if key == "index_id" else self.created
        return sorted(idx, key=values.__getitem__, reverse=order_by.startswith("-"))

    def count(self, search: str | None) -> int:
        return len(self._order(search, "created")) if search else len(self.ids)

    def page(self, offset: int, limit: int, search: str | None, order_by: str) -> list[IdentityRow]:
        self.page_calls.append((offset, limit, search, order_by))
        order = self._order(search, order_by)[offset : offset + limit]
        return [
            IdentityRow(self.ids[i], self.created[i], None, "en-0123456789", "active", None)
            for i in order
        ]


def test_model_loads_one_page_and_fetches_more_on_demand(qtbot):
    rows = SyntheticRows(N_ROWS)
    model = IdentityTableModel(rows)
    assert model.total == N_ROWS
    assert model.rowCount() == PAGE_SIZE and len(rows.page_calls) == 1
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2 * PAGE_SIZE
    # newest first by default; every row's Index ID readable through the model
    first = model.data(model.index(0, 0), Qt.ItemDataRole.DisplayRole)
    assert first == rows.ids[-1]


def test_table_view_with_100k_rows_scrolls_and_pages(qtbot):
    rows = SyntheticRows(N_ROWS)
    tab = IdentitiesTab(rows)
    qtbot.addWidget(tab)
    tab.resize(1000, 700)
    tab.show()
    qtbot.waitExposed(tab)
    model, table = tab.model, tab.table
    for _ in range(5):  # scroll to the bottom repeatedly: the view asks for more pages
        table.scrollToBottom()
        qtbot.wait(20)
    assert model.pages_loaded >= 3
    assert model.rowCount() < N_ROWS  # never everything at once
    assert "of 100000" in tab.count_label.text()
    # jump deep into the list: fetching keeps up, rows stay in the source's order
    while model.rowCount() < 5000:
        model.fetchMore(QModelIndex())
    table.scrollTo(model.index(4999, 0))
    assert model.row_at(4999).index_id == rows.ids[N_ROWS - 5000]


def test_sort_and_search_go_to_the_source(qtbot):
    rows = SyntheticRows(N_ROWS)
    tab = IdentitiesTab(rows)
    qtbot.addWidget(tab)
    tab.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert rows.page_calls[-1][3] == "index_id"
    assert tab.model.row_at(0).index_id == min(rows.ids)
    needle = rows.ids[12345][:8]
    tab.search.setText(needle)
    qtbot.waitUntil(lambda: tab.model.search == needle, timeout=3000)
    assert 1 <= tab.model.total < 10
    shown = [tab.model.row_at(i).index_id for i in range(tab.model.rowCount())]
    assert rows.ids[12345] in shown
