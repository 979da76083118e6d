"""Fixtures for the command-line tests: every test drives the real ``mfok-lint`` entry point."""

import pytest
from cli_support import run_mfok


@pytest.fixture
def mfok(tmp_path):
    def runner(*args: str, **kwargs):
        kwargs.setdefault("cwd", tmp_path)
        return run_mfok(*args, **kwargs)

    return runner
