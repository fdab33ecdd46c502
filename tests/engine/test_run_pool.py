"""engine.run_pool: results in order, work spread over the workers, errors re-raised."""

from __future__ import annotations

import threading
import time

import pytest

from facekiosk.engine.run_pool import RunPool


def test_results_come_back_in_task_order_from_two_threads():
    pool = RunPool(2)
    seen: set[str] = set()

    def task(k: int) -> int:
        seen.add(threading.current_thread().name)
        time.sleep(0.02 if k == 0 else 0.001)  # the first task is the slow one
        return k * k

    try:
        assert pool.map([lambda k=k: task(k) for k in range(6)]) == [0, 1, 4, 9, 16, 25]
    finally:
        pool.close()
    # The caller's thread and one helper shared the work.
    assert threading.current_thread().name in seen and len(seen) == 2


def test_one_worker_runs_inline_and_the_first_error_is_raised():
    caller = threading.current_thread().name
    assert RunPool(1).map([lambda: threading.current_thread().name] * 3) == [caller] * 3
    pool = RunPool(2)

    def boom() -> int:
        raise ValueError("model failed")

    with pytest.raises(ValueError, match="model failed"):
        pool.map([lambda: 1, boom, lambda: 3])
    assert pool.map([lambda: 1, lambda: 2]) == [1, 2]  # still usable afterwards
    pool.close()
