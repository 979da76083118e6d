import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "acme_orchestrator"
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """A console script installed next to the running interpreter (the project's own virtualenv)."""
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed; run the suite through scripts/test, which installs it")
    return found


@pytest.fixture
def example_copy(tmp_path):
    """A private copy of the shipped buggy example extension."""
    dest = tmp_path / "acme_orchestrator"
    shutil.copytree(EXAMPLE, dest)
    return dest


@pytest.fixture(autouse=True)
def _no_user_config(monkeypatch):
    monkeypatch.delenv("MFOK_LINT_OUTPUT_FORMAT", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
