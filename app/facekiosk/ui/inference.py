"""The inference worker: a QThread that runs the engine (and the kiosk session) on the
newest frame whenever it is free, and emits plain dataclasses by signal.

User input for the session (accept consent, PIN digits, cancel) is posted as a
command and run on this thread between frames, so the session is only ever
touched by one thread and the GUI never waits for a frame to finish.
"""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PySide6.QtCore import QThread, Signal

from facekiosk.engine.types import Face
from facekiosk.pipeline.capture import LatestFrame

log = logging.getLogger(__name__)

WAIT_SLICE_S = 0.05  # how often the loop looks at its command queue while no frame arrives


@dataclass(frozen=True)
class FaceOverlay:
    """What the preview draws for one face (frame pixel coordinates)."""

    bbox: tuple[float, float, float, float]
    primary: bool  # the face the session is working with
    yaw: float | None = None
    pitch: float | None = None


@dataclass(frozen=True)
class InferenceResult:
    seq: int  # the frame's capture sequence number
    frame_size: tuple[int, int]  # (w, h)
    faces: tuple[FaceOverlay, ...]
    latency_ms: float  # capture to result
    compute_ms: float  # engine + session
    view: Any = None  # the session's SessionView snapshot, when a session runs
    extras: dict[str, Any] = field(default_factory=dict)
    # the analysed frame itself: the preview draws the boxes on the frame they belong to
    frame: Any = field(default=None, repr=False, compare=False)


# (frame, capture time) -> (faces, session view or None)
FrameProcessor = Callable[[np.ndarray, float], tuple[list[Face], Any]]
Command = Callable[[], Any]


def _plain(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """Python floats: an engine's box may hold numpy scalars."""
    x1, y1, x2, y2 = box
    return float(x1), float(y1), float(x2), float(y2)


def overlays(faces: list[Face]) -> tuple[FaceOverlay, ...]:
    return tuple(
        FaceOverlay(
            _plain(f.bbox),
            i == 0,
            f.pose.yaw if f.pose else None,
            f.pose.pitch if f.pose else None,
        )
        for i, f in enumerate(faces)
    )


class InferenceWorker(QThread):
    """Processes the newest frame of `slot` with `process`; never queues frames."""

    result = Signal(object)  # InferenceResult
    view_changed = Signal(object)  # a SessionView after a command (no frame involved)
    failed = Signal(str)  # a processing error (the worker keeps running)

    def __init__(
        self,
        slot: LatestFrame,
        process: FrameProcessor,
        *,
        snapshot: Callable[[], Any] | None = None,
        with_frame: bool = False,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("facekiosk-inference")
        self.slot = slot
        self.process = process
        self.snapshot = snapshot
        # the kiosk's preview draws boxes on their own frame; a listener that keeps every
        # result (bench gui) must not keep every frame with it
        self.with_frame = with_frame
        self._commands: queue.SimpleQueue[Command] = queue.SimpleQueue()
        self._running = True
        self._paused = False
        self.processed = 0

    def post(self, command: Command) -> None:
        """Run `command` on the worker thread (between frames); emits `view_changed`."""
        self._commands.put(command)

    def set_paused(self, paused: bool) -> None:
        """Paused: commands still run, frames are not processed (e.g. admin panel open)."""
        self._paused = paused

    def stop(self, timeout_ms: int = 5000) -> None:
        self._running = False
        self.wait(timeout_ms)

    def _run_commands(self) -> None:
        ran = False
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                break
            ran = True
            try:
                command()
            except Exception as exc:
                log.exception("session command failed")
                self.failed.emit(f"{type(exc).__name__}: {exc}")
        if ran and self.snapshot is not None:
            self.view_changed.emit(self.snapshot())

    def run(self) -> None:
        last_seq = 0
        while self._running:
            self._run_commands()
            if self._paused:
                time.sleep(WAIT_SLICE_S)
                continue
            packet = self.slot.wait_newer(last_seq, WAIT_SLICE_S)
            if packet is None or not self._running:
                continue
            last_seq = packet.seq
            start = time.monotonic()
            try:
                faces, view = self.process(packet.frame, packet.t)
            except Exception as exc:
                log.exception("frame processing failed")
                self.failed.emit(f"{type(exc).__name__}: {exc}")
                continue
            done = time.monotonic()
            self.processed += 1
            h, w = packet.frame.shape[:2]
            self.result.emit(
                InferenceResult(
                    seq=packet.seq,
                    frame_size=(w, h),
                    faces=overlays(faces),
                    latency_ms=(done - packet.t) * 1000.0,
                    compute_ms=(done - start) * 1000.0,
                    view=view,
                    frame=packet.frame if self.with_frame else None,
                )
            )
