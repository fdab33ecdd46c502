"""`facekiosk bench site`: a throw-away PostgreSQL hub on loopback (TLS, SCRAM) with an
N-person site; how long a new kiosk takes to pull it, p50/p99 propagation of one enrolment
and one deletion to K kiosks running the background sync, and hub storage per person.

Templates are random unit vectors (256-d, the bundled engine's size): the site moves
sealed templates and never computes one. The hub is filled through the seed kiosk's
outbox, exactly as pushes arrive. The K propagation kiosks start at the feed's head
(their backlog is what the new-kiosk measurement times); like the kiosk, the origin's
sync wakes on its vault's commit, so propagation is push + NOTIFY + pull."""

from __future__ import annotations

import dataclasses
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from facekiosk.engine.types import Embedding
from facekiosk.settings import Settings, load_settings
from facekiosk.site.cluster import Cluster
from facekiosk.site.hub import Hub, OutRow
from facekiosk.site.membership import (
    Membership,
    connect_member,
    init_site,
    issue_token,
    join_site,
)
from facekiosk.site.service import SiteService
from facekiosk.site.site_crypto import seal_record
from facekiosk.site.sync import SiteSync, SyncReport
from facekiosk.vault import Vault
from facekiosk.vault.transfer import IdentityExport

DIM = 256
SPACE = ("bundled", "bench-site")


def _pct(xs: list[float], q: float) -> float:
    return round(float(np.percentile(xs, q)) * 1000, 1) if xs else float("nan")


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _hub(vault: Vault) -> tuple[Membership, Hub]:
    m = Membership.load(vault.data_dir)
    assert m is not None
    return m, Hub(connect_member(m, m.secrets(vault)))


def _populate(vault: Vault, n: int, rng: np.random.Generator) -> float:
    """N people pushed through the seed kiosk's outbox in batches (one transaction each)."""
    m, hub = _hub(vault)
    key = m.secrets(vault).site_key
    t0 = time.perf_counter()
    seq = 10**9  # above any audit seq of the seed vault: no clash with its own pushes
    try:
        for start in range(0, n, 2000):
            vecs = _unit(rng, min(2000, n - start))
            rows = []
            for v in vecs:
                index_id = str(uuid.uuid4())
                rec = IdentityExport(index_id, "/".join(SPACE), v, 3, None, None, "v1", None,
                                     "active")  # fmt: skip
                seq += 1
                body = seal_record(key, m.site_id, index_id, rec.to_dict())
                rows.append(OutRow(seq, "record", index_id, body))
            cursors = hub.cursors()
            hub.push(rows, [], cursors.audit, cursors.events)
    finally:
        hub.close()
    return time.perf_counter() - t0


def _storage(cluster: Cluster, db: str, n: int) -> dict[str, Any]:
    rows = cluster.query(
        db,
        "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace s"
        " ON s.oid = c.relnamespace WHERE s.nspname = 'facekiosk' AND c.relkind = 'r'",
    )
    sizes = {str(r[0]): int(r[1]) for r in rows}  # type: ignore[call-overload]
    total = sum(sizes.values())
    return {"hub_bytes_total": total, "hub_bytes_per_person": round(total / max(n, 1)),
            "hub_bytes_by_table": sizes}  # fmt: skip


def _join(seed: Vault, dsn: str, data_dir: Path, name: str) -> Vault:
    m, hub = _hub(seed)
    try:
        token = issue_token(hub.conn, m.site_id, m.secrets(seed).site_key)
    finally:
        hub.close()
    vault = Vault.open(data_dir)
    join_site(vault, dsn, token.encode(), name)
    return vault


def _skip_backlog(vault: Vault) -> None:
    _m, hub = _hub(vault)
    try:
        hub.set_pulled(hub.feed_head())
    finally:
        hub.close()


class _Watch:
    """Sync reports of one kiosk's background service, with their time."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, SyncReport]] = []
        self.cond = threading.Condition()

    def __call__(self, report: SyncReport) -> None:
        with self.cond:
            self.seen.append((time.perf_counter(), report))
            self.cond.notify_all()

    def first_after(self, t0: float, what: str, timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for t, r in self.seen:
                    if t >= t0 and getattr(r, what) > 0:
                        return t - t0
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)


def _propagation(
    seed: Vault, kiosks: list[Vault], settings: Settings, rounds: int, rng: np.random.Generator,
    progress: Callable[[str], None],
) -> dict[str, Any]:  # fmt: skip
    watches = [_Watch() for _ in kiosks]
    services = [SiteService(v, Membership.load(v.data_dir), settings, on_sync=w).start()  # type: ignore[arg-type]
                for v, w in zip(kiosks, watches, strict=True)]  # fmt: skip
    origin = SiteService(seed, Membership.load(seed.data_dir), settings).start()  # type: ignore[arg-type]
    enrol: list[float] = []
    purge: list[float] = []
    missed = 0
    try:
        time.sleep(2.0)  # connected, first pass done, LISTENing
        for r in range(rounds):
            v = _unit(rng, 1)[0]
            t0 = time.perf_counter()
            index_id = seed.enroll([Embedding(v, *SPACE)])
            for w in watches:
                dt = w.first_after(t0, "imported", 30)
                enrol.append(dt) if dt is not None else None
                missed += dt is None
            t0 = time.perf_counter()
            seed.delete(index_id, reason="bench", actor="admin")
            for w in watches:
                dt = w.first_after(t0, "purged", 30)
                purge.append(dt) if dt is not None else None
                missed += dt is None
            progress(f"propagation round {r + 1}/{rounds}")
    finally:
        for s in (*services, origin):
            s.stop()
    return {
        "enrolment_p50_ms": _pct(enrol, 50), "enrolment_p99_ms": _pct(enrol, 99),
        "deletion_p50_ms": _pct(purge, 50), "deletion_p99_ms": _pct(purge, 99),
        "samples": len(enrol) + len(purge), "missed": missed,
    }  # fmt: skip


def run_site_bench(
    n: int = 100_000, kiosks: int = 5, rounds: int = 20, workdir: Path | None = None,
    progress: Callable[[str], None] = lambda _m: None,
) -> dict[str, Any]:  # fmt: skip
    rng = np.random.default_rng(16)
    work = Path(workdir or tempfile.mkdtemp(prefix="facekiosk-bench-site-"))
    work.mkdir(parents=True, exist_ok=True, mode=0o700)
    settings = load_settings(work / "no-settings")
    cluster = Cluster().start()  # its own temp dir: the postgres user must enter it
    opened: list[Vault] = []
    try:
        admin = cluster.create_db("bench")
        dsn = cluster.kiosk_dsn("bench")
        seed = Vault.open(work / "seed")
        opened.append(seed)
        init_site(seed, admin, "seed")
        progress(f"filling the hub with {n} people")
        fill_s = _populate(seed, n, rng)
        _skip_backlog(seed)
        report: dict[str, Any] = {"n": n, "kiosks": kiosks, "rounds": rounds,
                                  "hub_fill_s": round(fill_s, 2)}  # fmt: skip
        report.update(_storage(cluster, "bench", n))
        progress("a new kiosk pulls the whole site")
        new = _join(seed, dsn, work / "new", "new")
        opened.append(new)
        m, hub = _hub(new)
        t0 = time.perf_counter()
        sync = SiteSync(new, m, m.secrets(new), batch=settings.site.batch).run_once(hub)
        report["new_kiosk_sync_s"] = round(time.perf_counter() - t0, 2)
        hub.close()
        report["new_kiosk_people"] = new.count()
        per_s = sync.imported / max(report["new_kiosk_sync_s"], 1e-9)
        report["new_kiosk_people_per_s"] = round(per_s)
        new.close()
        opened.remove(new)
        members = []
        for i in range(kiosks):
            v = _join(seed, dsn, work / f"k{i}", f"k{i}")
            opened.append(v)
            _skip_backlog(v)
            members.append(v)
        progress(f"propagation to {kiosks} kiosks")
        report["propagation"] = _propagation(seed, members, settings, rounds, rng, progress)
        report["settings"] = dataclasses.asdict(settings.site)
        return report
    finally:
        for v in opened:
            v.close()
        cluster.destroy()
