"""Can a file build a Metaflow command at all? Decided without libcst, before any parse.
"""

from __future__ import annotations

import ast
import functools
import re
from typing import Union

from mfok_lint.syntax import pyast

_CANDIDATE_WORD = re.compile(r"(?<![\w-])(step|init)(?![\w-])")


# Every command needs a subcommand word and a Metaflow option spelled somewhere in the file ("--run-id",
# or "run-id" as a CLIArgs dict key): a cheap text test that spares most files any walk.
_PREFILTER_OPTION = re.compile(
    r"""(?:--|["'])(?:run-id|task-id|input-paths|metadata|datastore|environment|no-pylint|branch|production|with|"""
    r"""retry-count|max-user-code-retries|split-index|event-logger|monitor|package-suffixes|config|clone-run-id|"""
    r"""ubf-context|num-parallel)\b"""
)


_CANDIDATE_WORD_BYTES = re.compile(_CANDIDATE_WORD.pattern.encode())


_PREFILTER_OPTION_BYTES = re.compile(_PREFILTER_OPTION.pattern.encode())


@functools.lru_cache(maxsize=16)  # every command rule asks about the same text; str/bytes cache their hash
def may_build_commands(text: Union[str, bytes]) -> bool:
    """Can this file build a Metaflow command at all? Decided without libcst, in two steps.

    1. A regex over the raw text: a subcommand word and a Metaflow option anywhere (comments included).
    2. For a file that passes, the same two tests over its string literals only, read from CPython's ``ast``
       (about a tenth of a libcst parse): every token the command model recognises is a string literal's text,
       and the model never reads comments or docstrings. In Metaflow's own tree this drops 31 of 54 files,
       whose words and options are prose. A file ``ast`` cannot parse keeps the answer of step 1.
    """
    if isinstance(text, bytes):
        if not (_CANDIDATE_WORD_BYTES.search(text) and _PREFILTER_OPTION_BYTES.search(text)):
            return False
    elif not (_CANDIDATE_WORD.search(text) and _PREFILTER_OPTION.search(text)):
        return False
    return _strings_may_build_commands(text)


# In a literal's value the option may also open the string (a dict key ``"run-id"``, a list element ``"with"``).
_OPTION_IN_LITERAL = re.compile(r"""(?:--|["']|^)""" + _PREFILTER_OPTION.pattern[len(r"""(?:--|["'])"""):])


def _strings_may_build_commands(text: Union[str, bytes]) -> bool:
    tree = pyast.parse_source(text)
    if tree is None:
        return True
    docstrings = set()
    for node in pyast.nodes_of(tree, ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
        first = node.body[0] if node.body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            docstrings.add(id(first.value))
    word = option = False
    for node in pyast.nodes_of(tree, ast.Constant):
        if id(node) not in docstrings:
            value = node.value
            if isinstance(value, bytes):
                value = value.decode("latin-1")
            elif not isinstance(value, str):
                continue
            word = word or bool(_CANDIDATE_WORD.search(value))
            option = option or bool(_OPTION_IN_LITERAL.search(value))
            if word and option:
                return True
    return False
