"""Three kiosks (A, B, C), each its own data dir and process, on one real PostgreSQL hub:
enrol → recognised elsewhere after one sync and within 2 s in the background; delete →
gone everywhere with a receipt naming every kiosk and no trace of vector or ciphertext;
hub down → everyone keeps working and converges after; duplicates made apart reported.
The tests share one site and run in file order (each builds on the state before)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.site.conftest import KioskProc, Site, near, unit

KIOSKS = ("A", "B", "C")


@pytest.fixture(scope="module")
def site(pg_cluster, tmp_path_factory) -> Site:
    s = Site(pg_cluster, tmp_path_factory.mktemp("site"))
    return s.create(*KIOSKS)


@pytest.fixture(scope="module")
def k(site) -> Iterator[dict[str, KioskProc]]:
    """Each kiosk's process for the module: its vault, open, and a sync pass on request."""
    procs = {n: site.kiosk(n) for n in KIOSKS}
    yield procs
    for p in procs.values():
        p.close()


@pytest.fixture(scope="module")
def people() -> dict[str, Any]:
    return {}


@pytest.fixture(scope="module")
def rng() -> np.random.Generator:
    return np.random.default_rng(1616)


def sync(k: dict[str, KioskProc], *names: str) -> list[dict[str, Any]]:
    reports = [k[n].sync() for n in names]
    assert all("error" not in r for r in reports), reports
    return reports


def test_enrol_on_a_is_recognised_on_b_and_c_after_one_sync(site, k, people, rng):
    v = unit(rng)[0]
    [index_id] = k["A"].enroll(v)
    assert sync(k, "A")[0]["pushed_records"] == 1
    for name in ("B", "C"):
        assert sync(k, name)[0]["imported"] == 1
        best = k[name].best(near(v, rng))
        assert best is not None and best[0] == index_id and best[1] > 0.9
    # B's and C's imports are not echoed back to the hub
    assert sync(k, "B", "C")[0]["pushed_records"] == 0
    assert site.query("SELECT count(*) FROM facekiosk.feed")[0][0] == 1
    people.update(first=index_id, first_vec=v)


def test_background_sync_reaches_the_others_within_two_seconds(k, people, rng):
    assert all(k[n].ask("bg_start")["site"] for n in KIOSKS)
    try:
        time.sleep(1.5)  # each has connected, passed once and LISTENs
        v = unit(rng)[0]
        t0 = time.monotonic()
        [index_id] = k["A"].enroll(v)
        seen: dict[str, float] = {}
        while len(seen) < 2 and time.monotonic() - t0 < 10:
            for n in ("B", "C"):
                best = k[n].best(v) if n not in seen else None
                if best and best[0] == index_id:
                    seen[n] = time.monotonic() - t0
            time.sleep(0.05)
        assert set(seen) == {"B", "C"}, seen
        assert max(seen.values()) < 2.0, seen
    finally:
        for n in KIOSKS:
            k[n].ask("bg_stop")
    people.update(second=index_id)


def _files_contain(root: Path, needle: bytes) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_delete_on_c_reaches_a_and_b_with_a_receipt_and_no_trace(site, k, people, rng):
    index_id, v = people["first"], people["first_vec"]
    body = site.query("SELECT body FROM facekiosk.feed WHERE index_id = %s", (index_id,))[0][0]
    ciphertext = bytes(body)[12:76]  # 64 bytes of the sealed record
    assert "audit_seq" in k["C"].ask("delete", ids=[index_id])
    k["A"].ask("event", kiosk="A", index_id=index_id)  # A still knows them: pushed, then purged
    sync(k, "C", "A", "B")
    for name in KIOSKS:
        best = k[name].best(near(v, rng))
        assert best is None or best[0] != index_id
    pending = k["C"].ask("receipt", index_id=index_id)  # on the hub until C closes it
    assert pending["confirmed"] == ["A", "B", "C"] and pending["pending"] == []
    sync(k, "C")  # C keeps the receipt in its audit log; the hub forgets the Index ID
    receipt = k["C"].ask("receipt", index_id=index_id)
    assert receipt["confirmed"] == ["A", "B", "C"] and receipt["audit_seq"] > 0
    template = (v / np.linalg.norm(v)).astype(np.float32).tobytes()
    for name in KIOSKS:  # the vault's files are sealed; nothing else may hold either
        d = site.dir(name)
        assert not _files_contain(d, template[:64]) and not _files_contain(d, ciphertext)
    tables = [r[0] for r in site.query(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'facekiosk'")]  # fmt: skip
    assert "feed" in tables and "outbox" in tables
    for table in tables:
        for row in site.query(f"SELECT * FROM facekiosk.{table}"):
            for value in row:
                raw = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
                assert ciphertext not in raw and template[:64] not in raw, table
                assert index_id.encode() not in raw, (table, row)


def test_hub_down_everyone_keeps_working_then_converges(site, k, people, rng):
    before = {n: k[n].ask("ids") for n in KIOSKS}
    site.cluster.stop()
    try:
        made: dict[str, list[str]] = {}
        vecs = unit(rng, 3)
        for i, name in enumerate(KIOSKS):
            made[name] = k[name].enroll(vecs[i])
            k[name].ask("event", kiosk=name, index_id=made[name][0])
            assert k[name].best(vecs[i])[0] == made[name][0]  # works on its own vault
        assert "error" in k["A"].sync()
    finally:
        site.cluster.start()
    sync(k, *KIOSKS)
    sync(k, *KIOSKS)
    expected = set().union(*made.values()) | {people["second"]}
    for name in KIOSKS:
        ids = k[name].ask("ids")
        assert set(ids["ids"]) == expected, name
        assert len(ids["site_imports"]) == len(set(ids["site_imports"]))
    hub_ids = [r[0] for r in site.query("SELECT index_id FROM facekiosk.feed WHERE kind='record'")]
    assert sorted(hub_ids) == sorted(expected)
    events = site.query("SELECT origin, local_id, count(*) FROM facekiosk.events GROUP BY 1, 2")
    assert all(r[2] == 1 for r in events)
    assert len(events) == sum(before[n]["events"] for n in KIOSKS) + 3


def test_the_same_person_enrolled_apart_is_reported(site, k, rng):
    v = unit(rng)[0]
    [id_a], [id_b] = k["A"].enroll(v), k["B"].enroll(near(v, rng))
    reports = sync(k, "A", "B", "A")
    found = [d for r in reports for d in r["duplicates"]]
    assert found and found[0]["index_ids"] == sorted([id_a, id_b])
    k["C"].close()  # the CLI opens the vault itself
    status = site.cli_json("C", "site", "status")
    assert [d["index_ids"] for d in status["duplicates"]] == [sorted([id_a, id_b])]
    assert {x["kiosk_id"] for x in status["kiosks"]} == set(KIOSKS)
