"""libcst's ``parse_module`` without the checks meant for hand-built nodes.

Every node libcst's parser creates runs ``CSTNode.__post_init__``, whose only work is ``_validate``: the checks a
node built by hand needs (balanced parentheses, the whitespace a keyword requires). A tree the parser built
from source text satisfies them by construction, and they cost 13 % of the parse of Metaflow's tree, the
largest single cost of a cold run.

``parse_module`` switches the hook off for the duration of the parse, and only while libcst's hook is exactly
that one call (read from its source, like ``syntax.visiting`` reads libcst's child order): a libcst that does
more in the hook keeps it. Nodes built any other way (fixes, tests) are validated as usual.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # pragma: no cover
    import libcst as cst

__all__ = ["parse_module", "skips_validation"]

_hook_is_only_validation: Optional[bool] = None


def _only_validates(hook) -> bool:
    """Is the hook's body (docstring and comments aside) exactly ``self._validate()``?"""
    try:
        source = textwrap.dedent(inspect.getsource(hook))
        function = ast.parse(source).body[0]
    except (OSError, TypeError, SyntaxError, IndexError):
        return False
    if not isinstance(function, ast.FunctionDef):
        return False
    body = [s for s in function.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    expected = ast.parse("self._validate()").body
    return len(body) == 1 and ast.dump(body[0]) == ast.dump(expected[0])


def skips_validation() -> bool:
    """Whether ``parse_module`` can skip the hook with this libcst (decided once per process)."""
    global _hook_is_only_validation
    if _hook_is_only_validation is None:
        from libcst import CSTNode

        _hook_is_only_validation = _only_validates(CSTNode.__dict__.get("__post_init__"))
    return _hook_is_only_validation


def _no_checks(self) -> None:
    return None


def parse_module(text: str) -> "cst.Module":
    """``libcst.parse_module(text)``, the same tree, built without the hand-built-node checks when that is safe."""
    import libcst as cst

    if not skips_validation():
        return cst.parse_module(text)
    hook = cst.CSTNode.__dict__["__post_init__"]
    cst.CSTNode.__post_init__ = _no_checks  # type: ignore[method-assign]
    try:
        return cst.parse_module(text)
    finally:
        cst.CSTNode.__post_init__ = hook  # type: ignore[method-assign]
