"""Admin tables show whole texts (issue 17: "2026-1…", "en-…", a clipped selected header).

Every column is as wide as its widest text (header included; a stretched last column
would be squeezed below its text, measured: an Index ID 6 px short at 1024 px). When the
table is narrower than that (a portrait 800 px panel) the `elide` columns, the long ones
(Index IDs, audit details), give up the room, one after the other in the order given:
they are cut in the middle ("1b2c…9f3a") with the whole text in the cell's tooltip, so
nothing runs off to the right and dates and short codes stay whole. Headers of selected
columns are not drawn bold: bold text is wider than the section measured for it, which
clipped it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QTableView

MIN_ELIDED_CHARS = 10  # an elided column keeps at least this many digits' width


def fit_columns(table: QTableView, wrap: tuple[int, ...] = (), elide: tuple[int, ...] = ()) -> None:
    """`wrap`: columns of prose (a licence, a description) that share the room left and
    wrap their lines instead (call `table.resizeRowsToContents()` after filling).
    `elide`: columns that shrink, cut in the middle, when the rest would not fit (give
    their cells a tooltip with the whole text)."""
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    table.setTextElideMode(Qt.TextElideMode.ElideMiddle if elide else Qt.TextElideMode.ElideNone)
    table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    table.setWordWrap(bool(wrap))
    for column in wrap:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    if wrap:  # rows measured at the first, narrow layout stayed a screen tall
        header.sectionResized.connect(lambda *_: table.resizeRowsToContents())
    if elide:
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        _ElideFitter(table, elide)


class _ElideFitter(QObject):
    """Sizes the columns after every change of the rows or of the table's width."""

    def __init__(self, table: QTableView, elide: tuple[int, ...]) -> None:
        super().__init__(table)
        self.table = table
        self.elide = elide
        self._timer = QTimer(self)  # one fit per burst of changes (a page of rows)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        table.viewport().installEventFilter(self)
        model = table.model()
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved,
                       model.dataChanged, model.layoutChanged):  # fmt: skip
            signal.connect(self._timer.start)
        table.fit_columns = self.fit  # type: ignore[attr-defined]  # tests fit at once
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._timer.start()
        return False

    def fit(self) -> None:
        table, header = self.table, self.table.horizontalHeader()
        count = table.model().columnCount()
        widths = [max(table.sizeHintForColumn(c), self._header_width(c)) for c in range(count)]
        excess = sum(widths) - table.viewport().width()
        if excess > 0:
            floor = table.fontMetrics().horizontalAdvance("0" * MIN_ELIDED_CHARS)
            # first down to the header's text, then (long German headers) to the floor,
            # the header cut too: a cut header beats a column off-screen
            # column by column in the order given: the events tab cut its reason code
            # ("LIVENESS_N…_CONFIRMED") at 1024 px to spare an Index ID a few characters
            for stage in (lambda c: max(floor, self._header_width(c)), lambda c: floor):
                for c in (c for c in self.elide if c < count):
                    excess -= self._shrink(widths, excess, {c: stage(c)})
                    if excess <= 0:
                        break
                if excess <= 0:
                    break
        for c, width in enumerate(widths):
            if header.sectionSize(c) != width:
                header.resizeSection(c, width)

    @staticmethod
    def _shrink(widths: list[int], excess: int, floors: dict[int, int]) -> int:
        """Take up to `excess` px from the columns, none below its floor, in proportion to
        what each can spare; returns the px taken."""
        give = {c: max(0, widths[c] - floor) for c, floor in floors.items()}
        room = sum(give.values())
        if room <= 0:
            return 0
        take = min(excess, room)
        taken = 0
        for c, spare in give.items():
            cut = min(spare, -(-spare * take // room))  # rounded up: never 1 px too wide
            widths[c] -= cut
            taken += cut
        return taken

    def _header_width(self, column: int) -> int:
        """The header's own width for its text. Its size hint keeps room for a sort arrow in
        every column (Qt adds the header's height + margin), but the arrow is drawn in
        the sorted one only: measured 29 px of each Index IDs header, which kept the
        table 21 px too wide at 800 px (German headers: 150 px)."""
        header = self.table.horizontalHeader()
        hint = header.sectionSizeHint(column)
        if not header.isSortIndicatorShown() or header.sortIndicatorSection() == column:
            return hint
        margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
        return hint - header.height() - margin
