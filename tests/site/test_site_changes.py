"""Changes that once wrote no audit entry, and so were never pushed: a bulk import
(`enroll_many`), a PIN cleared, a re-consent. Each now reaches the other kiosk through
the real hub after one sync."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from tests.site.conftest import KioskProc, Site, unit


@pytest.fixture(scope="module")
def site(pg_cluster, tmp_path_factory) -> Site:
    s = Site(pg_cluster, tmp_path_factory.mktemp("changes"))
    s.settings("A", "[site]\nbatch = 4\n")  # a bulk import spans several pushes
    return s.create("A", "B")


@pytest.fixture(scope="module")
def k(site) -> Iterator[dict[str, KioskProc]]:
    procs = {n: site.kiosk(n) for n in ("A", "B")}
    yield procs
    for p in procs.values():
        p.close()


def _sync(k: dict[str, KioskProc], *names: str) -> list[dict]:
    reports = [k[n].sync() for n in names]
    assert all("error" not in r for r in reports), reports
    return reports


def test_a_bulk_import_reaches_the_other_kiosk(k):
    rng = np.random.default_rng(161)
    vecs = unit(rng, 10)
    ids = k["A"].ask("enroll_many", vecs=vecs.tolist())["ids"]
    assert _sync(k, "A")[0]["pushed_records"] == 10
    assert _sync(k, "B")[0]["imported"] == 10
    assert set(ids) <= set(k["B"].ask("ids")["ids"])
    assert k["B"].best(vecs[3])[0] == ids[3]
    assert _sync(k, "A")[0]["pushed_records"] == 0  # nothing pushed twice


@pytest.fixture(scope="module")
def person(k) -> str:
    [index_id] = k["A"].enroll(unit(np.random.default_rng(162))[0])
    k["A"].ask("set_pin", index_id=index_id, pin="4711")
    _sync(k, "A", "B")
    assert k["B"].ask("person", index_id=index_id)["pin"]
    return index_id


def test_a_cleared_pin_is_cleared_on_the_other_kiosk(k, person):
    k["A"].ask("clear_pin", index_id=person)
    assert _sync(k, "A")[0]["pushed_records"] == 1
    assert _sync(k, "B")[0]["imported"] == 1
    assert not k["B"].ask("person", index_id=person)["pin"]


def test_a_re_consent_reaches_the_other_kiosk(k, person):
    k["A"].ask("consent", index_id=person, version="v9")
    assert _sync(k, "A")[0]["pushed_records"] == 1
    _sync(k, "B")
    on_b = k["B"].ask("person", index_id=person)
    assert on_b["consent_version"] == "v9" and on_b["consents"][-1] == "v9"
