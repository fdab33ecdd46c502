"""Measures how late the GUI event loop runs: a short QTimer records its own lateness.

A timer set to fire every `interval_ms` that fires 80 ms late means the GUI
thread could not paint or react for about that long (e.g. another thread held
Python's GIL).
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer


class StallProbe(QObject):
    def __init__(self, interval_ms: int = 5, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval_s = interval_ms / 1000.0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last: float | None = None
        self.lateness_ms: list[float] = []

    def start(self) -> None:
        self._last = None
        self.lateness_ms.clear()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.lateness_ms.append(max(0.0, (now - self._last - self.interval_s) * 1000.0))
        self._last = now

    def summary(self) -> dict[str, float]:
        if not self.lateness_ms:
            return {
                "max_stall_ms": 0.0,
                "p99_stall_ms": 0.0,
                "median_stall_ms": 0.0,
                "stalls_over_50ms": 0,
                "ticks": 0,
            }
        a = np.asarray(self.lateness_ms)
        return {
            "max_stall_ms": round(float(a.max()), 2),
            "p99_stall_ms": round(float(np.percentile(a, 99)), 2),
            "median_stall_ms": round(float(np.median(a)), 2),
            "stalls_over_50ms": int((a > 50.0).sum()),
            "ticks": int(a.size),
        }
