"""Where a generated package gets mfok from: the ``--mfok-requirement`` option and its default.

mfok is not published on a package index, so a bare ``mfok[compliance]`` in the generated package's
``test`` extra (and its CI) cannot install. The requirement is therefore explicit, written as one PEP 508
string into both places, and comes from one of:

- ``--mfok-requirement``: a version (``0.1.0``, ``==0.1.0``, ``>=0.1``), a URL (``git+https://host/mfok@SHA``,
  ``https://.../mfok-0.1.0-py3-none-any.whl``), a local path (a checkout or a wheel; made absolute), or a
  requirement that names mfok (``mfok[compliance] @ git+...``). The ``compliance`` extra is always added.
- the default: the place THIS mfok was installed from, read from its PEP 610 record (``direct_url.json``):
  a git install gives ``git+URL@COMMIT`` (works wherever that URL is reachable), a local checkout or wheel
  gives its ``file://`` URL (works on this machine only), an install from an index gives ``==VERSION``
  (works where that version is on the index). The assumption is printed and written next to the
  requirement, so nobody has to guess why an install fails elsewhere.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Optional

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

DISTRIBUTION = "mfok"
EXTRA = "compliance"
URL_SCHEMES = ("git+https://", "git+ssh://", "git+http://", "git+file://", "https://", "http://", "file://")
SPECIFIER_START = re.compile(r"\s*(==|!=|<=|>=|~=|===|<|>)")
VERSION_START = re.compile(r"\s*v?\d")


class RequirementError(ValueError):
    """The value given to --mfok-requirement cannot name an installable mfok."""


@dataclass(frozen=True)
class MfokRequirement:
    """A PEP 508 requirement on ``mfok[compliance]`` and, in words, what installing it assumes."""

    requirement: str
    assumption: str

    @property
    def is_local(self) -> bool:
        """True when the requirement points at this machine's disk (CI runners elsewhere lack the path)."""
        return "@ file:" in self.requirement


def _with_extra(extras) -> str:
    names = sorted(set(extras) | {EXTRA})
    return "%s[%s]" % (DISTRIBUTION, ",".join(names))


def _from_url(url: str, assumption: str) -> MfokRequirement:
    if any(ch.isspace() for ch in url):
        raise RequirementError("URL %r contains whitespace" % url)
    return MfokRequirement("%s @ %s" % (_with_extra(()), url), assumption)


def _from_path(value: str) -> MfokRequirement:
    path = Path(os.path.expanduser(value)).resolve()
    if not path.exists():
        raise RequirementError(
            "%r is not a version, a URL, a requirement on mfok or an existing path" % value
        )
    if path.is_dir():
        if not (path / "pyproject.toml").is_file() and not (path / "setup.py").is_file():
            raise RequirementError("directory %s holds no pyproject.toml or setup.py to install mfok from" % path)
    elif not path.name.endswith((".whl", ".tar.gz", ".zip")):
        raise RequirementError("file %s is not a wheel or a source archive (.whl, .tar.gz, .zip)" % path)
    return _from_url(path.as_uri(), "the path %s exists (it is on this machine; CI runners elsewhere lack it)" % path)


def parse_requirement(value: str) -> MfokRequirement:
    """Normalise a ``--mfok-requirement`` value; RequirementError with a one-line reason when it is unusable."""
    text = (value or "").strip()
    if not text:
        raise RequirementError("the mfok requirement is empty")
    if text.startswith(URL_SCHEMES) or text.startswith("git+"):
        if not text.startswith(URL_SCHEMES):
            raise RequirementError("URL %r: use one of %s" % (text, ", ".join(URL_SCHEMES)))
        return _from_url(text, "%s is reachable" % text)
    if SPECIFIER_START.match(text) or VERSION_START.match(text):
        spec = text if SPECIFIER_START.match(text) else "==" + text.lstrip("v")
        try:
            specifiers = SpecifierSet(spec)
        except InvalidSpecifier as exc:
            raise RequirementError("version %r is not a valid version specifier (%s)" % (text, exc)) from None
        return MfokRequirement(
            "%s%s" % (_with_extra(()), specifiers),
            "mfok%s is on the package index pip uses (or in a --find-links directory)" % specifiers,
        )
    if re.match(r"mfok\b", text, re.I) and not os.path.exists(text):
        try:
            parsed = Requirement(text)
        except InvalidRequirement as exc:
            raise RequirementError("requirement %r does not parse: %s" % (text, exc)) from None
        if canonicalize_name(parsed.name) != DISTRIBUTION:
            raise RequirementError("requirement %r does not name mfok" % text)
        if parsed.url:
            return _from_url(parsed.url, "%s is reachable" % parsed.url)
        rendered = _with_extra(parsed.extras) + str(parsed.specifier)
        if parsed.marker is not None:
            rendered += "; %s" % parsed.marker
        where = ("mfok%s" % parsed.specifier) if str(parsed.specifier) else "a release of mfok"
        return MfokRequirement(rendered, "%s is on the package index pip uses" % where)
    return _from_path(text)


def _installed_distribution() -> Optional[metadata.Distribution]:
    # Several records can answer to "mfok" (a stray mfok.egg-info in the current directory, for one):
    # the one with a PEP 610 record is the install that is actually in use.
    found = list(metadata.distributions(name=DISTRIBUTION))
    for dist in found:
        if dist.read_text("direct_url.json"):
            return dist
    return found[0] if found else None


def default_requirement() -> MfokRequirement:
    """The requirement that reinstalls the mfok running now, and what that assumes."""
    dist = _installed_distribution()
    if dist is None:
        return MfokRequirement(
            _with_extra(()),
            "mfok is on the package index pip uses (this mfok runs from a source tree, not an install)",
        )
    raw = dist.read_text("direct_url.json")
    info = {}
    if raw:
        try:
            info = json.loads(raw)
        except ValueError:
            info = {}
    url = info.get("url")
    vcs = info.get("vcs_info")
    if url and vcs and vcs.get("vcs") == "git":
        pinned = "git+%s@%s" % (url, vcs.get("commit_id") or vcs.get("requested_revision") or "HEAD")
        return _from_url(pinned, "the git repository %s, which the generating mfok came from, is reachable" % url)
    if url and url.startswith("file://"):
        return _from_url(
            url,
            "%s, where the generating mfok was installed from, exists (it is on this machine; CI runners "
            "elsewhere lack it)" % url[len("file://"):],
        )
    if url:
        return _from_url(url, "%s, which the generating mfok was installed from, is reachable" % url)
    version = dist.version
    return MfokRequirement(
        "%s==%s" % (_with_extra(()), version),
        "mfok==%s is on the package index pip uses (or in a --find-links directory)" % version,
    )
