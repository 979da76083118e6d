"""MFO027 runtime-step-cli-called: decorator runtime hooks driven by extension code."""

from __future__ import annotations

import pytest

from tests.rules.conftest import Invalid, Valid, lint, passes_prefilter, rule_cases

RULE = "MFO027"

LAUNCH = "def launch(deco, args):\n    deco.runtime_step_cli(args, 0, 0, None)\n"

INVALID = [
    Invalid(
        """
        def build(node, cli_args):
            for deco in node.decorators:
                deco.runtime_step_cli(cli_args, 0, 0, None)
        """,
        rows=[4], message="`runtime_step_cli()`", why="hook-in-loop",
    ),
    Invalid(
        """
        from metaflow.decorators import extract_step_decorator_from_decospec

        def decorators(specs):
            return [extract_step_decorator_from_decospec(s)[0] for s in specs]
        """,
        rows=[5], message="`extract_step_decorator_from_decospec()`", why="factory",
    ),
    Invalid(LAUNCH, rows=[2], path="metaflow_extensions/x/plugins/x/runtime.py", why="an extension's own runtime.py"),
]

VALID = [
    # Defining the hook is what a decorator does.
    Valid(
        """
        class AcmeDecorator(StepDecorator):
            def runtime_step_cli(self, cli_args, retry_count, max_user_code_retries, ubf_context):
                cli_args.commands = ["acme", "step"]
        """,
        why="definition",
    ),
    # Delegating from inside the hook runs inside Metaflow's runtime.
    Valid(
        """
        class Wrapping(StepDecorator):
            def runtime_step_cli(self, cli_args, retry_count, max_user_code_retries, ubf_context):
                super().runtime_step_cli(cli_args, retry_count, max_user_code_retries, ubf_context)
                self._inner.runtime_step_cli(cli_args, retry_count, max_user_code_retries, ubf_context)
        """,
        why="delegation",
    ),
    # Comparing or referencing the method is not calling it.
    Valid(
        """
        def overrides(d):
            return d.__class__.runtime_step_cli is not StepDecorator.runtime_step_cli
        """,
        why="reference",
    ),
    # Comments, docstrings and prose never count.
    Valid(
        '''
        def build():
            """Mirrors what deco.runtime_step_cli(cli_args) does in the runtime."""
            # deco.runtime_step_cli(cli_args, 0, 0, None)
            return ["--with", "retry"]
        ''',
        why="comments-docstrings",
    ),
    # A commented-out call inside generated source.
    Valid(
        '''
        TEMPLATE = """
        # deco.runtime_step_cli(cli_args, 0, 0, None) is not needed: decorators go through --with
        cmd = TOP_ARGS + WITH_ARGS + ["step", name]
        """
        ''',
        why="template-comment",
    ),
    # Forwarding decorators the way the rule recommends.
    Valid(
        """
        def top_args(with_decorators):
            args = []
            for deco in with_decorators:
                args += ["--with", deco]
            return args
        """,
        why="with-forwarding",
    ),
    Valid(LAUNCH, path="site-packages/metaflow/runtime.py", why="Metaflow's runtime itself"),
    Valid(
        'MESSAGE = "`extract_step_decorator_from_decospec()` builds decorators outside the runtime"\n',
        path="rule.py", why="a call quoted in a message is prose, not generated code",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


@pytest.mark.parametrize(
    "source, expected",
    [
        (
            """
            import metaflow.decorators as d

            def one(spec):
                deco, _ = d.extract_step_decorator_from_decospec(spec)
                deco.runtime_step_cli(ARGS, retry_count=0, max_user_code_retries=0, ubf_context=None)
            """,
            ["extract_step_decorator_from_decospec", "runtime_step_cli"],
        ),
        (
            '''
            JOB_TEMPLATE = """
            def run_step(step_name, cli_args):
                for spec in SPECS[step_name]:
                    deco, _ = extract_step_decorator_from_decospec(spec)
                    deco.runtime_step_cli(cli_args, 0, 0, None)
            """
            ''',
            ["extract_step_decorator_from_decospec", "runtime_step_cli"],
        ),
    ],
    ids=["dotted-both", "generated-source"],
)
def test_each_call_is_reported_under_its_name(source, expected):
    found = lint(source, RULE)
    assert len(found) == len(expected)
    for diag, name in zip(found, expected):
        assert f"`{name}()`" in diag.message
    if "JOB_TEMPLATE" in source:
        assert all("generated code" in d.message for d in found)
        # The finding points at the call inside the literal, not at the whole template.
        assert found[1].location.row == 6


def test_metaflow_core_modules_are_not_even_parsed_for_the_rule():
    assert not passes_prefilter(RULE, "runtime_step_cli()", path="src/metaflow/runtime.py")
    assert not passes_prefilter(RULE, "runtime_step_cli()", path="src/metaflow/user_decorators/mutable_step.py")
    assert passes_prefilter(RULE, "runtime_step_cli()", path="metaflow_extensions/acme/plugins/acme/acme_compiler.py")
