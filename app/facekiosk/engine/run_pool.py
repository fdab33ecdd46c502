"""Model runs spread over the cores: each run single-threaded, the runs side by side.

The bundled engine's per-frame embed is two models (dlib ResNet, SFace) per face. With
one onnxruntime session per model using both cores (intra-op threads 2, spinning off),
every one of SFace's ~80 small convs hands half its work to the other core and waits
for it to wake; two threads were often no faster than one. Running each model (and each
face) as its own single-threaded run, two at a time, keeps both cores busy without that
handshake: measured in one process, alternating, docs/notes/engine.md. onnxruntime
releases the GIL while it runs, and concurrent `run` calls on one session are supported.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class RunPool:
    """Runs callables on up to `workers` threads and returns their results in order.

    With one worker (or one task) everything runs inline on the caller's thread."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def map(self, tasks: Sequence[Callable[[], T]]) -> list[T]:
        if self.workers == 1 or len(tasks) <= 1:
            return [task() for task in tasks]
        results: list[T | None] = [None] * len(tasks)
        errors: list[BaseException] = []
        next_index = iter(range(len(tasks)))
        take = threading.Lock()

        def work() -> None:
            # Every worker, the caller included, takes the next task until none is
            # left: the faces and models balance over the cores whatever their cost.
            while not errors:
                with take:
                    index = next(next_index, None)
                if index is None:
                    return
                try:
                    results[index] = tasks[index]()
                except BaseException as exc:  # re-raised on the caller's thread below
                    errors.append(exc)

        executor = self._ensure_executor()
        helpers = [executor.submit(work) for _ in range(min(self.workers, len(tasks)) - 1)]
        work()
        for helper in helpers:
            helper.result()
        if errors:
            raise errors[0]
        return results  # type: ignore[return-value]  # every slot filled when no error

    def _ensure_executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                # workers - 1 helpers: the caller's thread is the other worker.
                self._executor = ThreadPoolExecutor(
                    max_workers=self.workers - 1, thread_name_prefix="facekiosk-run"
                )
            return self._executor

    def close(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None
