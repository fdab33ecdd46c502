"""What the API asks of the site (multi-kiosk hub) when this kiosk is a member. api/ never
imports site/ (layer rule: no psycopg, no socket on a kiosk without a site); the wiring
passes site/api_bridge.SiteBridge, which has this shape, or None."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from facekiosk.vault import EventRecord


class SiteView(Protocol):
    errors: tuple[type[Exception], ...]  # raised when the hub cannot answer (message for an admin)

    @property
    def kiosk_id(self) -> str: ...

    def purge_status(self, fid: str) -> dict[str, Any] | None: ...

    def events(
        self, since: datetime, until: datetime, kind: str | None, fid: str | None, limit: int
    ) -> list[EventRecord]: ...
