"""MFO028 environment-decorator-ignored: package-directory scope, on real files."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text

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


@pytest.fixture
def plugin_dir(tmp_path):
    package = tmp_path / "metaflow_extensions" / "acme" / "plugins" / "acme"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    return package


def lint(path, source):
    path.write_text(textwrap.dedent(source))
    return [d for d in lint_text(path.read_text(), path=str(path), select=["MFO028"]) if d.code == "MFO028"]


def test_compiler_without_environment_handling_is_reported(plugin_dir):
    (found,) = lint(plugin_dir / "acme_compiler.py", COMPILER)
    assert "@environment(vars=...)" in found.message
    assert found.location.row in (4, 5, 6)  # where the step command is built, not the class


@pytest.mark.parametrize(
    "handling",
    [
        HANDLES_ENV,
        "from metaflow.plugins.environment_decorator import EnvironmentDecorator\n",
        'def env(node):\n    return [d for d in node.decorators if "environment" == d.name][0].attributes["vars"]\n',
        "def apply(node, args):\n    for d in node.decorators:\n        d.runtime_step_cli(args, 0, 0, None)\n",
    ],
    ids=["name-and-vars", "class-import", "reversed-comparison", "hook-call"],
)
def test_handling_in_the_same_file(plugin_dir, handling):
    assert lint(plugin_dir / "acme_compiler.py", COMPILER + handling) == []


def test_handling_in_a_sibling_module(plugin_dir):
    (plugin_dir / "_graph.py").write_text(HANDLES_ENV)
    assert lint(plugin_dir / "acme_compiler.py", COMPILER) == []


def test_sibling_comment_or_other_directory_does_not_count(plugin_dir):
    (plugin_dir / "_graph.py").write_text('# if deco.name == "environment": use deco.attributes["vars"]\n')
    other = plugin_dir.parent / "other"
    other.mkdir()
    (other / "envs.py").write_text(HANDLES_ENV)
    assert len(lint(plugin_dir / "acme_compiler.py", COMPILER)) == 1


def test_comment_in_the_file_does_not_count(plugin_dir):
    source = COMPILER + '\n# TODO: if deco.name == "environment": apply attributes["vars"]\n'
    assert len(lint(plugin_dir / "acme_compiler.py", source)) == 1


def test_generated_shell_step_command_is_reported(plugin_dir):
    source = '''
    def script(flow_file, step_name):
        return f"python {flow_file} --quiet --no-pylint step {step_name} --run-id $RUN_ID --task-id 1"
    '''
    assert len(lint(plugin_dir / "acme_script.py", source)) == 1


@pytest.mark.parametrize(
    "source",
    [
        # No step command: a deployer module, a client.
        "def create(flow):\n    return {'name': flow.name, 'env': {'A': '1'}}\n",
        # Prose mentioning the step command.
        '"""Runs `python flow.py step start --run-id 1` per task."""\nX = 1\n',
        # Prose that the command model reads as words around "step": no Metaflow option on its proper side.
        'def note():\n    return "step commands carry --environment conda; the live run needs micromamba"\n',
        # An init command only: @environment applies to steps.
        "def init_cmd(f):\n    return ['python', f, '--quiet', 'init', '--run-id', 'r', '--task-id', 'params']\n",
    ],
    ids=["no-command", "docstring", "prose", "init-only"],
)
def test_not_reported_without_step_command(plugin_dir, source):
    assert lint(plugin_dir / "acme_deployer.py", source) == []


def test_test_modules_are_not_compilers(tmp_path):
    tests_dir = tmp_path / "tests"
    tests_dir.mkdir()
    assert lint(tests_dir / "test_commands.py", COMPILER) == []
