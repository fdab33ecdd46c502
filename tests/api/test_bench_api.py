"""`facekiosk bench api` runs end to end (a short, small run: the numbers are taken on a
quiet machine) and its checks hold: every delete gone, no sign-in lost, no error."""

from __future__ import annotations

import json

from tests.api.conftest import cli


def test_bench_api_smoke(tmp_path):
    proc = cli(tmp_path / "data", "bench", "api", "--seconds", "2", "--rate", "50", "--clients",
               "5", "--people", "200", "--deletes", "5", "--auth-rate", "10", "--json",
               "--workdir", str(tmp_path))  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert report["ok"] and report["errors"] == 0 and report["requests"] == 100
    assert report["deletes"] == {
        "requested": 5, "answered_ok": 5, "still_in_vault": 0,
        "purge_audit_entries_naming_the_key": 5, "events_still_naming_them": 0,
    }  # fmt: skip
    assert report["kiosk_authentications"]["lost"] == 0
    assert report["status"]["p99_ms"] > 0 and report["listfacialids"]["n"] > 40
    assert list(tmp_path.glob("fk-bench-api-*")) == []  # the throw-away vault is gone
