"""Frame sources: a camera, a video file (looped), an image folder, or the demo slideshow.

A source is a plain object with `open()`, `read() -> frame | None`, `close()`;
`read()` may block up to about one frame interval. No Qt here: the capture
thread drives sources and the tests drive them directly.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from facekiosk.engine.types import ImageError, read_image

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp"})
VIDEO_SUFFIXES = frozenset({".mp4", ".avi", ".mkv", ".mov", ".webm", ".m4v"})
CAMERA_OPEN_TIMEOUT_MS = 3000
CAMERA_READ_TIMEOUT_MS = 1000


class SourceError(RuntimeError):
    """A source cannot be opened or has ended for good."""


class FrameSource(Protocol):
    name: str
    live: bool  # a camera: repeated identical frames mean it is stuck
    fps: float

    def open(self) -> None: ...

    def read(self) -> np.ndarray | None:
        """The next BGR frame, or None when nothing arrived in time."""
        ...

    def close(self) -> None: ...


class _Paced:
    """Sleeps so that a file-backed source plays at its nominal rate, not as fast as it can."""

    def __init__(self, fps: float) -> None:
        self.interval = 1.0 / max(fps, 1.0)
        self._next = 0.0

    def wait(self) -> None:
        now = time.monotonic()
        if self._next > now:
            time.sleep(self._next - now)
            now = self._next
        self._next = max(now, self._next) + self.interval


class CameraSource:
    """A V4L2/OpenCV camera by index or device path."""

    live = True

    def __init__(self, device: int | str, width: int = 640, height: int = 480, fps: int = 30):
        self.device = device
        self.name = f"camera {device}"
        self.width, self.height, self.fps = width, height, float(fps)
        self._cap: cv2.VideoCapture | None = None

    def open(self) -> None:
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            CAMERA_OPEN_TIMEOUT_MS,
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            CAMERA_READ_TIMEOUT_MS,
        ]
        cap = cv2.VideoCapture(self.device, cv2.CAP_ANY, params)
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"{self.name}: cannot open (unplugged, busy or no permission?)")
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        cap.set(cv2.CAP_PROP_FPS, self.fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # newest frame, not a backlog
        self._cap = cap

    def read(self) -> np.ndarray | None:
        if self._cap is None:
            raise SourceError(f"{self.name}: not open")
        ok, frame = self._cap.read()
        return frame if ok and frame is not None and frame.size else None

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class VideoFileSource:
    """A video file played at its own frame rate, looping at the end."""

    live = False

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.name = f"video {self.path.name}"
        self.fps = 25.0
        self._cap: cv2.VideoCapture | None = None
        self._pace = _Paced(self.fps)

    def open(self) -> None:
        if not self.path.is_file():
            raise SourceError(f"{self.path}: no such video file")
        cap = cv2.VideoCapture(str(self.path))
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"{self.path}: not a readable video")
        fps = cap.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if 1.0 <= fps <= 240.0 else 25.0
        self._pace = _Paced(self.fps)
        self._cap = cap

    def read(self) -> np.ndarray | None:
        if self._cap is None:
            raise SourceError(f"{self.name}: not open")
        self._pace.wait()
        ok, frame = self._cap.read()
        if not ok:  # end of file: loop
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._cap.read()
            if not ok:
                raise SourceError(f"{self.path}: no frames")
        return frame

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


@dataclass(frozen=True)
class Slide:
    """One still shown for `seconds` (a face crop, a group photo, an empty scene)."""

    image: np.ndarray
    seconds: float
    label: str = ""


class SlideshowSource:
    """Stills shown in turn on a fixed-size canvas with a slight drift.

    The drift (a few pixels of translation and a percent of zoom) makes the
    frames differ from each other like a camera's would, so the preview moves
    and face tracking sees a live-ish face. `hold(i)` pins one slide (tests,
    and the demo's "stay on this person" key).
    """

    live = False

    def __init__(
        self,
        slides: list[Slide],
        *,
        name: str = "slideshow",
        size: tuple[int, int] = (640, 480),
        fps: float = 15.0,
        drift: bool = True,
        clock=time.monotonic,
    ) -> None:
        if not slides:
            raise SourceError(f"{name}: no images")
        self.name = name
        self.fps = fps
        self.size = size
        self.drift = drift
        self._clock = clock
        self._slides = [Slide(_fit(s.image, size), s.seconds, s.label) for s in slides]
        self._t0 = 0.0
        self._held: int | None = None
        self._pace = _Paced(fps)
        self._n = 0

    @property
    def slides(self) -> list[Slide]:
        return list(self._slides)

    def hold(self, index: int | None) -> None:
        if index is not None and not 0 <= index < len(self._slides):
            raise IndexError(f"slide {index} of {len(self._slides)}")
        self._held = index

    def current_index(self) -> int:
        if self._held is not None:
            return self._held
        total = sum(s.seconds for s in self._slides)
        t = (self._clock() - self._t0) % total
        for i, slide in enumerate(self._slides):
            if t < slide.seconds:
                return i
            t -= slide.seconds
        return len(self._slides) - 1

    def open(self) -> None:
        self._t0 = self._clock()

    def read(self) -> np.ndarray | None:
        self._pace.wait()
        self._n += 1
        base = self._slides[self.current_index()].image
        if not self.drift:
            return base.copy()
        phase = self._n / self.fps
        dx, dy = 4.0 * np.sin(phase * 1.3), 3.0 * np.sin(phase * 0.9)
        scale = 1.0 + 0.01 * np.sin(phase * 0.7)
        w, h = self.size
        m = cv2.getRotationMatrix2D((w / 2, h / 2), 0.0, scale)
        m[:, 2] += (dx, dy)
        return cv2.warpAffine(base, m, (w, h), borderMode=cv2.BORDER_REFLECT)

    def close(self) -> None:
        pass


def _fit(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Letterbox `image` into `size` (w, h) on a neutral grey background."""
    w, h = size
    ih, iw = image.shape[:2]
    scale = min(w / iw, h / ih)
    nw, nh = max(1, int(iw * scale)), max(1, int(ih * scale))
    resized = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA)
    canvas = np.full((h, w, 3), 48, dtype=np.uint8)
    x, y = (w - nw) // 2, (h - nh) // 2
    canvas[y : y + nh, x : x + nw] = resized
    return canvas


def image_folder_source(folder: Path, seconds: float = 4.0, fps: float = 15.0) -> SlideshowSource:
    """Every readable image in `folder` (sorted by name) as a slideshow; unreadable ones are
    skipped with a warning."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SourceError(f"{folder}: not a folder")
    slides = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        try:
            slides.append(Slide(read_image(str(path)), seconds, path.name))
        except ImageError as exc:
            log.warning("image folder: skipping %s (%s)", path.name, exc)
    if not slides:
        raise SourceError(f"{folder}: no readable images")
    return SlideshowSource(slides, name=f"folder {folder.name}", fps=fps)


def open_source(
    spec: str | int, *, width: int = 640, height: int = 480, fps: int = 30
) -> FrameSource:
    """Turn a `--camera/--source` value or `camera.source` setting into a source.

    "demo" -> the demo slideshow; an integer or "auto" -> a camera index
    ("auto" = 0); "/dev/video*" -> that camera; a folder -> image slideshow;
    a video file -> looped video.
    """
    from facekiosk.pipeline.demo_source import demo_source

    if isinstance(spec, int):
        return CameraSource(spec, width, height, fps)
    text = str(spec).strip()
    if text == "demo":
        return demo_source()
    if text == "auto":
        return CameraSource(0, width, height, fps)
    if text.isdigit():
        return CameraSource(int(text), width, height, fps)
    if text.startswith("/dev/"):
        return CameraSource(text, width, height, fps)
    path = Path(text).expanduser()
    if path.is_dir():
        return image_folder_source(path)
    if path.is_file():
        if path.suffix.lower() in IMAGE_SUFFIXES:
            return SlideshowSource(
                [Slide(read_image(str(path)), 3600.0, path.name)], name=path.name
            )
        return VideoFileSource(path)
    raise SourceError(f"{text}: not a camera index, device, folder, image or video file")
