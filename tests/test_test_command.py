"""The test command (``bash scripts/test``): its exit codes, and the progress lines it asks pytest for."""

import os
import re
import shutil
import stat
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import REPO


def _fake_checkout(tmp_path, pytest_status):
    """scripts/test in a directory whose .venv/bin/python records its arguments and, as pytest, exits with
    ``pytest_status`` (pip succeeds): the script's own handling of pytest's exit, without running a suite."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "test", tmp_path / "scripts" / "test")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{tmp_path}/calls"\n'
        f'if [ "$2" = pytest ]; then exit {pytest_status}; fi\n'
        "exit 0\n"
    )
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    return tmp_path


@pytest.mark.parametrize("pytest_status, expected", [(0, 0), (1, 1), (2, 2), (4, 4), (5, 1)])
def test_exit_status_is_pytests_and_no_test_ran_fails(tmp_path, pytest_status, expected):
    root = _fake_checkout(tmp_path, pytest_status)
    proc = subprocess.run(["bash", str(root / "scripts" / "test"), "-k", "x"], capture_output=True, text=True)
    assert proc.returncode == expected, proc
    assert ("no test ran; failing" in proc.stderr) == (pytest_status == 5), proc.stderr
    pytest_call = [line for line in (root / "calls").read_text().splitlines() if line.startswith("-m pytest")]
    assert pytest_call == ["-m pytest -q -ra --slow-lines 3 --durations 15 -k x"]


SUITE = {
    "conftest.py": "from tests.conftest import pytest_addoption, pytest_configure  # noqa: F401\n",
    "pytest.ini": "[pytest]\nmarkers =\n    slow: slow\n",
    "test_progress.py": textwrap.dedent(
        """
        import time
        import pytest

        def test_quick():
            pass

        def test_takes_a_while():
            time.sleep(0.4)

        @pytest.mark.slow
        def test_marked_slow():
            time.sleep(0.4)

        @pytest.mark.slow
        def test_marked_slow_but_quick():
            pass

        def test_fails_slowly():
            time.sleep(0.4)
            assert False

        @pytest.fixture
        def slow_fixture():
            time.sleep(0.4)
            yield

        def test_slow_in_setup(slow_fixture):
            pass
        """
    ),
}


def test_slow_tests_get_a_line_as_they_finish_and_marked_ones_as_they_start(tmp_path):
    for name, text in SUITE.items():
        (tmp_path / name).write_text(text)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--slow-lines", "0.3", "test_progress.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    rows = [re.match(r" *(\d+\.\d)s  (\w+) +test_progress\.py::(\w+)  \[(\d)/6\]$", line) for line in lines]
    found = [(m.group(2), m.group(3), m.group(4)) for m in rows if m]
    assert found == [
        ("PASSED", "test_takes_a_while", "2"),
        ("PASSED", "test_marked_slow", "3"),
        ("PASSED", "test_marked_slow_but_quick", "4"),
        ("FAILED", "test_fails_slowly", "5"),
        ("PASSED", "test_slow_in_setup", "6"),
    ], proc.stdout
    assert all(float(m.group(1)) >= 0.3 for m in rows if m and m.group(3) != "test_marked_slow_but_quick")
    for name, row in (("test_marked_slow", 3), ("test_marked_slow_but_quick", 4)):
        start = next(i for i, line in enumerate(lines) if f"running  test_progress.py::{name} (marked slow)" in line)
        finish = next(i for i, line in enumerate(lines) if f"test_progress.py::{name}  [{row}/6]" in line)
        assert start < finish
    assert "test_quick" not in proc.stdout.split("= FAILURES =")[0]
