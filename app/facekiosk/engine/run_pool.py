"""Model runs spread over the cores: the runs of one frame side by side.

The bundled engine's per-frame embed is two models (dlib ResNet, SFace) per face. With
one onnxruntime session per model using both cores (intra-op threads 2, spinning off),
every one of SFace's ~80 small convs hands half its work to the other core and waits
for it to wake; two threads were often no faster than one. Running each model (and each
face) as its own task, two at a time, keeps both cores busy without that handshake:
measured in one process, alternating, docs/notes/engine.md. onnxruntime releases the GIL
while it runs, and concurrent `run` calls on one session are supported.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")


class Batch(Generic[T]):
    """Tasks being run by the pool's helpers; `finish()` joins in and returns the results."""

    def __init__(self, tasks: Sequence[Callable[[], T]]) -> None:
        self._tasks = tasks
        self._results: list[T | None] = [None] * len(tasks)
        self._errors: list[BaseException] = []
        self._next: Iterator[int] = iter(range(len(tasks)))
        self._take = threading.Lock()
        self.helpers: list[Future[None]] = []

    def work(self) -> None:
        # Every worker, the caller included, takes the next task until none is left:
        # the faces and models balance over the cores whatever each one costs.
        while not self._errors:
            with self._take:
                index = next(self._next, None)
            if index is None:
                return
            try:
                self._results[index] = self._tasks[index]()
            except BaseException as exc:  # re-raised on the caller's thread by finish()
                self._errors.append(exc)

    def finish(self) -> list[T]:
        """Run what is left on the caller's thread, wait for the helpers, return the
        results in task order (the first error is raised)."""
        self.work()
        for helper in self.helpers:
            helper.result()
        if self._errors:
            raise self._errors[0]
        return self._results  # type: ignore[return-value]  # every slot filled when no error


class RunPool:
    """Runs callables on up to `workers` threads, the caller's thread being one of them.

    With one worker everything runs on the caller's thread, inside `finish()`."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def start(self, tasks: Sequence[Callable[[], T]]) -> Batch[T]:
        """Hand `tasks` to the helper threads now; the caller may do other work before
        `finish()` (where it joins in with whatever is still waiting)."""
        batch = Batch(tasks)
        helpers = min(self.workers - 1, len(tasks))
        if helpers > 0:
            executor = self._ensure_executor()
            batch.helpers = [executor.submit(batch.work) for _ in range(helpers)]
        return batch

    def map(self, tasks: Sequence[Callable[[], T]]) -> list[T]:
        return self.start(tasks).finish()

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
