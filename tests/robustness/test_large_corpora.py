"""The whole CPython standard library and Metaflow's own source, every rule on: no internal error.

These are large bodies of real, valid and sometimes odd Python (generated tables, deep implicit string
concatenation, test data that is deliberately broken). A file that cannot be parsed may be an MFO900 finding;
anything reported as an internal error, a traceback or a crash fails the test.
"""

from __future__ import annotations

import os
import sysconfig
import time

import metaflow
import pytest

from tests.robustness.lint_support import assert_no_traceback, run_lint

CORPORA = {
    "stdlib": sysconfig.get_paths()["stdlib"],
    "metaflow": os.path.dirname(metaflow.__file__),
}


@pytest.mark.slow
@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_corpus_lints_without_internal_errors(tmp_path, corpus):
    started = time.monotonic()
    proc = run_lint("--preview", "--select", "ALL", "--exit-zero", CORPORA[corpus], cwd=tmp_path, timeout=600)
    elapsed = time.monotonic() - started
    # --exit-zero turns findings into 0, so only internal and I/O errors can make the status 2.
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert_no_traceback(proc)
    assert "Found " in proc.stdout or "All checks passed" in proc.stdout
    print(f"{corpus}: {elapsed:.1f}s")
