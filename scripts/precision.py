"""Precision of the stable rules on the ecosystem corpus, from judged findings.

    .venv/bin/python scripts/precision.py unjudged SNAPSHOT.json [--out TODO.json]
    .venv/bin/python scripts/precision.py table SNAPSHOT.json [--write]

A snapshot comes from ``scripts/findings_snapshot.py record`` (every finding on Metaflow's tree, its scheduler
plugins at several releases and every known release of each extension). Only the findings of rules whose
registry row is ``stable`` count. One finding is reported by many releases of the same package at different
rows, so findings are counted once per (package, file, code, text of the reported line, message): a release that
changes the line or the message is a new finding to judge.

Verdicts live in ``tests/ecosystem/finding_verdicts.json``, one record per finding with ``verdict`` (true /
defensible / false) and ``evidence`` (one line: file and line numbers of the code that decides it). Each verdict
was reached by reading the extension's code at every release the finding occurs in.

``unjudged`` lists the findings of a snapshot with no verdict yet (exit 1 when there are any). ``table`` prints
the per-rule counts and the evidence lines; ``--write`` puts them into docs/ecosystem.md between the markers.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mfok_lint.rules.registry import STABLE, by_code  # noqa: E402

VERDICTS = ROOT / "tests" / "ecosystem" / "finding_verdicts.json"
DOC = ROOT / "docs" / "ecosystem.md"
BEGIN = "<!-- precision table: scripts/precision.py table --write -->"
END = "<!-- end of precision table -->"
KINDS = ("true", "defensible", "false")


def package_of(corpus: str) -> str:
    """``metaflow-prefect-0.3.7`` -> ``metaflow-prefect``; Metaflow's own tree and plugins -> ``metaflow``."""
    if corpus.startswith("metaflow-plugins-") or re.fullmatch(r"metaflow-\d[\w.]*", corpus):
        return "metaflow"
    return corpus.rsplit("-", 1)[0]


def finding_key(package: str, filename: str, code: str, line_text: str, message: str) -> str:
    return "|".join((package, filename, code, " ".join(line_text.split()), message))


def stable_findings(snapshot_path: Path) -> Dict[str, dict]:
    """Every stable finding of the snapshot, once per key, with the releases and rows it occurs at."""
    snapshot = json.loads(snapshot_path.read_text())
    rows = by_code()
    unique: Dict[str, dict] = {}
    for corpus, record in sorted(snapshot.items()):
        package = package_of(corpus)
        for finding in record["findings"]:
            row = rows.get(finding["code"])
            if row is None or row.status != STABLE:
                continue
            line_text = _line_text(corpus, finding)
            key = finding_key(package, finding["filename"], finding["code"], line_text, finding["message"])
            entry = unique.setdefault(key, {
                "key": key, "package": package, "code": finding["code"], "file": finding["filename"],
                "line_text": " ".join(line_text.split()), "message": finding["message"], "occurrences": [],
            })
            entry["occurrences"].append([corpus, finding["location"]["row"]])
    return unique


def _line_text(corpus: str, finding: dict) -> str:
    from ecosystem import CACHE  # the corpus cache the snapshot was recorded from

    root = _corpus_root(CACHE, corpus)
    try:
        lines = (root / finding["filename"]).read_text(errors="replace").splitlines()
    except OSError:
        return ""
    row = finding["location"]["row"]
    return lines[row - 1] if 0 < row <= len(lines) else ""


def _corpus_root(cache: Path, corpus: str) -> Path:
    if corpus.startswith("metaflow-plugins-"):
        return cache / ("metaflow-" + corpus[len("metaflow-plugins-"):])
    return cache / corpus


def load_verdicts() -> Dict[str, dict]:
    return {v["key"]: v for v in json.loads(VERDICTS.read_text())} if VERDICTS.exists() else {}


def table(findings: Dict[str, dict], verdicts: Dict[str, dict]) -> Tuple[str, List[str]]:
    per_rule: Dict[str, Dict[str, int]] = defaultdict(lambda: dict.fromkeys(KINDS + ("unjudged",), 0))
    evidence: Dict[str, List[str]] = defaultdict(list)
    for key, finding in sorted(findings.items()):
        verdict = verdicts.get(key)
        kind = verdict["verdict"] if verdict else "unjudged"
        per_rule[finding["code"]][kind] += 1
        releases = sorted({corpus for corpus, _row in finding["occurrences"]})
        rows = sorted({row for _corpus, row in finding["occurrences"]})
        where = "%s `%s:%s`" % (finding["package"], finding["file"], ",".join(map(str, rows)))
        span = releases[0] if len(releases) == 1 else "%s … %s (%d releases)" % (releases[0], releases[-1], len(releases))
        text = verdict["evidence"] if verdict else "not judged yet"
        evidence[finding["code"]].append("- %s — **%s** (%s): %s" % (where, kind, span, " ".join(text.split())))
    rows = by_code()
    lines = ["| rule | findings | true | defensible | false | true or defensible |", "|---|---:|---:|---:|---:|---:|"]
    totals = dict.fromkeys(KINDS + ("unjudged",), 0)
    below = []
    for code in sorted(per_rule):
        counts = per_rule[code]
        total = sum(counts.values())
        good = counts["true"] + counts["defensible"]
        share = good / total if total else 1.0
        if share < 0.9:
            below.append(code)
        for kind in totals:
            totals[kind] += counts[kind]
        lines.append("| %s %s | %d | %d | %d | %d | %.0f%% |" % (
            code, rows[code].name, total, counts["true"], counts["defensible"], counts["false"], 100 * share))
    total = sum(totals.values())
    lines.append("| **all stable rules** | **%d** | **%d** | **%d** | **%d** | **%.1f%%** |" % (
        total, totals["true"], totals["defensible"], totals["false"],
        100 * (totals["true"] + totals["defensible"]) / total if total else 100.0))
    if totals["unjudged"]:
        lines.append("")
        lines.append("%d findings are not judged yet and count as neither." % totals["unjudged"])
    lines.append("")
    for code in sorted(evidence):
        lines.append("#### %s %s" % (code, rows[code].name))
        lines.append("")
        lines.extend(evidence[code])
        lines.append("")
    return "\n".join(lines).rstrip() + "\n", below


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    unjudged = sub.add_parser("unjudged")
    unjudged.add_argument("snapshot", type=Path)
    unjudged.add_argument("--out", type=Path)
    show = sub.add_parser("table")
    show.add_argument("snapshot", type=Path)
    show.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "scripts"))
    findings = stable_findings(args.snapshot)
    verdicts = load_verdicts()
    if args.command == "unjudged":
        todo = [f for key, f in sorted(findings.items()) if key not in verdicts]
        if args.out:
            args.out.write_text(json.dumps(todo, indent=1) + "\n")
        for f in todo:
            print("%s %s:%s %s" % (f["code"], f["package"], f["file"], f["line_text"][:100]))
        print("%d stable findings, %d without a verdict" % (len(findings), len(todo)), file=sys.stderr)
        return 1 if todo else 0
    text, below = table(findings, verdicts)
    if args.write:
        doc = DOC.read_text()
        start, end = doc.index(BEGIN) + len(BEGIN), doc.index(END)
        DOC.write_text(doc[:start] + "\n\n" + text + "\n" + doc[end:])
    else:
        print(text)
    if below:
        print("below 90%% true or defensible: %s" % ", ".join(below), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
