"""Camera selection with a live preview for the settings editor: the cameras the system
lists (facekiosk.doctor.camera_candidates), "auto", "demo", or a typed video file / image
folder path; "Preview" opens the chosen source with the kiosk's own source and capture
classes and paints its newest frame. Nothing is opened until the admin asks, and the
preview stops when the source changes or the tab is hidden (no frame is kept)."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QVBoxLayout, QWidget

from facekiosk.pipeline.capture import CaptureThread, LatestFrame
from facekiosk.pipeline.sources import SourceError, open_source
from facekiosk.settings import CameraSettings
from facekiosk.ui.admin.controls import hint_label, touch_button
from facekiosk.ui.preview import PreviewWidget

POLL_MS = 33  # ~30 Hz, the camera rate


def source_choices() -> list[str]:
    """The sources offered in the list: auto, the system's cameras, the demo."""
    from facekiosk.doctor import camera_candidates

    return ["auto", *camera_candidates(), "demo"]


class CameraPicker(QWidget):
    def __init__(self, camera: CameraSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.camera = camera
        self.capture: CaptureThread | None = None
        self.slot = LatestFrame()
        self.frames_shown = 0
        self._last_seq = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.combo = QComboBox()
        self.combo.setEditable(True)  # a video file or image folder path can be typed
        self.combo.setProperty("free_text", True)
        for choice in source_choices():
            self.combo.addItem(choice, choice)
        current = camera.source
        if self.combo.findText(current) < 0:
            self.combo.addItem(current, current)
        self.combo.setCurrentIndex(self.combo.findText(current))
        self.combo.setObjectName("camera.source")
        self.combo.setAccessibleName("camera.source")
        row.addWidget(self.combo, 1)
        self.preview_button = touch_button(
            self.tr("Preview"), accessible=self.tr("Preview the camera source")
        )
        self.preview_button.setCheckable(True)
        row.addWidget(self.preview_button)
        layout.addLayout(row)
        self.preview = PreviewWidget(mirror=True)
        self.preview.setFixedSize(240, 180)
        self.preview.hide()
        layout.addWidget(self.preview)
        self.status = hint_label()
        layout.addWidget(self.status)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._poll)
        self.preview_button.toggled.connect(self._toggled)
        self.combo.currentTextChanged.connect(self._source_changed)

    def source(self) -> str:
        return self.combo.currentText().strip()

    def set_source(self, spec: str) -> None:
        self.combo.setEditText(spec)
        if self.combo.currentText() != spec:
            self.combo.setCurrentText(spec)

    def start_preview(self) -> bool:
        """Open the chosen source and show its frames; False (with the reason) if it cannot."""
        self.stop_preview()
        spec = self.source()
        try:
            source = open_source(
                spec, width=self.camera.width, height=self.camera.height, fps=self.camera.fps
            )
        except (SourceError, OSError, ValueError) as exc:
            self.status.setText(self.tr("Cannot preview: %1").replace("%1", str(exc)))
            return False
        self.slot = LatestFrame()
        self.capture = CaptureThread(source, self.slot)
        self.capture.start()
        self.frames_shown = 0
        self._last_seq = 0
        self.preview.show()
        self.status.setText(self.tr("Opening %1 …").replace("%1", source.name))
        self.timer.start()
        if not self.preview_button.isChecked():
            self.preview_button.blockSignals(True)
            self.preview_button.setChecked(True)
            self.preview_button.blockSignals(False)
        return True

    def stop_preview(self) -> None:
        self.timer.stop()
        if self.capture is not None:
            self.capture.stop()
            self.capture = None
        self.slot.clear()
        self.preview.clear()
        self.preview.hide()
        if self.preview_button.isChecked():
            self.preview_button.blockSignals(True)
            self.preview_button.setChecked(False)
            self.preview_button.blockSignals(False)

    @property
    def previewing(self) -> bool:
        return self.capture is not None

    def _toggled(self, on: bool) -> None:
        if on:
            if not self.start_preview():
                self.preview_button.blockSignals(True)
                self.preview_button.setChecked(False)
                self.preview_button.blockSignals(False)
        else:
            self.stop_preview()
            self.status.clear()

    def _source_changed(self, _text: str) -> None:
        if self.previewing:  # follow the new choice
            self.start_preview()

    def _poll(self) -> None:
        if self.capture is None:
            return
        packet = self.slot.get()
        if packet is not None and packet.seq != self._last_seq:
            self._last_seq = packet.seq
            self.preview.set_frame(packet.frame)
            self.frames_shown += 1
        status = self.capture.status
        if status.state == "running":
            h, w = packet.frame.shape[:2] if packet is not None else (0, 0)
            text = self.tr("%1: live").replace("%1", status.source)
            if w:
                text += f" ({w}x{h})"
            self.status.setText(text)
        elif status.state in ("stalled", "reopening"):
            self.status.setText(f"{status.source}: {status.state} {status.message}")

    def hideEvent(self, event) -> None:
        self.stop_preview()
        super().hideEvent(event)
