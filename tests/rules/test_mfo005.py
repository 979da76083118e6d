"""MFO005 retry-count-one-indexed: 1-based scheduler counters must be shifted to Metaflow's 0-based attempts."""

from __future__ import annotations

import libcst

from tests.rules.conftest import Invalid, Valid, apply_one, assert_fix_converges, lint, rule_cases

RULE = "MFO005"
PATH = "metaflow_extensions/acme/plugins/acme/acme_worker.py"
HEAD = 'import sys\nTOP = [sys.executable, "flow.py", "--metadata", "local"]\n'


def _cmd(value, prelude=""):
    return HEAD + f"def c(s, ctx, context):\n{prelude}" + f'    return TOP + ["step", s, "--run-id", "1", "--retry-count", {value}]\n'


INVALID = [
    Invalid(
        _cmd("str(ctx.task_run.run_count)"), rows=[4], message="Prefect",
        fixed=_cmd("str(max(0, ctx.task_run.run_count - 1))"), unsafe=True, path=PATH, why="prefect run_count",
    ),
    Invalid(
        _cmd("str(get_run_context().flow_run.run_count)"), rows=[4], message="Prefect", path=PATH,
        why="prefect flow run outside a task: 1-based, level unknown",
    ),
    Invalid(_cmd('os.environ["AWS_BATCH_JOB_ATTEMPT"]'), rows=[4], message="AWS Batch", path=PATH, why="aws batch attempt"),
    Invalid(
        'S = """\npython flow.py --metadata local step a --run-id 1 --retry-count $AWS_BATCH_JOB_ATTEMPT\n"""\n',
        rows=[2], message="AWS Batch", path=PATH, why="aws batch attempt in a generated script",
    ),
    Invalid(_cmd("str(activity.info().attempt)"), rows=[4], message="Temporal", path=PATH, why="temporal attempt"),
    Invalid(
        _cmd("'%d' % attempt", "    attempt = info.attempt\n"), rows=[5], message="Temporal", path=PATH,
        why="temporal via variable",
    ),
    Invalid(_cmd('str(context["ti"].try_number)'), rows=[4], message="Airflow", path=PATH, why="airflow try_number"),
    # no fix for a counter in a template
    Invalid(
        _cmd('"{{ ti.try_number }}"'), rows=[4], message="Airflow", no_fix=True, path=PATH, why="airflow jinja",
    ),
    Invalid(
        'S = """\npython flow.py --metadata local step a --run-id 1 --retry-count "{{ task_instance.try_number }}"\n"""\n',
        rows=[2], message="Airflow", path=PATH, why="airflow template",
    ),
    Invalid(_cmd('f"{ctx.task_run.run_count}"'), rows=[4], message="Prefect", path=PATH, why="fstring"),
    # no fix when the counter is read outside the option's value (editing a shared variable would shift its other uses)
    Invalid(
        _cmd("str(attempt)", "    attempt = activity.info().attempt\n"), rows=[5], no_fix=True, path=PATH,
        why="counter read into a shared variable",
    ),
]

VALID = [
    Valid(_cmd("str(ctx.task_run.run_count - 1)"), path=PATH, why="prefect minus one"),
    Valid(_cmd("str(max(0, activity.info().attempt - 1))"), path=PATH, why="temporal clamped"),
    Valid(_cmd("str(n)", "    n = max(0, workflow.info().attempt - 1)\n"), path=PATH, why="adjusted variable"),
    Valid(_cmd('"{{ task_instance.try_number - 1 }}"'), path=PATH, why="airflow macro"),
    Valid(_cmd("str(context.retry_number)"), path=PATH, why="dagster retry_number is 0-based"),
    Valid(_cmd('"{{retries}}"'), path=PATH, why="argo retries is 0-based"),
    Valid(_cmd("str(job.attempt)"), path=PATH, why="attempt of something else"),
    Valid(_cmd("str(ctx.counter)"), path=PATH, why="unknown"),
    Valid(_cmd("str(workflow.info().attempt)"), path=PATH, why="a run-level counter is MFO033's finding"),
    Valid(_cmd('"$((AWS_BATCH_JOB_ATTEMPT - 1))"'), path=PATH, why="shell arithmetic subtracts 1"),
    Valid(_cmd('"{{ taskrun.attemptsCount }}"'), path=PATH, why="kestra attemptsCount is 0-based"),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_unsafe_fix_subtracts_one_at_the_read():
    source = _cmd("str(ctx.task_run.run_count)")
    [diag] = lint(source, RULE, path=PATH)
    assert diag.fix.applicability.value == "unsafe"
    fixed = apply_one(source, diag)
    assert 'str(max(0, ctx.task_run.run_count - 1))' in fixed
    libcst.parse_module(fixed)
    assert_fix_converges(source, RULE, PATH, unsafe=True)
