"""What the kiosk (ui/app.py) and `facekiosk api serve` start beside an open vault: the API
server when `[api] enabled`, the webhook sender when `[webhooks] enabled`. Both off (the
default): nothing starts and no socket is opened."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from facekiosk.api.site_view import SiteView
from facekiosk.settings import Settings
from facekiosk.vault import Vault

log = logging.getLogger(__name__)


@dataclass
class Integrations:
    server: Any = None  # ApiServer
    sender: Any = None  # WebhookSender
    problems: list[str] = field(default_factory=list)

    def close(self) -> None:
        for part in (self.server, self.sender):
            if part is not None:
                part.close()


def start_integrations(
    vault: Vault, settings: Settings, data_dir: Path, *, api: bool | None = None,
    host: str | None = None, port: int | None = None, strict: bool = False,
    site: SiteView | None = None,
) -> Integrations:  # fmt: skip
    """Start what settings turn on (`api` overrides [api] enabled). `strict`: a failure
    raises (the CLI); otherwise it is logged and the kiosk keeps running without it.
    `site`: this kiosk's site membership as the API sees it (site/api_bridge.py), or None."""
    out = Integrations()
    if api if api is not None else settings.api.enabled:
        from facekiosk.api.server import ApiServer, ApiStartError

        try:
            server = ApiServer(vault, settings, data_dir, host=host, port=port, site=site)
            out.server = server.start()
        except ApiStartError as exc:
            if strict:
                raise
            log.error("integrator API not started: %s", exc)
            out.problems.append(str(exc))
    if settings.webhooks.enabled:
        from facekiosk.webhooks.sender import WebhookSender

        out.sender = WebhookSender(vault, settings).start()
    return out
