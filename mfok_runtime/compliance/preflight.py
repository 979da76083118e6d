"""Find the extension that registers a scheduler TYPE, and what it declares.

Run as `python -m mfok_runtime.compliance.preflight TYPE` it prints one JSON object, so the runner can ask
in the isolated environment (the one the suite will use) without importing metaflow itself.

Where the declaration lives: a module-level `SUPPORTED_CAPABILITIES` in the module that defines the
extension's `DeployerImpl` subclass (the class registered for TYPE through DEPLOYER_IMPL_PROVIDERS_DESC).
Absent means "the required set, nothing optional".
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Dict


def inspect_extension(scheduler_type: str) -> Dict[str, Any]:
    info: Dict[str, Any] = {"ok": False, "scheduler_type": scheduler_type, "python": sys.executable}
    try:
        import metaflow  # noqa: F401
    except Exception as exc:
        info["error"] = "metaflow is not importable by %s (%s: %s)" % (sys.executable, type(exc).__name__, exc)
        return info
    try:
        from metaflow.plugins import DEPLOYER_IMPL_PROVIDERS
        from metaflow.runner.deployer import Deployer
    except Exception as exc:
        info["error"] = "metaflow's Deployer API cannot be loaded (%s: %s)" % (type(exc).__name__, exc)
        return info
    registered = sorted(str(p.TYPE) for p in DEPLOYER_IMPL_PROVIDERS)
    info["registered"] = registered
    provider = next((p for p in DEPLOYER_IMPL_PROVIDERS if p.TYPE == scheduler_type), None)
    if provider is None:
        info["error"] = "no installed extension registers TYPE %r with Deployer (registered: %s)" % (
            scheduler_type,
            ", ".join(registered) or "none",
        )
        return info
    method = scheduler_type.replace("-", "_")
    if not callable(getattr(Deployer, method, None)):
        info["error"] = "Deployer has no method %r although %s declares TYPE %r" % (
            method, provider.__name__, scheduler_type,
        )
        return info
    module = sys.modules.get(provider.__module__)
    info["deployer_class"] = "%s.%s" % (provider.__module__, provider.__name__)
    module_file = getattr(module, "__file__", None)
    info["module_file"] = module_file
    info["source_root"] = _extension_root(provider.__module__, module_file)
    declared = getattr(module, "SUPPORTED_CAPABILITIES", None)
    if declared is None:
        info["declared"] = None
    else:
        from ..capabilities import parse_caps

        try:
            info["declared"] = sorted(c.value for c in parse_caps(list(declared)))
        except (TypeError, ValueError) as exc:
            info["error"] = "SUPPORTED_CAPABILITIES in %s is invalid: %s" % (provider.__module__, exc)
            return info
    import importlib
    import importlib.util

    if importlib.util.find_spec("pytest") is None:
        info["error"] = "pytest is not installed in %s; the suite needs it (pip install 'mfok[compliance]')" % (
            sys.executable)
        return info
    # What Metaflow's test/ux run needs beside pytest (the runner reports what is missing when it is asked for).
    for key, module in (("omegaconf", "omegaconf"), ("yaml", "yaml"), ("xdist", "xdist"),
                        ("pytest_timeout", "pytest_timeout")):
        try:
            importlib.import_module(module)
            info[key] = True
        except Exception:  # missing, or present and broken: either way the suite cannot use it
            info[key] = False
    info["ok"] = True
    return info


def _extension_root(module_name: str, module_file: str | None) -> str | None:
    """`.../metaflow_extensions/<pkg>`: the extension's own source, which the linter reads."""
    if not module_file:
        return None
    parts = module_name.split(".")
    if parts[0] == "metaflow_extensions" and len(parts) > 2:
        root = os.path.dirname(module_file)
        for _ in range(len(parts) - 3):
            root = os.path.dirname(root)
        return root
    return os.path.dirname(module_file)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(json.dumps({"ok": False, "error": "usage: preflight TYPE"}))
        return 2
    print(json.dumps(inspect_extension(argv[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
