"""The frozen build started when the run starts, niced, and awaited by its tests.

The PyInstaller build (build_frozen.sh, 4-7 min on a 2-core machine) took 187 s of
the suite as an inline fixture. Started at collection at nice 19 (idle I/O class),
it takes the CPU time the other tests leave idle (sleeps, subprocess start-ups,
Xvfb, PostgreSQL) and gets almost nothing while a test wants both cores: it was
done ~3.5 min into the run. Its tests are moved to the end of the run and wait for
it there. Run alone (`pytest tests/packaging/test_frozen_build.py`), the test
starts the build itself and waits the same way.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.packaging.installer import REPO

NICE = 19


@dataclass
class Job:
    """One command run in its own process group, output to a log file."""

    argv: list[str]
    log: Path
    proc: subprocess.Popen | None = None

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
                start_new_session=True,  # its own group: stop() ends the whole tree
            )

    def wait(self, timeout: float) -> tuple[int, str]:
        """(exit code, the log's last 6000 characters); starts the job if nobody did."""
        self.start()
        assert self.proc is not None
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            code = -1
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


FROZEN_BUILD = Job(
    ["bash", str(REPO / "packaging" / "build_frozen.sh")],  # dist/facekiosk + its report
    REPO / "build" / "frozen-build-test.log",
)


def is_frozen_build_test(path: Path) -> bool:
    return path.name == "test_frozen_build.py" and path.parent.name == "packaging"
