"""The webhook sender: a thread in the process that holds the vault. Each round it moves new
changes from the feed into the outbox (`pump`), then sends each webhook's oldest undelivered
row; a failure (no answer, not 2xx) waits `backoff_base_s * 2**(attempts-1)` (at most
`backoff_max_s`) and holds that webhook's later rows back, so a receiver sees its events in
order. A row is marked delivered only after a 2xx: a crash between the receiver's 2xx and
the mark repeats it once, with the same `Idempotency-Key` (receivers drop repeats), which
makes it exactly once per event at the receiver."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx

from facekiosk import __version__
from facekiosk.settings import Settings
from facekiosk.vault import Vault
from facekiosk.vault.errors import VaultError
from facekiosk.vault.webhook_outbox import Delivery, WebhookRecord
from facekiosk.webhooks.feed import feed_items
from facekiosk.webhooks.signing import HEADER, signature

log = logging.getLogger(__name__)
BATCH = 500  # feed rows read per pump


class WebhookSender:
    def __init__(self, vault: Vault, settings: Settings) -> None:
        self.vault = vault
        self.settings = settings.webhooks
        self.kiosk_id = settings.kiosk.kiosk_id
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._client: httpx.Client | None = None

    # --- one round, callable from tests and `api webhooks send` ---------------------------

    def pump(self) -> int:
        """Queue what the feed has after the cursors; the number of outbox rows added."""
        outbox = self.vault.webhooks
        added = 0
        while True:
            seen = outbox.cursors()
            events = self.vault.events_after(seen[0], BATCH)
            audit = self.vault.audit_entries(seen[1], BATCH)
            if not events and not audit:
                return added
            upto = (events[-1].id if events else seen[0], audit[-1].seq if audit else seen[1])
            added += outbox.enqueue(feed_items(events, audit, self.kiosk_id), seen, upto)

    def deliver(self) -> int:
        """Send what is due, each webhook in order; the number delivered."""
        sent = 0
        for hook in self.vault.webhooks.all():
            if hook.enabled:
                sent += self._deliver_hook(hook)
        return sent

    def _deliver_hook(self, hook: WebhookRecord) -> int:
        sent = 0
        while not self._stop.is_set():
            row = self.vault.webhooks.head(hook.id)
            if row is None or (row.next_at is not None and row.next_at > datetime.now(UTC)):
                return sent
            error = self._post(hook, row)
            if error:
                wait = min(
                    self.settings.backoff_max_s,
                    self.settings.backoff_base_s * 2 ** min(row.attempts, 30),
                )
                retry_at = datetime.now(UTC) + timedelta(seconds=wait)
                self.vault.webhooks.failed(row.id, error, retry_at)
                log.warning("webhook %d: %s failed (%s); retry in %.0f s", hook.id, row.event_key,
                            error, wait)  # fmt: skip
                return sent
            self.vault.webhooks.delivered(row.id)
            sent += 1
        return sent

    def _post(self, hook: WebhookRecord, row: Delivery) -> str:
        """"" on a 2xx, else what went wrong."""
        body = row.body.encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"facekiosk/{__version__}",
            HEADER: signature(self.vault.webhooks.secret(hook.id), body, int(time.time())),
            "Idempotency-Key": f"{self.vault.vault_id}/{row.event_key}",
            "Facekiosk-Event": row.event,
            "Facekiosk-Delivery-Attempt": str(row.attempts + 1),
        }
        if self._client is None:
            self._client = httpx.Client(timeout=self.settings.timeout_s, follow_redirects=False)
        try:
            response = self._client.post(hook.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        return "" if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"

    # --- the thread -----------------------------------------------------------------------

    def start(self) -> WebhookSender:
        self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        rounds = 0
        while not self._stop.is_set():
            try:
                self.pump()
                self.deliver()
                rounds += 1
                if rounds % 3600 == 0:
                    self.vault.webhooks.prune()
            except (VaultError, OSError):
                log.exception("webhooks: round failed; trying again")
            self._stop.wait(self.settings.poll_s)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.settings.timeout_s + 5)
        if self._client is not None:
            self._client.close()
