"""The extension's own click commands: which groups it defines, which commands each holds, which parameters each
command declares, as Metaflow's vendored click would build them.

Two callers meet these commands without going through their ``--help``: Metaflow's Deployer, which calls
``get_lower_level_group(...).<command>(**kwargs)`` and rejects any keyword that is not the ``name`` of one of the
command's click parameters (``runner/click_api.py: _method_sanity_check`` raises ``Unknown argument``), and
Metaflow's runtime, which runs ``python flow.py <group> step ...`` with the options a step decorator's
``runtime_step_cli`` put in ``cli_args.command_options``, which click rejects unless the command declares them.

Facts (Metaflow's vendored click 7, and click 8 alike):
- an option's ``name`` is the declaration that is a plain identifier if there is one, else the longest-prefixed
  option string without its dashes, lowercased, ``-`` as ``_`` (``"--run-param", "run_params"`` -> ``run_params``;
  ``"--deployer-attribute-file"`` -> ``deployer_attribute_file``); an argument's is its one declaration the same way;
- ``"--flag/--no-flag"`` declares both option strings; a command's name is ``name=`` or its first positional
  argument, else the function's name lowercased with ``_`` as ``-``; a group's likewise.

Decisions:
- Only commands made by decorators on a module-level function are read. A command is *complete* when every
  decorator on it is understood (``click.option``/``click.argument`` with literal declarations, the
  ``pass_obj``/``pass_context`` family, Metaflow's ``tracing.cli`` wrapper, the registering
  ``.command(...)``/``.group(...)``): any other decorator
  (``parameters.add_custom_parameters``, a shared ``@common_options``) may add parameters, so its parameter set is
  then a lower bound and rules must not report a name as undeclared.
- ``context_settings`` asking click to ignore unknown options or keep extra arguments is recorded: the command
  line then accepts anything, while the Deployer's keyword check still applies.
- A command registered with ``<group>.add_command(fn)`` in the module of ``fn`` belongs to that group too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import libcst as cst

from mfok_lint.syntax.names import dotted_name, string_value
from mfok_lint.syntax.source_file import SourceFile

__all__ = ["ClickCommand", "ClickParam", "click_commands", "commands_named", "option_name"]

_PASSERS = frozenset({"pass_obj", "pass_context", "pass_context_obj"})
# Decorators known to wrap a command without adding parameters: Metaflow's tracing wrapper keeps the function's
# ``__click_params__`` (``functools.wraps``).
_WRAPPERS = frozenset({"tracing.cli"})


@dataclass(frozen=True)
class ClickParam:
    name: Optional[str]  # click's parameter name: the Deployer's keyword
    opts: Tuple[str, ...]  # the option strings ("--x", "--no-x"); empty for an argument
    argument: bool
    required: bool
    node: cst.Decorator


@dataclass
class ClickCommand:
    source: SourceFile
    function: cst.FunctionDef
    name: Optional[str]  # the name click registers it under; None when computed
    registrar: Optional[str]  # the group variable it is registered on (``flyte`` in ``@flyte.command``), if any
    is_group: bool
    params: List[ClickParam] = field(default_factory=list)
    complete: bool = True  # every decorator understood: ``params`` is the whole parameter set
    accepts_unknown: bool = False  # context_settings let unknown options through on the command line
    group_name: Optional[str] = None  # the click name of the group it belongs to, when known

    def param_names(self) -> List[str]:
        return [p.name for p in self.params if p.name is not None]

    def option_strings(self) -> List[str]:
        return [o for p in self.params for o in p.opts]


def _split_opt(opt: str) -> Tuple[str, str]:
    first = opt[:1]
    if first.isalnum():
        return "", opt
    if opt[1:2] == first:
        return opt[:2], opt[2:]
    return first, opt[1:]


def option_name(decls: Sequence[str]) -> Tuple[Optional[str], Tuple[str, ...]]:
    """(click's name, the option strings) of ``@click.option(*decls)``."""
    name: Optional[str] = None
    possible: List[Tuple[str, str]] = []
    opts: List[str] = []
    for decl in decls:
        if decl.isidentifier():
            name = decl
            continue
        split_char = ";" if decl[:1] == "/" else "/"
        if split_char in decl:
            first, second = decl.split(split_char, 1)
            first = first.rstrip()
            if first:
                possible.append(_split_opt(first))
                opts.append(first)
            second = second.lstrip()
            if second:
                opts.append(second)
        else:
            possible.append(_split_opt(decl))
            opts.append(decl)
    if name is None and possible:
        possible.sort(key=lambda x: -len(x[0]))
        name = possible[0][1].replace("-", "_").lower()
    return name, tuple(opts)


def _decorator_parts(dec: cst.Decorator) -> Tuple[Optional[str], Optional[cst.Call]]:
    expr = dec.decorator
    call = expr if isinstance(expr, cst.Call) else None
    return dotted_name(call.func if call is not None else expr), call


def _is_click(name: str, last: str, click_names: Sequence[str]) -> bool:
    return name == last or any(name == f"{c}.{last}" for c in click_names) or name.endswith(f"click.{last}")


def _keyword(call: cst.Call, key: str) -> Optional[cst.BaseExpression]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == key:
            return arg.value
    return None


def _is_true(node: Optional[cst.BaseExpression]) -> bool:
    return isinstance(node, cst.Name) and node.value == "True"


def _registered_name(call: Optional[cst.Call], function_name: str) -> Optional[str]:
    if call is not None:
        explicit = _keyword(call, "name")
        if explicit is not None:
            return string_value(explicit)
        if call.args and call.args[0].keyword is None and not call.args[0].star:
            return string_value(call.args[0].value)
    return function_name.lower().replace("_", "-")


def _accepts_unknown(call: Optional[cst.Call]) -> bool:
    if call is None:
        return False
    settings = _keyword(call, "context_settings")
    if settings is None:
        return False
    text = cst.Module(body=[]).code_for_node(settings)
    if "ignore_unknown_options" in text or "allow_extra_args" in text:
        return True
    # A dict built elsewhere may say anything.
    return not isinstance(settings, (cst.Dict, cst.Call))


def _read_param(dec: cst.Decorator, call: cst.Call, argument: bool) -> Optional[ClickParam]:
    decls: List[str] = []
    for arg in call.args:
        if arg.keyword is not None:
            continue
        if arg.star:
            return None
        value = string_value(arg.value)
        if value is None:
            return None
        decls.append(value)
    if argument:
        if len(decls) != 1:
            return None
        required = _keyword(call, "required")
        is_required = required is None or _is_true(required)  # arguments are required unless told otherwise
        default = _keyword(call, "default")
        nargs = _keyword(call, "nargs")
        if default is not None or (isinstance(nargs, cst.UnaryOperation)):
            is_required = False
        return ClickParam(decls[0].replace("-", "_").lower(), (), True, is_required, dec)
    name, opts = option_name(decls)
    return ClickParam(name, opts, False, _is_true(_keyword(call, "required")), dec)


def _click_aliases(module: cst.Module) -> List[str]:
    names = ["click"]
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    if (dotted_name(alias.name) or "").endswith("click") and alias.asname is not None:
                        target = alias.asname.name
                        if isinstance(target, cst.Name):
                            names.append(target.value)
            elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    if alias.name.value == "click" and alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                        names.append(alias.asname.name.value)
    return names


def _read_command(source: SourceFile, function: cst.FunctionDef, click_names: Sequence[str]) -> Optional[ClickCommand]:
    registrar: Optional[str] = None
    registering: Optional[cst.Call] = None
    found = False
    is_group = False
    params: List[ClickParam] = []
    complete = True
    for dec in function.decorators:
        name, call = _decorator_parts(dec)
        if name is None:
            complete = False
            continue
        last = name.rsplit(".", 1)[-1]
        base = name.rsplit(".", 1)[0] if "." in name else ""
        if last in ("command", "group") and (not base or base in click_names or name.endswith(f"click.{last}")):
            found, is_group, registering = True, last == "group", call
        elif last in ("command", "group") and base and "." not in base:
            found, is_group, registering, registrar = True, last == "group", call, base
        elif last in ("option", "argument") and call is not None and _is_click(name, last, click_names):
            param = _read_param(dec, call, last == "argument")
            if param is None:
                complete = False
            else:
                params.append(param)
        elif last in _PASSERS and (not base or base in click_names or name.endswith(f"click.{last}")):
            continue
        elif name in _WRAPPERS:
            continue
        else:
            complete = False
    if not found:
        return None
    return ClickCommand(
        source=source,
        function=function,
        name=_registered_name(registering, function.name.value),
        registrar=registrar,
        is_group=is_group,
        params=params,
        complete=complete,
        accepts_unknown=_accepts_unknown(registering),
    )


def _build(source: SourceFile) -> List[ClickCommand]:
    module = source.module
    click_names = _click_aliases(module)
    commands: List[ClickCommand] = []
    added: Dict[str, str] = {}  # function name -> group variable, from ``<group>.add_command(fn)``
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef):
            command = _read_command(source, stmt, click_names)
            if command is not None:
                commands.append(command)
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                    func = dotted_name(small.value.func) or ""
                    if func.endswith(".add_command") and func.count(".") == 1 and small.value.args:
                        target = dotted_name(small.value.args[0].value)
                        if target is not None and "." not in target:
                            added[target] = func.split(".", 1)[0]
    groups = {c.function.name.value: c for c in commands if c.is_group}
    for command in commands:
        if command.registrar is None and command.function.name.value in added:
            command.registrar = added[command.function.name.value]
        group = groups.get(command.registrar or "")
        if group is not None:
            command.group_name = group.name
    return commands


def click_commands(source: SourceFile) -> List[ClickCommand]:
    """The click commands and groups the module defines (memoised per file)."""
    return source.lazy("click_commands", _build)


def commands_named(sources: Iterator[SourceFile], command: str, group: Optional[str]) -> List[ClickCommand]:
    """Every command called ``command`` in a group called ``group`` (any group when None) among ``sources``."""
    found = []
    for source in sources:
        for candidate in click_commands(source):
            if candidate.is_group or candidate.name != command:
                continue
            if group is not None and candidate.group_name != group:
                continue
            found.append(candidate)
    return found
