"""Helpers for driving the real ``mfok-lint`` command line on temporary trees."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, Optional, Sequence

# A line whose suppression comment suppresses nothing: MFO901, with a safe fix that deletes the directive.
UNUSED_NOQA = "x = 1  # noqa: MFO902\n"
UNUSED_NOQA_FIXED = "x = 1\n"
# An unknown MFO code in a suppression comment: MFO902, no fix.
INVALID_NOQA = "y = 2  # noqa: MFO999\n"
SYNTAX_ERROR = "def broken(:\n"
CLEAN = "z = 3\n"


class Result:
    def __init__(self, proc: subprocess.CompletedProcess) -> None:
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def __repr__(self) -> str:  # shown by pytest when an assertion fails
        return f"<exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}>"


def run_mfok(
    *args: str,
    cwd: Path,
    input: Optional[str] = None,
    env: Optional[Dict[str, str]] = None,
    script: bool = False,
) -> Result:
    """Run ``python -m mfok_lint`` (or the installed ``mfok-lint`` script with ``script=True``)."""
    full_env = dict(os.environ)
    full_env.pop("MFOK_LINT_OUTPUT_FORMAT", None)
    full_env.pop("MFOK_LINT_OUTPUT_FILE", None)
    full_env.setdefault("NO_COLOR", "1")
    if env:
        full_env.update(env)
    if script:
        command: Sequence[str] = [str(Path(sys.executable).parent / "mfok-lint"), *args]
    else:
        command = [sys.executable, "-m", "mfok_lint", *args]
    proc = subprocess.run(command, cwd=str(cwd), input=input, capture_output=True, text=True, env=full_env, timeout=120)
    return Result(proc)


def write_tree(root: Path, files: Dict[str, str]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content) if content.startswith("\n") else content)
    return root


def assert_one_line_error(result: Result, *fragments: str) -> None:
    assert result.code == 2, result
    assert "Traceback" not in result.err, result
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result
    assert lines[0].startswith("mfok-lint: error: "), result
    for fragment in fragments:
        assert fragment in lines[0], result
