"""Start a private Xvfb server for tests that need a real X display."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest

REQUIRE_ENV = "FACEKIOSK_REQUIRE_XVFB"  # CI sets it: a missing Xvfb is then a failure


@contextlib.contextmanager
def xvfb_display(width: int = 1280, height: int = 800) -> Iterator[str]:
    """Yield a DISPLAY string (":N") served by a fresh Xvfb; skip when Xvfb is absent."""
    binary = shutil.which("Xvfb")
    if binary is None:
        if os.environ.get(REQUIRE_ENV):
            pytest.fail("Xvfb is required (FACEKIOSK_REQUIRE_XVFB is set) but not installed")
        pytest.skip("Xvfb not installed (apt-get install xvfb)")
    # -displayfd lets Xvfb pick a free display number and tell us when it is ready.
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [
            binary,
            "-displayfd",
            str(write_fd),
            "-screen",
            "0",
            f"{width}x{height}x24",
            "-nolisten",
            "tcp",
        ],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        deadline = time.monotonic() + 20
        number = b""
        with os.fdopen(read_fd, "rb") as pipe:
            while time.monotonic() < deadline and not number.endswith(b"\n"):
                chunk = pipe.read(1)
                if not chunk:
                    break
                number += chunk
        if not number.strip():
            pytest.fail("Xvfb did not start")
        display = f":{number.decode().strip()}"
        yield display
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
