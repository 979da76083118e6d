"""A sample project linted by real ruff, turned into mfok-lint Diagnostics (helpers for the fixtures).

The output tests render those Diagnostics with mfok-lint's formatters and compare the result with what
ruff itself printed for the same findings: the strongest evidence that the formats are ruff-compatible.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

from mfok_lint.core.diagnostics import Applicability, Diagnostic, Edit, Fix, Location, Locator

SAMPLE_FILES = {
    "a.py": "import os\nimport sys, json\n\nx = 1  # noqa: E501\n",
    "c.py": "def f():\n    x = 1\n    return 2\n\n\nprint(undefined_name)\n",
    "d.py": (
        "from typing import List\n\n\n"
        "def g(a: List[int]) -> None:\n"
        "    if a == None:\n"
        "        pass\n"
        "    y = (\n        1,\n        2,\n    )\n"
        '    print(f"{a!r}")\n'
        '    x = "a" "b"\n'
        "    return  str(\n        y\n    )\n"
    ),
    "e.py": (
        "a = 1\nb = dict(\n    x=1,\n    y=2,\n)\n"
        "c = dict(\n    x=1,\n    y=2,\n    z=3,\n    w=4,\n    v=5,\n    u=6,\n    t=7,\n)\n\t\n"
    ),
    "f.py": "x = 1\nif True:\n    dict(\n        x=1,\n    )\nprint(1)",
    "pkg/g.py": "import os\n",
    # Fix diffs whose edits are four and five unchanged lines apart: one hunk, then two.
    "pkg/imports4.py": "from os.path import (\n    aa,\n"
    + "".join(f"    m{i},\n" for i in range(4))
    + "    zz,\n)\nprint(m0, m1, m2, m3)\n",
    "pkg/imports5.py": "from os.path import (\n    aa,\n"
    + "".join(f"    m{i},\n" for i in range(5))
    + "    zz,\n)\nprint(m0, m1, m2, m3, m4)\n",
    # Deeply indented long lines: the snippet is clipped around the span with ellipses.
    "pkg/long.py": "def f(a):\n"
    + "".join("    " * depth + "if a:\n" for depth in range(1, 7))
    + "    " * 7
    + "# "
    + "context " * 16
    + "\n"
    + "    " * 7
    + "if a == None:  # "
    + "a comment long enough to cross the terminal budget " * 2
    + "\n"
    + "    " * 8
    + "pass\n",
    "pkg/h.py": "\n".join(
        ["import os"]
        + [f"x{i} = 1" for i in range(12)]
        + ["def f(x: int = None):", "    import sys", "    pass", "import json"]
    )
    + "\n",
}

RUFF_ARGS = [
    "check",
    "--no-cache",
    "--isolated",
    "--select",
    "F401,F841,UP006,E711,C408,W292,W293,ISC001,RUF013,F821",
    "--target-version",
    "py38",
]


def ruff(*args: str, cwd: Path, env_extra: Dict[str, str] = None) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "CLICOLOR_FORCE")}
    env.update(env_extra or {})
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", *RUFF_ARGS, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout


def write_sample(root: Path) -> Dict[str, str]:
    for rel, text in SAMPLE_FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return dict(SAMPLE_FILES)


def diagnostics_from_ruff_json(objects: List[dict], root: Path, sources: Dict[str, str]) -> List[Diagnostic]:
    """Ruff's JSON findings as mfok-lint Diagnostics (paths relative to ``root``, edits as offsets)."""
    result = []
    for obj in objects:
        path = os.path.relpath(obj["filename"], root)
        locator = Locator(sources[path])
        fix = None
        if obj["fix"]:
            edits = tuple(
                Edit(
                    locator.offset(e["location"]["row"], e["location"]["column"]),
                    locator.offset(e["end_location"]["row"], e["end_location"]["column"]),
                    e["content"],
                )
                for e in obj["fix"]["edits"]
            )
            fix = Fix(Applicability(obj["fix"]["applicability"]), obj["fix"]["message"], edits)
        result.append(
            Diagnostic(
                code=obj["code"],
                message=obj["message"],
                path=path,
                location=Location(**obj["location"]),
                end_location=Location(**obj["end_location"]),
                noqa_row=obj["noqa_row"],
                fix=fix,
                name=obj["name"],
                url=obj["url"],
            )
        )
    return result


@dataclass
class RuffSample:
    root: Path
    sources: Dict[str, str]
    diagnostics: List[Diagnostic]
    files: List[str]

    def ruff(self, *args: str, env_extra: Dict[str, str] = None) -> str:
        return ruff(*args, *self.files, cwd=self.root, env_extra=env_extra)


def fixed_counts(diagnostics: List[Diagnostic]) -> Dict[str, Dict[str, int]]:
    counts: Dict[str, Counter] = defaultdict(Counter)
    for d in diagnostics:
        if d.fix is not None and d.fix.applicability is Applicability.SAFE:
            counts[d.path][d.code] += 1
    return {path: dict(per_code) for path, per_code in counts.items()}
