"""A process pool for many files: fork after the rules are imported, so workers start warm.

Each task is one file; results are re-ordered to the input order so output is deterministic.
Where fork is unavailable the run is serial: correctness never depends on the pool.
"""

from __future__ import annotations

import multiprocessing
from typing import List, Sequence

_STATE = {}


def _init(settings, selected, mode) -> None:
    _STATE["args"] = (settings, selected, mode)


def _work(path: str):
    from mfok_lint.engine import process_file

    settings, selected, mode = _STATE["args"]
    return process_file(path, settings, selected, mode)


def run_parallel(paths: Sequence[str], settings, selected, mode, jobs: int) -> List:
    from mfok_lint.engine import process_file

    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:
        return [process_file(p, settings, selected, mode) for p in paths]
    with ctx.Pool(processes=jobs, initializer=_init, initargs=(settings, selected, mode)) as pool:
        chunk = max(1, len(paths) // (jobs * 8))
        return list(pool.imap(_work, paths, chunksize=chunk))
