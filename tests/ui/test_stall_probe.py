"""The stall probe sees a GUI thread that is blocked (the figure `bench gui` reports)."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer

from facekiosk.bench.stall_probe import StallProbe


def test_probe_reports_a_blocked_event_loop(qtbot):
    probe = StallProbe(5)
    probe.start()
    qtbot.wait(100)
    busy = QTimer()
    busy.setSingleShot(True)
    busy.timeout.connect(lambda: time.sleep(0.2))  # the GUI thread busy for 200 ms
    busy.start(0)
    qtbot.waitUntil(lambda: probe.summary()["stalls_over_50ms"] >= 1, timeout=5000)
    qtbot.wait(50)
    probe.stop()
    s = probe.summary()
    probe.deleteLater()
    assert s["ticks"] >= 3
    assert s["max_stall_ms"] >= 150.0 and s["stalls_over_50ms"] >= 1
