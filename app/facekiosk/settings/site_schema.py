"""`[site]`: how a kiosk that is a member of a multi-kiosk site syncs (membership itself,
the hub's address and the sealed site key, is `site.json` in the data dir, written by
`facekiosk site init/join`; without it nothing here opens a socket)."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field
from pydantic.dataclasses import dataclass


@dataclass(config=ConfigDict(strict=True))
class SiteSettings:
    sync: bool = True  # background sync in the kiosk process when a site is configured
    # A full sync pass at least this often even without a NOTIFY (a lost wake-up, a hub
    # that came back). Local changes wake the sync at once (the vault's commit listener);
    # local_poll_s is only the net for one that did not (none known: the vault's flock
    # keeps other processes out). An idle check costs ~20 us, so 2 s is not about cost:
    # a missed change still goes out within 2 s, with 4x fewer wake-ups than the old 0.5.
    poll_s: Annotated[float, Field(gt=0, le=3600)] = 30.0
    local_poll_s: Annotated[float, Field(gt=0, le=60)] = 2.0
    retry_max_s: Annotated[float, Field(gt=0, le=3600)] = 60.0  # backoff cap, hub unreachable
    batch: Annotated[int, Field(ge=1, le=10_000)] = 500  # records per round trip
    # Two Index IDs whose templates are this close are reported as one person enrolled
    # twice; unset = engine.threshold, else the engine's default.
    duplicate_threshold: Annotated[float, Field(gt=0, le=1)] | None = None
    connect_timeout_s: Annotated[float, Field(gt=0, le=120)] = 5.0
    # How long a silent hub (cable pulled, hub VM frozen, a firewall dropping without a
    # reset) may go unanswered before the kiosk treats it as down. Without it nothing
    # closes such a connection: the sync's waits see nothing and its next query blocks
    # until the kernel gives up retransmitting (tcp_retries2 = 15, ~15 min), all the while
    # reporting the hub up. Becomes TCP keepalives and TCP_USER_TIMEOUT on every hub
    # connection (site/membership.connect); a slow but reachable hub is not affected (its
    # kernel acknowledges at once).
    dead_peer_s: Annotated[float, Field(ge=2, le=3600)] = 20.0
