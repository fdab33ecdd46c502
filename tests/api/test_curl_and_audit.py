"""The same server called with curl (what an integrator's shell script does), then the
vault's record of those calls: the purge's audit entry names the key, every call is
counted under its key id, refusals included."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid

import pytest

from facekiosk.vault import Vault
from tests.api.conftest import enroll_synthetic, serve

pytestmark = pytest.mark.skipif(not shutil.which("curl"), reason="needs curl")


def curl(*args: str) -> tuple[int, dict]:
    out = subprocess.run(
        ["curl", "-sS", "-w", "\n%{http_code}", *args], capture_output=True, text=True,
        timeout=30, check=True,
    ).stdout  # fmt: skip
    body, code = out.rsplit("\n", 1)
    return int(code), json.loads(body) if body.startswith("{") else {"text": body}


def test_curl_calls_are_answered_and_audited(data_dir):
    with Vault.open(data_dir) as vault:
        fids = enroll_synthetic(vault, 3)
        admin = vault.api_keys.create(["read", "write", "delete"], label="HR")
        reader = vault.api_keys.create(["read"])
    served = serve(data_dir)
    try:
        auth = f"Authorization: Bearer {admin.token}"
        code, body = curl("-H", auth, f"{served.url}/status")
        assert code == 200 and body["status"] == "ok"
        code, body = curl("-H", auth, f"{served.url}/listfacialids?limit=2&offset=1")
        assert code == 200 and len(body["fids"]) == 2 and body["total"] == 3
        code, body = curl("-H", auth, "-H", "Content-Type: application/json", "-d",
                          json.dumps({"fid": fids[0], "payload": {"employee": 17}}),
                          f"{served.url}/setfacialidpayload")  # fmt: skip
        assert code == 200, body
        code, body = curl("-H", auth, "--data-urlencode", f"fid={fids[1]}", "--data-urlencode",
                          "reason=left the company", f"{served.url}/deletefacialid")  # fmt: skip
        assert code == 200 and body["receipt"].startswith("Purged 1 Index ID(s)")
        code, body = curl("-H", auth, f"{served.url}/deletefacialid?fid={uuid.uuid4()}")
        assert code == 404 and body["error"] == "UNKNOWN_FID"
        code, body = curl("-H", f"Authorization: Bearer {reader.token}", "-X", "POST",
                          "-d", f"fid={fids[2]}", f"{served.url}/deletefacialid")  # fmt: skip
        assert code == 403 and body["error"] == "FORBIDDEN"
        code, body = curl("-H", "Authorization: Bearer fk_000000000000_" + "B" * 43,
                          f"{served.url}/status")  # fmt: skip
        assert code == 401 and body["error"] == "UNAUTHORIZED"
        code, body = curl("-H", auth, f"{served.url}/attendance?format=csv")
        assert code == 200 and body["text"].startswith("id,at,kind")
    finally:
        assert served.stop() == 0  # SIGTERM: a clean stop that flushes the counters

    with Vault.open(data_dir) as vault:
        purge = [e for e in vault.audit_entries() if e.action == "purge"]
        assert [(e.actor, e.details["index_ids"], e.details["reason"]) for e in purge] == [
            (f"api:{admin.record.key_id}", [fids[1]], "left the company")]  # fmt: skip
        update = [e for e in vault.audit_entries() if e.action == "update"]
        assert update[-1].actor == f"api:{admin.record.key_id}"
        usage = {(k, e, s): n for _d, k, e, s, n in vault.api_keys.usage()}
        a, r = admin.record.key_id, reader.record.key_id
        assert usage[(a, "status", 200)] == 1
        assert usage[(a, "deletefacialid", 200)] == 1
        assert usage[(a, "deletefacialid", 404)] == 1
        assert usage[(r, "deletefacialid", 403)] == 1
        assert usage[("-", "status", 401)] == 1
        assert sum(usage.values()) == 8
        (record,) = [k for k in vault.api_keys.all() if k.key_id == a]
        assert record.last_used is not None
        assert vault.verify_audit().ok


def test_serve_says_to_enable_the_api_in_the_kiosk_when_the_vault_is_busy(data_dir):
    from tests.api.conftest import cli

    with Vault.open(data_dir):  # the kiosk holding the vault
        proc = cli(data_dir, "api", "serve", "--port", "0")
    assert proc.returncode == 1
    assert "[api] enabled = true" in proc.stderr and "kiosk" in proc.stderr


def test_a_lan_address_needs_tls(data_dir):
    from tests.api.conftest import cli

    with Vault.open(data_dir):
        pass
    proc = cli(data_dir, "api", "serve", "--host", "192.0.2.10", "--port", "0")
    assert proc.returncode == 1 and "api.allow_lan" in proc.stderr, proc.stderr
