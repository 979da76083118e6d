"""A small POSIX-shell word splitter that keeps character offsets.

``shlex`` gives the right words but forgets where they came from, and every token of a command found in a
bash template must map back to its source. This splitter follows shlex's posix rules for what it needs —
single quotes, double quotes with backslash escapes, backslash-newline continuations, ``#`` comments at the
start of a word — and additionally cuts the text into simple commands at newlines, ``;``, ``&&``, ``||``,
``|`` and ``&``. Heredoc bodies (``<<EOF`` ... ``EOF``) are returned separately so callers can analyse them
as the text they are (often Python fed to ``python -``). Command substitutions and ``${...}`` stay inside
their word: they are values the shell computes at run time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Tuple


@dataclass
class Word:
    start: int  # offsets into the analysed text, quotes included
    end: int
    text: str  # the word after quote removal
    quoted: bool  # some part of it was quoted
    expands: bool  # contains an unquoted or double-quoted $ expansion


_HEREDOC_RE = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")
_OPERATORS = ("&&", "||", ";;", ";", "|", "&")


def split_commands(text: str) -> Tuple[List[List[Word]], List[Tuple[int, int]]]:
    """Return (simple commands as word lists, heredoc body ranges)."""
    commands: List[List[Word]] = []
    heredocs: List[Tuple[int, int]] = []
    current: List[Word] = []
    pending_heredocs: List[str] = []
    i = 0
    n = len(text)

    def flush():
        nonlocal current
        if current:
            commands.append(current)
        current = []

    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] == "\n":
            i += 2
            continue
        if ch == "\n":
            flush()
            i += 1
            for delimiter in pending_heredocs:
                # An earlier body that ran to the end of the text leaves i one past it.
                i = min(i, n)
                body_start = i
                while i < n:
                    line_end = text.find("\n", i)
                    if line_end == -1:
                        line_end = n
                    if text[i:line_end].strip() == delimiter:
                        heredocs.append((body_start, i))
                        i = min(n, line_end + 1)
                        break
                    i = line_end + 1
                else:
                    heredocs.append((body_start, n))
            pending_heredocs = []
            continue
        if ch in " \t\r":
            i += 1
            continue
        if ch == "#":
            while i < n and text[i] != "\n":
                i += 1
            continue
        op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
        if op is not None:
            flush()
            i += len(op)
            continue
        m = _HEREDOC_RE.match(text, i)
        if m is not None:
            pending_heredocs.append(m.group(2))
            i = m.end()
            continue
        word, i = _read_word(text, i)
        current.append(word)
    flush()
    return commands, heredocs


def _read_word(text: str, i: int) -> Tuple[Word, int]:
    start = i
    n = len(text)
    out = []
    quoted = False
    expands = False
    while i < n:
        ch = text[i]
        if ch in " \t\r\n;&|":
            break
        if ch == "\\" and i + 1 < n:
            if text[i + 1] == "\n":
                i += 2
                continue
            out.append(text[i + 1])
            i += 2
            continue
        if ch == "'":
            quoted = True
            close = text.find("'", i + 1)
            close = n if close == -1 else close
            out.append(text[i + 1: close])
            i = close + 1
            continue
        if ch == '"':
            quoted = True
            i += 1
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n and text[i + 1] in '"\\$`\n':
                    if text[i + 1] != "\n":
                        out.append(text[i + 1])
                    i += 2
                    continue
                if text[i] == "$":
                    expands = True
                out.append(text[i])
                i += 1
            i += 1
            continue
        if ch == "$":
            expands = True
            if text.startswith("$(", i) or text.startswith("${", i):
                close_char = ")" if text[i + 1] == "(" else "}"
                depth = 0
                j = i + 1
                while j < n:
                    if text[j] == text[i + 1]:
                        depth += 1
                    elif text[j] == close_char:
                        depth -= 1
                        if depth == 0:
                            break
                    j += 1
                out.append(text[i: j + 1])
                i = j + 1
                continue
        out.append(ch)
        i += 1
    return Word(start, min(i, n), "".join(out), quoted, expands), i
