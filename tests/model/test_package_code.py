"""The package-wide code model: which modules make a file's package, what a question reads, and what it records."""

from __future__ import annotations

import os

import pytest

from mfok_lint.core import dependencies
from mfok_lint.model import package_code as package_code_module
from mfok_lint.model.package_code import PackageCode, package_scope
from mfok_lint.syntax.source_file import SourceFile


def _write(root, files):
    for rel, text in files.items():
        path = os.path.join(str(root), rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)


def _own(root, rel):
    path = os.path.join(str(root), rel)
    with open(path, encoding="utf-8") as handle:
        return SourceFile(path, handle.read())


@pytest.mark.parametrize(
    "rel, expected, recursive",
    [
        ("metaflow_extensions/acme/plugins/acme/compiler.py", "metaflow_extensions/acme/plugins/acme", True),
        ("metaflow_extensions/acme/plugins/acme/sub/gen.py", "metaflow_extensions/acme/plugins/acme", True),
        ("metaflow_extensions/acme/plugins/mfextinit_acme.py", "metaflow_extensions/acme", True),
        ("metaflow/plugins/argo/argo_workflows.py", "metaflow/plugins/argo", True),
        ("metaflow/runtime.py", "metaflow", False),
        ("acme_flows/scheduler/compiler.py", "acme_flows", True),
        ("scripts/loose.py", "scripts", False),
    ],
)
def test_the_package_of_a_file(tmp_path, rel, expected, recursive):
    files = {rel: ""}
    parts = rel.split("/")
    if parts[0] in ("metaflow", "acme_flows"):  # regular packages: every level holds an __init__.py
        for depth in range(1, len(parts)):
            files["/".join(parts[:depth] + ["__init__.py"])] = ""
    _write(tmp_path, files)
    scope = package_scope(os.path.join(str(tmp_path), rel))
    assert scope is not None
    assert os.path.relpath(scope.root, str(tmp_path)).replace(os.sep, "/") == expected
    assert scope.recursive is recursive


def test_a_text_under_a_made_up_name_has_no_package():
    own = SourceFile("/nonexistent/dir/x.py", "x = 1\n")
    package = PackageCode(own, package_scope(own.path))
    assert [s.path for s in package.sources()] == ["/nonexistent/dir/x.py"]
    assert not package.complete


def test_modules_are_read_from_disk_except_the_linted_one_and_tests_are_not_the_package(tmp_path):
    plugin = "metaflow_extensions/acme/plugins/acme/"
    _write(
        tmp_path,
        {
            plugin + "a.py": "A = 'on disk'\n",
            plugin + "b.py": "B = 'retry'\n",
            plugin + "tests/test_b.py": "T = 'retry'\n",
            plugin + "c.py": "C = 1\n",
        },
    )
    own = _own(tmp_path, plugin + "a.py")
    own.text = "A = 'being fixed'\n"
    package = PackageCode(own, package_scope(own.path))
    texts = dict(package.texts())
    assert texts[own.path] == "A = 'being fixed'\n"
    assert sorted(os.path.basename(p) for p in texts) == ["a.py", "b.py", "c.py"]
    assert [os.path.basename(p) for p, _ in package.texts(containing=(b"retry",))] == ["a.py", "b.py"]
    assert package.complete


def test_every_module_a_question_consults_is_recorded_each_time(tmp_path):
    plugin = "metaflow_extensions/acme/plugins/acme/"
    _write(tmp_path, {plugin + "a.py": "A = 1\n", plugin + "b.py": "B = 2\n"})
    for _ in range(2):  # the second time the parse is memoised, and the read must still be recorded
        own = _own(tmp_path, plugin + "a.py")
        with dependencies.recording() as stamps:
            list(PackageCode(own, package_scope(own.path)).sources())
        recorded = {os.path.basename(s[0]) for s in stamps}
        assert "b.py" in recorded and "acme" in recorded  # the module and its directory listing


def test_an_unparsable_module_makes_the_package_incomplete(tmp_path):
    plugin = "metaflow_extensions/acme/plugins/acme/"
    _write(tmp_path, {plugin + "a.py": "A = 1\n", plugin + "broken.py": "def (:\n"})
    own = _own(tmp_path, plugin + "a.py")
    package = PackageCode(own, package_scope(own.path))
    assert [os.path.basename(s.path) for s in package.sources()] == ["a.py"]
    assert not package.complete


def test_a_package_larger_than_the_limit_is_partial(tmp_path, monkeypatch):
    monkeypatch.setattr(package_code_module, "MAX_MODULES", 3)
    plugin = "metaflow_extensions/acme/plugins/acme/"
    _write(tmp_path, {f"{plugin}m{i}.py": "" for i in range(6)})
    own = _own(tmp_path, plugin + "m0.py")
    package = PackageCode(own, package_scope(own.path))
    assert not package.complete


def test_a_changed_module_is_parsed_again(tmp_path):
    plugin = "metaflow_extensions/acme/plugins/acme/"
    _write(tmp_path, {plugin + "a.py": "", plugin + "b.py": "B = 1\n"})
    own = _own(tmp_path, plugin + "a.py")
    (first,) = [s for s in PackageCode(own, package_scope(own.path)).sources() if s.path.endswith("b.py")]
    path = first.path
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("B = 22\n")
    os.utime(path, ns=(1, 1))
    (second,) = [s for s in PackageCode(own, package_scope(own.path)).sources() if s.path.endswith("b.py")]
    assert second.text == "B = 22\n"
