"""Done-when (2): webhooks against a local receiver. Signatures verify; a receiver that is
down, then fails, then loses a reply gets every event exactly once and in order (by its
Idempotency-Key); the process holding the vault is killed (SIGKILL) and restarted in
between and loses none; no body carries biometrics."""

from __future__ import annotations

import signal
import socket
import time
from datetime import UTC, datetime

from facekiosk.vault import Vault
from facekiosk.webhooks.signing import signature, verify
from tests.api.conftest import enroll_synthetic, serve
from tests.api.receiver import Receiver

SETTINGS = """
[webhooks]
enabled = true
poll_s = 0.1
backoff_base_s = 0.1
backoff_max_s = 0.4
timeout_s = 2.0
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_signature_covers_body_and_time():
    body, now = b'{"event":"delete"}', time.time()
    header = signature("whsec_x", body, int(now))
    assert verify("whsec_x", header, body, now=now)
    assert not verify("whsec_y", header, body, now=now)  # another webhook's secret
    assert not verify("whsec_x", header, body + b" ", now=now)  # a changed body
    _t, mac = header.split(",")
    assert not verify("whsec_x", f"t={int(now) + 1},{mac}", body, now=now)  # a changed time
    assert not verify("whsec_x", header, body, now=now + 3600)  # replayed an hour later
    assert not verify("whsec_x", "garbage", body, now=now)


def _wait(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_down_receiver_and_a_killed_process_lose_nothing_and_repeat_nothing(data_dir):
    (data_dir / "settings.toml").write_text(SETTINGS)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/hooks/facekiosk"
    expected: list[tuple[str, str | None]] = []  # (event, fid) in the order they happen
    with Vault.open(data_dir) as vault:
        hook = vault.webhooks.add(url, ["enroll", "auth", "delete"])
        secret = vault.webhooks.secret(hook.id)
        a, b = enroll_synthetic(vault, 2)
        expected += [("enroll", a), ("enroll", b)]
        vault.record_event("attendance", a, "kiosk-1", "check_in", "ok", {"similarity": 0.9})
        vault.record_event("auth", None, "kiosk-1", "deny", "PAD_ATTACK")
        # a is purged below before anything ran: the purge anonymises the event log, and an
        # event not yet queued goes out anonymised too (queued ones keep their fid)
        expected += [("auth", None), ("auth", None)]
        vault.delete(a, reason="left")
        expected.append(("delete", a))

    first = serve(data_dir)  # the receiver is down: every attempt fails
    time.sleep(1.5)
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL  # a crash, not a clean stop
    with Vault.open(data_dir) as vault:
        pending = vault.webhooks.pending_count()
        assert pending == len(expected)
        rows = sorted(vault.webhooks.recent(), key=lambda d: d.id)
        assert rows[0].attempts >= 2 and "ConnectError" in rows[0].last_error
        assert [d.attempts for d in rows[1:]] == [0] * (len(rows) - 1)  # held back: in order
        (c,) = enroll_synthetic(vault, 1, start=50)  # while nothing is running
        vault.record_event("attendance", c, "kiosk-1", "check_in", "ok")
        expected += [("enroll", c), ("auth", c)]

    receiver = Receiver(port, secret)
    receiver.script = ["500", "500", "drop", "ok", "drop"]  # failing, then lost replies
    receiver.start()
    second = serve(data_dir)
    try:
        _wait(lambda: len(receiver.events) >= len(expected))
        time.sleep(1.0)  # anything more that would arrive (nothing should)
    finally:
        second.stop()
        receiver.stop()

    assert [(e["event"], e["fid"]) for e in receiver.events] == expected  # all, once, in order
    assert receiver.events[-1]["kiosk_id"] == "kiosk-1"
    assert all(signed for _k, _b, signed in receiver.requests)
    keys_sent = [k for k, _b, _s in receiver.requests]
    assert len(keys_sent) > len(set(keys_sent))  # repeats happened (500s, lost replies) ...
    assert len(receiver.events) == len(set(keys_sent))  # ... and were dropped by their key
    text = str(receiver.requests)
    for word in ("embedding", "template", "vector", "similarity", "image", "label"):
        assert word not in text
    with Vault.open(data_dir) as vault:
        assert vault.webhooks.pending_count() == 0
        assert all(d.delivered_at and d.delivered_at <= datetime.now(UTC)
                   for d in vault.webhooks.recent())  # fmt: skip


def test_each_webhook_gets_only_its_events_from_where_it_was_added(data_dir):
    """In process, no delivery: the feed into the outbox (pump) per webhook's events."""
    from facekiosk.settings import Settings
    from facekiosk.webhooks.sender import WebhookSender

    with Vault.open(data_dir) as vault:
        (before,) = enroll_synthetic(vault, 1)  # before any webhook: not sent
        everything = vault.webhooks.add("http://127.0.0.1:9/all", ["enroll", "auth", "delete"])
        deletes = vault.webhooks.add("http://127.0.0.1:9/deletes", ["delete"])
        (a,) = enroll_synthetic(vault, 1, start=1)
        vault.record_event("access", a, "door-2", "grant_in", "ok")
        vault.delete([a, before])
        sender = WebhookSender(vault, Settings())
        assert sender.pump() == 4 + 2
        assert sender.pump() == 0  # the cursors moved with the rows
        rows = sorted(vault.webhooks.recent(), key=lambda d: d.id)
        mine = [(d.event, d.body) for d in rows if d.webhook_id == everything.id]
        assert [e for e, _ in mine] == ["enroll", "auth", "delete", "delete"]
        assert before not in mine[0][1] and a in mine[0][1]
        assert [d.event for d in rows if d.webhook_id == deletes.id] == ["delete", "delete"]
