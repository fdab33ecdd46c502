"""Every session state has a page, keyed by the one `State` enum (no spellings of its own)."""

from __future__ import annotations

from facekiosk.kiosk.codes import SCAN_STATES, State
from facekiosk.ui.main_window import PAGE_FOR_STATE


def test_every_state_has_a_page_and_scanning_shows_the_camera():
    assert set(PAGE_FOR_STATE) == set(State)
    assert all(type(state) is State for state in PAGE_FOR_STATE)
    assert {s for s, page in PAGE_FOR_STATE.items() if page == "capture"} == SCAN_STATES
