"""The rule catalog: one markdown page per rule, shipped as package data next to this module.

A page is a front matter block between ``---`` lines (flat ``key: value`` pairs, ``#`` starts a comment)
followed by six sections in a fixed order. The front matter is parsed here with the standard library so
reading the catalog at lint time (``mfok-lint rule MFO001``) never imports a YAML parser; the format is
deliberately too small to need one. The Example and Use-instead sections each hold one fenced ``python``
block (``yaml`` for workflow rules, whose ``example_path`` is a workflow file); the test suite lints those
blocks, so every page's examples are executable claims about its rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

__all__ = ["Page", "CatalogError", "SECTIONS", "load_page", "all_pages", "page_for", "codes", "CATALOG_DIR"]

CATALOG_DIR = Path(__file__).resolve().parent
SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "References")
REQUIRED_KEYS = ("code", "name", "summary", "fix", "applicability", "status", "capability")
_ALLOWED = {
    "fix": {"always", "sometimes", "none"},
    "applicability": {"safe", "unsafe", "display-only", "none"},
    "status": {"stable", "preview", "removed"},
}
_CODE_RE = re.compile(r"^MFO\d{3}$")
_FENCE_RE = re.compile(r"^```(?P<lang>[\w+-]*)\n(?P<body>.*?)^```\s*$", re.MULTILINE | re.DOTALL)


class CatalogError(ValueError):
    """A page that does not follow the catalog format (the message names the page and the problem)."""


@dataclass(frozen=True)
class Page:
    meta: Dict[str, str]
    body: str
    sections: Dict[str, str] = field(default_factory=dict)  # title -> text, in page order
    examples: Dict[str, str] = field(default_factory=dict)  # "Example" / "Use instead" -> python source

    @property
    def code(self) -> str:
        return self.meta["code"]

    @property
    def name(self) -> str:
        return self.meta["name"]

    @property
    def example_path(self) -> str:
        return self.meta.get("example_path") or "example.py"


def _parse_front_matter(text: str, source: str) -> tuple:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise CatalogError(f"{source}: front matter must start with a '---' line")
    meta: Dict[str, str] = {}
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return meta, "\n".join(lines[i + 1 :])
        stripped = line.split(" #", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if not stripped:
            continue
        key, sep, value = stripped.partition(":")
        if not sep or not key.strip():
            raise CatalogError(f"{source}:{i + 1}: expected 'key: value', got {line!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        meta[key.strip()] = value
    raise CatalogError(f"{source}: front matter is not closed by a '---' line")


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


def parse_page(text: str, source: str = "<page>") -> Page:
    meta, body = _parse_front_matter(text, source)
    missing = [k for k in REQUIRED_KEYS if k not in meta]
    if missing:
        raise CatalogError(f"{source}: front matter lacks {', '.join(missing)}")
    if not _CODE_RE.match(meta["code"]):
        raise CatalogError(f"{source}: code {meta['code']!r} is not MFO + three digits")
    for key, allowed in _ALLOWED.items():
        if meta[key] not in allowed:
            raise CatalogError(f"{source}: {key} must be one of {', '.join(sorted(allowed))}, got {meta[key]!r}")
    sections = _split_sections(body)
    examples: Dict[str, str] = {}
    for title in ("Example", "Use instead"):
        match = _FENCE_RE.search(sections.get(title, ""))
        if match and match.group("lang") in ("python", "py", "", "yaml", "yml"):
            examples[title] = match.group("body")
    return Page(meta=meta, body=body, sections=sections, examples=examples)


def load_page(code: str) -> Page:
    """The page of one rule by code (``MFO001``) or name (``run-params-tuple``)."""
    page = page_for(code)
    if page is None:
        raise KeyError(f"no catalog page for {code!r}")
    return page


def codes() -> List[str]:
    return sorted(p.stem for p in CATALOG_DIR.glob("MFO*.md") if _CODE_RE.match(p.stem))


_CACHE: Dict[str, Page] = {}


def _read(code: str) -> Page:
    if code not in _CACHE:
        path = CATALOG_DIR / f"{code}.md"
        page = parse_page(path.read_text(encoding="utf-8"), source=path.name)
        if page.code != code:
            raise CatalogError(f"{path.name}: front matter says {page.code}")
        _CACHE[code] = page
    return _CACHE[code]


def all_pages() -> List[Page]:
    return [_read(code) for code in codes()]


def page_for(code_or_name: str) -> Optional[Page]:
    key = code_or_name.strip()
    if key.upper() in codes():
        return _read(key.upper())
    for page in all_pages():
        if page.name == key:
            return page
    return None
