"""Failures that only say "this machine lacks the infrastructure", told apart from real failures.

A test is skipped for missing infrastructure only when the text of its failure shows it reached the point
where that infrastructure is needed (micromamba bootstrapping or a conda channel, an S3 endpoint, a
Kubernetes API, a metadata service, a secrets backend, an event bus). Anything that failed before that
point is a failure of the extension, reported as such. Standard library only: the runner and the suite
share it.
"""

from __future__ import annotations

import os
import re
from typing import Optional, Tuple

# (what is missing, pattern that proves the failing code was trying to reach it)
INFRASTRUCTURE = (
    ("a conda channel (micromamba and conda/PyPI channels are unreachable here)",
     re.compile(r"Micromamba (installation .* failed|ran into an error)|micro\.mamba\.pm|conda\.anaconda\.org"
                r"|repo\.anaconda\.com|Could not find micromamba|micromamba: (command )?not found"
                r"|CondaEnvException|PackagesNotFoundError|Could not solve for environment", re.I)),
    ("an S3 object store",
     re.compile(r"EndpointConnectionError|Could not connect to the endpoint URL: \"?https?://[^\s\"]*(:9000|s3)"
                r"|NoCredentialsError|S3 (access|datastore) .*(denied|unavailable)", re.I)),
    ("a Kubernetes cluster",
     re.compile(r"kubernetes\.config\.config_exception|Invalid kube-config|KUBERNETES_SERVICE_HOST.*not set"
                r"|No module named 'kubernetes'|Could not (load|find) (the )?kube", re.I)),
    ("a Metaflow metadata service",
     re.compile(r"METAFLOW_SERVICE_URL|metadata service .*(unreachable|not (available|configured))"
                r"|ServiceException.*service", re.I)),
    ("a secrets backend", re.compile(r"secrets? (backend|provider|manager) .*(not configured|unavailable)|"
                                     r"@secrets.*(not configured|no default)", re.I)),
    ("an event bus", re.compile(r"send_event not implemented|ArgoEvent.*(webhook|not configured)", re.I)),
)


def missing_infrastructure(text: str) -> Optional[Tuple[str, str]]:
    """(what is missing, the line that shows it) when `text` fails for lack of infrastructure, else None."""
    if not text:
        return None
    for what, pattern in INFRASTRUCTURE:
        match = pattern.search(text)
        if match:
            start = text.rfind("\n", 0, match.start()) + 1
            end = text.find("\n", match.end())
            line = " ".join(text[start: end if end != -1 else len(text)].split())
            return what, line[:300]
    return None


EXCEPTION_LINE = re.compile(r"^\s*([A-Za-z_][\w.]*(Error|Exception|Exit|Attribute|Interrupt)\w*)(: .*)?$")


def cause_line(text: str) -> str:
    """The last exception line that is not a wrapper ending in ":" (the real cause in a chained traceback),
    else the header and first line of the last indented block Metaflow prints ("    Title:" then the
    explanation), else the last non-empty line, else ""."""
    body = [line for line in text.splitlines() if line.strip()]
    causes = [m.group(0).strip() for m in map(EXCEPTION_LINE.match, body) if m and not m.group(0).rstrip().endswith(":")]
    if causes:
        return causes[-1]
    for index in range(len(body) - 2, -1, -1):
        if body[index].rstrip().endswith(":") and not body[index].lstrip().startswith(("File ", "Traceback")):
            return "%s %s" % (body[index].strip(), body[index + 1].strip())
    return body[-1].strip() if body else ""


def deployer_command_cause(message: str) -> Optional[str]:
    """For Metaflow's "Error executing: '<command>':" errors (optionally behind "RuntimeError: "): which
    deployer command of which flow failed, and the cause line of its output."""
    text = message.split(": ", 1)[1] if message.startswith("RuntimeError: ") else message
    if not text.startswith("Error executing:"):
        return None
    head, _, rest = text.partition("\n")
    words = head[len("Error executing: '"):].split()
    flow = next((os.path.basename(w) for w in words if w.endswith(".py")), "the flow")
    verb = next((w for w in words if w in ("create", "trigger", "resume", "delete")), "command")
    stderr = rest.split("\nStderr:\n", 1)[1] if "\nStderr:\n" in rest else ""
    stdout = rest.split("\nStdout:\n", 1)[1].split("\nStderr:\n", 1)[0] if "\nStdout:\n" in rest else ""
    cause = cause_line(stderr) or cause_line(stdout)
    if not cause:
        return "%s of %s failed; Metaflow's error message holds none of its output" % (verb, flow)
    return "%s of %s failed: %s" % (verb, flow, cause)
