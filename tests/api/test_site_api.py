"""The integrator API on a site member (issues 15 + 16), with the real PostgreSQL hub of
tests/site and two kiosks A and B: `attendance?scope=site` reads every kiosk's events with
the site's reader role (a credential wider than that is refused); `deletefacialid` answers
that the purge goes site-wide with the confirmed and pending kiosks, `purgestatus` follows
it until B confirms; a purge begun at A fires B's `delete` webhook (actor "site")."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from facekiosk.settings import load_settings
from facekiosk.site.api_bridge import READER_FILE
from facekiosk.vault import Vault
from facekiosk.webhooks.sender import WebhookSender
from tests.api.conftest import NONET, ROOT, Served, enroll_synthetic, serve
from tests.api.receiver import Receiver
from tests.site.conftest import Site as Hub
from tests.site.conftest import pg_cluster  # noqa: F401  (the session's PostgreSQL cluster)
from tests.site.kiosk_proc import sync_once

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
READER = "fk_api_hr"  # the login the hub's owner creates in the site's reader role


@dataclass
class Member:
    hub: Hub
    fids: list[str]
    keys: dict[str, str]
    served: Served


def _settings(kiosk: str) -> str:
    return (f'[kiosk]\nkiosk_id = "{kiosk}"\n[webhooks]\npoll_s = 0.1\nbackoff_base_s = 0.1\n'
            "backoff_max_s = 0.4\ntimeout_s = 2.0\n")  # fmt: skip


def _site_reader(data_dir: Path, role: str, password: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "app")}
    return subprocess.run(
        [sys.executable, str(NONET), "--data-dir", str(data_dir), "api", "site-reader", role,
         "--json"],
        input=password + "\n", capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip


@pytest.fixture(scope="module")
def member(pg_cluster, tmp_path_factory) -> Iterator[Member]:  # noqa: F811
    hub = Hub(pg_cluster, tmp_path_factory.mktemp("apisite"))
    for name in ("A", "B"):
        hub.settings(name, _settings(name))
    hub.create("A", "B")
    with Vault.open(hub.dir("A")) as vault:
        fids = enroll_synthetic(vault, 3)
        keys = {s: vault.api_keys.create([s], label=s).token for s in ("read", "delete")}
        vault.record_event("attendance", fids[0], "A", "check_in", "ok", {"similarity": 0.93}, T0)
    with Vault.open(hub.dir("B")) as vault:
        vault.record_event("attendance", None, "B", "deny", "UNRECOGNIZED_FACE",
                           {"similarity": 0.41}, T0 + timedelta(minutes=5))  # fmt: skip
    hub.sync("A", "B")  # B now holds A's three people; the hub every kiosk's events
    reader = hub.query("SELECT reader_role FROM facekiosk.meta")[0][0]
    hub.query(f"CREATE ROLE {READER} LOGIN PASSWORD 'pw-hr' IN ROLE \"{reader}\"")
    m = Member(hub, fids, keys, serve(hub.dir("A")))
    try:
        yield m
    finally:
        m.served.stop()  # a test may have restarted it: the one running now (it leaked)


def call(m: Member, endpoint: str, key: str, **params: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {m.keys[key]}"}
    return httpx.get(f"{m.served.url}/{endpoint}", params=params, headers=headers, timeout=30)


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_only_a_read_only_reader_credential_is_kept(member, tmp_path):
    # the hub's superuser can do far more than read events: refused, nothing stored
    wide = _site_reader(tmp_path, "postgres", member.hub.cluster.password)
    assert wide.returncode != 0  # not even a site member
    # the API server holds A's vault: a second member, B, takes the credential checks
    b = member.hub.dir("B")
    refused = _site_reader(b, "postgres", member.hub.cluster.password)
    assert refused.returncode == 1 and "can do more than read" in refused.stderr
    assert not (b / READER_FILE).exists()
    member.hub.query("CREATE ROLE fk_api_other LOGIN PASSWORD 'pw-o'")
    outsider = _site_reader(b, "fk_api_other", "pw-o")
    assert outsider.returncode == 1 and "not in the site's reader role" in outsider.stderr
    assert _site_reader(b, READER, "wrong").returncode == 1
    stored = _site_reader(b, READER, "pw-hr")
    assert stored.returncode == 0, stored.stderr
    assert json.loads(stored.stdout)["events_visible"] == 2
    blob = (b / READER_FILE).read_bytes()
    assert b"pw-hr" not in blob  # sealed under B's vault key ring


def test_attendance_scope_site_reads_every_kiosks_events_without_biometrics(member):
    window = {"from": T0.isoformat(), "to": (T0 + timedelta(hours=1)).isoformat()}
    # no reader credential on A yet: a clear 503, never the kiosk's own (wider) role
    response = call(member, "attendance", "read", scope="site", **window)
    assert response.status_code == 503 and response.json()["error"] == "SITE_UNAVAILABLE"
    assert "api site-reader" in response.json()["message"]
    member.served.stop()  # `api site-reader` needs A's vault
    stored = _site_reader(member.hub.dir("A"), READER, "pw-hr")
    assert stored.returncode == 0, stored.stderr
    member.served = serve(member.hub.dir("A"))

    local = ok(call(member, "attendance", "read", **window))
    assert local["scope"] == "kiosk" and [e["kiosk_id"] for e in local["events"]] == ["A"]
    site = ok(call(member, "attendance", "read", scope="site", **window))
    assert site["scope"] == "site"
    assert [(e["kiosk_id"], e["fid"], e["reason"]) for e in site["events"]] == [
        ("A", member.fids[0], "ok"), ("B", None, "UNRECOGNIZED_FACE")]  # fmt: skip
    for e in site["events"]:
        assert set(e) == {"id", "at", "kind", "fid", "kiosk_id", "decision", "reason"}
    csv = call(member, "attendance", "read", scope="site", format="csv", **window)
    assert csv.status_code == 200 and csv.text.count("\n") == 3  # header + 2 events
    assert "similarity" not in csv.text and "0.41" not in csv.text
    only = ok(call(member, "attendance", "read", scope="site", fid=member.fids[0], **window))
    assert only["count"] == 1
    assert call(member, "attendance", "read", scope="hub").status_code == 400


def _wait_state(m: Member, fid: str, state: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        body = ok(call(m, "purgestatus", "delete", fid=fid))
        if body["site"]["state"] == state or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


def test_deletefacialid_on_a_member_goes_site_wide_with_its_confirmations(member):
    fid = member.fids[1]
    body = ok(httpx.post(f"{member.served.url}/deletefacialid", data={"fid": fid},
                         headers={"Authorization": f"Bearer {member.keys['delete']}"},
                         timeout=30))  # fmt: skip
    site = body["site"]
    assert site["site_wide"] and site["state"] in ("queued", "pending")  # the sync is quick
    assert (site["origin"], site["confirmed"], site["pending"]) == ("A", ["A"], ["B"])
    assert "pending: B" in body["receipt"]
    # B is offline: the hub has the purge (A's background sync pushed it), B still pending
    status = _wait_state(member, fid, "pending")["site"]
    assert (status["confirmed"], status["pending"]) == (["A"], ["B"])
    assert call(member, "purgestatus", "read", fid=fid).status_code == 403  # scope delete
    member.hub.sync("B")  # B comes back: purges and acknowledges
    status = _wait_state(member, fid, "confirmed")["site"]
    assert (status["confirmed"], status["pending"]) == (["A", "B"], [])
    with Vault.open(member.hub.dir("B")) as vault:
        assert fid not in {r.index_id for r in vault.list_ids()}
    unknown = call(member, "purgestatus", "delete", fid="3f1c0000-0000-4000-8000-000000000000")
    assert unknown.status_code == 404 and unknown.json()["error"] == "UNKNOWN_FID"


def test_a_purge_begun_at_another_kiosk_fires_the_delete_webhook_here(member):
    """Decision: it fires, with actor "site" (so a receiver that hears one kiosk learns of
    every site-wide deletion, and one that hears several gets each kiosk's confirmation)."""
    fid = member.fids[2]
    b = member.hub.dir("B")
    port = _free_port()
    with Vault.open(b) as vault:
        hook = vault.webhooks.add(f"http://127.0.0.1:{port}/hook", ["delete"])
        receiver = Receiver(port, vault.webhooks.secret(hook.id)).start()
        sender = WebhookSender(vault, load_settings(b))
        try:
            sender.pump()  # the first webhook starts at the feed's head
            response = httpx.post(f"{member.served.url}/deletefacialid", data={"fid": fid},
                                  headers={"Authorization": f"Bearer {member.keys['delete']}"},
                                  timeout=30)  # fmt: skip
            assert response.status_code == 200, response.text
            _wait_state(member, fid, "pending")  # on the hub
            report = sync_once(vault, load_settings(b))
            assert report["purged"] == 1, report
            assert sender.pump() == 1 and sender.deliver() == 1
        finally:
            sender.close()
            receiver.stop()
    (event,) = receiver.events
    assert (event["event"], event["fid"], event["actor"], event["kiosk_id"]) == (
        "delete", fid, "site", "B")  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_purge_answer_when_the_hub_is_unreachable(member):
    """Purged here, the hub down: the answer says so (no confirmations invented), and an
    Index ID this kiosk never purged is a SiteError the API turns into 503."""
    from dataclasses import replace

    from facekiosk.site.api_bridge import SiteBridge
    from facekiosk.site.membership import Membership, SiteError

    b = member.hub.dir("B")
    m = Membership.load(b)
    assert m is not None
    down = replace(m, dsn=m.dsn.replace(f"port={member.hub.cluster.port}", f"port={_free_port()}"))
    with Vault.open(b) as vault:
        status = SiteBridge(vault, down).purge_status(member.fids[1])
        assert status is not None
        assert (status["state"], status["confirmed"], status["pending"]) == (
            "hub_unreachable", ["B"], None)  # fmt: skip
        assert "unreachable" in status["message"]
        with pytest.raises(SiteError, match="unreachable"):
            SiteBridge(vault, down).purge_status(member.fids[0])
