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
  ``rules/manifest.py``), which is most of what such a run would cost.
"""

from __future__ import annotations

import ast
import gc
import os
import re
import stat
import tempfile
import tokenize
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from mfok_lint.core import dependencies
from mfok_lint.core.diagnostics import Applicability, Diagnostic, Edit, Fix, Locator, diagnostic_for
from mfok_lint.core.settings import Settings, ignored_codes_for
from mfok_lint.lint import noqa as noqa_mod
from mfok_lint.lint.templates import is_template_path
from mfok_lint.rules import Rule, RuleKind, all_rules, resolve_selection
from mfok_lint.rules.base import is_test_path
from mfok_lint.syntax import cstparse, pyast

if TYPE_CHECKING:  # pragma: no cover
    import libcst as cst

MAX_FIX_PASSES = 10
PYTHON_SUFFIXES = (".py", ".pyi")
_WORKFLOW_RE = re.compile(r"(^|/)\.github/workflows/[^/]+\.ya?ml$")


def is_python_path(path: str) -> bool:
    return path.endswith(PYTHON_SUFFIXES)


def is_workflow_path(path: str) -> bool:
    return bool(_WORKFLOW_RE.search(path.replace(os.sep, "/")))


def is_python_text(path: str) -> bool:
    """Whether a file's text is Python source: anything but a workflow or a template (stdin, a script without
    a suffix named on the command line)."""
    return not is_workflow_path(path) and not is_template_path(path)


def is_lintable_path(path: str) -> bool:
    return is_python_path(path) or is_workflow_path(path) or is_template_path(path)


class DecodeError(ValueError):
    pass


def decode_source(raw: bytes) -> Tuple[str, bool]:
    """(text, had_bom). UTF-8 first, then the PEP 263 cookie; DecodeError with a one-line reason otherwise."""
    bom = raw.startswith(b"\xef\xbb\xbf")
    body = raw[3:] if bom else raw
    try:
        return body.decode("utf-8"), bom
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        encoding, _ = tokenize.detect_encoding(BytesIO(raw).readline)
        if encoding.replace("_", "-").lower() not in ("utf-8", "utf-8-sig"):
            return raw.decode(encoding), False
    except (SyntaxError, LookupError, UnicodeDecodeError):
        pass
    raise DecodeError(f"file is not valid UTF-8 (byte {utf8_error.start}: {utf8_error.reason})")


def encode_source(text: str, bom: bool, raw_original: Optional[bytes] = None) -> bytes:
    if raw_original is not None and not raw_original.startswith(b"\xef\xbb\xbf"):
        try:
            encoding, _ = tokenize.detect_encoding(BytesIO(raw_original).readline)
        except SyntaxError:
            encoding = "utf-8"
        if encoding not in ("utf-8", "utf-8-sig"):
            return text.encode(encoding)
    data = text.encode("utf-8")
    return b"\xef\xbb\xbf" + data if bom else data


# --------------------------------------------------------------------------------------------------------------
# Checking one text


@dataclass
class InternalError:
    path: str
    message: str


def _meta_factory(path: str, text: str, locator: Locator):
    rules = all_rules()

    def make(code: str, message: str, start: int, end: int, fix: Optional[Fix]) -> Diagnostic:
        return diagnostic_for(rules[code], path, locator, start, end, message, fix)

    return make


def _syntax_error_diag(path: str, text: str, locator: Locator, message: str, row: int, col: int) -> Diagnostic:
    row = max(1, min(row, locator.line_count))
    line_len = len(locator.line(row))
    col = max(1, min(col, line_len + 1))
    start = locator.offset(row, col)
    return _meta_factory(path, text, locator)("MFO900", message, start, start, None)


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
) -> List[Diagnostic]:
    """All findings for one file's text, noqa applied, sorted. ``rules`` is the selection for this path."""
    with collector_tuned_for_lint():
        return _check_source(text, path, rules, raw=raw, ignore_noqa=ignore_noqa, internal_errors=internal_errors)


def _check_source(
    text: str,
    path: str,
    rules: Sequence[Rule],
    *,
    raw: Optional[bytes],
    ignore_noqa: bool,
    internal_errors: Optional[List[InternalError]],
) -> List[Diagnostic]:
    if raw is None:
        raw = text.encode("utf-8", "surrogatepass")
    enabled = {r.code for r in rules}
    template = is_template_path(path)
    python = is_python_text(path)
    locator = Locator(text)
    diagnostics: List[Diagnostic] = []
    wanted_kinds = (RuleKind.PYTHON,) if python or template else (RuleKind.YAML,)
    active = [r for r in rules if r.kind in wanted_kinds and r.applies_to_file(path, raw)]
    if active and is_test_path(path):
        active = [r for r in active if r.lint_tests]
    package_rules = [r for r in rules if r.kind is RuleKind.PACKAGE] if python else []
    if package_rules:
        from mfok_lint.model.package import is_package_report_target

        if not is_package_report_target(path):
            package_rules = []

    if python:
        if active:
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
                active = []
            except (RecursionError, MemoryError) as exc:
                if "MFO900" in enabled:
                    diagnostics.append(
                        _syntax_error_diag(path, text, locator, f"File too deeply nested to parse ({type(exc).__name__})", 1, 1)
                    )
                active = []
            else:
                try:
                    diagnostics.extend(_run_python_rules(path, text, module, active, internal_errors))
                except RecursionError:
                    # Valid code nested deeper than libcst's recursive position pass can go (hundreds of
                    # implicitly concatenated strings, as in pydoc_data/topics.py): a finding, not a crash.
                    if "MFO900" in enabled:
                        diagnostics.append(
                            _syntax_error_diag(path, text, locator, "File too deeply nested to analyse (RecursionError)", 1, 1)
                        )
        elif "MFO900" in enabled:
            error = _ast_syntax_error(text, path)
            if error is not None:
                diagnostics.append(_syntax_error_diag(path, text, locator, *error))
        if package_rules:
            diagnostics.extend(_run_package_rules(path, text, package_rules, internal_errors))
    elif template:
        if active:
            diagnostics.extend(_run_template_rules(path, text, active, internal_errors))
    elif active:
        from mfok_lint.lint.workflows import run_yaml_rules  # only workflow files need PyYAML

        diagnostics.extend(run_yaml_rules(path, text, active, internal_errors, report_syntax="MFO900" in enabled))

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
    exc = pyast.syntax_error(text)
    if exc is None:
        return None
    if isinstance(exc, SyntaxError):
        return (f"SyntaxError: {exc.msg}", exc.lineno or 1, exc.offset or 1)
    return (f"File cannot be parsed ({type(exc).__name__})", 1, 1)


def _run_python_rules(
    path: str,
    text: str,
    module: cst.Module,
    rules: Sequence[Rule],
    internal_errors: Optional[List[InternalError]],
) -> List[Diagnostic]:
    from mfok_lint.rules.context import FileContext

    ctx = FileContext(path, text, module)
    visitors = []
    for rule in rules:
        try:
            visitor = rule.visitor(ctx)
        except Exception as exc:  # noqa: BLE001 - a rule bug must not end the run
            _record(internal_errors, path, rule, exc)
            continue
        if visitor is not None:
            visitors.append(visitor)
    if visitors:
        from mfok_lint.lint.shared_walk import piggyback_visitors

        visitors.extend(piggyback_visitors(ctx, rules))
        # A RecursionError is the file's depth, not a rule bug: check_source reports it for the whole file.
        try:
            ctx.wrapper.visit_batched(visitors)
        except RecursionError:
            raise
        except Exception as exc:  # noqa: BLE001
            _record(internal_errors, path, None, exc)
    for rule in rules:
        try:
            rule.check(ctx)
        except RecursionError:
            raise
        except Exception as exc:  # noqa: BLE001
            _record(internal_errors, path, rule, exc)
    return ctx.diagnostics


def _run_template_rules(
    path: str, text: str, rules: Sequence[Rule], internal_errors: Optional[List[InternalError]]
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
    found = _run_python_rules(host, synthetic, module, rules, internal_errors)
    return templates.unwrap(found, text, prefix, path)


def _run_package_rules(
    path: str, text: str, rules: Sequence[Rule], internal_errors: Optional[List[InternalError]]
) -> List[Diagnostic]:
    from mfok_lint.model.package import build_package

    package = build_package(path, text)
    if package is None:
        return []
    for rule in rules:
        try:
            rule.check_package(package)
        except Exception as exc:  # noqa: BLE001 - a rule bug must not end the run
            _record(internal_errors, path, rule, exc)
    return package.diagnostics


def _record(errors: Optional[List[InternalError]], path: str, rule: Optional[Rule], exc: BaseException) -> None:
    where = f"{rule.code} " if rule is not None else ""
    message = f"internal error in {where}on {path}: {type(exc).__name__}: {exc}".splitlines()[0]
    if errors is None:
        raise exc
    errors.append(InternalError(path, message))


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
    return check_source(text, path, rules, ignore_noqa=ignore_noqa or bool(settings and settings.ignore_noqa))


def _rules_for(path: str, settings: Optional[Settings], select: Optional[Sequence[str]]) -> List[Rule]:
    if settings is None:
        settings = Settings(select=list(select) if select is not None else None, preview=select is not None)
    rules = settings.enabled_rules() if select is None or settings.select is not None else resolve_selection(select, preview=True)
    ignored = ignored_codes_for(path, settings, rules)
    return [r for r in rules if r.code not in ignored]


# --------------------------------------------------------------------------------------------------------------
# Fixing one text


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
) -> FixOutcome:
    """Apply fixes until the text is stable (at most MAX_FIX_PASSES passes)."""
    allowed = allowed_applicabilities(unsafe)
    fixed: Counter = Counter()
    errors: List[str] = []
    rejected: Set[Tuple] = set()
    for _ in range(MAX_FIX_PASSES):
        diagnostics = check_source(text, path, rules, ignore_noqa=ignore_noqa, internal_errors=internal_errors)
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
    diagnostics = check_source(text, path, rules, ignore_noqa=ignore_noqa, internal_errors=internal_errors)
    if any(d.fix and d.fix.applicability in allowed and _fix_identity(d) not in rejected for d in diagnostics):
        errors.append(
            f"{path}: fixes did not converge after {MAX_FIX_PASSES} passes; this is a bug in mfok-lint, please report it"
        )
    return FixOutcome(text, fixed, diagnostics, errors)


def fix_text(text: str, path: str = "<stdin>.py", *, select: Optional[Sequence[str]] = None, unsafe_fixes: bool = False) -> FixOutcome:
    """Convenience entry point for tests: fix one text with the given selection."""
    return fix_source(text, path, _rules_for(path, None, select), unsafe=unsafe_fixes)


# --------------------------------------------------------------------------------------------------------------
# Files


class WriteConflict(RuntimeError):
    pass


def write_atomic(path: str, data: bytes, expected: Optional[bytes] = None) -> None:
    """Replace ``path`` with ``data`` via a temp file in the same directory; keep mode bits.

    When ``expected`` is given and the file on disk no longer holds those bytes, nothing is written.
    """
    st = os.stat(path)
    if expected is not None:
        with open(path, "rb") as handle:
            if handle.read() != expected:
                raise WriteConflict(f"{path}: not written: the file changed on disk since it was read")
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".mfok-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


@dataclass
class FileResult:
    path: str
    diagnostics: List[Diagnostic] = field(default_factory=list)
    source: Optional[str] = None  # the text the diagnostics refer to (after fixes)
    original: Optional[str] = None
    fixed: Counter = field(default_factory=Counter)
    errors: List[str] = field(default_factory=list)  # one-line, user-facing
    internal_errors: List[str] = field(default_factory=list)
    noqa_added: int = 0
    # stamps of the other files and directories the findings were computed from (mfok_lint.dependencies)
    dependencies: List[Tuple[str, str, int, int]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.original is not None and self.source is not None and self.source != self.original


@dataclass
class Mode:
    fix: bool = False
    unsafe_fixes: bool = False
    write: bool = True  # False for --diff
    add_noqa: bool = False


def process_file(path: str, settings: Settings, selected: Sequence[Rule], mode: Mode, text: Optional[str] = None) -> FileResult:
    """Lint (and maybe fix) one file. ``text`` given = stdin: nothing is ever written."""
    result = FileResult(path)
    raw: Optional[bytes] = None
    bom = False
    if text is None:
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except IsADirectoryError:
            result.errors.append(f"{path}: is a directory")
            return result
        except OSError as exc:
            result.errors.append(f"{path}: cannot read: {exc.strerror or exc}")
            return result
        try:
            text, bom = decode_source(raw)
        except DecodeError as exc:
            rules_here = _rules_for_path(path, settings, selected)
            if any(r.code == "MFO900" for r in rules_here):
                result.diagnostics.append(_syntax_error_diag(path, "", Locator(""), f"File cannot be decoded: {exc}", 1, 1))
            return result
        if "\x00" in text and is_python_path(path):
            rules_here = _rules_for_path(path, settings, selected)
            if any(r.code == "MFO900" for r in rules_here):
                row = text.count("\n", 0, text.index("\x00")) + 1
                result.diagnostics.append(
                    _syntax_error_diag(path, text, Locator(text), "File contains a NUL byte and cannot be parsed", row, 1)
                )
            result.source = result.original = text
            return result
    rules_here = _rules_for_path(path, settings, selected)
    internal: List[InternalError] = []
    result.original = text
    with dependencies.recording() as stamps:
        _lint_into(result, text, raw, bom, path, rules_here, settings, mode, internal)
    result.dependencies = sorted(set(stamps))
    return result


def _lint_into(
    result: FileResult,
    text: str,
    raw: Optional[bytes],
    bom: bool,
    path: str,
    rules_here: List[Rule],
    settings: Settings,
    mode: Mode,
    internal: List[InternalError],
) -> None:
    if mode.fix:
        outcome = fix_source(
            text, path, rules_here, unsafe=mode.unsafe_fixes, ignore_noqa=settings.ignore_noqa, internal_errors=internal
        )
        result.source, result.fixed, result.diagnostics = outcome.text, outcome.fixed, outcome.diagnostics
        result.errors.extend(outcome.errors)
    else:
        result.source = text
        result.diagnostics = check_source(text, path, rules_here, raw=raw, ignore_noqa=settings.ignore_noqa, internal_errors=internal)
    if mode.add_noqa and result.diagnostics:
        new_text, added = noqa_mod.add_noqa(result.source, result.diagnostics, is_python=is_python_text(path))
        if added:
            result.source, result.noqa_added = new_text, added
            result.diagnostics = []
    result.internal_errors = [e.message for e in internal]
    if raw is not None and mode.write and result.changed:
        try:
            write_atomic(path, encode_source(result.source, bom, raw), expected=raw)
        except WriteConflict as exc:
            result.errors.append(str(exc))
            result.source = result.original
            result.diagnostics = check_source(text, path, rules_here, raw=raw, ignore_noqa=settings.ignore_noqa)
            result.fixed = Counter()
        except OSError as exc:
            result.errors.append(f"{path}: not written: {exc.strerror or exc}")


def _rules_for_path(path: str, settings: Settings, selected: Sequence[Rule]) -> List[Rule]:
    ignored = ignored_codes_for(path, settings, selected)
    return [r for r in selected if r.code not in ignored] if ignored else list(selected)


def run_files(
    paths: Sequence[str],
    settings: Settings,
    mode: Mode,
    *,
    jobs: Optional[int] = None,
    progress: Optional[Callable[[FileResult], None]] = None,
) -> List[FileResult]:
    """Process many files; results come back in the order of ``paths`` whatever the parallelism."""
    selected = settings.enabled_rules()
    if jobs is None:
        jobs = min(os.cpu_count() or 1, 8)
    if jobs <= 1 or len(paths) < 8:
        return [process_file(p, settings, selected, mode) for p in paths]
    from mfok_lint.run.pool import run_parallel

    return run_parallel(paths, settings, selected, mode, jobs)
