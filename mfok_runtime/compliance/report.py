"""The compliance report: per-capability results, upstream test results, and the table, JSON and JUnit writers.

Design decisions:
- One `Report` holds everything a run found: the own suite's result per capability, the upstream
  (`test/ux`) results per test, the rule links of failed capabilities and the wall time. The three writers
  read only the report, so they always agree.
- Reasons are never cut: the table wraps them. Output blocks with nothing in them are not printed.
- A failure whose root cause another failure already shows says so ("same cause as RETRY") instead of
  standing as an independent failure; it still counts as failed.
- A required capability that was skipped was not verified. The summary line and the JSON say how many, and
  `--strict` makes that a failure of the run.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence
from xml.etree import ElementTree

from ..capabilities import REQUIRED, Cap

STDERR_TAIL_LINES = 25
TABLE_WIDTH = 110
REASON_INDENT = 37


@dataclass
class RuleLink:
    """A rule that protects a capability, and how often it fires on the extension's own source."""

    code: str
    name: str
    url: str = ""
    findings: List[dict] = field(default_factory=list)

    @property
    def fires(self) -> bool:
        return bool(self.findings)


@dataclass
class Result:
    capability: Cap
    status: str = "failed"
    reason: str = ""
    duration_s: float = 0.0
    detail: str = ""
    cause: str = ""  # a normalised key of the root cause, to tell one cause seen twice
    same_cause_as: Optional[str] = None
    rules: List[RuleLink] = field(default_factory=list)

    @property
    def required(self) -> bool:
        return self.capability in REQUIRED


@dataclass
class UpstreamResult:
    """One test of Metaflow's own test/ux suite."""

    nodeid: str
    module: str
    name: str
    capability: Optional[Cap]
    status: str
    reason: str = ""
    duration_s: float = 0.0
    detail: str = ""


@dataclass
class Report:
    scheduler_type: str
    results: List[Result]
    upstream: List[UpstreamResult] = field(default_factory=list)
    upstream_source: Optional[str] = None
    wall_time_s: float = 0.0
    lint_note: str = ""
    notes: List[str] = field(default_factory=list)

    @property
    def not_verified(self) -> List[Cap]:
        """Required capabilities the own suite selected but could not verify (skipped)."""
        return [r.capability for r in self.results if r.required and r.status == "skipped"]

    def counts(self) -> Dict[str, int]:
        statuses = [r.status for r in self.results] + [u.status for u in self.upstream]
        return {s: statuses.count(s) for s in ("passed", "failed", "skipped")}

    def failed(self) -> bool:
        return any(r.status == "failed" for r in self.results) or any(u.status == "failed" for u in self.upstream)

    def upstream_by_capability(self) -> Dict[str, Dict[str, int]]:
        summary: Dict[str, Dict[str, int]] = {}
        for item in self.upstream:
            key = item.capability.value if item.capability else "-"
            bucket = summary.setdefault(key, {"passed": 0, "failed": 0, "skipped": 0})
            bucket[item.status] = bucket.get(item.status, 0) + 1
        return summary


def link_same_causes(results: Sequence[Result]) -> None:
    """Mark each failure whose cause an earlier failure (in capability order) already has."""
    first: Dict[str, str] = {}
    for result in results:
        if result.status != "failed" or not result.cause:
            continue
        if result.cause in first:
            result.same_cause_as = first[result.cause]
        else:
            first[result.cause] = result.capability.value


def _wrap(text: str, indent: int, width: int = TABLE_WIDTH) -> List[str]:
    lines: List[str] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(paragraph, width=max(40, width - indent), break_long_words=True,
                                   break_on_hyphens=False) or [""])
    return lines


def _row(name: str, status: str, duration: float, reason: str) -> List[str]:
    head = "%-16s %-8s %8.1fs  " % (name, status, duration)
    wrapped = _wrap(reason, REASON_INDENT)
    return [head + wrapped[0]] + [" " * REASON_INDENT + line for line in wrapped[1:]]


def _reason(result: Result) -> str:
    if result.status == "passed":
        return "" if result.required else "(optional)"
    reason = result.reason or ""
    if result.same_cause_as:
        reason = "same cause as %s: %s" % (result.same_cause_as, reason)
    if result.status == "skipped" and result.required:
        reason = "NOT VERIFIED (required): " + reason
    return reason


def _rule_lines(result: Result) -> List[str]:
    if not result.rules:
        return ["      related rules: none in the registry"]
    firing = [r for r in result.rules if r.fires]
    quiet = [r for r in result.rules if not r.fires]
    lines = []
    if firing:
        lines.append("      rules that fire on the extension:")
        for rule in firing:
            lines.append("        %s %s (%d finding%s)" % (rule.code, rule.name, len(rule.findings),
                                                         "" if len(rule.findings) == 1 else "s"))
            for finding in rule.findings:
                lines.append("          %s:%s %s" % (finding["path"], finding["row"], finding["message"]))
    else:
        lines.append("      no related rule fires on the extension")
    if quiet:
        lines.append("      related rules that do not fire: " + ", ".join("%s %s" % (r.code, r.name) for r in quiet))
    return lines


def render_table(report: Report) -> str:
    lines = ["", "mfok compliance: %s" % report.scheduler_type, ""]
    upstream_summary = report.upstream_by_capability() if report.upstream else {}
    lines.append("%-16s %-8s %9s  %s" % ("capability", "status", "duration", "reason"))
    lines.append("-" * TABLE_WIDTH)
    for result in report.results:
        lines.extend(_row(result.capability.value, result.status, result.duration_s, _reason(result)))
        up = upstream_summary.get(result.capability.value)
        if up:
            lines.append(" " * REASON_INDENT + "upstream test/ux: " + ", ".join(
                "%d %s" % (n, s) for s, n in up.items() if n))
        if result.status != "failed":
            continue
        if result.detail.strip():
            for detail_line in result.detail.rstrip().splitlines()[-STDERR_TAIL_LINES * 3:]:
                lines.append("      | " + detail_line)
        if not result.same_cause_as:
            lines.extend(_rule_lines(result))
    if report.upstream:
        lines.append("")
        lines.append("Metaflow's test/ux (%s)" % (report.upstream_source or "upstream"))
        lines.append("%-16s %-8s %9s  %s" % ("capability", "status", "duration", "test"))
        lines.append("-" * TABLE_WIDTH)
        for item in report.upstream:
            name = item.capability.value if item.capability else "-"
            lines.extend(_row(name, item.status, item.duration_s,
                              "%s::%s%s" % (item.module, item.name, (": " + item.reason) if item.reason
                                            and item.status != "passed" else "")))
            if item.status == "failed" and item.detail.strip():
                for detail_line in item.detail.rstrip().splitlines()[-STDERR_TAIL_LINES:]:
                    lines.append("      | " + detail_line)
    for note in ([report.lint_note] if report.lint_note else []) + report.notes:
        lines.append("")
        lines.append("note: " + note)
    lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines)


def summary_line(report: Report) -> str:
    counts = report.counts()
    text = "%d passed, %d failed, %d skipped" % (counts["passed"], counts["failed"], counts["skipped"])
    missing = report.not_verified
    if missing:
        text += "; %d required capabilit%s not verified (%s)" % (
            len(missing), "y" if len(missing) == 1 else "ies", ", ".join(c.value for c in missing))
    text += " in %.0f s" % report.wall_time_s
    return text


def _result_json(result: Result) -> dict:
    return {
        "capability": result.capability.value,
        "status": result.status,
        "required": result.required,
        "reason": result.reason or None,
        "same_cause_as": result.same_cause_as,
        "duration_s": round(result.duration_s, 2),
        "rules": [{"code": r.code, "name": r.name, "fires": len(r.findings)} for r in result.rules],
    }


def to_json(report: Report) -> dict:
    counts = report.counts()
    payload = {
        "scheduler_type": report.scheduler_type,
        "results": [_result_json(r) for r in report.results],
        "summary": dict(counts, required_not_verified=[c.value for c in report.not_verified],
                        wall_time_s=round(report.wall_time_s, 2)),
    }
    if report.upstream or report.upstream_source:
        payload["upstream"] = {
            "source": report.upstream_source,
            "tests": [
                {"test": u.nodeid, "module": u.module, "name": u.name,
                 "capability": u.capability.value if u.capability else None, "status": u.status,
                 "reason": u.reason or None, "duration_s": round(u.duration_s, 2)}
                for u in report.upstream
            ],
        }
    return payload


def write_json(path: str, report: Report) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(to_json(report), handle, indent=2)
        handle.write("\n")


def write_junit(path: str, report: Report) -> None:
    """Two suites in one file: the capabilities and, when run, Metaflow's test/ux tests. `time` is wall time."""
    counts = report.counts()
    root = ElementTree.Element("testsuites", {
        "name": "mfok-compliance-%s" % report.scheduler_type,
        "tests": str(len(report.results) + len(report.upstream)),
        "failures": str(counts["failed"]),
        "skipped": str(counts["skipped"]),
        "time": "%.2f" % report.wall_time_s,
    })
    own = ElementTree.SubElement(root, "testsuite", {
        "name": "mfok-compliance-%s" % report.scheduler_type,
        "tests": str(len(report.results)),
        "failures": str(sum(r.status == "failed" for r in report.results)),
        "skipped": str(sum(r.status == "skipped" for r in report.results)),
        "time": "%.2f" % report.wall_time_s,
    })
    for result in report.results:
        case = ElementTree.SubElement(own, "testcase", {
            "classname": "mfok.compliance.%s" % report.scheduler_type,
            "name": result.capability.value,
            "time": "%.2f" % result.duration_s,
        })
        if result.status == "failed":
            message = ("same cause as %s: " % result.same_cause_as if result.same_cause_as else "") + result.reason
            failure = ElementTree.SubElement(case, "failure", {"message": message})
            extra = [result.detail] if result.detail.strip() else []
            firing = [r for r in result.rules if r.fires]
            if firing:
                extra.append("rules that fire: " + ", ".join("%s (%d)" % (r.code, len(r.findings)) for r in firing))
            quiet = [r.code for r in result.rules if not r.fires]
            if quiet:
                extra.append("related rules that do not fire: " + ", ".join(quiet))
            for rule in firing:
                extra += ["%s:%s %s %s" % (f["path"], f["row"], rule.code, f["message"]) for f in rule.findings]
            failure.text = "\n".join(extra)
        elif result.status == "skipped":
            ElementTree.SubElement(case, "skipped", {"message": result.reason})
    if report.upstream:
        up = ElementTree.SubElement(root, "testsuite", {
            "name": "metaflow-test-ux-%s" % report.scheduler_type,
            "tests": str(len(report.upstream)),
            "failures": str(sum(u.status == "failed" for u in report.upstream)),
            "skipped": str(sum(u.status == "skipped" for u in report.upstream)),
        })
        for item in report.upstream:
            case = ElementTree.SubElement(up, "testcase", {
                "classname": "metaflow.test.ux.%s" % item.module,
                "name": item.name,
                "time": "%.2f" % item.duration_s,
            })
            if item.capability:
                props = ElementTree.SubElement(case, "properties")
                ElementTree.SubElement(props, "property", {"name": "capability", "value": item.capability.value})
            if item.status == "failed":
                failure = ElementTree.SubElement(case, "failure", {"message": item.reason})
                failure.text = item.detail
            elif item.status == "skipped":
                ElementTree.SubElement(case, "skipped", {"message": item.reason})
    ElementTree.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
