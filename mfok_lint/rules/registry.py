"""The rule registry: one row per rule, written by hand, the only place a rule's metadata lives.

Every other part reads it: selection and the cache key (without importing a rule module or libcst), the rule
classes (code, name and default message come from their row), `mfok-lint rules` and `mfok-lint rule`, the README
table, SARIF's rule metadata and the compliance runner's links from a capability to the rules that protect it.
The catalog page of a rule (`rules_catalog/<CODE>.md`) holds its prose only.

A row says:
- ``code`` and ``name``: the stable code and the kebab-case name (ruff's style); the rule's module is
  ``mfok_lint/rules/<code>_<name>.py`` with ``-`` as ``_`` (``module``);
- ``kind``: the unit the rule checks: a Python module (``PYTHON``; template files are linted as the string
  constant they stand for), the extension package around a configuration file (``PACKAGE``), a GitHub Actions
  workflow (``WORKFLOW``), or nothing, because the engine itself reports it (``ENGINE``);
- ``status``: ``stable`` rules run by default, ``preview`` ones need ``--preview`` or their exact code;
- ``fix`` and ``applicability``: whether a fix is offered (always / sometimes / none) and how far it may be
  trusted (safe: applied by ``--fix``; unsafe: needs ``--unsafe-fixes``; display-only: shown, never applied);
- ``capabilities``: the ``mfok_runtime`` capabilities (``Cap`` names) whose live test fails when the rule's bug
  is present;
- ``metaflow``: the first and last Metaflow release whose contract the rule checks (``None``: no bound), from
  ``core.metaflow_contract``: the rule runs on code whose targeted releases reach into that range;
- ``summary``: one sentence, the rule's default message and its line in every listing.

"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from mfok_lint.core.diagnostics import Applicability

__all__ = ["RULES", "RuleRow", "RuleKind", "Status", "FixAvailability", "SAFE", "UNSAFE", "DISPLAY_ONLY", "STABLE", "PREVIEW", "by_code", "by_name"]


class Status(str, enum.Enum):
    STABLE = "stable"
    PREVIEW = "preview"


class FixAvailability(str, enum.Enum):
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


class RuleKind(str, enum.Enum):
    """What a rule checks: the unit the engine hands it."""

    PYTHON = "python"  # one Python module (or a template file, linted as the string constant it stands for)
    PACKAGE = "package"  # the extension package around a configuration file (cross-file)
    YAML = "yaml"  # a GitHub Actions workflow file
    META = "meta"  # nothing: the engine itself reports it (syntax errors, noqa bookkeeping)


STABLE, PREVIEW = Status.STABLE, Status.PREVIEW
ALWAYS, SOMETIMES, NEVER = FixAvailability.ALWAYS, FixAvailability.SOMETIMES, FixAvailability.NONE
PYTHON, PACKAGE, WORKFLOW, ENGINE = RuleKind.PYTHON, RuleKind.PACKAGE, RuleKind.YAML, RuleKind.META
SAFE, UNSAFE, DISPLAY_ONLY = Applicability.SAFE, Applicability.UNSAFE, Applicability.DISPLAY_ONLY
DOCS_URL = "https://mfok.readthedocs.io/en/latest/rules/{code}/"


@dataclass(frozen=True)
class RuleRow:
    code: str
    name: str
    kind: RuleKind
    status: Status
    fix: FixAvailability
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

    @property
    def fix_label(self) -> str:
        """``none``, or how far the fix may be trusted and how often it is offered: ``safe (sometimes)``,
        ``unsafe (always)``, ``display-only (sometimes)``; the README's table and ``mfok-lint rules`` show it."""
        if self.fix is FixAvailability.NONE or self.applicability is None:
            return "none"
        return f"{self.applicability.value} ({self.fix.value})"

    @property
    def metaflow_range(self) -> str:
        """``2.12.37 and later``, ``up to 2.13.3``, ``2.12.9 to 2.12.28``, ``every release``."""
        first, last = self.metaflow
        if first and last:
            return f"{first} to {last}"
        if first:
            return f"{first} and later"
        return f"up to {last}" if last else "every release"


# fmt: off
RULES: Tuple[RuleRow, ...] = (
    #       code      name                                    kind      status   fix        applicability capabilities
    #       summary
    RuleRow("MFO001", "run-params-tuple",                     PYTHON,   STABLE,  SOMETIMES, SAFE,         ("RUN_PARAMS",),
            "Multi-value option forwarded as a tuple where a `list` is expected"),
    RuleRow("MFO002", "flow-config-value-missing",            PYTHON,   STABLE,  SOMETIMES, UNSAFE,       ("CONFIG_EXPR",),
            "Step environment built without `METAFLOW_FLOW_CONFIG_VALUE`, so `@config` and `@project` see their defaults at task runtime",
            metaflow=("2.12.37", None)),
    RuleRow("MFO003", "branch-not-forwarded",                 PYTHON,   STABLE,  SOMETIMES, UNSAFE,       ("PROJECT_BRANCH", "FROM_DEPLOYMENT"),
            "Step or init command does not forward `--branch`/`--production` before the subcommand, so `@project` flows run on the wrong branch",
            metaflow=("2.3.0", None)),
    RuleRow("MFO004", "retry-count-hardcoded",                PYTHON,   STABLE,  NEVER,      None,         ("RETRY", "CATCH"),
            "`--retry-count` is a constant, so every retry runs as the same attempt and `@catch` never sees the last one"),
    RuleRow("MFO005", "retry-count-one-indexed",              PYTHON,   STABLE,  SOMETIMES, UNSAFE,       ("RETRY", "CATCH"),
            "`--retry-count` is fed a 1-based scheduler attempt counter without subtracting 1; Metaflow numbers attempts from 0"),
    RuleRow("MFO006", "deployment-name-as-identifier",        PYTHON,   STABLE,  SOMETIMES, UNSAFE,       ("FROM_DEPLOYMENT", "PROJECT_BRANCH", "RUN_PARAMS"),
            "An external name (deployment identifier, project-qualified flow name or parameter name) is used whole as a Python identifier in generated source"),
    RuleRow("MFO007", "environment-not-forwarded",            PYTHON,   STABLE,  SOMETIMES, UNSAFE,       ("CONDA",),
            "Step or init command does not forward `--environment` before the subcommand, so `@conda`/`@pypi` steps run outside their environment"),
    RuleRow("MFO008", "input-paths-missing",                  PYTHON,   STABLE,  NEVER,      None,         ("LINEAR_DAG", "BRANCHING", "FOREACH", "NESTED_FOREACH"),
            "`step` command lacks `--input-paths`, so the task loads no inputs (and `start` no Parameters)"),
    RuleRow("MFO009", "init-missing-ids",                     PYTHON,   STABLE,  NEVER,      None,         ("RUN_PARAMS",),
            "`init` command lacks `--run-id` or `--task-id`, so the start step cannot find the run's parameters"),
    RuleRow("MFO010", "run-param-in-init",                    PYTHON,   STABLE,  NEVER,      None,         ("RUN_PARAMS",),
            "`--run-param` passed to Metaflow's `init`, which has no such option"),
    RuleRow("MFO011", "option-wrong-side-of-subcommand",      PYTHON,   STABLE,  SOMETIMES, SAFE,         (),
            "Option is on the wrong side of the `step`/`init` subcommand, so Metaflow's CLI rejects it"),
    RuleRow("MFO012", "branch-preformatted",                  PYTHON,   STABLE,  NEVER,      None,         ("PROJECT_BRANCH", "FROM_DEPLOYMENT"),
            "`--branch` is given a branch name `@project` already formatted; pass the raw user branch, or the branch is formatted twice",
            metaflow=("2.3.0", None)),
    RuleRow("MFO013", "config-passed-to-init",                PYTHON,   PREVIEW, NEVER,      None,         ("CONFIG_EXPR",),
            "Flow parameters from `_get_parameters()` are collected for `init` without skipping configs (`param.IS_CONFIG_PARAMETER`)",
            metaflow=("2.12.37", None)),
    RuleRow("MFO014", "split-index-missing",                  PYTHON,   PREVIEW, NEVER,      None,         ("FOREACH", "NESTED_FOREACH"),
            "Step command never passes `--split-index`, so foreach-body tasks cannot tell which item they run"),
    RuleRow("MFO015", "max-user-code-retries-missing",        PYTHON,   STABLE,  SOMETIMES, UNSAFE,       ("RETRY", "CATCH"),
            "`--retry-count` is sent without `--max-user-code-retries` (or with a constant 0), so on retries `@catch` skips the step and `@timeout` does not arm"),
    RuleRow("MFO016", "params-not-forwarded-to-init",         PYTHON,   STABLE,  NEVER,      None,         ("RUN_PARAMS",),
            "`init` command never receives the flow's Parameters (no `--<name>` options, no `METAFLOW_INIT_<NAME>`), so every run uses the defaults"),
    RuleRow("MFO017", "fictional-parameter-env",              PYTHON,   STABLE,  NEVER,      None,         ("RUN_PARAMS",),
            "Parameters passed as `METAFLOW_PARAMETER_<NAME>` environment variables, which Metaflow never reads; use `--<name>` options or `METAFLOW_INIT_<NAME>` for `init`"),
    RuleRow("MFO018", "internal-type-leak",                   PYTHON,   PREVIEW, NEVER,      None,         (),
            "The deployer's own metadata/datastore type is forwarded to workers without restricting it to portable values"),
    RuleRow("MFO019", "host-pythonpath-leak",                 PYTHON,   STABLE,  NEVER,      None,         (),
            "The deployer's `PYTHONPATH`/`sys.path` is forwarded into the worker environment"),
    RuleRow("MFO020", "sysroot-runtime-override",             PYTHON,   STABLE,  NEVER,      None,         ("LINEAR_DAG",),
            "Worker-side code lets the worker's own `METAFLOW_DATASTORE_SYSROOT_LOCAL` override the value captured at compile time"),
    RuleRow("MFO021", "sysroot-datastore-root-conflation",    PYTHON,   STABLE,  NEVER,      None,         ("LINEAR_DAG",),
            "One value is used both as `METAFLOW_DATASTORE_SYSROOT_LOCAL` (the parent directory) and as `--datastore-root` (the `.metaflow` directory)"),
    RuleRow("MFO022", "step-subprocess-orphan",               PYTHON,   STABLE,  NEVER,      None,         ("TIMEOUT",),
            "Step subprocess is not terminated when the task is cancelled; it keeps running as an orphan"),
    RuleRow("MFO023", "artifact-pickle-read",                 PYTHON,   PREVIEW, NEVER,      None,         ("LINEAR_DAG",),
            "Datastore artifact unpickled by hand instead of read through `FlowDataStore`/the client"),
    RuleRow("MFO024", "artifact-attempt-hardcoded",           PYTHON,   STABLE,  NEVER,      None,         ("RETRY",),
            "Artifacts read at a hard-coded attempt; a step that succeeded on retry is missed"),
    RuleRow("MFO025", "manual-retry-loop",                    PYTHON,   PREVIEW, NEVER,      None,         ("RETRY", "CATCH"),
            "Step re-run in the extension's own retry loop instead of the scheduler's native retry"),
    RuleRow("MFO026", "tmp-file-handoff",                     PYTHON,   STABLE,  NEVER,      None,         ("LINEAR_DAG", "BRANCHING", "FOREACH"),
            "State handed between steps through a fixed `/tmp` file, which other workers and concurrent runs do not share"),
    RuleRow("MFO027", "runtime-step-cli-called",              PYTHON,   STABLE,  NEVER,      None,         ("CONFIG_EXPR", "CONDA", "LINEAR_DAG"),
            "Decorator `runtime_step_cli()` called outside Metaflow's runtime; forward decorators with `--with` instead"),
    RuleRow("MFO028", "environment-decorator-ignored",        PYTHON,   STABLE,  NEVER,      None,         ("LINEAR_DAG", "CONFIG_EXPR"),
            "Step command built without applying `@environment(vars=...)`; the decorator only works when Metaflow's runtime launches the step"),
    RuleRow("MFO029", "conda-in-process",                     PYTHON,   STABLE,  NEVER,      None,         ("CONDA",),
            "Flow code called inside the orchestrator's process (flow module imported, its class instantiated and called), so `@conda`/`@pypi` never activate"),
    RuleRow("MFO030", "trigger-blocks-before-attribute-file", PYTHON,   STABLE,  NEVER,      None,         ("LINEAR_DAG",),
            "`trigger` waits for the run before writing `--deployer-attribute-file`, so `Deployer.trigger()` blocks for the whole run",
            metaflow=("2.12.9", None)),
    RuleRow("MFO031", "not-supported-without-reason",         PYTHON,   STABLE,  NEVER,      None,         (),
            "`NotSupportedException` message names the feature but not the architectural reason it cannot work"),
    RuleRow("MFO032", "fatal-secondary-api-call",             PYTHON,   PREVIEW, NEVER,      None,         ("SCHEDULE",),
            "Scheduler call after the deployment was created is not guarded: a transient error aborts `create` although the workflow is already deployed"),
    RuleRow("MFO033", "retry-count-run-level-counter",        PYTHON,   PREVIEW, NEVER,      None,         ("RETRY",),
            "`--retry-count` is fed a counter of the whole workflow run's attempts, not of the task's, so task retries all run as one attempt"),
    RuleRow("MFO034", "input-paths-encoded",                  PYTHON,   PREVIEW, NEVER,      None,         ("LINEAR_DAG",),
            "`--input-paths` is given an encoding of the path list that Metaflow's `decompress_list` cannot read"),
    RuleRow("MFO035", "container-artifacts-root-owned",       PYTHON,   PREVIEW, NEVER,      None,         (),
            "Container bind-mounts the local datastore, the workspace or `/tmp` read-write without `--user`, so the host user cannot read or remove what it writes"),
    RuleRow("MFO036", "worker-child-outlives-sigterm",        PYTHON,   PREVIEW, NEVER,      None,         (),
            "A worker program starts the step as a child without handling `SIGTERM`, so stopping the worker leaves the step running"),
    RuleRow("MFO040", "deployer-kwargs-assigned",             PYTHON,   STABLE,  SOMETIMES, SAFE,         (),
            "`self.deployer_kwargs` assigned in a `DeployerImpl` subclass, where it is a read-only property",
            metaflow=("2.12.29", None)),
    RuleRow("MFO041", "from-deployment-signature",            PYTHON,   STABLE,  NEVER,      None,         ("FROM_DEPLOYMENT",),
            "`from_deployment` is not a classmethod accepting `(identifier, metadata=None)`",
            metaflow=("2.12.29", None)),
    RuleRow("MFO042", "deployed-flow-incomplete",             PYTHON,   STABLE,  NEVER,      None,         ("FROM_DEPLOYMENT",),
            "Deployer class lacks members Metaflow requires",
            metaflow=("2.12.29", None)),
    RuleRow("MFO043", "sibling-absolute-import",              PYTHON,   STABLE,  SOMETIMES, SAFE,         (),
            "Sibling module imported as a top-level module; it fails inside the package layout"),
    RuleRow("MFO044", "attribute-file-incomplete",            PYTHON,   STABLE,  NEVER,      None,         ("LINEAR_DAG", "FROM_DEPLOYMENT"),
            "The `--deployer-attribute-file` JSON lacks keys the deployer reads",
            metaflow=("2.12.9", None)),
    RuleRow("MFO045", "builtin-shadowed",                     PYTHON,   STABLE,  NEVER,      None,         (),
            "Module-level function named like a builtin that the same module uses"),
    RuleRow("MFO046", "unvendored-click",                     PYTHON,   STABLE,  SOMETIMES, UNSAFE,       (),
            "Extension CLI imports `click` instead of `metaflow._vendor.click`",
            metaflow=("2.5.1", None)),
    RuleRow("MFO047", "from-deployment-identifier-mismatch",  PYTHON,   STABLE,  NEVER,      None,         ("FROM_DEPLOYMENT",),
            "`from_deployment` parses its identifier as JSON while `create` writes a plain deployment name, so the name Metaflow reports cannot be handed back",
            metaflow=("2.12.29", None)),
    RuleRow("MFO048", "deployer-option-undeclared",           PYTHON,   STABLE,  NEVER,      None,         (),
            "The Deployer calls one of the extension's commands with a keyword that command does not declare: Metaflow's click API rejects it",
            metaflow=("2.12.9", None)),
    RuleRow("MFO049", "step-option-undeclared",               PYTHON,   PREVIEW, NEVER,      None,         (),
            "A step decorator sends its step through the extension's `<group> step` command with an option that command does not declare"),
    RuleRow("MFO050", "run-params-dropped",                   PYTHON,   PREVIEW, NEVER,      None,         ("RUN_PARAMS",),
            "A command parses `--run-param` and never sends the values: triggered runs silently use the parameters' defaults"),
    RuleRow("MFO051", "triggered-run-id-invented",            PYTHON,   PREVIEW, NEVER,      None,         (),
            "`trigger` writes a pathspec whose run id it made up and never gave the run: `TriggeredRun.run` never finds it",
            metaflow=("2.12.9", None)),
    RuleRow("MFO052", "generated-fstring-escaped",            PYTHON,   PREVIEW, NEVER,      None,         (),
            "Generated f-string written with doubled braces through `%` formatting: the emitted code prints `{name}` instead of the value"),
    RuleRow("MFO053", "empty-namespace-option",               PYTHON,   STABLE,  NEVER,      None,         (),
            "The step's `--namespace` falls back to `\"\"`, which moves the task out of its default namespace"),
    RuleRow("MFO054", "numeric-id-unregistered",              PYTHON,   PREVIEW, NEVER,      None,         (),
            "`--task-id`/`--run-id` is a made-up number: the metadata providers take it for a service-issued id and never register it"),
    RuleRow("MFO101", "namespace-package-init",               PACKAGE,  STABLE,  ALWAYS,    DISPLAY_ONLY, (),
            "`metaflow_extensions/__init__.py` makes `import metaflow` fail: the package must stay a namespace package"),
    RuleRow("MFO102", "extension-config-misplaced",           PACKAGE,  STABLE,  NEVER,      None,         (),
            "Extension configuration file is misplaced, misnamed or duplicated: Metaflow ignores it or refuses to load"),
    RuleRow("MFO103", "provider-descriptor-invalid",          PACKAGE,  STABLE,  NEVER,      None,         (),
            "Plugin descriptor entry is malformed, does not resolve, or names a different `TYPE` than its class"),
    RuleRow("MFO104", "cli-group-structure",                  PACKAGE,  STABLE,  NEVER,      None,         (),
            "`CLIS_DESC` target is not a click group holding exactly one command named like the provider `TYPE`"),
    RuleRow("MFO201", "matrix-artifact-collision",            WORKFLOW, STABLE,  NEVER,      None,         (),
            "Artifact uploaded from a matrix job under a name that does not vary with the matrix"),
    RuleRow("MFO202", "env-context-in-env-block",             WORKFLOW, STABLE,  NEVER,      None,         (),
            "`env` context used inside a workflow- or job-level `env:` map, where it is not available"),
    RuleRow("MFO203", "miniconda-bin-not-on-path",            WORKFLOW, STABLE,  NEVER,      None,         (),
            "`setup-miniconda` used for conda tests without adding its full `bin/` directory to `$GITHUB_PATH`"),
    RuleRow("MFO204", "parallel-conda-without-loadfile",      WORKFLOW, STABLE,  SOMETIMES, SAFE,         (),
            "Conda tests run on parallel pytest-xdist workers without `--dist loadfile`"),
    RuleRow("MFO205", "docker-worker-mounts",                 WORKFLOW, PREVIEW, NEVER,      None,         (),
            "Worker container started without the workspace and `/tmp` mounted at their host paths"),
    RuleRow("MFO900", "syntax-error",                         ENGINE,   STABLE,  NEVER,      None,         (),
            "File cannot be parsed"),
    RuleRow("MFO901", "unused-noqa",                          ENGINE,   STABLE,  ALWAYS,    SAFE,         (),
            "Unused `noqa` directive"),
    RuleRow("MFO902", "invalid-noqa",                         ENGINE,   STABLE,  NEVER,      None,         (),
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
