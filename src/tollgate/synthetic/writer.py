"""Ordered, bounded, parallel writing of independently generated blocks.

The generator's blocks are pure functions of their index, so they can be made in worker
processes — Python's only way to use a second core for this work — as long as they are
written in index order. This module runs such a function over block indexes with a small
window of blocks in flight (so memory stays bounded however long the run) and hands the
results back in order. It knows nothing about filings: it moves bytes.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

R = TypeVar("R")


def default_workers() -> int:
    """Two workers at most: the generator is meant for ordinary (2-core) machines."""
    return max(1, min(2, os.cpu_count() or 1))


def _context() -> Any:
    """``fork`` where the platform has it: workers inherit the parent's built world."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def ordered_map(
    fn: Callable[[int], R],
    count: int,
    *,
    workers: int,
    remote: Callable[[int], R] | None = None,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
    window: int | None = None,
) -> Iterator[R]:
    """``fn(0) .. fn(count - 1)`` in order, computed by ``workers`` processes in all.

    This process is one of them. Helper processes always have work queued; whenever the
    next result in order is not ready, this process computes a later item itself instead
    of waiting, and keeps it until its turn. So the load balances by itself (this process
    also writes everything out) and only the helpers' share of the results crosses a pipe.
    The order of results, and so the output, does not depend on who computed what.

    At most ``window`` items (default: 3 per process) are in flight or waiting, so memory
    stays bounded however many items there are. ``remote`` (default ``fn``) is what the
    helpers run: it may return a lighter handle on the same result.
    """
    if initializer is not None:
        initializer(*initargs)
    if workers <= 1 or count <= 1:
        for i in range(count):
            yield fn(i)
        return
    helpers = workers - 1
    limit = window or 3 * workers
    with ProcessPoolExecutor(
        max_workers=helpers,
        mp_context=_context(),
        initializer=initializer,
        initargs=initargs,
    ) as pool:
        pending: dict[int, Future[R]] = {}
        ahead: dict[int, R] = {}
        assigned = 0
        for i in range(count):
            while True:
                while (
                    assigned < count
                    and len(pending) < 2 * helpers
                    and len(pending) + len(ahead) < limit
                ):
                    pending[assigned] = pool.submit(remote or fn, assigned)
                    assigned += 1
                if i in ahead:
                    result = ahead.pop(i)
                    break
                if i == assigned:  # not handed out yet: make it here
                    result = fn(i)
                    assigned += 1
                    break
                future = pending[i]
                if future.done() or assigned >= count or len(pending) + len(ahead) >= limit:
                    result = pending.pop(i).result()
                    break
                ahead[assigned] = fn(assigned)
                assigned += 1
            yield result
