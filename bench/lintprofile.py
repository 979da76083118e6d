"""Where does a cold lint run spend its time? Two views of one tree, all in-process and cache-free.

``python bench/lintprofile.py TREE`` runs the engine on every Python file like ``mfok-lint check`` does and prints
the total, the slowest files and a cProfile table. ``--per-rule`` instead parses each prefiltered file once and
runs every rule ALONE on it (its own visitor traversal and ``check``, in a fresh file context), so the numbers
include the shared models the rule builds; they overlap between rules and do not add up to the total, but they
show which rule, and on which file, a regression comes from. ``--select`` narrows the rules; preview rules
are included unless ``--stable-only``.
"""

from __future__ import annotations

import argparse
import cProfile
import glob
import os
import pstats
import sys
import time
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import libcst as cst  # noqa: E402

from mfok_lint.core.settings import Settings  # noqa: E402
from mfok_lint.core.source import DecodeError, decode_source  # noqa: E402
from mfok_lint.rules import RuleKind  # noqa: E402
from mfok_lint.rules.context import Context  # noqa: E402
from mfok_lint.rules.selection import enabled_rules  # noqa: E402
from mfok_lint.run.runner import process_file  # noqa: E402


def _files(root: str):
    if os.path.isfile(root):
        return [root]
    return sorted(glob.glob(os.path.join(root, "**", "*.py"), recursive=True))


def whole_run(files, settings, rules, top: int, profile_rows: int, sort: str = "cumulative") -> None:
    times = []
    profiler = cProfile.Profile() if profile_rows else None
    start = time.perf_counter()
    cpu_start = time.process_time()
    if profiler:
        profiler.enable()
    for path in files:
        t = time.perf_counter()
        process_file(path, settings, rules)
        times.append((time.perf_counter() - t, path))
    if profiler:
        profiler.disable()
    # CPU time is the figure to compare on a loaded machine; wall time also counts other processes' turns.
    print(f"total {time.perf_counter() - start:.2f}s wall, {time.process_time() - cpu_start:.2f}s CPU over {len(files)} files")
    for seconds, path in sorted(times)[-top:]:
        print(f"  {seconds:7.3f}s {path}")
    if profiler:
        pstats.Stats(profiler).sort_stats(sort).print_stats(profile_rows)


def per_rule(files, rules) -> None:
    per_rule_total = defaultdict(float)
    per_rule_files = defaultdict(list)
    parse_total = 0.0
    parsed = 0
    for path in files:
        with open(path, "rb") as handle:
            raw = handle.read()
        try:
            text, _ = decode_source(raw)
        except DecodeError:
            continue
        active = [r for r in rules if r.kind is RuleKind.PYTHON and r.applies_to_file(path, raw)]
        if not active:
            continue
        t = time.perf_counter()
        try:
            module = cst.parse_module(text)
        except cst.ParserSyntaxError:
            continue
        parse_total += time.perf_counter() - t
        parsed += 1
        for rule in active:
            ctx = Context("python", path, text, module)
            ctx.rule = rule
            t = time.perf_counter()
            rule.check(ctx)
            seconds = time.perf_counter() - t
            per_rule_total[rule.code] += seconds
            per_rule_files[rule.code].append((seconds, path))
    print(f"parsed {parsed} files, parse {parse_total:.2f}s")
    for code, seconds in sorted(per_rule_total.items(), key=lambda kv: -kv[1]):
        worst = max(per_rule_files[code])
        print(f"{code} {seconds:8.2f}s on {len(per_rule_files[code]):4d} files; worst {worst[0]:.2f}s {worst[1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree")
    parser.add_argument("--per-rule", action="store_true")
    parser.add_argument("--select", default=None, help="comma-separated rule codes (default: all, preview on)")
    parser.add_argument("--stable-only", action="store_true", help="the default selection (no preview rules)")
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--profile-rows", type=int, default=30, help="0 = no cProfile")
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative, tottime, ...")
    args = parser.parse_args()
    settings = Settings(select=args.select.split(",") if args.select else None, preview=not args.stable_only)
    rules = enabled_rules(settings)
    files = _files(args.tree)
    if args.per_rule:
        per_rule(files, rules)
    else:
        whole_run(files, settings, rules, args.top, args.profile_rows, args.sort)


if __name__ == "__main__":
    main()
