"""MFO043 sibling-absolute-import: plugin modules importing a module of their own directory as top-level."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from mfok_lint.lint.check import lint_text
from tests.rules.fixcheck import apply_one, assert_fix_converges


@pytest.fixture
def plugin_dir(tmp_path):
    """A real extension layout on disk: the rule looks at the files next to the linted path."""
    package = tmp_path / "metaflow_extensions" / "acme" / "plugins" / "acme"
    package.mkdir(parents=True)
    (tmp_path / "metaflow_extensions" / "acme" / "plugins" / "__init__.py").write_text("")
    (tmp_path / "metaflow_extensions" / "acme" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "acme_objects.py").write_text("class AcmeDeployedFlow:\n    pass\n")
    (package / "acme_client").mkdir()
    (package / "acme_client" / "__init__.py").write_text("VERSION = 1\n")
    return package


def lint(directory, source: str, name: str = "acme_deployer.py"):
    path = str(directory / name)
    return [d for d in lint_text(textwrap.dedent(source), path=path, select=["MFO043"]) if d.code == "MFO043"]


@pytest.mark.parametrize(
    "source, fixed_line",
    [
        ("from acme_objects import AcmeDeployedFlow\n", "from .acme_objects import AcmeDeployedFlow"),
        ("import acme_objects\n", "from . import acme_objects"),
        ("import acme_objects as objects\n", "from . import acme_objects as objects"),
        ("from acme_client import VERSION\n", "from .acme_client import VERSION"),
        ("def create():\n    from acme_objects import AcmeDeployedFlow\n    return AcmeDeployedFlow\n", "    from .acme_objects import AcmeDeployedFlow"),
    ],
    ids=["from-import", "import", "import-as", "sibling-package", "function-level"],
)
def test_reported_and_fixed(plugin_dir, source, fixed_line):
    (found,) = lint(plugin_dir, source)
    assert "`acme_" in found.message
    fixed = apply_one(source, found)
    assert fixed_line in fixed.splitlines()
    assert_fix_converges(source, "MFO043", str(plugin_dir / "acme_deployer.py"))


def test_dotted_and_multi_imports_are_reported_without_fix(plugin_dir):
    found = lint(plugin_dir, "import acme_client.sub\nimport os, acme_objects\n")
    assert [d.location.row for d in found] == [1, 2]
    assert all(d.fix is None for d in found)


VALID = {
    "relative": "from .acme_objects import AcmeDeployedFlow\nfrom . import acme_client\n",
    "package-path": "from metaflow_extensions.acme.plugins.acme.acme_objects import AcmeDeployedFlow\n",
    "no-such-sibling": "import json\nfrom acme_sdk import Client\n",
    "fallback-after-relative": (
        "try:\n    from .acme_objects import AcmeDeployedFlow\nexcept ImportError:\n    from acme_objects import AcmeDeployedFlow\n"
    ),
    "script-mode-block": "if __name__ == '__main__':\n    import acme_objects\n",
    "generated-source": 'TEMPLATE = """from acme_objects import AcmeDeployedFlow"""\n',
}


@pytest.mark.parametrize("name", sorted(VALID))
def test_not_reported(plugin_dir, name):
    assert lint(plugin_dir, VALID[name]) == []


def test_only_plugin_directories_are_checked(tmp_path):
    (tmp_path / "helpers.py").write_text("")
    assert lint(tmp_path, "import helpers\n", name="tool.py") == []


def test_the_reported_import_fails_in_the_package_layout_and_the_fixed_one_loads(plugin_dir):
    """Imports the module the way Metaflow does, by its package path, in a clean interpreter."""
    root = plugin_dir.parents[3]
    source = "from acme_objects import AcmeDeployedFlow\n"
    target = plugin_dir / "acme_deployer.py"

    def load() -> subprocess.CompletedProcess:
        code = "import metaflow_extensions.acme.plugins.acme.acme_deployer as m; print(m.AcmeDeployedFlow.__module__)"
        return subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)

    target.write_text(source)
    broken = load()
    assert broken.returncode != 0 and "No module named 'acme_objects'" in broken.stderr
    target.write_text(apply_one(source, lint(plugin_dir, source)[0]))
    fixed = load()
    assert fixed.returncode == 0, fixed.stderr
    assert fixed.stdout.strip() == "metaflow_extensions.acme.plugins.acme.acme_objects"


def test_the_screen_wants_the_parse_only_for_imports_that_name_a_sibling(plugin_dir):
    from mfok_lint.rules.mfo043_sibling_absolute_import import SiblingAbsoluteImport

    rule = SiblingAbsoluteImport()
    path = str(plugin_dir / "acme_deployer.py")
    assert not rule.applies_to_file(path, b"import json\nfrom acme_sdk import Client\nfrom . import acme_objects\n")
    assert not rule.applies_to_file(path, b"import acme_deployer\n")  # its own name is not a sibling
    assert rule.applies_to_file(path, b"def f():\n    import acme_objects.sub\n")
    assert rule.applies_to_file(path, b"from acme_client import VERSION\n")
    assert rule.applies_to_file(path, b"import acme_objects\n(\n")  # ast cannot tell: libcst decides


def test_a_sibling_created_after_a_cached_run_is_seen(plugin_dir):
    """The screen looks beside the file, so the cache must record that look: creating ``acme_sdk.py`` turns the
    third-party import of a cached clean file into a sibling import."""
    import os

    root = plugin_dir.parents[3]
    (plugin_dir / "acme_deployer.py").write_text("from acme_sdk import Client\n")
    command = [sys.executable, "-m", "mfok_lint", "check", "--select", "MFO043", "--output-format", "concise", "."]
    env = {**os.environ, "MFOK_LINT_NO_CACHE": ""}
    env.pop("MFOK_LINT_NO_CACHE")
    first = subprocess.run(command, cwd=root, capture_output=True, text=True, env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert list((root / ".mfok-lint-cache").rglob("*.json")), "the clean result is cached"
    (plugin_dir / "acme_sdk.py").write_text("class Client:\n    pass\n")
    second = subprocess.run(command, cwd=root, capture_output=True, text=True, env=env)
    assert second.returncode == 1 and "acme_deployer.py:1:1: MFO043" in second.stdout, second.stdout
