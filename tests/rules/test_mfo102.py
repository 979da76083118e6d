"""MFO102 extension-config-misplaced: where an extension's configuration files may sit and how they are named.

A package rule: most tests lint a small extension package on disk; the cases are what the path alone decides.
"""

import pytest

from tests.rules.conftest import ACME_CONFIG, Invalid, Valid, acme_files, lint, rule_cases

RULE = "MFO102"

# Decided from the path alone, without disk.
INVALID = [
    Invalid(
        "X = 1\n", rows=[1], message="not directly inside an extension point",
        path="metaflow_extensions/acme/mfextinit_acme.py", why="configuration file not in a point",
    ),
]

VALID = [
    Valid("X = 1\n", path="metaflow_extensions/acme/plugins/mfextinit_acme.py", why="configuration file of a point"),
    Valid("X = 1\n", path="src/mfextinit_acme.py", why="outside metaflow_extensions"),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_correct_layout_passes(tmp_path):
    assert lint(acme_files(), RULE, root=tmp_path) == []


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
    found = lint(files, RULE, root=tmp_path)
    assert len(found) == 1 and words in found[0].message and found[0].location.row == 1


def test_two_configuration_files_for_one_point(tmp_path):
    files = acme_files()
    files["metaflow_extensions/acme/plugins/__init__.py"] = ""
    found = lint(files, RULE, root=tmp_path)
    assert sorted(d.path.rsplit("/", 1)[-1] for d in found) == ["__init__.py", "mfextinit_acme.py"]


def test_one_configuration_file_per_point_passes(tmp_path):
    files = acme_files()
    files["metaflow_extensions/acme/config/mfextinit_acme.py"] = "X = 1\n"
    files["metaflow_extensions/acme/toplevel/__init__.py"] = ""
    files["metaflow_extensions/acme/plugins/acme/__init__.py"] = ""
    assert lint(files, RULE, root=tmp_path) == []
