"""Values that come from another module of the extension, inferred with astroid.

``from .config import RETRY_COUNT`` then ``"--retry-count", str(RETRY_COUNT)``: whether the command always
sends 0 is decided in ``config.py``. The value model (``model.values``) asks this module when a name it
follows is bound by an import; this module answers with astroid's inference on the imported module.

Decisions:
* **Lazy.** astroid is imported on the first question, never at rule-load time: most files and most runs
  never follow an import, and astroid's import costs ~0.3 s.
* **The extension's own modules only.** The import must resolve to a ``.py`` file under the project root of
  the linted file (the directory above its top-level package; a ``metaflow_extensions/`` namespace directory
  counts as a package). Metaflow, the scheduler's SDK and the standard library are never parsed: their values
  are theirs, not the extension's, and parsing them would cost more than the whole lint.
* **Only sure answers.** A value counts when astroid infers every possibility to a ``str``/``int`` constant
  (``RETRY = 0``, ``RETRY = DEFAULT`` with ``DEFAULT = 0`` in a third module). Anything astroid cannot infer,
  any call, any attribute of a runtime object is unknown, and the rules that ask stay silent.
* **Texts for origin questions.** ``assigned_sources`` gives the source text of each expression assigned to
  the name in its module, for rules that ask "was this computed by X?" rather than "what constant is this?".
* Every file astroid reads for an answer is recorded as a dependency of the linted file
  (``mfok_lint.core.dependencies``), so a cached finding is recomputed when ``config.py`` changes.
* The linted file itself is never read from disk here (its current text may be a fix in progress); only the
  imported module is.
* Any astroid failure (syntax error in the other module, recursion, an astroid bug) is an unknown value, never
  an internal error: this is a refinement of an answer the model already had.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Iterator, List, Optional, Sequence, Tuple

import libcst as cst

from mfok_lint.core import dependencies
from mfok_lint.core.paths import module_location
from mfok_lint.syntax.names import dotted_name

__all__ = ["assigned_sources", "imported_constants"]

MAX_VALUES = 8


def _target_module(
    path: str, node: cst.CSTNode, alias: cst.ImportAlias
) -> Optional[Tuple[str, str, str, Optional[str]]]:
    """(project root, module name, file, attribute) that the alias names: ``from .config import X`` ->
    (root, pkg.config, file, X); ``from . import config`` / ``import pkg.config as c`` -> (root, pkg.config, file,
    None)."""
    located = module_location(path)
    if located is None:
        return None
    root, parts = located
    is_package = os.path.basename(path) == "__init__.py"
    package = parts if is_package else parts[:-1]
    alias_name = dotted_name(alias.name)
    if alias_name is None:
        return None
    if isinstance(node, cst.ImportFrom):
        level = len(node.relative)
        base_parts: List[str]
        if level:
            if level - 1 > len(package):
                return None
            base_parts = package[: len(package) - (level - 1)]
        else:
            base_parts = []
        module = dotted_name(node.module) if node.module is not None else None
        base = base_parts + (module.split(".") if module else [])
        if not base:
            return None
        submodule = _module_file(root, base + [alias_name])
        if submodule is not None:
            return root, ".".join(base + [alias_name]), submodule, None
        found = _module_file(root, base)
        return (root, ".".join(base), found, alias_name) if found is not None else None
    if isinstance(node, cst.Import):
        if alias.asname is None:
            return None  # ``import a.b`` binds ``a``; the attribute chain is not followed
        found = _module_file(root, alias_name.split("."))
        return (root, alias_name, found, None) if found is not None else None
    return None


def _module_file(root: str, parts: Sequence[str]) -> Optional[str]:
    base = os.path.join(root, *parts)
    for candidate in (base + ".py", os.path.join(base, "__init__.py")):
        if dependencies.is_file(candidate):  # stamped: creating the module later changes the answer
            return candidate
    return None


@contextmanager
def _search_path(root: str) -> Iterator[None]:
    # astroid resolves the imported module's own absolute imports through sys.path.
    added = root not in sys.path
    if added:
        sys.path.insert(0, root)
    try:
        yield
    finally:
        if added:
            try:
                sys.path.remove(root)
            except ValueError:
                pass


def _astroid_module(modname: str, filename: str):
    import astroid

    dependencies.note(filename)  # stamp it: the answer depends on this file
    try:
        mtime = os.stat(filename).st_mtime_ns
    except OSError:
        mtime = None
    manager = astroid.MANAGER
    cached = manager.astroid_cache.get(modname)
    # A long-lived process (the flake8 plugin in an editor) must not answer from a module parsed before the file
    # changed.
    fresh = cached is not None and getattr(cached, "_mfok_mtime", None) == mtime
    if fresh and getattr(cached, "file", None) == filename:
        return cached
    manager.astroid_cache.pop(modname, None)
    module = manager.ast_from_file(filename, modname=modname, source=True)
    module._mfok_mtime = mtime
    return module


def _load(path: str, node: cst.CSTNode, alias: cst.ImportAlias, attribute: Optional[str]):
    """(project root, astroid module, name to look up in it), or None when the question is not one of a name
    in one of the extension's modules (``module.attr.attr`` is not followed)."""
    target = _target_module(path, node, alias)
    if target is None:
        return None
    root, modname, filename, name = target
    if name is None:
        name, attribute = attribute, None
    if name is None or attribute is not None:
        return None
    return root, _astroid_module(modname, filename), name


def imported_constants(
    path: str, node: cst.CSTNode, alias: cst.ImportAlias, attribute: Optional[str] = None
) -> Optional[Tuple[object, ...]]:
    """The constant values the imported name (or its ``attribute``, for a module) can have; None if unknown."""
    try:
        loaded = _load(path, node, alias, attribute)
        if loaded is None:
            return None
        root, module, name = loaded
        with _search_path(root):
            return _constants(module.igetattr(name))
    except Exception:  # noqa: BLE001 - astroid failures are an unknown value, see the module docstring
        return None


def _constants(inferred) -> Optional[Tuple[object, ...]]:
    from astroid import nodes

    values: List[object] = []
    for count, value in enumerate(inferred):
        if count >= MAX_VALUES or not isinstance(value, nodes.Const):
            return None
        constant = value.value
        if isinstance(constant, bool) or not isinstance(constant, (int, str)):
            return None
        if constant not in values:
            values.append(constant)
    return tuple(values) or None


def assigned_sources(
    path: str, node: cst.CSTNode, alias: cst.ImportAlias, attribute: Optional[str] = None
) -> List[str]:
    """Source text of every expression assigned to the imported name in its own module ([] if unknown)."""
    try:
        loaded = _load(path, node, alias, attribute)
        if loaded is None:
            return []
        _root, module, name = loaded
        from astroid import nodes

        texts = []
        for definition in module.getattr(name):
            statement = definition.parent
            if isinstance(statement, (nodes.Assign, nodes.AnnAssign)) and statement.value is not None:
                texts.append(statement.value.as_string())
        return texts
    except Exception:  # noqa: BLE001
        return []
