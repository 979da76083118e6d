"""MFO019 host-pythonpath-leak: the deployer's ``PYTHONPATH``/``sys.path`` shipped into worker environments.

The deploying machine's import path names directories that exist only there (a virtualenv, a Metaflow
source checkout, a user site-packages). Baked into a worker's ``PYTHONPATH`` it either points nowhere or,
worse, on a shared filesystem or the same image layout, imports a different Metaflow (with extensions
that register plugins the workers' Metaflow lacks) than the one the worker installed.

Decisions:
* Built on the environment model: only a ``PYTHONPATH`` key of a tracked environment is examined, and
  only when its value is visibly the deployer's own path: ``os.environ["PYTHONPATH"]``,
  ``os.environ.get``/``os.getenv("PYTHONPATH")``, ``sys.path``, ``site.getsitepackages()``,
  ``site.getusersitepackages()``, ``sysconfig.get_path(...)`` or a literal ``site-packages`` path, directly
  or through simple assignments (shared value model, ``model.values``).
* Bash and generated templates (``"export PYTHONPATH=%s" % os.environ.get("PYTHONPATH")``,
  ``f"PYTHONPATH={os.pathsep.join(sys.path)}"``) are recognised by the substituted operand, so a worker
  script that extends its *own* path (``export PYTHONPATH=$PYTHONPATH:/app``) is never reported.
* An environment whose only consumers are local process launches (``subprocess.*``, ``Popen``,
  ``asyncio.create_subprocess_*``, ``os.exec*``) stays on the deploying host, where its path is valid: not
  reported.
"""

from __future__ import annotations

import re
from typing import Dict, Optional

import libcst as cst

from mfok_lint.model.environment import environments
from mfok_lint.model.values import trace_origin
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.syntax.names import code_of

_HOST_PATH = re.compile(
    r"""\b(?:os\.)?environ\s*(?:\[\s*|\.get\(\s*)["']PYTHONPATH["']|\bgetenv\(\s*["']PYTHONPATH["']"""
    r"""|\bsys\.path\b|\bgetsitepackages\s*\(|\bgetusersitepackages\s*\(|\bsysconfig\.get_paths?\s*\("""
    r"""|site-packages"""
)
_PYTHONPATH_TEMPLATE = re.compile(r"""PYTHONPATH["']?\s*[=:,]\s*["']?(?:%|\{|$)""")
_LOCAL_LAUNCH = re.compile(
    r"""^(?:subprocess\.\w+|\w*Popen|(?:asyncio\.)?create_subprocess_\w+|os\.exec\w+|os\.spawn\w+|check_call|"""
    r"""check_output|call|run)$"""
)


def _host_origin(text: str) -> Optional[str]:
    m = _HOST_PATH.search(text)
    return None if m is None else " ".join(text.split()) if len(text) <= 70 else m.group(0)


_INDEXED = (cst.DictElement, cst.Dict, cst.Assign, cst.Call, cst.BinaryOperation, cst.FormattedString)


class _ValueIndex:
    """id(key node) -> the value stored under it: dict entries, subscript stores, setdefault/update calls; and the
    string templates of the module. Fed the module's nodes in walk order (a later store wins)."""

    def __init__(self, nodes) -> None:
        self.values: Dict[int, cst.BaseExpression] = {}
        self.templates = []
        for node in nodes:
            getattr(self, "visit_" + type(node).__name__)(node)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        self.values[id(node.key)] = node.value

    def visit_Dict(self, node: cst.Dict) -> None:
        # container specs: {"name": "PYTHONPATH", "value": ...}
        entries = {}
        for element in node.elements:
            if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                entries[element.key.evaluated_value] = element.value
        if "name" in entries and "value" in entries:
            self.values[id(entries["name"])] = entries["value"]

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Subscript) and len(target.target.slice) == 1:
                index = target.target.slice[0].slice
                if isinstance(index, cst.Index):
                    self.values[id(index.value)] = node.value

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "setdefault" and len(node.args) >= 2:
            self.values[id(node.args[0].value)] = node.args[1].value
        for arg in node.args:
            if arg.keyword is not None:
                self.values[id(arg.keyword)] = arg.value
        if isinstance(func, cst.Attribute) and func.attr.value == "format":
            self.templates.append(node)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if isinstance(node.operator, cst.Modulo):
            self.templates.append(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self.templates.append(node)


class HostPythonpathLeak(Rule):
    needs = frozenset({"cst", *_INDEXED})
    triggers = Text(b"PYTHONPATH")

    def check(self, ctx) -> None:
        index = _ValueIndex(ctx.nodes(*_INDEXED))
        reported = set()

        def report(target, origin: str) -> None:
            try:
                where = ctx.offsets(target)
            except KeyError:
                return
            if where in reported:
                return
            reported.add(where)
            ctx.report(
                target,
                message=f"`PYTHONPATH` for the workers is set from `{origin}`, the deploying machine's import path",
            )

        for env in environments(ctx):
            if env.kind == "process" or (env.consumers and all(_is_local_launch(c) for c in env.consumers)):
                continue
            for key in env.keys:
                if key.name != "PYTHONPATH" or not isinstance(key.target, cst.CSTNode):
                    continue
                value = index.values.get(id(key.target))
                if value is None:
                    continue
                origin = trace_origin(ctx, value, env.function, _host_origin)
                if origin is not None:
                    report(key.target, origin)
        for template in index.templates:
            self._check_template(ctx, template, report)

    def _check_template(self, ctx, node, report) -> None:
        if isinstance(node, cst.FormattedString):
            text = code_of(node)
            for part in node.parts:
                if not isinstance(part, cst.FormattedStringExpression):
                    continue
                before = text[: text.find(code_of(part))] if code_of(part) in text else ""
                if not _PYTHONPATH_TEMPLATE.search(before.rsplit("\n", 1)[-1] + "{"):
                    continue
                origin = trace_origin(ctx, part.expression, None, _host_origin)
                if origin is not None:
                    report(node, origin)
            return
        if isinstance(node, cst.BinaryOperation):
            fmt, operands = node.left, node.right
            values = [e.value for e in operands.elements] if isinstance(operands, cst.Tuple) else [operands]
        else:
            fmt, values = node.func.value, [a.value for a in node.args]
        if not isinstance(fmt, (cst.SimpleString, cst.ConcatenatedString)):
            return
        text = code_of(fmt)
        if not any(_PYTHONPATH_TEMPLATE.search(line) for line in _template_lines(text)):
            return
        for value in values:
            origin = trace_origin(ctx, value, None, _host_origin)
            if origin is not None:
                report(node, origin)
                return


def _template_lines(text: str):
    """Each line of a template cut right after its first placeholder, so `PYTHONPATH=%s` ends the match."""
    for line in text.replace("\\n", "\n").splitlines():
        cut = min((i for i in (line.find("%s"), line.find("{")) if i != -1), default=-1)
        if cut != -1:
            yield line[: cut + 1]


def _is_local_launch(call: cst.Call) -> bool:
    name = code_of(call.func)
    return bool(_LOCAL_LAUNCH.match(name))
