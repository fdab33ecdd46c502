"""The engine in its worker process: the same answers as in-process, errors that keep their
meaning, and a child that dies becomes an EngineError and is replaced."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from facekiosk.engine.remote import RemoteEngine
from facekiosk.engine.types import EngineError, FrameRequest, ImageError
from facekiosk.settings import EngineSettings


def child_pid(engine: RemoteEngine) -> int:
    return engine._call(os.getpid)


def test_remote_answers_like_the_local_engine(remote_engine, local_engine, two_faces):
    assert (remote_engine.name, remote_engine.dim) == (local_engine.name, local_engine.dim)
    assert child_pid(remote_engine) != os.getpid()
    request = FrameRequest(embed="primary")
    remote = remote_engine.analyze(two_faces, request)
    local = local_engine.analyze(two_faces, request)
    assert [f.bbox for f in remote] == [f.bbox for f in local]
    embedded = [f for f in remote if f.embedding is not None]
    assert len(embedded) == 1
    reference = next(f for f in local if f.embedding is not None)
    assert embedded[0].embedding.similarity(reference.embedding) > 0.9999


def test_bad_input_keeps_its_error_type(remote_engine):
    with pytest.raises(ImageError, match="empty image"):
        remote_engine.analyze(np.zeros((0, 0, 3), np.uint8), FrameRequest())


def test_an_engine_that_cannot_start_says_why():
    with pytest.raises(EngineError, match="no_such_pack"):
        RemoteEngine(EngineSettings(name="insight", pack="no_such_pack"))


def test_a_killed_child_is_an_engine_error_then_restarts(one_face):
    engine = RemoteEngine(EngineSettings())
    try:
        assert len(engine.analyze(one_face, FrameRequest())) == 1
        first = child_pid(engine)
        os.kill(first, signal.SIGKILL)
        with pytest.raises(EngineError, match="stopped unexpectedly"):
            engine.analyze(one_face, FrameRequest())
        # the next frame gets a fresh child with the engine loaded again
        (face,) = engine.analyze(one_face, FrameRequest(embed="primary"))
        assert face.embedding is not None
        assert child_pid(engine) != first
    finally:
        engine.close()
    with pytest.raises(EngineError, match="closed"):
        engine.analyze(one_face, FrameRequest())


def test_a_child_that_keeps_dying_is_not_restarted_forever(one_face, monkeypatch):
    import facekiosk.engine.remote as remote

    monkeypatch.setattr(remote, "MAX_RESTARTS", 1)
    engine = RemoteEngine(EngineSettings())
    try:
        for _ in range(2):
            os.kill(child_pid(engine), signal.SIGKILL)
            with pytest.raises(EngineError, match="stopped unexpectedly"):
                engine.analyze(one_face, FrameRequest())
        with pytest.raises(EngineError, match="not restarting"):
            engine.analyze(one_face, FrameRequest())
    finally:
        engine.close()


def test_a_stuck_child_is_stopped_and_replaced(one_face, monkeypatch):
    import time

    import facekiosk.engine.remote as remote

    engine = RemoteEngine(EngineSettings())
    try:
        stuck = child_pid(engine)
        monkeypatch.setattr(remote, "CALL_TIMEOUT_S", 0.5)
        with pytest.raises(EngineError, match="did not answer"):
            engine._call(time.sleep, 30.0)  # a call that hangs, as a wedged model would
        monkeypatch.setattr(remote, "CALL_TIMEOUT_S", 30.0)
        with pytest.raises(ProcessLookupError):
            os.kill(stuck, 0)  # the stuck child was killed, not left behind
        assert len(engine.analyze(one_face, FrameRequest())) == 1
    finally:
        engine.close()


def test_the_engine_process_ends_when_the_kiosk_process_is_killed(tmp_path):
    """A pool worker waited on its call queue for ever once its parent died without
    shutting the pool down (SIGKILL, or a SIGTERM during start-up): orphaned engine
    processes were found after such stops."""
    import subprocess
    import sys
    import time

    script = (
        "import os, sys\n"
        "from facekiosk.engine.remote import RemoteEngine\n"
        "from facekiosk.settings import EngineSettings\n"
        "e = RemoteEngine(EngineSettings(name='dlib'), None)\n"
        "print(e._call(os.getpid), flush=True)\n"
        "os.kill(os.getpid(), 9)\n"  # no close(): the pool is never shut down
    )
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    with out.open("w") as stdout, err.open("w") as stderr:  # files: an orphan keeps no pipe
        proc = subprocess.run(
            [sys.executable, "-c", script], stdout=stdout, stderr=stderr, timeout=300,
            cwd=tmp_path,
        )  # fmt: skip
    assert proc.returncode == -signal.SIGKILL, err.read_text()[-2000:]
    child = int(out.read_text().split()[-1])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.2)
    assert not _alive(child), "the engine process outlived the kiosk"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False
