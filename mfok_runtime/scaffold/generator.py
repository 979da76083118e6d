"""Render the extension templates and write them to disk.

Design decisions:
- Every template is rendered in memory first, with ``StrictUndefined``, so a template bug or a missing
  variable fails before a single byte reaches the disk.
- The tree is written into a fresh temporary directory *inside* the output directory and moved into place
  with one ``os.replace``: a failure half-way leaves nothing behind, and ``--force`` swaps the old tree out
  only once the new one is complete (the old one is restored if the swap fails).
- Template paths spell hidden names as ``dot-`` (``dot-github/``, ``dot-pre-commit-config.yaml``) and the
  extension name as ``__name__``: hidden files are skipped by package-data globs, and a literal directory
  named after a placeholder would be importable nonsense.
- Names are checked against a static list of Metaflow's own commands and built-in deployers (2.19.x),
  extended at run time with whatever the installed Metaflow registers, so a clash is caught even when
  Metaflow grows a new command.
"""

from __future__ import annotations

import builtins
import json
import keyword
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from typing import Dict, Iterator, Optional, Tuple

import jinja2

from .requirement import MfokRequirement, default_requirement

NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*\Z")
MAX_NAME_LENGTH = 40

# Metaflow 2.19.x top-level commands and deployer types, normalised with "-" -> "_" because that is how
# the Deployer exposes a provider (Deployer(flow).argo_workflows()).
METAFLOW_COMMANDS = frozenset(
    {
        "airflow",
        "argo_workflows",
        "batch",
        "card",
        "check",
        "dump",
        "help",
        "init",
        "kubernetes",
        "logs",
        "output_dot",
        "output_raw",
        "package",
        "resume",
        "run",
        "show",
        "spin",
        "spin_step",
        "spot_metadata",
        "step",
        "step_functions",
        "tag",
        "version",
    }
)

# Attributes a Deployer instance sets in __init__: an extension named like one of them would be shadowed
# by the instance attribute and Deployer(flow).NAME() would fail.
DEPLOYER_ATTRIBUTES = frozenset(
    {"flow_file", "show_output", "profile", "env", "cwd", "file_read_timeout", "top_level_kwargs"}
)

# Names that would make the generated package itself collide with Metaflow's import machinery.
RESERVED_PACKAGE_NAMES = frozenset({"metaflow", "metaflow_extensions", "plugins", "config", "toplevel"})

HIDDEN_PREFIX = "dot-"
NAME_PLACEHOLDER = "__name__"
TEMPLATE_SUFFIX = ".j2"


class ScaffoldError(Exception):
    """A user-facing failure: the message is one line and the CLI exits with ``exit_code``."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class ExtensionNames:
    """Every spelling of the extension name the templates need."""

    name: str

    @property
    def class_prefix(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("_") if part)

    @property
    def distribution(self) -> str:
        return "metaflow-" + self.name.replace("_", "-")

    @property
    def env_prefix(self) -> str:
        return "METAFLOW_" + self.name.upper()

    def context(self) -> Dict[str, str]:
        return {
            "name": self.name,
            "cls": self.class_prefix,
            "distribution": self.distribution,
            "env_prefix": self.env_prefix,
        }


def _installed_metaflow_names() -> frozenset:
    """Commands and deployer types the installed Metaflow registers (empty when Metaflow is absent)."""
    try:
        from metaflow import plugins
    except Exception:  # any import failure just means "no extra names to avoid"
        return frozenset()
    names = set()
    for name, _ in getattr(plugins, "CLIS_DESC", []):
        names.add(name.replace("-", "_"))
    for provider in getattr(plugins, "DEPLOYER_IMPL_PROVIDERS", []):
        if getattr(provider, "TYPE", None):
            names.add(provider.TYPE.replace("-", "_"))
    return frozenset(names)


def validate_name(name: str) -> str:
    """Return ``name`` if it can name an extension, else raise ScaffoldError with the reason."""
    shown = repr(name)
    if not name:
        raise ScaffoldError("extension name is empty")
    if not NAME_PATTERN.match(name):
        raise ScaffoldError(
            f"invalid extension name {shown}: use a lowercase identifier matching [a-z][a-z0-9_]* "
            "(it becomes a Python package, a click command and a Deployer method)"
        )
    if len(name) > MAX_NAME_LENGTH:
        raise ScaffoldError(f"invalid extension name {shown}: longer than {MAX_NAME_LENGTH} characters")
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise ScaffoldError(f"invalid extension name {shown}: it is a Python keyword")
    if name in METAFLOW_COMMANDS or name in _installed_metaflow_names():
        raise ScaffoldError(
            f"invalid extension name {shown}: Metaflow already has a command or deployer with that name"
        )
    if name in DEPLOYER_ATTRIBUTES:
        raise ScaffoldError(f"invalid extension name {shown}: it is an attribute of metaflow's Deployer")
    if name in RESERVED_PACKAGE_NAMES:
        raise ScaffoldError(f"invalid extension name {shown}: it is reserved by Metaflow's extension loader")
    if hasattr(builtins, name):
        raise ScaffoldError(
            f"invalid extension name {shown}: it shadows the Python builtin of the same name in generated code"
        )
    return name


def _template_root():
    return resources.files("mfok_runtime.scaffold").joinpath("templates")


def _iter_templates(root, prefix: str = "") -> Iterator[Tuple[str, object]]:
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__":
            continue
        relative = f"{prefix}{entry.name}"
        if entry.is_dir():
            yield from _iter_templates(entry, relative + "/")
        elif entry.name.endswith(TEMPLATE_SUFFIX):
            yield relative, entry


def _output_path(template_path: str, name: str) -> str:
    parts = []
    for part in template_path[: -len(TEMPLATE_SUFFIX)].split("/"):
        if part.startswith(HIDDEN_PREFIX):
            part = "." + part[len(HIDDEN_PREFIX) :]
        parts.append(part.replace(NAME_PLACEHOLDER, name))
    return "/".join(parts)


def _toml_string(value: str) -> str:
    # a TOML basic string: JSON's escapes are valid TOML escapes, and ensure_ascii keeps it one line
    return json.dumps(value)


def _yaml_string(value: str) -> str:
    # a single-quoted YAML scalar: nothing inside is special but the quote, which is doubled
    return "'%s'" % value.replace("'", "''")


def render_package(name: str, mfok_requirement: Optional[MfokRequirement] = None) -> Dict[str, str]:
    """Render every template for ``name``: a mapping of relative POSIX path -> file content.

    ``mfok_requirement`` is where the package's test extra and CI install mfok from (default: where the
    running mfok was installed from, see requirement.py).
    """
    validate_name(name)
    requirement = mfok_requirement or default_requirement()
    environment = jinja2.Environment(
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    environment.filters["toml_string"] = _toml_string
    environment.filters["yaml_string"] = _yaml_string
    context: Dict[str, object] = dict(ExtensionNames(name).context())
    context["mfok_requirement"] = requirement.requirement
    # it lands in comments: one line, whatever a path held
    context["mfok_assumption"] = " ".join(requirement.assumption.split())
    rendered: Dict[str, str] = {}
    for template_path, entry in _iter_templates(_template_root()):
        source = entry.read_text(encoding="utf-8")
        try:
            text = environment.from_string(source).render(**context)
        except jinja2.TemplateError as exc:
            raise ScaffoldError(f"template {template_path} failed to render: {exc}", exit_code=1) from exc
        rendered[_output_path(template_path, name)] = text
    return rendered


def _check_inside(base: str, relative: str) -> str:
    target = os.path.realpath(os.path.join(base, relative))
    if os.path.commonpath([target, base]) != base:
        raise ScaffoldError(f"refusing to write {relative!r}: it resolves outside {base}", exit_code=1)
    return target


def write_package(
    name: str, output_dir: str = ".", force: bool = False, mfok_requirement: Optional[MfokRequirement] = None
) -> str:
    """Render and write ``output_dir/name``; returns the path written. Raises ScaffoldError."""
    validate_name(name)
    files = render_package(name, mfok_requirement)

    base = os.path.realpath(output_dir)
    if os.path.exists(base) and not os.path.isdir(base):
        raise ScaffoldError(f"output directory {output_dir!r} exists and is not a directory")
    target = os.path.join(base, name)
    if os.path.lexists(target):
        if not force:
            raise ScaffoldError(f"{target} already exists; pass --force to replace it")
        if os.path.islink(target) or not os.path.isdir(target):
            raise ScaffoldError(f"{target} exists and is not a directory; refusing to replace it")

    created_base = not os.path.exists(base)
    try:
        os.makedirs(base, exist_ok=True)
    except OSError as exc:
        raise ScaffoldError(f"cannot create output directory {output_dir!r}: {exc.strerror}") from exc

    staging = None
    try:
        staging = tempfile.mkdtemp(prefix=f".{name}.", suffix=".partial", dir=base)
        for relative, text in files.items():
            path = _check_inside(staging, relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        os.chmod(staging, 0o755)
        _swap_into_place(staging, target)
        staging = None
    except OSError as exc:
        raise ScaffoldError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
            if created_base:
                _remove_empty(base)
    return target


def _swap_into_place(staging: str, target: str) -> None:
    if not os.path.lexists(target):
        os.replace(staging, target)
        return
    backup = tempfile.mkdtemp(prefix=os.path.basename(target) + ".", suffix=".old", dir=os.path.dirname(target))
    os.rmdir(backup)
    os.replace(target, backup)
    try:
        os.replace(staging, target)
    except OSError:
        os.replace(backup, target)
        raise
    shutil.rmtree(backup, ignore_errors=True)


def _remove_empty(path: str) -> None:
    try:
        os.rmdir(path)
    except OSError:
        pass
