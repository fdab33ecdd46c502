"""GUI test helpers: flow settings and a source held on one demo face."""

from __future__ import annotations

import dataclasses
import threading
import time

import numpy as np

from facekiosk.pipeline.demo_source import demo_people
from facekiosk.pipeline.sources import SlideshowSource, SourceError
from facekiosk.settings import Settings

ASTRONAUT = "astronaut"  # the one demo face that passes enrolment quality (frontal, even light)


def flow_settings() -> Settings:
    """Defaults, except: liveness off (the demo frames are still photos, which real
    liveness rightly refuses; liveness has its own tests), PIN never asked, short
    timeouts and result screen."""
    s = Settings()
    return dataclasses.replace(
        s,
        liveness=dataclasses.replace(s.liveness, enroll_level="off", auth_level="off"),
        pin=dataclasses.replace(s.pin, policy="never"),
        kiosk=dataclasses.replace(s.kiosk, capture_timeout_s=60.0, result_display_s=120.0),
    )


def people_source(label: str = ASTRONAUT, fps: float = 15.0) -> SlideshowSource:
    people = demo_people()
    source = SlideshowSource(people, name="demo-people", fps=fps)
    source.hold([p.label for p in people].index(label))
    return source


class StoppingCamera:
    """A camera double that delivers `good` frames, then either nothing (unplugged) or the
    same frame over and over (OpenCV's behaviour after some unplugs); reopening it fixes it,
    after `fail_opens` failed attempts."""

    live = True
    fps = 100.0

    def __init__(self, good: int, mode: str, fail_opens: int = 1) -> None:
        self.name = f"test camera ({mode})"
        self.good, self.mode, self.fail_opens = good, mode, fail_opens
        self.opens = 0
        self.failed_opens = 0
        self.sent = 0
        self.broken = False
        self._lock = threading.Lock()

    def open(self) -> None:
        with self._lock:
            if self.broken and self.failed_opens < self.fail_opens:
                self.failed_opens += 1
                raise SourceError("device busy")
            self.opens += 1
            self.broken = False
            self.sent = 0

    def read(self) -> np.ndarray | None:
        time.sleep(0.01)
        with self._lock:
            self.sent += 1
            if self.opens == 1 and self.sent > self.good:
                self.broken = True
            if self.broken:
                if self.mode == "silent":
                    return None
                return np.zeros((48, 64, 3), np.uint8)  # the same frame again and again
            frame = np.full((48, 64, 3), self.sent % 256, np.uint8)
            frame[0, 0, 0] = self.opens  # later opens never equal an earlier frame
            return frame

    def close(self) -> None:
        pass
