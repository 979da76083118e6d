"""The linter's layers (docs/architecture.md): every import of ``mfok_lint`` goes to its own layer or one below, and no
two modules import each other, directly or round a loop. Read from the source: function-level and
``TYPE_CHECKING`` imports count too."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Set

PACKAGE = Path(__file__).resolve().parent.parent / "mfok_lint"
LAYERS = ["core", "syntax", "model", "prefilter", "rules", "lint", "run", "config", "cli"]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> Dict[str, Set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: Dict[str, Set[str]] = {}
    for name, path in modules.items():
        targets = set()
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
                found = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
            else:
                continue
            for target in found:
                while target and target not in modules:
                    target = target.rsplit(".", 1)[0] if "." in target else ""
                if target and target.startswith("mfok_lint") and target != name:
                    targets.add(target)
        graph[name] = targets
    return graph


def _layer(module: str) -> int:
    if module == "mfok_lint":
        return -1  # the package itself holds only its version
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else len(LAYERS)


def test_every_module_sits_in_a_layer():
    stray = [m for m in _imports() if m not in ("mfok_lint", "mfok_lint.__main__") and _layer(m) == len(LAYERS)]
    assert stray == []


def test_no_import_runs_upwards():
    upwards = sorted(
        f"{source} -> {target}"
        for source, targets in _imports().items()
        for target in targets
        if _layer(target) > _layer(source) and source not in ("mfok_lint", "mfok_lint.__main__")
    )
    assert upwards == []


def test_no_import_cycle():
    graph = _imports()
    state: Dict[str, int] = {}
    cycles = []

    def visit(module: str, trail: list) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if target.startswith(module + ".") or module.startswith(target + "."):
                continue  # a package and its own modules
            if state.get(target) == 1:
                cycles.append(" -> ".join(trail[trail.index(target):] + [target]) if target in trail else target)
            elif target not in state:
                visit(target, trail + [target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []
