"""Helpers for the robustness tests: run the real ``mfok-lint`` command line in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import List

REPO = Path(__file__).resolve().parents[2]


def lint_command(*args: str) -> List[str]:
    return [sys.executable, "-m", "mfok_lint", "--isolated", "--no-cache", *args]


def clean_env() -> dict:
    env = dict(os.environ)
    for name in ("MFOK_LINT_OUTPUT_FORMAT", "MFOK_LINT_OUTPUT_FILE", "MFOK_LINT_DEBUG"):
        env.pop(name, None)
    env["NO_COLOR"] = "1"
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_lint(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        lint_command(*args), cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=timeout
    )


def assert_no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "internal error" not in proc.stderr, proc.stderr
    for line in proc.stderr.splitlines():
        assert line.startswith("mfok-lint: "), f"stderr line not in the one-line error format: {line!r}"
