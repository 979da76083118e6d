"""MFO022 step-subprocess-orphan: step children left running when the waiting code is interrupted."""

from __future__ import annotations

import textwrap

import pytest

from tests.rules.conftest import Invalid, Valid, lint, rule_cases

RULE = "MFO022"
PATH = "metaflow_extensions/acme/plugins/acme/acme_worker.py"

STEP_CMD = """
    cmd = [sys.executable, flow_file, "--quiet", "--metadata", "local", "step", step_name,
           "--run-id", run_id, "--task-id", task_id, "--retry-count", "0"]
"""


def _with_step(source: str) -> str:
    """The module with its ``<<STEP>>`` line replaced by the step command."""
    return textwrap.dedent(source).replace("    <<STEP>>\n", textwrap.indent(textwrap.dedent(STEP_CMD), "    "))


POPEN_UNPROTECTED = """
import subprocess
import sys


def run_step(flow_file, step_name, run_id, task_id):
    <<STEP>>
    proc = subprocess.Popen(cmd)
    proc.wait()
    return proc.returncode
"""

ASYNC_UNPROTECTED = """
import asyncio
import sys


async def run_step(flow_file, step_name, run_id, task_id):
    <<STEP>>
    proc = await asyncio.create_subprocess_exec(*cmd)
    await proc.communicate()
    return proc.returncode
"""

RUN_IN_ASYNC = """
import subprocess
import sys


async def run_step(flow_file, step_name, run_id, task_id):
    <<STEP>>
    return subprocess.run(cmd, check=True)
"""

RUN_IN_THREAD = """
import asyncio
import subprocess
import sys


async def run_step(flow_file, step_name, run_id, task_id):
    <<STEP>>
    return await asyncio.to_thread(subprocess.run, cmd, check=True)
"""

HELPER_LAUNCH = """
import subprocess
import sys


def _launch(argv):
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE)
    for line in proc.stdout:
        print(line)
    return proc.wait()


def run_step(flow_file, step_name, run_id, task_id):
    <<STEP>>
    return _launch(cmd)
"""

GENERATED = '''
TEMPLATE = """
import subprocess, sys

def run_step(run_id, task_id):
    cmd = [sys.executable, FLOW_FILE, "--quiet", "--metadata", "local", "step", "{step_name}",
           "--run-id", run_id, "--task-id", task_id]
    proc = subprocess.Popen(cmd)
    proc.wait()
"""
'''


INVALID = [
    Invalid(_with_step(POPEN_UNPROTECTED), rows=[10], path=PATH, why="popen"),
    Invalid(_with_step(ASYNC_UNPROTECTED), rows=[10], path=PATH, why="asyncio"),
    Invalid(_with_step(RUN_IN_ASYNC), rows=[10], path=PATH, why="run-in-async-def"),
    Invalid(_with_step(RUN_IN_THREAD), rows=[11], path=PATH, why="to-thread"),
    Invalid(_with_step(HELPER_LAUNCH), rows=[7], path=PATH, why="helper"),
    Invalid(_with_step(GENERATED), rows=[8], path=PATH, why="generated"),
]


@pytest.mark.parametrize(
    "source, snippet",
    [
        (POPEN_UNPROTECTED, "subprocess.Popen(cmd)"),
        (ASYNC_UNPROTECTED, "asyncio.create_subprocess_exec(*cmd)"),
        (RUN_IN_ASYNC, "subprocess.run(cmd, check=True)"),
        (RUN_IN_THREAD, "asyncio.to_thread(subprocess.run, cmd, check=True)"),
        (HELPER_LAUNCH, "subprocess.Popen(argv, stdout=subprocess.PIPE)"),
        (GENERATED, "subprocess.Popen(cmd)"),
    ],
    ids=["popen", "asyncio", "run-in-async-def", "to-thread", "helper", "generated"],
)
def test_report_points_at_the_launch(source, snippet):
    text = _with_step(source)
    found = lint(text, RULE, path=PATH)
    assert len(found) == 1, found
    line = text.splitlines()[found[0].location.row - 1]
    assert line[found[0].location.column - 1:].startswith(snippet)


PROTECTED_POPEN = """
import subprocess
import sys


def run_step(flow_file, step_name, run_id, task_id):
    <<STEP>>
    proc = subprocess.Popen(cmd)
    try:
        proc.communicate()
    except BaseException:
        proc.terminate()
        proc.wait()
        raise
"""

PROTECTED_ASYNC = """
import asyncio
import sys


async def run_step(flow_file, step_name, run_id, task_id):
    <<STEP>>
    proc = await asyncio.create_subprocess_exec(*cmd)
    try:
        await proc.communicate()
    except asyncio.CancelledError:
        proc.kill()
        await proc.wait()
        raise
"""

SIGNAL_FORWARDING = """
import signal
import subprocess
import sys


def run_step(flow_file, step_name, run_id, task_id):
    <<STEP>>
    proc = subprocess.Popen(cmd)

    def forward(sig, frame):
        proc.send_signal(sig)

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        proc.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
"""

HELPER_STOPS = """
import subprocess
import sys


def _communicate(proc):
    try:
        return proc.communicate()
    except BaseException:
        proc.kill()
        raise


def run_step(flow_file, step_name, run_id, task_id):
    <<STEP>>
    proc = subprocess.Popen(cmd)
    _communicate(proc)
    proc.wait()
"""

SYNC_RUN = """
import subprocess
import sys


def run_step(flow_file, step_name, run_id, task_id):
    <<STEP>>
    subprocess.run(cmd, check=True)
"""

NOT_A_STEP = """
import subprocess
import sys


def save_package(flow_file, path):
    cmd = [sys.executable, flow_file, "package", "save", path]
    proc = subprocess.Popen(cmd)
    proc.wait()


async def gh(args):
    return subprocess.run(["gh"] + args, check=True)
"""


VALID = [
    Valid(_with_step(PROTECTED_POPEN), path=PATH, why="popen-handler"),
    Valid(_with_step(PROTECTED_ASYNC), path=PATH, why="async-handler"),
    Valid(_with_step(SIGNAL_FORWARDING), path=PATH, why="signal-forwarding"),
    Valid(_with_step(HELPER_STOPS), path=PATH, why="helper-kills"),
    Valid(_with_step(SYNC_RUN), path=PATH, why="sync-run"),
    Valid(_with_step(NOT_A_STEP), path=PATH, why="not-a-step"),
]

test_cases = rule_cases(RULE, VALID, INVALID)
