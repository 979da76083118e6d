"""MFO054 numeric-id-unregistered: a step's or init's `--task-id`/`--run-id` must not be a made-up number."""

from __future__ import annotations

from tests.rules.conftest import Invalid, Valid, rule_cases

RULE = "MFO054"

SCRIPT = """
STEP_SCRIPT = '''#!/bin/bash
set -e
RUN_ID=$(cat /tmp/acme_run_id)
RETRY_COUNT="${{ACME_ATTEMPT:-0}}"
{step_cmd} --run-id "$RUN_ID" --task-id TASK --retry-count "$RETRY_COUNT" --input-paths "$INPUT_PATHS"
'''


def render(step_cmd):
    return STEP_SCRIPT.format(step_cmd=step_cmd)
"""

INIT = '''
def init_command(flow_file):
    cmd = "python " + flow_file + " --quiet --metadata=local"
    cmd += " init --run-id $RUN_ID --task-id TASK"
    return cmd
'''

ARGV = '''
def step_argv(flow_file, step, run_id, paths):
    task_id = TASK
    return ["python", flow_file, "step", step, "--run-id", run_id, "--task-id", task_id, "--input-paths", paths]
'''

VALID = [
    Valid(SCRIPT.replace("TASK", "acme-1"), why="a non-numeric id is registered as new"),
    Valid(SCRIPT.replace("TASK", '"$ACME_TASK_ID"'), why="an id the scheduler provides at run time"),
    Valid(INIT.replace("TASK", "acme-params"), why="init with a non-numeric task id"),
    Valid(ARGV.replace("TASK", '"acme-%s" % step'), why="a prefixed id"),
    Valid('''
HELP = "Pass --max-workers 1 to run one task at a time."
''', why="no id option"),
]

INVALID = [
    Invalid(SCRIPT.replace("TASK", "1"), rows=[6], message="`--task-id 1` is a numeric id the extension made up",
            no_fix=True, why="a bash template running every step as task 1"),
    Invalid(INIT.replace("TASK", "1"), rows=[4], why="init given task id 1"),
    Invalid(ARGV.replace("TASK", '"1"'), rows=[4], message="`--task-id 1`",
            why="an argv list whose task id is a constant number"),
    Invalid(INIT.replace("--run-id $RUN_ID", "--run-id=0").replace("TASK", "acme-params"), rows=[4],
            message="`--run-id 0`", why="a constant numeric run id"),
]

test_cases = rule_cases(RULE, VALID, INVALID)
