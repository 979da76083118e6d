"""What a path is to mfok-lint: Python source, a workflow, a template, a test, a file of an extension package.

Rules that decide by location ask ``layout_path`` (where the file sits in its project's package layout) instead of
the path as given, which depends on the directory mfok-lint runs from.
"""

from __future__ import annotations

import functools
import os
import re
from typing import List, Optional, Tuple

from mfok_lint.core import dependencies

PYTHON_SUFFIXES = (".py", ".pyi")
TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".mustache", ".tmpl", ".tpl", ".sh")
# Directories that are packages without an ``__init__.py``: Metaflow's extension loader treats every level of
# ``metaflow_extensions/`` as a namespace package.
NAMESPACE_DIRS = {"metaflow_extensions"}
_WORKFLOW_RE = re.compile(r"(^|/)\.github/workflows/[^/]+\.ya?ml$")
_IN_EXTENSION = re.compile(r"(^|/)metaflow_extensions/")
EXTENSION_PATH = re.compile(r"(^|[/\\])metaflow_extensions[/\\]")


def is_python_path(path: str) -> bool:
    return path.endswith(PYTHON_SUFFIXES)


def is_workflow_path(path: str) -> bool:
    return bool(_WORKFLOW_RE.search(path.replace(os.sep, "/")))


def is_template_path(path: str) -> bool:
    normalised = path.replace(os.sep, "/")
    return normalised.endswith(TEMPLATE_SUFFIXES) and bool(_IN_EXTENSION.search(normalised))


def is_python_text(path: str) -> bool:
    """Whether a file's text is Python source: anything but a workflow or a template (stdin, a script without
    a suffix named on the command line)."""
    return not is_workflow_path(path) and not is_template_path(path)


def is_lintable_path(path: str) -> bool:
    return is_python_path(path) or is_workflow_path(path) or is_template_path(path)


# Test code of an extension builds commands to exercise the extension, not to run flows: the contract rules do
# not apply there (RULES.md: "test directories are linted as what they are").
TEST_PATH = re.compile(r"(^|[/\\])(tests?|testing)[/\\]|(^|[/\\])(test_[^/\\]*|[^/\\]*_test|conftest)\.py$")


def is_test_path(path: str) -> bool:
    return bool(TEST_PATH.search(path))


def in_extension_package(path: str) -> bool:
    """True for files inside a ``metaflow_extensions/`` tree (the only place layout rules apply)."""
    return bool(EXTENSION_PATH.search(layout_path(path)))


def layout_path(path: str) -> str:
    """Where the file sits in its project's package layout: ``metaflow_extensions/acme/plugins/acme/x.py``,
    ``metaflow/runtime.py``, with ``/`` separators.

    Rules that decide by location ask this instead of the path they were given, which depends on the directory
    mfok-lint runs from (``./x.py`` inside ``plugins/acme/``) and, made absolute, on parent directories that are
    no package (a checkout in ``~/src/metaflow/``). The layout is the one ``model.imported_values`` resolves imports
    with: the directory above ``metaflow_extensions/``, else the top of the ``__init__.py`` packages. A file
    whose directory does not exist (a name given with ``--stdin-filename``) keeps its given path.
    """
    absolute = os.path.abspath(path)
    if not os.path.isdir(os.path.dirname(absolute)):
        return path.replace("\\", "/")
    return _layout_of(absolute)


@functools.lru_cache(maxsize=1024)  # keyed on the absolute path: a relative one changes meaning with the cwd
def _layout_of(absolute: str) -> str:
    directory = os.path.dirname(absolute)
    probe = absolute if absolute.endswith(".py") else os.path.join(directory, "__layout__.py")
    location = module_location(probe)
    root = location[0] if location is not None else directory
    return os.path.relpath(absolute, root).replace(os.sep, "/")


def module_location(path: str) -> Optional[Tuple[str, List[str]]]:
    """(project root, dotted module name parts) of a file; None for no file.

    Inside ``metaflow_extensions/`` every directory is a package (Metaflow's extension loader treats the
    levels as namespace packages, and released extensions ship ``plugins/`` without ``__init__.py``); the root
    is the directory above it. Elsewhere the packages are the directories holding an ``__init__.py``.
    """
    if not path or path.startswith("<") or not path.endswith(".py"):
        return None
    path = os.path.abspath(path)
    directory, filename = os.path.split(path)
    parts = [] if filename == "__init__.py" else [filename[:-3]]
    components = directory.split(os.sep)
    for marker in NAMESPACE_DIRS:
        if marker in components:
            index = len(components) - 1 - components[::-1].index(marker)
            package = components[index:]
            if all(part.isidentifier() for part in package):
                return os.sep.join(components[:index]) or os.sep, package + parts
    while True:
        base = os.path.basename(directory)
        if not os.path.isfile(os.path.join(directory, "__init__.py")) or not base.isidentifier():
            break
        parts.insert(0, base)
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return directory, parts


def sibling_module_exists(path: str, name: str) -> bool:
    """Is ``name`` (the first part of an absolute import) a module beside ``path`` other than the file itself?

    Read through ``dependencies``: a cached result must be recomputed when a sibling appears or goes.
    """
    directory, filename = os.path.split(os.path.abspath(path))
    if not name or name == os.path.splitext(filename)[0]:
        return False
    return dependencies.is_file(os.path.join(directory, name + ".py")) or dependencies.is_file(
        os.path.join(directory, name, "__init__.py")
    )
