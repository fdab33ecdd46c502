"""uvicorn in a thread of the process that holds the vault (the kiosk, or `api serve`): the
API calls the same Vault object as the kiosk, so a purge is seen by the next camera frame,
and the vault's one-process lock is never contended."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import uvicorn

from facekiosk.api.app import build_app
from facekiosk.api.auth import RateLimiter
from facekiosk.api.endpoints import ApiContext
from facekiosk.api.site_view import SiteView
from facekiosk.api.usage import UsageCounter
from facekiosk.settings import Settings
from facekiosk.settings.api_schema import is_loopback
from facekiosk.vault import Vault

log = logging.getLogger(__name__)


class ApiStartError(RuntimeError):
    """The API could not start (port taken, TLS files missing): the message says what to fix."""


class ApiServer:
    def __init__(
        self, vault: Vault, settings: Settings, data_dir: Path, *, host: str | None = None,
        port: int | None = None, site: SiteView | None = None,
    ) -> None:  # fmt: skip
        api = settings.api
        self.host = host or api.host
        self.port = api.port if port is None else port
        if not is_loopback(self.host) and not (api.allow_lan and api.tls_cert and api.tls_key):
            raise ApiStartError(
                f"refusing to serve on {self.host}: a non-loopback address needs "
                "api.allow_lan = true and api.tls_cert / api.tls_key in settings.toml"
            )
        for name in ("tls_cert", "tls_key"):
            path = getattr(api, name)
            if path and not Path(path).is_file():
                raise ApiStartError(f"api.{name}: {path} is not a readable file")
        self.tls = bool(api.tls_cert)
        self.usage = UsageCounter(vault.api_keys)
        limiter = RateLimiter(api.rate_per_s, api.rate_burst)
        app = build_app(ApiContext(vault, settings, data_dir, site), self.usage, limiter)
        config = uvicorn.Config(
            app, host=self.host, port=self.port, log_config=None, access_log=False,
            lifespan="off", ssl_certfile=api.tls_cert or None, ssl_keyfile=api.tls_key or None,
            timeout_graceful_shutdown=5,
        )  # fmt: skip
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    def start(self, timeout: float = 15.0) -> ApiServer:
        self.usage.start()
        self._thread = threading.Thread(target=self._run, name="api-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.usage.close()
                raise ApiStartError(
                    f"the API could not listen on {self.host}:{self.port} (in use by another "
                    "program? see the log); change api.port in settings.toml"
                )
            time.sleep(0.02)
        sockets = [s for server in self._server.servers for s in server.sockets]
        if sockets:
            self.port = int(sockets[0].getsockname()[1])  # port 0: the one the OS chose
        log.info("integrator API listening on %s", self.url)
        return self

    def _run(self) -> None:
        try:
            self._server.run()
        except SystemExit:  # uvicorn exits when it cannot bind
            log.error("the integrator API could not start on %s:%s", self.host, self.port)

    def close(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.usage.close()
