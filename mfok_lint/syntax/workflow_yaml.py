"""Workflow files (``.github/workflows/*.yml``): parsed with PyYAML's composer, which keeps a line and column for
every node, so a finding points at the exact offending key. Imported only when a workflow file is linted.

Design decisions for the helpers the workflow rules share:
- Rules walk the composed node tree, never loaded Python values, so every answer keeps its source position.
  Anything of an unexpected shape (a list where a mapping belongs) reads as absent: a workflow GitHub would
  reject is not these rules' business, and a rule must not crash on it.
- ``run:`` scripts are split into logical shell lines whose pieces keep their exact source row and column
  (block scalars are read from the source lines themselves), so a finding inside a script points at the
  offending word and a fix can edit it. Words come from ``shlex`` after ``${{ }}`` expressions are squeezed into
  single words; comments never count.
- Whether a pytest run executes conda tests is decided once here (``conda_tests_enabled``), because MFO203 and
  MFO204 must agree on it.
- A pytest run is a run wherever the workflow gives it: a ``run:`` script, a script an action runs from a
  ``with:`` input (``command:`` of a retry action, ``run:`` of an xvfb action; bash or sh only), or pytest's own
  arguments given to an action that runs pytest (``options:`` of ``dariocurr/pytest-summary``, an input named
  ``pytest-args``). The same options mean the same thing there, and a reader (or a rule) looking only at
  ``run:`` scripts misses them.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

import yaml

if TYPE_CHECKING:  # pragma: no cover
    from mfok_lint.syntax.source_file import SourceFile


# Navigation helpers shared by the workflow rules. They work on the composed node tree (not on loaded Python
# values) so every answer still carries its source position; anything of an unexpected shape reads as absent,
# because a workflow GitHub would reject is not these rules' business.

_EXPRESSION_RE = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
_TRUTHY = {"1", "true", "yes", "on", "y"}


def scalar_text(node: Optional[yaml.Node]) -> Optional[str]:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def mapping_items(node: Optional[yaml.Node]) -> List[Tuple[yaml.ScalarNode, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        return []
    return [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)]


def get_item(node: Optional[yaml.Node], key: str) -> Optional[Tuple[yaml.ScalarNode, yaml.Node]]:
    for k, v in mapping_items(node):
        if k.value == key:
            return k, v
    return None


def get_value(node: Optional[yaml.Node], key: str) -> Optional[yaml.Node]:
    item = get_item(node, key)
    return item[1] if item else None


def sequence_items(node: Optional[yaml.Node]) -> List[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def jobs(root: Optional[yaml.Node]) -> List[Tuple[yaml.ScalarNode, yaml.MappingNode]]:
    """(job id key, job mapping) for every job of the workflow."""
    return [(k, v) for k, v in mapping_items(get_value(root, "jobs")) if isinstance(v, yaml.MappingNode)]


def steps(job: yaml.Node) -> List[yaml.MappingNode]:
    return [s for s in sequence_items(get_value(job, "steps")) if isinstance(s, yaml.MappingNode)]


def action_of(step: yaml.Node) -> Optional[str]:
    """``owner/repo[/path]`` of a step's ``uses:``, lower-cased and without the ``@ref``."""
    uses = scalar_text(get_value(step, "uses"))
    if not uses:
        return None
    return uses.split("@", 1)[0].strip().lower()


def expressions(text: str) -> List[str]:
    """The bodies of the ``${{ ... }}`` expressions in a string."""
    return [m.group(1) for m in _EXPRESSION_RE.finditer(text or "")]


def strip_string_literals(expression: str) -> str:
    """An expression with its single-quoted literals blanked, so ``'env.X'`` text is not read as a context."""
    return re.sub(r"'(?:[^']|'')*'", "''", expression)


def env_map(node: Optional[yaml.Node]) -> Dict[str, str]:
    return {k.value: (scalar_text(v) or "") for k, v in mapping_items(node)}


def matrix_values(job: yaml.Node, axis: str) -> Optional[List[str]]:
    """Every value the job's ``strategy.matrix`` gives ``axis`` (including ``include`` entries), or None when the
    matrix is computed (an expression) or lacks the axis."""
    matrix = get_value(get_value(job, "strategy"), "matrix")
    if not isinstance(matrix, yaml.MappingNode):
        return None
    values: List[str] = []
    found = False
    for key, value in mapping_items(matrix):
        if key.value == axis:
            found = True
            values.extend(scalar_text(v) or "" for v in sequence_items(value))
            if isinstance(value, yaml.ScalarNode):
                values.append(value.value)
        elif key.value == "include":
            for entry in sequence_items(value):
                item = get_value(entry, axis)
                if item is not None:
                    found = True
                    values.append(scalar_text(item) or "")
    return values if found else None


def value_may_be_truthy(value: str, job: yaml.Node) -> bool:
    """A flag value that enables something in at least one run: a truthy literal, or ``${{ matrix.X }}`` whose
    axis holds a truthy literal. Other expressions are unknown and read as off."""
    text = value.strip().strip("'\"").strip()
    if text.lower() in _TRUTHY:
        return True
    match = re.fullmatch(r"\$\{\{\s*matrix\.([\w-]+)\s*\}\}", text)
    if match:
        return any(v.strip().lower() in _TRUTHY for v in (matrix_values(job, match.group(1)) or []))
    return False


@dataclass
class ScriptLine:
    """One logical shell command line of a ``run:`` script (backslash continuations joined) and where it
    starts in the workflow file (1-based row and column)."""

    text: str
    row: int
    column: int
    # (row, column, text) of every physical line the logical line spans, for positions past a continuation
    pieces: List[Tuple[int, int, str]] = field(default_factory=list)

    def find(self, needle: str) -> Optional[Tuple[int, int]]:
        """Source (row, column) of the first physical piece containing ``needle``."""
        for row, column, text in self.pieces:
            index = text.find(needle)
            if index >= 0:
                return row, column + index
        return None


def script_lines(ctx: "SourceFile", node: yaml.Node) -> List[ScriptLine]:
    """The logical lines of a scalar script (backslash continuations joined), each piece mapped to its source
    position. Block scalars are read from the source lines themselves, so positions are exact: a literal (``|``)
    line is a line, a folded (``>``) run of equally indented lines is one line, as the shell will see it.
    Flow scalars are matched line by line against the source they span; a line that cannot be found there
    (escapes in a quoted string) keeps the position of the previous match."""
    if not isinstance(node, yaml.ScalarNode):
        return []
    physical = _block_lines(ctx, node) if node.style in ("|", ">") else _flow_lines(ctx, node)
    logical: List[ScriptLine] = []
    pending: Optional[ScriptLine] = None
    for pieces in physical:
        text = " ".join(piece for _row, _col, piece in pieces)
        if pending is None:
            if not text:
                continue
            pending = ScriptLine(text, pieces[0][0], pieces[0][1])
        else:
            pending.text += " " + text
        pending.pieces.extend(pieces)
        if pending.text.endswith("\\"):
            pending.text = pending.text[:-1].rstrip()
            continue
        logical.append(pending)
        pending = None
    if pending is not None:
        logical.append(pending)
    return logical


def _block_lines(ctx: "SourceFile", node: yaml.ScalarNode) -> List[List[Tuple[int, int, str]]]:
    source_lines = ctx.text.split("\n")
    last = node.end_mark.line if node.end_mark.column == 0 else node.end_mark.line + 1
    rows = []
    for index in range(node.start_mark.line + 1, min(last, len(source_lines))):
        raw = source_lines[index].rstrip("\r")
        stripped = raw.strip()
        rows.append((index + 1, len(raw) - len(raw.lstrip()) + 1, stripped, len(raw) - len(raw.lstrip())))
    content_indents = [indent for _row, _col, text, indent in rows if text]
    base = min(content_indents) if content_indents else 0
    lines: List[List[Tuple[int, int, str]]] = []
    folding = False
    for row, col, text, indent in rows:
        piece = (row, col, text)
        # Folded scalars join adjacent lines at the base indentation; more-indented lines stay as they are.
        if node.style == ">" and text and indent == base and folding:
            lines[-1].append(piece)
        else:
            lines.append([piece] if text else [])
        folding = node.style == ">" and bool(text) and indent == base
    return lines


def _flow_lines(ctx: "SourceFile", node: yaml.ScalarNode) -> List[List[Tuple[int, int, str]]]:
    source_lines = ctx.text.split("\n")
    cursor = node.start_mark.line
    last_row, last_col = node.start_mark.line + 1, node.start_mark.column + 1
    lines: List[List[Tuple[int, int, str]]] = []
    for raw in node.value.split("\n"):
        stripped = raw.strip()
        if stripped:
            for index in range(cursor, min(node.end_mark.line + 1, len(source_lines))):
                col = source_lines[index].find(stripped)
                if col >= 0:
                    cursor = index + 1
                    last_row, last_col = index + 1, col + 1
                    break
        lines.append([(last_row, last_col, stripped)] if stripped else [])
    return lines


def shell_commands(line: str) -> List[List[str]]:
    """Simple commands of one shell line (split on ``;``, ``&&``, ``||``, ``|``, ``&``), each a list of words;
    redirections stay words of their command and parentheses are not split off (``$(pwd)`` stays one word).
    ``${{ }}`` expressions become single words first, so their inner spaces do not split arguments; a line shlex
    cannot tokenize falls back to whitespace splitting."""
    line = _EXPRESSION_RE.sub(lambda m: "${{" + "".join(m.group(1).split()) + "}}", line)
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|<>")
    lexer.whitespace_split = True
    try:
        words = list(lexer)
    except ValueError:
        words = line.split()
    commands: List[List[str]] = [[]]
    for word in words:
        if word and all(ch in ";&|" for ch in word):
            commands.append([])
        else:
            commands[-1].append(word)
    return [c for c in commands if c]


# Commands that run another command given later on their line (``uv run pytest``, ``timeout 600 pytest``).
_COMMAND_WRAPPERS = {
    "uv", "poetry", "pipenv", "hatch", "pdm", "coverage", "xvfb-run", "env", "time", "timeout", "nice", "sudo",
    "conda", "mamba", "micromamba", "pixi", "tox", "nox", "stdbuf",
}  # fmt: skip
_PACKAGE_VERBS = {"install", "add", "pip", "sync", "create", "update", "upgrade", "remove", "uninstall"}
_PYTHON_RE = re.compile(r"^python(\d+(\.\d+)?)?$")


def pytest_arguments(command: List[str]) -> Optional[Tuple[Dict[str, str], List[str]]]:
    """For a simple command that runs pytest: (inline ``VAR=value`` assignments, pytest's arguments); else None.
    Recognises ``pytest``, ``py.test``, ``python -m pytest`` and wrappers whose line runs one of those later
    (``uv run pytest``, ``coverage run -m pytest``, ``timeout 600 pytest``, ``conda run -n env pytest``)."""
    assignments: Dict[str, str] = {}
    index = 0
    while index < len(command) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", command[index]):
        name, _, value = command[index].partition("=")
        assignments[name] = value
        index += 1
    words = command[index:]
    if not words:
        return None
    first = words[0].rsplit("/", 1)[-1]
    if first in ("pytest", "py.test"):
        return assignments, words[1:]
    if _PYTHON_RE.match(first) or first == "py":
        for i in range(1, len(words) - 1):
            if words[i] == "-m":
                return (assignments, words[i + 2 :]) if words[i + 1] == "pytest" else None
        return None
    if first in _COMMAND_WRAPPERS:
        for i, word in enumerate(words[1:], start=1):
            if word in _PACKAGE_VERBS:
                return None  # ``uv pip install pytest``, ``conda install pytest``: pytest is a package name here
            if word.rsplit("/", 1)[-1] in ("pytest", "py.test") and words[i - 1] != "-n":
                return assignments, words[i + 1 :]
    return None


@dataclass
class PytestRun:
    """One pytest invocation in a job's ``run:`` scripts, with the environment it sees."""

    step_index: int
    step: yaml.MappingNode
    line: ScriptLine
    args: List[str]
    env: Dict[str, str]


_ASSIGNMENT_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
_GITHUB_ENV_RE = re.compile(
    r"""(?:echo|printf)\s+['"]?([A-Za-z_][A-Za-z0-9_]*)=([^'">]*)['"]?\s*>>\s*['"]?\$\{?GITHUB_ENV"""
)


# Action inputs that hold a shell script the action runs (``nick-fields/retry``'s ``command``, the xvfb actions'
# ``run``), and inputs that hold pytest's own arguments (``dariocurr/pytest-summary``'s ``options`` and
# ``paths``; any input named ``pytest-args`` and the like says so itself).
_SCRIPT_INPUTS = {"run", "command", "script"}
_NOT_SHELL_ACTIONS = {"actions/github-script"}
_PYTEST_ARGUMENT_INPUTS = {"dariocurr/pytest-summary": ("options", "paths")}
_PYTEST_ARGUMENT_INPUT_RE = re.compile(r"^pytest[-_](args|arguments|options|opts|flags|addopts)$", re.IGNORECASE)


def _action_scripts(ctx: "SourceFile", step: yaml.Node) -> List[ScriptLine]:
    """Logical lines of the shell scripts a step's action runs from its ``with:`` inputs."""
    action = action_of(step)
    if action is None or action in _NOT_SHELL_ACTIONS:
        return []
    inputs = get_value(step, "with")
    shell = (scalar_text(get_value(inputs, "shell")) or "bash").strip().lower()
    if shell.split()[0].rsplit("/", 1)[-1] not in ("bash", "sh"):
        return []
    lines: List[ScriptLine] = []
    for key, value in mapping_items(inputs):
        if key.value in _SCRIPT_INPUTS:
            lines.extend(script_lines(ctx, value))
    return lines


def _action_pytest_arguments(ctx: "SourceFile", step: yaml.Node) -> Optional[ScriptLine]:
    """pytest's arguments given to a step's action as inputs, as one line (every piece keeps its position)."""
    action = action_of(step)
    if action is None:
        return None
    named = _PYTEST_ARGUMENT_INPUTS.get(action, ())
    merged: Optional[ScriptLine] = None
    for key, value in mapping_items(get_value(step, "with")):
        if key.value not in named and not _PYTEST_ARGUMENT_INPUT_RE.match(key.value):
            continue
        for line in script_lines(ctx, value):
            if merged is None:
                merged = ScriptLine(line.text, line.row, line.column, list(line.pieces))
            else:
                merged.text += " " + line.text
                merged.pieces.extend(line.pieces)
    return merged


def _words(text: str) -> List[str]:
    return [word for command in shell_commands(text) for word in command]


def pytest_runs(ctx: "SourceFile", job: yaml.Node) -> List[PytestRun]:
    """Every pytest invocation of the job, in order: in ``run:`` scripts, in the scripts an action runs from its
    inputs (``command:``, ``run:``), and in the arguments an action that runs pytest takes as inputs. The
    environment is layered as the runner layers it: workflow ``env``, job ``env``, ``NAME=value >> $GITHUB_ENV``
    lines of earlier steps, the step's ``env``, ``export NAME=value`` earlier in the same script, then
    ``NAME=value`` prefixed to the command."""
    inherited = env_map(get_value(ctx.root, "env"))
    inherited.update(env_map(get_value(job, "env")))
    runs: List[PytestRun] = []
    for index, step in enumerate(steps(job)):
        env = dict(inherited)
        env.update(env_map(get_value(step, "env")))
        arguments = _action_pytest_arguments(ctx, step)
        if arguments is not None:
            runs.append(PytestRun(index, step, arguments, _words(arguments.text), dict(env)))
        for line in script_lines(ctx, get_value(step, "run")) + _action_scripts(ctx, step):
            for match in _GITHUB_ENV_RE.finditer("" if line.text.startswith("#") else line.text):
                inherited[match.group(1)] = match.group(2)
            for command in shell_commands(line.text):
                if command[0] == "export":
                    for word in command[1:]:
                        assignment = _ASSIGNMENT_RE.match(word)
                        if assignment:
                            env[assignment.group(1)] = assignment.group(2)
                    continue
                parsed = pytest_arguments(command)
                if parsed is not None:
                    assignments, args = parsed
                    runs.append(PytestRun(index, step, line, args, {**env, **assignments}))
    return runs


# Variables conda itself (or setup-miniconda) sets: their values are paths or names, never a test switch.
_CONDA_TOOL_VARIABLES = {
    "CONDA",
    "CONDA_PREFIX",
    "CONDA_EXE",
    "CONDA_PKGS_DIRS",
    "CONDA_ENVS_PATH",
    "CONDA_DEFAULT_ENV",
    "CONDA_PYTHON_EXE",
    "CONDA_SHLVL",
}
_NEGATING_OPTION_RE = re.compile(r"^--(no|skip|without|disable)-")


def _marker_expression_selects_conda(expression: str) -> Optional[bool]:
    """True when ``-m EXPR`` selects conda-marked tests, False when it deselects them, None when it is silent."""
    words = re.findall(r"\w+", expression.lower())
    for i, word in enumerate(words):
        if "conda" in word:
            return not (i > 0 and words[i - 1] == "not")
    return None


def conda_tests_enabled(run: PytestRun, job: yaml.Node) -> bool:
    """Whether this pytest run executes conda tests. It does when it selects them (a ``-m`` marker expression
    naming a conda marker, an option such as ``--conda``/``--run-conda``, or a test path containing ``conda``),
    or when a variable whose name contains ``CONDA`` (other than conda's own variables) is truthy in its
    environment, as test suites gate their conda tests on such a switch. ``-m "not conda"`` turns them off
    whatever the environment says."""
    args = run.args
    for i, arg in enumerate(args):
        if arg == "-m" and i + 1 < len(args):
            selected = _marker_expression_selects_conda(args[i + 1])
            if selected is not None:
                return selected
        elif arg.startswith("-m") and len(arg) > 2 and not arg.startswith("--"):
            selected = _marker_expression_selects_conda(arg[2:])
            if selected is not None:
                return selected
    previous = ""
    for arg in args:
        lowered = arg.lower()
        if previous not in ("-m", "-k") and "conda" in lowered:
            if lowered.startswith("--"):
                if not _NEGATING_OPTION_RE.match(lowered):
                    return True
            elif not lowered.startswith("-"):
                return True
        previous = arg
    for name, value in run.env.items():
        if "CONDA" in name.upper() and name.upper() not in _CONDA_TOOL_VARIABLES and value_may_be_truthy(value, job):
            return True
    return False
