"""Read facts out of a released Metaflow's source, without importing it.

Each release is fetched once with ``pip download --no-deps metaflow==X`` into
``~/.cache/mfok-metaflow-releases`` (override with ``MFOK_METAFLOW_RELEASES``), unpacked
next to the wheel, and read with ``ast``. Every probe below answers one question of
``mfok_lint.core.metaflow_contract`` from the source of one release; the probes are written
independently of the table so that the test comparing the two can fail.
"""

from __future__ import annotations

import ast
import functools
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Callable, Dict, List, Optional, Set

CACHE = Path(os.environ.get("MFOK_METAFLOW_RELEASES", Path.home() / ".cache" / "mfok-metaflow-releases"))


class ReleaseUnavailable(RuntimeError):
    pass


def release_root(version: str) -> Path:
    """The unpacked source tree of metaflow==version (the folder that holds ``metaflow/``)."""
    dest = CACHE / "src" / version
    if (dest / "metaflow" / "__init__.py").exists():
        return dest
    downloads = CACHE / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    wheel = _find_wheel(downloads, version)
    if wheel is None:
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
             "--disable-pip-version-check", "-q", "-d", str(downloads), f"metaflow=={version}"],
            capture_output=True, text=True,
        )
        wheel = _find_wheel(downloads, version)
        if wheel is None:
            raise ReleaseUnavailable(f"pip download metaflow=={version} failed: {proc.stderr.strip()[-500:]}")
    tmp = dest.with_name(dest.name + ".partial")
    if tmp.exists():
        import shutil

        shutil.rmtree(tmp)
    with zipfile.ZipFile(wheel) as zf:
        # Only Metaflow's own Python source holds contract facts; leaving out the vendored
        # libraries, tutorials and card assets keeps the cache small.
        members = [
            n for n in zf.namelist()
            if n.startswith("metaflow/") and n.endswith(".py")
            and not n.startswith(("metaflow/_vendor/", "metaflow/tutorials/"))
        ]
        zf.extractall(tmp, members=members)
    os.replace(tmp, dest)
    return dest


def _find_wheel(folder: Path, version: str) -> Optional[Path]:
    # PyPI spells 2.13.0 as "2.13"; accept both spellings of a trailing zero.
    spellings = {version}
    if version.endswith(".0") and version.count(".") == 2:
        spellings.add(version[: -len(".0")])
    for spelling in spellings:
        for path in folder.glob(f"metaflow-{spelling}-*.whl"):
            return path
    return None


class Release:
    """One release's ``metaflow/`` package, read as text and ``ast``."""

    def __init__(self, version: str):
        self.version = version
        self.root = release_root(version) / "metaflow"

    def exists(self, rel: str) -> bool:
        return (self.root / rel).exists()

    def text(self, rel: str) -> str:
        path = self.root / rel
        return path.read_text(encoding="utf-8") if path.exists() else ""

    @functools.lru_cache(maxsize=None)
    def tree(self, rel: str) -> Optional[ast.Module]:
        path = self.root / rel
        if not path.exists():
            return None
        return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

    def cli_files(self) -> List[str]:
        files = ["cli.py"]
        comp = self.root / "cli_components"
        if comp.is_dir():
            files += sorted(f"cli_components/{p.name}" for p in comp.glob("*.py"))
        return files

    def class_def(self, rel: str, name: str) -> Optional[ast.ClassDef]:
        tree = self.tree(rel)
        if tree is None:
            return None
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name == name:
                return node
        return None

    def method(self, rel: str, cls: str, name: str) -> Optional[ast.FunctionDef]:
        node = self.class_def(rel, cls)
        if node is None:
            return None
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == name:
                return item
        return None


# --- helpers over ast -----------------------------------------------------------------------


def _decorator_names(fn: ast.FunctionDef) -> Set[str]:
    out = set()
    for dec in fn.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        if isinstance(target, ast.Name):
            out.add(target.id)
        elif isinstance(target, ast.Attribute):
            out.add(target.attr)
    return out


def _flag_spellings(call: ast.Call) -> Set[str]:
    names = set()
    for arg in call.args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            for part in arg.value.split("/"):
                part = part.strip()
                if part.startswith("--"):
                    names.add(part)
    return names


def _is_click_option(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "option"
    )


def click_command_options(rel: Release, command: str) -> Set[str]:
    """Every ``--flag`` spelling the click decorators of the CLI function ``command`` declare."""
    found: List[Set[str]] = []
    for path in rel.cli_files():
        tree = rel.tree(path)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef) or node.name != command:
                continue
            if not _decorator_names(node) & {"command", "group"}:
                continue
            opts: Set[str] = set()
            for dec in node.decorator_list:
                if _is_click_option(dec):
                    opts |= _flag_spellings(dec)
            found.append(opts)
    if len(found) != 1:
        raise AssertionError(f"{rel.version}: expected one click command {command!r}, found {len(found)}")
    return found[0]


def project_decorator_options(rel: Release) -> Set[str]:
    cls = rel.class_def("plugins/project_decorator.py", "ProjectDecorator")
    if cls is None:
        return set()
    for item in cls.body:
        if isinstance(item, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "options" for t in item.targets
        ):
            if isinstance(item.value, ast.Dict):
                return {
                    "--" + k.value.replace("_", "-")
                    for k in item.value.keys
                    if isinstance(k, ast.Constant)
                }
    return set()


def config_input_options(rel: Release) -> Set[str]:
    """The ``--config``/``--config-value`` options inserted when a flow declares a Config."""
    tree = rel.tree("user_configs/config_options.py")
    if tree is None:
        return set()
    out = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "Option"
            and node.args
            and isinstance(node.args[0], ast.List)
        ):
            for elt in node.args[0].elts:
                if isinstance(elt, ast.Constant) and isinstance(elt.value, str) and elt.value.startswith("--"):
                    out.add(elt.value)
    return out


def keyword_envvars(rel: Release, path: str) -> Set[str]:
    tree = rel.tree(path)
    if tree is None:
        return set()
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg == "envvar" and isinstance(kw.value, ast.Constant):
                    out.add(kw.value.value)
    return out


def enum_members(rel: Release, cls_name: str, base: str = "Enum") -> Optional[Set[str]]:
    cls = rel.class_def("flowspec.py", cls_name)
    if cls is None or not any(ast.unparse(b) == base for b in cls.bases):
        return None
    return {
        t.id
        for item in cls.body
        if isinstance(item, ast.Assign)
        for t in item.targets
        if isinstance(t, ast.Name)
    }


def _configs_assigned_tuple(rel: Release) -> bool:
    """config_options.py stores each parsed config in the flow state as a (value, plain) tuple."""
    tree = rel.tree("user_configs/config_options.py")
    if tree is None:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Tuple):
            for target in node.targets:
                text = ast.unparse(target)
                if "_flow_state" in text and ".CONFIGS]" in text:
                    return True
    return False


def _deployer_impl_file(rel: Release) -> Optional[str]:
    for path in ("runner/deployer_impl.py", "runner/deployer.py"):
        if rel.class_def(path, "DeployerImpl") is not None:
            return path
    return None


def _impl_method(rel: Release, name: str) -> Optional[ast.FunctionDef]:
    path = _deployer_impl_file(rel)
    return rel.method(path, "DeployerImpl", name) if path else None


def _only_raises(fn: ast.FunctionDef) -> bool:
    body = [s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    return len(body) == 1 and isinstance(body[0], ast.Raise)


def deployed_flow_classmethod_calls(rel: Release) -> Dict[str, int]:
    """How the DeployedFlow injection calls each provider classmethod: name -> positional arg count."""
    tree = rel.tree("runner/deployer.py")
    out: Dict[str, int] = {}
    if tree is None:
        return out
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Call)
            and isinstance(node.func.value.func, ast.Attribute)
            and node.func.value.func.attr == "deployed_flow_type"
        ):
            out[node.func.attr] = len(node.args)
    return out


def attribute_file_keys(rel: Release, kind: str) -> Set[str]:
    """Keys Metaflow reads from the --deployer-attribute-file JSON after create or trigger."""
    if kind == "create":
        fns = [f for f in (_impl_method(rel, "_create"), _impl_method(rel, "create")) if f is not None]
        fns = [f for f in fns if not _only_raises(f)]
    else:
        fn = rel.method("runner/deployer.py", "TriggeredRun", "__init__")
        fns = [fn] if fn is not None else []
    keys = set()
    for fn in fns:
        for node in ast.walk(fn):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in ("content", "content_json")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                keys.add(node.args[0].value)
    return keys


def _arg_names(fn: Optional[ast.FunctionDef]) -> List[str]:
    if fn is None:
        return []
    a = fn.args
    return [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]


def cli_args_dict_keys(rel: Release, attr: str) -> Set[str]:
    """String keys the local runtime's CLIArgs puts in ``self.<attr>`` for a ``step`` command."""
    cls = rel.class_def("runtime.py", "CLIArgs")
    keys: Set[str] = set()
    if cls is None:
        return keys
    # spin_args (2.19+) builds the options of the separate `spin-step` command: not `step`'s.
    methods = [m for m in cls.body if isinstance(m, ast.FunctionDef) and not m.name.startswith("spin")]
    for node in (n for m in methods for n in ast.walk(m)):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == attr
                    and isinstance(node.value, ast.Dict)
                ):
                    keys |= {k.value for k in node.value.keys if isinstance(k, ast.Constant)}
        # self.top_level_options["config-value"] = ...
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Attribute)
                    and target.value.attr == attr
                    and isinstance(target.slice, ast.Constant)
                ):
                    keys.add(target.slice.value)
    return keys


def _calls_method(node: ast.AST, name: str) -> bool:
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == name
        for n in ast.walk(node)
    )


def _compares(rel: Release, path: str, op_text: str) -> bool:
    tree = rel.tree(path)
    if tree is None:
        return False
    return any(
        isinstance(n, ast.Compare) and op_text in ast.unparse(n)
        for n in ast.walk(tree)
    )


def _project_update_env_keys(rel: Release) -> Set[str]:
    tree = rel.tree("plugins/project_decorator.py")
    keys: Set[str] = set()
    if tree is None:
        return keys
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "_update_env"
            and node.args
            and isinstance(node.args[0], ast.Dict)
        ):
            keys |= {k.value for k in node.args[0].keys if isinstance(k, ast.Constant)}
    return keys


def _project_reads_attribute(rel: Release, key: str) -> bool:
    tree = rel.tree("plugins/project_decorator.py")
    if tree is None:
        return False
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "self.attributes"
            and isinstance(node.slice, ast.Constant)
            and node.slice.value == key
        ):
            return True
    return False


def _init_param_envvars(rel: Release) -> bool:
    """init takes each flow Parameter as an option, and main() runs the group with the METAFLOW
    auto-envvar prefix, so click reads METAFLOW_INIT_<NAME>."""
    has_custom = False
    for path in rel.cli_files():
        tree = rel.tree(path)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name == "init":
                if "add_custom_parameters" in _decorator_names(node):
                    has_custom = True
    tree = rel.tree("cli.py")
    prefix = any(
        isinstance(n, ast.keyword) and n.arg == "auto_envvar_prefix"
        and isinstance(n.value, ast.Constant) and n.value.value == "METAFLOW"
        for n in ast.walk(tree)
    )
    return has_custom and prefix


def _reads_env(rel: Release, name: str) -> bool:
    """Some module reads os.environ[name] / os.environ.get(name)."""
    for path in rel.root.rglob("*.py"):
        rel_path = str(path.relative_to(rel.root))
        if "_vendor" in rel_path:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if name not in text:
            continue
        tree = rel.tree(rel_path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
                if ast.unparse(node.func.value) == "os.environ" and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value == name:
                    return True
            if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
                if isinstance(node.slice, ast.Constant) and node.slice.value == name:
                    return True
    return False


def _cli_imports_click_from(rel: Release, module: str) -> bool:
    """``cli.py`` binds ``click`` from ``module`` (``from metaflow._vendor import click``), not ``import click``."""
    tree = rel.tree("cli.py")
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == module and node.level == 0:
            if any(a.name == "click" and a.asname is None for a in node.names):
                return True
    return False


def _init_exports(rel: Release, *names: str) -> bool:
    tree = rel.tree("__init__.py")
    exported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            exported |= {a.asname or a.name for a in node.names}
    return all(n in exported for n in names)


def _parent_params_forwarded(rel: Release, path: str) -> bool:
    tree = rel.tree(path)
    if tree is None:
        return False
    return any(
        isinstance(n, ast.Call) and ast.unparse(n.func).endswith("dict_to_cli_options")
        and n.args and ast.unparse(n.args[0]) == "ctx.parent.parent.params"
        for n in ast.walk(tree)
    )


def _has_function(rel: Release, path: str, name: str) -> bool:
    tree = rel.tree(path)
    return tree is not None and any(
        isinstance(n, ast.FunctionDef) and n.name == name for n in tree.body
    )


def _has_class(rel: Release, path: str, *names: str) -> bool:
    return all(rel.class_def(path, n) is not None for n in names)


def _is_property(fn: Optional[ast.FunctionDef]) -> bool:
    return fn is not None and "property" in _decorator_names(fn)


def _is_static(fn: Optional[ast.FunctionDef]) -> bool:
    return fn is not None and "staticmethod" in _decorator_names(fn)


def _module_assigns(rel: Release, path: str, name: str) -> bool:
    tree = rel.tree(path)
    return tree is not None and any(
        isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in n.targets)
        for n in tree.body
    )


def _class_assigns(rel: Release, path: str, cls: str, name: str) -> bool:
    node = rel.class_def(path, cls)
    return node is not None and any(
        isinstance(item, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in item.targets)
        for item in node.body
    )


def _module_binds(rel: Release, path: str, name: str) -> bool:
    """``name`` is importable from the module: defined or imported at its top level."""
    tree = rel.tree(path)
    if tree is None:
        return False
    for n in tree.body:
        if isinstance(n, ast.ClassDef) and n.name == name:
            return True
        if isinstance(n, ast.ImportFrom) and any((a.asname or a.name) == name for a in n.names):
            return True
    return False


# --- the probes: fact name -> question asked of one release ---------------------------------

PROBES: Dict[str, Callable[[Release], bool]] = {
    # @project
    "project_decorator": lambda r: {"--branch", "--production"} <= project_decorator_options(r),
    "current_project_info": lambda r: {
        "project_name", "branch_name", "is_user_branch", "is_production", "project_flow_name"
    } <= _project_update_env_keys(r),
    "project_branch_attribute": lambda r: _project_reads_attribute(r, "branch")
    and _project_reads_attribute(r, "production"),
    # @config
    "config_api": lambda r: _init_exports(r, "Config", "config_expr"),
    "is_config_parameter": lambda r: _class_assigns(r, "parameters.py", "Parameter", "IS_CONFIG_PARAMETER")
    and _class_assigns(r, "user_configs/config_parameters.py", "Config", "IS_CONFIG_PARAMETER"),
    "flow_config_value_env": lambda r: "METAFLOW_FLOW_CONFIG_VALUE"
    in keyword_envvars(r, "user_configs/config_options.py"),
    "flow_config_file_env": lambda r: "METAFLOW_FLOW_CONFIG"
    in keyword_envvars(r, "user_configs/config_options.py"),
    "config_options": lambda r: {"--config", "--config-value"} <= config_input_options(r),
    "flow_state_private_enum": lambda r: "CONFIGS" in (enum_members(r, "_FlowState") or ()),
    "flow_state_items": lambda r: "CONFIGS" in (enum_members(r, "FlowStateItems") or ()),
    "flow_state_flow_mutators": lambda r: "FLOW_MUTATORS"
    in ((enum_members(r, "FlowStateItems") or set()) | (enum_members(r, "_FlowState") or set())),
    "flow_state_config_decorators": lambda r: "CONFIG_DECORATORS" in (enum_members(r, "_FlowState") or ()),
    "flow_state_configs_tuple": _configs_assigned_tuple,
    # Runner / Deployer
    "runner_api": lambda r: _has_class(r, "runner/metaflow_runner.py", "Runner"),
    "deployer_api": lambda r: _has_class(r, "runner/deployer.py", "Deployer", "DeployedFlow", "TriggeredRun"),
    "deployer_impl_providers_desc": lambda r: _module_assigns(r, "plugins/__init__.py", "DEPLOYER_IMPL_PROVIDERS_DESC"),
    "deployer_impl_module": lambda r: _has_class(r, "runner/deployer_impl.py", "DeployerImpl"),
    "deployer_impl_in_deployer_module": lambda r: _module_binds(r, "runner/deployer.py", "DeployerImpl"),
    "deployer_kwargs_property": lambda r: _is_property(_impl_method(r, "deployer_kwargs")),
    "deployed_flow_type": lambda r: _is_static(_impl_method(r, "deployed_flow_type")),
    "deployer_impl_private_create": lambda r: _impl_method(r, "_create") is not None,
    "deployer_impl_base_create_deploys": lambda r: _impl_method(r, "create") is not None
    and not _only_raises(_impl_method(r, "create")),
    "enrich_deployed_flow_hook": lambda r: _impl_method(r, "_enrich_deployed_flow") is not None,
    "deployer_file_read_timeout": lambda r: "file_read_timeout" in _arg_names(_impl_method(r, "__init__")),
    "from_deployment": lambda r: deployed_flow_classmethod_calls(r).get("from_deployment") == 2,
    "list_deployed_flows": lambda r: deployed_flow_classmethod_calls(r).get("list_deployed_flows") == 1,
    "get_triggered_run": lambda r: deployed_flow_classmethod_calls(r).get("get_triggered_run") == 3,
    "triggered_run_wait_for_run": lambda r: r.method("runner/deployer.py", "TriggeredRun", "wait_for_run") is not None,
    "wait_for_run_check_interval": lambda r: "check_interval"
    in _arg_names(r.method("runner/deployer.py", "TriggeredRun", "wait_for_run")),
    "attribute_file_additional_info": lambda r: "additional_info" in attribute_file_keys(r, "create"),
    # runtime plumbing
    "vendored_click": lambda r: _cli_imports_click_from(r, "metaflow._vendor"),
    "cli_args": lambda r: _has_class(r, "runtime.py", "CLIArgs"),
    "cli_args_flow_decorator_options": lambda r: r.class_def("runtime.py", "CLIArgs") is not None
    and _calls_method(r.class_def("runtime.py", "CLIArgs"), "get_top_level_options"),
    "cli_args_config_value": lambda r: "config-value" in cli_args_dict_keys(r, "top_level_options"),
    "dict_to_cli_options": lambda r: _has_function(r, "util.py", "dict_to_cli_options"),
    "batch_forwards_parent_options": lambda r: _parent_params_forwarded(r, "plugins/aws/batch/batch_cli.py"),
    "kubernetes_forwards_parent_options": lambda r: _parent_params_forwarded(r, "plugins/kubernetes/kubernetes_cli.py"),
    # retries, parameters
    "catch_skips_past_user_code_retries": lambda r: _compares(r, "plugins/catch_decorator.py", "retry_count > max_user_code_retries"),
    "timeout_arms_within_user_code_retries": lambda r: _compares(r, "plugins/timeout_decorator.py", "retry_count <= max_user_code_retries"),
    "init_parameter_envvars": _init_param_envvars,
    "metaflow_parameters_env": lambda r: _reads_env(r, "METAFLOW_PARAMETERS"),
}


def _step(r: Release, flag: str) -> bool:
    return flag in click_command_options(r, "step")


def _init(r: Release, flag: str) -> bool:
    return flag in click_command_options(r, "init")


def _top(r: Release, flag: str) -> bool:
    return flag in click_command_options(r, "start")


PROBES.update({
    "step_with_option": lambda r: _step(r, "--with"),
    "step_ubf_context_option": lambda r: _step(r, "--ubf-context"),
    "step_num_parallel_option": lambda r: _step(r, "--num-parallel"),
    "step_input_paths_filename_option": lambda r: _step(r, "--input-paths-filename"),
    "step_clone_wait_only_option": lambda r: _step(r, "--clone-wait-only"),
    "init_tag_option": lambda r: _init(r, "--tag"),
    "coverage_option": lambda r: _top(r, "--coverage"),
    "local_config_file_option": lambda r: _top(r, "--local-config-file"),
    "force_rebuild_environments_option": lambda r: _top(r, "--force-rebuild-environments"),
    "mode_option": lambda r: _top(r, "--mode"),
})


def step_options(r: Release) -> Set[str]:
    return click_command_options(r, "step")


def init_options(r: Release) -> Set[str]:
    return click_command_options(r, "init")


def top_level_options(r: Release) -> Set[str]:
    """The start group's own options plus those @project and Config parameters add."""
    return click_command_options(r, "start") | project_decorator_options(r) | config_input_options(r)


def all_facts(r: Release) -> Dict[str, bool]:
    return {name: bool(probe(r)) for name, probe in PROBES.items()}
