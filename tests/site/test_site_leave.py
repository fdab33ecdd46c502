"""`facekiosk site leave` on a real hub: the leaving kiosk pushes what only it holds, stops
counting as pending for purges, its role is dropped by the next member's pass, a purge it
began closes once the others confirmed, and it keeps only the people it enrolled itself."""

from __future__ import annotations

import json
import socket

import numpy as np
import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from facekiosk.site.membership import Membership
from tests.site.conftest import Site, unit


@pytest.fixture(scope="module")
def site(pg_cluster, tmp_path_factory) -> Site:
    return Site(pg_cluster, tmp_path_factory.mktemp("leave")).create("A", "B", "C")


def test_a_kiosk_that_leaves_no_longer_holds_the_site_back(site):
    rng = np.random.default_rng(163)
    a, b, c = (site.kiosk(n) for n in "ABC")
    [from_a] = a.enroll(unit(rng)[0])
    [gone] = c.enroll(unit(rng)[0])
    for p in (a, c, b, a, c):
        assert "error" not in p.sync()
    assert {from_a, gone} <= set(c.ask("ids")["ids"])
    c.ask("delete", ids=[gone])  # C's purge: B has not confirmed it when C leaves
    [last] = c.enroll(unit(rng)[0])  # only on C until its last sync
    c.close()
    role = Membership.load(site.dir("C")).role  # type: ignore[union-attr]

    out = site.cli_json("C", "site", "leave")
    assert out["last_sync"]["pushed_records"] == 1 and out["last_sync"]["pushed_purges"] == 1
    assert out["purged_site_people"] == 1  # from_a: later site-wide purges cannot reach C
    assert not Membership.path(site.dir("C")).exists()
    c = site.kiosk("C")
    assert set(c.ask("ids")["ids"]) == {last}
    c.close()

    assert "error" not in a.sync()  # A's pass drops C's role (C's session has ended)
    assert site.query("SELECT count(*) FROM pg_roles WHERE rolname = %s", (role,)) == [(0,)]
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(site.dsn, user=role, password="x", connect_timeout=5)

    [later] = a.enroll(unit(rng)[0])
    a.ask("delete", ids=[later])
    assert "error" not in a.sync()
    pending = a.ask("receipt", index_id=later)  # after A's push: B pending, C not at all
    assert pending["pending"] == ["B"]
    status_purges = site.query("SELECT index_id FROM facekiosk.purges ORDER BY index_id")
    assert status_purges == sorted([(gone,), (later,)])

    assert "error" not in b.sync()  # B confirms both; A then closes its own
    assert set(b.ask("ids")["ids"]) == {from_a, last}
    assert "error" not in a.sync()
    assert a.ask("receipt", index_id=later)["confirmed"] == ["A", "B"]
    # C's purge had no kiosk left to keep its receipt: the hub closed it after B confirmed
    assert site.query("SELECT count(*) FROM facekiosk.purges") == [(0,)]
    assert site.query("SELECT count(*) FROM facekiosk.feed WHERE index_id = %s", (gone,)) == [(0,)]
    kiosks = {r[0]: r[1] for r in site.query("SELECT kiosk_id, left_at FROM facekiosk.kiosks")}
    assert kiosks["C"] is not None and kiosks["A"] is None and kiosks["B"] is None
    a.close()
    b.close()


def test_a_dead_kiosk_removed_by_the_owner_stops_holding_purges_open(site):
    token = site.cli_json("A", "site", "token")["token"]
    site.cli("D", "site", "join", "--dsn", site.dsn, "--token", token, "--kiosk-id", "D")
    role = Membership.load(site.dir("D")).role  # type: ignore[union-attr]
    a = site.kiosk("A")
    [index_id] = a.enroll(unit(np.random.default_rng(165))[0])
    a.ask("delete", ids=[index_id])
    assert "error" not in a.sync()
    assert a.ask("receipt", index_id=index_id)["pending"] == ["B", "D"]
    site.sync("B")
    assert a.ask("receipt", index_id=index_id)["pending"] == ["D"]  # D never comes back

    refused = site.cli("A", "site", "remove", "D", "--dsn", site.dsn, check=False)  # a kiosk DSN
    assert refused.returncode == 1 and "owner" in refused.stderr
    site.cli("A", "site", "remove", "D", "--dsn", site.admin_dsn)
    assert "error" not in a.sync()  # closes the purge, drops D's role
    receipt = a.ask("receipt", index_id=index_id)
    assert receipt["confirmed"] == ["A", "B"] and receipt["audit_seq"] > 0
    assert site.query("SELECT count(*) FROM pg_roles WHERE rolname = %s", (role,)) == [(0,)]
    a.close()
    d = site.cli("D", "site", "sync", "--once", check=False)
    assert d.returncode == 1 and "cannot reach the site hub" in d.stderr


def test_a_kiosk_whose_hub_is_gone_for_good_leaves_offline(site):
    """`site leave` needs the hub and says what to do without it; `--offline` opens no
    socket, names the deletions made here that no receipt shows confirmed site-wide, and
    leaves the hub listing the kiosk until its owner removes it."""
    token = site.cli_json("A", "site", "token")["token"]
    site.cli("E", "site", "join", "--dsn", site.dsn, "--token", token, "--kiosk-id", "E")
    rng = np.random.default_rng(166)
    a = site.kiosk("A")
    [from_a] = a.enroll(unit(rng)[0])
    assert "error" not in a.sync()
    a.close()
    e = site.kiosk("E")
    assert "error" not in e.sync()  # imports A's person
    [mine, forgotten] = e.enroll(unit(rng, 2))
    assert "error" not in e.sync()
    e.ask("delete", ids=[forgotten])  # never pushed: the hub goes before the next pass
    held = set(e.ask("ids")["ids"])  # A's person and the site's earlier ones too
    assert {from_a, mine} <= held and forgotten not in held
    e.close()

    path = Membership.path(site.dir("E"))
    membership = json.loads(path.read_text())
    with socket.socket() as s:  # a port nothing listens on: the hub is gone
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    membership["dsn"] = make_conninfo(membership["dsn"], host="127.0.0.1", port=str(dead_port))
    path.write_text(json.dumps(membership))

    refused = site.cli("E", "site", "leave", check=False)
    assert refused.returncode == 1
    assert "cannot reach the site hub" in refused.stderr and "--offline" in refused.stderr
    assert path.exists()  # nothing changed

    out = site.cli_json("E", "site", "leave", "--offline")
    assert out["offline"] is True
    assert out["unconfirmed_purges"] == [forgotten]
    assert out["purged_site_people"] == len(held) - 1  # site-wide deletions cannot reach E now
    assert out["last_sync"] == {}
    assert not path.exists()
    e = site.kiosk("E")
    assert set(e.ask("ids")["ids"]) == {mine}
    e.close()
    text = site.cli("E", "admin", "audit", "--json").stdout
    assert '"offline": true' in text and forgotten in text

    left = site.query("SELECT left_at FROM facekiosk.kiosks WHERE kiosk_id = 'E'")
    assert left == [(None,)]  # the hub never heard: its owner removes E
    site.cli("A", "site", "remove", "E", "--dsn", site.admin_dsn)
    assert site.query("SELECT left_at IS NOT NULL FROM facekiosk.kiosks WHERE kiosk_id = 'E'") == [
        (True,)
    ]
