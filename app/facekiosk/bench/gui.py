"""`facekiosk bench gui`: preview and inference rates and GUI stalls, offscreen, demo source.

The same process first measures the event loop with capture + preview only
(the baseline), then with the inference worker running the real engine, so
the stall figures come with a same-process ratio.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from facekiosk.bench.stall_probe import StallProbe
from facekiosk.engine.base import FULL_REQUEST
from facekiosk.engine.remote import engine_info, open_engine
from facekiosk.engine.types import Face
from facekiosk.pipeline.capture import CaptureThread, LatestFrame
from facekiosk.pipeline.demo_source import demo_source
from facekiosk.settings import Settings
from facekiosk.ui.inference import FrameProcessor, InferenceResult, InferenceWorker
from facekiosk.ui.preview import PreviewWidget

PREVIEW_INTERVAL_MS = 16  # the GUI polls the frame slot at ~60 Hz and paints what is new


def _pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 2) if values else 0.0


class _Rig:
    """Capture thread + preview widget + stall probe, the GUI side of the kiosk."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.slot = LatestFrame()
        self.source = demo_source(fps=30.0)
        self.source.hold(1)  # one person in view: every frame is detected and embedded
        self.capture = CaptureThread(self.source, self.slot)
        self.preview = PreviewWidget()
        self.preview.resize(800, 600)
        self.preview.show()
        self.probe = StallProbe(5)
        self._seen = 0
        self.timer = QTimer()
        self.timer.setInterval(PREVIEW_INTERVAL_MS)
        self.timer.timeout.connect(self._poll)

    def _poll(self) -> None:
        packet = self.slot.get()
        if packet is not None and packet.seq != self._seen:
            self._seen = packet.seq
            self.preview.set_frame(packet.frame)
            self.preview.repaint()  # offscreen: paint now rather than on an expose event

    def close(self) -> None:
        """Qt objects go now, in order, while the event loop can still deliver deleteLater."""
        self.timer.stop()
        self.probe.stop()
        self.preview.close()
        for obj in (self.timer, self.probe, self.preview):
            obj.deleteLater()
        self.app.processEvents()

    def run_for(self, seconds: float) -> dict[str, float]:
        painted0 = self.preview.painted_frames
        self.probe.start()
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            self.app.processEvents()
            time.sleep(0.001)
        self.probe.stop()
        elapsed = time.perf_counter() - t0
        out = self.probe.summary()
        out["preview_fps"] = round((self.preview.painted_frames - painted0) / elapsed, 2)
        return out


def run_gui_bench(
    settings: Settings, data_dir: Path | None, seconds: float = 10.0, *, mode: str = "thread"
) -> dict[str, Any]:
    from facekiosk.ui.app import qt_app

    app = qt_app()
    rig = _Rig(app)
    rig.capture.start()
    rig.timer.start()
    try:
        rig.run_for(1.0)  # warm-up: first frames, first paints
        baseline = rig.run_for(max(2.0, seconds / 3))
        processor, engine_info, closer = _engine_processor(settings, data_dir, mode)
        results: list[InferenceResult] = []
        worker = InferenceWorker(rig.slot, processor)
        worker.result.connect(results.append)
        worker.start()
        try:
            while not results:  # model loading is not part of the measurement
                app.processEvents()
                time.sleep(0.01)
            results.clear()
            loaded = rig.run_for(seconds)
        finally:
            worker.stop()
            worker.deleteLater()
            closer()
    finally:
        rig.capture.stop()
        rig.close()
    compute = [r.compute_ms for r in results]
    latency = [r.latency_ms for r in results]
    return {
        "mode": mode,
        **engine_info,
        "seconds": seconds,
        "preview_fps": loaded["preview_fps"],
        "inference_fps": round(len(results) / seconds, 2),
        "max_stall_ms": loaded["max_stall_ms"],
        "p99_stall_ms": loaded["p99_stall_ms"],
        "median_stall_ms": loaded["median_stall_ms"],
        "stalls_over_50ms": loaded["stalls_over_50ms"],
        "probe_ticks": loaded["ticks"],
        "compute_p50_ms": _pct(compute, 50),
        "compute_p90_ms": _pct(compute, 90),
        "latency_p50_ms": _pct(latency, 50),
        "latency_p99_ms": _pct(latency, 99),
        "faces_per_frame": round(float(np.mean([len(r.faces) for r in results])), 2)
        if results
        else 0.0,
        "baseline": {
            k: baseline[k]
            for k in ("preview_fps", "max_stall_ms", "p99_stall_ms", "stalls_over_50ms", "ticks")
        },
        "p99_stall_ratio_vs_baseline": round(
            loaded["p99_stall_ms"] / max(baseline["p99_stall_ms"], 0.01), 2
        ),
        "target_max_stall_ms": 50.0,
    }


def _engine_processor(
    settings: Settings, data_dir: Path | None, mode: str
) -> tuple[FrameProcessor, dict[str, Any], Callable[[], None]]:
    """An engine-only frame processor: every face detected and embedded on every frame
    (heavier than any kiosk step), so the GUI stall measured is an upper bound."""
    engine = open_engine(settings, data_dir, "process" if mode == "process" else "thread")

    def process(frame: np.ndarray, t: float) -> tuple[list[Face], Any]:
        return engine.analyze(frame, FULL_REQUEST), None

    return process, engine_info(engine), engine.close
