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


# ---- progress a person can read ----------------------------------------------------------------------------------
# `pytest -q` prints one dot per test; through the suite's slow tests (real installs, pre-commit, flake8, schedulers)
# that is minutes without a word. With --slow-lines SECONDS (scripts/test passes it) each test that takes that long
# gets a line as it finishes (duration, outcome, name, how far the run is), and a test marked slow is named as it
# starts (and gets its finishing line however long it took), so a long wait has a name on the screen.


def pytest_addoption(parser):
    parser.getgroup("mfok").addoption(
        "--slow-lines",
        type=float,
        default=None,
        metavar="SECONDS",
        help="print a line for each test that takes SECONDS or more (setup, call and teardown) as it finishes, "
        "and name each test marked slow as it starts",
    )


def pytest_configure(config):
    threshold = config.getoption("slow_lines")
    if threshold is not None:
        config.pluginmanager.register(SlowLines(config, threshold), "mfok-slow-lines")


class SlowLines:
    def __init__(self, config, threshold: float) -> None:
        self.config = config
        self.threshold = threshold
        self.items = {}
        self.spent = {}
        self.outcome = {}
        self.finished = 0

    def _write(self, line: str) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is None:
            return
        if reporter._tw.width_of_current_line:  # a line of dots: ours goes below it
            reporter.write("\n")
        reporter.write_line(line)

    def pytest_collection_finish(self, session):
        self.items = {item.nodeid: item for item in session.items}

    def pytest_runtest_logstart(self, nodeid, location):
        item = self.items.get(nodeid)
        if item is not None and item.get_closest_marker("slow") is not None:
            self._write(f"{'':>8}  running  {nodeid} (marked slow) ...")

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report):
        self.spent[report.nodeid] = self.spent.get(report.nodeid, 0.0) + report.duration
        if report.failed:
            self.outcome[report.nodeid] = "FAILED" if report.when == "call" else "ERROR"
        elif report.skipped and report.nodeid not in self.outcome:
            self.outcome[report.nodeid] = "SKIPPED"
        if report.when != "teardown":
            return
        self.finished += 1
        spent = self.spent.pop(report.nodeid)
        outcome = self.outcome.pop(report.nodeid, "PASSED")
        marked = report.nodeid in self.items and self.items[report.nodeid].get_closest_marker("slow") is not None
        if spent >= self.threshold or marked:  # a test named as it started is also named as it ends
            width = len(str(len(self.items)))
            self._write(f"{spent:7.1f}s  {outcome:<7}  {report.nodeid}  [{self.finished:>{width}}/{len(self.items)}]")
