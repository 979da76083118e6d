"""Character offsets of every node of a module, as libcst's ``PositionProvider`` places them, only cheaper.

Findings, edits and the command model need ``(start, end)`` character offsets into the file's text. libcst's
``PositionProvider`` computes (line, column) pairs by generating the module's code and splitting every token at
newlines, building two ``CodePosition`` objects and a ``CodeRange`` per node, and the engine then turned each
pair back into an offset. Here the same code generation counts characters instead: a token advances the offset
by its length, and each node's span is recorded at the same moments libcst records its range (the syntactic
span a node declares inside its own code generation, otherwise the span including the whitespace it owns).

Generated code is the file's text character for character (libcst round-trips what it parses; the one exception
met is a file ending in a lone ``\r``, which libcst drops), so the offsets index the text directly. ``tests/model/test_offsets.py`` checks every node against ``PositionProvider``. Two
cases differ from what converting libcst's (line, column) through the file's ``Locator`` used to give, both for
the better: a lone ``\r`` is a line break to libcst but not to ``Locator``, and the newline libcst adds to a
file that does not end in one lay past the text; offsets here are exact in the first and end at the text's end
in the second.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState

__all__ = ["node_offsets"]


class _Syntactic:
    """``record_syntactic_position`` as a plain context manager (libcst's is a generator, entered per node)."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state: "_OffsetState", node, start_node, end_node) -> None:
        self.state = state
        self.node = node
        self.start_node = start_node
        self.end_node = end_node

    def __enter__(self) -> None:
        self.start = self.state.offset

    def __exit__(self, *exc) -> None:
        state = self.state
        spans = state.spans
        start = spans[self.start_node][0] if self.start_node is not None else self.start
        end = spans[self.end_node][1] if self.end_node is not None else state.offset
        spans[self.node] = (start, end)


class _OffsetState(CodegenState):
    def __init__(self, default_indent: str, default_newline: str) -> None:
        super().__init__(default_indent=default_indent, default_newline=default_newline)
        self.offset = 0
        self.spans: Dict[cst.CSTNode, Tuple[int, int]] = {}
        self.starts: List[int] = []
        self.popped = 0

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        for token in self.indent_tokens:
            self.offset += len(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.offset += len(value)

    def pop_trailing_newline(self) -> None:
        # A module without a final newline: libcst generates one and takes it back; spans stop at the text's end.
        if self.tokens:
            self.popped = len(self.tokens.pop())

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.starts.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self.starts.pop()
        if node not in self.spans:  # a syntactic span recorded inside the node's own generation wins
            self.spans[node] = (start, self.offset)

    def record_syntactic_position(
        self, node: cst.CSTNode, *, start_node: Optional[cst.CSTNode] = None, end_node: Optional[cst.CSTNode] = None
    ) -> _Syntactic:
        return _Syntactic(self, node, start_node, end_node)


def node_offsets(module: cst.Module) -> Dict[cst.CSTNode, Tuple[int, int]]:
    """node -> (start, end) character offsets in ``module.code``, for every node of the module."""
    state = _OffsetState(module.default_indent, module.default_newline)
    module._codegen(state)
    if state.popped:
        limit = state.offset - state.popped
        for node, (start, end) in state.spans.items():
            if end > limit:
                state.spans[node] = (min(start, limit), limit)
    return state.spans
