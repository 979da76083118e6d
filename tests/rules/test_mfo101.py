"""MFO101 namespace-package-init: `metaflow_extensions/__init__.py` must not exist.

A package rule: every test lints a small extension package on disk, there being no single snippet to make a case of.
"""

from mfok_lint.core.diagnostics import Applicability
from mfok_lint.core.settings import Settings
from mfok_lint.run.runner import run_files
from tests.rules.conftest import acme_files, lint, write_files

RULE = "MFO101"


def test_top_level_init_is_reported_even_when_empty(tmp_path):
    files = acme_files()
    files["metaflow_extensions/__init__.py"] = ""
    found = lint(files, RULE, root=tmp_path)
    assert [(d.code, d.path.endswith("metaflow_extensions/__init__.py"), d.location.row) for d in found] == [("MFO101", True, 1)]
    assert found[0].fix.applicability is Applicability.DISPLAY_ONLY


def test_namespace_package_without_init_passes(tmp_path):
    files = acme_files()
    files["metaflow_extensions/acme/__init__.py"] = ""  # below the namespace level: allowed
    assert lint(files, RULE, root=tmp_path) == []


def test_noqa_on_first_line_suppresses(tmp_path):
    files = acme_files()
    files["metaflow_extensions/__init__.py"] = "# noqa: MFO101\n"
    assert lint(files, RULE, root=tmp_path) == []


def test_display_only_fix_is_never_applied(tmp_path):
    files = acme_files()
    files["metaflow_extensions/__init__.py"] = "x = 1\n"
    paths = write_files(tmp_path, files)
    init = [p for p in paths if p.endswith("metaflow_extensions/__init__.py")][0]
    run_files([init], Settings(select=[RULE], fix=True, unsafe_fixes=True, jobs=1))
    assert open(init).read() == "x = 1\n"
