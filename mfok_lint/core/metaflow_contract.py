"""Metaflow's contract with orchestrator extensions, release by release.

Every fact here was read from the source of released Metaflow wheels on PyPI (not from
documentation or memory); ``docs/metaflow-versions.md`` gives, for each fact, the file and the
symbol in Metaflow's source that show it, and ``tests/versions/test_metaflow_contract.py``
re-reads every release named in ``KNOWN_RELEASES`` and fails when a fact below disagrees with
that release's source.

How to read the data:

* ``FACTS[name] = (first, last)``: the fact holds from release ``first`` through release
  ``last``, both included. ``first`` is ``None`` when the fact already holds in the oldest
  release the table knows (2.0.0); ``last`` is ``None`` when it still holds in the newest.
* The option histories (``STEP_OPTIONS``, ``INIT_OPTIONS``, ``TOP_LEVEL_OPTIONS``, ...) use the
  same ``(first, last)`` pairs per option spelling; boolean flags list both spellings.
* A version between two known releases is judged by order: a fact that appeared in 2.12.29 holds
  for 2.12.30 too. A version newer than the newest known release keeps every fact whose ``last``
  is ``None``; one older than 2.0.0 keeps every fact whose ``first`` is ``None`` (an assumption:
  nothing older was checked).

This module imports only the standard library.
"""

from __future__ import annotations

import functools
import re
from typing import Dict, FrozenSet, Iterable, NamedTuple, Optional, Tuple, Union

__all__ = [
    "MetaflowVersion",
    "MetaflowRange",
    "VersionError",
    "KNOWN_RELEASES",
    "FACTS",
    "FACT_DESCRIPTIONS",
    "STEP_OPTIONS",
    "INIT_OPTIONS",
    "TOP_LEVEL_OPTIONS",
    "PROJECT_OPTIONS",
    "CONFIG_OPTIONS",
    "RUNTIME_TOP_LEVEL_OPTIONS",
    "RUNTIME_STEP_OPTIONS",
    "ATTRIBUTE_FILE_KEYS",
    "has",
    "fact_range",
    "step_options",
    "init_options",
    "top_level_options",
    "runtime_top_level_options",
    "runtime_step_options",
    "attribute_file_keys",
    "flow_state_access",
    "newest_known",
    "oldest_known",
    "releases_where_changed",
]


class VersionError(ValueError):
    """A version string that is not a Metaflow release number."""


_STRICT = re.compile(r"^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?\s*$")
# A PEP 440 version: the release segment first, anything after it (pre/post/dev/local) ignored.
_LENIENT = re.compile(r"^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.\d+)*(?:[._+-]?[A-Za-z].*|[+].*)?\s*$")


@functools.total_ordering
class MetaflowVersion:
    """A Metaflow release number: major.minor.patch, missing parts read as 0 ("2.13" == "2.13.0")."""

    __slots__ = ("major", "minor", "patch")

    def __init__(self, major: int, minor: int = 0, patch: int = 0):
        self.major = int(major)
        self.minor = int(minor)
        self.patch = int(patch)

    @classmethod
    def parse(cls, text: Union[str, "MetaflowVersion"], *, strict: bool = True) -> "MetaflowVersion":
        """Read "2.19.7", "2.12" or "2" (strict). With ``strict=False`` a PEP 440 suffix such as
        ".post1", "rc1", ".dev0" or "+local" after the release numbers is accepted and ignored
        (forks and development trees carry such versions)."""
        if isinstance(text, MetaflowVersion):
            return text
        if not isinstance(text, str):
            raise VersionError(f"not a version: {text!r}")
        match = (_STRICT if strict else _LENIENT).match(text)
        if not match:
            raise VersionError(
                f"invalid Metaflow version {text.strip()!r}: expected MAJOR.MINOR[.PATCH], e.g. 2.12 or 2.19.7"
            )
        major, minor, patch = (int(g) if g is not None else 0 for g in match.groups())
        return cls(major, minor, patch)

    @property
    def release(self) -> Tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = MetaflowVersion.parse(other)
            except VersionError:
                return NotImplemented
        if not isinstance(other, MetaflowVersion):
            return NotImplemented
        return self.release == other.release

    def __lt__(self, other: object) -> bool:
        if isinstance(other, str):
            other = MetaflowVersion.parse(other)
        if not isinstance(other, MetaflowVersion):
            return NotImplemented
        return self.release < other.release

    def __hash__(self) -> int:
        return hash(self.release)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    def __repr__(self) -> str:
        return f"MetaflowVersion('{self}')"


V = MetaflowVersion.parse
_Range = Tuple[Optional[str], Optional[str]]

# Every release the table was checked against, oldest first: the milestones (oldest on PyPI, the
# last of 2.9, the first and last of 2.12, 2.13.0, the last of 2.15 and 2.17, 2.19.0, 2.19.7, the
# newest) and, for every change below, the release that brought it and the one just before it.
# (2.4.6 and 2.19.8 were never published.)
KNOWN_RELEASES: Tuple[MetaflowVersion, ...] = tuple(
    V(v)
    for v in (
        "2.0.0", "2.0.5", "2.1.0", "2.2.3", "2.2.4", "2.2.5", "2.2.6", "2.2.13", "2.3.0", "2.3.1",
        "2.4.5", "2.4.7", "2.5.0", "2.5.1", "2.5.4", "2.6.0", "2.6.3", "2.7.0", "2.7.13", "2.7.14",
        "2.9.15", "2.11.4", "2.11.5", "2.11.16", "2.12.0", "2.12.8", "2.12.9", "2.12.13", "2.12.14",
        "2.12.19", "2.12.20", "2.12.28", "2.12.29", "2.12.36", "2.12.37", "2.12.39", "2.13.0",
        "2.13.3", "2.13.4", "2.15.4", "2.15.5", "2.15.17", "2.15.18", "2.15.21", "2.16.0", "2.16.1",
        "2.16.4", "2.16.5", "2.16.6", "2.16.7", "2.17.5", "2.18.13", "2.19.0", "2.19.7", "2.19.9",
        "2.19.10", "2.19.39",
    )
)

# fact -> (first release it holds in, last release it holds in); None = open end.
FACTS: Dict[str, _Range] = {
    # --- @project --------------------------------------------------------------------------
    "project_decorator": ("2.3.0", None),
    "current_project_info": ("2.3.0", None),
    "project_branch_attribute": ("2.13.4", None),
    # --- @config -----------------------------------------------------------------------------
    "config_api": ("2.12.37", None),
    "is_config_parameter": ("2.12.37", None),
    "flow_config_value_env": ("2.12.37", None),
    "flow_config_file_env": ("2.12.37", None),
    "config_options": ("2.12.37", None),
    "flow_state_private_enum": ("2.12.37", "2.19.9"),
    "flow_state_config_decorators": ("2.12.37", "2.16.0"),
    "flow_state_flow_mutators": ("2.16.1", None),
    "flow_state_items": ("2.19.10", None),
    "flow_state_configs_tuple": ("2.19.10", None),
    # --- Runner / Deployer --------------------------------------------------------------------
    "runner_api": ("2.12.0", None),
    "deployer_api": ("2.12.9", None),
    "deployer_impl_providers_desc": ("2.12.9", None),
    "deployer_impl_in_deployer_module": ("2.12.9", "2.12.28"),
    "deployer_impl_base_create_deploys": ("2.12.9", "2.12.28"),
    "enrich_deployed_flow_hook": ("2.12.9", "2.12.28"),
    "deployer_file_read_timeout": ("2.12.14", None),
    "triggered_run_wait_for_run": ("2.12.14", None),
    "attribute_file_additional_info": ("2.12.20", None),
    "deployer_impl_module": ("2.12.29", None),
    "deployer_kwargs_property": ("2.12.29", None),
    "deployed_flow_type": ("2.12.29", None),
    "deployer_impl_private_create": ("2.12.29", None),
    "from_deployment": ("2.12.29", None),
    "wait_for_run_check_interval": ("2.15.5", None),
    "list_deployed_flows": ("2.16.5", None),
    "get_triggered_run": ("2.16.7", None),
    # --- runtime plumbing ----------------------------------------------------------------------
    "vendored_click": ("2.5.1", None),
    "cli_args": (None, None),
    "cli_args_flow_decorator_options": ("2.2.4", None),
    "cli_args_config_value": ("2.12.37", None),
    "dict_to_cli_options": (None, None),
    "batch_forwards_parent_options": (None, None),
    "kubernetes_forwards_parent_options": ("2.6.0", None),
    # --- retries and parameters ----------------------------------------------------------------
    "catch_skips_past_user_code_retries": (None, None),
    "timeout_arms_within_user_code_retries": (None, None),
    "init_parameter_envvars": (None, None),
    "metaflow_parameters_env": ("2.1.0", None),
    # --- single options, for rules that ask about one ------------------------------------------
    "step_with_option": ("2.1.0", "2.13.3"),
    "step_ubf_context_option": ("2.3.1", None),
    "step_num_parallel_option": ("2.4.7", None),
    "step_input_paths_filename_option": ("2.7.14", None),
    "step_clone_wait_only_option": ("2.7.0", "2.11.4"),
    "init_tag_option": ("2.2.6", None),
    "coverage_option": (None, "2.5.0"),
    "local_config_file_option": ("2.12.37", None),
    "force_rebuild_environments_option": ("2.15.18", None),
    "mode_option": ("2.19.0", None),
}

FACT_DESCRIPTIONS: Dict[str, str] = {
    "project_decorator": "@project exists and adds the top-level --branch and --production options",
    "current_project_info": "@project sets current.project_name, branch_name, is_user_branch, is_production, project_flow_name",
    "project_branch_attribute": "@project(branch=..., production=...) may be given as decorator attributes",
    "config_api": "metaflow exports Config and config_expr (@config era)",
    "is_config_parameter": "Parameter.IS_CONFIG_PARAMETER is False, Config's is True (tells configs apart from parameters)",
    "flow_config_value_env": "the --config-value option reads METAFLOW_FLOW_CONFIG_VALUE (a JSON object name -> value)",
    "flow_config_file_env": "the --config option reads METAFLOW_FLOW_CONFIG (a JSON object name -> file)",
    "config_options": "a flow with a Config gets the top-level --config and --config-value options",
    "flow_state_private_enum": "config state is flow._flow_state[_FlowState.CONFIGS], _FlowState a private Enum in metaflow.flowspec",
    "flow_state_config_decorators": "the flow-state enum has CONFIG_DECORATORS (later FLOW_MUTATORS)",
    "flow_state_flow_mutators": "the flow-state enum has FLOW_MUTATORS",
    "flow_state_items": "config state is flow._flow_state[FlowStateItems.CONFIGS], FlowStateItems a public Enum in metaflow.flowspec",
    "flow_state_configs_tuple": "each CONFIGS entry is a (value, plain) pair, not the bare value",
    "runner_api": "metaflow.runner.metaflow_runner.Runner exists",
    "deployer_api": "metaflow.runner.deployer defines Deployer, DeployedFlow and TriggeredRun",
    "deployer_impl_providers_desc": "plugins register deployers through DEPLOYER_IMPL_PROVIDERS_DESC",
    "deployer_impl_in_deployer_module": "DeployerImpl is importable from metaflow.runner.deployer",
    "deployer_impl_base_create_deploys": "DeployerImpl.create in the base class runs the create command itself",
    "enrich_deployed_flow_hook": "subclasses provide _enrich_deployed_flow(deployed_flow) to add methods",
    "deployer_file_read_timeout": "DeployerImpl.__init__ takes file_read_timeout",
    "triggered_run_wait_for_run": "TriggeredRun.wait_for_run exists",
    "attribute_file_additional_info": "create reads additional_info from the deployer attribute file",
    "deployer_impl_module": "DeployerImpl lives in metaflow.runner.deployer_impl",
    "deployer_kwargs_property": "DeployerImpl.deployer_kwargs is a read-only property subclasses override",
    "deployed_flow_type": "DeployerImpl.deployed_flow_type() is a staticmethod subclasses override",
    "deployer_impl_private_create": "DeployerImpl._create(create_class, **kwargs) runs the create command; subclasses' create calls it",
    "from_deployment": "DeployedFlow.from_deployment dispatches to the provider's from_deployment(identifier, metadata)",
    "wait_for_run_check_interval": "TriggeredRun.wait_for_run takes check_interval before timeout",
    "list_deployed_flows": "DeployedFlow.list_deployed_flows dispatches to the provider's list_deployed_flows(flow_name)",
    "get_triggered_run": "DeployedFlow.get_triggered_run dispatches to the provider's get_triggered_run(identifier, run_id, metadata)",
    "vendored_click": "Metaflow builds its CLI on metaflow._vendor.click (before: the PyPI click it depends on)",
    "cli_args": "metaflow.runtime.CLIArgs builds step commands for the local runtime and decorators",
    "cli_args_flow_decorator_options": "CLIArgs adds each flow decorator's get_top_level_options() (so --branch reaches steps)",
    "cli_args_config_value": "CLIArgs forwards --config-value for flows with configs",
    "dict_to_cli_options": "metaflow.util.dict_to_cli_options turns an option dict into CLI tokens",
    "batch_forwards_parent_options": "@batch rebuilds the step command with the parent group's options (ctx.parent.parent.params)",
    "kubernetes_forwards_parent_options": "@kubernetes rebuilds the step command with the parent group's options",
    "catch_skips_past_user_code_retries": "@catch replaces the step body when retry_count > max_user_code_retries",
    "timeout_arms_within_user_code_retries": "@timeout arms only when retry_count <= max_user_code_retries",
    "init_parameter_envvars": "init takes each Parameter as an option and click reads METAFLOW_INIT_<NAME>",
    "metaflow_parameters_env": "some plumbing reads METAFLOW_PARAMETERS (step functions, later airflow)",
    "step_with_option": "the step command accepts --with",
    "step_ubf_context_option": "the step command accepts --ubf-context",
    "step_num_parallel_option": "the step command accepts --num-parallel",
    "step_input_paths_filename_option": "the step command accepts --input-paths-filename",
    "step_clone_wait_only_option": "the step command accepts --clone-wait-only/--no-clone-wait-only",
    "init_tag_option": "the init command accepts --tag",
    "coverage_option": "the top-level group accepts --coverage",
    "local_config_file_option": "the top-level group accepts --local-config-file",
    "force_rebuild_environments_option": "the top-level group accepts --force-rebuild-environments",
    "mode_option": "the top-level group accepts --mode",
}

# Options of `python flow.py step STEP ...` (the click decorators of the `step` command).
STEP_OPTIONS: Dict[str, _Range] = {
    "--run-id": (None, None),
    "--task-id": (None, None),
    "--input-paths": (None, None),
    "--split-index": (None, None),
    "--tag": (None, None),
    "--namespace": (None, None),
    "--retry-count": (None, None),
    "--max-user-code-retries": (None, None),
    "--clone-only": (None, None),
    "--clone-run-id": (None, None),
    "--with": ("2.1.0", "2.13.3"),
    "--ubf-context": ("2.3.1", None),
    "--num-parallel": ("2.4.7", None),
    "--clone-wait-only": ("2.7.0", "2.11.4"),
    "--no-clone-wait-only": ("2.7.0", "2.11.4"),
    "--input-paths-filename": ("2.7.14", None),
}

# Options of `python flow.py init ...`; each flow Parameter is added as --<name> besides these.
INIT_OPTIONS: Dict[str, _Range] = {
    "--run-id": (None, None),
    "--task-id": (None, None),
    "--tag": ("2.2.6", None),
}

# The top-level group's own options (`python flow.py OPTIONS COMMAND ...`).
TOP_LEVEL_OPTIONS: Dict[str, _Range] = {
    "--quiet": (None, None),
    "--not-quiet": (None, None),
    "--metadata": (None, None),
    "--environment": (None, None),
    "--datastore": (None, None),
    "--datastore-root": (None, None),
    "--package-suffixes": (None, None),
    "--with": (None, None),
    "--pylint": (None, None),
    "--no-pylint": (None, None),
    "--event-logger": (None, None),
    "--monitor": (None, None),
    "--coverage": (None, "2.5.0"),
    "--local-config-file": ("2.12.37", None),
    "--force-rebuild-environments": ("2.15.18", None),
    "--no-force-rebuild-environments": ("2.15.18", None),
    "--mode": ("2.19.0", None),
}

# Top-level options a flow gets from @project (FlowDecorator.options of ProjectDecorator).
PROJECT_OPTIONS: Dict[str, _Range] = {
    "--branch": ("2.3.0", None),
    "--production": ("2.3.0", None),
}

# Top-level options a flow gets when it declares a Config.
CONFIG_OPTIONS: Dict[str, _Range] = {
    "--config": ("2.12.37", None),
    "--config-value": ("2.12.37", None),
}

# What Metaflow's own local runtime forwards (runtime.CLIArgs), keys without the leading "--":
# top-level options ...
RUNTIME_TOP_LEVEL_OPTIONS: Dict[str, _Range] = {
    "quiet": (None, None),
    "metadata": (None, None),
    "environment": (None, None),
    "datastore": (None, None),
    "datastore-root": (None, None),
    "event-logger": (None, None),
    "monitor": (None, None),
    "with": (None, None),
    "coverage": (None, "2.5.0"),
    "pylint": ("2.7.0", None),
    "config-value": ("2.12.37", None),
}

# ... and `step` options.
RUNTIME_STEP_OPTIONS: Dict[str, _Range] = {
    "run-id": (None, None),
    "task-id": (None, None),
    "input-paths": (None, None),
    "split-index": (None, None),
    "retry-count": (None, None),
    "max-user-code-retries": (None, None),
    "tag": (None, None),
    "namespace": (None, None),
    "ubf-context": ("2.3.1", None),
}

# Keys Metaflow reads (all with dict.get) from the JSON an extension writes to
# --deployer-attribute-file.
ATTRIBUTE_FILE_KEYS: Dict[str, Dict[str, _Range]] = {
    "create": {
        "name": ("2.12.9", None),
        "flow_name": ("2.12.9", None),
        "metadata": ("2.12.9", None),
        "additional_info": ("2.12.20", None),
    },
    "trigger": {
        "name": ("2.12.9", None),
        "metadata": ("2.12.9", None),
        "pathspec": ("2.12.9", None),
    },
}

VersionLike = Union[str, MetaflowVersion]


def _in_range(rng: _Range, version: VersionLike) -> bool:
    v = MetaflowVersion.parse(version, strict=False)
    first, last = rng
    if first is not None and v < MetaflowVersion.parse(first):
        return False
    if last is not None and v > MetaflowVersion.parse(last):
        return False
    return True


def _select(history: Dict[str, _Range], version: VersionLike) -> FrozenSet[str]:
    return frozenset(name for name, rng in history.items() if _in_range(rng, version))


def has(fact: str, version: VersionLike) -> bool:
    """Does ``fact`` hold in Metaflow ``version``? Unknown fact names raise KeyError."""
    try:
        rng = FACTS[fact]
    except KeyError:
        raise KeyError(f"unknown Metaflow contract fact {fact!r}; known: {', '.join(sorted(FACTS))}") from None
    return _in_range(rng, version)


def fact_range(fact: str) -> Tuple[Optional[MetaflowVersion], Optional[MetaflowVersion]]:
    first, last = FACTS[fact]
    return (
        MetaflowVersion.parse(first) if first else None,
        MetaflowVersion.parse(last) if last else None,
    )


def step_options(version: VersionLike) -> FrozenSet[str]:
    """Option spellings `step` accepts in ``version``."""
    return _select(STEP_OPTIONS, version)


def init_options(version: VersionLike) -> FrozenSet[str]:
    """Option spellings `init` accepts in ``version`` (flow Parameters come on top)."""
    return _select(INIT_OPTIONS, version)


def top_level_options(version: VersionLike, *, project: bool = True, configs: bool = True) -> FrozenSet[str]:
    """Option spellings the top-level group accepts in ``version``. ``project``/``configs``
    add the options a flow with @project / with a Config gets (when the release has them)."""
    out = set(_select(TOP_LEVEL_OPTIONS, version))
    if project:
        out |= _select(PROJECT_OPTIONS, version)
    if configs:
        out |= _select(CONFIG_OPTIONS, version)
    return frozenset(out)


def runtime_top_level_options(version: VersionLike) -> FrozenSet[str]:
    """Top-level options (no leading dashes) Metaflow's runtime puts on every step command;
    flow decorators such as @project add theirs when ``cli_args_flow_decorator_options`` holds."""
    return _select(RUNTIME_TOP_LEVEL_OPTIONS, version)


def runtime_step_options(version: VersionLike) -> FrozenSet[str]:
    """`step` options (no leading dashes) Metaflow's runtime passes to every task."""
    return _select(RUNTIME_STEP_OPTIONS, version)


def attribute_file_keys(kind: str, version: VersionLike) -> FrozenSet[str]:
    """Keys Metaflow reads from the deployer attribute file after ``kind`` ("create" or
    "trigger"); empty before the Deployer API existed."""
    return _select(ATTRIBUTE_FILE_KEYS[kind], version)


def flow_state_access(version: VersionLike) -> Optional[str]:
    """How compile-time code reaches a flow's parsed configs in ``version``, as source text;
    None before configs existed."""
    if has("flow_state_items", version):
        return "from metaflow.flowspec import FlowStateItems; flow._flow_state[FlowStateItems.CONFIGS]  # name -> (value, plain)"
    if has("flow_state_private_enum", version):
        return "from metaflow.flowspec import _FlowState; flow._flow_state.get(_FlowState.CONFIGS, {})  # name -> value"
    return None


class MetaflowRange(NamedTuple):
    """The Metaflow releases code targets, ``oldest`` to ``newest`` (one release for a pin, a bundled copy or an
    explicit ``target-metaflow-version``). A requirement Metaflow added in release V concerns the code when its
    range reaches V; something that became wrong in V, likewise; a fix must work on every release of the range."""

    oldest: MetaflowVersion
    newest: MetaflowVersion

    @classmethod
    def of(cls, version: VersionLike) -> "MetaflowRange":
        v = MetaflowVersion.parse(version) if not isinstance(version, MetaflowVersion) else version
        return cls(v, v)

    def overlaps(self, first: Optional[VersionLike], last: Optional[VersionLike]) -> bool:
        """Some release of the range lies in ``first``..``last`` (None: unbounded)."""
        if first is not None and self.newest < MetaflowVersion.parse(first):
            return False
        return last is None or self.oldest <= MetaflowVersion.parse(last)

    def ever(self, fact: str) -> bool:
        """The fact holds in some release of the range."""
        return self.overlaps(*FACTS[fact])

    def always(self, fact: str) -> bool:
        """The fact holds in every release of the range."""
        first, last = FACTS[fact]
        return (first is None or MetaflowVersion.parse(first) <= self.oldest) and (
            last is None or self.newest <= MetaflowVersion.parse(last)
        )

    def __str__(self) -> str:
        return str(self.oldest) if self.oldest == self.newest else f"{self.oldest} to {self.newest}"


def newest_known() -> MetaflowVersion:
    return KNOWN_RELEASES[-1]


def oldest_known() -> MetaflowVersion:
    return KNOWN_RELEASES[0]


def releases_where_changed() -> Iterable[Tuple[MetaflowVersion, str, str]]:
    """(release, "added"|"removed", fact) for every change the table records, oldest first."""
    events = []
    for name, (first, last) in FACTS.items():
        if first is not None:
            events.append((MetaflowVersion.parse(first), "added", name))
        if last is not None:
            nxt = next((r for r in KNOWN_RELEASES if r > MetaflowVersion.parse(last)), None)
            if nxt is not None:
                events.append((nxt, "removed", name))
    return sorted(events, key=lambda e: (e[0], e[1], e[2]))
