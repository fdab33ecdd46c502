"""Admin tables show whole texts (issue 17: "2026-1…", "en-…", a clipped selected header).

Every column is as wide as its widest text (header included; a stretched last column
would be squeezed below its text, measured: an Index ID 6 px short at 1024 px); a narrow
panel scrolls the table sideways instead of eliding. Headers
of selected columns are not drawn bold: bold text is wider than the section measured
for it, which clipped it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


def fit_columns(table: QTableView, wrap: tuple[int, ...] = ()) -> None:
    """`wrap`: columns of prose (a licence, a description) that share the room left and
    wrap their lines instead (call `table.resizeRowsToContents()` after filling)."""
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    table.setTextElideMode(Qt.TextElideMode.ElideNone)
    table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    table.setWordWrap(bool(wrap))
    for column in wrap:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    if wrap:  # rows measured at the first, narrow layout stayed a screen tall
        header.sectionResized.connect(lambda *_: table.resizeRowsToContents())
