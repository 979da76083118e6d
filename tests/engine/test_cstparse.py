"""libcst's parse without the hand-built-node checks: the same trees, and the checks back for everything else."""

from __future__ import annotations

import inspect

import libcst as cst
import pytest

from mfok_lint.syntax import cstparse

SOURCES = ["argparse", "inspect", "typing", "dataclasses", "asyncio.base_events", "email._header_value_parser"]


@pytest.mark.parametrize("module_name", SOURCES)
def test_the_tree_is_libcsts_own(module_name):
    import importlib

    text = inspect.getsource(importlib.import_module(module_name))
    assert cstparse.skips_validation(), "libcst 1.x's hook only validates; a change there must be looked at"
    ours = cstparse.parse_module(text)
    theirs = cst.parse_module(text)
    assert ours.deep_equals(theirs)
    assert ours.code == text


def test_hand_built_nodes_are_still_checked_after_a_parse_and_after_a_failed_one():
    cstparse.parse_module("x = 1\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("")
    with pytest.raises(cst.ParserSyntaxError):
        cstparse.parse_module("def (:\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("")


def test_a_hook_that_does_more_than_validate_is_kept():
    def validates_only(self) -> None:
        """Docstrings and comments do not count."""
        # a comment
        self._validate()

    def does_more(self) -> None:
        self._validate()
        self._cache = {}

    def something_else(self) -> None:
        self._check()

    assert cstparse._only_validates(validates_only)
    assert not cstparse._only_validates(does_more)
    assert not cstparse._only_validates(something_else)
    assert not cstparse._only_validates(len)  # no Python source
