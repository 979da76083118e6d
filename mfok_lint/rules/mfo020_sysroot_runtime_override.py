"""MFO020 sysroot-runtime-override: the worker's own sysroot wins over the one captured at compile time.

The deployer captures ``METAFLOW_DATASTORE_SYSROOT_LOCAL`` when the flow is compiled and bakes it into the
code it emits, because the client that later reads the run's artifacts looks there. Generated code that
writes ``os.environ.get("METAFLOW_DATASTORE_SYSROOT_LOCAL", "<compiled>")`` (or ``... or "<compiled>"``,
``env.setdefault(...)``, ``${METAFLOW_DATASTORE_SYSROOT_LOCAL:-<compiled>}``) lets whatever the worker's
environment happens to hold (an image default, the scheduler host's shell, a developer's profile) win, and
the step then writes its artifacts into a datastore nobody reads.

Design decisions:
- Worker-side means *code the extension emits for the worker*: string literals holding generated Python,
  bash task bodies, heredocs or jinja templates (``model.generated_code``). The extension's own modules are not
  checked: in plain Python nothing distinguishes a compile-time value from any other fallback, while in
  emitted code the compile-time value is visible as a placeholder the compiler fills in.
- The finding needs the fallback to be such a placeholder (an f-string field, ``{name}``, ``%s``,
  ``{{ jinja }}``). A fallback written literally (``os.path.expanduser("~")``, ``/data``) is a default, not
  a captured value, and is left alone.
- Recognised reads: ``os.environ.get(K, fallback)``, ``os.getenv(K, fallback)``, either followed by
  ``or fallback``, ``<mapping>.setdefault(K, fallback)``, and the shell expansions ``${K:-x}``, ``${K-x}``,
  ``${K:=x}``, ``${K=x}``.
- The extension's own value wins anyway when the environment it hands the worker sets the key itself
  (``env["METAFLOW_DATASTORE_SYSROOT_LOCAL"] = sysroot`` in any module of the package, an ``export`` in the emitted
  script, a container spec's ``env``): the worker's "own" value is then the compiled one, and the fallback can
  only matter where the compiled value is empty too. Nothing is reported in such a package.
- The statement form too, when the generated Python parses: ``root = "<compiled>"`` then
  ``v = os.environ.get(K)`` and ``if v: root = ...`` in the same block. Only a variable first bound to a
  placeholder value and rebound under a test of the environment read counts.
"""

from __future__ import annotations

import ast
import re
from typing import Dict, List, Optional

from mfok_lint.model.environment import environments
from mfok_lint.model.generated_code import HOLE, char_offset, code_strings, matching_paren, parse_python
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context

_KEY = "METAFLOW_DATASTORE_SYSROOT_LOCAL"
_PY_READ = re.compile(r"""\b(?:os\.environ\.get|environ\.get|os\.getenv|getenv)\s*\(\s*(['"])""" + _KEY + r"\1")
_SETDEFAULT = re.compile(r"""\.setdefault\s*\(\s*(['"])""" + _KEY + r"\1")
_SHELL = re.compile(r"\$\{" + _KEY + r":?[-=]([^}]*)\}")
_OR = re.compile(r"\s*or\s+([^\n;#'\"]*(?:(['\"])[^\n'\"]*\2)?[^\n;#'\"]*)")


class SysrootRuntimeOverride(Rule):
    needs = frozenset({"code_strings", "package"})
    triggers = Text(_KEY.encode())

    def check(self, ctx: Context) -> None:
        found = []
        for piece in code_strings(ctx):
            code = piece.code
            if _KEY not in code:
                continue
            for start, end, form in list(_overrides(code)) + _statement_overrides(code):
                found.append((piece, start, end, form))
        if not found or _worker_environment_sets_key(ctx):
            return
        for piece, start, end, form in found:
            ctx.report(
                piece.span(start, end),
                message=f"Generated code `{form}` lets the worker's own `{_KEY}` override the value captured "
                "at compile time; set the compiled value unconditionally",
            )


def _worker_environment_sets_key(ctx: Context) -> bool:
    """Does any environment the package builds for a worker (not its own process) carry the key?"""
    for source, env in ctx.package_code.each(environments, containing=(_KEY.encode(),)):
        if env.kind == "process":
            continue
        for key in env.keys:
            if key.name == _KEY and not _sets_from_itself(source, key.target):
                return True
    return False


def _sets_from_itself(source, target) -> bool:
    """Is the key set from its own current value (``export K="${K:-...}"``): the override, not a compiled value?"""
    start, _end = source.offsets(target)
    text = source.text
    line = text[text.rfind("\n", 0, start) + 1: (text.find("\n", start) + 1 or len(text) + 1) - 1]
    return bool(_PY_READ.search(line) or _SETDEFAULT.search(line) or re.search(r"\$\{*" + _KEY, line))


def _overrides(code: str):
    for m in _PY_READ.finditer(code):
        end = matching_paren(code, code.index("(", m.start()))
        args = code[m.end(): end - 1]
        fallback = args.split(",", 1)[1] if "," in args else ""
        tail = _OR.match(code, end)
        if tail is not None:
            fallback += tail.group(1)
            end = tail.end(1)
        if HOLE in fallback:
            yield m.start(), end, _form(code[m.start(): end])
    for m in _SETDEFAULT.finditer(code):
        end = matching_paren(code, code.index("(", m.start()))
        args = code[m.end(): end - 1]
        if HOLE in args:
            yield m.start() + 1, end, _form(code[m.start() + 1: end])
    for m in _SHELL.finditer(code):
        if HOLE in m.group(1):
            yield m.start(), m.end(), _form(m.group(0))


def _form(text: str) -> str:
    text = " ".join(text.replace(HOLE, "{...}").split())
    return text if len(text) <= 70 else text[:67] + "..."


def _env_read(node: ast.AST) -> bool:
    """``os.environ.get(K)`` / ``os.getenv(K)`` / ``os.environ[K]`` with no fallback of its own."""
    if isinstance(node, ast.Call) and node.args and not node.keywords:
        name = ast.unparse(node.func)
        key = node.args[0]
        return (
            name in ("os.environ.get", "environ.get", "os.getenv", "getenv")
            and isinstance(key, ast.Constant)
            and key.value == _KEY
        )
    return False


def _statement_overrides(code: str) -> list:
    if "os" not in code or "if" not in code:
        return []
    tree = parse_python(code)
    if tree is None:
        return []
    found = []

    def block(body: List[ast.stmt], compiled: Dict[str, bool]) -> None:
        compiled = dict(compiled)
        env_vars: Dict[str, ast.AST] = {}
        for stmt in body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                target = stmt.targets[0].id
                if _env_read(stmt.value):
                    env_vars[target] = stmt.value
                elif HOLE in ast.unparse(stmt.value):
                    compiled[target] = True
                continue
            if isinstance(stmt, ast.If):
                tested = _tested_name(stmt.test)
                if tested in env_vars:
                    rebound = {
                        t.id
                        for s in ast.walk(stmt)
                        if isinstance(s, ast.Assign)
                        for t in s.targets
                        if isinstance(t, ast.Name)
                    }
                    if any(compiled.get(name) for name in rebound):
                        read = env_vars[tested]
                        start = char_offset(code, read.lineno, read.col_offset)
                        end = char_offset(code, read.end_lineno, read.end_col_offset)
                        found.append((start, end, f"{_form(code[start:end])}` followed by `if {tested}: ..."))
                block(stmt.body, compiled)
                block(stmt.orelse, compiled)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.With, ast.For, ast.While, ast.Try)):
                block(stmt.body, compiled if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) else {})

    block(tree.body, {})
    return found


def _tested_name(test: ast.AST) -> Optional[str]:
    if isinstance(test, ast.Name):
        return test.id
    if isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and len(test.ops) == 1:
        if isinstance(test.ops[0], ast.IsNot):
            return test.left.id
    return None
