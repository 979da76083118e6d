"""Record every finding mfok-lint reports on Metaflow's tree and on every extension release the ecosystem knows,
and compare two such records.

    .venv/bin/python scripts/findings_snapshot.py record OUT.json [--only NAME ...]
    .venv/bin/python scripts/findings_snapshot.py compare BEFORE.json AFTER.json

``record`` runs ``mfok-lint check --isolated --no-cache --preview --select ALL --output-format json`` on
Metaflow 2.19.39's whole ``metaflow/`` tree, on Metaflow's scheduler plugins at each of
``ecosystem.METAFLOW_RELEASES`` and on each extension release in ``ecosystem.RELEASES`` (downloaded into the
ecosystem cache, never committed), and stores per corpus the exit code, a digest of the exact output bytes and
the findings with paths relative to the corpus. ``compare`` prints every corpus whose exit code, output bytes or
findings differ, with the findings that appeared and went away, and exits 1 when anything differs: a change of
structure must leave it at 0.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ecosystem import METAFLOW_RELEASES, RELEASES, fetch, targets  # noqa: E402

ARGS = ["check", "--isolated", "--no-cache", "--preview", "--select", "ALL", "--output-format", "json"]


def corpora(only):
    """(label, root, paths to lint) for Metaflow's tree and every known extension release."""
    if not only or "metaflow" in only:
        root = fetch("metaflow", "2.19.39")
        tree = next(p for p in root.rglob("metaflow") if (p / "__init__.py").is_file())
        yield "metaflow-2.19.39", root, [tree]
        for version in METAFLOW_RELEASES:
            root = fetch("metaflow", version)
            yield f"metaflow-plugins-{version}", root, targets("metaflow", root)
    for name, versions in RELEASES.items():
        if only and name not in only:
            continue
        for version in versions:
            root = fetch(name, version)
            yield f"{name}-{version}", root, [root]


def run(root: Path, paths) -> dict:
    exe = Path(sys.executable).parent / "mfok-lint"
    proc = subprocess.run([str(exe), *ARGS, *map(str, paths)], capture_output=True, cwd=root)
    findings = json.loads(proc.stdout or b"[]") if proc.returncode in (0, 1) else []
    for finding in findings:
        finding["filename"] = str(Path(finding["filename"]).resolve().relative_to(root.resolve()))
    return {
        "exit": proc.returncode,
        "stdout_sha256": hashlib.sha256(proc.stdout).hexdigest(),
        "stderr": proc.stderr.decode(errors="replace"),
        "findings": findings,
    }


def record(out: str, only) -> int:
    result = {}
    for label, root, paths in corpora(only):
        result[label] = run(root, paths)
        print(f"{label}: exit {result[label]['exit']}, {len(result[label]['findings'])} findings", flush=True)
    Path(out).write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    return 0


def _key(finding) -> str:
    loc = finding["location"]
    return f"{finding['filename']}:{loc['row']}:{loc['column']} {finding['code']} {finding['message']}"


def compare(before_path: str, after_path: str) -> int:
    before = json.loads(Path(before_path).read_text())
    after = json.loads(Path(after_path).read_text())
    differ = 0
    for label in sorted(set(before) | set(after)):
        a, b = before.get(label), after.get(label)
        if a is None or b is None:
            print(f"{label}: only in {'after' if a is None else 'before'}")
            differ += 1
            continue
        if a == b:
            continue
        differ += 1
        print(f"{label}: exit {a['exit']} -> {b['exit']}, output {'same' if a['stdout_sha256'] == b['stdout_sha256'] else 'differs'}")
        if a["stderr"] != b["stderr"]:
            print(f"  stderr: {a['stderr'][:200]!r} -> {b['stderr'][:200]!r}")
        old = {json.dumps(f, sort_keys=True): f for f in a["findings"]}
        new = {json.dumps(f, sort_keys=True): f for f in b["findings"]}
        for key in sorted(old.keys() - new.keys()):
            print(f"  - {_key(old[key])}")
        for key in sorted(new.keys() - old.keys()):
            print(f"  + {_key(new[key])}")
    total = sum(len(v["findings"]) for v in after.values())
    print(f"{len(after)} corpora, {total} findings after; {differ} corpora differ")
    return 1 if differ else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("out")
    rec.add_argument("--only", nargs="*")
    cmp_ = sub.add_parser("compare")
    cmp_.add_argument("before")
    cmp_.add_argument("after")
    args = parser.parse_args(argv)
    if args.command == "record":
        return record(args.out, args.only)
    return compare(args.before, args.after)


if __name__ == "__main__":
    raise SystemExit(main())
