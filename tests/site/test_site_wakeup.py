"""The background sync wakes on the vault's own commits (Vault.add_change_listener and a
self-pipe beside the hub's socket), not on `site.local_poll_s`: here the poll is 30 s and
`poll_s` an hour, so only the commit signal can start these pushes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pytest

from facekiosk.engine.types import Embedding
from facekiosk.settings import load_settings
from facekiosk.site.membership import Membership
from facekiosk.site.service import SiteService
from facekiosk.site.sync import SyncReport
from facekiosk.vault import Vault
from tests.site.conftest import Site, unit

SPACE = ("bundled", "site-test")
SLOW = "[site]\nlocal_poll_s = 30\npoll_s = 3600\n"


@dataclass
class Running:
    vault: Vault
    service: SiteService
    reports: list[tuple[float, SyncReport]]
    cond: threading.Condition

    def first(self, what: str, after: float, timeout: float = 10) -> float | None:
        """Seconds from `after` to the end of the first pass that did `what`."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for t, r in self.reports:
                    if t >= after and getattr(r, what) > 0:
                        return t - after
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)


@pytest.fixture
def running(pg_cluster, tmp_path) -> Iterator[Running]:
    site = Site(pg_cluster, tmp_path)
    site.settings("A", SLOW)
    site.create("A", "B")
    vault = Vault.open(site.dir("A"))
    reports: list[tuple[float, SyncReport]] = []
    cond = threading.Condition()

    def on_sync(report: SyncReport) -> None:
        with cond:
            reports.append((time.monotonic(), report))
            cond.notify_all()

    m = Membership.load(site.dir("A"))
    assert m is not None
    service = SiteService(vault, m, load_settings(site.dir("A")), on_sync=on_sync).start()
    deadline = time.monotonic() + 30
    while service.passes == 0 and time.monotonic() < deadline:  # connected, first pass
        time.sleep(0.02)
    assert service.passes > 0, service.last_error
    try:
        yield Running(vault, service, reports, cond)
    finally:
        service.stop()
        vault.close()


def _enrol(vault: Vault, rng: np.random.Generator) -> str:
    return vault.enroll([Embedding(unit(rng)[0], *SPACE)])


def test_a_local_enrolment_and_purge_are_pushed_at_once(running):
    rng = np.random.default_rng(31)
    t0 = time.monotonic()
    index_id = _enrol(running.vault, rng)
    took = running.first("pushed_records", t0)
    assert took is not None and took < 1.0, took  # the poll would take 30 s
    t0 = time.monotonic()
    running.vault.delete(index_id, reason="test")
    took = running.first("pushed_purges", t0)
    assert took is not None and took < 1.0, took
    t0 = time.monotonic()
    running.service.stop()  # the wait ends on the pipe, not after local_poll_s
    assert time.monotonic() - t0 < 2.0


def test_a_commit_made_while_a_pass_runs_gets_a_pass_of_its_own(running):
    """Its audit entry lands after the pass pushed, before the pass ends: the mark the
    service keeps must be the one read before the pass, or the change waits for poll_s.
    The pass is woken by an audit entry that pushes no record, so no NOTIFY of this
    kiosk's own push (which would start another pass anyway) hides the race."""
    rng = np.random.default_rng(32)
    sync = running.service.sync
    original = sync.run_once
    late: list[str] = []

    def run_once(hub):  # the real pass, then a kiosk enrolment before it returns
        report = original(hub)
        if not late:
            late.append(_enrol(running.vault, rng))
        return report

    sync.run_once = run_once  # type: ignore[method-assign]
    t0 = time.monotonic()
    running.vault.audit("test_note", "admin", {})  # moves the mark; nothing to push
    took = running.first("pushed_records", t0, timeout=5)
    assert late and took is not None, "the late enrolment was not pushed within 5 s"


def test_stop_during_the_drain_is_not_lost(running):
    """stop() sets the flag, then writes the wake-up byte. When that lands between the
    loop's flag check and its drain, the drain eats the byte: the loop must re-check the
    flag, or it sleeps out local_poll_s (30 s here) and stop() gives up after 10 s."""
    service = running.service
    wake = service._wake
    drain = wake.drain
    raced = threading.Event()

    def stop_then_drain() -> bool:
        if not raced.is_set():  # the race, made to happen: stop() lands just before the drain
            raced.set()
            service._stop.set()
            wake.set()
        return drain()

    wake.drain = stop_then_drain  # type: ignore[method-assign]
    wake.set()  # the loop comes round with nothing to push (a commit's pass could wake it)
    assert raced.wait(10)
    service._thread.join(5)
    assert not service._thread.is_alive()
