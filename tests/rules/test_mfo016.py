"""MFO016 params-not-forwarded-to-init: the init command receives the flow's Parameters."""

from __future__ import annotations

from tests.rules.conftest import Invalid, Valid, rule_cases

RULE = "MFO016"

INVALID = [
    Invalid(
        """
        def init_cmd(run_id, parameters):
            return ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "params"]
        """,
        rows=[3], message="Parameters", why="list",
    ),
    Invalid(
        '''
        INIT = """#!/bin/bash
        python3 {flow_file} --quiet --metadata local init --run-id "$RUN_ID" --task-id params --tag x
        """
        ''',
        rows=[3], message="Parameters", why="shell",
    ),
    Invalid(
        """
        def init_cmd(run_id, parameters, env):
            for name, value in parameters.items():
                env["METAFLOW_PARAMETER_" + name.upper()] = value
            return ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "params"]
        """,
        rows=[5], message="Parameters", why="fictional-env-name-does-not-count",
    ),
    Invalid(
        """
        def init_cmd(run_id, env):
            env["METAFLOW_INIT_SCRIPT"] = "echo hi"
            return ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "params"]
        """,
        rows=[4], message="Parameters", why="sandbox-init-script-does-not-count",
    ),
]

VALID = [
    Valid(
        """
        def init_cmd(run_id, parameters):
            cmd = ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "params"]
            for name, value in parameters.items():
                cmd += ["--%s" % name, str(value)]
            return cmd
        """,
        why="named-options-in-the-command",
    ),
    Valid(
        """
        def init_cmd(run_id, alpha):
            return ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "p", "--alpha", alpha]
        """,
        why="literal-parameter-option",
    ),
    Valid(
        """
        def init_cmd(run_id, param_args):
            return ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "p", *param_args]
        """,
        why="splat",
    ),
    Valid(
        """
        def init_cmd(run_id, parameters, env):
            for name, value in parameters.items():
                env["METAFLOW_INIT_%s" % name.upper()] = str(value)
            return ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "params"]
        """,
        why="init-env-vars",
    ),
    Valid(
        """
        def init_cmd(run_id, parameters, env):
            env["METAFLOW_PARAMETERS"] = json.dumps(parameters)
            return ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "params"]
        """,
        why="metaflow-parameters-plumbing",
    ),
    Valid(
        """
        def init_lines(spec):
            lines = ['_init_cmd = [sys.executable, FLOW_FILE, "--quiet", "init", "--run-id", rid, "--task-id", "p"]']
            for p in spec.parameters:
                lines.append(f'_init_cmd += ["--{p.name}", str(_param_{p.name})]')
            return lines
        """,
        why="options-built-in-a-separate-generated-line",
    ),
    Valid(
        """
        def step_cmd(step, run_id):
            return ["python", "flow.py", "--quiet", "step", step, "--run-id", run_id, "--task-id", "1"]
        """,
        why="step-not-judged",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)
