"""The floor under a cold run: libcst parsing alone of the files that need analysis.

    python bench/parse_floor.py TREE [--jobs N] [--list]

A file needs analysis when a rule of the default selection applies to it and needs libcst's tree, decided by
the same calls ``lint.check`` makes (the rule's path and byte screens, test paths skipped). Those files are
parsed with ``libcst.parse_module`` and nothing else runs: no rule, no model, no report. The time this program
takes (start-up, imports, the screens and the parses, on as many processes as ``mfok-lint`` uses) is what any
run of these rules on libcst pays before it learns anything, so ``bench.py`` reports cold runs against it.
"""

from __future__ import annotations

import argparse
import os
import sys
from multiprocessing import get_context
from pathlib import Path
from typing import List

try:
    import mfok_lint  # noqa: F401 - the installed mfok, as bench.py times it
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def files_needing_a_parse(root: Path) -> List[str]:
    from mfok_lint.core.settings import Settings
    from mfok_lint.core.paths import is_python_text, is_test_path
    from mfok_lint.rules import RuleKind
    from mfok_lint.rules.selection import enabled_rules

    rules = [r for r in enabled_rules(Settings()) if r.kind is RuleKind.PYTHON and r.needs_cst()]
    chosen = []
    for path in sorted(str(p) for p in root.rglob("*.py")):
        if not is_python_text(path) or is_test_path(path):
            continue
        raw = Path(path).read_bytes()
        if any(rule.applies_to_file(path, raw) for rule in rules):
            chosen.append(path)
    return chosen


def _parse(path: str) -> int:
    import libcst as cst

    from mfok_lint.core.source import DecodeError, decode_source

    try:
        text, _ = decode_source(Path(path).read_bytes())
        cst.parse_module(text)
    except (DecodeError, cst.ParserSyntaxError, RecursionError):
        return 0
    return 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--list", action="store_true", help="print the files instead of parsing them")
    args = parser.parse_args(argv)
    files = files_needing_a_parse(args.tree)
    if args.list:
        print("\n".join(files))
        return 0
    if args.jobs > 1 and len(files) > 1:
        with get_context("fork").Pool(args.jobs) as pool:
            parsed = sum(pool.map(_parse, files, chunksize=max(1, len(files) // (4 * args.jobs))))
    else:
        parsed = sum(map(_parse, files))
    print(f"{parsed} of {len(files)} files parsed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
