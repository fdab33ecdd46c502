"""Settings editor: one form per settings section, built from the typed dataclasses, saved
through the settings schema itself (no checks of its own: a bad value is refused with the
key named, nothing written). Saving keeps only non-defaults and the admin's comments."""

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
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from facekiosk.settings import SECTIONS as ALL_SECTIONS
from facekiosk.settings import (
    Settings,
    SettingsError,
    save_settings,
    settings_from_data,
)
from facekiosk.ui.admin.camera_picker import CameraPicker
from facekiosk.ui.admin.controls import hint_label, touch_button

# Sections an admin edits at the kiosk; the rest stay in settings.toml.
SECTIONS = ("engine", "kiosk", "pin", "liveness", "quality", "camera", "api", "webhooks")


def _editor(value: Any, tp: Any) -> QWidget:
    origin = typing.get_origin(tp)
    if origin is Literal:
        combo = QComboBox()
        for option in typing.get_args(tp):
            combo.addItem(str(option), option)
        combo.setCurrentIndex(max(0, combo.findData(value)))
        return combo
    if tp is bool:
        check = QCheckBox()
        check.setChecked(bool(value))
        return check
    # Wide spin ranges on purpose: the schema, not the widget, says what is allowed, and
    # its refusal names the key (a clamped spin box would change a value silently).
    if tp is int:
        spin = QSpinBox()
        spin.setRange(-1_000_000, 1_000_000)
        spin.setValue(int(value))
        return spin
    if tp is float:
        dspin = QDoubleSpinBox()
        dspin.setDecimals(3)
        dspin.setRange(-1_000_000.0, 1_000_000.0)
        dspin.setValue(float(value))
        return dspin
    line = QLineEdit()
    if isinstance(value, list):
        line.setText(", ".join(str(v) for v in value))
        line.setProperty("list", True)
    else:
        line.setText("" if value is None else str(value))
    return line


def _read(w: QWidget, tp: Any) -> Any:
    if isinstance(w, QComboBox):
        if w.property("free_text"):  # the camera picker: a listed choice or a typed path
            return w.currentText().strip()
        return w.currentData()
    if isinstance(w, QCheckBox):
        return w.isChecked()
    if isinstance(w, QSpinBox | QDoubleSpinBox):
        return w.value()
    if not isinstance(w, QLineEdit):
        raise TypeError(f"no reader for a {type(w).__name__} editor")
    text = w.text().strip()
    if w.property("list"):
        return [p.strip() for p in text.split(",") if p.strip()]
    if text == "" and type(None) in typing.get_args(tp):
        return None
    if float in typing.get_args(tp):
        try:
            return float(text)
        except ValueError:
            return text  # validation reports it with the key
    if int in typing.get_args(tp):  # e.g. engine.detect_width: empty = the engine's own
        try:
            return int(text)
        except ValueError:
            return text
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
                form.addRow(f.name, w)
                if key == "engine.threshold" and threshold_note:
                    # on its own row: in the label it widened the label column and left
                    # every field too narrow for its value ("PUExecutionProvider")
                    note = QLabel(f"({threshold_note})")
                    note.setWordWrap(True)
                    form.addRow(note)
                if key == "engine.threshold":
                    self.far_label = self._far_label(far_points)
                    form.addRow(self.far_label)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        row = QHBoxLayout()
        self.status = hint_label()
        self.save_button = touch_button(self.tr("Save (applies after restart)"))
        # Settings are read once at start-up (engine, camera, session): a restart applies
        # them. Offered only once something was saved.
        self.restart_button = touch_button(self.tr("Restart the kiosk now"))
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
        data = {name: dataclasses.asdict(getattr(self.settings, name)) for name in ALL_SECTIONS}
        for key, (w, tp) in self.editors.items():
            section, name = key.split(".", 1)
            data[section][name] = _read(w, tp)  # None (an emptied threshold) = the default
        return settings_from_data(data)  # the same schema as a hand-edited file

    def save(self) -> Path | None:
        try:
            new = self.collect()
            path = save_settings(self.data_dir, new)
        except (SettingsError, OSError) as exc:
            self.status.setText(self.tr("Not saved: %1").replace("%1", str(exc)))
            return None
        self.settings = new
        self.status.setText(self.tr("Saved to %1").replace("%1", str(path)))
        self.restart_button.setEnabled(True)
        return path
