"""Fixing one text: apply fixes pass by pass until the text is stable.

Per pass, fixes are taken in source order and a fix whose range touches an accepted one waits for the next pass.
The text is re-linted until stable, at most ``MAX_FIX_PASSES`` passes; not converging is reported as a bug. A pass
whose result does not parse is bisected fix by fix: a fix that breaks the file on its own is dropped and
reported, the others go on.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Sequence, Set, Tuple

from mfok_lint.core.diagnostics import Applicability, Diagnostic, Edit
from mfok_lint.core.metaflow_contract import MetaflowRange
from mfok_lint.core.paths import is_template_path, is_workflow_path
from mfok_lint.lint.check import _rules_for, check_source
from mfok_lint.lint.errors import InternalError
from mfok_lint.rules import Rule
from mfok_lint.syntax import pyast

MAX_FIX_PASSES = 10


@dataclass
class FixOutcome:
    text: str
    fixed: Counter
    diagnostics: List[Diagnostic]
    errors: List[str] = field(default_factory=list)


def allowed_applicabilities(unsafe: bool) -> Set[Applicability]:
    return {Applicability.SAFE, Applicability.UNSAFE} if unsafe else {Applicability.SAFE}


def _fix_identity(diag: Diagnostic) -> Tuple:
    return (diag.code, tuple((e.start, e.end, e.content) for e in diag.fix.edits))  # type: ignore[union-attr]


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[: edit.start] + edit.content + text[edit.end :]
    return text


def select_non_overlapping(diagnostics: Sequence[Diagnostic]) -> List[Diagnostic]:
    """First fix wins (in source order); a fix touching an accepted fix's range waits for the next pass."""
    accepted: List[Diagnostic] = []
    taken: List[Tuple[int, int]] = []
    for diag in sorted(diagnostics, key=lambda d: (d.fix.span, d.code)):  # type: ignore[union-attr]
        edits = diag.fix.edits  # type: ignore[union-attr]
        if any(_overlaps((e.start, e.end), t) for e in edits for t in taken):
            continue
        accepted.append(diag)
        taken.extend((e.start, e.end) for e in edits)
    return accepted


def _overlaps(a: Tuple[int, int], b: Tuple[int, int]) -> bool:
    if a[0] == a[1] or b[0] == b[1]:  # insertions conflict when they touch the same place
        return b[0] <= a[0] <= b[1] or a[0] <= b[0] <= a[1]
    return a[0] < b[1] and b[0] < a[1]


def parses(text: str, path: str) -> bool:
    if is_template_path(path):
        return True  # templates get no fixes (see mfok_lint.templates)
    if is_workflow_path(path):
        import yaml

        try:
            yaml.safe_load(text)
            return True
        except yaml.YAMLError:
            return False
    import libcst as cst

    try:
        cst.parse_module(text)
        pyast.compile_tree(text)
        return True
    except (cst.ParserSyntaxError, SyntaxError, ValueError, RecursionError):
        return False


def fix_source(
    text: str,
    path: str,
    rules: Sequence[Rule],
    *,
    unsafe: bool = False,
    ignore_noqa: bool = False,
    internal_errors: Optional[List[InternalError]] = None,
    metaflow: Optional[MetaflowRange] = None,
) -> FixOutcome:
    """Apply fixes until the text is stable (at most MAX_FIX_PASSES passes); ``metaflow`` are the releases the fixed
    code must run on (None: the one the file's distribution targets)."""
    allowed = allowed_applicabilities(unsafe)
    fixed: Counter = Counter()
    errors: List[str] = []
    rejected: Set[Tuple] = set()
    for _ in range(MAX_FIX_PASSES):
        diagnostics = check_source(text, path, rules, ignore_noqa=ignore_noqa, internal_errors=internal_errors, metaflow=metaflow)
        candidates = [
            d for d in diagnostics if d.fix and d.fix.applicability in allowed and _fix_identity(d) not in rejected
        ]
        if not candidates:
            return FixOutcome(text, fixed, diagnostics, errors)
        chosen = select_non_overlapping(candidates)
        new_text = apply_edits(text, [e for d in chosen for e in d.fix.edits])  # type: ignore[union-attr]
        if not parses(new_text, path):
            # Find the culprits one by one; keep the fixes that are fine on their own.
            good = []
            for diag in chosen:
                alone = apply_edits(text, diag.fix.edits)  # type: ignore[union-attr]
                if parses(alone, path):
                    good.append(diag)
                else:
                    rejected.add(_fix_identity(diag))
                    errors.append(
                        f"{path}:{diag.location.row}:{diag.location.column}: fix for {diag.code} dropped: "
                        "its result does not parse"
                    )
            chosen = good[:1]  # apply one known-good fix; the rest are re-derived next pass
            if not chosen:
                continue
            new_text = apply_edits(text, chosen[0].fix.edits)  # type: ignore[union-attr]
        for diag in chosen:
            fixed[diag.code] += 1
        text = new_text
    diagnostics = check_source(text, path, rules, ignore_noqa=ignore_noqa, internal_errors=internal_errors, metaflow=metaflow)
    if any(d.fix and d.fix.applicability in allowed and _fix_identity(d) not in rejected for d in diagnostics):
        errors.append(
            f"{path}: fixes did not converge after {MAX_FIX_PASSES} passes; this is a bug in mfok-lint, please report it"
        )
    return FixOutcome(text, fixed, diagnostics, errors)


def fix_text(
    text: str,
    path: str = "<stdin>.py",
    *,
    select: Optional[Sequence[str]] = None,
    unsafe_fixes: bool = False,
    metaflow: Optional[MetaflowRange] = None,
) -> FixOutcome:
    """Convenience entry point for tests: fix one text with the given selection."""
    return fix_source(text, path, _rules_for(path, None, select), unsafe=unsafe_fixes, metaflow=metaflow)
