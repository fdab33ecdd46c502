"""Where the engine runs: in the inference thread, or in a worker process.

dlib's ResNet descriptor holds Python's GIL for its whole ~100 ms, so in a
thread it freezes the GUI as long. `RemoteEngine` runs any engine in a child
process (spawned, so no Qt state is inherited) behind the same `FaceEngine`
interface: the kiosk session and the worker cannot tell the difference, and
the GUI process keeps its GIL for painting. Frames cross a pipe (~1 MB at
640x480, about a millisecond); faces and embeddings come back pickled.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np

from facekiosk.engine.base import FaceEngine
from facekiosk.engine.types import Embedding, EngineError, Face
from facekiosk.settings import EngineSettings, Settings

log = logging.getLogger(__name__)

EngineMode = Literal["thread", "process"]
START_TIMEOUT_S = 120.0  # loading models on a busy machine can take a while


def create_local_engine(settings: EngineSettings, data_dir: Path | None) -> FaceEngine:
    from facekiosk.engine.registry import create_engine

    return create_engine(settings, data_dir)


def _serve(conn, settings: EngineSettings, data_dir: Path | None) -> None:
    """Child process main: build the engine, then answer (op, args) requests until None."""
    try:
        engine = create_local_engine(settings, data_dir)
    except Exception as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    info = {
        "name": engine.name,
        "model_id": engine.model_id,
        "dim": engine.dim,
        "default_threshold": engine.default_threshold,
        "descriptor": getattr(engine, "descriptor_backend", ""),
    }
    conn.send(("ready", info))
    while True:
        try:
            request = conn.recv()
        except EOFError:
            break
        if request is None:
            break
        op, args = request
        try:
            if op == "detect":
                reply: Any = engine.detect(args[0], max_faces=args[1])
            elif op == "embed":
                reply = engine.embed(args[0], args[1])
            elif op == "analyze":
                reply = engine.analyze(args[0], embed=args[1], max_faces=args[2])
            else:
                raise EngineError(f"unknown engine request {op!r}")
            conn.send(("ok", reply))
        except Exception as exc:
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
    engine.close()


class RemoteEngine(FaceEngine):
    """A `FaceEngine` whose work happens in a child process."""

    def __init__(self, settings: EngineSettings, data_dir: Path | None = None) -> None:
        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(
            target=_serve, args=(child, settings, data_dir), name="facekiosk-engine", daemon=True
        )
        self._proc.start()
        child.close()
        self._lock = threading.Lock()  # one request in flight: the pipe is a strict dialogue
        if not self._conn.poll(START_TIMEOUT_S):
            self.close()
            raise EngineError("engine process did not start in time")
        status, info = self._conn.recv()
        if status != "ready":
            self.close()
            raise EngineError(f"engine process failed to start: {info}")
        self.name = info["name"]
        self.model_id = info["model_id"]
        self.dim = info["dim"]
        self.default_threshold = info["default_threshold"]
        self.descriptor_backend = info["descriptor"]

    def _call(self, op: str, *args: Any) -> Any:
        with self._lock:
            try:
                self._conn.send((op, args))
                status, reply = self._conn.recv()
            except (EOFError, OSError, BrokenPipeError) as exc:
                raise EngineError(f"engine process is gone ({exc})") from exc
        if status != "ok":
            raise EngineError(str(reply))
        return reply

    def detect(self, image: np.ndarray, *, max_faces: int | None = None) -> list[Face]:
        return self._call("detect", image, max_faces)

    def embed(self, image: np.ndarray, faces: list[Face]) -> list[Embedding]:
        embeddings: list[Embedding] = self._call("embed", image, faces)
        for face, emb in zip(faces, embeddings, strict=True):
            face.embedding = emb  # the child set it on its copies; mirror the contract here
        return embeddings

    def analyze(
        self, image: np.ndarray, *, embed: bool = True, max_faces: int | None = None
    ) -> list[Face]:
        return self._call("analyze", image, embed, max_faces)

    def close(self) -> None:
        try:
            with self._lock:
                self._conn.send(None)
        except (OSError, BrokenPipeError):
            pass
        self._proc.join(5)
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(2)
        self._conn.close()


def open_engine(settings: Settings, data_dir: Path | None, mode: EngineMode) -> FaceEngine:
    if mode == "process":
        return RemoteEngine(settings.engine, data_dir)
    return create_local_engine(settings.engine, data_dir)


def engine_info(engine: FaceEngine) -> dict[str, Any]:
    return {
        "engine": engine.name,
        "model_id": engine.model_id,
        "descriptor": getattr(engine, "descriptor_backend", ""),
    }


def make_processor(
    settings: Settings, data_dir: Path | None, *, mode: EngineMode = "process"
) -> tuple[Callable[[np.ndarray, float], tuple[list[Face], Any]], dict[str, Any], Callable]:
    """An engine-only frame processor (detect + embed every frame: the heaviest case)."""
    engine = open_engine(settings, data_dir, mode)

    def process(frame: np.ndarray, t: float) -> tuple[list[Face], Any]:
        return engine.analyze(frame, embed=True, max_faces=None), None

    return process, engine_info(engine), engine.close
