"""Access mode output: what happens on a "grant" (a door strike, a turnstile, a log line).

`hook_from_settings` picks the hook: `kiosk.access_hook` set -> `CommandHook` runs
that command (split like a shell would, but run without a shell) with the grant in
environment variables; else `kiosk.access_relay` set -> `RelayHook(FileRelayDriver)`
pulses a sysfs GPIO value file or a relay device; else `LogHook`. Any other relay
board is a `RelayDriver` (one method) wrapped by `RelayHook`.
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from facekiosk.kiosk.attendance import PassRecord

log = logging.getLogger(__name__)

COMMAND_TIMEOUT_S = 5.0


class HookError(RuntimeError):
    """The output did not run: the person was recognised but not let through."""


@dataclass(frozen=True)
class GrantEvent:
    index_id: str
    kiosk_id: str
    direction: str  # "in" | "out"
    at: datetime


class OutputHook(Protocol):
    def grant(self, event: GrantEvent) -> None:
        """Open the door (or equivalent); raise HookError when that failed."""


class LogHook:
    def grant(self, event: GrantEvent) -> None:
        log.info(
            "access granted: index_id=%s kiosk=%s direction=%s",
            event.index_id,
            event.kiosk_id,
            event.direction,
        )


class CommandHook:
    """Runs `command` per grant; FACEKIOSK_INDEX_ID, FACEKIOSK_KIOSK_ID,
    FACEKIOSK_DIRECTION and FACEKIOSK_AT (ISO 8601) are in its environment.
    A non-zero exit, a missing program or a hang past the timeout is a HookError."""

    def __init__(self, command: str, timeout_s: float = COMMAND_TIMEOUT_S) -> None:
        self.argv = shlex.split(command)
        if not self.argv:
            raise ValueError("empty access hook command")
        self.timeout_s = timeout_s

    def grant(self, event: GrantEvent) -> None:
        env = dict(os.environ)
        env.update(
            FACEKIOSK_INDEX_ID=event.index_id,
            FACEKIOSK_KIOSK_ID=event.kiosk_id,
            FACEKIOSK_DIRECTION=event.direction,
            FACEKIOSK_AT=event.at.isoformat(),
        )
        try:
            done = subprocess.run(
                self.argv,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=self.timeout_s,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise HookError(f"access hook {self.argv[0]!r} did not run: {exc}") from exc
        if done.returncode != 0:
            raise HookError(f"access hook {self.argv[0]!r} exited with {done.returncode}")


class RelayDriver(Protocol):
    """A GPIO pin or a serial/USB relay board: energise for `seconds`, then release."""

    def pulse(self, seconds: float) -> None: ...


class RelayHook:
    def __init__(self, driver: RelayDriver, pulse_s: float = 1.0) -> None:
        self.driver = driver
        self.pulse_s = pulse_s

    def grant(self, event: GrantEvent) -> None:
        try:
            self.driver.pulse(self.pulse_s)
        except Exception as exc:  # a driver's own error types are unknown here
            raise HookError(f"relay did not switch: {exc}") from exc


class FileRelayDriver:
    """A relay behind a device file: a sysfs GPIO `value` file (writes "1" then "0") or a
    character device taking fixed on/off bytes. The "on" write happens at once (a failure
    is a HookError the person sees); the "off" write follows on a timer thread so the
    session is never blocked for the pulse."""

    def __init__(self, path: str, on: bytes = b"1", off: bytes = b"0") -> None:
        self.path = path
        self.on, self.off = on, off
        self._timer: threading.Timer | None = None

    def _write(self, data: bytes) -> None:
        with open(self.path, "wb", buffering=0) as fh:
            fh.write(data)

    def pulse(self, seconds: float) -> None:
        if self._timer is not None:
            self._timer.cancel()  # a new grant extends the open time
        self._write(self.on)
        self._timer = threading.Timer(seconds, self._release)
        self._timer.daemon = True
        self._timer.start()

    def _release(self) -> None:
        try:
            self._write(self.off)
        except OSError as exc:
            log.error("relay %s did not release: %s", self.path, exc)

    def wait_released(self, timeout: float | None = None) -> None:
        if self._timer is not None:
            self._timer.join(timeout)


def hook_from_settings(access_hook: str, relay: str = "", pulse_s: float = 1.0) -> OutputHook:
    """`access_hook` command first; else a relay device file; else a log line."""
    if access_hook.strip():
        return CommandHook(access_hook)
    if relay.strip():
        return RelayHook(FileRelayDriver(relay.strip()), pulse_s)
    return LogHook()


def passback_violation(last: PassRecord | None, direction: str) -> bool:
    """Anti-passback: the same direction twice in a row (e.g. a badge passed back out)."""
    return last is not None and last.decision == f"grant_{direction}"
