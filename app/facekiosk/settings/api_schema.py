"""Settings of the integrator API (`[api]`) and its webhooks (`[webhooks]`): both off by
default, so a kiosk opens no socket unless the admin turns one on."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import ConfigDict, Field, model_validator
from pydantic.dataclasses import dataclass

_STRICT = ConfigDict(strict=True)
Port = Annotated[int, Field(ge=1, le=65535)]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: may resolve to a LAN address


@dataclass(config=_STRICT)
class ApiSettings:
    enabled: bool = False  # serve the API from the kiosk process (`api serve` runs it alone)
    host: Annotated[str, Field(min_length=1)] = "127.0.0.1"
    port: Port = 8765
    # Listening beyond loopback needs this AND tls_cert/tls_key (PEM files): keys and
    # Index IDs must not cross the LAN in clear.
    allow_lan: bool = False
    tls_cert: str = ""
    tls_key: str = ""
    # per key: a token bucket of `rate_burst` calls refilled at `rate_per_s` (429 beyond)
    rate_per_s: Annotated[float, Field(gt=0, le=10_000)] = 50.0
    rate_burst: Annotated[int, Field(ge=1, le=100_000)] = 100
    # request bodies above this are refused with 413 (a payload is at most 16 KiB)
    max_body_bytes: Annotated[int, Field(ge=1024, le=10_000_000)] = 65_536

    @model_validator(mode="after")
    def _lan_needs_tls(self) -> ApiSettings:
        if not is_loopback(self.host):
            if not self.allow_lan:
                raise ValueError(
                    f"host: {self.host!r} is not a loopback address; set api.allow_lan = true "
                    "(and api.tls_cert / api.tls_key) to serve the API on the network"
                )
            if not (self.tls_cert and self.tls_key):
                raise ValueError(
                    f"tls_cert/tls_key: serving on {self.host!r} needs a TLS certificate and "
                    "key (PEM files); set api.tls_cert and api.tls_key"
                )
        if bool(self.tls_cert) != bool(self.tls_key):
            raise ValueError("tls_cert/tls_key: give both files or neither")
        return self


@dataclass(config=_STRICT)
class WebhookSettings:
    enabled: bool = False  # deliver the webhooks set in the admin panel / `api webhooks`
    timeout_s: Annotated[float, Field(gt=0, le=120)] = 10.0  # per delivery attempt
    # retry n waits backoff_base_s * 2**(n-1), at most backoff_max_s
    backoff_base_s: Annotated[float, Field(gt=0, le=3600)] = 2.0
    backoff_max_s: Annotated[float, Field(gt=0, le=86_400)] = 600.0
    poll_s: Annotated[float, Field(gt=0, le=60)] = 1.0  # how often new events are looked for

    @model_validator(mode="after")
    def _ordered(self) -> WebhookSettings:
        if self.backoff_base_s > self.backoff_max_s:
            raise ValueError(
                f"backoff_base_s/backoff_max_s: the first wait ({self.backoff_base_s} s) must "
                f"not be longer than the longest ({self.backoff_max_s} s)"
            )
        return self
