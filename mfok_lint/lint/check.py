"""The lint engine: read -> prefilter -> parse once -> one batched traversal -> noqa -> diagnostics (-> fixes).

Decisions (see also docs/architecture.md):
- The prefilter is a bytes scan: a rule runs on a file only if one of its ``triggers`` occurs in the raw bytes.
  A file no rule wants is never given to libcst; it is only checked for syntax (cheap ``ast`` parse) when
  MFO900 is enabled, and its noqa comments are read only if it mentions ``MFO``.
- libcst parses each file once; the module is wrapped without a deep copy, and every selected rule's visitor
  shares one ``visit_batched`` traversal. Positions are resolved only when a finding is reported.
- A rule that raises is an internal error of mfok-lint: recorded on the file (exit 2), never a crash of the
  run, and the other rules' findings for that file are kept.
- Files are decoded as UTF-8 (a BOM is kept and restored on write) or by their PEP 263 coding cookie; text is
  never newline-translated, so offsets, CRLF and fixes stay exact.
- Package rules (``RuleKind.PACKAGE``, cross-file) run only on files that can carry a package finding
  (``model.package.is_package_report_target``: ``metaflow_extensions/__init__.py`` and configuration files), with
  the current text of that file and the package's other files read from disk beside it. Their findings join
  the file's own before noqa, so suppression, MFO901, the fix loop, stdin and the flake8 plugin all see them.
- libcst, the file models and the rule modules are imported on the first file that needs them, not with this
  module: a run whose every file is answered by the cache never loads them (rules are selected through
  ``rules/registry.py``), which is most of what such a run would cost.
"""

from __future__ import annotations

import ast
import gc
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator, List, Optional, Sequence, Tuple

from mfok_lint.core.diagnostics import Diagnostic, Locator
from mfok_lint.core.metaflow_contract import MetaflowRange
from mfok_lint.core.paths import is_python_text, is_template_path, is_test_path
from mfok_lint.core.settings import Settings
from mfok_lint.core.target_version import target_for_path
from mfok_lint.lint import noqa as noqa_mod
from mfok_lint.lint.errors import InternalError, _meta_factory, _record, _syntax_error_diag, nul_byte_error
from mfok_lint.rules import Rule, RuleKind, all_rules
from mfok_lint.rules.selection import enabled_rules, ignored_codes_for, resolve_selection
from mfok_lint.syntax import cstparse, pyast

if TYPE_CHECKING:  # pragma: no cover
    import libcst as cst


# CPython's cyclic collector runs after every 700 net allocations by default. While libcst builds the tree of a
# large module (hundreds of thousands of nodes) that is hundreds of young collections, each scanning the
# survivors, and the full collections they trigger scan every tree still alive: a fifth of a cold run's CPU.
# Parse trees hold no reference cycles, so what a lint leaves behind is freed by reference counting; a larger
# young generation keeps the collector for the few cycles there are. Measured on Metaflow's tree in one
# process: 6.1 -> 4.8 CPU-s, peak memory 140 -> 142 MB. The previous thresholds are restored after each file,
# so a host process (flake8) keeps its own.
LINT_GC_THRESHOLDS = (100_000, 20, 20)


@contextmanager
def collector_tuned_for_lint() -> Iterator[None]:
    previous = gc.get_threshold()
    gc.set_threshold(*LINT_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def check_source(
    text: str,
    path: str,
    rules: Sequence[Rule],
    *,
    raw: Optional[bytes] = None,
    ignore_noqa: bool = False,
    internal_errors: Optional[List[InternalError]] = None,
    metaflow: Optional[MetaflowRange] = None,
) -> List[Diagnostic]:
    """All findings for one file's text, noqa applied, sorted. ``rules`` is the selection for this path;
    ``metaflow`` the releases the code is judged against (None: the one its distribution targets)."""
    if metaflow is None:
        metaflow = target_for_path(path).range
    with collector_tuned_for_lint():
        return _check_source(
            text, path, rules, raw=raw, ignore_noqa=ignore_noqa, internal_errors=internal_errors, metaflow=metaflow
        )


def _check_source(
    text: str,
    path: str,
    rules: Sequence[Rule],
    *,
    raw: Optional[bytes],
    ignore_noqa: bool,
    internal_errors: Optional[List[InternalError]],
    metaflow: MetaflowRange,
) -> List[Diagnostic]:
    if raw is None:
        raw = text.encode("utf-8", "surrogatepass")
    # A rule whose contract does not exist in the targeted release is not enabled here (its noqa is not "used").
    rules = [r for r in rules if metaflow.overlaps(*r.row.metaflow)]
    enabled = {r.code for r in rules}
    template = is_template_path(path)
    python = is_python_text(path)
    locator = Locator(text)
    diagnostics: List[Diagnostic] = []
    wanted_kinds = (RuleKind.PYTHON,) if python or template else (RuleKind.YAML,)
    active = [r for r in rules if r.kind in wanted_kinds and r.applies_to_file(path, raw)]
    if active and is_test_path(path):
        active = []  # test code exercises the extension; the contract rules are not about it
    package_rules = [r for r in rules if r.kind is RuleKind.PACKAGE] if python else []
    if package_rules:
        from mfok_lint.model.package import is_package_report_target

        if not is_package_report_target(path):
            package_rules = []

    if python:
        if active and any(rule.needs_cst() for rule in active):
            import libcst as cst

            try:
                _refuse_too_deep(text)
                module = cstparse.parse_module(text)
            except cst.ParserSyntaxError as exc:
                if "MFO900" in enabled:
                    # CPython's parser words errors better and agrees with flake8's E999; libcst's own message is
                    # kept for code CPython accepts but libcst cannot parse.
                    error = _ast_syntax_error(text, path) or (
                        f"libcst cannot parse this file: {exc.message}",
                        exc.raw_line,
                        exc.raw_column + 1,
                    )
                    diagnostics.append(_syntax_error_diag(path, text, locator, *error))
            except (RecursionError, MemoryError) as exc:
                if "MFO900" in enabled:
                    diagnostics.append(
                        _syntax_error_diag(path, text, locator, f"File too deeply nested to parse ({type(exc).__name__})", 1, 1)
                    )
            else:
                try:
                    diagnostics.extend(_run_python_rules("python", path, text, module, active, internal_errors, metaflow))
                except RecursionError:
                    # Valid code nested deeper than libcst's recursive position pass can go (hundreds of
                    # implicitly concatenated strings, as in pydoc_data/topics.py): a finding, not a crash.
                    if "MFO900" in enabled:
                        diagnostics.append(
                            _syntax_error_diag(path, text, locator, "File too deeply nested to analyse (RecursionError)", 1, 1)
                        )
        else:
            # No rule here reads libcst's tree: CPython's parser is the syntax check, and the rules that read its
            # tree (or nothing but the text) run on it.
            if "MFO900" in enabled:
                error = _ast_syntax_error(text, path)
                if error is not None:
                    diagnostics.append(_syntax_error_diag(path, text, locator, *error))
            if active:
                diagnostics.extend(_run_python_rules("python", path, text, None, active, internal_errors, metaflow))
        if package_rules:
            diagnostics.extend(_run_package_rules(path, text, package_rules, internal_errors, metaflow))
    elif template:
        if active:
            diagnostics.extend(_run_template_rules(path, text, active, internal_errors, metaflow))
    elif active:
        diagnostics.extend(_run_workflow_rules(path, text, active, internal_errors, metaflow, report_syntax="MFO900" in enabled))

    if not ignore_noqa and (diagnostics or b"MFO" in raw):
        diagnostics = noqa_mod.apply(
            diagnostics,
            text,
            path,
            known_codes=set(all_rules()),
            enabled_codes=enabled,
            is_python=python,
            locator=locator,
            make_meta=_meta_factory(path, text, locator),
        )
    else:
        for diag in diagnostics:
            diag.noqa_row = diag.location.row
    diagnostics.sort(key=lambda d: d.sort_key)
    return diagnostics


# Below this size no expression can be nested deep enough to hurt libcst's native parser.
_DEPTH_SCREEN_MIN_CHARS = 10_000


# Longer chains would fail the recursive position pass anyway (MFO900 "too deeply nested to analyse").
_MAX_BOOLEAN_CHAIN = 1_000


def _refuse_too_deep(text: str) -> None:
    """Raise RecursionError for a text nested too deep for libcst.

    libcst's native parser overflows the C stack (a segfault that ends the whole run) or runs for minutes on an
    expression some thousands of levels deep (``a + a + ... + a``); CPython's parser refuses such code with a
    RecursionError long before, so long texts are screened by it first. Other errors are left to libcst.
    """
    if len(text) < _DEPTH_SCREEN_MIN_CHARS:
        return
    tree = pyast.parse(text)
    if tree is None:
        if isinstance(pyast.syntax_error(text), (RecursionError, MemoryError)):
            raise RecursionError("nested too deeply for the parser")
        return
    # ``a and b and ...`` is one flat node to CPython but a nested one to libcst, which overflows on long chains.
    if text.count("and") + text.count("or") > _MAX_BOOLEAN_CHAIN:
        if any(len(node.values) > _MAX_BOOLEAN_CHAIN for node in pyast.nodes_of(tree, ast.BoolOp)):
            raise RecursionError("boolean chain too long for the parser")


def _ast_syntax_error(text: str, path: str) -> Optional[Tuple[str, int, int]]:
    nul = nul_byte_error(text)
    if nul is not None:
        return nul
    exc = pyast.syntax_error(text)
    if exc is None:
        return None
    if isinstance(exc, SyntaxError):
        return (f"SyntaxError: {exc.msg}", exc.lineno or 1, exc.offset or 1)
    return (f"File cannot be parsed ({type(exc).__name__})", 1, 1)


def _run_python_rules(
    kind: str,
    path: str,
    text: str,
    module: Optional[cst.Module],
    rules: Sequence[Rule],
    internal_errors: Optional[List[InternalError]],
    metaflow: MetaflowRange,
) -> List[Diagnostic]:
    from mfok_lint.rules.context import Context

    ctx = Context(kind, path, text, module, metaflow)
    classes = {cls for rule in rules for cls in rule.node_classes()}
    if classes:
        from mfok_lint.lint.shared_walk import model_collectors
        from mfok_lint.syntax.node_index import NodeIndex

        ctx.node_index = NodeIndex(classes)
        needs = {need for rule in rules for need in rule.needs}
        # A RecursionError is the file's depth, not a rule bug: check_source reports it for the whole file.
        try:
            ctx.wrapper.visit_batched([ctx.node_index, *model_collectors(ctx, needs)])
        except RecursionError:
            raise
        except Exception as exc:  # noqa: BLE001 - a walk bug must not end the run
            _record(internal_errors, path, None, exc)
    _run_checks(ctx, rules, internal_errors)
    return ctx.diagnostics


def _run_checks(ctx, rules: Sequence[Rule], internal_errors: Optional[List[InternalError]]) -> None:
    for rule in rules:
        ctx.rule = rule
        try:
            rule.check(ctx)
        except RecursionError:
            raise
        except Exception as exc:  # noqa: BLE001 - a rule bug must not end the run
            _record(internal_errors, ctx.path, rule, exc)
    ctx.rule = None


def _run_template_rules(
    path: str, text: str, rules: Sequence[Rule], internal_errors: Optional[List[InternalError]], metaflow: MetaflowRange
) -> List[Diagnostic]:
    from mfok_lint.lint import templates

    wrapped = templates.wrap(text)
    if wrapped is None:
        return []
    synthetic, prefix = wrapped
    import libcst as cst

    try:
        _refuse_too_deep(synthetic)
        module = cstparse.parse_module(synthetic)
    except (cst.ParserSyntaxError, RecursionError, MemoryError):
        return []  # a text no literal can carry through libcst: nothing to say about it
    host = templates.host_path(path)
    found = _run_python_rules("template", host, synthetic, module, rules, internal_errors, metaflow)
    return templates.unwrap(found, text, prefix, path)


def _run_package_rules(
    path: str, text: str, rules: Sequence[Rule], internal_errors: Optional[List[InternalError]], metaflow: MetaflowRange
) -> List[Diagnostic]:
    from mfok_lint.model.package import build_package
    from mfok_lint.rules.context import Context

    ctx = Context("package", path, text, None, metaflow)
    ctx.package = build_package(ctx)
    if ctx.package is None:
        return []
    _run_checks(ctx, rules, internal_errors)
    if ctx.diagnostics and not ctx.package.focus_parses:
        return []  # an unparsable configuration file gets MFO900, not package findings
    return ctx.diagnostics


def _run_workflow_rules(
    path: str,
    text: str,
    rules: Sequence[Rule],
    internal_errors: Optional[List[InternalError]],
    metaflow: MetaflowRange,
    report_syntax: bool,
) -> List[Diagnostic]:
    """A workflow's rules on its YAML, composed with PyYAML's composer, which keeps a line and column for every
    node (imported only when a workflow file is linted)."""
    import yaml

    from mfok_lint.rules.context import Context

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        if not report_syntax:
            return []
        mark = getattr(exc, "problem_mark", None)
        row, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return [_syntax_error_diag(path, text, Locator(text), f"YAML error: {getattr(exc, 'problem', exc)}", row, col)]
    ctx = Context("workflow", path, text, None, metaflow)
    ctx.root = root
    _run_checks(ctx, rules, internal_errors)
    return ctx.diagnostics


def lint_text(
    text: str,
    path: str = "<stdin>.py",
    *,
    select: Optional[Sequence[str]] = None,
    settings: Optional[Settings] = None,
    ignore_noqa: bool = False,
) -> List[Diagnostic]:
    """Convenience entry point (tests, catalog examples): lint one text. Internal errors raise."""
    rules = _rules_for(path, settings, select)
    return check_source(
        text, path, rules, ignore_noqa=ignore_noqa or bool(settings and settings.ignore_noqa),
        metaflow=settings.metaflow if settings is not None else None,
    )


def _rules_for(path: str, settings: Optional[Settings], select: Optional[Sequence[str]]) -> List[Rule]:
    if settings is None:
        settings = Settings(select=list(select) if select is not None else None, preview=select is not None)
    rules = enabled_rules(settings) if select is None or settings.select is not None else resolve_selection(select, preview=True)
    ignored = ignored_codes_for(path, settings, rules)
    return [r for r in rules if r.code not in ignored]
