"""The rule catalog: one markdown page per rule, shipped as package data next to this module.

A page is prose only: six sections in a fixed order (``## What it does`` ... ``## References``). Everything else
about a rule (name, status, fix, capabilities, summary) is its row in ``mfok_lint/rules/registry.py``. The Example
and Use-instead sections each hold one fenced block (``python``; ``yaml`` for workflow rules) whose info string
may name the path the example stands for (```` ```python title="metaflow_extensions/acme/plugins/acme/x.py" ````):
rules that judge by location need it, and the test suite lints each block at that path, so every page's examples
are executable claims about its rule. Parsed with the standard library: reading a page never imports a parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

__all__ = ["Page", "CatalogError", "SECTIONS", "parse_page", "load_page", "all_pages", "page_for", "codes", "CATALOG_DIR"]

CATALOG_DIR = Path(__file__).resolve().parent
SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "References")
EXAMPLE_SECTIONS = ("Example", "Use instead")
DEFAULT_EXAMPLE_PATH = "example.py"
_CODE_RE = re.compile(r"^MFO\d{3}$")
_FENCE_RE = re.compile(
    r'^```(?P<lang>[\w+-]*)(?:[ \t]+title="(?P<title>[^"\n]*)")?[ \t]*\n(?P<body>.*?)^```\s*$', re.MULTILINE | re.DOTALL
)


class CatalogError(ValueError):
    """A page that does not follow the catalog format (the message names the page and the problem)."""


@dataclass(frozen=True)
class Page:
    code: str
    body: str
    sections: Dict[str, str] = field(default_factory=dict)  # title -> text, in page order
    examples: Dict[str, str] = field(default_factory=dict)  # "Example" / "Use instead" -> source
    example_paths: Dict[str, str] = field(default_factory=dict)  # "Example" / "Use instead" -> the path it stands for

    @property
    def example_path(self) -> str:
        return self.example_paths.get("Example", DEFAULT_EXAMPLE_PATH)

    @property
    def use_instead_path(self) -> str:
        return self.example_paths.get("Use instead", self.example_path)


def _split_sections(body: str) -> Dict[str, str]:
    sections: Dict[str, str] = {}
    current: Optional[str] = None
    buffer: List[str] = []
    in_fence = False
    for line in body.split("\n"):
        if line.startswith("```"):
            in_fence = not in_fence
        if not in_fence and line.startswith("## "):
            if current is not None:
                sections[current] = "\n".join(buffer).strip("\n")
            current, buffer = line[3:].strip(), []
        elif current is not None:
            buffer.append(line)
    if current is not None:
        sections[current] = "\n".join(buffer).strip("\n")
    return sections


def parse_page(text: str, code: str) -> Page:
    if not _CODE_RE.match(code):
        raise CatalogError(f"{code}.md: {code!r} is not MFO + three digits")
    if text.startswith("---"):
        raise CatalogError(f"{code}.md: pages hold prose only; a rule's metadata is its row in mfok_lint/rules/registry.py")
    sections = _split_sections(text)
    examples: Dict[str, str] = {}
    paths: Dict[str, str] = {}
    for title in EXAMPLE_SECTIONS:
        match = _FENCE_RE.search(sections.get(title, ""))
        if match and match.group("lang") in ("python", "py", "", "yaml", "yml"):
            examples[title] = match.group("body")
            if match.group("title"):
                paths[title] = match.group("title")
    return Page(code=code, body=text, sections=sections, examples=examples, example_paths=paths)


def codes() -> List[str]:
    return sorted(p.stem for p in CATALOG_DIR.glob("MFO*.md") if _CODE_RE.match(p.stem))


_CACHE: Dict[str, Page] = {}


def _read(code: str) -> Page:
    if code not in _CACHE:
        path = CATALOG_DIR / f"{code}.md"
        _CACHE[code] = parse_page(path.read_text(encoding="utf-8"), code)
    return _CACHE[code]


def all_pages() -> List[Page]:
    return [_read(code) for code in codes()]


def page_for(code_or_name: str) -> Optional[Page]:
    """The page of a rule by code (``MFO001``, any case) or registry name (``run-params-tuple``)."""
    key = code_or_name.strip()
    if key.upper() in codes():
        return _read(key.upper())
    from mfok_lint.rules.registry import by_name

    row = by_name().get(key)
    return _read(row.code) if row is not None and row.code in codes() else None


def load_page(code_or_name: str) -> Page:
    page = page_for(code_or_name)
    if page is None:
        raise KeyError(f"no catalog page for {code_or_name!r}")
    return page
