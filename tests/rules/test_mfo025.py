"""MFO025 manual-retry-loop: a step re-run in the extension's own loop (preview)."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.core.settings import Settings
from mfok_lint.lint.check import lint_text
from tests.rules.conftest import Invalid, Valid, lint, rule_cases

RULE = "MFO025"
PATH = "metaflow_extensions/acme/plugins/acme/acme_worker.py"


FOR_RANGE = """
import subprocess
import sys


def run_step(flow_file, step_name, run_id, max_retries):
    for attempt in range(max_retries + 1):
        cmd = [sys.executable, flow_file, "--quiet", "step", step_name, "--run-id", run_id,
               "--task-id", "1", "--retry-count", str(attempt)]
        if subprocess.run(cmd).returncode == 0:
            break
    else:
        raise RuntimeError("step failed")
"""

WHILE_LOOP = """
import subprocess
import sys


def run_step(flow_file, step_name, run_id, retries):
    tries = 0
    while tries <= retries:
        cmd = [sys.executable, flow_file, "--quiet", "step", step_name, "--run-id", run_id, "--task-id", "1"]
        proc = subprocess.Popen(cmd)
        if proc.wait() == 0:
            return
        tries += 1
"""

GENERATED = '''
def render(step_cmd_list):
    return """
def run(run_id):
    for retry_count in range(max_retries + 1):
        step_cmd = {step_cmd_list}
        result = subprocess.run(top_cmd + step_cmd, capture_output=True, text=True)
        if result.returncode == 0:
            break
""".format(step_cmd_list=step_cmd_list)


STEP = ["python", "flow.py", "--quiet", "step", "start", "--run-id", "1", "--task-id", "1"]
'''


INVALID = [
    Invalid(FOR_RANGE, rows=[7], path=PATH, why="for-range"),
    Invalid(WHILE_LOOP, rows=[8], path=PATH, why="while"),
    Invalid(GENERATED, rows=[5], path=PATH, why="generated"),
]

VALID = [
    # scheduler API calls retried, no step command in the file
    Valid(
        "import subprocess\n\n\ndef gh(args):\n    for attempt in range(3):\n"
        "        if subprocess.run(['gh'] + args).returncode == 0:\n            break\n",
        path=PATH, why="no-step-command",
    ),
    # a loop over foreach splits, not retries
    Valid(
        FOR_RANGE.replace("for attempt in range(max_retries + 1)", "for split in range(max_retries + 1)").replace(
            "str(attempt)", "str(split)"
        ),
        path=PATH, why="not-a-retry-variable",
    ),
    # the attempt number comes from the scheduler: no loop
    Valid(
        "import subprocess\nimport sys\n\n\ndef run_step(flow_file, retry_count):\n"
        "    cmd = [sys.executable, flow_file, '--quiet', 'step', 'a', '--run-id', '1', '--task-id', '1',\n"
        "           '--retry-count', str(retry_count)]\n    subprocess.run(cmd, check=True)\n",
        path=PATH, why="native-retry",
    ),
    # polling loop that launches nothing
    Valid(
        "import sys, time\n\n"
        "CMD = [sys.executable, 'f.py', '--quiet', 'step', 'a', '--run-id', '1', '--task-id', '1']\n\n\n"
        "def wait(client, attempts):\n    for attempt in range(attempts):\n"
        "        if client.done():\n            break\n"
        "        time.sleep(1)\n",
        path=PATH, why="no-launch",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


@pytest.mark.parametrize(
    "source, header",
    [(FOR_RANGE, "attempt"), (WHILE_LOOP, "tries <= retries"), (GENERATED, "retry_count")],
    ids=["for-range", "while", "generated"],
)
def test_retry_loop_is_reported_at_its_header_as_a_preview_finding(source, header):
    text = textwrap.dedent(source)
    found = lint(source, RULE, path=PATH)  # an explicit selection enables preview rules
    assert len(found) == 1, found
    row, col = found[0].location.row, found[0].location.column
    assert text.splitlines()[row - 1][col - 1:].startswith(header)
    assert found[0].preview


def test_preview_rule_is_off_without_preview():
    found = lint_text(textwrap.dedent(FOR_RANGE), path=PATH, settings=Settings(select=["MFO"], preview=False))
    assert [d for d in found if d.code == RULE] == []
