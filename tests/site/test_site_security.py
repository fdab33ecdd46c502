"""What one kiosk's role may do on the hub, join tokens, TLS verification, and a kiosk
killed with SIGKILL in the middle of a sync."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import numpy as np
import psycopg
import pytest

from facekiosk.site.cluster import write_ca_and_server_cert
from facekiosk.site.membership import Membership
from facekiosk.site.site_crypto import JoinToken
from facekiosk.vault import Vault
from tests.site.conftest import ENV, ROOT, Site, unit


@pytest.fixture(scope="module")
def site(pg_cluster, tmp_path_factory) -> Site:
    s = Site(pg_cluster, tmp_path_factory.mktemp("sec"))
    for name in ("A", "B"):  # small batches: a sync is many round trips to kill between
        s.settings(name, "[site]\nbatch = 5\n")
    return s.create("A", "B")


def _as_kiosk(site: Site, name: str) -> tuple[psycopg.Connection, str]:
    with Vault.open(site.dir(name)) as vault:
        m = Membership.load(site.dir(name))
        assert m is not None
        password = m.secrets(vault).password
    return psycopg.connect(site.dsn, user=m.role, password=password, autocommit=True), m.role


def test_a_kiosk_role_cannot_read_or_alter_another_kiosks_rows(site):
    rng = np.random.default_rng(7)
    a = site.kiosk("A")
    a.enroll(unit(rng, 2))
    a.ask("event", kiosk="A")
    assert "error" not in a.sync()
    a.close()
    conn_b, role_b = _as_kiosk(site, "B")
    conn_a, role_a = _as_kiosk(site, "A")
    with conn_a, conn_b:
        assert conn_a.execute("SELECT count(*) FROM facekiosk.outbox").fetchone()[0] == 2
        assert conn_b.execute("SELECT count(*) FROM facekiosk.outbox").fetchone()[0] == 0
        assert conn_b.execute("SELECT count(*) FROM facekiosk.events").fetchone()[0] == 0
        for stmt in (
            "UPDATE facekiosk.outbox SET kind = 'purge'",
            "DELETE FROM facekiosk.outbox",
            "DELETE FROM facekiosk.feed",
            "UPDATE facekiosk.feed SET body = NULL",
            "DELETE FROM facekiosk.events",
            "SELECT * FROM facekiosk.join_tokens",
            "DELETE FROM facekiosk.purges",
            "SELECT facekiosk.remove_kiosk('A')",  # the owner's: one kiosk cannot evict another
            f"SELECT facekiosk.depart('{role_a}')",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn_b.execute(stmt)
        # another kiosk's row of `kiosks` is out of reach; its own is not
        cur = conn_b.execute(
            "UPDATE facekiosk.kiosks SET pulled_seq = 0 WHERE role = %s", (role_a,)
        )
        assert cur.rowcount == 0
        assert conn_b.execute("UPDATE facekiosk.kiosks SET pulled_seq = pulled_seq").rowcount == 1
        # an insert claiming to be A lands as B's own row
        conn_b.execute(
            "INSERT INTO facekiosk.outbox(origin, local_seq, kind, index_id, body)"
            " VALUES (%s, 999, 'record', 'x', 'y')",
            (role_a,),
        )
        rows = site.query("SELECT origin FROM facekiosk.outbox WHERE local_seq = 999")
        assert rows == [(role_b,)]
        assert conn_a.execute("SELECT count(*) FROM facekiosk.outbox").fetchone()[0] == 2


def test_the_integrator_apis_reader_role_sees_every_kiosks_events(site):
    reader = site.query("SELECT reader_role FROM facekiosk.meta")[0][0]
    site.query(f'CREATE ROLE api_reader LOGIN PASSWORD \'pw-api\' IN ROLE "{reader}"')
    with psycopg.connect(site.dsn, user="api_reader", password="pw-api") as conn:
        seen = conn.execute("SELECT origin, kind FROM facekiosk.events").fetchall()
        assert seen and len(seen) == site.query("SELECT count(*) FROM facekiosk.events")[0][0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT body FROM facekiosk.feed")
    reader_conn = psycopg.connect(site.dsn, user="api_reader", password="pw-api")
    with reader_conn as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT extra FROM facekiosk.events")  # scores stay on the kiosks


def test_wrong_or_reused_join_tokens_are_refused(site):
    token = site.cli_json("A", "site", "token")["token"]
    real = JoinToken.decode(token)
    wrong = JoinToken(real.site_id, real.role, real.password, b"\x00" * 32).encode()
    refused = site.cli("W", "site", "join", "--dsn", site.dsn, "--token", wrong, check=False)
    assert refused.returncode == 1 and "join token refused" in refused.stderr
    assert not Membership.path(site.dir("W")).exists()
    damaged = site.cli("W", "site", "join", "--dsn", site.dsn, "--token", token[:-9], check=False)
    assert damaged.returncode == 1 and "damaged" in damaged.stderr
    taken = site.cli("C", "site", "join", "--dsn", site.dsn, "--token", token, "--kiosk-id", "A",
                     check=False)  # fmt: skip
    assert taken.returncode == 1 and "already a member" in taken.stderr
    site.cli("C", "site", "join", "--dsn", site.dsn, "--token", token, "--kiosk-id", "C")
    reused = site.cli("D", "site", "join", "--dsn", site.dsn, "--token", token, check=False)
    assert reused.returncode == 1 and "join token refused" in reused.stderr
    # the hub never held what opens the site key: the wrapped key is dropped once used
    assert site.query("SELECT wrapped_key FROM facekiosk.join_tokens WHERE role = %s",
                      (real.role,)) == [(None,)]  # fmt: skip


def test_tls_is_verified_against_the_sites_ca(site, tmp_path):
    other_ca, _, _ = write_ca_and_server_cert(tmp_path)
    dsn = site.cluster.dsn(site.db).replace(str(site.cluster.ca), str(other_ca))
    with pytest.raises(psycopg.OperationalError, match=r"SSL error|certificate verify failed"):
        psycopg.connect(dsn, connect_timeout=5)
    with psycopg.connect(site.cluster.dsn(site.db)) as conn:
        assert conn.pgconn.ssl_in_use


def _sync_killed(site: Site, name: str, progress: str) -> None:
    """Start `site sync --once` and SIGKILL it once `progress` (a hub query) moved."""
    start = site.query(progress)[0][0]
    proc = subprocess.Popen(
        [sys.executable, "-m", "facekiosk", "--data-dir", str(site.dir(name)), "site", "sync",
         "--once"], env=ENV, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if site.query(progress)[0][0] != start:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL, "the sync finished before it could be killed"


def test_a_kiosk_killed_mid_sync_resumes_without_loss_or_duplicates(site):
    rng = np.random.default_rng(8)
    a = site.kiosk("A")
    ids = a.enroll(unit(rng, 120))
    a.close()
    mine = "SELECT audit_cursor FROM facekiosk.kiosks WHERE kiosk_id = 'A'"
    _sync_killed(site, "A", mine)  # killed between two pushed batches
    pushed = site.query("SELECT count(*) FROM facekiosk.feed WHERE kind = 'record'")[0][0]
    assert 0 < pushed < 122
    site.sync("A")
    records = site.query(  # 'x': the forged row of the first test (skipped by every kiosk)
        "SELECT index_id, count(*) FROM facekiosk.feed WHERE index_id <> 'x' GROUP BY 1"
    )
    assert all(r[1] == 1 for r in records) and set(ids) <= {r[0] for r in records}
    _sync_killed(site, "B", "SELECT pulled_seq FROM facekiosk.kiosks WHERE kiosk_id = 'B'")
    site.sync("B")
    b = site.kiosk("B")
    state = b.ask("ids")
    b.close()
    assert set(ids) <= set(state["ids"])
    assert sorted(state["site_imports"]) == sorted(set(state["site_imports"]))
    assert len(state["ids"]) == len(records)  # nothing lost, nothing twice
