"""The environment model: every environment mapping a file builds for a step, a task or a worker.

Several rules ask the same question of an extension ("does the step environment carry X?", "does it leak
Y?"), so the answer is computed once per file and shared (``ctx.lazy("environments", ...)``).

Design decisions:
- An environment is a *mapping under construction*, followed from where it is created through every
  statement that adds to it in the same function: ``env = {...}``, ``env["K"] = v``, ``env.update(...)``,
  ``env.setdefault(...)``, ``env |= {...}``, ``{**os.environ, ...}``, ``os.environ.copy()`` and ``dict(...)``.
  Bindings are tracked by dotted name (``env``, ``self._env``) inside one function, which is how extensions
  write them; following values across functions is left to the rules that need it.
- It records what is certain and what is not: the literal keys (with spans, and whether they are added
  under a condition), whether unknown mappings are merged in (``open``) and whether the base is the
  process environment (``inherits_process``). A rule can then decide whether an absent key is a finding
  or merely unknown.
- Environments also live inside string literals, because extensions generate the worker code: Python
  source (``_extra_env["METAFLOW_X"] = ...``), bash (``export METAFLOW_X=...``) and container specs in
  YAML or JSON (``- name: METAFLOW_X``). These are scanned in the literal's own source text (never in
  comments or docstrings of the file), so every key keeps an exact span. Generated Python is grouped by the
  generated variable's name across the file, since code generators emit one variable over many literals.
- What counts as an environment: a mapping with an environment-style ``METAFLOW_*`` key, anything built
  from ``os.environ``, a dict bound to a name that says ``env``, and anything passed as ``env=``. Plain
  dicts with other upper-case keys are not environments. Assignments to ``os.environ`` itself are kept as
  ``kind="process"`` (the current process, not a mapping handed to a worker).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

import libcst as cst

from mfok_lint.core.spans import Span, Target
from mfok_lint.syntax import visiting
from mfok_lint.syntax.names import dotted_name, string_value
from mfok_lint.syntax.source_file import SourceFile

__all__ = ["EnvKey", "Environment", "build_environments", "environments"]

ENV_KEY_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")
# Names that say "this is an environment mapping": env, step_env, _extra_env, env_vars, self.environment, ...
# (not env_code, env_id, env_path: strings that merely talk about one).
_ENVISH_NAME_RE = re.compile(r"(?:^|_)env(?:iron(?:ment)?)?(?:_?vars?|_?overrides?|_?dict)?$", re.IGNORECASE)
_CONDITIONAL = (cst.If, cst.For, cst.While, cst.Try, cst.Match, cst.TryStar)


@dataclass
class EnvKey:
    name: str
    target: Target  # the key literal (a node, or a span inside a string literal)
    conditional: bool = False  # added under an if/for/while/try relative to the environment's creation


@dataclass
class Environment:
    kind: str  # "python" | "generated-python" | "bash" | "container" | "process"
    anchor: Target  # where a finding about the whole environment is reported
    name: Optional[str] = None  # the variable/attribute (or generated variable) holding it
    function: Optional[cst.FunctionDef] = None  # the enclosing function of the creation, None at module level
    keys: List[EnvKey] = field(default_factory=list)
    open: bool = False  # unknown mappings merged in: more keys may exist than are listed
    inherits_process: bool = False  # built on top of os.environ (the worker's own environment)
    merges: List[str] = field(default_factory=list)  # source text of merged mappings, for messages
    creation: Optional[cst.CSTNode] = None  # the statement that creates it (python kind), for fixes
    consumers: List[cst.Call] = field(default_factory=list)  # calls receiving it as env=
    absorbed: List["Environment"] = field(default_factory=list)  # tracked environments merged into this one
    returned_by: Optional[str] = None  # the function returning it, when that function's name says "env"

    @property
    def key_names(self) -> List[str]:
        return [k.name for k in self.keys]

    def has(self, key: str) -> bool:
        return any(k.name == key for k in self.keys)

    def has_metaflow_key(self) -> bool:
        return any(k.name.startswith("METAFLOW_") for k in self.keys)

    def add(self, key: EnvKey) -> None:
        self.keys.append(key)


def environments(ctx: SourceFile) -> List[Environment]:
    """The file's environments, computed once per lint pass."""
    return ctx.lazy("environments", build_environments)


def build_environments(ctx: SourceFile) -> List[Environment]:
    collector = _PythonCollector(ctx.module)
    visiting.visit(ctx.module, collector)
    envs = list(collector.result)
    envs.extend(_StringScanner(ctx.module, collector.docstrings).scan())
    return envs


# ---------------------------------------------------------------------------------------------------------
# Python code
# ---------------------------------------------------------------------------------------------------------


def _envish(name: Optional[str]) -> bool:
    return bool(name) and bool(_ENVISH_NAME_RE.search(name.rsplit(".", 1)[-1]))  # type: ignore[union-attr]


def _is_os_environ(node: cst.BaseExpression) -> bool:
    return dotted_name(node) in ("os.environ", "environ")


def _is_environ_copy(node: cst.BaseExpression) -> bool:
    """os.environ.copy(), dict(os.environ), copy.copy(os.environ), {**os.environ}."""
    if not isinstance(node, cst.Call):
        return False
    func = dotted_name(node.func)
    if isinstance(node.func, cst.Attribute) and node.func.attr.value == "copy" and _is_os_environ(node.func.value):
        return True
    return bool(
        func in ("dict", "copy.copy", "copy.deepcopy", "deepcopy") and node.args and _is_os_environ(node.args[0].value)
    )


@dataclass
class _Shape:
    """What an expression contributes to a mapping."""

    keys: List[Tuple[str, cst.CSTNode]] = field(default_factory=list)
    open: bool = False
    inherits_process: bool = False
    merges: List[str] = field(default_factory=list)
    is_mapping: bool = False
    absorbed: List[Environment] = field(default_factory=list)


class _PythonCollector(cst.CSTVisitor):
    def __init__(self, module: cst.Module) -> None:
        super().__init__()
        self.module = module
        self.result: List[Environment] = []
        self.docstrings: set = set()
        self._funcs: List[Optional[cst.FunctionDef]] = [None]
        self._bindings: List[Dict[str, Tuple[Environment, int]]] = [{}]  # name -> (env, depth at creation)
        self._depth: List[int] = [0]
        self._stmt: List[cst.CSTNode] = []
        self._claimed: set = set()  # dict/list literal ids already part of an environment

    # -- scopes --------------------------------------------------------------------------------------------
    def visit_Module(self, node: cst.Module) -> None:
        self._note_docstring(node.body)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._funcs.append(node)
        self._bindings.append({})
        self._depth.append(0)
        if isinstance(node.body, cst.IndentedBlock):
            self._note_docstring(node.body.body)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._funcs.pop()
        self._bindings.pop()
        self._depth.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if isinstance(node.body, cst.IndentedBlock):
            self._note_docstring(node.body.body)

    def _note_docstring(self, body: Sequence[cst.CSTNode]) -> None:
        if body and isinstance(body[0], cst.SimpleStatementLine) and body[0].body:
            first = body[0].body[0]
            if isinstance(first, cst.Expr) and isinstance(first.value, (cst.SimpleString, cst.ConcatenatedString)):
                self.docstrings.add(id(first.value))

    def _enter_conditional(self, node: cst.CSTNode) -> None:
        self._depth[-1] += 1

    def _leave_conditional(self, node: cst.CSTNode) -> None:
        self._depth[-1] -= 1

    visit_If = visit_For = visit_While = visit_Try = visit_Match = visit_TryStar = _enter_conditional  # type: ignore
    leave_If = leave_For = leave_While = leave_Try = leave_Match = leave_TryStar = _leave_conditional  # type: ignore

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._stmt.append(node)

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine) -> None:
        self._stmt.pop()

    def visit_Expr(self, node: cst.Expr) -> None:
        # A bare string statement anywhere is documentation, not code.
        if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString)):
            self.docstrings.add(id(node.value))

    # -- helpers -------------------------------------------------------------------------------------------
    def _lookup(self, name: str) -> Optional[Environment]:
        entry = self._bindings[-1].get(name)
        return entry[0] if entry else None

    def _new_env(self, anchor: cst.CSTNode, name: Optional[str], shape: _Shape, kind: str = "python") -> Environment:
        env = Environment(
            kind=kind,
            anchor=anchor,
            name=name,
            function=self._funcs[-1],
            open=shape.open,
            inherits_process=shape.inherits_process,
            merges=list(shape.merges),
            creation=self._stmt[-1] if self._stmt else None,
            absorbed=list(shape.absorbed),
        )
        for key, node in shape.keys:
            env.add(EnvKey(key, node, False))
        self.result.append(env)
        return env

    def _shape(self, node: cst.BaseExpression) -> _Shape:
        shape = _Shape()
        if isinstance(node, cst.Dict):
            shape.is_mapping = True
            self._claimed.add(id(node))
            for element in node.elements:
                if isinstance(element, cst.DictElement):
                    key = string_value(element.key)
                    if key is not None:
                        if ENV_KEY_RE.match(key):
                            shape.keys.append((key, element.key))
                    else:
                        shape.open = True
                        shape.merges.append(self.module.code_for_node(element.key))
                elif isinstance(element, cst.StarredDictElement):
                    self._merge_into(shape, element.value)
            return shape
        if isinstance(node, cst.Call):
            if _is_environ_copy(node):
                shape.is_mapping = True
                shape.inherits_process = True
                return shape
            func = dotted_name(node.func)
            if func == "dict":
                shape.is_mapping = True
                for arg in node.args:
                    if arg.keyword is not None:
                        if ENV_KEY_RE.match(arg.keyword.value):
                            shape.keys.append((arg.keyword.value, arg.keyword))
                    elif arg.star == "**":
                        self._merge_into(shape, arg.value)
                    else:
                        self._merge_into(shape, arg.value)
                return shape
            if isinstance(node.func, cst.Attribute) and node.func.attr.value == "copy" and not node.args:
                base = dotted_name(node.func.value)
                known = self._lookup(base) if base else None
                if known is not None:
                    shape.is_mapping = True
                    shape.keys.extend((k.name, k.target) for k in known.keys if isinstance(k.target, cst.CSTNode))
                    shape.open = known.open
                    shape.inherits_process = known.inherits_process
                    shape.merges.extend(known.merges)
                    return shape
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            left, right = self._shape(node.left), self._shape(node.right)
            if left.is_mapping or right.is_mapping:
                for part in (left, right):
                    shape.keys.extend(part.keys)
                    shape.open = shape.open or part.open or not part.is_mapping
                    shape.inherits_process = shape.inherits_process or part.inherits_process
                    shape.merges.extend(part.merges)
                shape.is_mapping = True
        return shape

    def _merge_into(self, shape: _Shape, value: cst.BaseExpression) -> None:
        if _is_os_environ(value) or _is_environ_copy(value):
            shape.inherits_process = True
            return
        inner = self._shape(value)
        if inner.is_mapping:
            shape.keys.extend(inner.keys)
            shape.open = shape.open or inner.open
            shape.inherits_process = shape.inherits_process or inner.inherits_process
            shape.merges.extend(inner.merges)
            return
        name = dotted_name(value)
        known = self._lookup(name) if name else None
        if known is not None:
            shape.keys.extend((k.name, k.target) for k in known.keys if isinstance(k.target, cst.CSTNode))
            shape.open = shape.open or known.open
            shape.inherits_process = shape.inherits_process or known.inherits_process
            shape.merges.extend(known.merges)
            shape.absorbed.append(known)
            return
        shape.open = True
        shape.merges.append(self.module.code_for_node(value))

    def _is_environment(self, name: Optional[str], shape: _Shape) -> bool:
        if not shape.is_mapping:
            return False
        if shape.inherits_process or any(k.startswith("METAFLOW_") for k, _ in shape.keys):
            return True
        return _envish(name)

    def _add_keys(self, env: Environment, shape: _Shape, creation_depth: int) -> None:
        conditional = self._depth[-1] > creation_depth
        for key, node in shape.keys:
            env.add(EnvKey(key, node, conditional))
        env.open = env.open or shape.open
        env.inherits_process = env.inherits_process or shape.inherits_process
        env.merges.extend(shape.merges)
        env.absorbed.extend(shape.absorbed)

    # -- statements ----------------------------------------------------------------------------------------
    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Subscript):
            self._subscript_store(target)
            return
        name = dotted_name(target)
        if name is None:
            return
        if _is_os_environ(target):
            return
        shape = self._shape(value)
        if self._is_environment(name, shape):
            env = self._new_env(value, name, shape)
            self._bindings[-1][name] = (env, self._depth[-1])
            return
        if isinstance(value, cst.Call) and _envish(name):
            # `step_env = _gather_step_env()`: a mapping built elsewhere, extended here.
            callee = (dotted_name(value.func) or "").lstrip("_")
            if re.search(r"env", callee, re.IGNORECASE):
                shape = _Shape(open=True, merges=[self.module.code_for_node(value)], is_mapping=True)
                env = self._new_env(value, name, shape)
                self._bindings[-1][name] = (env, self._depth[-1])
                return
        tracked = self._bindings[-1].get(name)
        if tracked is not None and _envish(name) and self._depth[-1] > tracked[1]:
            # `env = {}` then `if deco: env = deco.vars.copy()`: still the same environment, now partly unknown.
            tracked[0].open = True
            tracked[0].merges.append(self.module.code_for_node(value))
            return
        # Rebinding a tracked name to something else ends the tracking.
        self._bindings[-1].pop(name, None)

    def _subscript_store(self, target: cst.Subscript) -> None:
        if len(target.slice) != 1 or not isinstance(target.slice[0].slice, cst.Index):
            return
        key_node = target.slice[0].slice.value
        key = string_value(key_node)
        owner = dotted_name(target.value)
        if owner is None:
            return
        if _is_os_environ(target.value):
            if key is not None and ENV_KEY_RE.match(key):
                env = self._process_env()
                env.add(EnvKey(key, key_node, self._depth[-1] > 0))
            return
        entry = self._bindings[-1].get(owner)
        if entry is None:
            if key is None or not key.startswith("METAFLOW_") or not _envish(owner):
                return
            # A mapping created elsewhere (a parameter, an attribute) and extended here.
            shape = _Shape(open=True, merges=[owner], is_mapping=True)
            env = self._new_env(target.value, owner, shape)
            entry = self._bindings[-1][owner] = (env, self._depth[-1])
        env, depth = entry
        if key is None:
            env.open = True
            env.merges.append(self.module.code_for_node(key_node))
        elif ENV_KEY_RE.match(key):
            env.add(EnvKey(key, key_node, self._depth[-1] > depth))

    def _process_env(self) -> Environment:
        func = self._funcs[-1]
        for env in self.result:
            if env.kind == "process" and env.function is func:
                return env
        anchor = self._stmt[-1] if self._stmt else self.module
        env = Environment(kind="process", anchor=anchor, name="os.environ", function=func, inherits_process=True)
        self.result.append(env)
        return env

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if not isinstance(node.operator, cst.BitOrAssign):
            return
        name = dotted_name(node.target)
        entry = self._bindings[-1].get(name) if name else None
        if entry:
            self._add_keys(entry[0], self._mapping_arg(node.value), entry[1])

    def _mapping_arg(self, value: cst.BaseExpression) -> _Shape:
        shape = _Shape(is_mapping=True)
        self._merge_into(shape, value)
        return shape

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute):
            owner = dotted_name(func.value)
            method = func.attr.value
            if owner and method in ("update", "setdefault"):
                if _is_os_environ(func.value):
                    if method == "setdefault" and node.args:
                        key = string_value(node.args[0].value)
                        if key and ENV_KEY_RE.match(key):
                            self._process_env().add(EnvKey(key, node.args[0].value, self._depth[-1] > 0))
                    elif method == "update":
                        env = self._process_env()
                        for arg in node.args:
                            if arg.keyword is not None:
                                env.add(EnvKey(arg.keyword.value, arg.keyword, self._depth[-1] > 0))
                            elif isinstance(arg.value, cst.Dict):
                                for key, key_node in self._shape(arg.value).keys:
                                    env.add(EnvKey(key, key_node, self._depth[-1] > 0))
                    return
                entry = self._bindings[-1].get(owner)
                if entry is not None:
                    env, depth = entry
                    if method == "setdefault":
                        if node.args:
                            key = string_value(node.args[0].value)
                            if key is None:
                                env.open = True
                            elif ENV_KEY_RE.match(key):
                                env.add(EnvKey(key, node.args[0].value, self._depth[-1] > depth))
                    else:
                        shape = _Shape(is_mapping=True)
                        for arg in node.args:
                            if arg.keyword is not None:
                                if ENV_KEY_RE.match(arg.keyword.value):
                                    shape.keys.append((arg.keyword.value, arg.keyword))
                            else:
                                self._merge_into(shape, arg.value)
                        self._add_keys(env, shape, depth)
        # env= keyword of any call: subprocess, docker, asyncio, k8s containers.
        for arg in node.args:
            if arg.keyword is None or arg.keyword.value not in ("env", "environment", "env_vars", "extra_env"):
                continue
            name = dotted_name(arg.value)
            known = self._lookup(name) if name else None
            if known is not None:
                known.consumers.append(node)
                continue
            if isinstance(arg.value, (cst.Dict, cst.Call, cst.BinaryOperation)) and id(arg.value) not in self._claimed:
                shape = self._shape(arg.value)
                if shape.is_mapping:
                    env = self._new_env(arg.value, None, shape)
                    env.consumers.append(node)
            elif isinstance(arg.value, cst.List) and id(arg.value) not in self._claimed:
                env = self._container_list(arg.value)
                if env is not None:
                    env.consumers.append(node)

    def visit_Return(self, node: cst.Return) -> None:
        # `def worker_env(...): return {...}`: a builder whose whole job is the environment.
        func = self._funcs[-1]
        if func is not None and _envish(func.name.value) and isinstance(node.value, (cst.Dict, cst.Call)):
            if id(node.value) in self._claimed:
                return
            shape = self._shape(node.value)
            if shape.is_mapping:
                env = self._new_env(node.value, None, shape)
                env.returned_by = func.name.value

    def visit_Dict(self, node: cst.Dict) -> None:
        # Mappings that are environments without a name: returned, nested in a spec, passed inline.
        if id(node) in self._claimed:
            return
        keys = [string_value(e.key) for e in node.elements if isinstance(e, cst.DictElement)]
        if any(k and k.startswith("METAFLOW_") and ENV_KEY_RE.match(k) for k in keys):
            self._new_env(node, None, self._shape(node))
        elif {k for k in keys if k} >= {"name", "value"}:
            return
        # A spec's "env" list of {"name": ..., "value": ...} entries.
        for element in node.elements:
            if isinstance(element, cst.DictElement) and string_value(element.key) in ("env", "environment"):
                if isinstance(element.value, cst.List) and id(element.value) not in self._claimed:
                    self._container_list(element.value)
                elif isinstance(element.value, cst.Dict) and id(element.value) not in self._claimed:
                    self._new_env(element.value, None, self._shape(element.value), kind="container")

    def visit_List(self, node: cst.List) -> None:
        if id(node) not in self._claimed:
            self._container_list(node, require_metaflow=True)

    def _container_list(self, node: cst.List, require_metaflow: bool = False) -> Optional[Environment]:
        """[{"name": "K", "value": v}, V1EnvVar(name="K", value=v), ...]"""
        entries: List[Tuple[Optional[str], cst.CSTNode]] = []
        other = False
        for element in node.elements:
            value = element.value
            if isinstance(element, cst.StarredElement):
                other = True
                continue
            key_node = None
            if isinstance(value, cst.Dict):
                for e in value.elements:
                    if isinstance(e, cst.DictElement) and string_value(e.key) == "name":
                        key_node = e.value
            elif isinstance(value, cst.Call) and (dotted_name(value.func) or "").endswith("EnvVar"):
                for a in value.args:
                    if a.keyword is not None and a.keyword.value == "name":
                        key_node = a.value
                if key_node is None and value.args and value.args[0].keyword is None:
                    key_node = value.args[0].value
            if key_node is None:
                other = True
                continue
            entries.append((string_value(key_node), key_node))
        if not entries:
            return None
        names = [n for n, _ in entries if n]
        if require_metaflow and not any(n.startswith("METAFLOW_") for n in names):
            return None
        self._claimed.add(id(node))
        for element in node.elements:
            if isinstance(element.value, cst.Dict):
                self._claimed.add(id(element.value))
        shape = _Shape(is_mapping=True, open=other or any(n is None for n, _ in entries))
        shape.keys = [(n, k) for n, k in entries if n and ENV_KEY_RE.match(n)]
        return self._new_env(node, None, shape, kind="container")


# ---------------------------------------------------------------------------------------------------------
# Environments inside string literals (generated code, shell scripts, container specs)
# ---------------------------------------------------------------------------------------------------------

_Q = r"""\\?['"]"""
_GEN_SUBSCRIPT = re.compile(
    r"(?P<var>[A-Za-z_][\w.]*)\[\s*" + _Q + r"(?P<key>[A-Za-z_][A-Za-z0-9_]*)" + _Q + r"\s*\]\s*=(?!=)"
)
_GEN_CREATE = re.compile(
    r"(?m)(?:^|;|^[rbfuRBFU]{0,2}(?:\'\'\'|\"\"\"|\'|\"))\s*(?P<var>[A-Za-z_]\w*)\s*(?::\s*[^=\n]+?)?\s*=\s*"
    r"(?P<rhs>os\.environ\.copy\(\)|dict\(\s*os\.environ\s*\)|\{|dict\(|[A-Za-z_][\w.]*\()"
)
_GEN_UPDATE = re.compile(r"(?P<var>[A-Za-z_][\w.]*)\.(?P<method>update|setdefault)\(")
_DICT_KEY = re.compile(_Q + r"(?P<key>[A-Z_][A-Z0-9_]*)" + _Q + r"\s*:")
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sdr]|\{\{.*?\}\}|\{\w*\}")
_BASH_EXPORT = re.compile(r"(?:^|[\s;&|(])export\s+(?P<key>[A-Za-z_][A-Za-z0-9_]*)=")
_YAML_NAME = re.compile(r"-\s*name:\s*['\"]?(?P<key>[A-Z_][A-Z0-9_]*)['\"]?\s*(?:\n|\\n)\s*value(?:From)?:")
_JSON_NAME = re.compile(r"""\\?["']name\\?["']\s*:\s*\\?["'](?P<key>[A-Z_][A-Z0-9_]*)\\?["']\s*,\s*\\?["']value""")


def _match_brace(text: str, open_at: int) -> int:
    """Index just past the brace/paren closing the one at open_at, or -1 when the literal ends first."""
    pairs = {"{": "}", "(": ")", "[": "]"}
    stack = [pairs[text[open_at]]]
    i = open_at + 1
    quote: Optional[str] = None
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c in pairs:
            stack.append(pairs[c])
        elif c == stack[-1]:
            stack.pop()
            if not stack:
                return i + 1
        i += 1
    return -1


class _StringScanner(cst.CSTVisitor):
    def __init__(self, module: cst.Module, docstrings: set) -> None:
        super().__init__()
        self.module = module
        self.docstrings = docstrings
        self._funcs: List[Optional[cst.FunctionDef]] = [None]
        self._generated: Dict[str, Environment] = {}
        self._bash: Dict[int, Environment] = {}
        self.result: List[Environment] = []

    def scan(self) -> List[Environment]:
        visiting.visit(self.module, self)
        return [e for e in self.result if e.keys or e.kind == "generated-python" and self._relevant(e)]

    @staticmethod
    def _relevant(env: Environment) -> bool:
        return env.inherits_process or _envish(env.name)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._funcs.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._funcs.pop()

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if id(node) not in self.docstrings:
            self._scan(node, node.value)

    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        self._scan(node, self.module.code_for_node(node))
        return False

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        return id(node) not in self.docstrings

    # -- one literal -----------------------------------------------------------------------------------------
    def _scan(self, node: cst.CSTNode, text: str) -> None:
        if "=" in text or ":" in text:
            self._scan_generated(node, text)
        if "export" in text:
            self._scan_bash(node, text)
        if "name" in text:
            self._scan_container(node, text)

    def _generated_env(self, var: str, node: cst.CSTNode, start: int, end: int) -> Environment:
        env = self._generated.get(var)
        if env is None:
            env = Environment(kind="generated-python", anchor=Span(node, start, end), name=var, function=self._funcs[-1])
            self._generated[var] = env
            self.result.append(env)
        return env

    def _scan_generated(self, node: cst.CSTNode, text: str) -> None:
        for m in _GEN_CREATE.finditer(text):
            var, rhs = m.group("var"), m.group("rhs")
            if var in ("os", "environ"):
                continue
            inherits = rhs.startswith(("os.environ.copy", "dict(")) and "os.environ" in rhs
            if rhs == "{" or rhs == "dict(":
                brace = m.end("rhs") - 1
                close = _match_brace(text, brace)
                body = text[brace:close] if close != -1 else text[brace:]
                keys = [(km.group("key"), brace + km.start("key"), brace + km.end("key")) for km in _DICT_KEY.finditer(body)]
                opens = close == -1 or "**" in body.replace("**os.environ", "") or bool(_PLACEHOLDER.search(body))
                inherits = inherits or "**os.environ" in body or "os.environ" in body[:20]
                envish = _envish(var) or any(k.startswith("METAFLOW_") for k, _, _ in keys) or inherits
                if not envish:
                    continue
                env = self._generated_env(var, node, m.start("var"), m.end("var"))
                env.inherits_process = env.inherits_process or inherits
                env.open = env.open or opens
                for key, s, e in keys:
                    env.add(EnvKey(key, Span(node, s, e)))
            elif inherits:
                env = self._generated_env(var, node, m.start("var"), m.end("var"))
                env.inherits_process = True
            elif _envish(var) and re.search(r"env", rhs, re.IGNORECASE):
                # `_extra_env = _flyte_env()`: built by a generated helper.
                env = self._generated_env(var, node, m.start("var"), m.end("var"))
                env.open = True
                env.merges.append(rhs.rstrip("("))
        for m in _GEN_SUBSCRIPT.finditer(text):
            var, key = m.group("var"), m.group("key")
            if not ENV_KEY_RE.match(key):
                continue
            if var in ("os.environ", "environ"):
                env = self._generated_env("os.environ", node, m.start("var"), m.end("var"))
                env.kind = "process"
                env.inherits_process = True
            elif var in self._generated or key.startswith("METAFLOW_"):
                env = self._generated_env(var, node, m.start("var"), m.end("var"))
            else:
                continue
            env.add(EnvKey(key, Span(node, m.start("key"), m.end("key")), conditional=self._indented(text, m.start())))
        for m in _GEN_UPDATE.finditer(text):
            var = m.group("var")
            env = self._generated.get(var)
            if env is None:
                continue
            paren = m.end() - 1
            close = _match_brace(text, paren)
            body = text[paren + 1 : close - 1] if close != -1 else text[paren + 1 :]
            stripped = body.strip()
            if m.group("method") == "setdefault":
                km = re.match(_Q + r"(?P<key>[A-Z_][A-Z0-9_]*)" + _Q, stripped)
                if km:
                    offset = paren + 1 + body.index(stripped) + km.start("key")
                    env.add(EnvKey(km.group("key"), Span(node, offset, offset + len(km.group("key"))), True))
                continue
            if stripped.startswith("{"):
                for km in _DICT_KEY.finditer(body):
                    s = paren + 1 + km.start("key")
                    env.add(EnvKey(km.group("key"), Span(node, s, s + len(km.group("key")))))
                inner = body.replace("**os.environ", "")
                if "**" in inner or _PLACEHOLDER.search(body):
                    env.open = True
            else:
                env.open = True
                env.merges.append(stripped[:60])

    @staticmethod
    def _indented(text: str, at: int) -> bool:
        line_start = text.rfind("\n", 0, at) + 1
        prefix = text[line_start:at]
        if line_start == 0:
            # A one-line literal (code generators emit one line per literal): indentation lives in the literal.
            quote_end = max(prefix.rfind('"'), prefix.rfind("'"))
            prefix = prefix[quote_end + 1 :]
        return bool(prefix) and prefix.strip() == "" and len(prefix) > 0

    def _scan_bash(self, node: cst.CSTNode, text: str) -> None:
        matches = list(_BASH_EXPORT.finditer(text))
        if not matches:
            return
        func = self._funcs[-1]
        env = self._bash.get(id(func))
        if env is None:
            first = matches[0]
            env = Environment(
                kind="bash",
                anchor=Span(node, first.start("key"), first.end("key")),
                name=None,
                function=func,
                inherits_process=True,  # a shell exports on top of its own environment
            )
            self._bash[id(func)] = env
            self.result.append(env)
        for m in matches:
            env.add(EnvKey(m.group("key"), Span(node, m.start("key"), m.end("key"))))

    def _scan_container(self, node: cst.CSTNode, text: str) -> None:
        matches = list(_YAML_NAME.finditer(text)) + list(_JSON_NAME.finditer(text))
        if not matches:
            return
        matches.sort(key=lambda m: m.start())
        env = Environment(
            kind="container",
            anchor=Span(node, matches[0].start("key"), matches[0].end("key")),
            function=self._funcs[-1],
            open=bool(_PLACEHOLDER.search(text)),
        )
        for m in matches:
            env.add(EnvKey(m.group("key"), Span(node, m.start("key"), m.end("key"))))
        self.result.append(env)


def iter_keys(envs: Iterable[Environment], key: str) -> Iterable[Tuple[Environment, EnvKey]]:
    for env in envs:
        for k in env.keys:
            if k.name == key:
                yield env, k


Anchor = Union[cst.CSTNode, Span]
