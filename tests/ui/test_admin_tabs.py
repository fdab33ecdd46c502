"""Admin tabs on a real vault: audit verification, event filters + CSV, settings editor,
vault backup / key export / rotation, model packs list."""

from __future__ import annotations

import csv
import sqlite3
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from facekiosk.engine.types import Embedding
from facekiosk.settings import Settings, load_settings
from facekiosk.ui.admin.panel import AdminPanel


def unit(seed: int) -> Embedding:
    v = np.random.default_rng(seed).normal(size=128).astype(np.float32)
    return Embedding(v / np.linalg.norm(v), "dlib", "dlib_resnet_v1")


@pytest.fixture
def vault(data_dir):
    from facekiosk.vault import Vault

    with Vault.open(data_dir) as v:
        yield v


@pytest.fixture
def panel(qtbot, vault, data_dir):
    ids = [
        vault.enroll([unit(i)], label=f"person {i}", consent_version="en-test") for i in range(3)
    ]
    now = datetime.now(UTC)
    vault.record_event("attendance", ids[0], "kiosk-1", "check_in", at=now - timedelta(hours=1))
    vault.record_event("auth", ids[1], "kiosk-1", "deny", "UNRECOGNIZED_FACE", at=now)
    vault.record_event("attendance", ids[2], "kiosk-1", "check_in", at=now - timedelta(days=30))
    p = AdminPanel(vault, Settings(), data_dir)
    qtbot.addWidget(p)
    p.show()
    p.ids = ids  # type: ignore[attr-defined]
    return p


def test_identities_search_by_label(qtbot, panel):
    tab = panel.identities
    assert tab.model.total == 3
    tab.search.setText("person 1")
    qtbot.waitUntil(lambda: tab.model.total == 1, timeout=3000)
    assert tab.model.row_at(0).index_id == panel.ids[1]


def test_bulk_delete_with_reason(qtbot, panel, vault):
    tab = panel.identities
    tab.table.selectAll()
    with qtbot.waitSignal(tab.purged, timeout=1000) as purged:  # the site tab listens
        receipt = tab.delete_selected(reason="bulk test")
    assert purged.args == [receipt, tab.receipt_box]
    assert sorted(receipt.index_ids) == sorted(panel.ids)
    assert vault.count() == 0 and tab.model.total == 0
    assert "Purged 3 Index ID(s)" in tab.receipt_box.text()
    purge = [e for e in vault.audit_entries() if "bulk test" in str(e.details)]
    assert purge, "the reason is kept in the audit log"


def test_audit_tab_verifies_and_detects_tampering(panel, vault, data_dir):
    panel.audit.refresh()
    assert panel.audit.table.rowCount() >= 3
    assert panel.audit.verify().ok
    assert "Chain intact" in panel.audit.result.text()
    db = sqlite3.connect(data_dir / "vault.sqlite")
    # an attacker with the file drops the append-only triggers, then edits a row
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
        db.execute(f'DROP TRIGGER "{name}"')
    db.execute("UPDATE audit SET actor='mallory' WHERE seq=(SELECT MIN(seq) FROM audit)")
    db.commit()
    db.close()
    assert not panel.audit.verify().ok
    assert "CHAIN BROKEN" in panel.audit.result.text()


def test_audit_checkpoint_is_copied_and_checked(panel, vault):
    from PySide6.QtWidgets import QApplication

    token = panel.audit.new_checkpoint()
    assert QApplication.clipboard().text() == token == panel.audit.checkpoint.text()
    vault.enroll([unit(7)])  # the log moves on; the checkpoint stays in it
    assert panel.audit.verify().ok
    seq = int(token.split("-")[2])
    panel.audit.checkpoint.setText(token.replace(f"-{seq}-", f"-{seq + 50}-"))
    assert not panel.audit.verify().ok  # names an entry the log never had: rolled back
    assert "rolled back" in panel.audit.result.text()
    panel.audit.checkpoint.setText("not a token")
    assert panel.audit.verify() is None
    assert "not an audit checkpoint" in panel.audit.result.text()


def test_events_filter_and_csv_export(panel, tmp_path):
    tab = panel.events
    tab.refresh()
    assert tab.table.rowCount() == 2  # the 30-day-old event is outside the default week
    tab.kind.setCurrentIndex(tab.kind.findData("auth"))
    tab.refresh()
    assert tab.table.rowCount() == 1 and tab.table.item(0, 3).text() == "UNRECOGNIZED_FACE"
    out = tmp_path / "events.csv"
    assert tab.export_csv(out) == 1
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0]["decision"] == "deny" and rows[0]["index_id"] == panel.ids[1]


def test_settings_editor_saves_valid_and_refuses_invalid(panel, data_dir):
    tab = panel.settings_tab
    widget, _ = tab.editors["kiosk.idle_timeout_s"]
    widget.setValue(45.0)
    assert tab.save() is not None
    assert load_settings(data_dir).kiosk.idle_timeout_s == 45.0
    pin_min, _ = tab.editors["pin.min_length"]
    pin_min.setValue(2)  # below the 4-digit minimum
    assert tab.save() is None
    assert "pin.min_length" in tab.status.text()
    assert load_settings(data_dir).pin.min_length == 4  # nothing written


def test_settings_editor_detect_width_empty_is_the_engines_own(panel, data_dir):
    tab = panel.settings_tab
    width, _ = tab.editors["engine.detect_width"]
    assert width.text() == ""  # None: the engine's own default (320 for bundled)
    width.setText("400")
    assert tab.save() is not None
    assert load_settings(data_dir).engine.detect_width == 400
    width.setText("")
    assert tab.save() is not None
    assert load_settings(data_dir).engine.detect_width is None


def test_restart_is_offered_after_a_save_and_asked_for_by_the_panel(qtbot, panel):
    tab = panel.settings_tab
    assert not tab.restart_button.isEnabled()  # nothing saved yet: nothing to apply
    widget, _ = tab.editors["kiosk.idle_timeout_s"]
    widget.setValue(50.0)
    assert tab.save() is not None
    assert tab.restart_button.isEnabled()
    with qtbot.waitSignal(panel.restart_requested, timeout=1000):
        tab.restart_button.click()


def test_vault_tab_backup_export_rotate(panel, tmp_path):
    from PySide6.QtCore import QCoreApplication, QTranslator

    from facekiosk.ui.i18n import translations_dir

    tab = panel.vault_tab
    english = QTranslator()  # as the kiosk starts: English plural forms from the .qm
    assert english.load(str(translations_dir() / "facekiosk_en.qm"))
    QCoreApplication.installTranslator(english)
    try:
        tab.refresh()
        line = "dlib/dlib_resnet_v1: 3 templates, exact search, 1 snapshot segment\n"
        assert line in tab.info.text() + "\n"  # "1 snapshot segment(s)" before
    finally:
        QCoreApplication.removeTranslator(english)
    backup = tab.backup(tmp_path / "kiosk.fkbackup")
    assert backup.exists() and backup.stat().st_size > 0
    key = tab.export_key(tmp_path / "key.json")
    assert key.stat().st_mode & 0o077 == 0  # the wrapped key file is private
    before = key.read_bytes()
    tab.rotate()
    assert tab.export_key(tmp_path / "key2.json").read_bytes() != before


def test_vault_tab_counts_index_ids_left_to_upgrade(panel, vault):
    # Settings() runs the bundled engine: the panel's three dlib-space templates are left
    # to upgrade (still recognised); a fused one is the current space's.
    text = panel.vault_tab.info.text()
    assert "dlib/dlib_resnet_v1: 3 Index IDs to upgrade, each at their next sign-in" in text
    fused = panel.vault_tab.primary_space
    assert fused is not None and fused.startswith("bundled/")
    vector = np.random.default_rng(7).normal(size=256).astype(np.float32)
    vault.replace_template(panel.ids[0], [Embedding(vector, *fused.split("/", 1))])
    panel.vault_tab.refresh()
    text = panel.vault_tab.info.text()
    assert "dlib/dlib_resnet_v1: 2 Index IDs to upgrade" in text
    assert f"{fused}: 1 template" in text  # "1 template(s)" without the kiosk's English .qm


def test_models_tab_lists_packs(panel):
    panel.models.refresh()
    names = {panel.models.table.item(r, 0).text() for r in range(panel.models.table.rowCount())}
    assert "buffalo_l" in names
    assert "Select" in panel.models.verify_selected()  # nothing selected: says what to do


def test_models_tab_import_reports_a_bad_path(panel, tmp_path):
    text = panel.models.import_path(tmp_path / "missing.zip")
    assert "no such file" in text and panel.models.status.text() == text


def test_admin_delete_removes_the_purged_id_from_access_toml(qtbot, data_dir, capsys):
    """The panel's delete also removes the Index ID from access.toml (groups, opt-out)."""
    import json
    from pathlib import Path

    import insightface

    from facekiosk.cli import main
    from facekiosk.vault import Vault

    photo = Path(insightface.__file__).parent / "data" / "images" / "Tom_Hanks_54745.png"

    def cli(*argv: str) -> str:
        code = main(["--data-dir", str(data_dir), *argv])
        out, err = capsys.readouterr()
        assert code == 0, err
        return out

    index_id = json.loads(cli("enroll", "--image", str(photo), "--json"))["index_id"]
    cli("access", "group", "staff")
    cli("access", "add", "staff", index_id)
    cli("access", "optout", index_id)
    access = data_dir / "access.toml"
    assert access.read_text().count(index_id) == 2

    with Vault.open(data_dir) as vault:
        p = AdminPanel(vault, Settings(), data_dir)
        qtbot.addWidget(p)
        tab = p.identities
        tab.table.selectAll()
        receipt = tab.delete_selected(reason="access test")
        assert receipt.index_ids == [index_id]
    assert index_id not in access.read_text()
    assert tab.policy_error is None


def test_settings_editor_shows_far_points_beside_the_threshold(qtbot, panel, vault, data_dir):
    """Beside engine.threshold: the engine's built-in FAR reference, replaced by this site's
    `bench accuracy --save` report once there is one."""
    from facekiosk.bench.accuracy import save_report

    # the default (bundled) engine's reference table
    assert "FAR 1e-3: threshold 0.741, TAR 99.2%" in panel.settings_tab.far_label.text()
    dlib = Settings()
    dlib.engine.name = "dlib"
    first = AdminPanel(vault, dlib, data_dir)
    qtbot.addWidget(first)
    text = first.settings_tab.far_label.text()
    for far, t, tar in (("1e-2", "0.905", "99.7%"), ("1e-3", "0.922", "95.8%"),
                        ("1e-4", "0.935", "86.5%")):  # fmt: skip
        assert f"FAR {far}: threshold {t}, TAR {tar}" in text
    assert "built-in reference" in text
    report = {
        "engine": "dlib",
        "model": "dlib_resnet_v1",
        "threshold_at_far": {"1e-2": 0.9011, "1e-3": 0.9177, "1e-4": 0.9402},
        "tar_at_far": {"1e-2": 0.991, "1e-3": 0.944, "1e-4": 0.8125},
    }
    path = save_report(data_dir, report)
    assert path == data_dir / "bench" / "accuracy-dlib-dlib_resnet_v1.json"
    fresh = AdminPanel(vault, dlib, data_dir)
    qtbot.addWidget(fresh)
    text = fresh.settings_tab.far_label.text()
    assert "FAR 1e-3: threshold 0.918, TAR 94.4%" in text
    assert "FAR 1e-4: threshold 0.940, TAR 81.2%" in text
    assert str(path) in text and "built-in" not in text
