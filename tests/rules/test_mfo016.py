"""MFO016 params-not-forwarded-to-init: the init command receives the flow's Parameters."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text

PATH = "metaflow_extensions/acme/plugins/acme/acme_compiler.py"


def lint(source):
    return [d for d in lint_text(textwrap.dedent(source), path=PATH, select=["MFO016"]) if d.code == "MFO016"]


INVALID = {
    "list": """
        def init_cmd(run_id, parameters):
            return ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "params"]
        """,
    "shell": '''
        INIT = """#!/bin/bash
        python3 {flow_file} --quiet --metadata local init --run-id "$RUN_ID" --task-id params --tag x
        """
        ''',
    "fictional-env-name-does-not-count": """
        def init_cmd(run_id, parameters, env):
            for name, value in parameters.items():
                env["METAFLOW_PARAMETER_" + name.upper()] = value
            return ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "params"]
        """,
    "sandbox-init-script-does-not-count": """
        def init_cmd(run_id, env):
            env["METAFLOW_INIT_SCRIPT"] = "echo hi"
            return ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "params"]
        """,
}

VALID = {
    "named-options-in-the-command": """
        def init_cmd(run_id, parameters):
            cmd = ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "params"]
            for name, value in parameters.items():
                cmd += ["--%s" % name, str(value)]
            return cmd
        """,
    "literal-parameter-option": """
        def init_cmd(run_id, alpha):
            return ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "p", "--alpha", alpha]
        """,
    "splat": """
        def init_cmd(run_id, param_args):
            return ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "p", *param_args]
        """,
    "init-env-vars": """
        def init_cmd(run_id, parameters, env):
            for name, value in parameters.items():
                env["METAFLOW_INIT_%s" % name.upper()] = str(value)
            return ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "params"]
        """,
    "metaflow-parameters-plumbing": """
        def init_cmd(run_id, parameters, env):
            env["METAFLOW_PARAMETERS"] = json.dumps(parameters)
            return ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "params"]
        """,
    "options-built-in-a-separate-generated-line": """
        def init_lines(spec):
            lines = ['_init_cmd = [sys.executable, FLOW_FILE, "--quiet", "init", "--run-id", rid, "--task-id", "p"]']
            for p in spec.parameters:
                lines.append(f'_init_cmd += ["--{p.name}", str(_param_{p.name})]')
            return lines
        """,
    "step-not-judged": """
        def step_cmd(step, run_id):
            return ["python", "flow.py", "--quiet", "step", step, "--run-id", run_id, "--task-id", "1"]
        """,
}


@pytest.mark.parametrize("idiom", sorted(INVALID))
def test_init_without_parameters_is_reported(idiom):
    found = lint(INVALID[idiom])
    assert len(found) == 1, [d.message for d in found]
    assert "Parameters" in found[0].message


@pytest.mark.parametrize("idiom", sorted(VALID))
def test_parameter_forwarding_in_any_form_is_not_reported(idiom):
    assert lint(VALID[idiom]) == []
