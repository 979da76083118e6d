"""MFO041 from-deployment-signature: `from_deployment` must take `(identifier, metadata=None)` on the class."""

from __future__ import annotations

import textwrap

import pytest

from tests.rules.conftest import Invalid, Valid, rule_cases

RULE = "MFO041"
PATH = "metaflow_extensions/acme/plugins/acme/acme_objects.py"

HEADER = """
from metaflow.runner.deployer import DeployedFlow


class AcmeDeployedFlow(DeployedFlow):
    TYPE = "acme"

"""


def source(method: str) -> str:
    return textwrap.dedent(HEADER) + textwrap.indent(textwrap.dedent(method), "    ")


BAD = {
    "plain-method": ("def from_deployment(self, identifier, metadata=None):\n    return self\n", "not a `classmethod`"),
    "no-metadata": ("@classmethod\ndef from_deployment(cls, identifier):\n    return cls\n", "no positional `metadata`"),
    "metadata-keyword-only": (
        "@classmethod\ndef from_deployment(cls, identifier, *, metadata=None):\n    return cls\n",
        "no positional `metadata`",
    ),
    "metadata-required": (
        "@classmethod\ndef from_deployment(cls, identifier, metadata):\n    return cls\n",
        "`metadata` has no default",
    ),
    "extra-required": (
        "@classmethod\ndef from_deployment(cls, identifier, metadata=None, host=None, *, token):\n    return cls\n",
        "keyword-only parameter `token`",
    ),
    "staticmethod-wrong": ("@staticmethod\ndef from_deployment(identifier):\n    return None\n", "no positional `metadata`"),
    "no-parameters": ("@classmethod\ndef from_deployment():\n    return None\n", "no `cls` parameter"),
}


GOOD = {
    "canonical": "@classmethod\ndef from_deployment(cls, identifier, metadata=None):\n    return cls\n",
    "renamed-and-annotated": (
        "@classmethod\ndef from_deployment(cls, ident: str, meta: 'str | None' = None, host=None) -> 'AcmeDeployedFlow':\n"
        "    return cls\n"
    ),
    "star-args": "@classmethod\ndef from_deployment(cls, *args, **kwargs):\n    return cls\n",
    "staticmethod-usable": "@staticmethod\ndef from_deployment(identifier, metadata=None):\n    return None\n",
    "keyword-only-with-default": "@classmethod\ndef from_deployment(cls, identifier, metadata=None, *, impl='acme'):\n    return cls\n",
}


def def_row(text: str) -> int:
    """The row of the `def from_deployment` line: where each finding must be."""
    [row] = [n for n, line in enumerate(text.splitlines(), 1) if "def from_deployment" in line]
    return row


INVALID = [
    Invalid(source(method), rows=[def_row(source(method))], message=fragment, no_fix=True, path=PATH, why=name)
    for name, (method, fragment) in sorted(BAD.items())
] + [
    Invalid(
        """
        from metaflow.runner import deployer

        class AcmeDeployedFlow(deployer.DeployedFlow):
            def from_deployment(self, identifier, metadata=None):
                return None
        """,
        rows=[5], path=PATH, why="dotted base through module import",
    ),
]

VALID = [Valid(source(method), path=PATH, why=name) for name, method in sorted(GOOD.items())] + [
    Valid(
        """
        from metaflow.runner.deployer import TriggeredRun

        class AcmeTriggeredRun(TriggeredRun):
            def from_deployment(self, identifier):
                return None

        class Registry:
            def from_deployment(self):
                return None
        """,
        path=PATH, why="only DeployedFlow subclasses are checked",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def _load(text: str):
    namespace: dict = {}
    exec(compile(text, "<acme>", "exec"), namespace)
    return namespace["AcmeDeployedFlow"]


@pytest.mark.parametrize("name", ["no-metadata", "metadata-keyword-only"])
def test_reported_signatures_reject_metaflows_positional_call(name):
    """Metaflow's dispatcher runs `deployed_flow_type().from_deployment(identifier, metadata)`."""
    cls = _load(source(BAD[name][0]))
    with pytest.raises(TypeError):
        cls.from_deployment("acme-deployment", None)


def test_plain_method_swallows_the_identifier_as_self():
    cls = _load(source(BAD["plain-method"][0]))
    assert cls.from_deployment("acme-deployment", None) == "acme-deployment"  # `self` got the identifier


@pytest.mark.parametrize("name", sorted(GOOD))
def test_accepted_signatures_take_both_calls(name):
    cls = _load(source(GOOD[name]))
    cls.from_deployment("acme-deployment", None)
    cls.from_deployment("acme-deployment")
