"""JUnit XML in ruff's shape: one testsuite per file, one failing testcase per finding.

Design decisions:
- Suite names are absolute paths and a testcase's ``classname`` is the path without its extension, as
  ruff writes them, so CI dashboards group findings by module.
- No findings still yields one passing testcase ("No errors found"): several JUnit consumers treat an
  empty report as a broken run.
- Built with ElementTree, so messages holding ``<``, ``&`` or quotes are escaped correctly.
"""

from __future__ import annotations

import itertools
import os
import xml.etree.ElementTree as ET
from typing import List, Mapping

from mfok_lint.cli.report._common import absolute_path, ordered
from mfok_lint.core.diagnostics import Diagnostic

TOOL = "mfok-lint"
PACKAGE = "org.mfok_lint"
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _suite_attributes(name: str, tests: int, failures: int) -> dict:
    return {
        "name": name,
        "tests": str(tests),
        "skipped": "0",
        "errors": "0",
        "failures": str(failures),
        "package": PACKAGE,
    }


def render(
    diagnostics: List[Diagnostic], *, sources: Mapping[str, str], rules: Mapping[str, object], **_options
) -> str:
    diagnostics = ordered(diagnostics)
    total = max(len(diagnostics), 1)
    root = ET.Element(
        "testsuites",
        {"name": TOOL, "tests": str(total), "skipped": "0", "failures": str(len(diagnostics)), "errors": "0"},
    )
    if not diagnostics:
        suite = ET.SubElement(root, "testsuite", _suite_attributes(TOOL, 1, 0))
        ET.SubElement(suite, "testcase", {"name": "No errors found", "classname": TOOL})
    for filename, group_iter in itertools.groupby(diagnostics, key=lambda d: absolute_path(d.path)):
        group = list(group_iter)
        suite = ET.SubElement(root, "testsuite", _suite_attributes(filename, len(group), len(group)))
        classname = os.path.splitext(filename)[0]
        for d in group:
            case = ET.SubElement(
                suite,
                "testcase",
                {
                    "name": f"{PACKAGE}.{d.code}",
                    "classname": classname,
                    "line": str(d.location.row),
                    "column": str(d.location.column),
                },
            )
            properties = ET.SubElement(case, "properties")
            ET.SubElement(properties, "property", {"name": "severity", "value": "error"})
            failure = ET.SubElement(case, "failure", {"message": d.message})
            failure.text = f"line {d.location.row}, col {d.location.column}, {d.message}"
    ET.indent(root, space="    ")
    return DECLARATION + ET.tostring(root, encoding="unicode") + "\n"
