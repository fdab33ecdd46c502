"""The admin panel: tabs over the vault, settings and model packs; "Log out" returns to
the attract page (the next visit asks for the admin PIN again)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from facekiosk.settings import Settings
from facekiosk.ui.admin.api_tab import ApiTab
from facekiosk.ui.admin.audit_tab import AuditTab
from facekiosk.ui.admin.controls import touch_button
from facekiosk.ui.admin.events_tab import EventsTab
from facekiosk.ui.admin.identities_tab import IdentitiesTab
from facekiosk.ui.admin.index_model import RowSource, VaultRowSource
from facekiosk.ui.admin.models_tab import ModelsTab
from facekiosk.ui.admin.settings_tab import SettingsTab
from facekiosk.ui.admin.site_tab import add_site_tab
from facekiosk.ui.admin.vault_tab import VaultTab


def _scrollable(widget: QWidget) -> QScrollArea:
    """A tab that scrolls when the panel is narrower than its controls (480 px portrait)."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(widget)
    return area


class AdminPanel(QWidget):
    closed = Signal()
    restart_requested = Signal()

    def __init__(
        self,
        vault: Any,
        settings: Settings,
        data_dir: Path,
        *,
        controller: Any = None,
        rows: RowSource | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("admin_panel")
        self.vault = vault
        self.controller = controller
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        title = QLabel(self.tr("Administration"))
        title.setObjectName("title")
        top.addWidget(title, 1)
        self.logout_button = touch_button(self.tr("Log out"))
        self.logout_button.clicked.connect(self.closed)
        top.addWidget(self.logout_button)
        layout.addLayout(top)
        self.tabs = QTabWidget()
        self.identities = IdentitiesTab(rows or VaultRowSource(vault), vault, data_dir)
        self.audit = AuditTab(vault)
        self.events = EventsTab(vault)
        note = self.tr("empty = engine default")
        engine = getattr(controller, "engine", None)
        if engine is not None:
            # FaceEngine.default_threshold is defined as the FAR 1e-3 point of the benchmark
            note = self.tr("empty = engine default %1, FAR 1e-3 on the benchmark set").replace(
                "%1", f"{engine.default_threshold:.3f}"
            )
        from facekiosk.engine.operating_points import far_table

        far_points = far_table(
            data_dir,
            engine.name if engine is not None else settings.engine.name,
            engine.model_id if engine is not None else None,
        )
        self.settings_tab = SettingsTab(settings, data_dir, note, far_points)
        self.settings_tab.restart_requested.connect(self.restart_requested)
        from facekiosk.engine.registry import engine_space

        space = (
            f"{engine.name}/{engine.model_id}"
            if engine is not None
            else engine_space(settings.engine)
        )
        self.vault_tab = VaultTab(vault, data_dir, space)
        self.models = ModelsTab(data_dir)
        self.tabs.setUsesScrollButtons(True)
        for tab, label in (
            (self.identities, self.tr("Index IDs")),
            (self.audit, self.tr("Audit log")),
            (self.events, self.tr("Events")),
            (self.settings_tab, self.tr("Settings")),
            (self.vault_tab, self.tr("Vault")),
            (self.models, self.tr("Model packs")),
            (ApiTab(vault, settings), self.tr("API")),
        ):
            self.tabs.addTab(_scrollable(tab), label)
        self.site = add_site_tab(self, vault, settings, data_dir)  # None without a site
        layout.addWidget(self.tabs, 1)
        self.reenroller = None
        if controller is not None:
            from facekiosk.ui.admin.reenrol import Reenroller

            self.reenroller = Reenroller(controller, self)
            self.identities.reenrol_requested.connect(self.reenrol)
            self.reenroller.finished.connect(self._reenrolled)
        self.last_reenrol = None

    def reenrol(self, index_id: str) -> None:
        if self.reenroller is None:  # connected only with a controller (a camera)
            return
        self.identities.count_label.setText(
            self.tr("Re-enrolling: the person looks at the camera…")
        )
        self.reenroller.start(index_id)

    def _reenrolled(self, outcome) -> None:
        self.last_reenrol = outcome
        if outcome.ok:
            text = self.tr("New template stored; the old one is purged.")
        else:
            text = self.tr("Re-enrolment failed: %1").replace("%1", outcome.message)
        self.identities.count_label.setText(text)
        self.identities.model.reload()
