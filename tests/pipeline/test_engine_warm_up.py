"""The engine is warmed up when the kiosk starts, not by the first person's first frame
(issue 19: in the window that frame took 1.9 s on a quiet machine and 8.8 s on a third
of a core, and the liveness step's clock started at it)."""

from __future__ import annotations

from facekiosk.engine.remote import open_engine
from facekiosk.settings import Settings


def test_a_thread_mode_engine_has_its_models_loaded_before_the_first_frame():
    engine = open_engine(Settings(), None, "thread")
    try:
        assert engine.antispoof is not None  # loaded by the warm-up frame, not lazily later
    finally:
        engine.close()
