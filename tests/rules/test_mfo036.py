"""MFO036 worker-child-outlives-sigterm: a worker program whose step child survives the worker's SIGTERM."""

from __future__ import annotations

import textwrap

from tests.rules.conftest import Invalid, Valid, lint, passes_prefilter, rule_cases

RULE = "MFO036"
PATH = "metaflow_extensions/acme/plugins/acme/acme_worker.py"

STEP_CMD = """
    cmd = [sys.executable, flow_file, "--quiet", "--metadata", "local", "step", step_name,
           "--run-id", run_id, "--task-id", task_id, "--input-paths", input_paths]
"""


def _with_step(source: str) -> str:
    return textwrap.dedent(source).replace("    <<STEP>>\n", textwrap.indent(textwrap.dedent(STEP_CMD), "    "))


# The shape of metaflow-dagster's `_communicate`/`_run_cmd` (kill on any exception), here in a plain program:
# inside Dagster the runtime turns SIGTERM into KeyboardInterrupt, in a program of its own nothing does.
COMMUNICATE_PROGRAM = """
import subprocess
import sys


def _communicate(proc):
    try:
        return proc.communicate()
    except BaseException:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        raise


def run_task(flow_file, step_name, run_id, task_id, input_paths):
    <<STEP>>
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = _communicate(proc)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(run_task(*sys.argv[1:6]))
"""

RUN_PROGRAM = """
import subprocess
import sys


def run_task(flow_file, step_name, run_id, task_id, input_paths):
    <<STEP>>
    return subprocess.run(cmd, check=True).returncode


def main():
    run_task(*sys.argv[1:6])


if __name__ == "__main__":
    main()
"""

# metaflow-flyte's generated `_run_cmd` forwards SIGTERM/SIGINT to the child while it waits.
FORWARDING_HANDLER = """
import signal
import subprocess
import sys


def run_task(flow_file, step_name, run_id, task_id, input_paths):
    <<STEP>>
    proc = subprocess.Popen(cmd)
    def _forward(sig, _frame):
        proc.send_signal(sig)
    _prev_term = signal.signal(signal.SIGTERM, _forward)
    try:
        proc.wait()
    finally:
        signal.signal(signal.SIGTERM, _prev_term)


if __name__ == "__main__":
    run_task(*sys.argv[1:6])
"""

# metaflow-temporal's worker main: a loop over the signals, handlers on the event loop.
LOOP_HANDLERS = """
import asyncio
import signal
import sys


async def run_task(flow_file, step_name, run_id, task_id, input_paths):
    <<STEP>>
    proc = await asyncio.create_subprocess_exec(*cmd)
    try:
        await proc.wait()
    except BaseException:
        proc.kill()
        raise


async def main():
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await run_task(*sys.argv[1:6])


if __name__ == "__main__":
    asyncio.run(main())
"""

# metaflow-prefect's generated flow module: the task body runs under Prefect's engine, which owns the signals.
RUNTIME_DECORATED = """
import subprocess
import sys
from prefect import flow, task


@task
def run_task(flow_file, step_name, run_id, task_id, input_paths):
    <<STEP>>
    subprocess.run(cmd, check=True)


@flow
def hello_flow():
    run_task("flow.py", "start", "1", "2", "1/_parameters/0")


if __name__ == "__main__":
    hello_flow()
"""

# metaflow-kestra's step script: module-level code run by the scheduler's own process runner, no program guard.
MODULE_LEVEL_SCRIPT = '''
SCRIPT = """\\
import subprocess, sys
cmd = [sys.executable, "flow.py", "--quiet", "step", "start", "--run-id", "1", "--task-id", "2",
       "--input-paths", "1/_parameters/0"]
result = subprocess.run(cmd, capture_output=True, text=True)
if result.returncode != 0:
    raise RuntimeError(result.stderr)
"""
'''

GENERATED_PROGRAM = '''
SCRIPT = """\\
import subprocess, sys


def main():
    cmd = [sys.executable, "flow.py", "--quiet", "step", "start", "--run-id", "1", "--task-id", "2",
           "--input-paths", "1/_parameters/0"]
    sys.exit(subprocess.call(cmd))


if __name__ == "__main__":
    main()
"""
'''

# metaflow-gha's worker loop: the wait is not even protected against exceptions; MFO022 reports it.
UNPROTECTED_WAIT = """
import subprocess
import sys


def run_task(flow_file, step_name, run_id, task_id, input_paths):
    <<STEP>>
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    for line in proc.stdout:
        print(line)
    proc.wait()


if __name__ == "__main__":
    run_task(*sys.argv[1:6])
"""

CLICK_PROGRAM = """
import subprocess
import sys

from metaflow._vendor import click


@click.group()
def cli():
    pass


@cli.command()
@click.argument("step_name")
def worker(step_name):
    flow_file, run_id, task_id, input_paths = "flow.py", "1", "2", "1/_parameters/0"
    <<STEP>>
    subprocess.check_call(cmd)


if __name__ == "__main__":
    cli()
"""

VALID = [
    Valid(_with_step(FORWARDING_HANDLER), path=PATH, why="SIGTERM forwarded to the child (metaflow-flyte)"),
    Valid(_with_step(LOOP_HANDLERS), path=PATH, why="loop.add_signal_handler over SIGTERM (metaflow-temporal)"),
    Valid(_with_step(RUNTIME_DECORATED), path=PATH, why="task body under a scheduler runtime (metaflow-prefect)"),
    Valid(MODULE_LEVEL_SCRIPT, path=PATH, why="generated script without a program guard (metaflow-kestra)"),
    Valid(_with_step(UNPROTECTED_WAIT), path=PATH, why="unprotected wait is MFO022's finding (metaflow-gha)"),
    Valid(
        _with_step(COMMUNICATE_PROGRAM).replace("if __name__", "if False and __name__"),
        path=PATH,
        why="no program guard: a function the scheduler imports",
    ),
    Valid(
        _with_step(RUN_PROGRAM).replace(
            "subprocess.run(cmd, check=True)", "subprocess.run(cmd, check=True, preexec_fn=set_pdeathsig)"
        ),
        path=PATH,
        why="preexec_fn: PR_SET_PDEATHSIG",
    ),
    Valid(
        _with_step(RUN_PROGRAM).replace("def main():\n", "def main():\n    setup_interrupt_handlers()\n"),
        path=PATH,
        why="an imported handler installer",
    ),
    Valid(
        _with_step(RUN_PROGRAM).replace("return subprocess.run(cmd, check=True).returncode", "os.execv(cmd[0], cmd)"),
        path=PATH,
        why="os.execv: the wrapper becomes the step",
    ),
    Valid(
        """
        import subprocess
        import sys

        if __name__ == "__main__":
            subprocess.run([sys.executable, "-m", "pip", "install", "-r", "requirements.txt"], check=True)
        """,
        path=PATH,
        why="not a step command",
    ),
]

INVALID = [
    Invalid(_with_step(COMMUNICATE_PROGRAM), rows=[23], message="does not handle `SIGTERM`", path=PATH,
            why="kill on exception only (metaflow-dagster's shape, outside Dagster)"),
    Invalid(_with_step(RUN_PROGRAM), rows=[10], message="`subprocess.run()`", path=PATH, why="subprocess.run reached through main()"),
    Invalid(
        _with_step(RUN_PROGRAM).replace(
            "def main():\n", "def main():\n    signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        ),
        rows=[10],
        path=PATH,
        why="a SIGINT handler does not cover SIGTERM",
    ),
    Invalid(
        _with_step(RUN_PROGRAM).replace(
            "def main():\n", "def main():\n    signal.signal(signal.SIGTERM, signal.SIG_DFL)\n"
        ),
        rows=[10],
        path=PATH,
        why="SIG_DFL is the default action",
    ),
    Invalid(
        _with_step(LOOP_HANDLERS).replace("    for sig in (signal.SIGTERM, signal.SIGINT):\n        loop.add_signal_handler(sig, stop.set)\n", ""),
        rows=[11],
        message="`asyncio.create_subprocess_exec()`",
        path=PATH,
        why="asyncio program, cancellation handled, SIGTERM not",
    ),
    Invalid(GENERATED_PROGRAM, rows=[9], message="Generated code: ", path=PATH, why="emitted worker program"),
    Invalid(_with_step(CLICK_PROGRAM), rows=[20], message="`subprocess.check_call()`", path=PATH, why="click command of the program"),
    Invalid(
        _with_step(RUN_PROGRAM).replace(
            "return subprocess.run(cmd, check=True).returncode", 'return os.system(" ".join(cmd))'
        ),
        rows=[10],
        message="`os.system()`",
        path=PATH,
        why="os.system",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_mfo022_and_mfo036_never_share_a_launch():
    both = lint(_with_step(UNPROTECTED_WAIT), ["MFO022", "MFO036"], path=PATH)
    assert [d.code for d in both] == ["MFO022"]
    both = lint(_with_step(COMMUNICATE_PROGRAM), ["MFO022", "MFO036"], path=PATH)
    assert [d.code for d in both] == ["MFO036"]


def test_prefilter_needs_a_program_guard_and_a_launch():
    assert passes_prefilter(RULE, _with_step(RUN_PROGRAM), path=PATH)
    assert not passes_prefilter(RULE, _with_step(RUN_PROGRAM).replace("__main__", "__acme__"), path=PATH)
    assert not passes_prefilter(
        RULE, 'if __name__ == "__main__":\n    cmd = ["python", "flow.py", "step", "start"]\n', path=PATH
    )
