"""What every rule test uses: lint code (or a small package on disk) with some rules, check a fix, run cases.

A rule's tests read like fixit's: a list of ``Valid`` cases (code the rule must leave alone) and ``Invalid`` ones
(code it must report, where, with what message, and what its fix gives), turned into one parametrized test by
``rule_cases``; then plain test functions for what a case cannot say (a package on disk, a screen, a cache).

    VALID = [Valid('cmd = ["step", s, "--retry-count", str(ctx.retry_number)]')]
    INVALID = [Invalid('cmd = ["step", s, "--retry-count", "0"]', rows=[1], message="always 0")]
    test_cases = rule_cases("MFO004", VALID, INVALID)

Code is dedented, so cases may be written indented in triple quotes. Everything runs through the real engine
(``lint_text`` for one text, the runner for files on disk): no rule is called directly.
"""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Union

import pytest

from mfok_lint.core.diagnostics import Diagnostic
from mfok_lint.core.settings import Settings
from mfok_lint.lint.check import lint_text
from mfok_lint.lint.fixes import apply_edits, fix_text, parses
from mfok_lint.run.runner import run_files

#: Where a snippet sits unless a case says otherwise: a module of an extension package's plugin.
DEFAULT_PATH = "metaflow_extensions/acme/plugins/acme/acme_compiler.py"

Selection = Union[str, Sequence[str]]


def _codes(select: Selection) -> List[str]:
    return [select] if isinstance(select, str) else list(select)


def lint(
    code_or_files: Union[str, Mapping[str, str]],
    select: Selection,
    *,
    path: str = DEFAULT_PATH,
    root: Optional[os.PathLike] = None,
    preview: bool = True,
) -> List[Diagnostic]:
    """The findings of the selected rules, and only those (``preview=False``: as a run without ``--preview``
    would select them, so a preview rule named by a prefix is off).

    ``code_or_files`` is one text, linted as the file ``path`` (nothing is written), or ``{relative path: text}``,
    written under ``root`` (a temporary directory) and linted together through the runner, as a user's run
    would: rules that read beside a file see the other files.
    """
    codes = _codes(select)
    if isinstance(code_or_files, str):
        settings = None if preview else Settings(select=codes, preview=False)
        found = lint_text(textwrap.dedent(code_or_files), path=path, select=codes, settings=settings)
    else:
        if root is None:
            raise ValueError("linting files needs a root directory (tmp_path)")
        paths = write_files(root, code_or_files)
        results = run_files(sorted(paths), Settings(select=codes, preview=preview, jobs=1))
        found = [d for r in results for d in r.diagnostics]
    return [d for d in found if d.code in codes]


def write_files(root: os.PathLike, files: Mapping[str, str]) -> List[str]:
    paths = []
    for rel, text in files.items():
        target = os.path.join(str(root), rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(textwrap.dedent(text))
        paths.append(target)
    return paths


def assert_fix(before: str, after: str, select: Selection, *, path: str = DEFAULT_PATH, unsafe: bool = False) -> None:
    """``--fix`` (with ``--unsafe-fixes`` when ``unsafe``) turns ``before`` into exactly ``after``: the result parses,
    the selected rules find nothing left to fix, and a second ``--fix`` changes nothing."""
    before, after = textwrap.dedent(before), textwrap.dedent(after)
    codes = _codes(select)
    outcome = fix_text(before, path, select=codes, unsafe_fixes=unsafe)
    assert not outcome.errors, outcome.errors
    assert outcome.text == after
    assert parses(outcome.text, path), "the fixed text does not parse"
    left = [d for d in lint_text(outcome.text, path=path, select=codes) if d.code in codes and d.fix is not None]
    assert left == [], [d.message for d in left]
    assert fix_text(outcome.text, path, select=codes, unsafe_fixes=unsafe).text == outcome.text


def apply_one(text: str, diagnostic: Diagnostic) -> str:
    """One finding's fix applied alone; nothing outside the edited span moves."""
    assert diagnostic.fix is not None, f"no fix offered for: {diagnostic.message}"
    fixed = apply_edits(text, diagnostic.fix.edits)
    start, end = diagnostic.fix.span
    assert fixed[:start] == text[:start]
    assert fixed[len(fixed) - (len(text) - end):] == text[end:]
    return fixed


def assert_fix_converges(text: str, code: str, path: str = DEFAULT_PATH, unsafe: bool = False) -> str:
    """Fix everything the rule offers; the result parses, re-lints clean, and a second pass is a no-op."""
    outcome = fix_text(text, path, select=[code], unsafe_fixes=unsafe)
    assert not outcome.errors, outcome.errors
    assert parses(outcome.text, path), "the fixed text does not parse"
    assert outcome.text != text
    assert [d for d in lint_text(outcome.text, path=path, select=[code]) if d.code == code] == []
    again = fix_text(outcome.text, path, select=[code], unsafe_fixes=unsafe)
    assert again.text == outcome.text
    return outcome.text


def passes_prefilter(rule: str, code: str, path: str = DEFAULT_PATH) -> bool:
    """Whether the rule's ``triggers`` let the file through to the parse (a screen's verdict on the raw text)."""
    from mfok_lint.rules import all_rules

    return all_rules()[rule].applies_to_file(path, textwrap.dedent(code).encode())


# ---- cases -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Valid:
    """Code the rule must not report."""

    code: str
    path: str = DEFAULT_PATH
    why: str = ""


@dataclass(frozen=True)
class Invalid:
    """Code the rule must report.

    ``rows``: the rows of the findings, one each (None: at least one finding, rows not checked); ``message``: a
    text every finding's message holds; ``fixed``: the code after ``--fix`` (``unsafe``: with
    ``--unsafe-fixes``), or None when the case does not check a fix; ``no_fix``: no finding offers one.
    """

    code: str
    rows: Optional[Sequence[int]] = None
    message: Optional[str] = None
    fixed: Optional[str] = None
    unsafe: bool = False
    no_fix: bool = False
    path: str = DEFAULT_PATH
    why: str = ""


def _case_id(case: Union[Valid, Invalid]) -> str:
    kind = "valid" if isinstance(case, Valid) else "invalid"
    label = case.why or " ".join(textwrap.dedent(case.code).split())[:60]
    return f"{kind}: {label}"


def check_case(rule: str, case: Union[Valid, Invalid]) -> None:
    found = lint(case.code, rule, path=case.path)
    if isinstance(case, Valid):
        assert found == [], [(d.location.row, d.message) for d in found]
        return
    assert found, f"{rule} reports nothing"
    if case.rows is not None:
        assert sorted(d.location.row for d in found) == sorted(case.rows), [(d.location.row, d.message) for d in found]
    if case.message is not None:
        for diagnostic in found:
            assert case.message in diagnostic.message, diagnostic.message
    if case.no_fix:
        assert all(d.fix is None for d in found), [d.fix.message for d in found if d.fix]
    if case.fixed is not None:
        assert_fix(case.code, case.fixed, rule, path=case.path, unsafe=case.unsafe)


def rule_cases(rule: str, valid: Sequence[Valid], invalid: Sequence[Invalid]):
    """One test, parametrized over every case of the rule."""
    cases = list(valid) + list(invalid)
    ids = [_case_id(case) for case in cases]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{rule}: two cases read the same; give them a `why`")

    @pytest.mark.parametrize("case", cases, ids=ids)
    def test_cases(case: Union[Valid, Invalid]) -> None:
        check_case(rule, case)

    return test_cases


# ---- a small extension package -----------------------------------------------------------------------------------

ACME_CLI = '''from metaflow._vendor import click


@click.group()
def cli():
    pass


@cli.group(help="Acme orchestrator.")
def acme():
    pass


@acme.command()
def create():
    pass
'''
ACME_DEPLOYER = '''from metaflow.runner.deployer_impl import DeployerImpl


class AcmeDeployer(DeployerImpl):
    TYPE = "acme"
'''
ACME_CONFIG = '''CLIS_DESC = [("acme", ".acme.acme_cli.cli")]
DEPLOYER_IMPL_PROVIDERS_DESC = [("acme", ".acme.acme_deployer.AcmeDeployer")]
'''


def acme_files(**overrides: str) -> Dict[str, str]:
    """A minimal working ``acme`` extension package; ``path__to__file="..."`` replaces or adds a file."""
    files = {
        "metaflow_extensions/acme/plugins/mfextinit_acme.py": ACME_CONFIG,
        "metaflow_extensions/acme/plugins/acme/__init__.py": "",
        "metaflow_extensions/acme/plugins/acme/acme_cli.py": ACME_CLI,
        "metaflow_extensions/acme/plugins/acme/acme_deployer.py": ACME_DEPLOYER,
    }
    for key, value in overrides.items():
        files[key.replace("__", "/")] = value
    return files
