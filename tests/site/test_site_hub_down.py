"""A purge through the API while the hub is down (a host that stopped answering, not one
that refuses): `deletefacialid` answers within 1.5 s, purged here, B pending; the kiosk's
own sync takes the purge to the hub once it is back and B's confirmation follows. Before,
the answer waited for the 5 s connect timeout."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from facekiosk.site.membership import Membership
from facekiosk.vault import Vault
from tests.api.conftest import Served, enroll_synthetic, serve
from tests.site.conftest import Site
from tests.site.partition import Partition


@dataclass
class Member:
    site: Site
    fids: list[str]
    token: str
    cut: Partition
    served: Served

    def call(self, endpoint: str, **data: str) -> tuple[float, httpx.Response]:
        t0 = time.monotonic()
        response = httpx.post(f"{self.served.url}/{endpoint}", data=data, timeout=30,
                              headers={"Authorization": f"Bearer {self.token}"})  # fmt: skip
        return time.monotonic() - t0, response


@pytest.fixture
def member(pg_cluster, tmp_path) -> Iterator[Member]:
    site = Site(pg_cluster, tmp_path)
    site.settings("A", "[site]\nretry_max_s = 1\n")  # back on the hub soon after it heals
    site.create("A", "B")
    with Vault.open(site.dir("A")) as vault:
        fids = enroll_synthetic(vault, 2)
        token = vault.api_keys.create(["delete"], label="admin panel").token
    site.sync("A", "B")
    cut = Partition(pg_cluster.port)
    m = Membership.load(site.dir("A"))
    assert m is not None and f"port={pg_cluster.port}" in m.dsn
    m.dsn = m.dsn.replace(f"port={pg_cluster.port}", f"port={cut.port}")  # A reaches the hub
    m.save(site.dir("A"))  # through the relay
    ((started,),) = site.query("SELECT now()")
    served = serve(site.dir("A"))
    try:
        deadline = time.monotonic() + 30
        # A pass through the relay, not only a connection: the member list the offline
        # answer names is recorded after connecting (hub_state.saw_up), and a cut made
        # between the two left it unknown ("pending": None; seen once under CI load).
        while not site.query(
            "SELECT 1 FROM facekiosk.kiosks WHERE kiosk_id = 'A' AND last_sync > %s", (started,)
        ):
            assert time.monotonic() < deadline, "A's sync never made a pass through the relay"
            time.sleep(0.1)
        yield Member(site, fids, token, cut, served)
    finally:
        served.stop()
        cut.close()


def _hub_purge(site: Site, fid: str) -> list[tuple[Any, ...]]:
    return site.query("SELECT origin FROM facekiosk.purges WHERE index_id = %s", (fid,))


def test_a_purge_answers_at_once_while_the_hub_is_down_and_is_confirmed_later(member):
    fid = member.fids[0]
    member.cut.cut()
    took, response = member.call("deletefacialid", fid=fid, reason="left")
    assert response.status_code == 200, response.text
    assert took < 1.5, f"deletefacialid took {took:.2f} s with the hub down"
    body = response.json()
    site = body["site"]
    assert (site["state"], site["confirmed"], site["pending"]) == ("hub_unreachable", ["A"], ["B"])
    assert "unreachable" in site["message"] and "pending: B" in body["receipt"]
    took, response = member.call("purgestatus", fid=fid)  # known down: no hub attempt
    assert took < 1.5 and response.json()["site"]["state"] == "hub_unreachable"
    took, response = member.call("deletefacialid", fid=fid)
    assert response.status_code == 404  # purged here already
    assert _hub_purge(member.site, fid) == []  # and not on the hub yet

    member.cut.heal()
    deadline = time.monotonic() + 30
    while not _hub_purge(member.site, fid):  # A's sync pushes it once it reconnects
        assert time.monotonic() < deadline, "the purge never reached the hub"
        time.sleep(0.2)
    [report] = member.site.sync("B")
    assert report["purged"] == 1, report
    deadline = time.monotonic() + 30
    while True:
        _took, response = member.call("purgestatus", fid=fid)
        site = response.json()["site"]
        if site["state"] == "confirmed" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert (site["state"], site["confirmed"], site["pending"]) == ("confirmed", ["A", "B"], [])
