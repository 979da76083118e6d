"""MFO043 sibling-absolute-import: plugin modules importing a module of their own directory as top-level.

The rule looks at the files next to the linted path, so the cases are linted beside a real extension layout on
disk (the ``plugin_dir`` fixture), each test in its own directory, instead of through ``rule_cases``.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest

from tests.rules.conftest import (
    Invalid,
    Valid,
    apply_one,
    assert_fix_converges,
    check_case,
    lint,
    passes_prefilter,
    write_files,
)

RULE = "MFO043"


@pytest.fixture
def plugin_dir(tmp_path):
    """A real extension layout on disk: the rule looks at the files next to the linted path."""
    write_files(
        tmp_path,
        {
            "metaflow_extensions/acme/plugins/__init__.py": "",
            "metaflow_extensions/acme/__init__.py": "",
            "metaflow_extensions/acme/plugins/acme/__init__.py": "",
            "metaflow_extensions/acme/plugins/acme/acme_objects.py": "class AcmeDeployedFlow:\n    pass\n",
            "metaflow_extensions/acme/plugins/acme/acme_client/__init__.py": "VERSION = 1\n",
        },
    )
    return tmp_path / "metaflow_extensions" / "acme" / "plugins" / "acme"


def lint_beside(directory, source: str, name: str = "acme_deployer.py"):
    """The rule's findings for ``source`` linted as ``directory/name`` (the text itself is not written)."""
    return lint(source, RULE, path=str(directory / name))


INVALID = [
    Invalid(
        "from acme_objects import AcmeDeployedFlow\n", rows=[1], message="`acme_",
        fixed="from .acme_objects import AcmeDeployedFlow\n", why="from-import",
    ),
    Invalid(
        "import acme_objects\nFLOW = acme_objects.AcmeDeployedFlow\n", rows=[1], message="`acme_",
        fixed="from . import acme_objects\nFLOW = acme_objects.AcmeDeployedFlow\n", why="import",
    ),
    Invalid(
        "import acme_objects as objects\nFLOW = objects.AcmeDeployedFlow\n", rows=[1], message="`acme_",
        fixed="from . import acme_objects as objects\nFLOW = objects.AcmeDeployedFlow\n", why="import-as",
    ),
    Invalid(
        "from acme_client import VERSION\n", rows=[1], message="`acme_",
        fixed="from .acme_client import VERSION\n", why="sibling-package",
    ),
    Invalid(
        "def create():\n    from acme_objects import AcmeDeployedFlow\n    return AcmeDeployedFlow\n",
        rows=[2], message="`acme_",
        fixed="def create():\n    from .acme_objects import AcmeDeployedFlow\n    return AcmeDeployedFlow\n",
        why="function-level",
    ),
    Invalid(
        "import acme_client.sub\nimport os, acme_objects\nFLOW = acme_objects.AcmeDeployedFlow\n", rows=[1, 2], no_fix=True,
        why="dotted and multi imports are reported without fix",
    ),
]

VALID = [
    Valid("from .acme_objects import AcmeDeployedFlow\nfrom . import acme_client\n", why="relative"),
    Valid("from metaflow_extensions.acme.plugins.acme.acme_objects import AcmeDeployedFlow\n", why="package-path"),
    Valid("import json\nfrom acme_sdk import Client\n", why="no-such-sibling"),
    Valid("from acme_objects import AcmeClient\n", why="a same-named package: the sibling has no AcmeClient"),
    Valid("import acme_objects\nCLIENT = acme_objects.Client()\n", why="a same-named package: attributes not in the sibling"),
    Valid(
        "try:\n    import acme_objects as lib\nexcept ImportError:\n    lib = None\nFLOW = lib.AcmeDeployedFlow\n",
        why="an optional package guarded by ImportError",
    ),
    Valid(
        "try:\n    from .acme_objects import AcmeDeployedFlow\n"
        "except ImportError:\n    from acme_objects import AcmeDeployedFlow\n",
        why="fallback-after-relative",
    ),
    Valid("if __name__ == '__main__':\n    import acme_objects\n", why="script-mode-block"),
    Valid('TEMPLATE = """from acme_objects import AcmeDeployedFlow"""\n', why="generated-source"),
]


@pytest.mark.parametrize(
    "case", VALID + INVALID, ids=[("valid: " if isinstance(c, Valid) else "invalid: ") + c.why for c in VALID + INVALID]
)
def test_cases(plugin_dir, case):
    """The cases, each linted (and fixed) as ``acme_deployer.py`` beside the package on disk."""
    check_case(RULE, replace(case, path=str(plugin_dir / "acme_deployer.py")))


@pytest.mark.parametrize("case", [c for c in INVALID if c.fixed], ids=lambda c: c.why)
def test_each_fix_alone_and_to_the_end(plugin_dir, case):
    """One finding's fix applied alone moves nothing outside its import; fixing converges with nothing left."""
    path = str(plugin_dir / "acme_deployer.py")
    (found,) = lint(case.code, RULE, path=path)
    assert apply_one(case.code, found) == case.fixed
    assert_fix_converges(case.code, RULE, path)


def test_only_plugin_directories_are_checked(tmp_path):
    (tmp_path / "helpers.py").write_text("")
    assert lint_beside(tmp_path, "import helpers\n", name="tool.py") == []


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
    target.write_text(apply_one(source, lint_beside(plugin_dir, source)[0]))
    fixed = load()
    assert fixed.returncode == 0, fixed.stderr
    assert fixed.stdout.strip() == "metaflow_extensions.acme.plugins.acme.acme_objects"


def test_the_screen_wants_the_parse_only_for_imports_that_name_a_sibling(plugin_dir):
    path = str(plugin_dir / "acme_deployer.py")
    third_party_and_relative = "import json\nfrom acme_sdk import Client\nfrom . import acme_objects\n"
    assert not passes_prefilter(RULE, third_party_and_relative, path=path)
    assert not passes_prefilter(RULE, "import acme_deployer\n", path=path)  # its own name is not a sibling
    assert passes_prefilter(RULE, "def f():\n    import acme_objects.sub\n", path=path)
    assert passes_prefilter(RULE, "from acme_client import VERSION\n", path=path)
    assert passes_prefilter(RULE, "import acme_objects\n(\n", path=path)  # ast cannot tell: libcst decides


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
