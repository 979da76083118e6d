"""MFO103 provider-descriptor-invalid: the entries of an extension's `*_DESC` descriptors.

A package rule: entries that must resolve are linted in a small extension package on disk; the cases are what
the configuration file's text alone decides.
"""

from tests.rules.conftest import ACME_DEPLOYER, Invalid, Valid, acme_files, lint, rule_cases

RULE = "MFO103"
CONFIG = "metaflow_extensions/acme/plugins/mfextinit_acme.py"

SHAPE_ERRORS = 'CLIS_DESC = [("a", ".a.cli", "x"), ".b.cli", ("c", "")]\nFLOW_DECORATORS_DESC = {"a": ".a.A"}\n'

# Decided without disk.
INVALID = [Invalid(SHAPE_ERRORS, rows=[1, 1, 1, 2], path=CONFIG, why="shape errors")]

VALID = [
    Valid(SHAPE_ERRORS, path="metaflow_extensions/acme/config/mfextinit_acme.py", why="shape errors outside plugins"),
    Valid('# CLIS_DESC = "x"\nDOC = "CLIS_DESC = \'oops\'"\n', path=CONFIG, why="comments and strings do not count"),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_real_layout_passes(tmp_path):
    assert lint(acme_files(), RULE, root=tmp_path) == []


def test_unresolvable_module_and_attribute(tmp_path):
    files = acme_files()
    files[CONFIG] = (
        'CLIS_DESC = [("acme", ".acme.acme_cli.cli")]\n'
        'DEPLOYER_IMPL_PROVIDERS_DESC = [("acme", ".acme.missing.AcmeDeployer"), ("acme", ".acme.acme_deployer.Nope")]\n'
    )
    found = lint(files, RULE, root=tmp_path)
    assert [("no module" in d.message, "defines no `Nope`" in d.message, d.location.row) for d in found] == [
        (True, False, 2),
        (False, True, 2),
    ]


def test_name_differs_from_type_including_inherited_type(tmp_path):
    files = acme_files()
    files[CONFIG] = 'DEPLOYER_IMPL_PROVIDERS_DESC = [("acme_x", ".acme.acme_deployer.AcmeDeployer")]\n'
    found = lint(files, RULE, root=tmp_path)
    assert len(found) == 1 and "`AcmeDeployer.TYPE` is `acme`" in found[0].message and found[0].location.column == 34
    files["metaflow_extensions/acme/plugins/acme/acme_deployer.py"] = ACME_DEPLOYER + "\n\nclass Child(AcmeDeployer):\n    pass\n"
    files[CONFIG] = 'DEPLOYER_IMPL_PROVIDERS_DESC = [("other", ".acme.acme_deployer.Child")]\n'
    assert len(lint(files, RULE, root=tmp_path)) == 1


def test_imported_class_is_followed_and_unknowns_stay_silent(tmp_path):
    files = acme_files()
    files["metaflow_extensions/acme/plugins/acme/__init__.py"] = "from .acme_deployer import AcmeDeployer\n"
    files[CONFIG] = (
        'DEPLOYER_IMPL_PROVIDERS_DESC = [("acme", ".acme.AcmeDeployer"), ("x", "metaflow.plugins.foo.Bar")]\n'
        "STEP_DECORATORS_DESC = make_list()\n"
    )
    assert lint(files, RULE, root=tmp_path) == []
