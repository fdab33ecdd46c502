"""The liveness code and the optional addon load when the kiosk starts, not inside the
first attempt's first frame (issue 19: 2.2 s + 3.2 s measured in the window, charged to
the first person's liveness step)."""

from __future__ import annotations

import random

from facekiosk.kiosk import liveness_port
from facekiosk.kiosk.liveness_port import LivenessOff, default_liveness_factory
from facekiosk.settings import LivenessSettings


def test_the_addon_is_looked_for_once_at_start_up(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(liveness_port, "_load_addon", lambda *a: calls.append(a))
    factory = default_liveness_factory(
        LivenessSettings(), random.Random(1), same_person_threshold=0.5, data_dir=tmp_path
    )
    assert len(calls) == 1  # before any attempt
    first, second = factory("passive"), factory("challenge")
    assert len(calls) == 1 and first is not second
    assert type(first).__name__ == "LivenessSession"


def test_liveness_off_everywhere_loads_nothing(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(liveness_port, "_load_addon", lambda *a: calls.append(a))
    off = LivenessSettings(enroll_level="off", auth_level="off")
    factory = default_liveness_factory(off, None, same_person_threshold=0.5, data_dir=tmp_path)
    assert isinstance(factory("off"), LivenessOff) and calls == []
