"""The capture thread: keeps only the newest frame, watches the source, reopens it.

A plain `threading.Thread` (no Qt) so it can be tested and benchmarked
without an event loop; the window turns its status callbacks into a signal.
OpenCV's `read()` releases the GIL while it waits for the camera.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

from facekiosk.pipeline.sources import FrameSource, SourceError

log = logging.getLogger(__name__)

STALL_SECONDS = 2.0  # no new frame for this long = the source is stuck
BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0, 8.0)  # waits between reopen attempts, last one repeats
FINGERPRINT_STEP = 16  # compare every 16th pixel to spot a camera repeating one frame

CaptureState = Literal["starting", "running", "stalled", "reopening", "stopped"]


@dataclass(frozen=True)
class FramePacket:
    frame: np.ndarray
    seq: int  # 1, 2, 3 ... in capture order; gaps mean frames were replaced unseen
    t: float  # time.monotonic() at capture


@dataclass(frozen=True)
class CaptureStatus:
    state: CaptureState
    source: str
    message: str = ""
    attempt: int = 0  # reopen attempts since the last good frame


class LatestFrame:
    """A one-slot mailbox: `put` replaces, readers always get the newest frame."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._packet: FramePacket | None = None
        self._seq = 0

    def put(self, frame: np.ndarray, t: float | None = None) -> int:
        with self._cond:
            self._seq += 1
            self._packet = FramePacket(frame, self._seq, time.monotonic() if t is None else t)
            self._cond.notify_all()
            return self._seq

    def get(self) -> FramePacket | None:
        with self._cond:
            return self._packet

    def clear(self) -> None:
        """Drop the held frame (idle timeout: no image stays in memory)."""
        with self._cond:
            self._packet = None

    def wait_newer(self, seq: int, timeout: float) -> FramePacket | None:
        """The newest packet with a sequence number above `seq`, or None after `timeout`."""
        with self._cond:
            ok = self._cond.wait_for(
                lambda: self._packet is not None and self._packet.seq > seq, timeout
            )
            return self._packet if ok else None


def _fingerprint(frame: np.ndarray) -> bytes:
    return frame[::FINGERPRINT_STEP, ::FINGERPRINT_STEP].tobytes()


class CaptureThread(threading.Thread):
    """Reads `source` as fast as it delivers into `slot`; reopens it with backoff when it
    fails, stops delivering, or (a live camera) repeats the same frame for `stall_s`."""

    def __init__(
        self,
        source: FrameSource,
        slot: LatestFrame,
        on_status: Callable[[CaptureStatus], None] | None = None,
        *,
        stall_s: float = STALL_SECONDS,
        backoff: tuple[float, ...] = BACKOFF_SECONDS,
    ) -> None:
        super().__init__(name="facekiosk-capture", daemon=True)
        self.source = source
        self.slot = slot
        self.stall_s = stall_s
        self.backoff = backoff
        self._on_status = on_status or (lambda status: None)
        self._halt = threading.Event()
        self.status = CaptureStatus("starting", source.name)
        self.frames = 0
        self.reopens = 0
        # False while the kiosk idles: frames are read (camera warm, watchdog running)
        # but dropped at once, so no image of a passer-by is held in memory
        self.keep_frames = True

    def set_keep_frames(self, keep: bool) -> None:
        self.keep_frames = keep
        if not keep:
            self.slot.clear()

    def stop(self, timeout: float = 3.0) -> None:
        self._halt.set()
        if self.is_alive():
            self.join(timeout)

    def _report(self, state: CaptureState, message: str = "", attempt: int = 0) -> None:
        status = CaptureStatus(state, self.source.name, message, attempt)
        if status != self.status:
            self.status = status
            if state in ("stalled", "reopening"):
                log.warning("capture %s: %s %s", self.source.name, state, message)
            self._on_status(status)

    def _open_with_backoff(self) -> bool:
        attempt = 0
        while not self._halt.is_set():
            try:
                self.source.open()
                return True
            except (SourceError, cv2.error, OSError) as exc:
                wait = self.backoff[min(attempt, len(self.backoff) - 1)]
                attempt += 1
                self._report("reopening", f"{exc}; retrying in {wait:g} s", attempt)
                if self._halt.wait(wait):
                    return False
        return False

    def _reopen(self, reason: str) -> bool:
        self._report("stalled", reason)
        self.reopens += 1
        try:
            self.source.close()
        except Exception:  # a broken device may fail to close; we reopen regardless
            log.exception("capture %s: close failed", self.source.name)
        self._halt.wait(self.backoff[0])
        return self._open_with_backoff()

    def run(self) -> None:
        if not self._open_with_backoff():
            self._report("stopped")
            return
        last_new = time.monotonic()
        last_print = b""
        try:
            while not self._halt.is_set():
                try:
                    frame = self.source.read()
                except (SourceError, cv2.error, OSError) as exc:
                    if not self._reopen(f"read failed: {exc}"):
                        break
                    last_new, last_print = time.monotonic(), b""
                    continue
                now = time.monotonic()
                if frame is not None:
                    fp = _fingerprint(frame) if self.source.live else b""
                    if not self.source.live or fp != last_print:
                        last_print, last_new = fp, now
                        if self.keep_frames:
                            self.slot.put(frame, now)
                        self.frames += 1
                        self._report("running")
                        continue
                if now - last_new > self.stall_s:
                    reason = "no new frame" if frame is None else "the same frame repeats"
                    if not self._reopen(f"{reason} for {now - last_new:.1f} s"):
                        break
                    last_new, last_print = time.monotonic(), b""
                elif frame is None:
                    self._halt.wait(0.01)
        finally:
            self.source.close()
            self._report("stopped")
