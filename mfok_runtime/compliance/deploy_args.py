"""`--deploy-args` parsing, routing and secret redaction.

Syntax (documented in docs/compliance.md): comma-separated `key=value` items, tokenised shell-style
(`shlex` with the comma as the only separator), so a value keeps commas, `=` and spaces when quoted:
`url="http://h:4200/api",tags='a,b',note=x=y`. Only the first `=` of an item splits key from value.
Quotes are removed as a POSIX shell would; a backslash escapes the next character outside single quotes.

Values stay strings, because the Deployer type-checks every keyword against the click option and a guess
("1" -> int) would break string options. A `json:` prefix opts into a typed value (`json:3`, `json:true`,
`json:["a","b"]`). A repeated key becomes a list, which is what click's multiple options need.

Routing by prefix: `key=...` goes to `.create(...)`, `deployer.key=...` to `Deployer(...).<type>(...)`,
`flow.key=...` to `Deployer(flow, ...)` itself and `env.NAME=...` to the environment of the deployer, the
scheduler processes it starts and the suite.

A key that names a secret (token, password, secret, key, credential) has its value redacted in everything
the runner prints or writes; the values are also scrubbed from captured stderr.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Tuple
from urllib.parse import urlsplit

SECRET_KEY = re.compile(r"(token|passw(or)?d|secret|(^|[._-])key$|api[._-]?key|credential)", re.IGNORECASE)
REDACTED = "***"
ROUTES = ("create", "deployer", "flow", "env")


class DeployArgsError(ValueError):
    """Malformed --deploy-args; the message is one line fit for the user."""


@dataclass
class DeployArgs:
    create: Dict[str, Any] = field(default_factory=dict)
    deployer: Dict[str, Any] = field(default_factory=dict)
    flow: Dict[str, Any] = field(default_factory=dict)
    env: Dict[str, str] = field(default_factory=dict)
    secrets: List[str] = field(default_factory=list)
    items: List[Tuple[str, str]] = field(default_factory=list)  # (full key, raw value) in given order

    def to_json(self) -> str:
        return json.dumps(
            {"create": self.create, "deployer": self.deployer, "flow": self.flow, "env": self.env, "secrets": self.secrets}
        )

    @classmethod
    def from_json(cls, text: str) -> "DeployArgs":
        data = json.loads(text)
        return cls(
            create=data.get("create", {}),
            deployer=data.get("deployer", {}),
            flow=data.get("flow", {}),
            env=data.get("env", {}),
            secrets=list(data.get("secrets", [])),
        )

    def redact(self, text: str) -> str:
        return redact(text, self.secrets)

    def describe(self) -> str:
        """The arguments as given, secrets redacted: for progress output."""
        return ",".join(
            "%s=%s" % (key, REDACTED if is_secret_key(key) else value) for key, value in self.items
        )


def is_secret_key(key: str) -> bool:
    return bool(SECRET_KEY.search(key.rsplit(".", 1)[-1]))


def redact(text: str, secrets: Iterable[str]) -> str:
    if not text:
        return text
    # Longest first, so a secret that contains another is not half-replaced.
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def split_items(spec: str) -> List[str]:
    lexer = shlex.shlex(spec, posix=True)
    lexer.whitespace = ","
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return [item for item in lexer if item.strip()]
    except ValueError as exc:  # unbalanced quotes
        raise DeployArgsError("--deploy-args %r: %s" % (spec, exc)) from None


def _typed(value: str, key: str) -> Any:
    if not value.startswith("json:"):
        return value
    try:
        return json.loads(value[len("json:"):])
    except ValueError as exc:
        raise DeployArgsError("--deploy-args %s: the json: value is not valid JSON (%s)" % (key, exc)) from None


def parse_deploy_args(specs: Iterable[str]) -> DeployArgs:
    """Parse one or more --deploy-args strings (the option may be repeated)."""
    args = DeployArgs()
    for spec in specs:
        for item in split_items(spec):
            key, sep, value = item.partition("=")
            key = key.strip()
            if not sep or not key:
                raise DeployArgsError("--deploy-args item %r is not key=value" % item.split("=")[0])
            route, dot, name = key.partition(".")
            if not dot or route not in ROUTES[1:]:
                route, name = "create", key
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_-]*$", name):
                raise DeployArgsError("--deploy-args key %r is not a valid option name" % key)
            args.items.append((key, value))
            if is_secret_key(key) and value:
                args.secrets.append(value)
                if value.startswith("json:"):
                    args.secrets.append(value[len("json:"):])
            if route == "env":
                args.env[name] = value
                continue
            target = getattr(args, route)
            name = name.replace("-", "_")
            typed = _typed(value, key)
            if name in target:
                previous = target[name]
                target[name] = (previous if isinstance(previous, list) else [previous]) + [typed]
            else:
                target[name] = typed
    return args


def hosts_in(args: DeployArgs) -> List[Tuple[str, str, str, int]]:
    """(key, scheme, host, port) for every value that names a network endpoint ("" scheme: plain TCP)."""
    found = []
    for key, value in args.items:
        value = value[len("json:"):].strip('"') if value.startswith("json:") else value
        if "://" in value:
            parts = urlsplit(value)
            try:
                port = parts.port or {"https": 443, "http": 80}.get(parts.scheme, 0)
            except ValueError:  # a port that is not a number: not an endpoint we can probe
                continue
            if parts.hostname and port:
                found.append((key, parts.scheme.lower(), parts.hostname, port))
        elif re.search(r"(host|endpoint|address|server)$", key, re.IGNORECASE):
            match = re.match(r"^\[?([A-Za-z0-9_.:-]+?)\]?:(\d{1,5})$", value)
            if match:
                found.append((key, "", match.group(1), int(match.group(2))))
    return found
