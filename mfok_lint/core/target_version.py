"""Which Metaflow release a tree's code should be judged against (``target-metaflow-version``).

``parse_target_version(text)`` reads the explicit setting (CLI or ``[tool.mfok-lint]``);
``infer_target_version(root)`` works it out from the tree when no setting is given:

1. The tree *is* Metaflow, or bundles a copy of it: the root's ``setup.py``/``pyproject.toml``
   names the distribution ``metaflow`` with a literal version, or a ``metaflow/`` package with a
   ``version.py`` holding ``metaflow_version = "X"`` sits in the tree (tests, examples, docs,
   virtualenvs and build output are not searched). The code imports that copy whatever its
   metadata says, so its version wins.
2. The package's own declared requirement on ``metaflow``, from the first of these that names
   it: ``pyproject.toml`` ``[project] dependencies``, ``[tool.poetry.dependencies]``,
   ``setup.cfg`` ``[options] install_requires``, ``setup.py`` ``install_requires`` (a literal
   list, or a name bound to one at module level), ``requirements*.txt`` at the root (following
   ``-r``), then an sdist's ``PKG-INFO`` ``Requires-Dist``.
3. Nothing: the newest release ``metaflow_contract`` knows.

Turning a requirement into one version. Findings must be true for every Metaflow the package
says it works with, and the oldest is where the contract differs most (no Deployer API, no
``@config``, ``step --with`` still valid), so the *lowest* version the specifiers allow is the
target: ``==2.12.5`` gives 2.12.5, ``>=2.12`` and ``~=2.12`` give 2.12.0, ``>2.12.9`` gives
2.12.10. A requirement with no lower bound (``<2.13``, ``!=2.13.0``, or none at all) does not
claim the old releases in any useful way; it gets what an install would pick, the newest release
the table knows that the specifiers allow (``<2.13`` gives 2.12.39; ``<=2.12.30`` gives 2.12.30).
A version between two known releases is exact enough: the contract's facts only change at
releases it knows.

Standard library only (``tomllib``, or ``tomli`` before Python 3.11), plus
``mfok_lint.core.metaflow_contract``; ``packaging`` is not a dependency, so the small subset of
PEP 440/508 needed here is parsed by hand.
"""

from __future__ import annotations

import ast
import configparser
import functools
import os
import re
from typing import Iterator, List, NamedTuple, Optional, Tuple

from mfok_lint.core.metaflow_contract import KNOWN_RELEASES, MetaflowRange, MetaflowVersion, VersionError, newest_known

try:  # Python 3.11+
    import tomllib as _toml
except ImportError:  # pragma: no cover - exercised on 3.9/3.10 only
    try:
        import tomli as _toml  # type: ignore[no-redef]
    except ImportError:
        _toml = None  # type: ignore[assignment]

__all__ = [
    "TargetVersion",
    "TargetVersionError",
    "parse_target_version",
    "infer_target_version",
    "version_for_specifiers",
    "DEFAULT_SOURCE",
]

DEFAULT_SOURCE = "default: newest known release"
V = MetaflowVersion.parse
SETTING = "target-metaflow-version"


class TargetVersionError(VersionError):
    """A bad explicit target-metaflow-version; str() is one line."""


class TargetVersion(NamedTuple):
    """The release the code is judged against (``version``: the oldest it claims) and the newest it claims."""

    version: MetaflowVersion
    source: str
    newest: Optional[MetaflowVersion] = None  # None: ``version`` alone (a pin, a bundled copy, a setting)

    @property
    def range(self) -> MetaflowRange:
        return MetaflowRange(self.version, max(self.newest or self.version, self.version))


def parse_target_version(text: str) -> MetaflowVersion:
    """The explicit setting: "2.12" or "2.19.7" (a leading "v" is accepted)."""
    try:
        return MetaflowVersion.parse(text, strict=True)
    except VersionError:
        shown = text.strip() if isinstance(text, str) else text
        raise TargetVersionError(
            f"invalid {SETTING} {shown!r}: expected MAJOR.MINOR[.PATCH], e.g. 2.12 or 2.19.7"
        ) from None


# --- requirement specifiers ----------------------------------------------------------------

_NAME = re.compile(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$", re.S)
_SPEC = re.compile(r"(~=|===|==|!=|<=|>=|<|>)\s*([0-9A-Za-z.*+!_-]+)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


class _Spec(NamedTuple):
    op: str
    version: MetaflowVersion
    wildcard_depth: int  # for "==2.12.*": 2 leading parts must match; 0 when not a wildcard
    parts: int  # how many release parts were written ("2.12" -> 2)


def _parse_spec_version(text: str) -> Tuple[MetaflowVersion, int, int]:
    wildcard = text.endswith(".*")
    core = text[:-2] if wildcard else text
    release = re.match(r"^v?(\d+(?:\.\d+)*)", core)
    if not release:
        raise VersionError(f"not a version: {text!r}")
    parts = release.group(1).split(".")
    version = MetaflowVersion.parse(".".join(parts[:3]), strict=True)
    return version, (len(parts) if wildcard else 0), len(parts)


def _parse_specifiers(text: str) -> List[_Spec]:
    specs = []
    for op, ver in _SPEC.findall(text):
        version, depth, parts = _parse_spec_version(ver)
        specs.append(_Spec(op, version, depth, parts))
    return specs


def _bump(v: MetaflowVersion, parts: int) -> MetaflowVersion:
    """The first version past every release that starts with v's first ``parts`` numbers."""
    if parts <= 1:
        return MetaflowVersion(v.major + 1, 0, 0)
    if parts == 2:
        return MetaflowVersion(v.major, v.minor + 1, 0)
    return MetaflowVersion(v.major, v.minor, v.patch + 1)


def _prefix_match(v: MetaflowVersion, spec: _Spec) -> bool:
    depth = min(spec.wildcard_depth, 3)
    return v.release[:depth] == spec.version.release[:depth]


def _allows(spec: _Spec, v: MetaflowVersion) -> bool:
    op, s = spec.op, spec.version
    if op in ("==", "==="):
        return _prefix_match(v, spec) if spec.wildcard_depth else v == s
    if op == "!=":
        return not _prefix_match(v, spec) if spec.wildcard_depth else v != s
    if op == ">=":
        return v >= s
    if op == ">":
        return v > s
    if op == "<=":
        return v <= s
    if op == "<":
        return v < s
    if op == "~=":
        # ~=2.12.3 means >=2.12.3, ==2.12.*; ~=2.12 means >=2.12, ==2.*
        return v >= s and v < _bump(s, max(spec.parts - 1, 1))
    return False


def version_for_specifiers(specifiers: str) -> Optional[MetaflowVersion]:
    """The Metaflow version to judge against for a requirement's specifier text ("" = any).

    The lowest allowed version when there is a lower bound (``==``, ``===``, ``>=``, ``>``,
    ``~=``); else the newest known release allowed (``<=V`` allows V itself). None when nothing
    satisfies the specifiers."""
    specs = _parse_specifiers(specifiers)
    if not specs:
        return newest_known()
    candidates = set(KNOWN_RELEASES)
    for spec in specs:
        candidates.add(spec.version)
        candidates.add(_bump(spec.version, 3))  # just past a ">" or "!=" bound
        if spec.wildcard_depth:
            candidates.add(_bump(spec.version, spec.wildcard_depth))
    allowed = [v for v in candidates if all(_allows(s, v) for s in specs)]
    if not allowed:
        return None
    if any(s.op in ("==", "===", ">=", ">", "~=") for s in specs):
        return min(allowed)
    # Upper bounds / exclusions only: what an install would pick. The known releases, the bound
    # itself for "<=V", and the patch release just below V for "<V" / "!=V".
    below = set(KNOWN_RELEASES)
    for spec in specs:
        if spec.op == "<=":
            below.add(spec.version)
        elif spec.op in ("<", "!=") and spec.version.patch > 0 and not spec.wildcard_depth:
            below.add(MetaflowVersion(spec.version.major, spec.version.minor, spec.version.patch - 1))
    newest = [v for v in below if all(_allows(s, v) for s in specs)]
    return max(newest) if newest else max(allowed)


def newest_for_specifiers(specifiers: str) -> Optional[MetaflowVersion]:
    """The newest known release the specifiers allow (the bound itself for ``<=V`` and ``==V``); None when none."""
    specs = _parse_specifiers(specifiers)
    candidates = set(KNOWN_RELEASES) | {s.version for s in specs if s.op in ("==", "===", "<=") and not s.wildcard_depth}
    allowed = [v for v in candidates if all(_allows(s, v) for s in specs)]
    return max(allowed) if allowed else None


class _Requirement(NamedTuple):
    text: str  # the requirement as written (markers dropped)
    specifiers: str
    url: bool


def _parse_requirement(line: str) -> Optional[_Requirement]:
    """A PEP 508 requirement naming metaflow, else None."""
    line = line.split(";", 1)[0].strip()
    match = _NAME.match(line)
    if not match or _canonical(match.group(1)) != "metaflow":
        return None
    rest = match.group(3).strip()
    if rest.startswith("@"):
        return _Requirement(line, "", True)
    rest = rest.strip("()").strip()
    return _Requirement(line, rest, False)


def _poetry_specifiers(value) -> Optional[str]:
    """A poetry constraint ("^2.12", "~2.12", "2.12.3", ">=2.12,<3", {version=...}) as PEP 440."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("version")
    if not isinstance(value, str):
        return None
    alternatives = [a.strip() for a in value.split("||")]
    out = []
    for alt in alternatives:
        specs = []
        for token in re.split(r"\s*,\s*|\s+(?=[<>=!~^0-9])", alt):
            token = token.strip()
            if not token or token == "*":
                continue
            if token.startswith("^"):
                v, _, parts = _parse_spec_version(token[1:])
                # caret: keep the leftmost non-zero part
                upper = MetaflowVersion(v.major + 1) if v.major else (
                    MetaflowVersion(0, v.minor + 1) if v.minor or parts < 3 else MetaflowVersion(0, 0, v.patch + 1)
                )
                specs += [f">={v}", f"<{upper}"]
            elif token.startswith("~") and not token.startswith("~="):
                v, _, parts = _parse_spec_version(token[1:])
                specs += [f">={v}", f"<{_bump(v, 2 if parts >= 2 else 1)}"]
            elif token[0].isdigit():
                specs.append(f"=={token}")
            else:
                specs.append(token)
        out.append(",".join(specs))
    return " || ".join(out)


# --- the sources ----------------------------------------------------------------------------


class _Declared(NamedTuple):
    where: str  # "pyproject.toml: project.dependencies"
    requirement: str  # as written
    specifiers: Optional[str]  # None: a direct URL


def _read_toml(path: str):
    if _toml is None or not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as fh:
            return _toml.load(fh)
    except (OSError, ValueError):
        return None


def _from_pyproject(root: str) -> Iterator[_Declared]:
    data = _read_toml(os.path.join(root, "pyproject.toml"))
    if not isinstance(data, dict):
        return
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    for dep in project.get("dependencies") or []:
        if isinstance(dep, str):
            req = _parse_requirement(dep)
            if req:
                yield _Declared("pyproject.toml: project.dependencies", req.text, None if req.url else req.specifiers)
                return
    poetry = ((data.get("tool") or {}).get("poetry") or {}) if isinstance(data.get("tool"), dict) else {}
    deps = poetry.get("dependencies") if isinstance(poetry, dict) else None
    if isinstance(deps, dict):
        for name, value in deps.items():
            if _canonical(name) == "metaflow":
                shown = value if isinstance(value, str) else repr(value)
                if isinstance(value, dict) and any(k in value for k in ("git", "url", "path")):
                    yield _Declared("pyproject.toml: tool.poetry.dependencies", f"metaflow = {shown}", None)
                else:
                    yield _Declared(
                        "pyproject.toml: tool.poetry.dependencies", f"metaflow = {shown}", _poetry_specifiers(value) or ""
                    )
                return


def _from_setup_cfg(root: str) -> Iterator[_Declared]:
    path = os.path.join(root, "setup.cfg")
    if not os.path.isfile(path):
        return
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return
    raw = parser.get("options", "install_requires", fallback="")
    for line in raw.replace(";\n", "\n").splitlines():
        req = _parse_requirement(line.split("#", 1)[0])
        if req:
            yield _Declared("setup.cfg: options.install_requires", req.text, None if req.url else req.specifiers)
            return


def _setup_py_tree(root: str) -> Optional[ast.Module]:
    path = os.path.join(root, "setup.py")
    if not os.path.isfile(path):
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            return ast.parse(fh.read(), filename=path)
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return None


def _setup_calls(tree: ast.Module) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name == "setup":
                yield node


def _module_literals(tree: ast.Module) -> dict:
    """Module-level NAME = <literal> bindings (the last one wins)."""
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                out[node.targets[0].id] = ast.literal_eval(node.value)
            except (ValueError, SyntaxError, TypeError):
                out.pop(node.targets[0].id, None)
    return out


def _literal(node: ast.AST, names: dict):
    if isinstance(node, ast.Name):
        return names.get(node.id)
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        return None


def _from_setup_py(root: str) -> Iterator[_Declared]:
    tree = _setup_py_tree(root)
    if tree is None:
        return
    names = _module_literals(tree)
    for call in _setup_calls(tree):
        for kw in call.keywords:
            if kw.arg == "install_requires":
                value = _literal(kw.value, names)
                if isinstance(value, (list, tuple)):
                    for item in value:
                        if isinstance(item, str):
                            req = _parse_requirement(item)
                            if req:
                                yield _Declared(
                                    "setup.py: install_requires", req.text, None if req.url else req.specifiers
                                )
                                return


def _requirement_lines(path: str, seen: set) -> Iterator[Tuple[str, str]]:
    real = os.path.realpath(path)
    if real in seen or not os.path.isfile(path):
        return
    seen.add(real)
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return
    for line in lines:
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if not line:
            continue
        include = re.match(r"^(?:-r|--requirement)[=\s]\s*(\S+)$", line)
        if include:
            yield from _requirement_lines(os.path.join(os.path.dirname(path), include.group(1)), seen)
            continue
        if line.startswith("-"):
            continue
        yield path, line


def _from_requirements(root: str) -> Iterator[_Declared]:
    try:
        names = sorted(
            (n for n in os.listdir(root) if re.match(r"^requirements.*\.txt$", n) and os.path.isfile(os.path.join(root, n))),
            key=lambda n: (n != "requirements.txt", n),
        )
    except OSError:
        return
    seen: set = set()
    for name in names:
        for path, line in _requirement_lines(os.path.join(root, name), seen):
            req = _parse_requirement(line)
            if req:
                rel = os.path.relpath(path, root)
                yield _Declared(rel, req.text, None if req.url else req.specifiers)
                return


def _from_pkg_info(root: str) -> Iterator[_Declared]:
    yield from _from_core_metadata(root, "PKG-INFO")


def _from_dist_info(root: str) -> Iterator[_Declared]:
    """An unpacked wheel: ``<name>-<version>.dist-info/METADATA`` beside the package."""
    for name in _dist_infos(root):
        yield from _from_core_metadata(root, os.path.join(name, "METADATA"))


def _from_core_metadata(root: str, relative: str) -> Iterator[_Declared]:
    """``Requires-Dist`` of a core-metadata file (an sdist's ``PKG-INFO``, a wheel's ``METADATA``)."""
    path = os.path.join(root, relative)
    if not os.path.isfile(path):
        return
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError):
        return
    header = text.split("\n\n", 1)[0]
    for line in header.splitlines():
        if line.lower().startswith("requires-dist:"):
            value = line.split(":", 1)[1].strip()
            marker = value.split(";", 1)[1] if ";" in value else ""
            if "extra" in marker:
                continue
            req = _parse_requirement(value)
            if req:
                yield _Declared(f"{relative.replace(os.sep, '/')}: Requires-Dist", req.text, None if req.url else req.specifiers)
                return


_METADATA_SOURCES = (_from_pyproject, _from_setup_cfg, _from_setup_py, _from_requirements, _from_pkg_info, _from_dist_info)


# --- Metaflow itself, or a bundled copy ------------------------------------------------------

_SKIP_DIRS = {
    "node_modules", "site-packages", "dist-packages", "__pycache__", "build", "dist",
    "tests", "test", "testing", "fixtures", "examples", "docs",
}
_VERSION_ASSIGN = re.compile(r"^metaflow_version\s*=\s*['\"]([^'\"]+)['\"]", re.M)


def _own_version(root: str) -> Optional[TargetVersion]:
    """The root's own metadata names the distribution ``metaflow`` with a literal version (``pyproject.toml``,
    ``setup.py``, an sdist's ``PKG-INFO``, an unpacked wheel's ``*.dist-info/METADATA``)."""
    for relative in ["PKG-INFO"] + sorted(os.path.join(n, "METADATA") for n in _dist_infos(root)):
        fields = _core_metadata_fields(os.path.join(root, relative))
        if _canonical(fields.get("name", "")) == "metaflow" and fields.get("version"):
            v = _lenient(fields["version"])
            if v:
                where = relative.replace(os.sep, "/")
                return TargetVersion(v, f"{where}: Version {fields['version']} of metaflow itself")
    data = _read_toml(os.path.join(root, "pyproject.toml"))
    if isinstance(data, dict) and isinstance(data.get("project"), dict):
        project = data["project"]
        if _canonical(str(project.get("name", ""))) == "metaflow" and isinstance(project.get("version"), str):
            v = _lenient(project["version"])
            if v:
                return TargetVersion(v, f"pyproject.toml: project.version '{project['version']}' of metaflow itself")
    tree = _setup_py_tree(root)
    if tree is not None:
        names = _module_literals(tree)
        for call in _setup_calls(tree):
            kws = {kw.arg: _literal(kw.value, names) for kw in call.keywords if kw.arg in ("name", "version")}
            if isinstance(kws.get("name"), str) and _canonical(kws["name"]) == "metaflow" and isinstance(kws.get("version"), str):
                v = _lenient(kws["version"])
                if v:
                    return TargetVersion(v, f"setup.py: setup(name='metaflow', version='{kws['version']}')")
    return None


def _dist_infos(root: str) -> List[str]:
    try:
        return sorted(n for n in os.listdir(root) if n.endswith(".dist-info"))
    except OSError:
        return []


def _core_metadata_fields(path: str) -> dict:
    """``Name`` and ``Version`` of a core-metadata file (lower-cased keys); {} when it cannot be read."""
    try:
        with open(path, encoding="utf-8") as fh:
            header = fh.read().split("\n\n", 1)[0]
    except (OSError, UnicodeDecodeError):
        return {}
    fields = {}
    for line in header.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() in ("name", "version"):
            fields.setdefault(key.strip().lower(), value.strip())
    return fields


def _lenient(text: str) -> Optional[MetaflowVersion]:
    try:
        return MetaflowVersion.parse(text, strict=False)
    except VersionError:
        return None


def _bundled_version(root: str, max_depth: int = 4) -> Optional[TargetVersion]:
    """A ``metaflow/`` package in the tree with ``version.py`` holding ``metaflow_version``."""
    found: List[Tuple[int, str, MetaflowVersion, str]] = []
    root = os.path.abspath(root)
    for dirpath, dirnames, filenames in os.walk(root):
        depth = os.path.relpath(dirpath, root).count(os.sep) + (0 if dirpath == root else 1)
        if "pyvenv.cfg" in filenames and dirpath != root:
            dirnames[:] = []
            continue
        dirnames[:] = sorted(
            d for d in dirnames
            if not d.startswith(".") and d not in _SKIP_DIRS and not d.endswith(".egg-info")
        )
        if depth >= max_depth:
            dirnames[:] = []
        if os.path.basename(dirpath) != "metaflow" or "__init__.py" not in filenames:
            continue
        if "version.py" not in filenames:
            continue
        try:
            with open(os.path.join(dirpath, "version.py"), encoding="utf-8") as fh:
                match = _VERSION_ASSIGN.search(fh.read())
        except (OSError, UnicodeDecodeError):
            continue
        if match:
            v = _lenient(match.group(1))
            if v:
                rel = os.path.relpath(os.path.join(dirpath, "version.py"), root).replace(os.sep, "/")
                found.append((depth, rel, v, match.group(1)))
    if not found:
        return None
    depth, rel, v, raw = min(found, key=lambda f: (f[0], f[1]))
    return TargetVersion(v, f"{rel}: metaflow_version = '{raw}'")


# --- the entry point ---------------------------------------------------------------------------


def infer_target_version(project_root: str) -> TargetVersion:
    """(version, source) for the tree at ``project_root``; see the module docstring."""
    root = os.path.abspath(project_root)
    own = _own_version(root) or _bundled_version(root)
    if own:
        return own
    notes = []
    for source in _METADATA_SOURCES:
        for declared in source(root):
            shown = f"{declared.where} '{declared.requirement}'"
            if declared.specifiers is None:
                notes.append(f"{shown} gives no version")
                continue
            versions, newest = [], []
            for alternative in declared.specifiers.split("||"):
                try:
                    v = version_for_specifiers(alternative)
                    top = newest_for_specifiers(alternative)
                except VersionError:
                    v = top = None
                if v is not None:
                    versions.append(v)
                    newest.append(top or v)
            if versions:
                return TargetVersion(min(versions), shown, max(newest))
            notes.append(f"{shown} allows no version")
    source = DEFAULT_SOURCE if not notes else f"{DEFAULT_SOURCE} ({'; '.join(notes)})"
    return TargetVersion(newest_known(), source)


# --- per file -----------------------------------------------------------------------------------

# What makes a directory the root of a distribution (or of a tree that is Metaflow or bundles it).
_ROOT_FILES = ("pyproject.toml", "setup.py", "setup.cfg", "PKG-INFO")


def package_root(path: str) -> Optional[str]:
    """The directory whose metadata says what a file targets: the nearest one at or above the file's directory
    holding a distribution's metadata (``pyproject.toml``, ``setup.py``, ``setup.cfg``, ``PKG-INFO``,
    ``requirements*.txt``, an unpacked wheel's ``*.dist-info``) or a ``metaflow/version.py``; None when there is
    none (a text linted under a made-up name, a loose script)."""
    directory = os.path.dirname(os.path.abspath(path))
    return _root_at_or_above(directory) if os.path.isdir(directory) else None


@functools.lru_cache(maxsize=4096)
def _root_at_or_above(directory: str) -> Optional[str]:
    try:
        names = os.listdir(directory)
    except OSError:
        names = []
    if any(n in _ROOT_FILES or n.endswith(".dist-info") or (n.startswith("requirements") and n.endswith(".txt")) for n in names):
        return directory
    if os.path.isfile(os.path.join(directory, "metaflow", "version.py")):
        return directory
    parent = os.path.dirname(directory)
    return None if parent == directory else _root_at_or_above(parent)


# Module-level imports (column 0: not under ``try``, ``if`` or a function) that only work from some release on.
# Code that imports one of these at module level cannot run on an older Metaflow, whatever its metadata says.
_IMPORT_FLOORS = (
    (re.compile(rb"^from metaflow\.flowspec import (?:\([^)]*|[^\n]*)\bFlowStateItems\b", re.M), "flow_state_items"),
    (re.compile(rb"^from metaflow(?:\.user_configs[\w.]*)? import (?:\([^)]*|[^\n]*)\b(?:Config|config_expr)\b", re.M),
     "config_api"),
    (re.compile(rb"^(?:from|import) metaflow\.runner\.deployer_impl\b", re.M), "deployer_impl_module"),
    (re.compile(rb"^from metaflow\.runner\.deployer import (?:\([^)]*|[^\n]*)\b(?:DeployerImpl|DeployedFlow|TriggeredRun)\b", re.M),
     "deployer_api"),
)
_MAX_SCANNED_FILES = 2000


def _import_floor(root: str) -> Optional[Tuple[MetaflowVersion, str]]:
    """The newest release among those the tree's module-level imports need, with the import that needs it."""
    from mfok_lint.core.metaflow_contract import fact_range

    best: Optional[Tuple[MetaflowVersion, str]] = None
    scanned = 0
    for dirpath, dirnames, filenames in os.walk(root):
        if "pyvenv.cfg" in filenames and dirpath != root:
            dirnames[:] = []
            continue
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in _SKIP_DIRS and not d.endswith(".egg-info"))
        for name in sorted(filenames):
            if not name.endswith(".py") or scanned >= _MAX_SCANNED_FILES:
                continue
            scanned += 1
            path = os.path.join(dirpath, name)
            try:
                with open(path, "rb") as handle:
                    raw = handle.read()
            except OSError:
                continue
            if b"metaflow" not in raw:
                continue
            for pattern, fact in _IMPORT_FLOORS:
                match = pattern.search(raw)
                if match is None:
                    continue
                first = fact_range(fact)[0]
                if first is not None and (best is None or first > best[0]):
                    line = raw[match.start(): raw.find(b"\n", match.start())].decode("utf-8", "replace").strip()
                    where = os.path.relpath(path, root).replace(os.sep, "/")
                    best = (first, f"`{line}` ({where}) needs {first}")
    return best


@functools.lru_cache(maxsize=1024)
def _inferred_at(root: Optional[str]) -> TargetVersion:
    if root is None:
        return TargetVersion(newest_known(), DEFAULT_SOURCE)
    inferred = infer_target_version(root)
    if inferred.source.startswith(DEFAULT_SOURCE) or "metaflow itself" in inferred.source or "metaflow_version" in inferred.source:
        return inferred  # Metaflow's own tree, a bundled copy, or nothing declared: nothing to raise
    floor = _import_floor(root)
    if floor is not None and floor[0] > inferred.version:
        newest = max(inferred.newest or inferred.version, floor[0])
        return TargetVersion(floor[0], f"{inferred.source}, raised to {floor[0]}: {floor[1]}", newest)
    return inferred


def target_for_path(path: str) -> TargetVersion:
    """The Metaflow release a file's code targets when no setting says: what its distribution declares (see
    ``infer_target_version``), found from the file's own place. Memoised per directory for the length of a
    process; a run that finds every file in the cache still asks, so an edited ``pyproject.toml`` changes the
    cache key of every file below it."""
    inferred = _inferred_at(package_root(path))
    if inferred.source.startswith(DEFAULT_SOURCE):
        tree = _metaflow_package_of(path)
        if tree is not None:
            return _probed_at(tree)
    return inferred


# A copy of Metaflow that says nothing of its version (a fork's source tree, a vendored or partial copy) is judged by
# what it holds: each entry is a part of Metaflow's package and the first release that has it (read from the
# releases themselves). A part that is missing puts the copy before that release; the newest part present puts it
# at or after its release.
_METAFLOW_PARTS: Tuple[Tuple[str, str], ...] = (
    ("runner", "2.12.0"),
    ("runner/deployer.py", "2.12.9"),
    ("runner/deployer_impl.py", "2.12.29"),
    ("user_configs", "2.12.37"),
)


def _metaflow_package_of(path: str) -> Optional[str]:
    """The ``metaflow/`` package directory a file belongs to when the file is part of Metaflow itself."""
    from mfok_lint.core.paths import module_location

    absolute = os.path.abspath(path)
    location = module_location(absolute)
    if location is not None and location[1] and location[1][0] == "metaflow":
        return os.path.join(location[0], "metaflow")
    # A copy without __init__.py files (a partial or unpacked tree): its plugins still sit in metaflow/plugins/.
    parts = absolute.split(os.sep)
    for i in range(len(parts) - 2, 0, -1):
        if parts[i] == "metaflow" and parts[i + 1] == "plugins":
            return os.sep.join(parts[: i + 1])
    return None


@functools.lru_cache(maxsize=256)
def _probed_at(package: str) -> TargetVersion:
    present = [V(first) for rel, first in _METAFLOW_PARTS if os.path.exists(os.path.join(package, rel))]
    missing = [V(first) for rel, first in _METAFLOW_PARTS if not os.path.exists(os.path.join(package, rel))]
    oldest = max(present) if present else KNOWN_RELEASES[0]
    newest = newest_known()
    if missing:
        before = [r for r in KNOWN_RELEASES if r < min(missing)]
        newest = before[-1] if before else KNOWN_RELEASES[0]
    if newest < oldest:  # an inconsistent copy (parts of several releases): claim nothing
        return TargetVersion(newest_known(), DEFAULT_SOURCE)
    shown = ", ".join(rel + "/" if "." not in rel else rel for rel, first in _METAFLOW_PARTS if V(first) in missing)
    reason = f"without {shown}" if missing else "with every part the contract knows"
    return TargetVersion(oldest, f"a copy of Metaflow with no version, judged by what it holds ({reason})", newest)
