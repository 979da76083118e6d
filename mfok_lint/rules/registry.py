"""The rule registry: one row per rule, written by hand, the only place a rule's metadata lives.

Every other part reads it: selection and the cache key (without importing a rule module or libcst), the rule
classes (code, name and default message come from their row), `mfok-lint rules` and `mfok-lint rule`, the README
table, SARIF's rule metadata and the compliance runner's links from a capability to the rules that protect it.
The catalog page of a rule (`rules_catalog/<CODE>.md`) holds its prose only.

A row says:
- ``code`` and ``name``: the stable code and the kebab-case name (ruff's style); the rule's module is
  ``mfok_lint/rules/<code>_<name>.py`` with ``-`` as ``_`` (``module``);
- ``status``: ``stable`` rules run by default, ``preview`` ones need ``--preview`` or their exact code;
- ``fix`` and ``applicability``: whether a fix is offered (always / sometimes / none) and how far it may be
  trusted (safe: applied by ``--fix``; unsafe: needs ``--unsafe-fixes``; display-only: shown, never applied);
- ``capabilities``: the ``mfok_runtime`` capabilities (``Cap`` names) whose live test fails when the rule's bug
  is present;
- ``metaflow``: the first and last Metaflow release whose contract the rule checks (``None``: no bound);
- ``summary``: one sentence, the rule's default message and its line in every listing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from mfok_lint.core.diagnostics import Applicability

__all__ = ["RULES", "RuleRow", "Status", "Fix", "SAFE", "UNSAFE", "DISPLAY_ONLY", "STABLE", "PREVIEW", "by_code", "by_name"]


class Status(str, enum.Enum):
    STABLE = "stable"
    PREVIEW = "preview"


class Fix(str, enum.Enum):
    """Whether a rule offers a fix."""

    ALWAYS = "always"
    SOMETIMES = "sometimes"
    NONE = "none"

    @property
    def ruff_label(self) -> str:
        """The phrase ruff's `rule --output-format json` uses in its "fix" key."""
        return {
            "always": "Fix is always available.",
            "sometimes": "Fix is sometimes available.",
            "none": "Fix is not available.",
        }[self.value]


STABLE, PREVIEW = Status.STABLE, Status.PREVIEW
SAFE, UNSAFE, DISPLAY_ONLY = Applicability.SAFE, Applicability.UNSAFE, Applicability.DISPLAY_ONLY
DOCS_URL = "https://mfok.readthedocs.io/en/latest/rules/{code}/"


@dataclass(frozen=True)
class RuleRow:
    code: str
    name: str
    status: Status
    fix: Fix
    applicability: Optional[Applicability]
    capabilities: Tuple[str, ...]
    summary: str
    metaflow: Tuple[Optional[str], Optional[str]] = (None, None)

    @property
    def module(self) -> str:
        return f"{self.code.lower()}_{self.name.replace('-', '_')}"

    @property
    def preview(self) -> bool:
        return self.status is Status.PREVIEW

    @property
    def url(self) -> str:
        return DOCS_URL.format(code=self.code)


# fmt: off
RULES: Tuple[RuleRow, ...] = (
    #       code      name                                    status   fix            applicability capabilities
    RuleRow("MFO001", "run-params-tuple",                     STABLE,  Fix.SOMETIMES, SAFE,         ("RUN_PARAMS",),
            "Multi-value option forwarded as a tuple where a `list` is expected"),
    RuleRow("MFO002", "flow-config-value-missing",            STABLE,  Fix.SOMETIMES, UNSAFE,       ("CONFIG_EXPR",),
            "Step environment built without `METAFLOW_FLOW_CONFIG_VALUE`, so `@config` and `@project` see their defaults at task runtime"),
    RuleRow("MFO003", "branch-not-forwarded",                 STABLE,  Fix.SOMETIMES, UNSAFE,       ("PROJECT_BRANCH", "FROM_DEPLOYMENT"),
            "Step or init command does not forward `--branch`/`--production` before the subcommand, so `@project` flows run on the wrong branch"),
    RuleRow("MFO004", "retry-count-hardcoded",                STABLE,  Fix.NONE,      None,         ("RETRY", "CATCH"),
            "`--retry-count` is a constant, so every retry runs as the same attempt and `@catch` never sees the last one"),
    RuleRow("MFO005", "retry-count-one-indexed",              STABLE,  Fix.SOMETIMES, UNSAFE,       ("RETRY", "CATCH"),
            "`--retry-count` is fed a 1-based scheduler attempt counter without subtracting 1; Metaflow numbers attempts from 0"),
    RuleRow("MFO006", "deployment-name-as-identifier",        STABLE,  Fix.SOMETIMES, UNSAFE,       ("FROM_DEPLOYMENT", "PROJECT_BRANCH", "RUN_PARAMS"),
            "An external name (deployment identifier, project-qualified flow name or parameter name) is used whole as a Python identifier in generated source"),
    RuleRow("MFO007", "environment-not-forwarded",            STABLE,  Fix.SOMETIMES, UNSAFE,       ("CONDA",),
            "Step or init command does not forward `--environment` before the subcommand, so `@conda`/`@pypi` steps run outside their environment"),
    RuleRow("MFO008", "input-paths-missing",                  STABLE,  Fix.NONE,      None,         ("LINEAR_DAG", "BRANCHING", "FOREACH", "NESTED_FOREACH"),
            "`step` command lacks `--input-paths`, so the task loads no inputs (and `start` no Parameters)"),
    RuleRow("MFO009", "init-missing-ids",                     STABLE,  Fix.NONE,      None,         ("RUN_PARAMS",),
            "`init` command lacks `--run-id` or `--task-id`, so the start step cannot find the run's parameters"),
    RuleRow("MFO010", "run-param-in-init",                    STABLE,  Fix.NONE,      None,         ("RUN_PARAMS",),
            "`--run-param` passed to Metaflow's `init`, which has no such option"),
    RuleRow("MFO011", "option-wrong-side-of-subcommand",      STABLE,  Fix.SOMETIMES, SAFE,         (),
            "Option is on the wrong side of the `step`/`init` subcommand, so Metaflow's CLI rejects it"),
    RuleRow("MFO012", "branch-preformatted",                  STABLE,  Fix.NONE,      None,         ("PROJECT_BRANCH", "FROM_DEPLOYMENT"),
            "`--branch` is given a branch name `@project` already formatted; pass the raw user branch, or the branch is formatted twice"),
    RuleRow("MFO013", "config-passed-to-init",                PREVIEW, Fix.NONE,      None,         ("CONFIG_EXPR",),
            "Flow parameters from `_get_parameters()` are collected for `init` without skipping configs (`param.IS_CONFIG_PARAMETER`)"),
    RuleRow("MFO014", "split-index-missing",                  PREVIEW, Fix.NONE,      None,         ("FOREACH", "NESTED_FOREACH"),
            "Step command never passes `--split-index`, so foreach-body tasks cannot tell which item they run"),
    RuleRow("MFO015", "max-user-code-retries-missing",        STABLE,  Fix.SOMETIMES, UNSAFE,       ("RETRY", "CATCH"),
            "`--retry-count` is sent without `--max-user-code-retries`, so on retries `@catch` skips the step and `@timeout` does not arm"),
    RuleRow("MFO016", "params-not-forwarded-to-init",         STABLE,  Fix.NONE,      None,         ("RUN_PARAMS",),
            "`init` command never receives the flow's Parameters (no `--<name>` options, no `METAFLOW_INIT_<NAME>`), so every run uses the defaults"),
    RuleRow("MFO017", "fictional-parameter-env",              STABLE,  Fix.NONE,      None,         ("RUN_PARAMS",),
            "Parameters passed as `METAFLOW_PARAMETER_<NAME>` environment variables, which Metaflow never reads; use `--<name>` options or `METAFLOW_INIT_<NAME>` for `init`"),
    RuleRow("MFO018", "internal-type-leak",                   PREVIEW, Fix.NONE,      None,         (),
            "The deployer's own metadata/datastore type is forwarded to workers without restricting it to portable values"),
    RuleRow("MFO019", "host-pythonpath-leak",                 STABLE,  Fix.NONE,      None,         (),
            "The deployer's `PYTHONPATH`/`sys.path` is forwarded into the worker environment"),
    RuleRow("MFO020", "sysroot-runtime-override",             STABLE,  Fix.NONE,      None,         ("LINEAR_DAG",),
            "Worker-side code lets the worker's own `METAFLOW_DATASTORE_SYSROOT_LOCAL` override the value captured at compile time"),
    RuleRow("MFO021", "sysroot-datastore-root-conflation",    STABLE,  Fix.NONE,      None,         ("LINEAR_DAG",),
            "One value is used both as `METAFLOW_DATASTORE_SYSROOT_LOCAL` (the parent directory) and as `--datastore-root` (the `.metaflow` directory)"),
    RuleRow("MFO022", "step-subprocess-orphan",               STABLE,  Fix.NONE,      None,         ("TIMEOUT",),
            "Step subprocess is not terminated when the task is cancelled; it keeps running as an orphan"),
    RuleRow("MFO023", "artifact-pickle-read",                 PREVIEW, Fix.NONE,      None,         ("LINEAR_DAG",),
            "Datastore artifact unpickled by hand instead of read through `FlowDataStore`/the client"),
    RuleRow("MFO024", "artifact-attempt-hardcoded",           STABLE,  Fix.NONE,      None,         ("RETRY",),
            "Artifacts read at a hard-coded attempt; a step that succeeded on retry is missed"),
    RuleRow("MFO025", "manual-retry-loop",                    PREVIEW, Fix.NONE,      None,         ("RETRY", "CATCH"),
            "Step re-run in the extension's own retry loop instead of the scheduler's native retry"),
    RuleRow("MFO026", "tmp-file-handoff",                     STABLE,  Fix.NONE,      None,         ("LINEAR_DAG", "BRANCHING", "FOREACH"),
            "State handed between steps through a fixed `/tmp` file, which other workers and concurrent runs do not share"),
    RuleRow("MFO027", "runtime-step-cli-called",              STABLE,  Fix.NONE,      None,         ("CONFIG_EXPR", "CONDA", "LINEAR_DAG"),
            "Decorator `runtime_step_cli()` called outside Metaflow's runtime; forward decorators with `--with` instead"),
    RuleRow("MFO028", "environment-decorator-ignored",        STABLE,  Fix.NONE,      None,         ("LINEAR_DAG", "CONFIG_EXPR"),
            "Step command built without applying `@environment(vars=...)`; the decorator only works when Metaflow's runtime launches the step"),
    RuleRow("MFO029", "conda-in-process",                     STABLE,  Fix.NONE,      None,         ("CONDA",),
            "Flow code called inside the orchestrator's process (flow module imported, its class instantiated and called), so `@conda`/`@pypi` never activate"),
    RuleRow("MFO030", "trigger-blocks-before-attribute-file", STABLE,  Fix.NONE,      None,         ("LINEAR_DAG",),
            "`trigger` waits for the run before writing `--deployer-attribute-file`, so `Deployer.trigger()` blocks for the whole run"),
    RuleRow("MFO031", "not-supported-without-reason",         STABLE,  Fix.NONE,      None,         (),
            "`NotSupportedException` message names the feature but not the architectural reason it cannot work"),
    RuleRow("MFO032", "fatal-secondary-api-call",             PREVIEW, Fix.NONE,      None,         ("SCHEDULE",),
            "Scheduler call after the deployment was created is not guarded: a transient error aborts `create` although the workflow is already deployed"),
    RuleRow("MFO040", "deployer-kwargs-assigned",             STABLE,  Fix.SOMETIMES, SAFE,         (),
            "`self.deployer_kwargs` assigned in a `DeployerImpl` subclass, where it is a read-only property"),
    RuleRow("MFO041", "from-deployment-signature",            STABLE,  Fix.NONE,      None,         ("FROM_DEPLOYMENT",),
            "`from_deployment` is not a classmethod accepting `(identifier, metadata=None)`"),
    RuleRow("MFO042", "deployed-flow-incomplete",             STABLE,  Fix.NONE,      None,         ("FROM_DEPLOYMENT",),
            "Deployer class lacks members Metaflow requires"),
    RuleRow("MFO043", "sibling-absolute-import",              STABLE,  Fix.SOMETIMES, SAFE,         (),
            "Sibling module imported as a top-level module; it fails inside the package layout"),
    RuleRow("MFO044", "attribute-file-incomplete",            STABLE,  Fix.NONE,      None,         ("LINEAR_DAG", "FROM_DEPLOYMENT"),
            "The `--deployer-attribute-file` JSON lacks keys the deployer reads"),
    RuleRow("MFO045", "builtin-shadowed",                     STABLE,  Fix.NONE,      None,         (),
            "Module-level function named like a builtin that the same module uses"),
    RuleRow("MFO046", "unvendored-click",                     STABLE,  Fix.SOMETIMES, UNSAFE,       (),
            "Extension CLI imports `click` instead of `metaflow._vendor.click`"),
    RuleRow("MFO101", "namespace-package-init",               STABLE,  Fix.ALWAYS,    DISPLAY_ONLY, (),
            "`metaflow_extensions/__init__.py` makes `import metaflow` fail: the package must stay a namespace package"),
    RuleRow("MFO102", "extension-config-misplaced",           STABLE,  Fix.NONE,      None,         (),
            "Extension configuration file is misplaced, misnamed or duplicated: Metaflow ignores it or refuses to load"),
    RuleRow("MFO103", "provider-descriptor-invalid",          STABLE,  Fix.NONE,      None,         (),
            "Plugin descriptor entry is malformed, does not resolve, or names a different `TYPE` than its class"),
    RuleRow("MFO104", "cli-group-structure",                  STABLE,  Fix.NONE,      None,         (),
            "`CLIS_DESC` target is not a click group holding exactly one command named like the provider `TYPE`"),
    RuleRow("MFO201", "matrix-artifact-collision",            STABLE,  Fix.NONE,      None,         (),
            "Artifact uploaded from a matrix job under a name that does not vary with the matrix"),
    RuleRow("MFO202", "env-context-in-env-block",             STABLE,  Fix.NONE,      None,         (),
            "`env` context used inside a workflow- or job-level `env:` map, where it is not available"),
    RuleRow("MFO203", "miniconda-bin-not-on-path",            STABLE,  Fix.NONE,      None,         (),
            "`setup-miniconda` used for conda tests without adding its full `bin/` directory to `$GITHUB_PATH`"),
    RuleRow("MFO204", "parallel-conda-without-loadfile",      STABLE,  Fix.SOMETIMES, SAFE,         (),
            "Conda tests run on parallel pytest-xdist workers without `--dist loadfile`"),
    RuleRow("MFO205", "docker-worker-mounts",                 PREVIEW, Fix.NONE,      None,         (),
            "Worker container started without the workspace and `/tmp` mounted at their host paths"),
    RuleRow("MFO900", "syntax-error",                         STABLE,  Fix.NONE,      None,         (),
            "File cannot be parsed"),
    RuleRow("MFO901", "unused-noqa",                          STABLE,  Fix.ALWAYS,    SAFE,         (),
            "Unused `noqa` directive"),
    RuleRow("MFO902", "invalid-noqa",                         STABLE,  Fix.NONE,      None,         (),
            "Invalid `noqa` directive: unknown MFO code"),
)
# fmt: on

_BY_CODE: Dict[str, RuleRow] = {row.code: row for row in RULES}
_BY_NAME: Dict[str, RuleRow] = {row.name: row for row in RULES}


def by_code() -> Dict[str, RuleRow]:
    """code -> row, in code order."""
    return _BY_CODE


def by_name() -> Dict[str, RuleRow]:
    return _BY_NAME
