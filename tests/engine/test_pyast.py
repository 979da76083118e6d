"""The shared CPython ``ast`` of a text: the node index every screen reads, and the noqa screen built on it."""

from __future__ import annotations

import ast
import inspect
import textwrap

import pytest

from mfok_lint.lint import noqa
from mfok_lint.syntax import pyast

STDLIB_MODULES = ["argparse", "inspect", "typing", "dataclasses", "tokenize", "string"]

_TRICKY = textwrap.dedent(
    '''\
    """Module docstring
    on two lines."""
    x = f"""{1}
    {2}"""  # a multi-line f-string
    y = ("a"
         "b")  # implicit concatenation: two one-line tokens, one node over two rows
    z = "back\\
    slash"
    w = b"""bytes
    too"""
    if z == """a
    b""": pass
    v = [1,
         2]
    '''
)


def _sources():
    for name in STDLIB_MODULES:
        yield name, inspect.getsource(__import__(name))
    yield "tricky", _TRICKY


@pytest.mark.parametrize("name, text", list(_sources()), ids=[n for n, _ in _sources()])
def test_nodes_of_lists_what_ast_walk_finds_in_its_order(name, text):
    tree = ast.parse(text)
    classes = {type(node) for node in ast.walk(tree)}
    for cls in classes:
        assert pyast.nodes_of(tree, cls) == [n for n in ast.walk(tree) if type(n) is cls], cls.__name__
    pair = pyast.nodes_of(tree, ast.Import, ast.ImportFrom)
    assert pair == [n for n in ast.walk(tree) if type(n) is ast.Import] + [
        n for n in ast.walk(tree) if type(n) is ast.ImportFrom
    ]


def test_nodes_of_indexes_each_tree_once():
    tree = ast.parse("a = 1\nb = 2\n")
    first = pyast.nodes_of(tree, ast.Name)
    assert pyast.nodes_of(tree, ast.Name) is first  # served from the index, not walked again
    other = ast.parse("a = 1\nb = 2\n")
    assert pyast.nodes_of(other, ast.Name) is not first and len(pyast.nodes_of(other, ast.Name)) == 2


@pytest.mark.parametrize("name, text", list(_sources()), ids=[n for n, _ in _sources()])
def test_noqa_screen_never_hides_a_row_of_a_multiline_string(name, text):
    """The screen may say "maybe" too often, never "no" for a row the tokenizer maps to another row."""
    mapped = noqa._multiline_rows(text)
    for row in mapped:
        assert noqa._may_be_in_multiline_string(text, {row}), row
    assert mapped, "each source holds a multi-line string"
    untouched = [row for row in range(1, text.count("\n") + 1) if not noqa._may_be_in_multiline_string(text, {row})]
    assert untouched, "the screen answers no somewhere, or it saves nothing"
    for row in untouched[:50]:
        assert noqa.parse(text, rows={row}).noqa_rows.get(row, row) == row


def test_noqa_rows_agree_with_and_without_the_screen():
    full = noqa.parse(_TRICKY).noqa_rows
    for row in range(1, _TRICKY.count("\n") + 1):
        assert noqa.parse(_TRICKY, rows={row}).noqa_rows.get(row, row) == full.get(row, row), row
