"""mfok-lint speed, side by side with flake8 and ruff in the same run. Writes a markdown table.

    .venv/bin/python bench/bench.py [--runs N] [--out bench/results/report.md]

Corpora (downloaded from PyPI into bench/.corpus, never committed): Metaflow 2.19.39's own ``metaflow/`` tree and
the released orchestrator extensions. Timings are wall-clock min and median over N runs; peak RSS comes from the
child's rusage. "flake8 without the plugin" runs the same flake8 version from a virtualenv where mfok is not
installed (bench/.venv-flake8), since flake8 has no switch to unload a plugin.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Outside the repository: its .gitignore would hide the corpus from every tool that respects it.
CORPUS = Path.home() / ".cache" / "mfok-bench"
BIN = Path(sys.executable).parent
PACKAGES = {
    "metaflow": "metaflow==2.19.39",
    "metaflow-dagster": "metaflow-dagster",
    "metaflow-prefect": "metaflow-prefect",
}


def fetch(name: str, spec: str) -> Path:
    dest = CORPUS / name
    if dest.exists():
        return dest
    dl = CORPUS / "_dl" / name
    dl.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dl), spec], check=True)
    (archive,) = list(dl.iterdir())
    dest.mkdir(parents=True)
    if archive.suffix == ".whl":
        zipfile.ZipFile(archive).extractall(dest)
    else:
        with tarfile.open(archive) as tar:
            tar.extractall(dest)
    return dest


def python_root(tree: Path, name: str) -> Path:
    if name == "metaflow":
        return next(p for p in tree.rglob("metaflow") if p.is_dir() and (p / "__init__.py").exists())
    return tree


def flake8_without_plugin() -> Path:
    venv = HERE / ".venv-flake8"
    exe = venv / "bin" / "flake8"
    if not exe.exists():
        import flake8

        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", f"flake8=={flake8.__version__}"], check=True)
    return exe


def measure(cmd, cwd, runs: int):
    times, peak = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        peak = max(peak, usage.ru_maxrss // 1024)
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(map(str, cmd))} exited {code}: {proc.stderr.read().decode()[-500:]}")
    return min(times), statistics.median(times), peak


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default=str(HERE / "results" / "report.md"))
    parser.add_argument("--only", nargs="*", default=None, help="corpus names to run (default: all)")
    args = parser.parse_args(argv)
    plain_flake8 = flake8_without_plugin()
    rows = []
    for name, spec in PACKAGES.items():
        if args.only and name not in args.only:
            continue
        root = python_root(fetch(name, spec), name)
        files = sum(1 for _ in root.rglob("*.py"))
        cache = root.parent / ".mfok-bench-cache"
        shutil.rmtree(cache, ignore_errors=True)
        commands = {
            "mfok-lint cold (--no-cache)": [BIN / "mfok-lint", "check", "--no-cache", "--isolated", "--exit-zero", "-q", "."],
            "flake8 (defaults, no plugin)": [plain_flake8, "--exit-zero", "."],
            "flake8 + mfok plugin": [BIN / "flake8", "--exit-zero", "."],
            "flake8 --select MFO": [BIN / "flake8", "--exit-zero", "--select", "MFO", "."],
            "ruff check --no-cache --select E9": [BIN / "ruff", "check", "--no-cache", "--isolated", "--exit-zero", "--select", "E9", "."],
        }
        results = {label: measure(cmd, root, args.runs) for label, cmd in commands.items()}
        base = results["flake8 (defaults, no plugin)"][0]
        for label, (tmin, tmed, rss) in results.items():
            rows.append((name, files, label, tmin, tmed, rss, tmin / base))
    lines = [
        "| corpus | files | command | min s | median s | peak RSS MB | min / flake8 |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    lines += [f"| {n} | {f} | {l} | {a:.2f} | {m:.2f} | {r} | {x:.2f} |" for n, f, l, a, m, r, x in rows]
    report = "\n".join(lines) + "\n"
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
