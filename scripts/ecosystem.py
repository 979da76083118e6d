"""Lint the released orchestrator extensions and Metaflow's own scheduler plugins; one report per package.

    .venv/bin/python scripts/ecosystem.py [--out docs/ecosystem] [--select MFO] [--preview]

Downloads pinned releases from PyPI into a cache directory (never committed), runs ``mfok-lint --output-format
json`` on each, and writes ``<out>/<package>.md`` (every finding with its source line, for reading) plus
``<out>/summary.md``. Judging the findings is a human job: the per-rule notes in docs/ record the verdicts.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

PINNED = {
    "metaflow-dagster": "0.3.7",
    "metaflow-prefect": "0.3.7",
    "metaflow-flyte": "0.4.3",
    "metaflow-temporal": "0.4.9",
    "metaflow-kestra": "0.3.4",
    "metaflow-windmill": "0.2.1",
    "metaflow-mage": "0.2.1",
    "metaflow-kubeflow": "0.0.4",
    "metaflow-slurm": "0.0.4",
    "metaflow-skypilot": "0.0.1",
    "metaflow-gha": "0.1.0",
    "metaflow": "2.19.39",
}
# Every release on PyPI of each extension above (newest first), for runs over their whole history.
RELEASES = {
    "metaflow-dagster": ["0.3.7", "0.3.6", "0.3.5", "0.3.3", "0.3.2", "0.3.1", "0.3.0", "0.2.0", "0.1.0"],
    "metaflow-prefect": [
        "0.3.7", "0.3.6", "0.3.5", "0.3.4", "0.3.3", "0.3.2", "0.3.1", "0.3.0", "0.2.0", "0.1.2", "0.1.1", "0.1.0",
    ],
    "metaflow-flyte": ["0.4.3", "0.4.2", "0.4.1", "0.4.0", "0.3.2", "0.3.1", "0.3.0", "0.2.0", "0.1.0"],
    "metaflow-temporal": [
        "0.4.9", "0.4.8", "0.4.7", "0.4.5", "0.4.4", "0.4.3", "0.4.2", "0.4.1", "0.4.0", "0.3.1", "0.3.0", "0.2.0",
        "0.1.1", "0.1.0",
    ],
    "metaflow-kestra": ["0.3.4", "0.3.3", "0.3.2", "0.3.1", "0.3.0", "0.2.0", "0.1.0"],
    "metaflow-windmill": ["0.2.1", "0.2.0", "0.1.0"],
    "metaflow-mage": ["0.2.1", "0.2.0", "0.1.0"],
    "metaflow-kubeflow": ["0.0.4", "0.0.3", "0.0.2", "0.0.1"],
    "metaflow-slurm": ["0.0.4", "0.0.2", "0.0.1"],
    "metaflow-skypilot": ["0.0.1"],
    "metaflow-gha": ["0.1.0"],
}
# Metaflow itself is linted only where it compiles flows for a scheduler, at releases on either side of each
# change of its contract with extensions (docs/metaflow-versions.md): each is judged against its own version.
METAFLOW_PLUGINS = ["metaflow/plugins/argo", "metaflow/plugins/aws/step_functions", "metaflow/plugins/airflow"]
METAFLOW_RELEASES = [
    "2.9.15", "2.11.16", "2.12.28", "2.12.39", "2.13.10", "2.15.21", "2.17.5", "2.19.0", "2.19.9", "2.19.39",
]
CACHE = Path.home() / ".cache" / "mfok-ecosystem"


def fetch(name: str, version: str) -> Path:
    dest = CACHE / f"{name}-{version}"
    if dest.exists():
        return dest
    download = CACHE / "_downloads" / f"{name}-{version}"
    download.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(download), f"{name}=={version}"],
        check=True,
    )
    archive = next(download.iterdir())
    dest.mkdir(parents=True)
    if archive.suffix == ".whl":
        zipfile.ZipFile(archive).extractall(dest)
    else:
        with tarfile.open(archive) as tar:
            tar.extractall(dest, filter="data") if sys.version_info >= (3, 12) else tar.extractall(dest)
    return dest


def targets(name: str, root: Path):
    if name != "metaflow":
        return [root]
    base = next(p.parent.parent for p in root.rglob("metaflow/__init__.py"))
    return [base / sub for sub in METAFLOW_PLUGINS if (base / sub).is_dir()]


def lint(paths, extra) -> list:
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "mfok-lint"), "check", "--isolated", "--no-cache", "--output-format", "json", *extra, *map(str, paths)],
        capture_output=True,
        text=True,
    )
    if proc.returncode not in (0, 1):
        raise SystemExit(f"mfok-lint failed ({proc.returncode}): {proc.stderr.strip()}")
    return json.loads(proc.stdout or "[]")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/ecosystem")
    parser.add_argument("--select", default=None)
    parser.add_argument("--preview", action="store_true")
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args(argv)
    extra = (["--select", args.select] if args.select else []) + (["--preview"] if args.preview else [])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    summary = ["| package | version | findings | by code |", "|---|---|---:|---|"]
    for name, version in PINNED.items():
        if args.only and name not in args.only:
            continue
        root = fetch(name, version)
        findings = lint(targets(name, root), extra)
        counts = {}
        lines = [f"# {name} {version}", ""]
        for f in findings:
            counts[f["code"]] = counts.get(f["code"], 0) + 1
            rel = Path(f["filename"]).relative_to(root)
            source = Path(f["filename"]).read_text(errors="replace").splitlines()
            row = f["location"]["row"]
            snippet = source[row - 1].strip() if row - 1 < len(source) else ""
            lines.append(f"- `{rel}:{row}:{f['location']['column']}` **{f['code']}** {f['message']}  \n  `{snippet}`")
        if not findings:
            lines.append("No findings.")
        (out / f"{name}.md").write_text("\n".join(lines) + "\n")
        by_code = ", ".join(f"{c}: {n}" for c, n in sorted(counts.items())) or "-"
        summary.append(f"| {name} | {version} | {len(findings)} | {by_code} |")
        print(f"{name} {version}: {len(findings)} findings ({by_code})")
    (out / "summary.md").write_text("# Ecosystem run\n\n" + "\n".join(summary) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
