"""``--fix`` under SIGKILL and under a second concurrent ``--fix``: a file is its old bytes or its new bytes.

The tree has 500 small files, each with safe fixes (MFO901 unused suppressions and MFO001 tuple forwarding).
The fully fixed bytes are computed once by fixing an untouched copy. Then the run is killed (the whole process
group, workers included) at random moments; afterwards every file must be exactly its original or exactly
its fixed bytes: never a mix, never truncated, never a temp file under a ``.py`` name. A later ``--fix`` must
finish the job. Two ``--fix`` runs started together on one tree must end with every file fixed.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Dict

import pytest

from tests.robustness.lint_support import assert_no_traceback, clean_env, lint_command, run_lint

FILE_COUNT = 500

_TEMPLATES = [
    b"import os\nvalue_%d = os.sep  # noqa: MFO001\nother = 2  # noqa: MFO003, E501\n",
    b"from metaflow._vendor import click\n\n\n"
    b"@click.command()\n"
    b'@click.option("--run-param", "run_params", multiple=True)\n'
    b"def trigger_%d(run_params):  # noqa: MFO011\n"
    b"    params = run_params or ()\n"
    b"    scheduler.submit(run_params=params)\n",
    b"\xef\xbb\xbfx_%d = 1  # noqa: MFO001, MFO002\r\ny = 2  # noqa\r\n",
]


def _build_tree(root: Path) -> Dict[str, bytes]:
    originals = {}
    for i in range(FILE_COUNT):
        rel = f"pkg{i % 10}/mod{i:03}.py"
        content = _TEMPLATES[i % len(_TEMPLATES)] % i
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        originals[rel] = content
    return originals


def _snapshot(root: Path) -> Dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file() and p.suffix == ".py"
    }


def _litter(root: Path):
    return sorted(str(p.relative_to(root)) for p in root.rglob(".mfok-*"))


@pytest.fixture(scope="module")
def expected(tmp_path_factory):
    """(original bytes, fully fixed bytes, seconds a whole --fix run takes)."""
    root = tmp_path_factory.mktemp("reference")
    originals = _build_tree(root)
    started = time.monotonic()
    proc = run_lint("--fix", ".", cwd=root, timeout=300)
    duration = time.monotonic() - started
    assert proc.returncode in (0, 1), proc
    assert_no_traceback(proc)
    fixed = _snapshot(root)
    assert set(fixed) == set(originals)
    changed = sum(fixed[rel] != originals[rel] for rel in originals)
    assert changed == FILE_COUNT, f"every file must have a safe fix; {changed} changed"
    return originals, fixed, duration


def _assert_each_file_old_or_new(root: Path, originals, fixed) -> int:
    now = _snapshot(root)
    assert set(now) == set(originals), sorted(set(now) ^ set(originals))[:5]
    done = 0
    for rel, data in now.items():
        assert data in (originals[rel], fixed[rel]), f"{rel}: neither the original nor the fixed bytes: {data!r}"
        done += data == fixed[rel]
    return done


@pytest.mark.slow
def test_sigkill_during_fix_never_leaves_a_torn_file(tmp_path, expected):
    originals, fixed, duration = expected
    rng = random.Random(20261123)
    partial_rounds = 0
    for round_number in range(6):
        root = tmp_path / f"round{round_number}"
        _build_tree(root)
        proc = subprocess.Popen(
            lint_command("--fix", "."),
            cwd=root,
            env=clean_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        # Startup (imports, discovery) takes a good part of a run; aim the kill across the whole span.
        time.sleep(rng.uniform(0.2, 1.0) * duration)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        time.sleep(0.3)  # forked workers see their parent vanish and stop; let any last write land
        done = _assert_each_file_old_or_new(root, originals, fixed)
        partial_rounds += 0 < done < FILE_COUNT
        # A temp file may be left behind by a kill, but never under a name that would be linted.
        assert all(name.endswith(".tmp") for name in _litter(root)), _litter(root)
        # A later run finishes the job and the tree ends fully fixed.
        proc_after = run_lint("--fix", ".", cwd=root, timeout=300)
        assert_no_traceback(proc_after)
        assert _snapshot(root) == fixed
    assert partial_rounds >= 1, "no kill landed in the middle of writing; the test proved nothing"


@pytest.mark.slow
def test_two_concurrent_fix_runs_corrupt_nothing(tmp_path, expected):
    originals, fixed, _ = expected
    for round_number in range(3):
        root = tmp_path / f"round{round_number}"
        _build_tree(root)
        procs = [
            subprocess.Popen(
                lint_command("--fix", "."), cwd=root, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        for proc in procs:
            out, err = proc.communicate(timeout=300)
            assert proc.returncode in (0, 1, 2), (proc.returncode, err)
            completed = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
            assert_no_traceback(completed)
            for line in err.splitlines():
                assert "changed on disk since it was read" in line, line
        assert _snapshot(root) == fixed
        assert _litter(root) == []
