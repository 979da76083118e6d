"""A class imported under another name is the class itself, on libcst (rules) and on CPython's ast (screens)."""

from __future__ import annotations

import ast

import libcst as cst
import pytest

from mfok_lint.syntax import pyast
from mfok_lint.syntax.names import class_named, import_aliases

SOURCE = """
import metaflow as mf
import metaflow.runner.deployer as mfd
from metaflow import Config as MFConfig
from metaflow.user_configs.config_parameters import ConfigValue as CV
from .exception import NotSupportedException as Unsupported
from acme.base import Base as DeployedFlow

def compile():
    from metaflow.client import Task as MFTask
"""

CLASSES = ("Config", "ConfigValue", "DeployedFlow", "NotSupportedException", "Task")


@pytest.mark.parametrize(
    "expr, expected",
    [
        ("MFConfig", "Config"),
        ("CV", "ConfigValue"),
        ("mf.Config", "Config"),
        ("mfd.DeployedFlow", "DeployedFlow"),
        ("Unsupported", "NotSupportedException"),
        ("MFTask", "Task"),  # imported inside a function
        ("Config", "Config"),  # not imported here: the name stands for itself
        ("DeployedFlow", None),  # another class imported under the name
        ("mf.Parameter", None),
        ("factory()", None),
    ],
)
def test_libcst_and_ast_agree(expr, expected):
    module = cst.parse_module(SOURCE)
    assert class_named(cst.parse_expression(expr), import_aliases(module), CLASSES) == expected
    tree = ast.parse(SOURCE)
    node = ast.parse(expr, mode="eval").body
    assert pyast.class_named(node, pyast.import_aliases(tree), CLASSES) == expected


def test_module_level_only_for_class_statements():
    module = cst.parse_module(SOURCE)
    assert "MFTask" not in import_aliases(module, nested=False)
    assert import_aliases(module, nested=False)["MFConfig"] == "metaflow.Config"
