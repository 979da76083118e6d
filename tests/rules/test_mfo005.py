"""MFO005 retry-count-one-indexed: 1-based scheduler counters must be shifted to Metaflow's 0-based attempts."""

from __future__ import annotations

import textwrap

import libcst
import pytest

from mfok_lint.lint.check import lint_text
from tests.rules.fixcheck import apply_one, assert_fix_converges

PATH = "metaflow_extensions/acme/plugins/acme/acme_worker.py"
HEAD = 'import sys\nTOP = [sys.executable, "flow.py", "--metadata", "local"]\n'


def lint(source, path=PATH):
    return [d for d in lint_text(textwrap.dedent(source), path=path, select=["MFO005"]) if d.code == "MFO005"]


def _cmd(value, prelude=""):
    return HEAD + f"def c(s, ctx, context):\n{prelude}" + f'    return TOP + ["step", s, "--run-id", "1", "--retry-count", {value}]\n'


INVALID = {
    "prefect run_count": (_cmd("str(ctx.task_run.run_count)"), "Prefect"),
    "prefect flow run": (_cmd("str(get_run_context().flow_run.run_count)"), "Prefect"),
    "temporal attempt": (_cmd("str(activity.info().attempt)"), "Temporal"),
    "temporal via variable": (_cmd("'%d' % attempt", "    attempt = workflow.info().attempt\n"), "Temporal"),
    "airflow try_number": (_cmd('str(context["ti"].try_number)'), "Airflow"),
    "airflow jinja": (_cmd('"{{ ti.try_number }}"'), "Airflow"),
    "airflow template": (
        'S = """\npython flow.py --metadata local step a --run-id 1 --retry-count "{{ task_instance.try_number }}"\n"""\n',
        "Airflow",
    ),
    "fstring": (_cmd('f"{ctx.task_run.run_count}"'), "Prefect"),
}

VALID = {
    "prefect minus one": _cmd("str(ctx.task_run.run_count - 1)"),
    "temporal clamped": _cmd("str(max(0, activity.info().attempt - 1))"),
    "adjusted variable": _cmd("str(n)", "    n = max(0, workflow.info().attempt - 1)\n"),
    "airflow macro": _cmd('"{{ task_instance.try_number - 1 }}"'),
    "dagster retry_number is 0-based": _cmd("str(context.retry_number)"),
    "argo retries is 0-based": _cmd('"{{retries}}"'),
    "attempt of something else": _cmd("str(job.attempt)"),
    "unknown": _cmd("str(ctx.counter)"),
}


@pytest.mark.parametrize("idiom", sorted(INVALID))
def test_one_based_counters_are_reported(idiom):
    source, scheduler = INVALID[idiom]
    found = lint(source)
    assert len(found) == 1, [d.message for d in found]
    assert scheduler in found[0].message


@pytest.mark.parametrize("idiom", sorted(VALID))
def test_adjusted_and_zero_based_counters_are_not_reported(idiom):
    assert lint(VALID[idiom]) == []


def test_unsafe_fix_subtracts_one_at_the_read():
    source = _cmd("str(ctx.task_run.run_count)")
    [diag] = lint(source)
    assert diag.fix.applicability.value == "unsafe"
    fixed = apply_one(source, diag)
    assert 'str(max(0, ctx.task_run.run_count - 1))' in fixed
    libcst.parse_module(fixed)
    assert_fix_converges(source, "MFO005", PATH, unsafe=True)


def test_no_fix_when_the_counter_is_read_elsewhere_or_in_a_template():
    shared = _cmd("str(attempt)", "    attempt = workflow.info().attempt\n")
    assert [d.fix for d in lint(shared)] == [None]
    assert [d.fix for d in lint(INVALID["airflow jinja"][0])] == [None]
