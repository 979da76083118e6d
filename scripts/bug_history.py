"""Measure mfok-lint against real bug fixes from the released orchestrator extensions and Metaflow's plugins.

    .venv/bin/python scripts/bug_history.py measure [--lint CMD] [--json OUT] [--data FILE] [--default-selection]

Each record of ``tests/ecosystem/bug_history.json`` is one bug that a later release fixed: the release that
has it (``buggy``), the release that fixed it (``fixed``), the file and 1-based line a linter should point at
in each, the rule expected to report it (``rule``, or ``null`` with ``kind: "uncovered:<name>"`` when no rule
covers that kind of bug) and, optionally, ``message``: a substring the finding's message must contain, for
rules that list several defects in one finding (MFO042 names every missing member, MFO011 every misplaced
option).

Both releases are linted (``--isolated --no-cache --preview --select ALL``, from the release root; for
Metaflow itself only its scheduler plugins; ``--default-selection`` lints with the stable rules only, what a user
who configures nothing gets) and, per bug:

- found at file: a finding of the expected rule (any rule when ``rule`` is null) in the buggy file;
- found at line: such a finding within 3 rows of ``line``;
- fixed clean: no such finding within 3 rows of ``fixed_line`` in the fixed release.

It prints one row per rule and a total. Releases come from the same cache as scripts/ecosystem.py
(``~/.cache/mfok-ecosystem/<package>-<version>``) and are downloaded there when missing.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

# scripts/ is not a package: the release list and the download cache come from the sibling ecosystem script.
sys.path.insert(0, str(Path(__file__).resolve().parent))
import ecosystem

DATA = Path(__file__).resolve().parent.parent / "tests" / "ecosystem" / "bug_history.json"
WINDOW = 3
LINT_FLAGS = ["--isolated", "--no-cache", "--preview", "--select", "ALL", "--output-format", "json"]
DEFAULT_SELECTION_FLAGS = ["--isolated", "--no-cache", "--output-format", "json"]
# Linting the whole of Metaflow would report its non-scheduler code too; the ecosystem run judges only these.
METAFLOW_TARGETS = ecosystem.METAFLOW_PLUGINS


def default_lint() -> list:
    return [str(Path(sys.executable).parent / "mfok-lint"), "check"]


def release_root(package: str, version: str) -> Path:
    root = ecosystem.CACHE / f"{package}-{version}"
    return root if root.exists() else ecosystem.fetch(package, version)


def lint_release(lint_cmd: list, package: str, version: str, flags: list = LINT_FLAGS) -> tuple:
    root = release_root(package, version)
    if package == "metaflow":
        base = next(p.parent.parent for p in root.rglob("metaflow/__init__.py"))
        targets = [os.path.relpath(base / t, root) for t in METAFLOW_TARGETS if (base / t).is_dir()]
    else:
        targets = ["."]
    proc = subprocess.run([*lint_cmd, *flags, *targets], cwd=root, capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"lint failed on {package} {version} ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    findings = []
    for f in json.loads(proc.stdout or "[]"):
        # The linter may report absolute paths or paths relative to its working directory.
        rel = os.path.relpath(os.path.normpath(os.path.join(root, f["filename"])), root)
        findings.append({"file": Path(rel).as_posix(), "row": f["location"]["row"], "code": f["code"],
                         "message": f.get("message", "")})
    return root, findings


def matching(findings: list, path: str, rule, message) -> list:
    out = []
    for f in findings:
        if f["file"] != path or (rule and f["code"] != rule):
            continue
        if message and message not in f["message"]:
            continue
        out.append(f)
    return out


def near(findings: list, line: int) -> list:
    return [f for f in findings if abs(f["row"] - line) <= WINDOW]


def check_line(root: Path, path: str, line: int, label: str, problems: list) -> None:
    target = root / path
    if not target.is_file():
        problems.append(f"{label}: {path} does not exist")
        return
    rows = target.read_text(errors="replace").splitlines()
    if not 1 <= line <= len(rows):
        problems.append(f"{label}: {path}:{line} is past the end ({len(rows)} rows)")


def measure(bugs: list, lint_cmd: list, flags: list = LINT_FLAGS) -> tuple:
    cache = {}

    def lint(package, version):
        key = (package, version)
        if key not in cache:
            cache[key] = lint_release(lint_cmd, package, version, flags)
        return cache[key]

    results, problems = [], []
    for bug in bugs:
        rule, message = bug.get("rule"), bug.get("message")
        broot, bfindings = lint(bug["package"], bug["buggy"])
        froot, ffindings = lint(bug["package"], bug["fixed"])
        check_line(broot, bug["file"], bug["line"], f"{bug['id']} (buggy)", problems)
        check_line(froot, bug["fixed_file"], bug["fixed_line"], f"{bug['id']} (fixed)", problems)
        in_file = matching(bfindings, bug["file"], rule, message)
        at_line = near(in_file, bug["line"])
        after = near(matching(ffindings, bug["fixed_file"], rule, message), bug["fixed_line"])
        results.append({
            "id": bug["id"],
            "package": bug["package"],
            "buggy": bug["buggy"],
            "fixed": bug["fixed"],
            "rule": rule,
            "kind": bug["kind"],
            "found_file": bool(in_file),
            "found_line": bool(at_line),
            "fixed_clean": not after,
            "codes_at_line": sorted({f["code"] for f in near(matching(bfindings, bug["file"], None, None), bug["line"])}),
            "finding_rows": sorted({f["row"] for f in in_file}),
            "fixed_finding_rows": sorted({f["row"] for f in after}),
        })
    return results, problems


def table(results: list) -> str:
    groups = {}
    for r in results:
        groups.setdefault(r["rule"] or "uncovered", []).append(r)
    order = sorted(k for k in groups if k != "uncovered") + (["uncovered"] if "uncovered" in groups else [])
    lines = ["| rule | bugs | found at file | found at line | fixed clean |", "|---|---:|---:|---:|---:|"]

    def row(name, rs):
        n = len(rs)
        cells = [sum(r[k] for r in rs) for k in ("found_file", "found_line", "fixed_clean")]
        return f"| {name} | {n} | " + " | ".join(f"{c} ({100 * c // n}%)" for c in cells) + " |"

    for k in order:
        lines.append(row(k, groups[k]))
    lines.append(row("**total**", results))
    covered = [r for r in results if r["rule"]]
    if covered and len(covered) != len(results):
        lines.append(row("total with a rule", covered))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("measure", help="lint every buggy and fixed release and print the per-rule table")
    m.add_argument("--lint", default=None, help="linter command (default: the mfok-lint beside this Python)")
    m.add_argument("--json", default=None, help="write the per-bug results here")
    m.add_argument("--data", default=str(DATA))
    m.add_argument("--default-selection", action="store_true", help="stable rules only (default: --preview --select ALL)")
    args = parser.parse_args(argv)
    bugs = json.loads(Path(args.data).read_text())
    lint_cmd = shlex.split(args.lint) if args.lint else default_lint()
    results, problems = measure(bugs, lint_cmd, DEFAULT_SELECTION_FLAGS if args.default_selection else LINT_FLAGS)
    for p in problems:
        print(f"warning: {p}", file=sys.stderr)
    print(table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
