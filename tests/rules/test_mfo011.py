"""MFO011 option-wrong-side-of-subcommand: group options before `step`/`init`, subcommand options after."""

from __future__ import annotations

from mfok_lint.lint.fixes import fix_text
from tests.rules.conftest import DEFAULT_PATH, Invalid, Valid, apply_one, assert_fix_converges, lint, rule_cases

RULE = "MFO011"

TAG_BEFORE_STEP = (
    'def c(f, s):\n    return ["python", f, "--metadata", "local", "--tag", "x", "step", s, "--run-id", "1"]\n'
)
CLONE_RUN_ID_BEFORE_INIT = (
    'def c(f, origin):\n'
    '    return ["python", f, "--metadata", "local", "--clone-run-id", origin, "init", "--run-id", "1", "--task-id", "p"]\n'
)
ENVIRONMENT_AFTER_INIT = (
    'def c(f, env):\n'
    '    return ["python", f, "--quiet", "init", "--run-id", "1", "--task-id", "p", "--environment", env]\n'
)

QUOTED_TOKENS = '''
def script(self, name):
    top = ['"--no-pylint"', '"--metadata=local"']
    for label in self.labels:
        top.append('"--tag=%s"' % label)
    rest = ['"step"', '"%s"' % name, '"--run-id"', "run_id", '"--task-id"', "task_id"]
    return """
cmd = [
    sys.executable, FLOW_FILE,
    %(top)s,
    %(rest)s,
]
subprocess.run(cmd, check=True)
""" % {"top": ", ".join(top), "rest": ", ".join(rest)}
'''

REPR_SPLICED = '''
HEADER = """
def launch(ctx, step_name, run_id, task_id, extra_args=None):
    cmd = [sys.executable, FLOW_FILE, "--quiet", "step", step_name, "--run-id", run_id, "--task-id", task_id]
    if extra_args:
        cmd.extend(extra_args)
    subprocess.run(cmd, check=True)
"""


class Compiler:
    def _extra(self):
        args = []
        for deco in self.decorators:
            args += [f"--with={deco}"]
        return repr(args)

    def op(self, node):
        extra = self._extra()
        return f"launch(ctx, {node.name!r}, RUN, '1', extra_args={extra})"
'''

INVALID = [
    Invalid(QUOTED_TOKENS, rows=[5], message="`--tag`", no_fix=True, why="quoted-token strings appended to a list"),
    Invalid(REPR_SPLICED, rows=[15], message="`--with`", no_fix=True, why="repr of a list fills a generated parameter"),
    Invalid(
        TAG_BEFORE_STEP, rows=[2], message="`--tag`",
        fixed=(
            'def c(f, s):\n    return ["python", f, "--metadata", "local", "step", s, "--tag", "x", "--run-id", "1"]\n'
        ),
        why="tag before step",
    ),
    # no fix when the move crosses list literals (here, and for `--with` after step and the shell template)
    Invalid(
        'def c(f, s, ns):\n    cmd = ["python", f, "--datastore", "local"]\n    if ns:\n        cmd += ["--namespace", ns]\n'
        '    cmd += ["step", s, "--run-id", "1", "--task-id", "2"]\n    return cmd\n',
        rows=[4], message="`--namespace`", no_fix=True, why="namespace before step",
    ),
    # an option only `step` defines, before `init`: nowhere to move it, so no fix
    Invalid(
        CLONE_RUN_ID_BEFORE_INIT, rows=[2], message="`--clone-run-id`", no_fix=True, why="clone-run-id before init",
    ),
    Invalid(
        'def c(f, s, n):\n    return ["python", f, "--quiet", "--retry-count", str(n), "step", s, "--run-id", "1"]\n',
        rows=[2], message="`--retry-count`", why="retry-count before step",
    ),
    Invalid(
        'def c(f, s, decos):\n    cmd = ["python", f, "--metadata", "local", "step", s, "--run-id", "1"]\n'
        '    for d in decos:\n        cmd += [f"--with={d}"]\n    return cmd\n',
        rows=[4], message="`--with`", no_fix=True, why="with after step",
    ),
    Invalid(
        ENVIRONMENT_AFTER_INIT, rows=[2], message="`--environment`",
        fixed=(
            'def c(f, env):\n'
            '    return ["python", f, "--quiet", "--environment", env, "init", "--run-id", "1", "--task-id", "p"]\n'
        ),
        why="environment after init",
    ),
    Invalid(
        'S = """\npython flow.py --metadata local step a --run-id 1 --task-id 2 --datastore local\n"""\n',
        rows=[2], message="`--datastore`", no_fix=True, why="shell template",
    ),
    Invalid(
        "class C:\n"
        "    def _top(self):\n"
        '        return ["--quiet", "--metadata", "local", "--namespace", self.ns]\n'
        "    def step(self, s):\n"
        '        return ["python", "f.py"] + self._top() + ["step", s, "--run-id", "1", "--task-id", "2"]\n'
        "    def init(self):\n"
        '        return ["python", "f.py"] + self._top() + ["init", "--run-id", "1", "--task-id", "p"]\n',
        rows=[3], why="a helper shared by step and init is reported once",
    ),
]

VALID = [
    Valid(
        'def c(f, s):\n    return ["python", f, "--metadata", "local", "--with", "retry", "step", s, "--run-id", "1", '
        '"--tag", "x", "--namespace", "n"]\n',
        why="correct sides",
    ),
    Valid(
        'def c(f):\n    return ["python", f, "--quiet", "--metadata", "local", "init", "--run-id", "1", "--task-id", "p", '
        '"--tag", "a"]\n',
        why="init tags",
    ),
    Valid(
        'def c(f):\n    return ["python", f, "--metadata", "local", "run", "--tag", "x"]\n',
        why="run command is not a step command",
    ),
    Valid('HELP = "Pass --tag to the step command, and --with before it"\n', why="prose"),
    Valid(
        """
        @click.group(name="acme")
        def acme():
            pass


        def wrapper_command(step_name, run_id, task_id):
            return [sys.executable, "flow.py", "--environment", "conda", "acme", "step", step_name,
                    "--run-id", run_id, "--environment", "KEY=VALUE"]
        """,
        why="after the launcher group's step, --environment is the launcher's own option",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_safe_fix_moves_a_sub_option_after_the_step_name():
    source = TAG_BEFORE_STEP
    [diag] = lint(source, RULE)
    assert diag.fix.applicability.value == "safe"
    fixed = apply_one(source, diag)
    assert '"--metadata", "local", "step", s, "--tag", "x", "--run-id", "1"]' in fixed
    assert fix_text(source, DEFAULT_PATH, select=[RULE]).text == fixed
    assert_fix_converges(source, RULE)


def test_safe_fix_moves_a_group_option_before_the_subcommand():
    fixed = assert_fix_converges(ENVIRONMENT_AFTER_INIT, RULE)
    assert '"--quiet", "--environment", env, "init", "--run-id", "1", "--task-id", "p"]' in fixed


def test_step_only_option_before_init_names_its_owner_and_gets_no_fix():
    [diag] = lint(CLONE_RUN_ID_BEFORE_INIT, RULE)
    assert "only `step` defines it" in diag.message
    assert diag.fix is None
    [tag] = lint(TAG_BEFORE_STEP, RULE)
    assert "only `step` and `init` define it" in tag.message


# ---- the move must suit every targeted release ---------------------------------------------------------------------


def _lint_range(source: str, oldest: str, newest: str):
    from mfok_lint.core.metaflow_contract import MetaflowRange, MetaflowVersion
    from mfok_lint.lint.check import _rules_for, check_source

    targeted = MetaflowRange(MetaflowVersion.parse(oldest), MetaflowVersion.parse(newest))
    return [d for d in check_source(source, DEFAULT_PATH, _rules_for(DEFAULT_PATH, None, [RULE]), metaflow=targeted)]


TAG_BEFORE_INIT = (
    'def c(f):\n'
    '    return ["python", f, "--metadata", "local", "--tag", "x", "init", "--run-id", "1", "--task-id", "p"]\n'
)
WITH_AFTER_STEP = (
    'def c(f, s):\n'
    '    return ["python", f, "--quiet", "step", s, "--with", "retry", "--run-id", "1", "--task-id", "t"]\n'
)
LOCAL_CONFIG_FILE_AFTER_STEP = (
    'def c(f, s, path):\n'
    '    return ["python", f, "--quiet", "step", s, "--local-config-file", path, "--run-id", "1", "--task-id", "t"]\n'
)


def test_tag_before_init_is_moved_only_where_every_targeted_init_takes_it():
    # init has --tag from 2.2.6: moving it there is right for 2.2.6 onwards, and a new error before
    [found] = _lint_range(TAG_BEFORE_INIT, "2.2.6", "2.19.39")
    assert found.fix is not None
    [found] = _lint_range(TAG_BEFORE_INIT, "2.2.0", "2.19.39")
    assert found.fix is None


def test_step_with_is_reported_and_moved_only_for_releases_that_reject_it():
    # step --with is valid up to 2.13.3; the group's --with exists in every release, so the move is always valid
    assert _lint_range(WITH_AFTER_STEP, "2.12.37", "2.12.37") == []
    [found] = _lint_range(WITH_AFTER_STEP, "2.12.37", "2.19.39")
    assert "from Metaflow 2.13.4 on" in found.message and found.fix is not None
    [found] = _lint_range(WITH_AFTER_STEP, "2.19.39", "2.19.39")
    assert found.fix is not None


def test_a_group_option_newer_than_some_targeted_release_is_not_moved_there():
    # --local-config-file joined the group in 2.12.37: before the subcommand it is valid from then on only
    [found] = _lint_range(LOCAL_CONFIG_FILE_AFTER_STEP, "2.12.37", "2.19.39")
    assert found.fix is not None
    [found] = _lint_range(LOCAL_CONFIG_FILE_AFTER_STEP, "2.12.34", "2.19.39")
    assert found.fix is None
