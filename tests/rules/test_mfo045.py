"""MFO045 builtin-shadowed: module-level functions named like builtins the module still uses."""

from __future__ import annotations

import textwrap

import pytest

from tests.rules.conftest import Invalid, Valid, lint, passes_prefilter, rule_cases

RULE = "MFO045"
PATH = "metaflow_extensions/acme/plugins/acme/acme_cli.py"


def def_row(source: str, name: str) -> int:
    """The row of ``def name(``: where the finding must be."""
    [row] = [n for n, line in enumerate(textwrap.dedent(source).splitlines(), 1) if line.startswith(f"def {name}(")]
    return row


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


# (source, the function, what it is, the line of the builtin's use, label)
REPORTED = [
    (COMMAND_CALLS_ITSELF_AS_BUILTIN, "list", "click command", 12, "command-calls-builtin"),
    (OTHER_FUNCTION_USES_IT, "input", "function", 7, "other-function"),
    (ISINSTANCE_TUPLE, "dict", "function", 7, "isinstance-tuple"),
    (MODULE_LEVEL_AFTER_DEF, "tuple", "function", 6, "module-level-after-def"),
]

INVALID = [
    Invalid(source, rows=[def_row(source, name)], message=f"{kind} `{name}`", path=PATH, why=why)
    for source, name, kind, use_line, why in REPORTED
]

VALID = [
    Valid(
        """
        from metaflow._vendor import click

        @click.command()
        def compile(obj):
            obj.echo("compiled")
        """,
        path=PATH, why="never-used",
    ),
    Valid(
        """
        from metaflow._vendor import click

        @click.command(name="list")
        def list_deployments(obj):
            return list(obj.flows)
        """,
        path=PATH, why="renamed-command",
    ),
    Valid(
        """
        def input(prompt):
            return prompt

        def ask():
            input = lambda p: p.upper()
            return input("x")
        """,
        path=PATH, why="local-variable-of-same-name",
    ),
    Valid(
        """
        class Registry:
            def list(self):
                return list(self.items)
        """,
        path=PATH, why="method-named-like-builtin",
    ),
    Valid(
        """
        from metaflow._vendor import click

        @click.group()
        def list():
            pass

        @list.command()
        def flows():
            pass

        cli.add_command(list)
        """,
        path=PATH, why="attribute-and-registration-uses",
    ),
    Valid(
        """
        NAMES = list("abc")

        def list(obj):
            return obj
        """,
        path=PATH, why="used-before-def",
    ),
    Valid(
        """
        def format(name):
            return name[:64]

        class Rule:
            def __init__(self, name):
                self.name = format(name)
        """,
        path=PATH, why="own-helper-called-on-purpose",
    ),
    Valid(
        """
        def exit(code, url=None, *, quiet=False):
            raise SystemExit(code)

        def fail():
            exit(2, quiet=True)
        """,
        path=PATH, why="keyword-call-fits",
    ),
    Valid(
        """
        def dict(**kw):
            return kw

        def build() -> dict:
            return {}
        """,
        path=PATH, why="annotation-only",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


@pytest.mark.parametrize(
    "source, use_line", [(r[0], r[3]) for r in REPORTED], ids=[r[4] for r in REPORTED]
)
def test_the_message_names_the_line_of_the_use(source, use_line):
    (found,) = lint(source, RULE, path=PATH)
    assert f"line {use_line}" in found.message


def test_the_shadowing_really_replaces_the_builtin():
    namespace: dict = {}
    exec(compile(textwrap.dedent(OTHER_FUNCTION_USES_IT), "<acme>", "exec"), namespace)
    with pytest.raises(TypeError):
        namespace["ask_flow_name"]()  # calls the module's input(prompt, default), not the builtin


def test_files_whose_candidates_are_never_called_are_not_parsed():
    """The prefilter runs ``check``'s own screen on CPython's ``ast``: no call, no libcst parse."""
    never_called = "import click\n\n@click.command()\ndef list():\n    pass\n\ndef f(x):\n    return x.list\n"
    called = never_called + "\ndef g(items):\n    return list(items)\n"
    in_isinstance = never_called + "\ndef h(v):\n    return isinstance(v, (int, list))\n"
    unparsable = "def list(:\n"
    assert not passes_prefilter(RULE, never_called, path="x.py")
    assert (
        passes_prefilter(RULE, called, path="x.py")
        and passes_prefilter(RULE, in_isinstance, path="x.py")
        and passes_prefilter(RULE, unparsable, path="x.py")
    )
    assert lint(called, RULE, path="<stdin>.py")  # and the file it lets through is reported


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
    helper = "def format(name):\n    return name.upper()\n\ndef g(x):\n    return format(x)\n"
    # the author calling their own helper (Metaflow's event_bridge_client)
    assert not passes_prefilter(RULE, helper, path="x.py")
    # meant as the builtin
    assert passes_prefilter(RULE, helper + "\ndef h(x, spec):\n    return format(x, spec)\n", path="x.py")
