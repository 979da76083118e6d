"""MFO031 not-supported-without-reason: what counts as a reason, on both sides of the line."""

from __future__ import annotations

import pytest

from mfok_lint.rules.mfo031_not_supported_without_reason import gives_reason
from tests.rules.conftest import Invalid, Valid, passes_prefilter, rule_cases

RULE = "MFO031"
PATH = "metaflow_extensions/acme/plugins/acme/acme_cli.py"


def raising(expr: str) -> str:
    return f"from .exception import NotSupportedException\n\ndef validate(node, bad):\n    raise {expr}\n"


def reported(expr: str, why: str = "") -> Invalid:
    return Invalid(raising(expr), rows=[4], message="NotSupportedException", path=PATH, why=why or expr)


def not_reported(expr: str, why: str = "") -> Valid:
    return Valid(raising(expr), path=PATH, why=why or expr)


INVALID = [
    reported("NotSupportedException"),
    reported("NotSupportedException()"),
    reported('NotSupportedException("")'),
    reported('NotSupportedException("@parallel")'),
    reported('NotSupportedException("@parallel is not supported with Acme.")'),
    reported('NotSupportedException("Step *%s* uses @batch which is not supported with Acme." % node.name)'),
    reported('NotSupportedException(f"Step *{node.name}* uses @slurm which is not yet supported.")'),
    reported('NotSupportedException("@{} is not implemented".format(bad))'),
    reported('NotSupportedException(msg="Conditionals are not supported.")'),
    reported(
        'NotSupportedException("@batch is not supported with Acme. Remove @batch or use --with=batch instead.")',
        why="a workaround is not a reason",
    ),
    reported(
        'NotSupportedException("Step *%s* is a nested foreach. This type of graph is currently not supported." % n)',
        why="a second sentence that restates the refusal is not a reason either",
    ),
    reported('exception.NotSupportedException("unsupported: " + bad)'),
    Invalid(
        "from .exception import NotSupportedException as Unsupported\n\ndef validate(node):\n"
        '    raise Unsupported("@parallel is not supported with Acme.")\n',
        rows=[4], message="NotSupportedException", path=PATH, why="the class imported under another name",
    ),
]

VALID = [
    not_reported('NotSupportedException("@parallel is not supported because Acme has no gang scheduling.")'),
    not_reported(
        'NotSupportedException("@parallel requires workers that share a network; Acme tasks are isolated pods.")'
    ),
    not_reported('NotSupportedException("Step *%s* uses @batch. Acme runs steps as local processes." % node.name)'),
    not_reported('NotSupportedException(f"@{bad} cannot run on Acme: its workers have no GPU drivers.")'),
    not_reported('NotSupportedException("Acme only supports linear graphs, so @parallel is not supported.")'),
    not_reported('NotSupportedException("@trigger is not supported since Acme has no event bus.")'),
    not_reported(
        'NotSupportedException("@{} is not supported: Acme schedules whole pipelines, not single tasks.".format(bad))'
    ),
    not_reported("NotSupportedException(message)", why="not judged: the message is computed elsewhere (a name)"),
    not_reported(
        "NotSupportedException(build_message(node))", why="not judged: the message is computed elsewhere (a call)"
    ),
    not_reported('NotImplementedError("@parallel")', why="other exception classes are not this rule's business"),
    not_reported('AcmeException("@parallel is not supported.")', why="other exception classes: a project's own"),
    Valid(
        "from .exception import AcmeError as NotSupportedException\n\ndef validate(node):\n"
        '    raise NotSupportedException("@parallel")\n',
        path=PATH, why="another class imported under the name is not the class",
    ),
    Valid(
        '''
        def validate():
            """raise NotSupportedException("x")"""
            # raise NotSupportedException("y")
            return None
        ''',
        path=PATH, why="docstrings and comments do not count",
    ),
    Valid(
        'raise NotSupportedException("Nested foreach is not supported with Kestra "\n'
        '                            "(Kestra\'s EachSequential tasks do not support nesting).")\n',
        why="the reason in parentheses",
    ),
    Valid(
        'raise NotSupportedException("Node %s has unsupported type %r. Please report this as a bug." % (n, t))\n',
        why="an internal-error guard, not a refusal",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


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
        ("from .exception import NotSupportedException as Unsupported\nraise Unsupported('x')\n", True),
        ("from .exception import AcmeError as NotSupportedException\nraise NotSupportedException('x')\n", False),
    ],
)
def test_the_screen_before_the_parse(source, may_report):
    assert passes_prefilter(RULE, source, path="x.py") is may_report
