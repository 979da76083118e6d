"""Reading names and literals off libcst nodes: the one helper set every model and rule uses.

(``syntax.pyast`` has the same questions for CPython's ``ast``, which the prefilter's screens read.)
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

_EMPTY_MODULE = cst.Module(body=[])


def dotted_name(node: cst.BaseExpression) -> Optional[str]:
    """``a.b.c`` for a name or a chain of attributes on one; None for anything else (a call, a subscript)."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def called_name(func: cst.BaseExpression) -> Optional[str]:
    """The name a call is known by: the attribute of ``x.y.run(...)`` (whatever ``x.y`` is), else the dotted
    name of the callee; None for a call of a call or a subscript."""
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return dotted_name(func)


def string_value(node: cst.CSTNode) -> Optional[str]:
    """The value of a plain (possibly implicitly concatenated) string literal; None for anything else
    (f-strings, bytes, expressions)."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left, right = string_value(node.left), string_value(node.right)
        return left + right if left is not None and right is not None else None
    return None


def code_of(node: Optional[cst.CSTNode]) -> str:
    """The node's source code as libcst renders it ("" for None, or a node that cannot be rendered)."""
    if node is None:
        return ""
    try:
        return _EMPTY_MODULE.code_for_node(node)
    except Exception:  # a node of a generated-source tree is still renderable; stay defensive
        return ""
