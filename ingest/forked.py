"""A function over a list in a pool of forked processes, chunk by chunk (ingest.scan,
ingest.related).

Neither the function nor the list is sent to the workers: both are left in a module variable
before the pool forks, so the workers inherit them (a closure over large in-memory data costs
nothing to hand over). Only chunk bounds go out; the results come back in order. The caller
decides whether a pool pays (scan.workers_for: never with threads running or without fork).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from typing import Any

_task: tuple[Callable[[Any], Any], Sequence[Any]] | None = None  # inherited by the workers


def _run(bounds: tuple[int, int]) -> list[Any]:
    assert _task is not None, "a worker forked by forked.chunks"
    fn, items = _task
    return [fn(x) for x in items[bounds[0]:bounds[1]]]


def chunks(fn: Callable[[Any], Any], items: Sequence[Any], workers: int,
           size: int) -> Iterator[list[Any]]:
    """fn of each item, `size` items at a time in `workers` forked processes: one list per
    chunk, in order."""
    global _task
    _task = (fn, items)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_run, [(i, i + size) for i in range(0, len(items), size)])
    finally:
        _task = None
