"""The real API server in a child process (`facekiosk api serve --port 0` under the
no-network guard of tests/foundation/nonet.py) on a vault prepared in the test process,
which then lets go of the vault lock; clients are httpx and curl."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from facekiosk.engine.types import Embedding
from facekiosk.vault import Vault

ROOT = Path(__file__).resolve().parents[2]
NONET = ROOT / "tests" / "foundation" / "nonet.py"
SPACE = ("test", "synthetic-v1")


def unit(seed: int, dim: int = 64) -> np.ndarray:
    v = np.random.default_rng([11, seed]).standard_normal(dim).astype(np.float32)
    return v / np.linalg.norm(v)


def enroll_synthetic(vault: Vault, n: int, start: int = 0) -> list[str]:
    return [vault.enroll([Embedding(unit(start + i), *SPACE)], consent_version="v1")
            for i in range(n)]  # fmt: skip


def cli(data_dir: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "app")}
    return subprocess.run(
        [sys.executable, str(NONET), "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, timeout=timeout, env=env,
    )  # fmt: skip


@dataclass
class Served:
    proc: subprocess.Popen[str]
    url: str
    log: list[str] = field(default_factory=list)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def serve(data_dir: Path, *args: str) -> Served:
    """Start `facekiosk api serve --port 0` and wait for its "API on URL" line."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "app")}
    proc = subprocess.Popen(
        [sys.executable, str(NONET), "--data-dir", str(data_dir), "api", "serve", "--port", "0",
         *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "API on " in line:
            url = line.split("API on ", 1)[1].split()[0]
            return Served(proc, url, lines)
    proc.kill()
    raise AssertionError("api serve did not start:\n" + "".join(lines))


@dataclass
class Site:
    data_dir: Path
    fids: list[str]
    keys: dict[str, str]  # name -> token
    served: Served

    @property
    def url(self) -> str:
        return self.served.url


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    """12 enrolled Index IDs, a key per scope set (and a revoked and an expired one),
    events for attendance, and the server running on it."""
    data_dir = tmp_path_factory.mktemp("api") / "data"
    data_dir.mkdir(mode=0o700)
    keys: dict[str, str] = {}
    with Vault.open(data_dir) as vault:
        fids = enroll_synthetic(vault, 12)
        for name, scopes in (("read", ["read"]), ("write", ["write"]), ("delete", ["delete"]),
                             ("all", ["read", "write", "delete"]), ("revoked", ["read"]),
                             ("limited", ["read"])):  # fmt: skip
            keys[name] = vault.api_keys.create(scopes, label=name).token
        vault.api_keys.revoke(keys["revoked"].split("_")[1])
        soon = datetime.now(UTC) + timedelta(seconds=1)
        keys["expired"] = vault.api_keys.create(["read"], expires=soon).token
        t0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
        vault.record_event("attendance", fids[0], "kiosk-1", "check_in", "ok",
                           {"similarity": 0.93}, t0)  # fmt: skip
        vault.record_event("attendance", fids[1], "kiosk-1", "check_in", "ok", {}, t0)
        vault.record_event("auth", None, "kiosk-1", "deny", "PAD_ATTACK", {}, t0)
        vault.record_event("auth", None, "kiosk-1", "deny", "UNRECOGNIZED_FACE", {}, t0)
        vault.record_event("attendance", fids[0], "kiosk-1", "check_out", "ok", {},
                           t0 + timedelta(hours=9))  # fmt: skip
    time.sleep(1.1)  # the expired key is past its expiry now
    served = serve(data_dir)
    try:
        yield Site(data_dir, fids, keys, served)
    finally:
        served.stop()
