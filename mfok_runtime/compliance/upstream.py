"""Metaflow's own UX suite (`test/ux` of a Metaflow checkout) as a second verdict, run by `mfok-run compliance`.

Design decisions:
- The user's checkout is never written to: `test/ux` is copied into the run's isolated root and the copy gets
  its own `ux_test_config.yaml` (written with PyYAML): one backend named after the scheduler type, with the
  `create` deploy arguments as `deploy_args`. The suite's `pytest_generate_tests` reads the YAML beside its
  `conftest.py`, so a copy is the only way to give it a backend list without touching the checkout.
  pytest runs in the copy with `--only-backend NAME` (never `--scheduler-type`, which would drop
  `deploy_args`).
- Isolation, timeouts, workers and reporting are the own suite's: the same isolated environment (plus
  `METAFLOW_HOME` holding a `{}` `config_local.json` and `METAFLOW_PROFILE=local`, which the suite's devstack
  conftest would otherwise point at a folder that does not exist), one JSON event per test from a small
  pytest plugin (`upstream_plugin`), a per-test timeout through pytest-timeout, the worker's time budget.
- `--workers N` uses pytest-xdist (`-n N --dist loadfile`) when the interpreter has it; without it the
  selected modules are split over N pytest processes, whole modules each (see docs/compliance.md).
- Each upstream test is mapped to the capability it exercises, where it has one, so the table shows the
  upstream verdict beside the own one.
- A failure that shows it reached infrastructure this machine lacks (a conda channel, S3, Kubernetes, a
  metadata service, secrets, events) is reported as skipped with that reason, not as a failure.
"""

from __future__ import annotations

import os
import shutil
from typing import Dict, List, Optional, Sequence, Tuple

from ..capabilities import Cap

DEFAULT_MODULES = ("compliance", "basic", "config", "dag")

# (module stem, test function) -> the capability the test exercises.
CAPABILITY_OF: Dict[Tuple[str, str], Cap] = {
    ("test_compliance", "test_run_params_multiple_values"): Cap.RUN_PARAMS,
    ("test_compliance", "test_branch_propagated_to_steps"): Cap.PROJECT_BRANCH,
    ("test_compliance", "test_retry_count_from_scheduler"): Cap.RETRY,
    ("test_compliance", "test_config_value_propagated"): Cap.CONFIG_EXPR,
    ("test_compliance", "test_nested_foreach_or_skip"): Cap.NESTED_FOREACH,
    ("test_compliance", "test_timeout_enforcement"): Cap.TIMEOUT,
    ("test_compliance", "test_timeout_minutes_enforced"): Cap.TIMEOUT,
    ("test_compliance", "test_run_param_not_dropped"): Cap.RUN_PARAMS,
    ("test_basic", "test_hello_world"): Cap.LINEAR_DAG,
    ("test_basic", "test_hello_project"): Cap.PROJECT_BRANCH,
    ("test_basic", "test_from_deployment"): Cap.FROM_DEPLOYMENT,
    ("test_basic", "test_retry"): Cap.RETRY,
    ("test_basic", "test_resources"): Cap.RESOURCES,
    ("test_basic", "test_catch"): Cap.CATCH,
    ("test_basic", "test_timeout"): Cap.TIMEOUT,
    ("test_basic", "test_hello_conda"): Cap.CONDA,
    ("test_basic", "test_resources_cpu"): Cap.RESOURCES,
    ("test_basic", "test_fail_flow_reports_failed_status"): Cap.LINEAR_DAG,
    ("test_basic", "test_split_in_branch_deployer"): Cap.BRANCHING,
    ("test_basic", "test_custom_step_names"): Cap.LINEAR_DAG,
    ("test_basic", "test_single_step_flow"): Cap.LINEAR_DAG,
    ("test_basic", "test_custom_branch_flow"): Cap.BRANCHING,
    ("test_basic", "test_resources_gpu"): Cap.RESOURCES,
    ("test_dag", "test_branch"): Cap.BRANCHING,
    ("test_dag", "test_foreach"): Cap.FOREACH,
    ("test_dag", "test_multibody_foreach"): Cap.FOREACH,
    ("test_dag", "test_retry_foreach"): Cap.RETRY,
    ("test_dag", "test_condition"): Cap.BRANCHING,
    ("test_dag", "test_nested_foreach"): Cap.NESTED_FOREACH,
    ("test_dag", "test_nested_foreach_2x2"): Cap.NESTED_FOREACH,
    ("test_dag", "test_nested_foreach_3level"): Cap.NESTED_FOREACH,
    ("test_config", "test_config_simple_default"): Cap.CONFIG_EXPR,
    ("test_config", "test_config_simple_config_value"): Cap.CONFIG_EXPR,
    ("test_config", "test_config_simple_config"): Cap.CONFIG_EXPR,
    ("test_config", "test_mutable_flow_default"): Cap.CONFIG_EXPR,
    ("test_config", "test_mutable_flow_config_value"): Cap.CONFIG_EXPR,
    ("test_config", "test_config_corner_cases"): Cap.CONFIG_EXPR,
    ("test_config", "test_config_from_deployment"): Cap.FROM_DEPLOYMENT,
    ("test_decorators", "test_environment_vars"): Cap.LINEAR_DAG,
    ("test_decorators", "test_environment_vars_foreach"): Cap.FOREACH,
    ("test_lifecycle", "test_schedule_deploy"): Cap.SCHEDULE,
    ("test_lifecycle", "test_deployed_flow_status"): Cap.LINEAR_DAG,
    ("test_lifecycle", "test_argo_schedule_uses_configured_field"): Cap.SCHEDULE,
    ("test_resume", "test_resume_hello_world"): Cap.RESUME,
    ("test_resume", "test_resume_failed_flow"): Cap.RESUME,
    ("test_resume", "test_resume_foreach"): Cap.RESUME,
    ("test_resume", "test_resume_step_to_rerun"): Cap.RESUME,
}


class UpstreamProblem(Exception):
    """A one-line reason the upstream suite cannot run (exit 2)."""


def ux_dir(metaflow_src: str) -> str:
    return os.path.join(os.path.abspath(os.path.expanduser(metaflow_src)), "test", "ux")


def available_modules(ux: str) -> Dict[str, str]:
    """{"compliance": "core/test_compliance.py", ...}: every test module of the tree, by short name."""
    found = {}
    for sub in ("core", ""):
        folder = os.path.join(ux, sub) if sub else ux
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if name.startswith("test_") and name.endswith(".py") and name != "test_utils.py":
                found.setdefault(name[len("test_"):-3], os.path.join(sub, name) if sub else name)
    return found


def select_modules(metaflow_src: str, requested: Sequence[str]) -> List[str]:
    """Relative paths (under test/ux) of the requested modules; UpstreamProblem names what is wrong."""
    root = os.path.abspath(os.path.expanduser(metaflow_src))
    if not os.path.isdir(root):
        raise UpstreamProblem("--metaflow-src %s: no such directory" % metaflow_src)
    ux = ux_dir(metaflow_src)
    if not os.path.isdir(ux):
        raise UpstreamProblem("--metaflow-src %s has no test/ux directory (a Metaflow checkout has one)" % metaflow_src)
    if not os.path.isfile(os.path.join(ux, "conftest.py")):
        raise UpstreamProblem("%s has no conftest.py; it is not Metaflow's UX suite" % ux)
    modules = available_modules(ux)
    names = []
    for value in requested or DEFAULT_MODULES:
        names.extend(part.strip() for part in value.split(",") if part.strip())
    names = [n[len("test_"):] if n.startswith("test_") else n for n in names]
    names = [n[:-3] if n.endswith(".py") else n for n in names]
    missing = [n for n in names if n not in modules]
    if missing:
        raise UpstreamProblem("--test-modules: %s not in %s (available: %s)" % (
            ", ".join(missing), ux, ", ".join(sorted(modules)) or "none"))
    return [modules[n] for n in dict.fromkeys(names)]


def prepare_tree(metaflow_src: str, dest_root: str, backend: str, scheduler_type: str,
                 deploy_args: Dict[str, object]) -> str:
    """Copy test/ux under dest_root and write its backend list; returns the copy's test/ux path."""
    import yaml

    target = os.path.join(dest_root, "test", "ux")
    shutil.copytree(ux_dir(metaflow_src), target,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".metaflow"))
    config = {
        "backends": [{
            "name": backend,
            "scheduler_type": scheduler_type,
            "cluster": None,
            "decospec": None,
            "enabled": True,
            "deploy_args": dict(deploy_args),
        }]
    }
    with open(os.path.join(target, "ux_test_config.yaml"), "w", encoding="utf-8") as handle:
        handle.write("# Written by mfok-run compliance: one backend, the scheduler under test.\n")
        yaml.safe_dump(config, handle, default_flow_style=False, sort_keys=False)
    return target


def capability_of(nodeid: str) -> Optional[Cap]:
    path, _, rest = nodeid.partition("::")
    module = os.path.basename(path)[:-3] if path.endswith(".py") else os.path.basename(path)
    name = rest.split("::")[-1].split("[", 1)[0]
    return CAPABILITY_OF.get((module, name))


def split_nodeid(nodeid: str) -> Tuple[str, str]:
    """("core/test_basic.py", "test_retry[dagster-deployer]")"""
    path, _, rest = nodeid.partition("::")
    return path, rest


def plan_modules(modules: Sequence[str], workers: int) -> List[List[str]]:
    """Whole modules over at most `workers` buckets, biggest module first (used without pytest-xdist)."""
    buckets: List[List[str]] = [[] for _ in range(max(1, min(workers, len(modules))))]
    for index, module in enumerate(modules):
        buckets[index % len(buckets)].append(module)
    return [b for b in buckets if b]
