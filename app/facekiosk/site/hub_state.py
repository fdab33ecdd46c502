"""What this process last learned about its hub, per data dir and hub address: up or
down, since when, and the site's kiosks. The background sync (site/service.py) and the API bridge
(site/api_bridge.py) are wired separately (ui/app.py, `api serve`) but share the vault's
data dir; through this, a purge answered while the sync already knows the hub is down
does not wait for a connect timeout, and names the kiosks still to confirm."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class HubState:
    up: bool | None = None  # None: not tried yet in this process
    at: float = 0.0  # time.monotonic() of the last observation
    error: str = ""
    kiosks: tuple[str, ...] | None = None  # the site's kiosks at the last read

    def down_within(self, seconds: float) -> bool:
        return self.up is False and time.monotonic() - self.at < seconds


# After the hub was found down (by the sync, the API bridge or the Site tab), readers answer
# from that for this long instead of waiting out another connect timeout; the sync keeps
# retrying on its own backoff and marks the hub up as soon as it gets through.
RECHECK_S = 10.0

_lock = threading.Lock()
_states: dict[tuple[Path, str], HubState] = {}


def _key(data_dir: Path, dsn: str) -> tuple[Path, str]:
    return Path(data_dir).resolve(), dsn


def hub_state(data_dir: Path, dsn: str) -> HubState:
    with _lock:
        return _states.get(_key(data_dir, dsn), HubState())


def saw_up(data_dir: Path, dsn: str, kiosks: list[str] | None = None) -> None:
    with _lock:
        old = _states.get(_key(data_dir, dsn), HubState())
        known = old.kiosks if kiosks is None else tuple(sorted(kiosks))
        _states[_key(data_dir, dsn)] = HubState(True, time.monotonic(), "", known)


def saw_down(data_dir: Path, dsn: str, error: str) -> None:
    with _lock:
        old = _states.get(_key(data_dir, dsn), HubState())
        _states[_key(data_dir, dsn)] = replace(old, up=False, at=time.monotonic(), error=error)
