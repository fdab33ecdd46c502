"""Settings editor: one form per settings section, built from the typed dataclasses, saved
through the same validation as `settings.toml` (a bad value is refused, nothing written)."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path
from typing import Any, Literal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from facekiosk.settings import (
    Settings,
    SettingsError,
    dump_settings,
    parse_settings,
    save_settings,
)
from facekiosk.ui.admin.camera_picker import CameraPicker

# Sections an admin edits at the kiosk; the rest stay in settings.toml.
SECTIONS = ("engine", "kiosk", "pin", "liveness", "quality", "camera")


def _editor(value: Any, tp: Any) -> QWidget:
    origin = typing.get_origin(tp)
    if origin is Literal:
        w = QComboBox()
        for option in typing.get_args(tp):
            w.addItem(str(option), option)
        w.setCurrentIndex(max(0, w.findData(value)))
        return w
    if tp is bool:
        w = QCheckBox()
        w.setChecked(bool(value))
        return w
    if tp is int:
        w = QSpinBox()
        w.setRange(-1_000_000, 1_000_000)
        w.setValue(int(value))
        return w
    if tp is float:
        w = QDoubleSpinBox()
        w.setDecimals(3)
        w.setRange(-1_000_000.0, 1_000_000.0)
        w.setValue(float(value))
        return w
    w = QLineEdit()
    if isinstance(value, list):
        w.setText(", ".join(str(v) for v in value))
        w.setProperty("list", True)
    else:
        w.setText("" if value is None else str(value))
    return w


def _read(w: QWidget, tp: Any) -> Any:
    if isinstance(w, QComboBox):
        if w.property("free_text"):  # the camera picker: a listed choice or a typed path
            return w.currentText().strip()
        return w.currentData()
    if isinstance(w, QCheckBox):
        return w.isChecked()
    if isinstance(w, QSpinBox | QDoubleSpinBox):
        return w.value()
    text = w.text().strip()  # type: ignore[attr-defined]
    if w.property("list"):
        return [p.strip() for p in text.split(",") if p.strip()]
    if text == "" and type(None) in typing.get_args(tp):
        return None
    if float in typing.get_args(tp):
        try:
            return float(text)
        except ValueError:
            return text  # validation reports it with the key
    return text


class SettingsTab(QWidget):
    restart_requested = Signal()  # the admin asked to apply saved settings now

    def __init__(
        self,
        settings: Settings,
        data_dir: Path,
        threshold_note: str = "",
        far_points: tuple[dict[str, dict[str, float]], Path | None] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.data_dir = data_dir
        self.editors: dict[str, tuple[QWidget, Any]] = {}
        outer = QVBoxLayout(self)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        form = QFormLayout(body)
        for section in SECTIONS:
            obj = getattr(settings, section)
            header = QLabel(f"[{section}]")
            header.setObjectName("subtitle")
            form.addRow(header)
            hints = typing.get_type_hints(type(obj))
            for f in dataclasses.fields(obj):
                key = f"{section}.{f.name}"
                if key == "camera.source":
                    self.camera_picker = CameraPicker(settings.camera)
                    self.editors[key] = (self.camera_picker.combo, hints[f.name])
                    form.addRow(f.name, self.camera_picker)
                    continue
                w = _editor(getattr(obj, f.name), hints[f.name])
                w.setObjectName(key)
                w.setAccessibleName(key)
                self.editors[key] = (w, hints[f.name])
                label = f.name
                if key == "engine.threshold" and threshold_note:
                    label += f"  ({threshold_note})"
                form.addRow(label, w)
                if key == "engine.threshold":
                    self.far_label = self._far_label(far_points)
                    form.addRow(self.far_label)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        row = QHBoxLayout()
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.save_button = QPushButton(self.tr("Save (applies after restart)"))
        self.save_button.setMinimumHeight(56)
        self.save_button.setAccessibleName(self.save_button.text())
        # Settings are read once at start-up (engine, camera, session): a restart applies
        # them. Offered only once something was saved.
        self.restart_button = QPushButton(self.tr("Restart the kiosk now"))
        self.restart_button.setMinimumHeight(56)
        self.restart_button.setAccessibleName(self.restart_button.text())
        self.restart_button.setEnabled(False)
        row.addWidget(self.status, 1)
        row.addWidget(self.save_button)
        row.addWidget(self.restart_button)
        outer.addLayout(row)
        self.save_button.clicked.connect(self.save)
        self.restart_button.clicked.connect(self.restart_requested)

    def _far_label(
        self, far_points: tuple[dict[str, dict[str, float]], Path | None] | None
    ) -> QLabel:
        """The benchmark's operating points beside the threshold: the site's saved
        `bench accuracy --save` report, else the engine's built-in reference."""
        label = QLabel()
        label.setObjectName("engine.threshold.far")
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if far_points is None:
            label.setText(self.tr("No benchmark FAR figures for this engine."))
        else:
            table, path = far_points
            lines = [
                self.tr("FAR %1: threshold %2, TAR %3")
                .replace("%1", far)
                .replace("%2", f"{point['threshold']:.3f}")
                .replace("%3", f"{point['tar'] * 100:.1f}%")
                for far, point in table.items()
            ]
            if path is None:
                lines.append(self.tr("(engine's built-in reference, development set)"))
            else:
                lines.append(self.tr("(this site's benchmark: %1)").replace("%1", str(path)))
            label.setText("\n".join(lines))
        label.setAccessibleName(label.text())
        return label

    def collect(self) -> Settings:
        """The edited values as validated Settings; SettingsError names the bad key."""
        data: dict[str, dict[str, Any]] = {}
        for key, (w, tp) in self.editors.items():
            section, name = key.split(".", 1)
            value = _read(w, tp)
            if value is not None:
                data.setdefault(section, {})[name] = value
        edited = dataclasses.replace(self.settings)
        for section, values in data.items():
            current = dataclasses.asdict(getattr(self.settings, section))
            current.update(values)
            setattr(edited, section, type(getattr(self.settings, section))(**current))
        # round-trip through TOML: the same type and range checks as a hand-edited file
        return parse_settings(dump_settings(edited), source="admin panel")

    def save(self) -> Path | None:
        try:
            new = self.collect()
        except (SettingsError, TypeError, ValueError) as exc:
            self.status.setText(self.tr("Not saved: %1").replace("%1", str(exc)))
            return None
        path = save_settings(self.data_dir, new)
        self.settings = new
        self.status.setText(self.tr("Saved to %1").replace("%1", str(path)))
        self.restart_button.setEnabled(True)
        return path
