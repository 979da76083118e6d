"""MFO028 environment-decorator-ignored: package-directory scope, on real files.

A case lints one text where no directory exists (the rule then sees a lone file); what siblings do is checked on
disk, in a plugin directory written under ``tmp_path``.
"""

from __future__ import annotations

import pytest

from tests.rules.conftest import Invalid, Valid, lint, rule_cases

RULE = "MFO028"
PLUGIN = "metaflow_extensions/acme/plugins/acme/"

COMPILER = '''
class AcmeCompiler:
    def step_command(self, node, run_id):
        cmd = ["python", self.flow_file, "--quiet", "--environment", self.environment_type]
        cmd += ["step", node.name, "--run-id", run_id, "--task-id", "1", "--input-paths", self.inputs(node)]
        return cmd
'''

HANDLES_ENV = '''
def step_env(node):
    env = {}
    for deco in node.decorators:
        if deco.name == "environment":
            env.update(deco.attributes.get("vars") or {})
    return env
'''

INVALID = [
    # at the command's `step` token, not at the class nor at `return cmd`
    Invalid(
        COMPILER, rows=[5], message="@environment(vars=...)", path=PLUGIN + "acme_compiler.py",
        why="a compiler without environment handling",
    ),
    Invalid(
        COMPILER + '\n# TODO: if deco.name == "environment": apply attributes["vars"]\n',
        rows=[5], path=PLUGIN + "acme_compiler.py", why="a comment in the file does not count",
    ),
    Invalid(
        '''
        class AcmeCompiler:
            def block_command(self, step_name, extra_args=None):
                cmd = ["python", self.flow_file]
                if self.branch:
                    cmd += ["--branch", self.branch]
                cmd += ["step", step_name]
                for tag in self.tags:
                    cmd += ["--tag", tag]
                cmd += ["--run-id", "{{ env_vars.RUN_ID }}"]
                cmd += ["--task-id", "{{ env_vars.TASK_ID }}"]
                if extra_args:
                    cmd += extra_args
                return cmd
        ''',
        rows=[7], path=PLUGIN + "acme_compiler.py", why="step token rows above the return",
    ),
    Invalid(
        '''
        def script(flow_file, step_name):
            return f"python {flow_file} --quiet --no-pylint step {step_name} --run-id $RUN_ID --task-id 1"
        ''',
        rows=[3], path=PLUGIN + "acme_script.py", why="a generated shell step command",
    ),
    Invalid(
        '''
        def emit_runner(out):
            out.emit("def run_step(name, run_id, task_id, paths):")
            out.indent()
            out.emit("cmd = [sys.executable, FLOW_FILE, '--no-pylint',")
            out.emit("    'step', name, '--run-id', run_id, '--task-id', task_id,")
            out.emit("    '--input-paths', paths]")
            out.emit("subprocess.run(cmd, check=True, env=dict(os.environ))")
            out.dedent()
        ''',
        rows=[6], path=PLUGIN + "acme_codegen.py", why="generated code written one emit call per line",
    ),
]

VALID = [
    # handling in the same file
    Valid(COMPILER + HANDLES_ENV, path=PLUGIN + "acme_compiler.py", why="name-and-vars"),
    Valid(
        COMPILER + "from metaflow.plugins.environment_decorator import EnvironmentDecorator\n",
        path=PLUGIN + "acme_compiler.py", why="class-import",
    ),
    Valid(
        COMPILER
        + 'def env(node):\n    return [d for d in node.decorators if "environment" == d.name][0].attributes["vars"]\n',
        path=PLUGIN + "acme_compiler.py", why="reversed-comparison",
    ),
    Valid(
        COMPILER
        + "def apply(node, args):\n    for d in node.decorators:\n        d.runtime_step_cli(args, 0, 0, None)\n",
        path=PLUGIN + "acme_compiler.py", why="hook-call",
    ),
    # not reported without a step command
    # No step command: a deployer module, a client.
    Valid(
        "def create(flow):\n    return {'name': flow.name, 'env': {'A': '1'}}\n",
        path=PLUGIN + "acme_deployer.py", why="no-command",
    ),
    # Prose mentioning the step command.
    Valid(
        '"""Runs `python flow.py step start --run-id 1` per task."""\nX = 1\n',
        path=PLUGIN + "acme_deployer.py", why="docstring",
    ),
    # Prose that the command model reads as words around "step": no Metaflow option on its proper side.
    Valid(
        'def note():\n    return "step commands carry --environment conda; the live run needs micromamba"\n',
        path=PLUGIN + "acme_deployer.py", why="prose",
    ),
    # An init command only: @environment applies to steps.
    Valid(
        "def init_cmd(f):\n    return ['python', f, '--quiet', 'init', '--run-id', 'r', '--task-id', 'params']\n",
        path=PLUGIN + "acme_deployer.py", why="init-only",
    ),
    Valid(COMPILER, path="tests/test_commands.py", why="test modules are not compilers"),
]

test_cases = rule_cases(RULE, VALID, INVALID)


@pytest.fixture
def plugin_files():
    """A plugin directory on disk: its ``__init__.py`` and the compiler."""
    return {PLUGIN + "__init__.py": "", PLUGIN + "acme_compiler.py": COMPILER}


def test_compiler_in_a_plugin_directory_is_reported(tmp_path, plugin_files):
    (found,) = lint(plugin_files, RULE, root=tmp_path)
    assert "@environment(vars=...)" in found.message
    assert (found.location.row, found.location.column) == (5, 17)  # the `step` token, not the class nor the return


def test_handling_in_a_sibling_module(tmp_path, plugin_files):
    plugin_files[PLUGIN + "_graph.py"] = HANDLES_ENV
    assert lint(plugin_files, RULE, root=tmp_path) == []


def test_sibling_comment_or_other_directory_does_not_count(tmp_path, plugin_files):
    plugin_files[PLUGIN + "_graph.py"] = '# if deco.name == "environment": use deco.attributes["vars"]\n'
    plugin_files["metaflow_extensions/acme/plugins/other/envs.py"] = HANDLES_ENV
    assert len(lint(plugin_files, RULE, root=tmp_path)) == 1
