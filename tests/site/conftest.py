"""A throw-away PostgreSQL cluster for the whole session (initdb/pg_ctl on loopback, TLS
with a self-signed CA, SCRAM passwords) and helpers that run each kiosk in its own
process: the `facekiosk` CLI, or tests/site/kiosk_proc.py (vault + background sync)."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from facekiosk.site.cluster import Cluster, pg_bin_dir

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "app"), "QT_QPA_PLATFORM": "offscreen"}
_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster():
    if pg_bin_dir() is None:
        pytest.skip("no PostgreSQL binaries (apt-get install postgresql; the README's test "
                    "command installs it)")  # fmt: skip
    cluster = Cluster().start()
    try:
        yield cluster
    finally:
        cluster.destroy()


def unit(rng: np.random.Generator, n: int = 1, dim: int = 256) -> np.ndarray:
    v = rng.standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def near(v: np.ndarray, rng: np.random.Generator, noise: float = 0.02) -> np.ndarray:
    """Another capture of the same face: the vector plus a little noise (cosine ~0.97)."""
    w = v + noise * rng.standard_normal(v.shape).astype(np.float32)
    return w / np.linalg.norm(w, axis=-1, keepdims=True)


class KioskProc:
    def __init__(self, data_dir: Path, background: bool) -> None:
        cmd = [sys.executable, str(Path(__file__).with_name("kiosk_proc.py")), str(data_dir),
               "background" if background else "foreground"]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=ENV, cwd=ROOT
        )
        self.hello = self._read()

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, f"kiosk process ended (rc {self.proc.poll()})"
        return dict(json.loads(line))

    def ask(self, op: str, **kw: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"op": op, **kw}) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def enroll(self, vecs: np.ndarray) -> list[str]:
        return list(self.ask("enroll", vecs=np.atleast_2d(vecs).tolist())["ids"])

    def best(self, vec: np.ndarray) -> tuple[str, float] | None:
        matches = self.ask("search", vecs=[np.asarray(vec).tolist()])["matches"][0]
        return (matches[0][0], matches[0][1]) if matches else None

    def sync(self) -> dict[str, Any]:
        return self.ask("sync")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.ask_quit()
        self.proc.wait(20)

    def ask_quit(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write('{"op": "quit"}\n')
        self.proc.stdin.flush()


class Site:
    """One site database and its kiosks' data dirs (A, B, C, …)."""

    def __init__(self, cluster: Cluster, root: Path) -> None:
        self.cluster = cluster
        self.root = root
        self.db = f"site{next(_names)}"
        self.admin_dsn = cluster.create_db(self.db)
        self.dsn = cluster.kiosk_dsn(self.db)

    def dir(self, name: str) -> Path:
        return self.root / name

    def settings(self, name: str, text: str) -> None:
        d = self.dir(name)
        d.mkdir(mode=0o700, exist_ok=True)
        (d / "settings.toml").write_text(text)

    def cli(self, name: str, *args: str, check: bool = True, timeout: float = 120):
        proc = subprocess.run(
            [sys.executable, "-m", "facekiosk", "--data-dir", str(self.dir(name)), *args],
            capture_output=True, text=True, env=ENV, cwd=ROOT, timeout=timeout,
        )  # fmt: skip
        if check:
            assert proc.returncode == 0, proc.stderr[-3000:]
        return proc

    def cli_json(self, name: str, *args: str) -> Any:
        return json.loads(self.cli(name, *args, "--json").stdout)

    def sync(self, *names: str) -> list[dict[str, Any]]:
        return [self.cli_json(n, "site", "sync", "--once") for n in names]

    def create(self, first: str, *others: str) -> Site:
        self.cli(first, "site", "init", "--dsn", self.admin_dsn, "--kiosk-id", first)
        for name in others:
            token = self.cli_json(first, "site", "token")["token"]
            self.cli(name, "site", "join", "--dsn", self.dsn, "--token", token,
                     "--kiosk-id", name)  # fmt: skip
        return self

    def kiosk(self, name: str, *, background: bool = False) -> KioskProc:
        return KioskProc(self.dir(name), background)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self.cluster.query(self.db, sql, params)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(16)
