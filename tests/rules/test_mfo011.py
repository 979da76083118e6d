"""MFO011 option-wrong-side-of-subcommand: group options before `step`/`init`, subcommand options after."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text
from mfok_lint.lint.fixes import fix_text
from tests.rules.fixcheck import apply_one, assert_fix_converges

PATH = "metaflow_extensions/acme/plugins/acme/acme_compiler.py"


def lint(source, path=PATH):
    return [d for d in lint_text(textwrap.dedent(source), path=path, select=["MFO011"]) if d.code == "MFO011"]


INVALID = {
    "tag before step": ('def c(f, s):\n    return ["python", f, "--metadata", "local", "--tag", "x", "step", s, "--run-id", "1"]\n', "--tag"),
    "namespace before step": (
        'def c(f, s, ns):\n    cmd = ["python", f, "--datastore", "local"]\n    if ns:\n        cmd += ["--namespace", ns]\n'
        '    cmd += ["step", s, "--run-id", "1", "--task-id", "2"]\n    return cmd\n',
        "--namespace",
    ),
    "clone-run-id before init": (
        'def c(f, origin):\n    return ["python", f, "--metadata", "local", "--clone-run-id", origin, "init", "--run-id", "1", "--task-id", "p"]\n',
        "--clone-run-id",
    ),
    "retry-count before step": (
        'def c(f, s, n):\n    return ["python", f, "--quiet", "--retry-count", str(n), "step", s, "--run-id", "1"]\n',
        "--retry-count",
    ),
    "with after step": (
        'def c(f, s, decos):\n    cmd = ["python", f, "--metadata", "local", "step", s, "--run-id", "1"]\n'
        '    for d in decos:\n        cmd += [f"--with={d}"]\n    return cmd\n',
        "--with",
    ),
    "environment after init": (
        'def c(f, env):\n    return ["python", f, "--quiet", "init", "--run-id", "1", "--task-id", "p", "--environment", env]\n',
        "--environment",
    ),
    "shell template": (
        'S = """\npython flow.py --metadata local step a --run-id 1 --task-id 2 --datastore local\n"""\n',
        "--datastore",
    ),
}

VALID = {
    "correct sides": 'def c(f, s):\n    return ["python", f, "--metadata", "local", "--with", "retry", "step", s, "--run-id", "1", "--tag", "x", "--namespace", "n"]\n',
    "init tags": 'def c(f):\n    return ["python", f, "--quiet", "--metadata", "local", "init", "--run-id", "1", "--task-id", "p", "--tag", "a"]\n',
    "run command is not a step command": 'def c(f):\n    return ["python", f, "--metadata", "local", "run", "--tag", "x"]\n',
    "prose": 'HELP = "Pass --tag to the step command, and --with before it"\n',
}


@pytest.mark.parametrize("idiom", sorted(INVALID))
def test_options_on_the_wrong_side_are_reported(idiom):
    source, option = INVALID[idiom]
    found = lint(source)
    assert len(found) == 1, [d.message for d in found]
    assert f"`{option}`" in found[0].message


@pytest.mark.parametrize("idiom", sorted(VALID))
def test_options_on_the_right_side_are_not_reported(idiom):
    assert lint(VALID[idiom]) == []


def test_safe_fix_moves_a_sub_option_after_the_step_name():
    source = INVALID["tag before step"][0]
    [diag] = lint(source)
    assert diag.fix.applicability.value == "safe"
    fixed = apply_one(source, diag)
    assert '"--metadata", "local", "step", s, "--tag", "x", "--run-id", "1"]' in fixed
    assert fix_text(source, PATH, select=["MFO011"]).text == fixed
    assert_fix_converges(source, "MFO011", PATH)


def test_safe_fix_moves_a_group_option_before_the_subcommand():
    source = INVALID["environment after init"][0]
    fixed = assert_fix_converges(source, "MFO011", PATH)
    assert '"--quiet", "--environment", env, "init", "--run-id", "1", "--task-id", "p"]' in fixed


def test_no_fix_when_the_move_crosses_list_literals():
    for idiom in ("namespace before step", "with after step", "shell template"):
        [diag] = lint(INVALID[idiom][0])
        assert diag.fix is None, idiom


def test_a_helper_shared_by_step_and_init_is_reported_once():
    source = (
        "class C:\n"
        "    def _top(self):\n"
        '        return ["--quiet", "--metadata", "local", "--namespace", self.ns]\n'
        "    def step(self, s):\n"
        '        return ["python", "f.py"] + self._top() + ["step", s, "--run-id", "1", "--task-id", "2"]\n'
        "    def init(self):\n"
        '        return ["python", "f.py"] + self._top() + ["init", "--run-id", "1", "--task-id", "p"]\n'
    )
    found = lint(source)
    assert len(found) == 1, [d.message for d in found]


def test_step_only_option_before_init_names_its_owner_and_gets_no_fix():
    [diag] = lint(INVALID["clone-run-id before init"][0])
    assert "only `step` defines it" in diag.message
    assert diag.fix is None
    [tag] = lint(INVALID["tag before step"][0])
    assert "only `step` and `init` define it" in tag.message
