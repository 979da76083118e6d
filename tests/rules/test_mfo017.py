"""MFO017 fictional-parameter-env: parameters sent through variables Metaflow never reads."""

from __future__ import annotations

from tests.rules.conftest import Invalid, Valid, lint, rule_cases

RULE = "MFO017"

INVALID = [
    Invalid(
        """
        def env_for(params):
            env = {}
            for name, value in params.items():
                env[f"METAFLOW_PARAMETER_{name.upper()}"] = value
            return env
        """,
        rows=[5], message="METAFLOW_INIT_", why="fstring-key",
    ),
    Invalid(
        """
        def env_for(params):
            return {"METAFLOW_PARAMETER_%s" % k.upper(): v for k, v in params.items()}
        """,
        rows=[3], message="METAFLOW_INIT_", why="percent-key",
    ),
    Invalid(
        """
        def env_for(alpha):
            return {"METAFLOW_PARAMETER_ALPHA": alpha}
        """,
        rows=[3], message="METAFLOW_INIT_", why="literal-key",
    ),
    Invalid(
        """
        def env_for(name, value):
            return {"METAFLOW_PARAMETER_" + name.upper(): value}
        """,
        rows=[3], message="METAFLOW_INIT_", why="concat-key",
    ),
    Invalid(
        """
        SCRIPT = '''
        export METAFLOW_PARAMETER_ALPHA="$1"
        python flow.py init --run-id x --task-id 1
        '''
        """,
        rows=[3], message="METAFLOW_INIT_", why="bash-export",
    ),
    Invalid(
        """
        TEMPLATE = 'env:\\n  - name: METAFLOW_PARAMETER_ALPHA\\n    value: "1"'
        """,
        rows=[2], message="METAFLOW_INIT_", why="yaml-name",
    ),
    Invalid(
        """
        LINES = ['    os.environ["METAFLOW_PARAMETER_" + k.upper()] = str(v)']
        """,
        rows=[2], message="METAFLOW_INIT_", why="generated-python",
    ),
]

VALID = [
    # the real plumbing: the JSON blob airflow/step-functions use, and init's own variables
    Valid(
        """
        env = {"METAFLOW_PARAMETERS": json.dumps(parameters)}
        """,
        why="plural-blob",
    ),
    Valid(
        """
        def env_for(params):
            return {"METAFLOW_INIT_%s" % k.upper(): v for k, v in params.items()}
        """,
        why="init-prefix",
    ),
    # prose: comments, docstrings, a sentence quoting the name
    Valid(
        """
        def env_for(params):
            '''Parameters are not passed as METAFLOW_PARAMETER_<NAME> variables.'''
            # never METAFLOW_PARAMETER_* here
            return {}
        """,
        why="comment-docstring",
    ),
    Valid(
        """
        raise ValueError("Parameters travel as --<name> options, not as METAFLOW_PARAMETER_* variables")
        """,
        why="sentence",
    ),
    Valid(
        """
        NAME = "X_METAFLOW_PARAMETER_ALPHA"
        """,
        why="other-prefix",
    ),
    Valid(
        'TRIGGERS = (b"METAFLOW_PARAMETER_",)\n', path="rule.py", why="a bytes literal is not an environment variable"
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_span_points_at_the_variable_name():
    source = 'ENV = {"METAFLOW_PARAMETER_ALPHA": "1"}\n'
    (diag,) = lint(source, RULE)
    assert diag.location.column == len('ENV = {"') + 1
