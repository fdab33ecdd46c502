"""Slow packaging jobs started when the run starts, niced, and awaited by their tests.

The PyInstaller build (build_frozen.sh, 4-7 min on a 2-core machine) and the
install from the lock (install.sh, ~1.5 min) mostly wait on one core, on the disk
and on PyPI. Run inline, their time adds to the suite's; started at collection at
nice 19, they take the CPU time the other tests leave idle (sleeps, subprocess
start-ups, Xvfb, PostgreSQL), and the scheduler gives them almost nothing while a
test wants both cores. Their tests are moved to the end of the run and wait for
the job there. Run alone (`pytest tests/packaging/test_frozen_build.py`), a test
starts its job itself and waits the same way.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

NICE = 19


@dataclass
class Job:
    """One command run in its own process group, output to a log file."""

    name: str
    argv: list[str]
    log: Path
    proc: subprocess.Popen | None = None
    started: float = 0.0
    finished: float | None = None
    env: dict[str, str] = field(default_factory=dict)

    def start(self) -> None:
        if self.proc is not None:
            return
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [*_low_priority(), *self.argv],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **self.env},
                start_new_session=True,  # its own group: stop() ends the whole tree
            )
        self.started = time.monotonic()

    def wait(self, timeout: float) -> tuple[int, str]:
        """(exit code, the log's last 6000 characters); starts the job if nobody did."""
        self.start()
        assert self.proc is not None
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            code = -1
        if self.finished is None:
            self.finished = time.monotonic()
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return code, text[-6000:]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def _low_priority() -> list[str]:
    """nice 19, and the idle I/O class where ionice exists (util-linux)."""
    prefix = ["nice", "-n", str(NICE)]
    if shutil.which("ionice"):
        prefix = ["ionice", "-c", "3", *prefix]
    return prefix


_JOBS: dict[str, Job] = {}


def job(name: str, argv: list[str], log: Path, env: dict[str, str] | None = None) -> Job:
    """The job of this name, created on first use (not started)."""
    if name not in _JOBS:
        _JOBS[name] = Job(name, argv, log, env=env or {})
    return _JOBS[name]


def stop_all() -> None:
    for each in _JOBS.values():
        each.stop()


def frozen_build() -> Job:
    """packaging/build_frozen.sh: dist/facekiosk and dist/frozen-build.json."""
    from tests.packaging.installer import REPO

    return job(
        "frozen build",
        ["bash", str(REPO / "packaging" / "build_frozen.sh")],
        REPO / "build" / "frozen-build-test.log",
    )


def is_frozen_build_test(path: Path) -> bool:
    return path.name == "test_frozen_build.py" and path.parent.name == "packaging"
