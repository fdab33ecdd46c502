"""The whole kiosk on the demo source: enrol -> authenticate -> admin delete -> refused.

Real engine (in its worker process), real encrypted vault, real KioskSession,
real window driven by clicks. Liveness is off because the demo frames are still
photos (see conftest.flow_settings).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from facekiosk.admin_auth import AdminAuth
from facekiosk.kiosk.codes import Purpose, State

FLOW_TIMEOUT_MS = 90_000  # 2 busy cores shared with other jobs: generous, never a speed test
ADMIN_PIN = "739146"


def wait_page(qtbot, window, name: str, timeout: int = FLOW_TIMEOUT_MS) -> None:
    qtbot.waitUntil(lambda: window.current_page_name() == name, timeout=timeout)


def test_enroll_authenticate_delete_refused(qtbot, kiosk):
    w, vault = kiosk.window, kiosk.vault
    attract = w.pages["attract"]

    # enrol: consent (scrolled to the end) -> capture -> template -> result with the receipt
    qtbot.mouseClick(attract.enroll_button, Qt.MouseButton.LeftButton)
    wait_page(qtbot, w, "consent")
    consent = w.pages["consent"]
    bar = consent.text.verticalScrollBar()
    bar.setValue(bar.maximum())
    qtbot.waitUntil(consent.accept_button.isEnabled, timeout=5000)
    qtbot.mouseClick(consent.accept_button, Qt.MouseButton.LeftButton)
    wait_page(qtbot, w, "capture")
    wait_page(qtbot, w, "result")
    view = kiosk.controller.view
    assert str(view.result.kind) == "ENROLLED", view
    index_id = view.result.index_id
    assert index_id and index_id in w.pages["result"].fineprint.text()
    assert view.result.receipt_code == w.pages["result"].receipt.text()  # the one to note
    assert vault.count() == 1

    # authenticate: same face -> check-in recorded against that Index ID
    qtbot.mouseClick(w.pages["result"].done_button, Qt.MouseButton.LeftButton)
    wait_page(qtbot, w, "attract")
    qtbot.mouseClick(attract.auth_button, Qt.MouseButton.LeftButton)
    wait_page(qtbot, w, "capture")
    wait_page(qtbot, w, "result")
    view = kiosk.controller.view
    assert view.error is None and str(view.result.kind) == "CHECK_IN", view
    assert vault.events(kind="attendance")[-1].index_id == index_id

    # admin: log in on the pad, select the row, delete with a reason -> purge receipt
    AdminAuth(w.data_dir).set_secret(ADMIN_PIN)
    qtbot.mouseClick(w.pages["result"].done_button, Qt.MouseButton.LeftButton)
    wait_page(qtbot, w, "attract")
    qtbot.mouseClick(attract.admin_button, Qt.MouseButton.LeftButton)
    wait_page(qtbot, w, "admin_login")
    pad = w.pages["admin_login"].pad
    for digit in ADMIN_PIN:
        qtbot.mouseClick(pad.keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(pad.keys["ok"], Qt.MouseButton.LeftButton)
    wait_page(qtbot, w, "admin", timeout=10_000)
    tab = w.admin_panel.identities
    assert tab.model.rowCount() == 1 and tab.model.row_at(0).index_id == index_id
    tab.table.selectRow(0)
    receipt = tab.delete_selected(reason="right to be forgotten (test)")
    assert receipt.index_ids == [index_id] and receipt.vectors_removed == 1
    assert index_id in tab.receipt_box.detailedText()
    assert tab.model.rowCount() == 0 and vault.count() == 0
    assert w.admin_panel.audit.verify().ok

    # back to the kiosk: the same face is now unknown
    qtbot.mouseClick(w.admin_panel.logout_button, Qt.MouseButton.LeftButton)
    wait_page(qtbot, w, "attract")
    qtbot.mouseClick(attract.auth_button, Qt.MouseButton.LeftButton)
    wait_page(qtbot, w, "result")
    view = kiosk.controller.view
    assert str(view.error) == "UNRECOGNIZED_FACE", view
    assert w.current_page_name() == "result" and w.pages["result"].is_error
    assert "UNRECOGNIZED_FACE" in w.pages["result"].fineprint.text()
    # "Try again" starts the same kind of attempt at once (issue 17)
    result_page = w.pages["result"]
    assert result_page.retry_button.isVisible() and result_page.retry_button.isEnabled()
    qtbot.mouseClick(result_page.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.controller.view.state != State.RESULT, timeout=10_000)
    assert kiosk.controller.view.purpose == Purpose.AUTH


def test_admin_reenrol_replaces_the_template(qtbot, kiosk, shared_engine):
    from tests.ui.helpers import people_source

    w, vault = kiosk.window, kiosk.vault
    frame = people_source().read()
    faces = shared_engine.analyze(frame, embed=True)
    index_id = vault.enroll([faces[0].embedding], consent_version="test")
    AdminAuth(w.data_dir).set_secret(ADMIN_PIN)
    w.open_admin_login()
    assert w.admin_login(ADMIN_PIN)
    threshold = w.admin_panel.settings_tab.editors["engine.threshold"][0]
    form = threshold.parentWidget()
    notes = [label.text() for label in form.findChildren(QLabel)]
    assert any(f"{shared_engine.default_threshold:.3f}" in t and "FAR 1e-3" in t for t in notes)
    tab = w.admin_panel.identities
    tab.table.selectRow(0)
    audit_before = len(vault.audit_entries())
    qtbot.mouseClick(tab.reenrol_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.admin_panel.last_reenrol is not None, timeout=FLOW_TIMEOUT_MS)
    outcome = w.admin_panel.last_reenrol
    assert outcome.ok and outcome.index_id == index_id, outcome
    assert vault.get(index_id).n_images == 3
    assert [e.action for e in vault.audit_entries()[audit_before:]] == ["replace_template"]
