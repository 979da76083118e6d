"""MFO027 runtime-step-cli-called: decorator runtime hooks driven by extension code."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text

PATH = "metaflow_extensions/acme/plugins/acme/acme_compiler.py"


def lint(source: str, path: str = PATH):
    return [d for d in lint_text(textwrap.dedent(source), path=path, select=["MFO027"]) if d.code == "MFO027"]


@pytest.mark.parametrize(
    "source, expected",
    [
        (
            """
            def build(node, cli_args):
                for deco in node.decorators:
                    deco.runtime_step_cli(cli_args, 0, 0, None)
            """,
            ["runtime_step_cli"],
        ),
        (
            """
            from metaflow.decorators import extract_step_decorator_from_decospec

            def decorators(specs):
                return [extract_step_decorator_from_decospec(s)[0] for s in specs]
            """,
            ["extract_step_decorator_from_decospec"],
        ),
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
    ids=["hook-in-loop", "factory", "dotted-both", "generated-source"],
)
def test_reported(source, expected):
    found = lint(source)
    assert len(found) == len(expected)
    for diag, name in zip(found, expected):
        assert f"`{name}()`" in diag.message
    if "JOB_TEMPLATE" in source:
        assert all("generated code" in d.message for d in found)
        # The finding points at the call inside the literal, not at the whole template.
        assert found[1].location.row == 6


@pytest.mark.parametrize(
    "source",
    [
        # Defining the hook is what a decorator does.
        """
        class AcmeDecorator(StepDecorator):
            def runtime_step_cli(self, cli_args, retry_count, max_user_code_retries, ubf_context):
                cli_args.commands = ["acme", "step"]
        """,
        # Delegating from inside the hook runs inside Metaflow's runtime.
        """
        class Wrapping(StepDecorator):
            def runtime_step_cli(self, cli_args, retry_count, max_user_code_retries, ubf_context):
                super().runtime_step_cli(cli_args, retry_count, max_user_code_retries, ubf_context)
                self._inner.runtime_step_cli(cli_args, retry_count, max_user_code_retries, ubf_context)
        """,
        # Comparing or referencing the method is not calling it.
        """
        def overrides(d):
            return d.__class__.runtime_step_cli is not StepDecorator.runtime_step_cli
        """,
        # Comments, docstrings and prose never count.
        '''
        def build():
            """Mirrors what deco.runtime_step_cli(cli_args) does in the runtime."""
            # deco.runtime_step_cli(cli_args, 0, 0, None)
            return ["--with", "retry"]
        ''',
        # A commented-out call inside generated source.
        '''
        TEMPLATE = """
        # deco.runtime_step_cli(cli_args, 0, 0, None) is not needed: decorators go through --with
        cmd = TOP_ARGS + WITH_ARGS + ["step", name]
        """
        ''',
        # Forwarding decorators the way the rule recommends.
        """
        def top_args(with_decorators):
            args = []
            for deco in with_decorators:
                args += ["--with", deco]
            return args
        """,
    ],
    ids=["definition", "delegation", "reference", "comments-docstrings", "template-comment", "with-forwarding"],
)
def test_not_reported(source):
    assert lint(source) == []


def test_metaflow_runtime_itself_is_not_reported():
    source = "def launch(deco, args):\n    deco.runtime_step_cli(args, 0, 0, None)\n"
    assert lint(source, path="site-packages/metaflow/runtime.py") == []
    assert len(lint(source, path="metaflow_extensions/x/plugins/x/runtime.py")) == 1


def test_call_quoted_in_a_message_is_prose_not_generated_code():
    from mfok_lint.lint.check import lint_text

    source = 'MESSAGE = "`extract_step_decorator_from_decospec()` builds decorators outside the runtime"\n'
    assert lint_text(source, path="rule.py", select=["MFO027"]) == []


def test_metaflow_core_modules_are_not_even_parsed_for_the_rule():
    from mfok_lint.rules.mfo027_runtime_step_cli_called import RuntimeStepCliCalled

    rule = RuntimeStepCliCalled()
    assert not rule.applies_to_file("src/metaflow/runtime.py", b"runtime_step_cli()")
    assert not rule.applies_to_file("src/metaflow/user_decorators/mutable_step.py", b"runtime_step_cli()")
    assert rule.applies_to_file("metaflow_extensions/acme/plugins/acme/acme_compiler.py", b"runtime_step_cli()")
