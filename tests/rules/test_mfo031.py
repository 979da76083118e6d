"""MFO031 not-supported-without-reason: what counts as a reason, on both sides of the line."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text
from mfok_lint.rules.mfo031_not_supported_without_reason import gives_reason

PATH = "metaflow_extensions/acme/plugins/acme/acme_cli.py"


def lint(source: str):
    return [d for d in lint_text(textwrap.dedent(source), path=PATH, select=["MFO031"]) if d.code == "MFO031"]


def raising(expr: str) -> str:
    return f"from .exception import NotSupportedException\n\ndef validate(node, bad):\n    raise {expr}\n"


@pytest.mark.parametrize(
    "expr",
    [
        "NotSupportedException",
        "NotSupportedException()",
        'NotSupportedException("")',
        'NotSupportedException("@parallel")',
        'NotSupportedException("@parallel is not supported with Acme.")',
        'NotSupportedException("Step *%s* uses @batch which is not supported with Acme." % node.name)',
        'NotSupportedException(f"Step *{node.name}* uses @slurm which is not yet supported.")',
        'NotSupportedException("@{} is not implemented".format(bad))',
        'NotSupportedException(msg="Conditionals are not supported.")',
        # A workaround is not a reason.
        'NotSupportedException("@batch is not supported with Acme. Remove @batch or use --with=batch instead.")',
        # A second sentence that restates the refusal is not a reason either.
        'NotSupportedException("Step *%s* is a nested foreach. This type of graph is currently not supported." % n)',
        'exception.NotSupportedException("unsupported: " + bad)',
    ],
)
def test_reported(expr):
    (found,) = lint(raising(expr))
    assert "NotSupportedException" in found.message


@pytest.mark.parametrize(
    "expr",
    [
        'NotSupportedException("@parallel is not supported because Acme has no gang scheduling.")',
        'NotSupportedException("@parallel requires workers that share a network; Acme tasks are isolated pods.")',
        'NotSupportedException("Step *%s* uses @batch. Acme runs steps as local processes." % node.name)',
        'NotSupportedException(f"@{bad} cannot run on Acme: its workers have no GPU drivers.")',
        'NotSupportedException("Acme only supports linear graphs, so @parallel is not supported.")',
        'NotSupportedException("@trigger is not supported since Acme has no event bus.")',
        'NotSupportedException("@{} is not supported: Acme schedules whole pipelines, not single tasks.".format(bad))',
        # Not judged: the message is computed elsewhere.
        "NotSupportedException(message)",
        "NotSupportedException(build_message(node))",
        # Other exception classes are not this rule's business.
        'NotImplementedError("@parallel")',
        'AcmeException("@parallel is not supported.")',
    ],
)
def test_not_reported(expr):
    assert lint(raising(expr)) == []


def test_docstrings_and_comments_do_not_count():
    source = '''
    def validate():
        """raise NotSupportedException("x")"""
        # raise NotSupportedException("y")
        return None
    '''
    assert lint(source) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("@parallel is not supported.", False),
        ("@parallel is not supported. Please report this as a bug.", False),
        ("@parallel is not supported as a step decorator.", False),  # "as" only counts after a comma
        ("@parallel is not supported, as Acme has no barrier.", True),
        ("@parallel needs a shared barrier.", True),
        ("@parallel is not supported. Acme tasks never see each other.", True),
        ("@parallel is not supported - Acme tasks never see each other", True),
    ],
)
def test_reason_definition(text, expected):
    assert gives_reason(text) is expected


@pytest.mark.parametrize(
    "source, may_report",
    [
        ("class NotSupportedException(MetaflowException):\n    headline = 'Not supported'\n", False),
        ("from .exception import NotSupportedException\n__all__ = ['NotSupportedException']\n", False),
        ("raise NotSupportedException\n", True),
        ("raise errors.NotSupportedException('x') from None\n", True),
        ("def f():\n    if x:\n        raise NotSupportedException(msg='@parallel')\n", True),
        ("raise NotSupportedException(\n", True),  # ast cannot read it: libcst decides
    ],
)
def test_the_screen_before_the_parse(source, may_report):
    from mfok_lint.rules.mfo031_not_supported_without_reason import NotSupportedWithoutReason

    assert NotSupportedWithoutReason().applies_to_file("x.py", source.encode()) is may_report
