"""MFO017 fictional-parameter-env: parameters sent through variables Metaflow never reads."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text

PATH = "metaflow_extensions/acme/plugins/acme/acme_compiler.py"


def lint(source: str):
    return [d for d in lint_text(textwrap.dedent(source), path=PATH, select=["MFO017"]) if d.code == "MFO017"]


@pytest.mark.parametrize(
    "source",
    [
        """
        def env_for(params):
            env = {}
            for name, value in params.items():
                env[f"METAFLOW_PARAMETER_{name.upper()}"] = value
            return env
        """,
        """
        def env_for(params):
            return {"METAFLOW_PARAMETER_%s" % k.upper(): v for k, v in params.items()}
        """,
        """
        def env_for(alpha):
            return {"METAFLOW_PARAMETER_ALPHA": alpha}
        """,
        """
        def env_for(name, value):
            return {"METAFLOW_PARAMETER_" + name.upper(): value}
        """,
        """
        SCRIPT = '''
        export METAFLOW_PARAMETER_ALPHA="$1"
        python flow.py init --run-id x --task-id 1
        '''
        """,
        """
        TEMPLATE = 'env:\\n  - name: METAFLOW_PARAMETER_ALPHA\\n    value: "1"'
        """,
        """
        LINES = ['    os.environ["METAFLOW_PARAMETER_" + k.upper()] = str(v)']
        """,
    ],
    ids=["fstring-key", "percent-key", "literal-key", "concat-key", "bash-export", "yaml-name", "generated-python"],
)
def test_reports_parameter_variables(source):
    found = lint(source)
    assert len(found) == 1
    assert "METAFLOW_INIT_" in found[0].message


def test_span_points_at_the_variable_name():
    source = 'ENV = {"METAFLOW_PARAMETER_ALPHA": "1"}\n'
    (diag,) = lint(source)
    assert diag.location.column == len('ENV = {"') + 1


@pytest.mark.parametrize(
    "source",
    [
        # the real plumbing: the JSON blob airflow/step-functions use, and init's own variables
        """
        env = {"METAFLOW_PARAMETERS": json.dumps(parameters)}
        """,
        """
        def env_for(params):
            return {"METAFLOW_INIT_%s" % k.upper(): v for k, v in params.items()}
        """,
        # prose: comments, docstrings, a sentence quoting the name
        """
        def env_for(params):
            '''Parameters are not passed as METAFLOW_PARAMETER_<NAME> variables.'''
            # never METAFLOW_PARAMETER_* here
            return {}
        """,
        """
        raise ValueError("Parameters travel as --<name> options, not as METAFLOW_PARAMETER_* variables")
        """,
        """
        NAME = "X_METAFLOW_PARAMETER_ALPHA"
        """,
    ],
    ids=["plural-blob", "init-prefix", "comment-docstring", "sentence", "other-prefix"],
)
def test_clean_code(source):
    assert lint(source) == []


def test_bytes_literal_is_not_an_environment_variable():
    from mfok_lint.lint.check import lint_text

    assert lint_text('TRIGGERS = (b"METAFLOW_PARAMETER_",)\n', path="rule.py", select=["MFO017"]) == []
