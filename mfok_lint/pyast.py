"""CPython's ``ast`` of the file being linted, parsed once however many parts of mfok-lint ask.

Several cheap questions are answered with ``ast`` before (or instead of) the libcst parse: the syntax check
of files no rule wants (MFO900), the depth screen that protects libcst's parser, the command prefilter's
string-literal test, and the syntax screens of a few rules. Each used to parse the text again; one parse of a
large module is tens of milliseconds. The last few texts are memoised with their outcome (tree or error);
trees are shared, so callers only read them.
"""

from __future__ import annotations

import ast
import functools
import warnings
from typing import Optional, Tuple

__all__ = ["compile_tree", "parse", "parse_source", "remember", "syntax_error"]

PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError)


def compile_tree(text: str) -> ast.Module:
    """``ast.parse`` without the compiler's warnings about the code (``"\\d"``, ``1()``): they concern the
    linted file, not this run, and under ``PYTHONWARNINGS=error`` they would make a valid file a syntax error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return ast.parse(text)


@functools.lru_cache(maxsize=4)
def _outcome(text: str) -> Tuple[Optional[ast.Module], Optional[BaseException]]:
    try:
        return compile_tree(text), None
    except PARSE_ERRORS as exc:
        return None, exc


_given: dict = {}


def remember(text: str, tree: ast.Module) -> None:
    """Use a tree parsed elsewhere from exactly this text (flake8 hands its plugins the tree it built)."""
    _given.clear()
    _given[text] = tree


def parse(text: str) -> Optional[ast.Module]:
    """The module's tree, or None when CPython cannot parse it (see ``syntax_error``)."""
    given = _given.get(text)
    return given if given is not None else _outcome(text)[0]


def syntax_error(text: str) -> Optional[BaseException]:
    """Why CPython cannot parse the text (SyntaxError, ValueError for NUL bytes, RecursionError, MemoryError)."""
    if text in _given:
        return None
    return _outcome(text)[1]


def parse_source(source) -> Optional[ast.Module]:
    """``parse`` for raw bytes (decoded as UTF-8) or text; None when the source cannot be decoded or parsed.

    For screens that must answer "maybe" when they cannot read the file."""
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return parse(source)
