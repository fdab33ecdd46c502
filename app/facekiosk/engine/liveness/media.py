"""Labelled presentation media for `bench liveness` and the tests.

A dataset folder holds `live/` and `attack/<type>/`; each entry is a video file,
a folder of frames, or a still image. A still is presented as a video: placed
on a camera-sized canvas and held with small hand-like jitter (drift, in-plane
rotation, scale and a slight tilt of the sheet) plus sensor noise, so frames are
never identical.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from facekiosk.engine.types import ImageError, read_image

VIDEO_EXTS = {".mp4", ".avi", ".webm", ".mov", ".mkv", ".m4v"}
IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}
FOLDER_FPS = 10.0  # a folder of frames has no clock of its own
CANVAS = (640, 480)  # width, height of a typical kiosk camera frame


@dataclass(frozen=True)
class Presentation:
    path: Path
    label: str  # "live" or "attack"
    attack_type: str | None  # sub-folder under attack/, None for live

    @property
    def kind(self) -> str:
        if self.path.is_dir():
            return "frames"
        return "video" if self.path.suffix.lower() in VIDEO_EXTS else "still"


def _entries(folder: Path) -> list[Path]:
    found = []
    for p in sorted(folder.iterdir()):
        if p.name.startswith("."):
            continue
        if p.is_dir() or p.suffix.lower() in VIDEO_EXTS | IMAGE_EXTS:
            found.append(p)
    return found


def discover(dataset: Path) -> list[Presentation]:
    """Every presentation under `dataset/live` and `dataset/attack/<type>`."""
    dataset = Path(dataset)
    live, attack = dataset / "live", dataset / "attack"
    if not live.is_dir() and not attack.is_dir():
        raise FileNotFoundError(f"{dataset}: expected live/ and/or attack/<type>/ folders")
    items = [Presentation(p, "live", None) for p in _entries(live)] if live.is_dir() else []
    if attack.is_dir():
        for sub in sorted(p for p in attack.iterdir() if p.is_dir()):
            items += [Presentation(p, "attack", sub.name) for p in _entries(sub)]
    return items


def _fit_width(frame: np.ndarray, max_width: int) -> np.ndarray:
    h, w = frame.shape[:2]
    if max_width and w > max_width:
        size = (max_width, round(h * max_width / w))
        return cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
    return frame


def video_frames(
    path: Path, *, fps: float | None = None, max_seconds: float | None = None, max_width: int = 640
) -> Iterator[tuple[float, np.ndarray]]:
    """(t, BGR frame) at about `fps` (None = all); skipped frames are grabbed, not decoded."""
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise ImageError(f"{path}: cannot open video")
    try:
        native = cap.get(cv2.CAP_PROP_FPS) or 30.0
        if not np.isfinite(native) or native <= 1:
            native = 30.0
        step = 1.0 / fps if fps else 0.0
        next_t, index = 0.0, 0
        while True:
            t = index / native
            if max_seconds is not None and t > max_seconds:
                break
            if not cap.grab():
                break
            index += 1
            if t + 1e-6 < next_t:
                continue
            ok, frame = cap.retrieve()
            if not ok:
                break
            next_t += step
            yield t, _fit_width(frame, max_width)
    finally:
        cap.release()


def folder_frames(
    path: Path, *, fps: float | None = None, max_seconds: float | None = None, max_width: int = 640
) -> Iterator[tuple[float, np.ndarray]]:
    files = [p for p in sorted(path.iterdir()) if p.suffix.lower() in IMAGE_EXTS]
    stride = max(1, round(FOLDER_FPS / fps)) if fps else 1
    for i in range(0, len(files), stride):
        t = i / FOLDER_FPS
        if max_seconds is not None and t > max_seconds:
            break
        yield t, _fit_width(read_image(str(files[i])), max_width)


@dataclass(frozen=True)
class Jitter:
    """Amplitudes of the hand-held motion (a smooth random walk around the rest pose)."""

    shift: float = 0.015  # fraction of the canvas
    rotate_deg: float = 3.0
    scale: float = 0.03
    tilt: float = 0.04  # perspective: one side of the sheet nearer than the other
    noise: float = 2.0  # sensor noise, grey levels (sigma)


STILL_JITTER = Jitter()
NO_JITTER = Jitter(0.0, 0.0, 0.0, 0.0, 2.0)


def _smooth_walk(rng: np.random.Generator, n: int, dims: int) -> np.ndarray:
    """n x dims values in [-1, 1] that drift slowly (hand tremor, not white noise)."""
    steps = rng.normal(0.0, 0.25, size=(n, dims))
    walk = np.cumsum(steps, axis=0)
    kernel = np.ones(5) / 5.0
    walk = np.stack([np.convolve(walk[:, d], kernel, mode="same") for d in range(dims)], 1)
    return np.tanh(walk)


def still_frames(
    image: np.ndarray,
    *,
    seconds: float = 6.0,
    fps: float = 10.0,
    jitter: Jitter = STILL_JITTER,
    seed: int = 0,
    canvas: tuple[int, int] = CANVAS,
    base_rotation_deg: float = 0.0,
    base_scale: float = 0.8,
) -> Iterator[tuple[float, np.ndarray]]:
    """A still photo held in front of the camera for `seconds`, as (t, frame)."""
    rng = np.random.default_rng(seed)
    cw, ch = canvas
    h, w = image.shape[:2]
    fit = base_scale * min(cw / w, ch / h)
    n = max(1, round(seconds * fps))
    walk = _smooth_walk(rng, n, 6)
    background = rng.integers(60, 120, size=(ch, cw, 3), dtype=np.uint8)
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    for i in range(n):
        dx, dy, rot, sc, tx, ty = walk[i]
        angle = np.radians(base_rotation_deg + jitter.rotate_deg * rot)
        s = fit * (1.0 + jitter.scale * sc)
        cos, sin = np.cos(angle) * s, np.sin(angle) * s
        centred = corners - (w / 2, h / 2)
        pts = centred @ np.array([[cos, sin], [-sin, cos]], dtype=np.float32)
        # Tilt: push one edge of the sheet towards the camera (it grows) and the other away.
        pts[:, 0] *= 1.0 + jitter.tilt * tx * np.sign(centred[:, 1] + 1e-6) * 0.5
        pts[:, 1] *= 1.0 + jitter.tilt * ty * np.sign(centred[:, 0] + 1e-6) * 0.5
        pts += (cw / 2 + jitter.shift * cw * dx, ch / 2 + jitter.shift * ch * dy)
        h_matrix = cv2.getPerspectiveTransform(corners, np.asarray(pts, dtype=np.float32))
        frame = cv2.warpPerspective(
            image, h_matrix, (cw, ch), dst=background.copy(), borderMode=cv2.BORDER_TRANSPARENT
        )
        if jitter.noise > 0:
            noisy = frame.astype(np.float32) + rng.normal(0.0, jitter.noise, frame.shape)
            frame = np.clip(noisy, 0, 255).astype(np.uint8)
        yield i / fps, frame


def presentation_frames(
    item: Presentation, *, fps: float = 10.0, max_seconds: float = 12.0, seed: int = 0
) -> Iterator[tuple[float, np.ndarray]]:
    if item.kind == "video":
        return video_frames(item.path, fps=fps, max_seconds=max_seconds)
    if item.kind == "frames":
        return folder_frames(item.path, fps=fps, max_seconds=max_seconds)
    return still_frames(read_image(str(item.path)), seconds=max_seconds, fps=fps, seed=seed)


def build_shared_view(shared: Path, out: Path) -> Path:
    """Lay ../shared/{liveness,faces} out as a bench dataset of symlinks (no copies).

    liveness/videos/live_* -> live/, attack_* -> attack/replay/,
    liveness/attacks/spoof/*.jpg -> attack/still/,
    faces/identities/*/*.jpg -> attack/print_still/ (real faces held up as photos).
    """
    shared, out = Path(shared), Path(out)
    links: list[tuple[Path, Path]] = []
    videos = shared / "liveness" / "videos"
    if videos.is_dir():
        for p in sorted(videos.iterdir()):
            if p.suffix.lower() not in VIDEO_EXTS:
                continue
            if p.name.startswith("live_"):
                links.append((p, out / "live" / p.name))
            elif p.name.startswith("attack_"):
                links.append((p, out / "attack" / "replay" / p.name))
    # attacks/live stills are single genuine photos: held up as a video they ARE a
    # photo attack, so only attacks/spoof joins (as stills); both serve the cue study.
    spoof = shared / "liveness" / "attacks" / "spoof"
    if spoof.is_dir():
        for p in sorted(spoof.glob("*.jpg")):
            links.append((p, out / "attack" / "still" / p.name))
    faces = shared / "faces" / "identities"
    if faces.is_dir():
        for p in sorted(faces.glob("*/*.jpg")):
            links.append((p, out / "attack" / "print_still" / f"{p.parent.name}_{p.name}"))
    if not links:
        raise FileNotFoundError(f"{shared}: no liveness/ or faces/ media found")
    for src, dst in links:
        dst.parent.mkdir(parents=True, exist_ok=True)
        if dst.is_symlink() or dst.exists():
            dst.unlink()
        os.symlink(src.resolve(), dst)
    return out
