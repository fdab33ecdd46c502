"""`facekiosk consent`, `facekiosk attendance` and the `bench flow` wiring."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from facekiosk.cli import build_parser, main
from facekiosk.kiosk.consent import load_consent
from facekiosk.vault import Vault


def test_consent_command_prints_text_and_version(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "consent", "--language", "de", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["version"] == load_consent("de").version and out["language"] == "de"
    (data_dir / "settings.toml").write_text('[kiosk]\nconsent_version = "en-0000000000"\n')
    assert main(["--data-dir", str(data_dir), "consent"]) == 1
    assert "review the new text" in capsys.readouterr().err


def test_attendance_summary_from_the_event_log(data_dir, capsys):
    day = datetime(2026, 3, 2, 8, 0).astimezone()
    with Vault.open(data_dir) as vault:
        for hours, decision in ((0, "check_in"), (4.5, "check_out")):
            at = day + timedelta(hours=hours)
            vault.record_event("attendance", "id-a", "kiosk-1", decision, "ok", None, at)
        vault.record_event("attendance", "id-b", "kiosk-1", "check_in", "ok", None, day)
        vault.record_event(
            "attendance", "id-c", "kiosk-1", "check_in", "ok", None, day - timedelta(days=1)
        )
    args = ["--data-dir", str(data_dir), "attendance", "--day", "2026-03-02", "--json"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    people = {p["index_id"]: p for p in out["people"]}
    assert set(people) == {"id-a", "id-b"}  # id-c was the day before
    assert people["id-a"]["present_minutes"] == 270.0 and not people["id-a"]["open"]
    assert people["id-b"]["open"]
    assert main(["--data-dir", str(data_dir), "attendance", "--day", "March 2"]) == 1


def test_bench_flow_is_registered():
    args = build_parser().parse_args(["bench", "flow", "--rounds", "2", "--json"])
    assert args.rounds == 2 and args.json and callable(args.func)


def test_bench_masks_is_registered_and_checks_its_dataset(tmp_path, capsys):
    args = build_parser().parse_args(["bench", "masks", "--dataset", str(tmp_path), "--json"])
    assert args.dataset == tmp_path and callable(args.func)
    assert main(["bench", "masks", "--dataset", str(tmp_path / "missing")]) == 1
    assert "not a folder" in capsys.readouterr().err


def test_access_commands_edit_access_toml(data_dir, capsys, people):
    from facekiosk.kiosk.restrictions import AccessPolicy

    with Vault.open(data_dir) as vault:
        index_id = vault.enroll([people["t1_0"][0].faces[0].embedding])
    base = ["--data-dir", str(data_dir), "access"]
    assert main([*base, "group", "staff", "--schedule", "mon-fri 07:00-19:00"]) == 0
    assert main([*base, "group", "night", "--schedule", "someday 7-9"]) == 1
    assert main([*base, "add", "staff", index_id]) == 0
    assert main([*base, "add", "staff", "not-an-index-id"]) == 1
    assert main([*base, "add", "nosuchgroup", index_id]) == 1
    assert main([*base, "optout", index_id]) == 0
    capsys.readouterr()
    assert main([*base, "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["groups"]["staff"] == {"schedule": ["mon-fri 07:00-19:00"], "members": [index_id]}
    assert shown["optout"] == [index_id]
    assert main([*base, "optout", "--undo", index_id]) == 0
    assert main([*base, "remove", "staff", index_id]) == 0
    policy = AccessPolicy.load(data_dir)
    assert policy.optout == set() and policy.groups["staff"].members == set()
