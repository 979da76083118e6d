"""A process pool for many files: fork after the rules are imported, so workers start warm.

Each task is one file; results are re-ordered to the input order so output is deterministic.
Where fork is unavailable the run is serial: correctness never depends on the pool.

Files are handed out largest first, one at a time: the cost of a file grows with its size, and one large
compiler (Metaflow's ``argo_workflows.py`` is a quarter of the tree's lint time) started last would leave
the other workers idle while it finishes. One task per message costs ~0.1 ms a file.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Callable, List, Optional, Sequence, Tuple

_STATE = {}


def _init(worker, settings, selected) -> None:
    _STATE["worker"] = worker
    _STATE["args"] = (settings, selected)


def _work(path: str):
    return _STATE["worker"](path, *_STATE["args"])


def _work_indexed(task: Tuple[int, str]):
    index, path = task
    return index, _work(path)


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def run_parallel(worker: Callable, paths: Sequence[str], settings, selected, jobs: int) -> List:
    """``[worker(path, settings, selected) for path in paths]``, computed by ``jobs`` forked processes."""
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:
        return [worker(p, settings, selected) for p in paths]
    with ctx.Pool(processes=jobs, initializer=_init, initargs=(worker, settings, selected)) as pool:
        order = sorted(range(len(paths)), key=lambda i: -_size(paths[i]))
        results: List[Optional[object]] = [None] * len(paths)
        for index, result in pool.imap_unordered(_work_indexed, [(i, paths[i]) for i in order], chunksize=1):
            results[index] = result
        return results
