import pytest

from mfok_lint.lint.check import lint_text
from tests.rules.package_support import ACME_CONFIG, acme_files, lint_package


def test_correct_layout_passes(tmp_path):
    assert lint_package(tmp_path, acme_files(), "MFO102") == []


@pytest.mark.parametrize(
    "rel, words",
    [
        ("metaflow_extensions/acme/mfextinit_acme.py", "not directly inside an extension point"),
        ("metaflow_extensions/acme/plugins/acme/mfextinit_acme.py", "not directly inside an extension point"),
        ("metaflow_extensions/plugins/mfextinit_acme.py", "lacks the package level"),
        ("metaflow_extensions/acme/config/mfextinit.py", "does not match"),
        ("metaflow_extensions/acme/toplevel/mfextinit_acme.ext.py", "does not match"),
    ],
)
def test_misplaced_or_misnamed(tmp_path, rel, words):
    files = {rel: ACME_CONFIG}
    found = lint_package(tmp_path, files, "MFO102")
    assert len(found) == 1 and words in found[0].message and found[0].location.row == 1


def test_two_configuration_files_for_one_point(tmp_path):
    files = acme_files()
    files["metaflow_extensions/acme/plugins/__init__.py"] = ""
    found = lint_package(tmp_path, files, "MFO102")
    assert sorted(d.path.rsplit("/", 1)[-1] for d in found) == ["__init__.py", "mfextinit_acme.py"]


def test_one_configuration_file_per_point_passes(tmp_path):
    files = acme_files()
    files["metaflow_extensions/acme/config/mfextinit_acme.py"] = "X = 1\n"
    files["metaflow_extensions/acme/toplevel/__init__.py"] = ""
    files["metaflow_extensions/acme/plugins/acme/__init__.py"] = ""
    assert lint_package(tmp_path, files, "MFO102") == []


def test_decided_from_the_path_alone_without_disk():
    assert lint_text("X = 1\n", path="metaflow_extensions/acme/mfextinit_acme.py", select=["MFO102"])
    assert not lint_text("X = 1\n", path="metaflow_extensions/acme/plugins/mfextinit_acme.py", select=["MFO102"])
    assert not lint_text("X = 1\n", path="src/mfextinit_acme.py", select=["MFO102"])
