"""The value model: what feeds an expression or a command token."""

from __future__ import annotations

import os
import textwrap

import libcst as cst
import pytest

from mfok_lint.model.commands import commands_of
from mfok_lint.model.values import trace, trace_origin, trace_text, trace_token
from mfok_lint.syntax.source_file import SourceFile


def _ctx(source: str) -> SourceFile:
    text = textwrap.dedent(source)
    return SourceFile("x.py", text, cst.parse_module(text))


def _returned(ctx: SourceFile, function: str):
    """The expression returned by ``function`` (its last statement)."""
    for stmt in ctx.module.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value == function:
            last = stmt.body.body[-1]
            return last.body[0].value
    raise AssertionError(function)


CONSTANT_CASES = {
    "int": ("def f():\n    return 0\n", (0,)),
    "numeric string": ("def f():\n    return '0'\n", (0,)),
    "str of int": ("def f():\n    return str(0)\n", (0,)),
    "percent": ("def f():\n    return '%d' % 0\n", (0,)),
    "format": ("def f():\n    return '{}'.format(1)\n", (1,)),
    "fstring": ("def f():\n    n = 0\n    return f'{n}'\n", (0,)),
    "assigned twice": ("def f(c):\n    n = 0\n    if c:\n        n = 0\n    return str(n)\n", (0,)),
    "module constant": ("RETRY = 0\ndef f():\n    return str(RETRY)\n", (0,)),
    "private default never overridden": (
        "def _f(retry=0):\n    return str(retry)\ndef g():\n    return _f()\n", (0,)
    ),
    "callers pass constants": (
        "def f(retry):\n    return str(retry)\ndef g():\n    return f(0) + f(retry=1)\n", (0, 1)
    ),
    "method callers": (
        "class C:\n    def f(self, retry=0):\n        return retry\n    def g(self):\n        return self.f()\n"
        "def f2():\n    return C().f\n",
        (0,),
    ),
}


@pytest.mark.parametrize("case", sorted(CONSTANT_CASES))
def test_constant_sources(case):
    source, expected = CONSTANT_CASES[case]
    ctx = _ctx(source)
    if case == "method callers":
        cls = ctx.module.body[0]
        expr = cls.body.body[0].body.body[-1].body[0].value
    else:
        first = next(s for s in ctx.module.body if isinstance(s, cst.FunctionDef))
        expr = _returned(ctx, first.name.value)
    result = trace(ctx, expr)
    assert result.kind == "constant", result
    assert result.constants == expected


UNKNOWN_CASES = {
    "public parameter without callers": "def f(retry=0):\n    return str(retry)\n",
    "caller passes a variable": "def f(retry=0):\n    return str(retry)\ndef g(n):\n    return f(retry=n)\n",
    "caller splats": "def f(retry=0):\n    return str(retry)\ndef g(kw):\n    return f(**kw)\n",
    "one definition unknown": "def f(c, x):\n    n = 0\n    if c:\n        n = x.compute()\n    return n\n",
    "loop variable": "def f(k):\n    for n in range(k):\n        pass\n    return str(n)\n",
    "arithmetic on unknown": "def f(a, b):\n    return a * b\n",
    "two placeholders": "def f(a, b):\n    return '%d-%d' % (a, b)\n",
    "plain text": "def f():\n    return 'abc' if True else 0\n",
}


@pytest.mark.parametrize("case", sorted(UNKNOWN_CASES))
def test_unknown_sources(case):
    ctx = _ctx(UNKNOWN_CASES[case])
    assert trace(ctx, _returned(ctx, "f")).kind == "unknown"


def test_counters_keep_their_name_base_and_offset():
    ctx = _ctx(
        """
        def f(ctx):
            return str(ctx.task_run.run_count)
        def g():
            a = activity.info().attempt
            return "%d" % (a - 1)
        def h(context):
            n = max(0, context["ti"].try_number - 1)
            return n
        def k(c, info):
            n = 0
            if c:
                n = info.attempt
            return n
        """
    )
    f = trace(ctx, _returned(ctx, "f"))
    assert (f.kind, f.counter, f.base, f.offset, f.adjusted) == ("counter", "run_count", "ctx.task_run", 0, False)
    g = trace(ctx, _returned(ctx, "g"))
    assert (g.counter, g.base, g.offset, g.adjusted) == ("attempt", "activity.info()", -1, True)
    h = trace(ctx, _returned(ctx, "h"))
    assert (h.counter, h.offset) == ("try_number", -1)
    k = trace(ctx, _returned(ctx, "k"))  # a constant and a counter reach: the counter is what matters
    assert (k.kind, k.counter, k.offset) == ("counter", "attempt", 0)


@pytest.mark.parametrize(
    "word, kind, counter, offset",
    [
        ("0", "constant", None, 0),
        ('"3"', "constant", None, 0),
        ("$RETRY_COUNT", "counter", "RETRY_COUNT", 0),
        ("${WM_FLOW_RETRY_COUNT:-0}", "counter", "WM_FLOW_RETRY_COUNT", 0),
        ("{{ ti.try_number }}", "counter", "try_number", 0),
        ("{{ task_instance.try_number - 1 }}", "counter", "try_number", -1),
        ("{{retries}}", "counter", "retries", 0),
        ("{{ params.x }}", "unknown", None, 0),
        ("abc", "unknown", None, 0),
    ],
)
def test_text_words(word, kind, counter, offset):
    result = trace_text(word)
    assert result.kind == kind
    if kind == "counter":
        assert (result.counter, result.offset) == (counter, offset)


def test_command_tokens_are_traced_through_the_command_model():
    ctx = _ctx(
        '''
        import sys
        def cmd(flow, step, retry_count=0):
            return [sys.executable, flow, "--metadata", "local", "step", step, "--run-id", "1",
                    "--retry-count=%d" % retry_count, "--max-user-code-retries", "{{ ti.try_number }}"]
        def _use():
            return cmd("f.py", "start")
        '''
    )
    [command] = commands_of(ctx)
    retry = trace_token(ctx, command.option("--retry-count").value)
    assert (retry.kind, retry.constants) == ("constant", (0,))
    other = trace_token(ctx, command.option("--max-user-code-retries").value)
    assert (other.kind, other.counter) == ("counter", "try_number")


def test_callers_choose_which_names_are_sources():
    ctx = _ctx(
        """
        def f(current):
            name = current.branch_name
            return "--branch=%s" % name
        """
    )
    expr = _returned(ctx, "f")
    assert trace(ctx, expr).kind == "unknown"
    named = trace(ctx, expr.right, names=frozenset({"branch_name"}))
    assert (named.kind, named.counter, named.base) == ("counter", "branch_name", "current")


# ---- values from the extension's other modules (astroid, model.crossmodule) ----------------------------------
def _extension(tmp_path, files):
    plugin = tmp_path / "metaflow_extensions" / "acme" / "plugins" / "acme"
    plugin.mkdir(parents=True)
    (tmp_path / "metaflow_extensions" / "acme" / "plugins" / "__init__.py").write_text("")
    (plugin / "__init__.py").write_text("")
    for name, text in files.items():
        (plugin / name).write_text(textwrap.dedent(text))
    return plugin


def _file_ctx(path) -> SourceFile:
    text = path.read_text()
    return SourceFile(str(path), text, cst.parse_module(text))


IMPORTED_CASES = {
    "relative from-import": ("from .settings import RETRY\n", "str(RETRY)", (0,)),
    "aliased absolute from-import": (
        "from metaflow_extensions.acme.plugins.acme.settings import RETRY as R\n", "R", (0,)
    ),
    "module attribute": ("from . import settings\n", "settings.RETRY", (0,)),
    "module alias": ("import metaflow_extensions.acme.plugins.acme.settings as cfg\n", "cfg.RETRY", (0,)),
    "re-exported through a third module": ("from .defaults import RETRY\n", "RETRY", (0,)),
    "string constant": ("from .settings import NAME\n", "NAME", ("acme",)),
}


@pytest.mark.parametrize("case", sorted(IMPORTED_CASES))
def test_constants_imported_from_the_extensions_own_modules(tmp_path, case):
    header, expression, expected = IMPORTED_CASES[case]
    plugin = _extension(
        tmp_path,
        {
            "settings.py": "RETRY = 0\nNAME = 'acme'\nDYNAMIC = int(os.environ['X'])\n",
            "defaults.py": "from .settings import RETRY\n",
            "compiler.py": header + f"def f():\n    return {expression}\n",
        },
    )
    ctx = _file_ctx(plugin / "compiler.py")
    result = trace(ctx, _returned(ctx, "f"))
    assert (result.kind, result.constants) == ("constant", expected)


@pytest.mark.parametrize(
    "header, expression",
    [
        ("from .settings import DYNAMIC\n", "DYNAMIC"),  # a runtime value astroid cannot infer
        ("from .settings import MISSING\n", "MISSING"),  # no such name
        ("from .nowhere import RETRY\n", "RETRY"),  # no such module
        ("from os import sep\n", "sep"),  # not the extension's own code: never parsed
        ("from . import settings\n", "settings.DYNAMIC"),
    ],
)
def test_imported_values_that_cannot_be_known_stay_unknown(tmp_path, header, expression):
    plugin = _extension(
        tmp_path,
        {
            "settings.py": "import os\nRETRY = 0\nDYNAMIC = int(os.environ['X'])\n",
            "compiler.py": header + f"def f():\n    return {expression}\n",
        },
    )
    ctx = _file_ctx(plugin / "compiler.py")
    assert trace(ctx, _returned(ctx, "f")).kind == "unknown"


def test_an_imported_value_follows_the_other_module_when_it_changes(tmp_path):
    plugin = _extension(
        tmp_path,
        {"settings.py": "RETRY = 0\n", "compiler.py": "from .settings import RETRY\ndef f():\n    return RETRY\n"},
    )
    ctx = _file_ctx(plugin / "compiler.py")
    assert trace(ctx, _returned(ctx, "f")).constants == (0,)
    settings = plugin / "settings.py"
    settings.write_text("RETRY = 3\n")
    os.utime(settings, ns=(1, 10**18))  # a different mtime even on coarse clocks
    ctx = _file_ctx(plugin / "compiler.py")
    assert trace(ctx, _returned(ctx, "f")).constants == (3,)


def test_trace_origin_reads_the_assignment_in_the_imported_module(tmp_path):
    plugin = _extension(
        tmp_path,
        {
            "naming.py": "BRANCH = format_name(current.branch_name)\n",
            "compiler.py": "from .naming import BRANCH\ndef f():\n    return '--branch=%s' % BRANCH\n",
        },
    )
    ctx = _file_ctx(plugin / "compiler.py")
    expr = _returned(ctx, "f")
    fn = ctx.module.body[-1]
    found = trace_origin(ctx, expr, fn, lambda text: text if "format_name(" in text else None)
    assert found == "format_name(current.branch_name)"
    assert trace_origin(ctx, expr, fn, lambda text: text if "other(" in text else None) is None


def test_no_file_no_cross_module_answer():
    ctx = _ctx("from .settings import RETRY\ndef f():\n    return RETRY\n")
    assert trace(ctx, _returned(ctx, "f")).kind == "unknown"
