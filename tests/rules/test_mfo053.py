"""MFO053 empty-namespace-option: a step's `--namespace` must not fall back to an empty string."""

from __future__ import annotations

from tests.rules.conftest import Invalid, Valid, rule_cases

RULE = "MFO053"

CLI_ARGS = '''
from metaflow.runtime import CLIArgs


class AcmeTaskRunner:
    def step_args(self, step, run_id, task_id, paths, retry):
        args = CLIArgs(step)
        args.command_options["run-id"] = run_id
        args.command_options["task-id"] = task_id
        args.command_options["input-paths"] = paths
        args.command_options["retry-count"] = retry
        args.command_options["namespace"] = {value}
        return args.get_args()
'''

GENERATED = '''
OP_TEMPLATE = """
def op_{name}(context, run_id, parent):
    cli = CLIArgs(None)
    cli.command_options = {{
        "run-id": run_id,
        "task-id": parent.next_task_id(),
        "input-paths": parent.path,
        "namespace": {value},
    }}
    return cli
"""


def render(step):
    return OP_TEMPLATE.format(name=step.name)
'''

VALID = [
    Valid(CLI_ARGS.replace("{value}", "self.namespace"), why="the namespace the user gave, None when none"),
    Valid(CLI_ARGS.replace("{value}", "self.namespace or None"), why="None is dropped by dict_to_cli_options"),
    Valid(CLI_ARGS.replace("{value}", 'get_namespace() or ""'),
          why="the runtime's own value: empty only when the deploying process is in the global namespace"),
    Valid('''
def options(spec):
    # not a step's options: no run-id/task-id beside it
    return {"namespace": spec.namespace or "", "image": spec.image}
''', why="a dict that is not a step's option set"),
    Valid(GENERATED.replace("{value}", 'next((a for a in TOP_ARGS if a.startswith("--namespace=")), None)'), why="the generated fallback is None"),
    Valid('''
def step_command(step, run_id, namespace):
    cmd = ["python", "flow.py", "step", step, "--run-id", run_id]
    if namespace:
        cmd += ["--namespace", namespace]
    return cmd
''', why="the option is left out when no namespace was given"),
]

INVALID = [
    Invalid(CLI_ARGS.replace("{value}", 'self.namespace or spec.namespace or ""'), rows=[12],
            message='`--namespace` falls back to `""`', no_fix=True, why="an or-chain ending in an empty string"),
    Invalid(CLI_ARGS.replace("{value}", 'self.namespace if self.namespace else ""'), rows=[12],
            why="a conditional with an empty branch"),
    Invalid(CLI_ARGS.replace('        args = CLIArgs(step)\n',
                             '        args = CLIArgs(step)\n        ns = self.options.get("namespace", "")\n')
            .replace("{value}", "ns"), rows=[8], why="a local whose one assignment falls back to an empty string"),
    Invalid('''
def step_command(step, run_id, namespace=None):
    return ["python", "flow.py", "step", step, "--run-id", run_id, "--namespace", namespace or ""]
''', rows=[3], why="an argv list holding the step command"),
    Invalid(GENERATED.replace("{value}", 'next((a for a in TOP_ARGS if a.startswith("--namespace=")), "")'), rows=[9],
            message='Generated code: `--namespace` falls back to `""`',
            why="generated code whose next(...) falls back to an empty string"),
]

test_cases = rule_cases(RULE, VALID, INVALID)
