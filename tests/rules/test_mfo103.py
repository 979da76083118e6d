from mfok_lint.lint.check import lint_text
from tests.rules.package_support import ACME_DEPLOYER, acme_files, lint_package

CONFIG = "metaflow_extensions/acme/plugins/mfextinit_acme.py"


def test_real_layout_passes(tmp_path):
    assert lint_package(tmp_path, acme_files(), "MFO103") == []


def test_unresolvable_module_and_attribute(tmp_path):
    files = acme_files()
    files[CONFIG] = (
        'CLIS_DESC = [("acme", ".acme.acme_cli.cli")]\n'
        'DEPLOYER_IMPL_PROVIDERS_DESC = [("acme", ".acme.missing.AcmeDeployer"), ("acme", ".acme.acme_deployer.Nope")]\n'
    )
    found = lint_package(tmp_path, files, "MFO103")
    assert [("no module" in d.message, "defines no `Nope`" in d.message, d.location.row) for d in found] == [
        (True, False, 2),
        (False, True, 2),
    ]


def test_name_differs_from_type_including_inherited_type(tmp_path):
    files = acme_files()
    files[CONFIG] = 'DEPLOYER_IMPL_PROVIDERS_DESC = [("acme_x", ".acme.acme_deployer.AcmeDeployer")]\n'
    found = lint_package(tmp_path, files, "MFO103")
    assert len(found) == 1 and "`AcmeDeployer.TYPE` is `acme`" in found[0].message and found[0].location.column == 34
    files["metaflow_extensions/acme/plugins/acme/acme_deployer.py"] = ACME_DEPLOYER + "\n\nclass Child(AcmeDeployer):\n    pass\n"
    files[CONFIG] = 'DEPLOYER_IMPL_PROVIDERS_DESC = [("other", ".acme.acme_deployer.Child")]\n'
    assert len(lint_package(tmp_path, files, "MFO103")) == 1


def test_imported_class_is_followed_and_unknowns_stay_silent(tmp_path):
    files = acme_files()
    files["metaflow_extensions/acme/plugins/acme/__init__.py"] = "from .acme_deployer import AcmeDeployer\n"
    files[CONFIG] = (
        'DEPLOYER_IMPL_PROVIDERS_DESC = [("acme", ".acme.AcmeDeployer"), ("x", "metaflow.plugins.foo.Bar")]\n'
        "STEP_DECORATORS_DESC = make_list()\n"
    )
    assert lint_package(tmp_path, files, "MFO103") == []


def test_shape_errors_without_disk():
    text = 'CLIS_DESC = [("a", ".a.cli", "x"), ".b.cli", ("c", "")]\nFLOW_DECORATORS_DESC = {"a": ".a.A"}\n'
    found = lint_text(text, path="metaflow_extensions/acme/plugins/mfextinit_acme.py", select=["MFO103"])
    assert len(found) == 4
    assert not lint_text(text, path="metaflow_extensions/acme/config/mfextinit_acme.py", select=["MFO103"])


def test_comments_and_strings_do_not_count():
    text = '# CLIS_DESC = "x"\nDOC = "CLIS_DESC = \'oops\'"\n'
    assert not lint_text(text, path="metaflow_extensions/acme/plugins/mfextinit_acme.py", select=["MFO103"])
