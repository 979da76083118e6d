"""Configuration: ``[tool.mfok-lint]`` in pyproject.toml, ``mfok-lint.toml`` / ``.mfok-lint.toml``, ``--config``.

Decisions:
- Key names, value types and layering are ruff's, so a ruff user already knows them. Lint keys may sit at
  the top level or in a ``lint`` sub-table (``[tool.mfok-lint.lint]``); the sub-table wins when both set a key.
- The configuration file is the nearest one walking up from the first linted path (or the working
  directory): in each directory ``.mfok-lint.toml``, then ``mfok-lint.toml``, then a ``pyproject.toml`` that
  has a ``[tool.mfok-lint]`` table. Its directory is the project root, against which exclude and
  per-file-ignores globs are resolved.
- Sources are layers applied in order: defaults, the file, ``--config KEY = VALUE`` overrides, then
  command-line flags. Rule selection is resolved layer by layer like ruff: a layer that sets ``select``
  starts over, one that only extends or ignores adjusts what the earlier layers enabled, and within a layer
  the most specific selector wins. The result is flattened into an explicit code list, so the engine's
  Settings never needs to know how many layers there were.
- Every mistake (unknown key, wrong type, unknown rule selector, unknown output format, bad TOML) is one
  ConfigError line naming the file and the table, with a "did you mean" when a close match exists.
"""

from __future__ import annotations

import difflib
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10 only
    import tomli as tomllib

from mfok_lint.core.settings import OUTPUT_FORMATS, Settings
from mfok_lint.rules import all_rules
from mfok_lint.rules.registry import RULES
from mfok_lint.rules.selection import SelectionError, selector_specificity, validate_selector

CONFIG_FILE_NAMES = (".mfok-lint.toml", "mfok-lint.toml")
PYPROJECT = "pyproject.toml"
TOOL_TABLE = "mfok-lint"


class ConfigError(ValueError):
    """A user mistake in configuration; the message is one line, fit for ``mfok-lint: error: ...``."""


def _output_formats() -> Tuple[str, ...]:
    return OUTPUT_FORMATS


# --------------------------------------------------------------------------------------------------------------
# Schema


def _list_of_str(value: Any) -> Optional[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return "a list of strings"
    return None


def _bool(value: Any) -> Optional[str]:
    return None if isinstance(value, bool) else "true or false"


def _str(value: Any) -> Optional[str]:
    return None if isinstance(value, str) else "a string"


def _table_of_lists(value: Any) -> Optional[str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(c, str) for c in v) for k, v in value.items()
    ):
        return "a table mapping glob patterns to lists of rule codes"
    return None


LINT_KEYS: Dict[str, Callable[[Any], Optional[str]]] = {
    "select": _list_of_str,
    "extend-select": _list_of_str,
    "ignore": _list_of_str,
    "per-file-ignores": _table_of_lists,
    "extend-per-file-ignores": _table_of_lists,
    "preview": _bool,
    "target-metaflow-version": _str,
    # ruff's lint.exclude omits files from linting on top of the general excludes.
    "exclude": _list_of_str,
}

TOP_LEVEL_KEYS: Dict[str, Callable[[Any], Optional[str]]] = {
    **LINT_KEYS,
    "extend-exclude": _list_of_str,
    "force-exclude": _bool,
    "respect-gitignore": _bool,
    "unsafe-fixes": _bool,
    "output-format": _str,
    "cache-dir": _str,
    "fix": _bool,
    "fix-only": _bool,
    "show-fixes": _bool,
}


def _did_you_mean(word: str, candidates: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --------------------------------------------------------------------------------------------------------------
# Layers


@dataclass
class Layer:
    """One source of options: keys normalised to their top-level name (``lint.exclude`` -> ``lint-exclude``)."""

    source: str  # for messages: "pyproject.toml", "--config", "the command line"
    base_dir: str  # relative paths in this layer are relative to it
    values: Dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


def _short(path: str) -> str:
    rel = os.path.relpath(path) if not os.path.relpath(path).startswith("..") else path
    return rel


def _read_toml(path: str) -> Dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise ConfigError(f"{_short(path)}: cannot read: {exc.strerror or exc}") from None
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{_short(path)}: not valid UTF-8 (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{_short(path)}: invalid TOML: {str(exc).splitlines()[0]}") from None


def _validate_table(table: Dict[str, Any], where: str, source: str, layer: Layer, *, top_level: bool) -> None:
    schema = TOP_LEVEL_KEYS if top_level else LINT_KEYS
    allowed = list(schema) + (["lint"] if top_level else [])
    for key, value in table.items():
        if top_level and key == "lint":
            if not isinstance(value, dict):
                raise ConfigError(f"{source}: 'lint' in {where} must be a table")
            sub_where = f"{where[:-1]}.lint]" if where.startswith("[") else "[lint]"
            _validate_table(value, sub_where, source, layer, top_level=False)
            continue
        check = schema.get(key)
        if check is None:
            raise ConfigError(f"{source}: unknown key {key!r} in {where}{_did_you_mean(key, allowed)}")
        problem = check(value)
        if problem is not None:
            raise ConfigError(f"{source}: {key!r} in {where} must be {problem}, not {_describe(value)}")
        name = "lint-exclude" if (key == "exclude" and not top_level) else key
        _validate_value(name, key, value, where, source)
        if not top_level or name not in layer.values:
            layer.values[name] = value


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, list):
        return "a list containing non-strings" if value else "an empty list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def check_selector(selector: str, key: str, where: str, source: str) -> str:
    try:
        return validate_selector(selector)
    except SelectionError:
        candidates = list(all_rules())
        by_name = {rule.name: code for code, rule in all_rules().items()}
        hint = ""
        if selector.strip() in by_name:
            hint = f" (rule names are not selectors; use {by_name[selector.strip()]!r})"
        else:
            hint = _did_you_mean(selector.strip().upper(), candidates)
        context = f" in {key!r} in {where}" if where else ("" if key == source else f" in {key!r}")
        raise ConfigError(f"{source}: unknown rule selector {selector!r}{context}{hint}") from None


def _validate_value(name: str, key: str, value: Any, where: str, source: str) -> None:
    if key in ("select", "extend-select", "ignore"):
        for selector in value:
            check_selector(selector, key, where, source)
    elif key in ("per-file-ignores", "extend-per-file-ignores"):
        for pattern, selectors in value.items():
            if not pattern.strip("!"):
                raise ConfigError(f"{source}: empty glob pattern in {key!r} in {where}")
            for selector in selectors:
                check_selector(selector, key, where, source)
    elif key == "target-metaflow-version":
        from mfok_lint.core.target_version import TargetVersionError, parse_target_version

        try:
            parse_target_version(value)
        except TargetVersionError as exc:
            raise ConfigError(f"{source}: {key!r} in {where}: {exc}") from None
    elif key == "output-format":
        formats = _output_formats()
        if value not in formats:
            raise ConfigError(
                f"{source}: unknown output format {value!r} in {where}{_did_you_mean(value, formats)}; "
                f"expected one of: {', '.join(formats)}"
            )


def layer_from_file(path: str) -> Layer:
    """The options in a config file: ``[tool.mfok-lint]`` of a pyproject.toml, the top level of any other."""
    path = os.path.abspath(path)
    data = _read_toml(path)
    source = _short(path)
    layer = Layer(source=source, base_dir=os.path.dirname(path))
    if os.path.basename(path) == PYPROJECT:
        tool = data.get("tool", {})
        table = tool.get(TOOL_TABLE) if isinstance(tool, dict) else None
        if table is None:
            return layer
        if not isinstance(table, dict):
            raise ConfigError(f"{source}: [tool.{TOOL_TABLE}] must be a table")
        _validate_table(table, f"[tool.{TOOL_TABLE}]", source, layer, top_level=True)
    else:
        _validate_table(data, "the top level", source, layer, top_level=True)
    return layer


def layer_from_inline(text: str, cwd: str) -> Layer:
    """A ruff-style ``--config "KEY = VALUE"`` override (keys of a mfok-lint.toml, dotted ``lint.`` allowed)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"--config {text!r}: neither an existing .toml file nor a valid `KEY = VALUE` override "
            f"({str(exc).splitlines()[0]})"
        ) from None
    layer = Layer(source="--config", base_dir=cwd)
    _validate_table(data, f"override {text!r}", "--config", layer, top_level=True)
    return layer


def has_tool_table(pyproject: str) -> bool:
    data = _read_toml(pyproject)
    tool = data.get("tool")
    return isinstance(tool, dict) and TOOL_TABLE in tool


def find_config_file(start: str) -> Optional[str]:
    """The nearest configuration file at or above ``start`` (a file or a directory)."""
    current = os.path.abspath(start)
    if not os.path.isdir(current):
        current = os.path.dirname(current)
    while True:
        for name in CONFIG_FILE_NAMES:
            candidate = os.path.join(current, name)
            if os.path.isfile(candidate):
                return candidate
        candidate = os.path.join(current, PYPROJECT)
        if os.path.isfile(candidate) and has_tool_table(candidate):
            return candidate
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


# --------------------------------------------------------------------------------------------------------------
# Resolution


def _resolve_rules(layers: Sequence[Layer], preview: bool) -> List[str]:
    """ruff's layered selection, flattened to the enabled codes (read from the registry: no rule is imported)."""
    enabled: Dict[str, bool] = {}
    steps: List[Tuple[Optional[List[str]], List[str], List[str]]] = [(["MFO"], [], [])]
    for layer in layers:
        select = layer.get("select")
        extend = list(layer.get("extend-select") or [])
        ignore = list(layer.get("ignore") or [])
        if select is not None or extend or ignore:
            steps.append((list(select) if select is not None else None, extend, ignore))
    carried: List[str] = []
    for select, extend, ignore in steps:
        positive = list(select or []) + extend
        negative = ignore + carried
        carried = []
        updates: Dict[str, bool] = {}
        for row in RULES:
            code, is_preview = row.code, row.preview
            best_on = max((selector_specificity(s, code) for s in positive), default=-1)
            best_off = max((selector_specificity(s, code) for s in negative), default=-1)
            if best_on < 0 and best_off < 0:
                continue
            if best_off >= best_on:
                updates[code] = False
            elif is_preview and not preview and code not in positive:
                continue  # preview rules need --preview unless named by their exact code
            else:
                updates[code] = True
        if select is not None:
            enabled = {code: True for code, on in updates.items() if on}
            if not select and not extend and ignore:
                carried = ignore
        else:
            for code, on in updates.items():
                if on:
                    enabled[code] = True
                else:
                    enabled.pop(code, None)
    return [row.code for row in RULES if enabled.get(row.code)]


def resolve(layers: Sequence[Layer], *, project_root: str, config_path: Optional[str]) -> Settings:
    """Fold the layers (lowest priority first) into the run's Settings."""

    def last(key: str, default: Any = None) -> Any:
        value = default
        for layer in layers:
            if key in layer.values:
                value = layer.values[key]
        return value

    preview = bool(last("preview", False))
    settings = Settings(
        select=_resolve_rules(layers, preview),
        preview=preview,
        force_exclude=bool(last("force-exclude", False)),
        respect_gitignore=bool(last("respect-gitignore", True)),
        unsafe_fixes=last("unsafe-fixes"),
        target_metaflow_version=last("target-metaflow-version"),
        output_format=last("output-format", "full"),
        project_root=project_root,
        config_path=config_path,
    )
    pfi: Dict[str, List[str]] = {}
    for layer in layers:
        if "per-file-ignores" in layer.values:
            pfi = {k: list(v) for k, v in layer.values["per-file-ignores"].items()}
        for pattern, codes in (layer.get("extend-per-file-ignores") or {}).items():
            pfi.setdefault(pattern, [])
            pfi[pattern].extend(c for c in codes if c not in pfi[pattern])
    settings.per_file_ignores = pfi

    # (pattern, directory it is relative to): discovery anchors each pattern where it was written.
    for layer in layers:
        if "exclude" in layer.values:
            settings.exclude = [(p, layer.base_dir) for p in layer.values["exclude"]]
        for key in ("extend-exclude", "lint-exclude"):
            settings.extend_exclude.extend((p, layer.base_dir) for p in layer.get(key) or [])

    cache_dir = None
    for layer in layers:
        if "cache-dir" in layer.values:
            cache_dir = os.path.join(layer.base_dir, os.path.expanduser(layer.values["cache-dir"]))
    settings.cache_dir = cache_dir
    settings.fix = bool(last("fix", False))
    settings.fix_only = bool(last("fix-only", False))
    settings.show_fixes = bool(last("show-fixes", False))
    return settings


def load_layers(
    *,
    start: str,
    cwd: str,
    config_args: Sequence[str] = (),
    isolated: bool = False,
) -> Tuple[List[Layer], str, Optional[str]]:
    """(layers from files and --config overrides, project root, config file used)."""
    layers: List[Layer] = []
    config_path: Optional[str] = None
    explicit_files = []
    overrides = []
    for arg in config_args:
        candidate = os.path.join(cwd, os.path.expanduser(arg))
        if os.path.isfile(candidate):
            explicit_files.append(candidate)
        elif arg.strip().endswith(".toml") and "=" not in arg:
            raise ConfigError(f"--config {arg!r}: no such configuration file")
        else:
            overrides.append(arg)
    if len(explicit_files) > 1:
        raise ConfigError("--config: only one configuration file may be given")
    if isolated and explicit_files:
        raise ConfigError("--config: a configuration file cannot be combined with --isolated")
    if explicit_files:
        config_path = os.path.abspath(explicit_files[0])
    elif not isolated:
        config_path = find_config_file(start)
    if config_path is not None:
        layers.append(layer_from_file(config_path))
        project_root = os.path.dirname(config_path)
    else:
        project_root = cwd
    for text in overrides:
        layers.append(layer_from_inline(text, cwd))
    return layers, project_root, config_path
