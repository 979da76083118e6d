"""``model.offsets`` places every node where libcst's ``PositionProvider`` does (converted through ``Locator``)."""

from __future__ import annotations

import os
import re

import libcst as cst
import metaflow
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from mfok_lint.core.diagnostics import Locator
from mfok_lint.syntax.offsets import node_offsets

METAFLOW = os.path.dirname(metaflow.__file__)
REAL = [
    os.path.join(METAFLOW, "plugins", "argo", "argo_workflows_cli.py"),
    os.path.join(METAFLOW, "runtime.py"),
    os.path.join(METAFLOW, "plugins", "kubernetes", "kubernetes.py"),
]
ODD = {
    "crlf": 'x = 1\r\ndef f(a,\r\n      b):\r\n    return f"{a!r:>{b}}"\r\n',
    "lone-cr": "x = 1\rdef f():\r    return 'é\\n' \\\r        'z'\r",
    "no-final-newline": "class C:\n    def m(self): pass\n    y = [1,\n  2]",
    "tabs-and-astral": "if True:\n\tx = '\U0001F600'  # comment\n\ty = x\n",
    "empty": "",
    "only-comments": "# one\n\n# two\n",
}


def _texts():
    for path in REAL:
        with open(path, encoding="utf-8") as handle:
            yield os.path.basename(path), handle.read()
    yield from ODD.items()


@pytest.mark.parametrize("name,text", list(_texts()), ids=[name for name, _ in _texts()])
def test_every_node_where_position_provider_puts_it(name, text):
    module = cst.parse_module(text)
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    offsets = node_offsets(module)
    # libcst's lines end at \r\n, \r or \n; a position past the text is the newline it adds to an unterminated file.
    # Offsets index the generated code, which is the text except where libcst does not round-trip (a file
    # ending in a lone \r loses it).
    code = module.code
    line_starts = [0] + [m.end() for m in re.finditer(r"\r\n?|\n", code)]

    def offset(line, column):
        return min(line_starts[line - 1] + column if line <= len(line_starts) else len(code), len(code))

    assert set(map(id, offsets)) == set(map(id, positions))
    for node, where in positions.items():
        expected = (offset(where.start.line, where.start.column), offset(where.end.line, where.end.column))
        assert offsets[node] == expected, (type(node).__name__, module.code_for_node(node)[:40])
    if "\r" not in text.replace("\r\n", "") and text.endswith(("\n", "\r")):
        locator = Locator(text)  # what the engine used to compute, for every ordinary file
        for node, where in positions.items():
            assert offsets[node] == (
                locator.offset(where.start.line, where.start.column + 1),
                locator.offset(where.end.line, where.end.column + 1),
            )
    for node, (start, end) in offsets.items():
        if isinstance(node, (cst.Name, cst.SimpleString, cst.Integer)):
            assert code[start:end] == node.value
