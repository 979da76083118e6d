"""Template files inside an extension package: scripts and generated modules kept outside Python strings.

An extension may keep its worker script or its generated module in a file of the package
(``metaflow_extensions/acme/plugins/acme/templates/step.sh.j2``, ``worker.sh``) and render it at compile time.
Such a file is the same thing as a string constant holding that text, which the command model and the
generated-code model already read: so the engine lints it as a Python module whose only statement assigns
the file's text to a name, and maps every finding back to the file.

Decisions:
* Which files: inside ``metaflow_extensions/`` only, with a template suffix (``.j2``, ``.jinja``, ``.jinja2``,
  ``.mustache``, ``.tmpl``, ``.tpl``) or a shell script (``.sh``). Elsewhere such files are not the extension's.
* The text is wrapped in a raw triple-quoted literal, so the literal's value is the file's text character for
  character and every offset maps back by the length of the prefix. A text that no raw literal can hold
  (it holds both quote triples, or ends in a backslash) is skipped.
* Findings keep their rule, message and range; fixes are dropped, because they are Python edits (insert a list
  element) that mean nothing in a template. ``# noqa`` comments work as in workflow YAML: on the line.
* Rules that look beside the file (is ``@environment`` handled in a sibling module? does the extension's
  ``trigger`` take ``--branch``?) see the template as a module of the nearest package directory above it that
  holds Python modules (``host_path``): that is the code that renders it. Findings keep the template's path.
* Only rules of the Python kind run; a template cannot hold a deployer class or a click group, and those
  rules find nothing in a single assignment.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import List, Optional, Tuple

from mfok_lint.core import dependencies
from mfok_lint.core.diagnostics import Diagnostic, Location, Locator
from mfok_lint.core.paths import is_template_path  # noqa: F401 - the templates' own predicate

_NAME = "TEMPLATE_FILE_TEXT = r"


def host_path(path: str) -> str:
    """Where the template sits as a module: in the nearest directory at or above it holding a ``.py`` file."""
    directory = os.path.dirname(os.path.abspath(path))
    name = os.path.basename(path).split(".")[0] or "template"
    probe = directory
    while "metaflow_extensions" in probe.split(os.sep):
        # stamped: a module added beside the template moves its host, and with it the cached findings
        if any(entry.endswith(".py") for entry in dependencies.list_dir(probe)):
            return os.path.join(probe, f"{name}_template.py")
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    return os.path.join(directory, f"{name}_template.py")


def wrap(text: str) -> Optional[Tuple[str, int]]:
    """(synthetic module text, prefix length) or None when no raw literal can hold ``text``."""
    if text.endswith("\\"):
        return None
    for quote in ("'''", '"""'):
        if quote not in text:
            prefix = _NAME + quote
            return prefix + text + quote + "\n", len(prefix)
    return None


def unwrap(diagnostics: List[Diagnostic], text: str, prefix: int, path: str) -> List[Diagnostic]:
    """Findings on the synthetic module, moved onto the template's own text and path (fixes dropped)."""
    locator = Locator(text)
    moved = []
    for diag in diagnostics:
        start = _move(diag.location, locator, prefix)
        end = _move(diag.end_location, locator, prefix)
        end = max(start, end, key=lambda location: (location.row, location.column))
        moved.append(replace(diag, path=path, location=start, end_location=end, fix=None))
    return moved


def _move(location: Location, locator: Locator, prefix: int) -> Location:
    row = min(max(location.row, 1), locator.line_count)
    column = location.column - prefix if location.row == 1 else location.column
    column = min(max(column, 1), len(locator.line(row)) + 1)
    return Location(row, column)
