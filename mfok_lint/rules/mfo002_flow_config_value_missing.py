"""MFO002 flow-config-value-missing: a step/task environment built without ``METAFLOW_FLOW_CONFIG_VALUE``.

Metaflow resolves ``@config`` values when the flow file is loaded. In ``python flow.py step ...`` they come
from ``--config-value``/``--config`` top-level options or, failing those, from the ``METAFLOW_FLOW_CONFIG_VALUE``
environment variable (the option's ``envvar``); without either, every task sees the configs' defaults, so
``config_expr`` in ``@project`` or in decorator arguments evaluates differently on the worker than at deploy.

Design decisions (precision first, each one checked against the real extensions):
- Only files that build step/init commands are examined: some non-docstring string literal carries
  ``--task-id`` or ``--input-paths``, options only ``step`` and ``init`` take. Deployer-side helpers that set
  ``METAFLOW_DEFAULT_*`` for the client are not task environments.
- Only environments holding at least one ``METAFLOW_*`` key are task environments; an environment that
  already sets the key (even conditionally: ``if cfg: env[KEY] = ...`` is the canonical shape, since an
  empty mapping must not be sent) is fine.
- Configs may travel on the command line instead: a ``--config-value``/``--config`` token in the file or in
  the extension's package (``model.package_code``) disables the rule for that file, and so does forwarding, in the
  file itself, the top-level options the way Metaflow does (``util.dict_to_cli_options(ctx.parent.parent.params)``
  in a ``<group> step`` command, ``top_level_options.update(...)``, the runtime's ``CLIArgs``), which carries
  ``--config-value`` whenever the deploying process had it. Forwarding in another module does not count: it covers
  the commands built there, not an ``init`` or fallback command built by hand in this one.
- An environment that merges mappings built elsewhere (``env.update(base)``, ``{**base, ...}``) or is built
  on the worker's own ``os.environ`` may receive the key from there. It is reported only when nothing in the
  file or its package sets the key at all; the package check tokenizes the sibling modules so comments and
  docstrings that merely mention the variable do not count.
- The fix (unsafe: it changes what tasks see) is offered only for a Python mapping bound to a name in a
  function that can reach the flow object (a ``flow`` parameter, ``obj.flow`` under ``click.pass_obj``, or
  ``self.flow``/``self._flow`` set by the class). It serialises the compile-time config values the way the
  step-functions and argo compilers' ``config_parameters`` mapping does, from the flow's own config state,
  read the way the targeted Metaflow releases keep it (``FlowStateItems`` from 2.19.10, the private
  ``_FlowState`` from 2.12.37; when the targeted releases span several shapes, each is tried newest first,
  down to an empty mapping for releases before 2.12.37, which have no configs: a package declaring
  ``metaflow>=2.12.34`` runs on 2.12.34 too).
- Metaflow has ``@config`` from 2.12.37: code that targets only older releases has nothing to forward.
"""

from __future__ import annotations

import io
import re
import tokenize
from typing import List, Optional, Tuple

import libcst as cst

from mfok_lint.core.diagnostics import Applicability
from mfok_lint.core.metaflow_contract import MetaflowRange
from mfok_lint.model.environment import Environment, build_environments
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.syntax import visiting

KEY = "METAFLOW_FLOW_CONFIG_VALUE"
_STEP_ONLY_OPTIONS = ("--task-id", "--input-paths")
_CONFIG_OPTIONS = ("--config-value", "--config")
_TASK_KINDS = ("python", "generated-python", "bash", "container")


class FlowConfigValueMissing(Rule):
    needs = frozenset({"cst", "package"})
    # A finding needs a string literal naming a step-only option; literals are source text, so a file whose bytes
    # never spell one cannot have such a literal (and is not walked for its strings).
    triggers = Text(b"METAFLOW_") & Text(*(opt.encode() for opt in _STEP_ONLY_OPTIONS))

    def check(self, ctx: Context) -> None:
        if not any(opt in ctx.text for opt in _STEP_ONLY_OPTIONS):
            return
        strings = _code_strings(ctx.module)
        if not any(opt in s for s in strings for opt in _STEP_ONLY_OPTIONS):
            return
        envs: List[Environment] = ctx.lazy("environments", build_environments)
        candidates = [
            e for e in envs if e.kind in _TASK_KINDS and e.has_metaflow_key() and not e.has(KEY)
        ]
        if not candidates:
            return
        if any(_is_config_option(s) for s in strings) or FORWARDS_TOP_LEVEL.search(ctx.text):
            return
        package_sets_key, package_passes_options = _package_facts(ctx)
        if package_passes_options:
            return
        module_sets_key = any(KEY in s for s in strings)
        set_elsewhere = package_sets_key or module_sets_key
        absorbed = {id(a) for e in envs for a in e.absorbed}
        for env in candidates:
            if id(env) in absorbed:
                continue  # reported where it is merged into the task environment
            if env.kind == "python" and env.name is None and not env.consumers and env.returned_by is None:
                continue  # a fragment (returned, or handed to a builder) of an environment assembled elsewhere
            if set_elsewhere and (env.open or env.inherits_process):
                continue
            if module_sets_key and env.kind == "python" and not _function_builds_step(env.function):
                continue  # the module knows the key; this mapping serves an auxiliary process (hooks, daemons)
            ctx.report(env.anchor, fix=self._fix(ctx, env))

    # -- fix ------------------------------------------------------------------------------------------------
    def _fix(self, ctx: Context, env: Environment):
        if env.kind != "python" or env.name is None or env.function is None:
            return None
        stmt = env.creation
        if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
            return None
        flow = _flow_expression(ctx, env.function)
        if flow is None:
            return None
        where = _insertion_point(ctx, env, stmt)
        if where is None:
            return None
        offset, indent = where
        lines = _config_value_lines(flow, ctx.metaflow) + [
            "if _flow_configs:",
            f'    {env.name}["{KEY}"] = _json.dumps(_flow_configs)',
        ]
        block = "".join(indent + line + "\n" for line in lines)
        return ctx.make_fix(
            Applicability.UNSAFE,
            f"Set `{KEY}` from the flow's compile-time config values (as Metaflow {ctx.metaflow} keeps them)",
            [ctx.insert_at(offset, block)],
        )


def _insertion_point(ctx: Context, env: Environment, stmt: cst.SimpleStatementLine) -> Optional[Tuple[int, str]]:
    """(offset, indentation) where the block goes: right after the statement that creates the mapping.

    A mapping created elsewhere (a parameter, an attribute, an expression the environment model does not follow,
    such as a dict comprehension) is first seen where a ``METAFLOW_*`` key is stored into it. When that store sits
    inside a compound statement (``if datastore == "local": env[...] = ...``), the block goes before that statement,
    at the function's level, so the configs travel whichever branch runs; that needs the mapping bound before it.
    """
    start, end = ctx.node_range(stmt)
    small = stmt.body[0]
    extended_here = isinstance(small, cst.Assign) and any(isinstance(t.target, cst.Subscript) for t in small.targets)
    body = env.function.body.body if isinstance(env.function.body, cst.IndentedBlock) else ()
    top = next((s for s in body if ctx.node_range(s)[0] <= start and end <= ctx.node_range(s)[1]), None)
    if extended_here and top is not None and top is not stmt:
        if not _bound_before(env.name, env.function, top):
            return None
        top_start, _ = ctx.node_range(top)
        line_start = ctx.text.rfind("\n", 0, top_start) + 1
        indent = ctx.text[line_start:top_start]
        return (line_start, indent) if not indent.strip() else None
    line_start = ctx.text.rfind("\n", 0, start) + 1
    indent = ctx.text[line_start:start]
    if indent.strip():
        return None
    newline = ctx.text.find("\n", end)
    if newline == -1:
        return None
    return newline + 1, indent


def _bound_before(name: str, func: cst.FunctionDef, top: cst.CSTNode) -> bool:
    """``name`` is a parameter, an attribute (set elsewhere), or assigned by a statement of the function's body
    before ``top``."""
    if "." in name:
        return True
    params = func.params
    if any(p.name.value == name for p in list(params.params) + list(params.kwonly_params) + list(params.posonly_params)):
        return True
    for statement in func.body.body:
        if statement is top:
            return False
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                targets = []
                if isinstance(small, cst.Assign):
                    targets = [t.target for t in small.targets]
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    targets = [small.target]
                if any(isinstance(t, cst.Name) and t.value == name for t in targets):
                    return True
    return False


def _config_value_lines(flow: str, targeted: MetaflowRange) -> List[str]:
    """Code that binds ``_flow_configs`` (config name -> value) on every release the code targets.

    The flow's config state is ``FlowStateItems.CONFIGS`` with ``(value, plain)`` pairs from 2.19.10, the private
    ``_FlowState.CONFIGS`` with bare values from 2.12.37 to 2.19.9, and absent before 2.12.37, which has no configs
    (``docs/metaflow-versions.md``). One targeted shape is read directly; several are tried newest first
    (``try: import ... except ImportError:``), so the code only imports what the installed release has, and a
    release without configs gets an empty mapping.
    """
    if targeted.always("flow_state_items"):
        return [
            "from metaflow.flowspec import FlowStateItems as _FlowStateItems",
            "import json as _json",
            "_flow_configs = {",
            "    _name: _value",
            f"    for _name, (_value, _plain) in {flow}._flow_state[_FlowStateItems.CONFIGS].items()",
            "    if _value is not None",
            "}",
        ]
    if targeted.always("flow_state_private_enum"):
        return [
            "from metaflow.flowspec import _FlowState",
            "import json as _json",
            "_flow_configs = {",
            "    _name: _value",
            f"    for _name, _value in {flow}._flow_state.get(_FlowState.CONFIGS, {{}}).items()",
            "    if _value is not None",
            "}",
        ]
    shapes = []
    if targeted.ever("flow_state_items"):
        shapes.append((
            "from metaflow.flowspec import FlowStateItems as _FlowStateItems",
            None,
            [
                "_flow_config_items = {",
                f"    _name: _value for _name, (_value, _plain) in {flow}._flow_state[_FlowStateItems.CONFIGS].items()",
                "}",
            ],
        ))
    if targeted.ever("flow_state_private_enum"):
        shapes.append((
            "from metaflow.flowspec import _FlowState",
            "Metaflow before 2.19.10: a private enum, bare values",
            [f"_flow_config_items = dict({flow}._flow_state.get(_FlowState.CONFIGS, {{}}))"],
        ))
    if not targeted.always("config_api"):
        shapes.append((None, "Metaflow before 2.12.37: no configs", ["_flow_config_items = {}"]))
    return (
        ["import json as _json"]
        + _try_chain(shapes)
        + ["_flow_configs = {_name: _value for _name, _value in _flow_config_items.items() if _value is not None}"]
    )


def _try_chain(shapes) -> List[str]:
    """``try: <newest shape's import> / except ImportError: <the next shapes> / else: <read the newest>``."""
    (imported, _, binding), rest = shapes[0], shapes[1:]
    if imported is None or not rest:
        return ([imported] if imported else []) + binding
    lines = ["try:", f"    {imported}", f"except ImportError:  # {rest[0][1]}"]
    lines += ["    " + line for line in _try_chain(rest)]
    return lines + ["else:"] + ["    " + line for line in binding]


def _function_builds_step(func: Optional[cst.FunctionDef]) -> bool:
    if func is None:
        return False
    return any(opt in s for s in _code_strings(func) for opt in _STEP_ONLY_OPTIONS)


def _is_config_option(s: str) -> bool:
    for token in s.replace("=", " ").replace(",", " ").split():
        token = token.strip("'\"[]")
        if token in _CONFIG_OPTIONS:
            return True
    return False


class _Strings(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.values: List[str] = []
        self._doc: set = set()

    def visit_Expr(self, node: cst.Expr) -> None:
        if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString)):
            self._doc.add(id(node.value))

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        return id(node) not in self._doc

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if id(node) not in self._doc:
            self.values.append(node.value)

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        self.values.append(node.value)


def _code_strings(module: cst.CSTNode) -> List[str]:
    visitor = _Strings()
    visiting.visit(module, visitor)
    return visitor.values


def _flow_expression(ctx: Context, func: cst.FunctionDef) -> Optional[str]:
    params = [p.name.value for p in func.params.params + func.params.kwonly_params]
    if "flow" in params:
        return "flow"
    if "obj" in params:
        code = ctx.module.code_for_node(func)
        if "obj.flow" in code:
            return "obj.flow"
    if params and params[0] == "self":
        cls = _enclosing_class(ctx.module, func)
        if cls is not None:
            code = ctx.module.code_for_node(cls)
            for attr in ("flow", "_flow"):
                if f"self.{attr} =" in code or f"self.{attr}: " in code:
                    return f"self.{attr}"
    return None


def _enclosing_class(module: cst.Module, func: cst.FunctionDef) -> Optional[cst.ClassDef]:
    found: List[cst.ClassDef] = []

    class Finder(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.stack: List[cst.ClassDef] = []

        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            self.stack.append(node)

        def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
            self.stack.pop()

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            if node is func and self.stack:
                found.append(self.stack[-1])

    visiting.visit(module, Finder())
    return found[0] if found else None


# -- the extension package --------------------------------------------------------------------------------
# The ways Metaflow itself hands the top-level options of one process to the step command it builds: the
# ``<group> step`` commands of ``@kubernetes``/``@batch`` rebuild it from ``ctx.parent.parent.params`` (the
# ``python flow.py`` group's parameters, ``--config-value`` included) through ``util.dict_to_cli_options``, and the runtime's ``CLIArgs`` carries the flow's config
# values in its top-level options. A file that forwards options these ways may carry the configs: "maybe", never "no".
FORWARDS_TOP_LEVEL = re.compile(
    r"\bparent(?:\.parent)*\.params\b|\btop_level_options\.update\(|\bCLIArgs\("
    r"|from metaflow\.runtime import [^\n]*\bCLIArgs\b"
)


def _package_facts(ctx: Context) -> Tuple[bool, bool]:
    """(another module of the package sets METAFLOW_FLOW_CONFIG_VALUE, another module passes --config-value/--config)."""
    sets_key = passes = False
    for path, text in ctx.package_code.texts(containing=(KEY.encode(), b"--config")):
        if path == ctx.path:
            continue
        s, p = _text_facts(text)
        sets_key = sets_key or s
        passes = passes or p
        if passes:
            break
    return sets_key, passes


def _text_facts(text: str) -> Tuple[bool, bool]:
    """(the text's code sets the key, it passes config options) - comments and docstrings aside."""
    sets_key = passes = False
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return False, False
    previous = None
    for tok in tokens:
        if tok.type == tokenize.STRING:
            statement_start = previous is None or previous.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
            if not statement_start:
                sets_key = sets_key or KEY in tok.string
                passes = passes or _is_config_option(tok.string)
        if tok.type not in (tokenize.COMMENT, tokenize.NL):
            previous = tok
    return sets_key, passes
