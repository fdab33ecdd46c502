"""Derived test images: geometric and photometric edits of real photos."""

from __future__ import annotations

import cv2
import numpy as np


def rotate(image: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate about the centre; positive = counter-clockwise on screen (OpenCV's sign)."""
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(image, m, (w, h), borderMode=cv2.BORDER_REPLICATE)


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


def place(image: np.ndarray, scale: float, dx: float = 0.0, dy: float = 0.0) -> np.ndarray:
    """Scale the content and move it by (dx, dy) pixels inside a frame of the same size."""
    h, w = image.shape[:2]
    m = np.float32([[scale, 0, (1 - scale) * w / 2 + dx], [0, scale, (1 - scale) * h / 2 + dy]])
    return cv2.warpAffine(image, m, (w, h), borderMode=cv2.BORDER_REPLICATE)


def tilt_back(image: np.ndarray, squash: float, narrow_top: float) -> np.ndarray:
    """Perspective warp like a face plane tipped back (its top farther away)."""
    h, w = image.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dy, dx = h * (1 - squash) / 2, w * narrow_top / 2
    dst = np.float32([[dx, dy], [w - dx, dy], [w, h - dy], [0, h - dy]])
    m = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(image, m, (w, h), borderMode=cv2.BORDER_REPLICATE)


def video_frame(path: str, index: int) -> np.ndarray:
    cap = cv2.VideoCapture(path)
    try:
        cap.set(cv2.CAP_PROP_POS_FRAMES, index)
        ok, frame = cap.read()
    finally:
        cap.release()
    assert ok, f"{path}: frame {index} unreadable"
    return frame
