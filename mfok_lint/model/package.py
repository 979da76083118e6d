"""The extension layout model: what Metaflow's extension loader sees in a ``metaflow_extensions/`` tree.

Facts (Metaflow 2.19.x, ``metaflow/extension_support/__init__.py`` and ``plugins.py``):
- An extension contributes to an *extension point* by a directory ``metaflow_extensions/<pkg>/<point>/``, the
  points being ``plugins.env_escape``, ``plugins.cards``, ``plugins.datatools``, ``plugins``, ``config``,
  ``exceptions``, ``toplevel``, ``cmd``, ``alias`` (most specific first; the first match wins). Its
  *configuration file* is a file directly in that directory named ``mfextinit_*.py`` (matching
  ``^mfextinit_[a-zA-Z0-9_-]+\\.py$``) or ``__init__.py``; two of them for one point is a RuntimeError.
- ``metaflow_extensions/__init__.py`` makes the loader raise (the package must stay an implicit namespace
  package), and so does a point directly under ``metaflow_extensions/`` without the ``<pkg>`` level.
- Only configuration files of the ``plugins`` point have their ``*_DESC`` lists read. Each entry is
  ``(name, "dotted.path.Attr")``; a path starting with ``.`` is relative to the configuration module's package
  (``metaflow_extensions.<pkg>.plugins``), each extra dot going one package up. When a plugin is loaded its
  class's ``TYPE`` (or ``name``, by category) must equal the entry's name, and a CLI group must hold exactly
  one command, whose name must equal the entry's name.

Decisions:
- Everything is read statically with libcst; nothing is imported. A value this model cannot read (computed
  lists, star imports, classes from outside the package) is *unknown*, and rules stay silent on unknowns.
- Package rules report only into files that can carry a package finding (:func:`is_package_report_target`):
  ``metaflow_extensions/__init__.py``, files named ``mfextinit*`` and extension-point ``__init__.py`` files.
  The other files of the package are read from disk beside the file being checked, so the same findings
  come out of ``mfok-lint check``, the fix loop, ``--stdin-filename`` and the flake8 plugin.
- When the package directory does not exist on disk (a text linted under a made-up path), only what the
  checked file says by itself is decided; "does not resolve" is never reported from a partial view.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import libcst as cst

from mfok_lint.core import dependencies
from mfok_lint.syntax import cstparse, visiting
from mfok_lint.syntax.names import dotted_name, string_value
from mfok_lint.syntax.source_file import SourceFile

EXT_PKG = "metaflow_extensions"
EXTENSION_POINTS: Tuple[str, ...] = (
    "plugins.env_escape",
    "plugins.cards",
    "plugins.datatools",
    "plugins",
    "config",
    "exceptions",
    "toplevel",
    "cmd",
    "alias",
)
CONFIG_NAME_RE = re.compile(r"^mfextinit_[a-zA-Z0-9_-]+\.py$")

# How Metaflow names a loaded plugin, per ``<CATEGORY>S_DESC`` list: a class attribute, or None when the
# name is not checked. The CLI categories are handled by the click group structure instead.
DESC_NAME_ATTRIBUTE: Dict[str, Optional[str]] = {
    "STEP_DECORATORS_DESC": "name",
    "FLOW_DECORATORS_DESC": "name",
    "ENVIRONMENTS_DESC": "TYPE",
    "METADATA_PROVIDERS_DESC": "TYPE",
    "DATASTORES_DESC": "TYPE",
    "DATACLIENTS_DESC": "TYPE",
    "SECRETS_PROVIDERS_DESC": "TYPE",
    "GCP_CLIENT_PROVIDERS_DESC": "name",
    "DEPLOYER_IMPL_PROVIDERS_DESC": "TYPE",
    "AZURE_CLIENT_PROVIDERS_DESC": "name",
    "SIDECARS_DESC": None,
    "LOGGING_SIDECARS_DESC": None,
    "MONITOR_SIDECARS_DESC": None,
    "AWS_CLIENT_PROVIDERS_DESC": "name",
    "CLIS_DESC": None,
    "RUNNER_CLIS_DESC": "name",
    "TL_PLUGINS_DESC": None,
    "TRAMPOLINE_CLIS_DESC": None,
}
CLI_DESCS = ("CLIS_DESC", "TRAMPOLINE_CLIS_DESC")


# --------------------------------------------------------------------------------------------------------------
# Paths


def _norm(path: str) -> str:
    return os.path.abspath(path).replace(os.sep, "/")


def split_extension_path(path: str) -> Optional[Tuple[str, List[str]]]:
    """(directory holding ``metaflow_extensions``, path components below it), or None outside such a tree."""
    parts = _norm(path).split("/")
    for index in range(len(parts) - 2, -1, -1):
        if parts[index] == EXT_PKG:
            return "/".join(parts[:index]) or "/", parts[index + 1 :]
    return None


def extension_point_of(below: Sequence[str]) -> Optional[Tuple[str, bool]]:
    """For components below ``metaflow_extensions/``: (extension point, is a configuration file), or None."""
    if len(below) < 3:
        return None
    inner = list(below[1:])
    for point in EXTENSION_POINTS:
        point_parts = point.split(".")
        if len(inner) > len(point_parts) and inner[: len(point_parts)] == point_parts:
            is_config = len(inner) == len(point_parts) + 1 and (
                CONFIG_NAME_RE.match(inner[-1]) is not None or inner[-1] == "__init__.py"
            )
            return point, is_config
    return None


def is_package_report_target(path: str) -> bool:
    """Can a package rule report into this file? (See the module docstring.)"""
    split = split_extension_path(path)
    if split is None:
        return False
    below = split[1]
    if below == ["__init__.py"] or below[-1].startswith("mfextinit"):
        return True
    point = extension_point_of(below)
    return point is not None and point[1]


# --------------------------------------------------------------------------------------------------------------
# Reading modules


@dataclass
class ParsedFile:
    path: str  # absolute, normalised
    source: Optional[SourceFile]  # None: unreadable or unparsable

    @property
    def module(self) -> Optional[cst.Module]:
        return self.source.module if self.source is not None else None


def _top_level_statements(body: Sequence[cst.CSTNode]) -> Iterator[cst.CSTNode]:
    """Module-level statements, looking into if/try/with blocks (their bindings are module globals too)."""
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            yield from stmt.body
        elif isinstance(stmt, (cst.If, cst.Try, cst.With, cst.For, cst.While)):
            yield stmt
            blocks: List[cst.BaseSuite] = [stmt.body]
            if isinstance(stmt, cst.If) and stmt.orelse is not None:
                blocks.append(stmt.orelse.body if isinstance(stmt.orelse, cst.Else) else stmt.orelse)  # type: ignore[arg-type]
            if isinstance(stmt, cst.Try):
                blocks.extend(h.body for h in stmt.handlers)
                if stmt.orelse is not None:
                    blocks.append(stmt.orelse.body)
                if stmt.finalbody is not None:
                    blocks.append(stmt.finalbody.body)
            for block in blocks:
                if isinstance(block, cst.IndentedBlock):
                    yield from _top_level_statements(block.body)
                elif isinstance(block, cst.If):
                    yield from _top_level_statements([block])
                elif isinstance(block, cst.SimpleStatementSuite):
                    yield from block.body
        else:
            yield stmt


@dataclass
class Binding:
    """What a module-level name is bound to."""

    kind: str  # "class", "function", "assign", "import", "unknown"
    node: Optional[cst.CSTNode] = None
    source_module: Optional[str] = None  # for imports: absolute dotted module
    source_name: Optional[str] = None


def module_bindings(module: cst.Module, package: str) -> Tuple[Dict[str, Binding], bool]:
    """(name -> binding, has a star import or module ``__getattr__``) for a module in ``package``."""
    names: Dict[str, Binding] = {}
    opaque = False
    for stmt in _top_level_statements(module.body):
        if isinstance(stmt, cst.ClassDef):
            names[stmt.name.value] = Binding("class", stmt)
        elif isinstance(stmt, cst.FunctionDef):
            names[stmt.name.value] = Binding("function", stmt)
            if stmt.name.value == "__getattr__":
                opaque = True
        elif isinstance(stmt, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
            targets = [t.target for t in stmt.targets] if isinstance(stmt, cst.Assign) else [stmt.target]
            for target in targets:
                for name in _bound_names(target):
                    names[name] = Binding("assign", stmt)
        elif isinstance(stmt, cst.ImportFrom):
            source = _absolute_import(stmt, package)
            if isinstance(stmt.names, cst.ImportStar):
                opaque = True
                continue
            for alias in stmt.names:
                imported = dotted_name(alias.name)
                local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else imported
                if imported is not None and local is not None:
                    names[local] = Binding("import", stmt, source, imported)
        elif isinstance(stmt, cst.Import):
            for alias in stmt.names:
                dotted = dotted_name(alias.name)
                if dotted is None:
                    continue
                local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else dotted.split(".")[0]
                names[local] = Binding("unknown", stmt)
        elif isinstance(stmt, (cst.For, cst.With)):
            targets = [stmt.target] if isinstance(stmt, cst.For) else [i.asname.name for i in stmt.items if i.asname]
            for target in targets:
                for name in _bound_names(target):
                    names[name] = Binding("unknown", stmt)
        elif isinstance(stmt, (cst.Global, cst.Expr)):
            # globals()["x"] = ... and friends bind names nobody can see statically
            if isinstance(stmt, cst.Expr) and "globals" in _names_in(stmt):
                opaque = True
    return names, opaque


def _names_in(node: cst.CSTNode) -> List[str]:
    found: List[str] = []

    class _Collect(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            found.append(n.value)

    visiting.visit(node, _Collect())
    return found


def _bound_names(target: cst.BaseExpression) -> List[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        out: List[str] = []
        for element in target.elements:
            out.extend(_bound_names(element.value))
        return out
    return []


def _absolute_import(stmt: cst.ImportFrom, package: str) -> Optional[str]:
    module = dotted_name(stmt.module) if stmt.module is not None else ""
    if module is None:
        return None
    dots = len(stmt.relative)
    if not dots:
        return module
    parts = package.split(".")
    if dots > len(parts):
        return None
    base = parts[: len(parts) - dots + 1]
    return ".".join(base + ([module] if module else []))


def resolve_relative(path: str, package: str) -> Optional[str]:
    """Metaflow's resolution of a ``*_DESC`` path against the configuration module's package."""
    if not path.startswith("."):
        return path
    dots = len(path) - len(path.lstrip("."))
    parts = package.split(".")
    if dots > len(parts):
        return None
    base = parts if dots == 1 else parts[: -dots + 1]
    return ".".join(base) + path[dots - 1 :]


# --------------------------------------------------------------------------------------------------------------
# Descriptors


@dataclass
class DescEntry:
    desc: str  # e.g. "CLIS_DESC"
    node: cst.BaseExpression  # the entry (tuple) node
    name: Optional[str]
    name_node: Optional[cst.BaseExpression]
    path: Optional[str]
    path_node: Optional[cst.BaseExpression]


@dataclass
class DescList:
    desc: str
    assign: cst.CSTNode
    value: cst.BaseExpression
    entries: List[DescEntry] = field(default_factory=list)
    shape_errors: List[Tuple[cst.CSTNode, str]] = field(default_factory=list)
    complete: bool = True  # False when some entries could not be read


def read_descriptors(module: cst.Module) -> List[DescList]:
    """Every module-level ``<CATEGORY>S_DESC = ...`` Metaflow reads, with shape problems noted."""
    found: List[DescList] = []
    for stmt in _top_level_statements(module.body):
        if isinstance(stmt, cst.Assign):
            targets = [t.target for t in stmt.targets]
            value: Optional[cst.BaseExpression] = stmt.value
        elif isinstance(stmt, cst.AnnAssign):
            targets, value = [stmt.target], stmt.value
        else:
            continue
        if value is None:
            continue
        for target in targets:
            if isinstance(target, cst.Name) and target.value in DESC_NAME_ATTRIBUTE:
                found.append(_read_desc(target.value, stmt, value))
    return found


def _read_desc(desc: str, assign: cst.CSTNode, value: cst.BaseExpression) -> DescList:
    result = DescList(desc, assign, value)
    if isinstance(value, (cst.Dict, cst.Set, cst.DictComp, cst.SetComp)) or string_value(value) is not None:
        kind = "a string" if string_value(value) is not None else ("a dict" if isinstance(value, (cst.Dict, cst.DictComp)) else "a set")
        result.shape_errors.append((value, f"`{desc}` is {kind}; Metaflow reads it as a list of (name, path) pairs"))
        result.complete = False
        return result
    if not isinstance(value, (cst.List, cst.Tuple)):
        result.complete = False  # computed elsewhere: unknown
        return result
    for element in value.elements:
        if isinstance(element, cst.StarredElement):
            result.complete = False
            continue
        item = element.value
        if string_value(item) is not None:
            result.shape_errors.append(
                (item, f"`{desc}` entry is a bare string, not a (name, path) pair: Metaflow would read its first two characters")
            )
            continue
        if isinstance(item, (cst.Dict, cst.Set)):
            result.shape_errors.append((item, f"`{desc}` entry is not a (name, path) pair"))
            continue
        if not isinstance(item, (cst.Tuple, cst.List)):
            result.complete = False
            continue
        parts = item.elements
        if any(isinstance(p, cst.StarredElement) for p in parts):
            result.complete = False
            continue
        if len(parts) != 2:
            result.shape_errors.append((item, f"`{desc}` entry has {len(parts)} elements; Metaflow expects a (name, path) pair"))
            continue
        name_node, path_node = parts[0].value, parts[1].value
        name, path = string_value(name_node), string_value(path_node)
        for node, text in ((name_node, name), (path_node, path)):
            if text is None and isinstance(node, (cst.Integer, cst.Float, cst.Name)) and not (
                isinstance(node, cst.Name) and node.value not in ("None", "True", "False")
            ):
                result.shape_errors.append((node, f"`{desc}` entry holds a non-string value; names and paths must be strings"))
        if path is not None and not path:
            result.shape_errors.append((path_node, f"`{desc}` entry has an empty path"))
            path = None
        if path is not None and path.startswith(".") and path.strip(".") == "":
            result.shape_errors.append((path_node, f"`{desc}` entry path `{path}` names no module"))
            path = None
        if name is None or path is None:
            result.complete = result.complete and name is not None and path is not None
        result.entries.append(DescEntry(desc, item, name, name_node, path, path_node))
    return result


# --------------------------------------------------------------------------------------------------------------
# The package


@dataclass
class Resolved:
    """Where a dotted path leads: a module file and the binding of its last name."""

    module_name: str
    file: ParsedFile
    attr: str
    binding: Optional[Binding]  # None: the module does not bind the name
    opaque: bool  # the module may bind names nobody can see (star import, __getattr__)


class PackageModel:
    """One extension package (``metaflow_extensions/<pkg>``) seen from the file being checked (``focus``).

    The focus file is the unit's own source (``focus_source``): its module is parsed here on first use, and
    findings of package rules go into it, the only file of the package this pass reports into.
    """

    def __init__(self, focus_source: SourceFile, ext_root: str, below: List[str]) -> None:
        self.focus = _norm(focus_source.path)
        self.focus_source = focus_source
        self.focus_text = focus_source.text
        self.ext_root = ext_root  # the directory that holds metaflow_extensions/
        self.below = below
        self.name = below[0] if len(below) > 1 else None
        self.package_dir = f"{ext_root.rstrip('/')}/{EXT_PKG}/{self.name}" if self.name else None
        self.on_disk = self.package_dir is not None and dependencies.is_dir(self.package_dir)
        self._parsed: Dict[str, ParsedFile] = {}

    # ---- files ---------------------------------------------------------------------------------------------
    def parse(self, path: str) -> ParsedFile:
        path = _norm(path)
        if path not in self._parsed:
            text: Optional[str]
            if path == self.focus:
                text = self.focus_text
            else:
                from mfok_lint.core.source import decode_source

                raw = dependencies.read_bytes(path)
                try:
                    text = decode_source(raw)[0] if raw is not None else None
                except ValueError:
                    text = None
            source = None
            if text is not None:
                try:
                    module = cstparse.parse_module(text)
                except (cst.ParserSyntaxError, RecursionError, MemoryError):
                    module = None
                if module is not None:
                    if path == self.focus:
                        source = self.focus_source
                        source.attach_module(module)
                    else:
                        source = SourceFile(path, text, module)
            self._parsed[path] = ParsedFile(path, source)
        return self._parsed[path]

    @property
    def focus_file(self) -> ParsedFile:
        return self.parse(self.focus)

    def focus_extension_point(self) -> Optional[Tuple[str, bool]]:
        return extension_point_of(self.below)

    def is_plugins_config(self) -> bool:
        point = self.focus_extension_point()
        return point == ("plugins", True)

    def config_package(self) -> str:
        """The dotted package of the focus file (the base of relative ``*_DESC`` paths)."""
        return ".".join([EXT_PKG] + self.below[:-1])

    def sibling_configs(self) -> List[str]:
        """Names of the configuration files in the focus file's directory (from disk, plus the focus)."""
        directory = os.path.dirname(self.focus)
        names = {os.path.basename(self.focus)}
        names.update(dependencies.list_dir(directory))
        return sorted(n for n in names if CONFIG_NAME_RE.match(n) or n == "__init__.py")

    # ---- modules -------------------------------------------------------------------------------------------
    def module_file(self, dotted: str) -> Optional[str]:
        """The file of a module inside this package, or None (also when it lies outside the package)."""
        parts = dotted.split(".")
        if len(parts) < 2 or parts[0] != EXT_PKG or parts[1] != self.name:
            return None
        base = f"{self.ext_root.rstrip('/')}/" + "/".join(parts)
        for candidate in (base + ".py", base + "/__init__.py"):
            if _norm(candidate) == self.focus or dependencies.is_file(candidate):
                return _norm(candidate)
        return None

    def module_missing(self, dotted: str) -> bool:
        """True only when the module is known not to exist (the package is on disk and no file can hold it)."""
        if not self.on_disk or self.module_file(dotted) is not None:
            return False
        parts = dotted.split(".")
        if len(parts) < 2 or parts[0] != EXT_PKG or parts[1] != self.name:
            return False
        base = f"{self.ext_root.rstrip('/')}/" + "/".join(parts)
        if dependencies.is_dir(base):
            return False  # a namespace package directory: importable, its attributes unknowable
        directory = os.path.dirname(base)
        stem = os.path.basename(base)
        # compiled extension modules (stem.cpython-311-x86_64-linux-gnu.so, stem.pyd) import fine
        return not any(n.startswith(stem + ".") for n in dependencies.list_dir(directory))

    def resolve(self, dotted_path: str) -> Optional[Resolved]:
        """``metaflow_extensions.x.plugins.mod.Attr`` -> the module file and the binding of ``Attr``."""
        if "." not in dotted_path:
            return None
        module_name, attr = dotted_path.rsplit(".", 1)
        file = self.module_file(module_name)
        if file is None:
            return None
        parsed = self.parse(file)
        if parsed.module is None:
            return None
        package = module_name if file.endswith("/__init__.py") else module_name.rsplit(".", 1)[0]
        bindings, opaque = module_bindings(parsed.module, package)
        return Resolved(module_name, parsed, attr, bindings.get(attr), opaque)

    def find_class(self, resolved: Resolved, depth: int = 0) -> Optional[Tuple[ParsedFile, cst.ClassDef, str]]:
        """Follow imports inside the package to the class a name is bound to: (file, class, its module)."""
        binding = resolved.binding
        if binding is None or depth > 5:
            return None
        if binding.kind == "class":
            return resolved.file, binding.node, resolved.module_name  # type: ignore[return-value]
        if binding.kind == "import" and binding.source_module and binding.source_name:
            nxt = self.resolve(f"{binding.source_module}.{binding.source_name}")
            if nxt is not None:
                return self.find_class(nxt, depth + 1)
        return None

    def class_attribute(self, file: ParsedFile, cls: cst.ClassDef, module_name: str, attr: str, depth: int = 0):
        """The string a class (or a base inside the package) assigns to ``attr``.

        Returns (value, node) where value is a str, or the sentinel ``UNKNOWN`` when it cannot be read.
        """
        if depth > 5:
            return UNKNOWN, None
        for stmt in _top_level_statements(cls.body.body if isinstance(cls.body, cst.IndentedBlock) else [cls.body]):
            targets: List[cst.BaseExpression] = []
            value = None
            if isinstance(stmt, cst.Assign):
                targets, value = [t.target for t in stmt.targets], stmt.value
            elif isinstance(stmt, cst.AnnAssign) and stmt.value is not None:
                targets, value = [stmt.target], stmt.value
            if any(isinstance(t, cst.Name) and t.value == attr for t in targets):
                text = string_value(value) if value is not None else None
                return (text if text is not None else UNKNOWN), stmt
            if isinstance(stmt, (cst.FunctionDef,)) and stmt.name.value == attr:
                return UNKNOWN, stmt
        # Not in the class body: the bases decide.
        if not cls.bases:
            return UNKNOWN, None
        package = module_name if file.path.endswith("/__init__.py") else module_name.rsplit(".", 1)[0]
        bindings, _ = module_bindings(file.module, package)  # type: ignore[arg-type]
        for base in cls.bases:
            base_name = dotted_name(base.value)
            if base_name is None or "." in base_name or base_name not in bindings:
                return UNKNOWN, None
            found = self.find_class(Resolved(module_name, file, base_name, bindings[base_name], False))
            if found is None:
                return UNKNOWN, None
            value, node = self.class_attribute(*found, attr, depth + 1)
            if value is not UNKNOWN:
                return value, node
        return UNKNOWN, None

    def descriptors(self) -> List[DescList]:
        """The focus file's ``*_DESC`` lists (only a ``plugins`` configuration file has any that count)."""
        module = self.focus_file.module
        if module is None or not self.is_plugins_config():
            return []
        return read_descriptors(module)

    @property
    def focus_parses(self) -> bool:
        """Whether the focus file parses: an unparsable one gets no package finding (MFO900 speaks for it)."""
        return self.focus_file.source is not None


class _Unknown:
    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return "UNKNOWN"


UNKNOWN = _Unknown()


def build_package(focus: SourceFile) -> Optional[PackageModel]:
    """The package around a file that can carry package findings, or None."""
    split = split_extension_path(focus.path)
    if split is None:
        return None
    ext_root, below = split
    return PackageModel(focus, ext_root, below)


# --------------------------------------------------------------------------------------------------------------
# click groups


@dataclass
class ClickGroup:
    """A click group defined by a decorated function, and the commands registered on it in its module."""

    node: cst.FunctionDef
    is_group: Optional[bool]  # True group, False command / plain function, None unknown decoration
    commands: List[Tuple[Optional[str], cst.CSTNode]]  # (command name or None when unknown, node)
    complete: bool  # False when the group is used in ways that may register more commands


def _decorator_call(dec: cst.Decorator) -> Tuple[Optional[str], Optional[cst.Call]]:
    expr = dec.decorator
    call = expr if isinstance(expr, cst.Call) else None
    func = call.func if call is not None else expr
    return dotted_name(func), call


def _command_name(call: Optional[cst.Call], func_name: str, vendored: bool) -> Optional[str]:
    if call is not None:
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "name":
                return string_value(arg.value)
        if call.args and call.args[0].keyword is None and call.args[0].star == "":
            return string_value(call.args[0].value)
    if not vendored and re.search(r"_(command|cmd|group|grp)$", func_name):
        return None  # click >= 8.2 strips these suffixes; which click runs is unknowable here
    return func_name.lower().replace("_", "-")


def click_command_name(function: cst.FunctionDef) -> Optional[str]:
    """The name click registers a ``@<group>.command(...)`` function under; None when the function is not such a
    command or its name is computed. Names follow click's own rules (``name=``, else the first positional
    argument, else the function name lowercased with ``_`` as ``-``)."""
    for decorator in function.decorators:
        name, call = _decorator_call(decorator)
        if call is not None and (name or "").rsplit(".", 1)[-1] == "command":
            return _command_name(call, function.name.value, vendored=True)
    return None


def read_click_group(module: cst.Module, attr: str) -> Optional[ClickGroup]:
    """The click group bound to ``attr`` at module level, or None when it is not a decorated function."""
    target: Optional[cst.FunctionDef] = None
    vendored = "metaflow._vendor" in module.code
    for stmt in _top_level_statements(module.body):
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value == attr:
            target = stmt
        elif isinstance(stmt, (cst.Assign, cst.AnnAssign, cst.ClassDef)) and attr in (
            [n for t in (stmt.targets if isinstance(stmt, cst.Assign) else []) for n in _bound_names(t.target)]
            + ([stmt.name.value] if isinstance(stmt, cst.ClassDef) else [])
            + (_bound_names(stmt.target) if isinstance(stmt, cst.AnnAssign) else [])
        ):
            target = None  # rebound later: the decorated function is not what the name holds
    if target is None:
        return None
    is_group: Optional[bool] = None
    if not target.decorators:
        is_group = False
    for dec in target.decorators:
        name, _ = _decorator_call(dec)
        if name is None:
            continue
        last = name.rsplit(".", 1)[-1]
        if last == "group" and (name in ("click.group", "group") or name.endswith("click.group")):
            is_group = True
        elif last == "command" and (name in ("click.command", "command") or name.endswith("click.command")):
            is_group = False if is_group is None else is_group
    commands: List[Tuple[Optional[str], cst.CSTNode]] = []
    complete = True
    registrar_uses = 0
    for stmt in _top_level_statements(module.body):
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            for dec in stmt.decorators:
                name, call = _decorator_call(dec)
                if name in (f"{attr}.command", f"{attr}.group"):
                    registrar_uses += 1
                    fname = stmt.name.value
                    commands.append((_command_name(call, fname, vendored), stmt))
        elif isinstance(stmt, cst.Expr) and isinstance(stmt.value, cst.Call):
            func = dotted_name(stmt.value.func)
            if func == f"{attr}.add_command":
                registrar_uses += 1
                args = stmt.value.args
                explicit = None
                for index, arg in enumerate(args):
                    if (arg.keyword is not None and arg.keyword.value == "name") or (arg.keyword is None and index == 1):
                        explicit = string_value(arg.value)
                commands.append((explicit, stmt))
    # Any other mention of the group (passed to a helper, imported by another module, added in a loop) may
    # register more commands: the count is then a lower bound only.
    mentions = sum(1 for n in _names_in(module) if n == attr)
    expected = 1 + registrar_uses  # the def itself, plus one per registration
    if mentions != expected:
        complete = False
    return ClickGroup(target, is_group, commands, complete)
