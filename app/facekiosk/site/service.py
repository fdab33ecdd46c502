"""Background sync in the kiosk process (and `facekiosk site sync` without --once).

One thread, one hub connection that LISTENs on the feed channel. It `select`s on that
socket and on a self-pipe the vault's commit listener writes to (site/wakeup.py): a
NOTIFY from another kiosk's push, a local commit that moved the vault's change feed (audit
seq or event id), or `site.poll_s` without either starts a pass. `site.local_poll_s` is a
safety net only (a write that reached the vault without the listener). Hub unreachable:
the kiosk goes on with its own vault and retries with a doubling backoff; whatever changed
meanwhile waits in the vault's change feed, and site/hub_state.py tells the API bridge the
hub is down. `start_site_service` returns None and imports nothing network-related when
the data dir has no `site.json`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from facekiosk.site.hub_state import saw_down, saw_up
from facekiosk.site.membership import Membership
from facekiosk.site.wakeup import Wakeup
from facekiosk.vault.errors import VaultError

if TYPE_CHECKING:
    from facekiosk.settings import Settings
    from facekiosk.site.hub import Hub
    from facekiosk.site.sync import SiteSync, SyncReport
    from facekiosk.vault import Vault

log = logging.getLogger(__name__)


def duplicate_threshold(settings: Settings) -> float | None:
    return settings.site.duplicate_threshold or settings.engine.threshold


class SiteService:
    """`start()` / `stop()`; `on_sync(report)` is called after each pass that changed
    anything (tests and the CLI print it)."""

    def __init__(
        self, vault: Vault, membership: Membership, settings: Settings,
        on_sync: Callable[[SyncReport], None] | None = None,
    ) -> None:  # fmt: skip
        from facekiosk.site.sync import SiteSync

        self.vault = vault
        self.m = membership
        self.s = settings.site
        self.secrets = membership.secrets(vault)
        self.sync: SiteSync = SiteSync(
            vault, membership, self.secrets, batch=self.s.batch,
            duplicate_threshold=duplicate_threshold(settings),
        )  # fmt: skip
        self.on_sync = on_sync
        self._stop = threading.Event()
        self._wake = Wakeup()
        self._thread = threading.Thread(target=self._run, name="site-sync", daemon=True)
        self.last_error = ""
        self.passes = 0

    def start(self) -> SiteService:
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()  # ends the wait at once, not after local_poll_s
        self._thread.join(timeout_s)
        if not self._thread.is_alive():
            self._wake.close()

    def join(self) -> None:
        while self._thread.is_alive():
            self._thread.join(0.5)

    def _connect(self) -> Hub:
        from facekiosk.site.hub import Hub
        from facekiosk.site.membership import connect_member

        s = self.s
        hub = Hub(connect_member(self.m, self.secrets, s.connect_timeout_s, s.dead_peer_s))
        hub.listen()
        saw_up(self.vault.data_dir, self.m.dsn, hub.members())  # the API names them pending
        return hub

    def _run(self) -> None:
        remove = self.vault.add_change_listener(self._wake.set)
        try:
            self._loop()
        finally:
            remove()

    def _loop(self) -> None:
        import psycopg

        hub: Hub | None = None
        backoff = 1.0
        # time.monotonic() counts from boot: 0.0 as "never" made the first pass wait until
        # the machine had been up poll_s (a kiosk started at boot; a fresh CI machine).
        never = float("-inf")
        last_pass = never
        local_mark = (0, 0)
        while not self._stop.is_set():
            try:
                if hub is None:
                    hub = self._connect()
                    log.info("site hub connected")
                    last_pass = never
                self._wake.drain()  # before the mark is read: a later commit wakes the wait
                if self._stop.is_set():  # stop()'s own wake-up byte may be the one drained
                    break
                due = time.monotonic() - last_pass >= self.s.poll_s
                mark = self._local_mark(local_mark)
                if due or mark != local_mark:
                    report = self.sync.run_once(hub)
                    self.passes += 1
                    # the mark from before the pass: a commit made while it ran (after its
                    # push) differs from it and gets a pass of its own
                    last_pass, local_mark = time.monotonic(), mark
                    if report.changed() and self.on_sync is not None:
                        self.on_sync(report)
                    self.last_error, backoff = "", 1.0
                if hub.wait(self.s.local_poll_s, self._wake.fileno()):
                    last_pass = never  # a NOTIFY: pull now
            except (psycopg.Error, OSError) as exc:
                self.last_error = str(exc).strip()
                first = self.last_error.splitlines()[0] if self.last_error else repr(exc)
                saw_down(self.vault.data_dir, self.m.dsn, first)
                log.warning("site sync: hub unreachable (%s); retrying in %.0f s", first,
                            backoff)  # fmt: skip
                if hub is not None:
                    _close_quietly(hub)
                    hub = None
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.s.retry_max_s)
            except Exception:  # a bad record must not kill the kiosk's sync for good
                log.exception("site sync pass failed; retrying")
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.s.retry_max_s)
        if hub is not None:
            _close_quietly(hub)

    def _local_mark(self, mark: tuple[int, int]) -> tuple[int, int]:
        """The newest audit seq and event id after `mark`: a move means something to push."""
        audit, events = mark
        while newer := self.vault.audit_entries(audit, 1000):
            audit = newer[-1].seq
        while more := self.vault.events_after(events, 1000):
            events = more[-1].id
        return audit, events


def _close_quietly(hub: Hub) -> None:
    try:
        hub.close()
    except Exception:  # the connection is already broken
        log.debug("closing a broken hub connection", exc_info=True)


def start_site_service(data_dir: Path, settings: Settings, vault: Vault) -> SiteService | None:
    """The kiosk's hook (ui/app.build_kiosk): a running sync when this data dir is a site
    member and `site.sync` is on; otherwise None, and no socket is ever opened."""
    from facekiosk.site.membership import SiteError

    try:
        membership = Membership.load(data_dir)
        if membership is None or not settings.site.sync:
            return None
        return SiteService(vault, membership, settings).start()
    except (SiteError, VaultError) as exc:  # the kiosk still works on its own vault
        log.error("site sync not started: %s", exc)
        return None
