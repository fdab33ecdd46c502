"""The admin panel's API tab: keys created (token shown once, hash stored), revoked;
webhooks added with their secret, removed; all in the real vault."""

from __future__ import annotations

import dataclasses

import pytest

from facekiosk.settings import Settings
from facekiosk.vault import Vault


@pytest.fixture
def tab(qtbot, data_dir):
    from facekiosk.ui.admin.api_tab import ApiTab

    vault = Vault.open(data_dir)
    t = ApiTab(vault, Settings())
    qtbot.addWidget(t)
    yield t
    vault.close()


def _settings(api: bool, webhooks: bool) -> Settings:
    s = Settings()
    return dataclasses.replace(
        s,
        api=dataclasses.replace(s.api, enabled=api, port=9100),
        webhooks=dataclasses.replace(s.webhooks, enabled=webhooks),
    )


@pytest.mark.parametrize(
    ("api", "webhooks", "english", "german"),
    [
        (
            False,
            False,
            "API: off (turn it on in the Settings tab, [api]). Webhooks: off.",
            "API: aus (im Reiter Einstellungen einschalten, [api]). Webhooks: aus.",
        ),
        (
            True,
            True,
            "API: on, listening on 127.0.0.1:9100. Webhooks: on.",
            "API: an, erreichbar unter 127.0.0.1:9100. Webhooks: an.",
        ),
    ],
)
def test_the_state_line_gives_the_address_only_when_on(qtbot, api, webhooks, english, german):
    """Was "API: off (turn it on in the Settings tab, [api]) on 127.0.0.1:8765": an address
    for an API that does not listen."""
    from facekiosk.ui.admin.api_tab import ApiTab
    from facekiosk.ui.i18n import LanguageSwitcher

    settings = _settings(api, webhooks)
    tab = ApiTab(None, settings)
    qtbot.addWidget(tab)
    assert tab.state.text() == english
    switcher = LanguageSwitcher()
    assert switcher.set_language("de")
    try:
        tab = ApiTab(None, settings)
        qtbot.addWidget(tab)
        assert tab.state.text() == german
    finally:
        switcher.set_language("en")


def test_the_panel_has_the_api_tab(qtbot, data_dir):
    from facekiosk.ui.admin.panel import AdminPanel

    with Vault.open(data_dir) as vault:
        panel = AdminPanel(vault, Settings(), data_dir)
        qtbot.addWidget(panel)
        titles = [panel.tabs.tabText(i) for i in range(panel.tabs.count())]
        assert titles[-1] == "API"


def test_create_and_revoke_a_key(tab):
    tab.key_label.setText("HR system")
    tab.scope_boxes["delete"].setChecked(True)
    tab.expiry_days.setValue(30)
    tab.create_button.click()
    token = tab.secret.text()
    assert token.startswith("fk_")
    check = tab.vault.api_keys.check(token)
    assert check.problem == "" and check.record.scopes == ("read", "delete")
    assert check.record.expires is not None
    assert tab.keys.rowCount() == 1 and tab.keys.item(0, 1).text() == "HR system"
    assert token not in str(tab.vault.db.conn.execute("SELECT * FROM api_keys").fetchall())
    tab.keys.selectRow(0)
    tab.revoke_button.click()
    assert tab.vault.api_keys.check(token).problem == "revoked"
    assert tab.keys.item(0, 3).text() == "revoked"


def test_no_scope_is_refused_with_a_message(tab):
    for box in tab.scope_boxes.values():
        box.setChecked(False)
    tab.create_button.click()
    assert tab.keys.rowCount() == 0 and "scopes" in tab.status.text()


def test_add_show_and_remove_a_webhook(tab):
    tab.hook_url.setText("https://hr.example/hooks")
    tab.event_boxes["auth"].setChecked(False)
    tab.add_hook_button.click()
    secret = tab.secret.text()
    assert secret.startswith("whsec_")
    (hook,) = tab.vault.webhooks.all()
    assert hook.events == ("enroll", "delete")
    tab.secret.clear()
    tab.hooks.selectRow(0)
    tab.secret_button.click()
    assert tab.secret.text() == secret
    tab.remove_hook_button.click()
    assert tab.vault.webhooks.all() == [] and tab.hooks.rowCount() == 0
    tab.hook_url.setText("ftp://nope")
    tab.add_hook_button.click()
    assert "http" in tab.status.text() and tab.vault.webhooks.all() == []


def test_settings_tab_turns_the_api_on_and_refuses_lan_without_tls(qtbot, data_dir):
    import tomllib

    from facekiosk.settings import load_settings
    from facekiosk.ui.admin.settings_tab import SettingsTab

    tab = SettingsTab(load_settings(data_dir), data_dir)
    qtbot.addWidget(tab)
    tab.editors["api.host"][0].setText("192.168.1.20")
    assert tab.save() is None and "api.allow_lan" in tab.status.text()
    tab.editors["api.host"][0].setText("127.0.0.1")
    tab.editors["api.enabled"][0].setChecked(True)
    tab.editors["webhooks.enabled"][0].setChecked(True)
    assert tab.save() is not None, tab.status.text()
    saved = tomllib.loads((data_dir / "settings.toml").read_text())
    assert saved["api"] == {"enabled": True} and saved["webhooks"] == {"enabled": True}
