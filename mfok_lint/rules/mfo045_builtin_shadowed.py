"""MFO045 builtin-shadowed: a module-level function or click command named like a builtin the module uses.

Extension CLIs like to name commands after their verb: ``def list(...)`` under ``@acme.command()``. The
module-level name then replaces the builtin for the whole module, so a later ``list(run_params)`` calls the
click command (which parses ``sys.argv`` and exits) or the wrong function, far from the definition.

Design decisions:
- Only module-level ``def`` statements named like a builtin (``builtins`` of the running interpreter) are
  candidates; methods and nested functions do not shadow the module's builtins.
- A finding needs a use, in any scope, that resolves to that module-level binding (libcst scope analysis,
  so a local variable of the same name does not count) and that can only have been meant as the builtin:
  any call of a click command (calling one runs the CLI), a call of a plain function that does not fit its
  signature (it raises ``TypeError``; a fitting call is the author calling their own helper on purpose,
  as Metaflow's own ``format(name)`` in ``event_bridge_client.py`` does), or the type argument of
  ``isinstance`` / ``issubclass``. Annotations are not counted (they break
  nothing at runtime, and postponed evaluation hides them entirely). Attribute access (``list.command``) and
  passing the command object (``cli.add_command(list)``) are uses of the command itself. Module-level uses
  before the ``def`` still see the builtin and are not counted.
- The finding is on the function name and names the first such use.
- Cost: scope and parent resolution are two full metadata passes. They run only when CPython's parser (far
  cheaper than a libcst walk) finds a call of a candidate name that is a click command or does not fit the
  candidate's signature, or a candidate name among the arguments of ``isinstance``/``issubclass``; without one
  no use can count, whatever it resolves to. The screen is part of the prefilter, so such files are not even
  parsed by libcst.
"""

from __future__ import annotations

import builtins
import re
from typing import Dict, Set

import libcst as cst
from libcst.metadata import GlobalScope, ParentNodeProvider, ScopeProvider

from mfok_lint.prefilter import Text
from mfok_lint.prefilter.screens import BuiltinNameUsed
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.syntax.names import dotted_name

_BUILTINS: Set[str] = {name for name in dir(builtins) if not name.startswith("_")}
# Only a top-level ``def`` named like a builtin can shadow one.
_BUILTIN_DEF = re.compile(rb"^(?:async[ \t]+)?def[ \t]+(?:" + b"|".join(n.encode() for n in sorted(_BUILTINS)) + rb")[ \t]*\(", re.M)


def _is_click_command(func: cst.FunctionDef) -> bool:
    for decorator in func.decorators:
        expr = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
        if (dotted_name(expr) or "").rsplit(".", 1)[-1] in ("command", "group"):
            return True
    return False


def _call_fits(func: cst.FunctionDef, call: cst.Call) -> bool:
    """Whether ``call`` binds to ``func``'s parameters (unknowable with ``*``/``**`` arguments: assume it does)."""
    if any(arg.star for arg in call.args):
        return True
    params = func.params
    positional = list(params.posonly_params) + list(params.params)
    given = [arg for arg in call.args if arg.keyword is None]
    keywords = [arg.keyword.value for arg in call.args if arg.keyword is not None]
    if len(given) > len(positional) and not isinstance(params.star_arg, cst.Param):
        return False
    bound = {p.name.value for p in positional[: len(given)]}
    by_keyword = {p.name.value for p in list(params.params) + list(params.kwonly_params)}
    for name in keywords:
        if name in bound or (name not in by_keyword and params.star_kwarg is None):
            return False
        bound.add(name)
    required = [p.name.value for p in positional + list(params.kwonly_params) if p.default is None]
    return all(name in bound for name in required)


def _meant_as_builtin(node: cst.CSTNode, func: cst.FunctionDef, parents: Dict[cst.CSTNode, cst.CSTNode]) -> bool:
    """A use that only makes sense for the builtin.

    Any call of a click command (calling it runs the CLI and exits); a call that does not fit the
    function's own signature; or the type tested by ``isinstance`` / ``issubclass`` (alone or in a tuple).
    """
    parent = parents.get(node)
    if isinstance(parent, cst.Call) and parent.func is node:
        return _is_click_command(func) or not _call_fits(func, parent)
    if isinstance(parent, cst.Element):
        tuple_node = parents.get(parent)
        parent = parents.get(tuple_node) if isinstance(tuple_node, cst.Tuple) else None
    if isinstance(parent, cst.Arg):
        call = parents.get(parent)
        return (
            isinstance(call, cst.Call)
            and dotted_name(call.func) in ("isinstance", "issubclass")
            and len(call.args) == 2
            and call.args[1] is parent
        )
    return False


class BuiltinShadowed(Rule):
    needs = frozenset({"cst"})
    # Most files that define a builtin's name never use it as the builtin; those are never parsed by libcst.
    triggers = Text(_BUILTIN_DEF) & BuiltinNameUsed()

    def check(self, ctx: Context) -> None:
        candidates = [
            stmt for stmt in ctx.module.body if isinstance(stmt, cst.FunctionDef) and stmt.name.value in _BUILTINS
        ]
        if not candidates:
            return
        scopes = ctx.metadata(ScopeProvider)
        parents = ctx.metadata(ParentNodeProvider)
        global_scope = scopes.get(candidates[0])
        if not isinstance(global_scope, GlobalScope):
            return
        all_scopes = {id(s): s for s in scopes.values() if s is not None}.values()
        for func in candidates:
            name = func.name.value
            def_line = ctx.node_line(func)
            uses = []
            accesses = [access for scope in all_scopes for access in scope.accesses[name]]
            for access in accesses:
                if not any(getattr(a, "node", None) is func for a in access.referents):
                    continue
                node = access.node
                if node is func.name or not isinstance(node, cst.Name):
                    continue
                in_function = not isinstance(scopes.get(node), GlobalScope)
                if not in_function and ctx.node_line(node) <= def_line:
                    continue
                if _meant_as_builtin(node, func, parents):
                    uses.append(ctx.node_line(node))
            if uses:
                kind = "click command" if _is_click_command(func) else "function"
                ctx.report(
                    func.name,
                    message=(
                        f"Module-level {kind} `{name}` shadows the builtin `{name}()`, which this module uses "
                        f"on line {min(uses)}; rename the function (click commands can keep their name with "
                        f'`name="{name}"`)'
                    ),
                )
