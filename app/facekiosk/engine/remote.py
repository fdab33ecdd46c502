"""The engine in its own process: one `ProcessPoolExecutor` worker that builds the engine
once (the pool's initializer) and answers typed calls.

Why a process: dlib's own ResNet runtime held the GIL ~100 ms per face and froze the GUI
(p99 stall 273 ms, docs/notes/ui.md); in a child the GUI process keeps its GIL for
painting, whatever the engine does. The child is spawned (no Qt state inherited). Frames
cross a pipe pickled (~1 MB at 640x480, about a millisecond); `analyze(image, request)`
is the one call per frame. Exceptions raised in the child (ImageError, EngineError) come
back as themselves; a child that dies becomes an EngineError, and the next call starts a
fresh child (at most `MAX_RESTARTS` within `RESTART_WINDOW_S`); so does a child stuck
for `CALL_TIMEOUT_S` on one call (it is killed).
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np

from facekiosk.engine.base import FaceEngine, resolve_request
from facekiosk.engine.types import Embedding, EngineError, Face, FrameRequest
from facekiosk.settings import EngineSettings, Settings

log = logging.getLogger(__name__)

EngineMode = Literal["thread", "process"]
START_TIMEOUT_S = 120.0  # loading models on a busy machine can take a while
CALL_TIMEOUT_S = 30.0  # one frame takes 40-250 ms; a child silent this long is stuck
MAX_RESTARTS = 3  # a child that keeps dying is a fault to fix (models, memory), not to hide
RESTART_WINDOW_S = 300.0
T = TypeVar("T")


@dataclass(frozen=True)
class EngineInfo:
    name: str
    model_id: str
    dim: int
    default_threshold: float
    descriptor: str


def create_local_engine(settings: EngineSettings, data_dir: Path | None) -> FaceEngine:
    from facekiosk.engine.registry import create_engine

    return create_engine(settings, data_dir)


# ------------------------------------------------------------------ child process side
_engine: FaceEngine | None = None
_start_error = ""


PARENT_CHECK_S = 1.0  # how often the child looks whether the kiosk is still there


def _exit_with_parent(parent: int) -> None:
    """End this child when the kiosk process is gone. A pool worker waits on its call
    queue for ever when its parent dies without shutting the pool down (SIGKILL, the OOM
    killer, a SIGTERM before the handler was installed): found as orphaned engine processes
    holding the models (and their resource tracker) after such stops."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(0)  # nothing to save here: the engine keeps no state of its own

    threading.Thread(target=watch, name="facekiosk-parent-watch", daemon=True).start()


def _init_child(settings: EngineSettings, data_dir: Path | None, parent: int = 0) -> None:
    """Pool initializer: build the engine once. A failure is kept and reported by the first
    call (an initializer that raises only breaks the pool, and its message is lost)."""
    global _engine, _start_error
    if parent:
        _exit_with_parent(parent)
    try:
        _engine = create_local_engine(settings, data_dir)
    except Exception as exc:
        _start_error = f"{type(exc).__name__}: {exc}"
        return
    warm_up(_engine)


def warm_up(engine: FaceEngine) -> None:
    """One face through everything a kiosk frame may ask for (landmarks, embedding, the
    anti-spoofing model), so the models load at start-up and not on the first person's
    first frame. Measured in the window (luyt's clip as the camera): that frame took 1.9 s
    on a quiet machine and 8.8 s with the kiosk on a third of a core, and its time was the
    start of the liveness step, so the stall came off the person's 20 s (issue 19)."""
    try:
        import cv2
        from skimage import data

        image = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
        engine.analyze(image, FrameRequest(embed="primary", antispoof=True))
    except Exception:  # a failed warm-up costs the first frame the load time, nothing else
        log.warning("engine warm-up failed; the first frame loads the models", exc_info=True)


def _child_engine() -> FaceEngine:
    if _engine is None:
        raise EngineError(f"the engine could not start: {_start_error or 'unknown reason'}")
    return _engine


def _describe() -> EngineInfo:
    e = _child_engine()
    return EngineInfo(
        e.name, e.model_id, e.dim, e.default_threshold, str(getattr(e, "descriptor_backend", ""))
    )


def _analyze(image: np.ndarray, request: FrameRequest) -> list[Face]:
    return _child_engine().analyze(image, request)


def _detect(image: np.ndarray, max_faces: int | None) -> list[Face]:
    return _child_engine().detect(image, max_faces=max_faces)


def _embed(image: np.ndarray, faces: list[Face]) -> list[Embedding]:
    return _child_engine().embed(image, faces)


def _close_child() -> None:
    if _engine is not None:
        _engine.close()


# ------------------------------------------------------------------ parent side
class RemoteEngine(FaceEngine):
    """A `FaceEngine` whose work happens in a child process. `analyze` is the call the
    kiosk makes; `detect`/`embed` stay for callers that still split the work. The
    anti-spoofing model loads in the child on the first request that asks for it (a scorer
    assigned to `antispoof` here would not cross the process boundary and is not used)."""

    def __init__(self, settings: EngineSettings, data_dir: Path | None = None) -> None:
        self._settings = settings
        self._data_dir = data_dir
        self._lock = threading.Lock()  # guards the pool swap on restart
        self._restarts: list[float] = []
        self._closed = False
        self._pool: ProcessPoolExecutor | None = self._start()

    def _start(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=mp.get_context("spawn"),
            initializer=_init_child,
            initargs=(self._settings, self._data_dir, os.getpid()),
        )
        try:
            info = pool.submit(_describe).result(timeout=START_TIMEOUT_S)
        except TimeoutError as exc:
            _kill(pool)
            raise EngineError(
                f"the engine process did not start within {START_TIMEOUT_S:g} s "
                "(machine overloaded, or model files on a slow disk?)"
            ) from exc
        except BrokenProcessPool as exc:
            _kill(pool)
            raise EngineError("the engine process died while starting (see the log)") from exc
        except EngineError:
            _kill(pool)
            raise
        self.name, self.model_id, self.dim = info.name, info.model_id, info.dim
        self.default_threshold = info.default_threshold
        self.descriptor_backend = info.descriptor
        return pool

    def _call(self, fn: Callable[..., T], *args: Any) -> T:
        with self._lock:
            if self._closed:
                raise EngineError("the engine was closed (the kiosk is shutting down)")
            pool = self._pool
            if pool is None:
                pool = self._pool = self._restart()
        try:
            return pool.submit(fn, *args).result(timeout=CALL_TIMEOUT_S)
        except (BrokenProcessPool, TimeoutError) as exc:
            with self._lock:
                if self._pool is pool:
                    _kill(pool)
                    self._pool = None  # the next call starts a new child
            stuck = isinstance(exc, TimeoutError)
            log.error("engine process %s: %r", "stuck" if stuck else "died", exc)
            what = (
                f"did not answer within {CALL_TIMEOUT_S:g} s and was stopped"
                if stuck
                else "stopped unexpectedly (crashed, or killed e.g. when memory ran out)"
            )
            raise EngineError(
                f"the engine process {what}; it restarts on the next frame. If this "
                "repeats, run `facekiosk doctor` and check free memory."
            ) from exc

    def _restart(self) -> ProcessPoolExecutor:
        now = time.monotonic()
        self._restarts = [t for t in self._restarts if now - t < RESTART_WINDOW_S]
        if len(self._restarts) >= MAX_RESTARTS:
            raise EngineError(
                f"the engine process died {MAX_RESTARTS} times in {RESTART_WINDOW_S:g} s; "
                "not restarting it again. Run `facekiosk doctor`, then restart the kiosk."
            )
        self._restarts.append(now)
        log.warning("restarting the engine process")
        return self._start()

    def analyze(
        self,
        image: np.ndarray,
        request: FrameRequest | None = None,
        *,
        embed: bool | None = None,
        max_faces: int | None = None,
    ) -> list[Face]:
        request = resolve_request(request, embed=embed, max_faces=max_faces)
        return self._call(_analyze, image, request)

    def detect(self, image: np.ndarray, *, max_faces: int | None = None) -> list[Face]:
        return self._call(_detect, image, max_faces)

    def embed(self, image: np.ndarray, faces: list[Face]) -> list[Embedding]:
        embeddings = self._call(_embed, image, faces)
        for face, emb in zip(faces, embeddings, strict=True):
            face.embedding = emb  # the child set it on its copies; mirror the contract here
        return embeddings

    def close(self) -> None:
        with self._lock:
            pool, self._pool, self._closed = self._pool, None, True
        if pool is None:
            return
        try:
            pool.submit(_close_child).result(timeout=5.0)
        except Exception:  # a dead or stuck child is stopped below all the same
            log.debug("engine process close hook failed", exc_info=True)
            _kill(pool)
            return
        pool.shutdown(wait=True, cancel_futures=True)


def _kill(pool: ProcessPoolExecutor) -> None:
    """Stop a pool whose child is dead or stuck, without waiting for it.

    Python 3.14 has `terminate_workers()`; before that the pool's processes are only
    reachable through its private `_processes` map."""
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:
        terminate()
        return
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        if proc.is_alive():
            proc.kill()
        proc.join(2.0)


def open_engine(settings: Settings, data_dir: Path | None, mode: EngineMode) -> FaceEngine:
    if mode == "process":
        return RemoteEngine(settings.engine, data_dir)  # warmed up in the child
    engine = create_local_engine(settings.engine, data_dir)
    warm_up(engine)
    return engine


def engine_info(engine: FaceEngine) -> dict[str, Any]:
    return {
        "engine": engine.name,
        "model_id": engine.model_id,
        "descriptor": getattr(engine, "descriptor_backend", ""),
    }
