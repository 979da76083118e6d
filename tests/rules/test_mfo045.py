"""MFO045 builtin-shadowed: module-level functions named like builtins the module still uses."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text

PATH = "metaflow_extensions/acme/plugins/acme/acme_cli.py"


def lint(source: str):
    return [d for d in lint_text(textwrap.dedent(source), path=PATH, select=["MFO045"]) if d.code == "MFO045"]


COMMAND_CALLS_ITSELF_AS_BUILTIN = """
from metaflow._vendor import click


@click.group()
def acme():
    pass


@acme.command()
def list(obj):
    return list(obj.flows)
"""

OTHER_FUNCTION_USES_IT = """
def input(prompt, default):
    return default


def ask_flow_name():
    return input("Flow name: ").strip()
"""

ISINSTANCE_TUPLE = """
def dict(**kwargs):
    return kwargs


def is_mapping(value):
    return isinstance(value, (dict, tuple))
"""

MODULE_LEVEL_AFTER_DEF = """
def tuple(first, second):
    return first, second


DEFAULTS = tuple([1, 2])
"""


@pytest.mark.parametrize(
    "source, name, kind, use_line",
    [
        (COMMAND_CALLS_ITSELF_AS_BUILTIN, "list", "click command", 12),
        (OTHER_FUNCTION_USES_IT, "input", "function", 7),
        (ISINSTANCE_TUPLE, "dict", "function", 7),
        (MODULE_LEVEL_AFTER_DEF, "tuple", "function", 6),
    ],
    ids=["command-calls-builtin", "other-function", "isinstance-tuple", "module-level-after-def"],
)
def test_reported(source, name, kind, use_line):
    (found,) = lint(source)
    assert textwrap.dedent(source).splitlines()[found.location.row - 1].startswith(f"def {name}(")
    assert f"{kind} `{name}`" in found.message
    assert f"line {use_line}" in found.message


VALID = {
    "never-used": """
        from metaflow._vendor import click

        @click.command()
        def compile(obj):
            obj.echo("compiled")
        """,
    "renamed-command": """
        from metaflow._vendor import click

        @click.command(name="list")
        def list_deployments(obj):
            return list(obj.flows)
        """,
    "local-variable-of-same-name": """
        def input(prompt):
            return prompt

        def ask():
            input = lambda p: p.upper()
            return input("x")
        """,
    "method-named-like-builtin": """
        class Registry:
            def list(self):
                return list(self.items)
        """,
    "attribute-and-registration-uses": """
        from metaflow._vendor import click

        @click.group()
        def list():
            pass

        @list.command()
        def flows():
            pass

        cli.add_command(list)
        """,
    "used-before-def": """
        NAMES = list("abc")

        def list(obj):
            return obj
        """,
    "own-helper-called-on-purpose": """
        def format(name):
            return name[:64]

        class Rule:
            def __init__(self, name):
                self.name = format(name)
        """,
    "keyword-call-fits": """
        def exit(code, url=None, *, quiet=False):
            raise SystemExit(code)

        def fail():
            exit(2, quiet=True)
        """,
    "annotation-only": """
        def dict(**kw):
            return kw

        def build() -> dict:
            return {}
        """,
}


@pytest.mark.parametrize("name", sorted(VALID))
def test_not_reported(name):
    assert lint(VALID[name]) == []


def test_the_shadowing_really_replaces_the_builtin():
    namespace: dict = {}
    exec(compile(textwrap.dedent(OTHER_FUNCTION_USES_IT), "<acme>", "exec"), namespace)
    with pytest.raises(TypeError):
        namespace["ask_flow_name"]()  # calls the module's input(prompt, default), not the builtin


def test_files_whose_candidates_are_never_called_are_not_parsed():
    """The prefilter runs ``check``'s own screen on CPython's ``ast``: no call, no libcst parse."""
    from mfok_lint.rules import all_rules

    rule = all_rules()["MFO045"]
    never_called = b"import click\n\n@click.command()\ndef list():\n    pass\n\ndef f(x):\n    return x.list\n"
    called = never_called + b"\ndef g(items):\n    return list(items)\n"
    in_isinstance = never_called + b"\ndef h(v):\n    return isinstance(v, (int, list))\n"
    unparsable = b"def list(:\n"
    assert not rule.applies_to_file("x.py", never_called)
    assert rule.applies_to_file("x.py", called) and rule.applies_to_file("x.py", in_isinstance) and rule.applies_to_file("x.py", unparsable)
    assert lint_text(called.decode(), select=["MFO045"])  # and the file it lets through is reported


SIGNATURES = ["(a)", "(a, b=1)", "(a, /, b)", "(*, k)", "(a, *rest)", "(a, **kw)", "(a, *, k=2)", "()", "(a=1, /, *r, k, **kw)"]
CALLS = ["()", "(1)", "(1, 2)", "(1, 2, 3)", "(a=1)", "(k=1)", "(1, k=3)", "(1, b=2)", "(b=2)", "(*x)", "(**y)",
         "(1, a=1)", "(z=1)", "(1, 2, k=3, q=4)"]


@pytest.mark.parametrize("signature", SIGNATURES)
def test_the_prefilter_reads_signatures_as_the_rule_does(signature):
    """The prefilter's ``ast`` copy of ``_call_fits`` agrees with the rule's own on every call shape."""
    import ast

    import libcst as cst

    from mfok_lint.prefilter import screens
    from mfok_lint.rules import mfo045_builtin_shadowed as rule

    for call in CALLS:
        cst_def = cst.parse_module(f"def format{signature}: pass\n").body[0]
        cst_call = cst.parse_expression(f"format{call}")
        ast_def = ast.parse(f"def format{signature}: pass\n").body[0]
        ast_call = ast.parse(f"format{call}", mode="eval").body
        assert screens._call_fits(ast_def, ast_call) == rule._call_fits(cst_def, cst_call), (signature, call)


def test_calls_that_fit_the_module_function_get_no_parse():
    from mfok_lint.rules import all_rules

    rule = all_rules()["MFO045"]
    helper = b"def format(name):\n    return name.upper()\n\ndef g(x):\n    return format(x)\n"
    assert not rule.applies_to_file("x.py", helper)  # the author calling their own helper (Metaflow's event_bridge_client)
    assert rule.applies_to_file("x.py", helper + b"\ndef h(x, spec):\n    return format(x, spec)\n")  # meant as the builtin
