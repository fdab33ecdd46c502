"""A kiosk runs for days: PySide6 6.12.0 dropped a reference to None/True/False on
every void or bool Qt call on Python 3.11, so CPython eventually aborted with
`none_dealloc`. pyproject pins a release without the leak; this keeps it that way."""

from __future__ import annotations

import sys

CALLS = 20_000


def test_void_and_bool_qt_calls_keep_singleton_refcounts(qapp):
    from PySide6.QtWidgets import QPushButton

    button = QPushButton()
    before = [sys.getrefcount(x) for x in (None, True, False)]
    for _ in range(CALLS):
        button.setEnabled(True)  # returns None
        button.isEnabled()  # returns a bool
        qapp.processEvents()
    after = [sys.getrefcount(x) for x in (None, True, False)]
    # A leak loses CALLS references; normal churn moves counts by a handful.
    assert all(a > b - 100 for a, b in zip(after, before, strict=True)), (before, after)
