"""The live camera preview: paints the newest frame at camera rate plus overlays.

Overlays come from the latest inference result (face boxes), the session
(guidance arrow) and liveness (a progress ring); the widget never waits for
inference, it just draws what it has.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from facekiosk.ui.inference import FaceOverlay

ARROWS = ("left", "right", "up", "down", "closer", "back")
GOOD = QColor("#3ddc84")
HINT = QColor("#ffcc33")
OTHER = QColor(255, 255, 255, 140)
# While face boxes are fresh the preview shows the frame they were found in, not the newest
# camera frame: a box drawn on a newer frame lags a moving head by the inference latency
# (bench gui: p50 48 ms, p99 152 ms) and can sit beside the face. Measured with the default
# engine in a thread on a face swinging at up to 240 px/s in a 30 fps 512 px feed: when a
# result arrived the newest frame was 1.6 frames on (mean, max 10) and the face in it a
# median 7 px, p90 15 px, max 74 px away from its box (a face box is ~150 px wide); drawn on
# its own frame the offset is 0, the picture ~1.6 frames (~50 ms) older. Boxes older than
# BOX_HOLD_S are dropped and the live video resumes (a stalled engine must not freeze it).
BOX_HOLD_S = 0.3
RING_RADIUS = 0.08  # of the image's shorter side
EDGE = 0.03  # the ring's distance from the image's corner, same unit
CORNER_INSET = 0.30  # the closer/back corner marks' centres, same unit: clear of the ring


def to_qimage(frame: np.ndarray) -> QImage:
    """A QImage view of a BGR uint8 frame (the caller keeps `frame` alive while painting)."""
    h, w = frame.shape[:2]
    return QImage(frame.data, w, h, int(frame.strides[0]), QImage.Format.Format_BGR888)


class PreviewWidget(QWidget):
    def __init__(self, parent: QWidget | None = None, *, mirror: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("preview")
        self.setAccessibleName(self.tr("Camera preview"))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(240, 180)
        self.mirror = mirror
        self._frame: np.ndarray | None = None
        self._faces: tuple[FaceOverlay, ...] = ()
        self._face_frame_size: tuple[int, int] = (1, 1)
        self._faces_at = 0.0
        self._live: np.ndarray | None = None  # the newest camera frame
        self.face_ok = False
        self.arrow: str | None = None
        self.progress: float | None = None  # 0..1 liveness/capture progress
        self.message = ""
        self.painted_frames = 0

    def set_frame(self, frame: np.ndarray | None) -> None:
        """The newest camera frame; shown unless fresh boxes hold the frame they came from."""
        self._live = frame
        if not self.holding_boxes():
            self._frame = frame
            self.update()

    def set_faces(
        self,
        faces: tuple[FaceOverlay, ...],
        frame_size: tuple[int, int],
        *,
        frame: np.ndarray | None = None,
    ) -> None:
        """Boxes found in `frame` (given: that frame is shown with them)."""
        self._faces = faces
        self._face_frame_size = frame_size
        self._faces_at = time.monotonic() if faces and frame is not None else 0.0
        if frame is not None:
            self._frame = frame
        self.update()

    def holding_boxes(self) -> bool:
        if not self._faces_at:
            return False
        if time.monotonic() - self._faces_at <= BOX_HOLD_S:
            return True
        self._faces, self._faces_at = (), 0.0  # stale: back to the live video
        if self._live is not None:
            self._frame = self._live
        return False

    def set_guidance(
        self, *, ok: bool, arrow: str | None, progress: float | None, message: str = ""
    ) -> None:
        self.face_ok, self.arrow, self.progress, self.message = ok, arrow, progress, message
        self.update()

    def clear(self) -> None:
        self._frame, self._faces, self._live, self._faces_at = None, (), None, 0.0
        self.update()

    def _image_rect(self, w: int, h: int) -> QRectF:
        scale = min(self.width() / w, self.height() / h)
        dw, dh = w * scale, h * scale
        return QRectF((self.width() - dw) / 2, (self.height() - dh) / 2, dw, dh)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#10151c"))
        frame = self._frame
        if frame is None:
            p.end()
            return
        h, w = frame.shape[:2]
        target = self._image_rect(w, h)
        image = to_qimage(frame)
        if self.mirror:
            image = image.flipped(Qt.Orientation.Horizontal)
        p.drawImage(target, image)
        self._paint_faces(p, target)
        self._paint_arrow(p, target)
        self._paint_progress(p, target)
        p.end()
        self.painted_frames += 1

    def _map_box(self, box: tuple[float, float, float, float], target: QRectF) -> QRectF:
        fw, fh = self._face_frame_size
        sx, sy = target.width() / fw, target.height() / fh
        x1, y1, x2, y2 = box
        if self.mirror:
            x1, x2 = fw - x2, fw - x1
        return QRectF(target.x() + x1 * sx, target.y() + y1 * sy, (x2 - x1) * sx, (y2 - y1) * sy)

    def _paint_faces(self, p: QPainter, target: QRectF) -> None:
        for face in self._faces:
            colour = (GOOD if self.face_ok else HINT) if face.primary else OTHER
            p.setPen(QPen(colour, 4 if face.primary else 2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(self._map_box(face.bbox, target), 12, 12)

    @staticmethod
    def ring_rect(target: QRectF) -> QRectF:
        """Where the progress ring goes: the image's top right corner."""
        m = min(target.width(), target.height())
        r, edge = RING_RADIUS * m, EDGE * m
        return QRectF(target.right() - edge - 2 * r, target.top() + edge, 2 * r, 2 * r)

    @staticmethod
    def arrow_polygons(arrow: str | None, target: QRectF) -> list[QPolygonF]:
        """The guidance arrow's shapes (image coordinates of the widget)."""
        if arrow not in ARROWS:
            return []
        c = target.center()
        m = min(target.width(), target.height())
        size = m * 0.12
        if arrow in ("closer", "back"):
            # triangles near the four corners: pointing outwards = come closer (fill the
            # frame), inwards = step back; the face itself stays uncovered, and the marks
            # sit inside the ring's corner so they never overlap it (issue 17)
            sign = 1.0 if arrow == "closer" else -1.0
            inset = CORNER_INSET * m
            shapes = []
            for cx, cy in ((-1, -1), (1, -1), (-1, 1), (1, 1)):
                corner = QPointF(
                    c.x() + cx * (target.width() / 2 - inset),
                    c.y() + cy * (target.height() / 2 - inset),
                )
                tip = QPointF(
                    corner.x() + sign * cx * size * 0.5, corner.y() + sign * cy * size * 0.5
                )
                back = QPointF(
                    corner.x() - sign * cx * size * 0.5, corner.y() - sign * cy * size * 0.5
                )
                shapes.append(
                    QPolygonF([tip, QPointF(back.x(), tip.y()), QPointF(tip.x(), back.y())])
                )
            return shapes
        dx, dy = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}[arrow]
        # the arrow sits at the edge of the image the person should move towards
        tip = QPointF(c.x() + dx * target.width() * 0.42, c.y() + dy * target.height() * 0.40)
        base = QPointF(tip.x() - dx * size, tip.y() - dy * size)
        perp = QPointF(-dy * size * 0.7, dx * size * 0.7)
        return [QPolygonF([tip, base + perp, base - perp])]

    def _paint_arrow(self, p: QPainter, target: QRectF) -> None:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(HINT)
        for shape in self.arrow_polygons(self.arrow, target):
            p.drawPolygon(shape)

    def _paint_progress(self, p: QPainter, target: QRectF) -> None:
        if self.progress is None:
            return
        p.setBrush(Qt.BrushStyle.NoBrush)
        box = self.ring_rect(target)
        p.setPen(QPen(QColor(255, 255, 255, 70), 8))
        p.drawEllipse(box)
        pen = QPen(GOOD, 8)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        span = int(-360 * 16 * max(0.0, min(1.0, self.progress)))
        path = QPainterPath()
        path.arcMoveTo(box, 90)
        path.arcTo(box, 90, span / 16)
        p.drawPath(path)
