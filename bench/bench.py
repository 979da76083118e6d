"""mfok-lint speed, side by side with flake8, ruff and the seed kit's validator in the same run.

    .venv/bin/python bench/bench.py [--runs N] [--growth-runs N] [--no-growth] [--out bench/results/report.md]

Writes a markdown report: one table per corpus, a growth table and the targets with their measured ratios.

Corpora, downloaded from PyPI into ~/.cache/mfok-bench (outside the repository: its .gitignore would hide them
from the tools that respect it), never committed:
* Metaflow 2.19.39's own ``metaflow/`` tree (419 files);
* the released orchestrator extensions at the versions ``scripts/ecosystem.py`` pins, side by side in one tree;
* synthetic trees of 4 and 16 copies of the Metaflow tree, to show how cost grows with the number of files.

Commands, each timed over N runs (min and median of wall time) with the peak RSS of the largest process of
the run (``RUSAGE_CHILDREN`` of a wrapper process, which includes pool and flake8 workers):
* ``mfok-lint`` cold (``--no-cache``) and warm (a cache filled by an untimed run of the same command);
* ``flake8`` with its defaults from a virtualenv without mfok (``bench/.venv-flake8``, same flake8 version:
  flake8 has no switch to unload a plugin), and the same flake8 with mfok's plugin, cold (plugin cache off)
  and warm, plus ``--select MFO``;
* the libcst parse floor (``bench/parse_floor.py``): libcst parsing alone of the files that need analysis;
* ``ruff check --no-cache --select E9``;
* ``metaflow-orchestrator-validate`` of ``metaflow-orchestrator-kit==0.1.1`` (``bench/.venv-seedkit``).

mfok itself runs from a wheel built from this checkout (``bench/.venv-mfok``, see ``_mfok_install``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "scripts"))

from ecosystem import PINNED  # noqa: E402

CORPUS = Path.home() / ".cache" / "mfok-bench"
BIN = Path(sys.executable).parent
METAFLOW = "metaflow==2.19.39"
EXTENSIONS = {name: version for name, version in PINNED.items() if name != "metaflow"}

# The targets of the speed issue, as (label, numerator row, denominator row, limit).
TARGETS = [
    ("cold <= 0.5x flake8", "mfok-lint cold", "flake8 (no plugin)", 0.5),
    ("warm <= 0.1x flake8", "mfok-lint warm", "flake8 (no plugin)", 0.1),
    ("flake8 + plugin <= 1.2x flake8 (plugin cache cold)", "flake8 + plugin, cold", "flake8 (no plugin)", 1.2),
    ("flake8 + plugin <= 1.2x flake8 (plugin cache warm)", "flake8 + plugin, warm", "flake8 (no plugin)", 1.2),
]
RSS_LIMIT_MB = 300
# Cold runs against the floor: libcst parsing alone of the files some rule needs (bench/parse_floor.py).
FLOOR = "libcst parse floor"
OVER_FLOOR = ["mfok-lint cold", "flake8 + plugin, cold", "flake8 --select MFO, cold"]

# Runs a command and prints its wall time (s) and the peak RSS (KB) of its largest process, descendants included.
# The time is taken around the command inside the wrapper, so the wrapper's own start-up (~0.03 s) is in no row:
# it would weigh on a 0.1 s run and not on a 5 s one.
_WRAPPER = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "elapsed = time.perf_counter() - start\n"
    "sys.stderr.write(code.stderr.decode(errors='replace')[-400:])\n"
    "print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(code.returncode)\n"
)


def _unpack(archive: Path, dest: Path) -> None:
    dest.mkdir(parents=True)
    if archive.suffix == ".whl":
        zipfile.ZipFile(archive).extractall(dest)
    else:
        with tarfile.open(archive) as tar:
            tar.extractall(dest)


def _download(spec: str, into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    if not any(into.iterdir()):
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(into), spec], check=True)
    return next(into.iterdir())


def metaflow_tree() -> Path:
    dest = CORPUS / "metaflow"
    if not dest.exists():
        _unpack(_download(METAFLOW, CORPUS / "_dl" / "metaflow"), dest)
    return next(p for p in dest.rglob("metaflow") if p.is_dir() and (p / "__init__.py").exists())


def extensions_tree() -> Path:
    dest = CORPUS / "extensions"
    if dest.exists():
        return dest
    staging = CORPUS / "extensions.partial"
    shutil.rmtree(staging, ignore_errors=True)
    for name, version in EXTENSIONS.items():
        unpacked = CORPUS / "_unpacked" / f"{name}-{version}"
        if not unpacked.exists():
            _unpack(_download(f"{name}=={version}", CORPUS / "_dl" / f"{name}-{version}"), unpacked)
        shutil.copytree(unpacked, staging / name, ignore=shutil.ignore_patterns("*.dist-info", "*.egg-info"))
    staging.rename(dest)
    return dest


def copies_tree(source: Path, copies: int) -> Path:
    dest = CORPUS / f"metaflow-x{copies}"
    if dest.exists():
        return dest
    staging = CORPUS / f"metaflow-x{copies}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    for index in range(copies):
        shutil.copytree(source, staging / f"copy{index:02d}" / "metaflow")
    staging.rename(dest)
    return dest


def _venv_tool(name: str, requirement: str, executable: str) -> Path:
    venv = HERE / f".venv-{name}"
    exe = venv / "bin" / executable
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", requirement], check=True)
    return exe


def _mfok_install(flake8_version: str) -> Path:
    """mfok installed from this checkout as users get it, with flake8 beside it for the plugin rows.

    A wheel: pip writes the bytecode at install, and no editable-install finder sits on the import path (the
    development virtualenv's finder costs 0.013 s per process, and where ``PYTHONDONTWRITEBYTECODE`` is set its
    modules would be compiled again on every run). flake8 and ruff come from wheels too. The checkout is
    reinstalled on every benchmark run, so the numbers are always the current code's."""
    venv = HERE / ".venv-mfok"
    pip = venv / "bin" / "pip"
    if not pip.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(pip), "install", "-q", f"flake8=={flake8_version}", str(HERE.parent)], check=True)
    subprocess.run([str(pip), "install", "-q", "--force-reinstall", "--no-deps", str(HERE.parent)], check=True)
    return venv / "bin"


def measure(cmd, cwd: Path, runs: int, env=None):
    times, peak = [], 0
    for _ in range(runs):
        proc = subprocess.run(
            [sys.executable, "-c", _WRAPPER, *map(str, cmd)], cwd=cwd, capture_output=True, text=True, env=env
        )
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(map(str, cmd))} exited {proc.returncode}: {proc.stderr[-400:]}")
        elapsed, rss = proc.stdout.split()[-2:]
        times.append(float(elapsed))
        peak = max(peak, int(rss) // 1024)
    return min(times), statistics.median(times), peak


def commands(root: Path, cache: Path, plain_flake8: Path, validator: Path, mfok_bin: Path):
    mfok = [mfok_bin / "mfok-lint", "check", "--isolated", "--exit-zero", "-q"]
    return {
        "mfok-lint cold": (mfok + ["--no-cache", "."], None),
        "mfok-lint warm": (mfok + ["--cache-dir", str(cache / "cli"), "."], "fill"),
        "flake8 (no plugin)": ([plain_flake8, "--exit-zero", "."], None),
        "flake8 + plugin, cold": ([mfok_bin / "flake8", "--exit-zero", "--mfok-no-cache", "."], None),
        "flake8 + plugin, warm": ([mfok_bin / "flake8", "--exit-zero", "--mfok-cache-dir", str(cache / "plugin"), "."], "fill"),
        "flake8 --select MFO, cold": ([mfok_bin / "flake8", "--exit-zero", "--select", "MFO", "--mfok-no-cache", "."], None),
        "libcst parse floor": ([mfok_bin / "python", HERE / "parse_floor.py", "."], None),
        "ruff check --no-cache --select E9": ([BIN / "ruff", "check", "--no-cache", "--isolated", "--exit-zero", "--select", "E9", "."], None),
        "seed kit validator (regex)": ([validator, "."], None),
    }


def run_corpus(name: str, root: Path, runs: int, tools, only=None):
    cache = CORPUS / f".cache-{name}"
    shutil.rmtree(cache, ignore_errors=True)
    files = sum(1 for _ in root.rglob("*.py"))
    rows = {}
    for label, (cmd, prepare) in commands(root, cache, *tools).items():
        if only is not None and label not in only:
            continue
        if prepare == "fill":
            measure(cmd, root, 1)
        rows[label] = measure(cmd, root, runs)
        print(f"  {name}: {label}: {rows[label][0]:.2f}s", file=sys.stderr)
    shutil.rmtree(cache, ignore_errors=True)
    return files, rows


def _ratio(rows, numerator, denominator):
    if numerator not in rows or denominator not in rows:
        return None
    return rows[numerator][0] / rows[denominator][0]


def report(corpora, growth) -> str:
    out = ["# mfok-lint benchmark", "", f"Machine: {os.cpu_count()} CPUs; wall seconds; peak RSS of the largest process.", ""]
    for name, (files, rows) in corpora.items():
        base = rows["flake8 (no plugin)"][0]
        out += [f"## {name} ({files} files)", "", "| command | min s | median s | peak RSS MB | min / flake8 |", "|---|---:|---:|---:|---:|"]
        out += [f"| {label} | {a:.2f} | {m:.2f} | {r} | {a / base:.2f} |" for label, (a, m, r) in rows.items()]
        out.append("")
    if growth:
        out += ["## Growth with the number of files", "", "| tree | files | mfok-lint cold s | ms / file | mfok-lint warm s | flake8 s | ms / file | cold / flake8 |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for name, (files, rows) in growth.items():
            cold, warm, flake8 = (rows[k][0] for k in ("mfok-lint cold", "mfok-lint warm", "flake8 (no plugin)"))
            out.append(
                f"| {name} | {files} | {cold:.2f} | {1000 * cold / files:.1f} | {warm:.2f} | {flake8:.2f} | "
                f"{1000 * flake8 / files:.1f} | {cold / flake8:.2f} |"
            )
        out.append("")
    out += ["## Cold runs against the libcst parse floor", "",
            "The floor starts Python, imports the rules, screens every file and parses with libcst the files some",
            "rule needs (bench/parse_floor.py): what running these rules on libcst costs before any analysis.", "",
            "| corpus | floor s | " + " | ".join(f"{label} / floor" for label in OVER_FLOOR) + " |",
            "|---|---:|" + "---:|" * len(OVER_FLOOR)]
    for name, (_files, rows) in corpora.items():
        if FLOOR in rows:
            ratios = [_ratio(rows, label, FLOOR) for label in OVER_FLOOR]
            out.append(f"| {name} | {rows[FLOOR][0]:.2f} | " + " | ".join("-" if r is None else f"{r:.2f}x" for r in ratios) + " |")
    out.append("")
    out += ["## Targets", "", "| target | corpus | measured | met |", "|---|---|---:|---|"]
    for label, numerator, denominator, limit in TARGETS:
        for name, (_files, rows) in corpora.items():
            ratio = _ratio(rows, numerator, denominator)
            if ratio is not None:
                out.append(f"| {label} | {name} | {ratio:.2f}x | {'yes' if ratio <= limit else 'no'} |")
    peaks = [(name, label, r) for name, (_f, rows) in {**corpora, **growth}.items() for label, (_a, _m, r) in rows.items() if label.startswith("mfok-lint")]
    worst = max(peaks, key=lambda p: p[2])
    out.append(f"| peak RSS < {RSS_LIMIT_MB} MB (mfok-lint) | {worst[0]} ({worst[1]}) | {worst[2]} MB | {'yes' if worst[2] < RSS_LIMIT_MB else 'no'} |")
    if growth:
        # Linear growth is a constant cost per added file. The average per file falls as fixed costs (start-up,
        # imports) spread over more files, so it is the cost between sizes that is compared.
        sizes = sorted((files, rows["mfok-lint cold"][0]) for files, rows in growth.values())
        marginal = [1000 * (c2 - c1) / (n2 - n1) for (n1, c1), (n2, c2) in zip(sizes, sizes[1:])]
        spread = max(marginal) / min(marginal)
        steps = " / ".join(f"{m:.1f}" for m in marginal)
        out.append(
            f"| growth linear in files (cold ms per added file, {steps}, within 1.5x) | growth | {spread:.2f}x | "
            f"{'yes' if spread <= 1.5 else 'no'} |"
        )
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--growth-runs", type=int, default=1)
    parser.add_argument("--no-growth", action="store_true")
    parser.add_argument("--out", default=str(HERE / "results" / "report.md"))
    args = parser.parse_args(argv)
    import flake8

    tools = (
        _venv_tool("flake8", f"flake8=={flake8.__version__}", "flake8"),
        _venv_tool("seedkit", "metaflow-orchestrator-kit==0.1.1", "metaflow-orchestrator-validate"),
        _mfok_install(flake8.__version__),
    )
    metaflow = metaflow_tree()
    corpora = {
        "metaflow": run_corpus("metaflow", metaflow, args.runs, tools),
        "extensions": run_corpus("extensions", extensions_tree(), args.runs, tools),
    }
    growth = {}
    if not args.no_growth:
        growth_rows = ("mfok-lint cold", "mfok-lint warm", "flake8 (no plugin)")
        growth["1x"] = (corpora["metaflow"][0], {k: corpora["metaflow"][1][k] for k in growth_rows})
        for copies in (4, 16):
            growth[f"{copies}x"] = run_corpus(f"x{copies}", copies_tree(metaflow, copies), args.growth_runs, tools, only=growth_rows)
    text = report(corpora, growth)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)
    Path(args.out).with_suffix(".json").write_text(json.dumps({"corpora": corpora, "growth": growth}, indent=1))
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
