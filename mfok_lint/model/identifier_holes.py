"""Templates of generated Python and the holes in them that generated code reads as identifiers.

Extensions emit Python source from f-strings and ``"..." % (...)`` templates. A hole (an f-string field, a ``%s``)
sits in an identifier position when the generated line names it after ``def``/``class``, glues it to identifier
characters (``_param_{x}``), or starts the line with it as an assignment target (``{name} = ...``). External
names (deployment identifiers, project-qualified flow names, parameter names) are not identifiers: dotted or
dashed, they make the generated module a syntax error. MFO006 judges those holes; its prefilter screen asks the
same questions on CPython's ``ast``, so both read the words and line tests written here.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

# The words and forms of an external name.
EXTERNAL_WORDS = ("identifier", "deployment_name", "deployment_id", "project_flow_name")
PROJECT_INFO_FLOW_NAME = r"""project_info\w*\s*\[\s*["']flow_name["']\s*\]"""
CASE_ONLY_METHODS = ("lower", "upper", "strip", "casefold")
FAKE_FLOW_CALL = "generate_fake_flow_file_contents"

_IDENT = re.compile(r"[A-Za-z0-9_]")
_DEF_OR_CLASS = re.compile(r"(?:^|[\s@;:])(?:async\s+def|def|class)\s+[A-Za-z0-9_]*$")
_PERCENT_SLOT = r"%[-#0 +]*\d*(?:\.\d+)?[sdr]"


def percent_pieces(fmt: str, operands: list) -> Optional[List[Tuple[str, object]]]:
    """A ``%`` template cut into ("text", str) and ("hole", operand) pieces; None when the operands run out."""
    pieces: List[Tuple[str, object]] = []
    index = 0
    for chunk in re.split(f"({_PERCENT_SLOT})", fmt.replace("%%", "\0")):
        if re.fullmatch(_PERCENT_SLOT, chunk):
            if index >= len(operands):
                return None
            pieces.append(("hole", operands[index]))
            index += 1
        else:
            pieces.append(("text", chunk.replace("\0", "%")))
    return pieces


def holes_in_lines(pieces: List[Tuple[str, object]]) -> List[Tuple[object, str, str]]:
    """(hole, the generated line before it, the line after it) for each hole; other holes read as ``x``."""
    out = []
    line_before = ""
    for index, (kind, value) in enumerate(pieces):
        if kind == "text":
            line_before = (line_before + value).rsplit("\n", 1)[-1]  # type: ignore[operator]
            continue
        after = ""
        for kind2, value2 in pieces[index + 1 :]:
            if kind2 != "text":
                after += "x"
                break
            after += value2  # type: ignore[operator]
            if "\n" in after:
                break
        out.append((value, line_before, after.split("\n", 1)[0]))
        line_before += "x"
    return out


def positioned(line_before: str, after_line: str) -> bool:
    """Does generated code use the hole as an identifier: after ``def``/``class``, glued to identifier
    characters, or as the target of an assignment that starts the line?"""
    glued = bool(line_before and _IDENT.match(line_before[-1])) or bool(after_line and _IDENT.match(after_line[0]))
    assigned = not line_before.strip() and re.match(r"\s*=(?!=)", after_line) is not None
    return _DEF_OR_CLASS.search(line_before) is not None or glued or assigned
