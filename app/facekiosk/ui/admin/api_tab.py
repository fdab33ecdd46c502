"""API tab: the integrator API's keys and webhooks. A new key or webhook secret is shown
once, here (the vault keeps only the key's hash; a webhook secret is derived from the
vault key and can be shown again). Turning the API or webhooks on is a setting
(`[api] enabled`, `[webhooks] enabled` in settings.toml), applied at the kiosk's restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from facekiosk.settings import Settings
from facekiosk.ui.admin.code_words import word_for
from facekiosk.ui.admin.controls import hint_label, row_of, touch_button
from facekiosk.ui.admin.table_fit import fit_columns
from facekiosk.vault.api_keys import SCOPES
from facekiosk.vault.webhook_outbox import WEBHOOK_EVENTS


def _table(headers: list[str], elide: tuple[int, ...]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setMinimumHeight(160)
    table.verticalHeader().hide()
    # fixed 100 px columns cut the German headers ("Berechtigungen") at 800 px
    fit_columns(table, elide=elide)
    return table


def _item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)  # the whole text of a column cut at a narrow width
    return item


def _when(at: datetime | None) -> str:
    return at.astimezone().strftime("%Y-%m-%d %H:%M") if at else "-"


class ApiTab(QWidget):
    def __init__(self, vault: Any, settings: Settings) -> None:
        super().__init__()
        self.vault = vault
        layout = QVBoxLayout(self)
        self.state = QLabel(self._state_text(settings))
        self.state.setWordWrap(True)
        layout.addWidget(self.state)

        layout.addWidget(QLabel(self.tr("API keys")))
        self.keys = _table([
            self.tr("Key id"), self.tr("Label"), self.tr("Scopes"), self.tr("State"),
            self.tr("Expires"), self.tr("Last used"),
        ], elide=(0, 1, 2))  # fmt: skip
        layout.addWidget(self.keys)
        row = QHBoxLayout()
        self.key_label = QLineEdit()
        self.key_label.setPlaceholderText(self.tr("what the key is for"))
        row.addWidget(self.key_label, 1)
        self.scope_boxes = {s: QCheckBox(s) for s in SCOPES}
        for box in self.scope_boxes.values():
            row.addWidget(box)
        self.scope_boxes["read"].setChecked(True)
        self.expiry_days = QSpinBox()
        self.expiry_days.setRange(0, 3650)
        self.expiry_days.setSpecialValueText(self.tr("no expiry"))
        self.expiry_days.setSuffix(self.tr(" days"))
        row.addWidget(self.expiry_days)
        layout.addLayout(row)
        self.create_button = touch_button(self.tr("Create key"))
        self.revoke_button = touch_button(self.tr("Revoke selected key"))
        layout.addLayout(row_of(self.create_button, self.revoke_button))

        layout.addWidget(QLabel(self.tr("Webhooks")))
        self.hooks = _table([self.tr("Id"), self.tr("URL"), self.tr("Events")], elide=(1, 2))
        layout.addWidget(self.hooks)
        row = QHBoxLayout()
        self.hook_url = QLineEdit()
        self.hook_url.setPlaceholderText("https://hr.example/hooks/facekiosk")
        row.addWidget(self.hook_url, 1)
        self.event_boxes = {e: QCheckBox(e) for e in WEBHOOK_EVENTS}
        for box in self.event_boxes.values():
            box.setChecked(True)
            row.addWidget(box)
        layout.addLayout(row)
        self.add_hook_button = touch_button(self.tr("Add webhook"))
        self.secret_button = touch_button(self.tr("Show secret"))
        self.remove_hook_button = touch_button(self.tr("Remove selected webhook"))
        layout.addLayout(
            row_of(self.add_hook_button, self.secret_button, self.remove_hook_button)
        )

        self.secret = QLineEdit()  # a new key or a webhook secret, shown once, to copy
        self.secret.setReadOnly(True)
        self.secret.setAccessibleName(self.tr("New key or secret"))
        layout.addWidget(self.secret)
        self.status = hint_label()
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.create_button.clicked.connect(self.create_key)
        self.revoke_button.clicked.connect(self.revoke_selected)
        self.add_hook_button.clicked.connect(self.add_webhook)
        self.secret_button.clicked.connect(self.show_secret)
        self.remove_hook_button.clicked.connect(self.remove_selected)
        self.refresh()

    def _state_text(self, settings: Settings) -> str:
        """Whole sentences per state, so a translation can order its words: the address
        belongs to the "on" state only. These are the settings the kiosk runs with (a change
        in the Settings tab applies at the restart), so "on" is the server started with it."""
        api = settings.api
        if api.enabled:
            text = self.tr("API: on, listening on %1:%2.")
            text = text.replace("%1", api.host).replace("%2", str(api.port))
        else:
            text = self.tr("API: off (turn it on in the Settings tab, [api]).")
        hooks = self.tr("Webhooks: on.") if settings.webhooks.enabled else self.tr("Webhooks: off.")
        return f"{text} {hooks}"

    def refresh(self) -> None:
        if self.vault is None:
            self.status.setText(self.tr("No vault is open."))
            return
        records = self.vault.api_keys.all()
        self.keys.setRowCount(len(records))
        for i, r in enumerate(records):
            cells = (r.key_id, r.label, " ".join(r.scopes), word_for(r.state()),
                     _when(r.expires), _when(r.last_used))  # fmt: skip
            for j, text in enumerate(cells):
                self.keys.setItem(i, j, _item(text))
        hooks = self.vault.webhooks.all()
        self.hooks.setRowCount(len(hooks))
        for i, h in enumerate(hooks):
            for j, text in enumerate((str(h.id), h.url, " ".join(h.events))):
                self.hooks.setItem(i, j, _item(text))
        pending = self.vault.webhooks.pending_count()
        self.status.setText(self.tr("%n webhook delivery(ies) waiting.", "", pending))

    def _selected(self, table: QTableWidget) -> str | None:
        rows = {i.row() for i in table.selectedItems()}
        if len(rows) != 1:
            return None
        item = table.item(rows.pop(), 0)
        return item.text() if item else None

    def create_key(self) -> None:
        scopes = [s for s, box in self.scope_boxes.items() if box.isChecked()]
        days = self.expiry_days.value()
        expires = datetime.now(UTC) + timedelta(days=days) if days else None
        try:
            new = self.vault.api_keys.create(scopes, label=self.key_label.text().strip(),
                                             expires=expires)  # fmt: skip
        except ValueError as exc:
            self.status.setText(str(exc))
            return
        self.refresh()
        self.secret.setText(new.token)
        self.status.setText(
            self.tr("Key %1 created. Copy it now: it is not shown again.").replace(
                "%1", new.record.key_id
            )
        )

    def revoke_selected(self) -> None:
        key_id = self._selected(self.keys)
        if key_id is None:
            self.status.setText(self.tr("Select one key first."))
            return
        self.vault.api_keys.revoke(key_id)
        self.refresh()
        self.status.setText(self.tr("Key %1 revoked.").replace("%1", key_id))

    def add_webhook(self) -> None:
        events = [e for e, box in self.event_boxes.items() if box.isChecked()]
        try:
            hook = self.vault.webhooks.add(self.hook_url.text().strip(), events)
        except ValueError as exc:
            self.status.setText(str(exc))
            return
        self.refresh()
        self.secret.setText(self.vault.webhooks.secret(hook.id))
        self.status.setText(self.tr("Webhook %1 added; its signing secret is shown above.")
                            .replace("%1", str(hook.id)))  # fmt: skip

    def show_secret(self) -> None:
        hook_id = self._selected(self.hooks)
        if hook_id is None:
            self.status.setText(self.tr("Select one webhook first."))
            return
        self.secret.setText(self.vault.webhooks.secret(int(hook_id)))

    def remove_selected(self) -> None:
        hook_id = self._selected(self.hooks)
        if hook_id is None:
            self.status.setText(self.tr("Select one webhook first."))
            return
        self.vault.webhooks.remove(int(hook_id))
        self.secret.clear()
        self.refresh()
        self.status.setText(self.tr("Webhook %1 removed.").replace("%1", hook_id))
