"""Failures that only say "this machine lacks the infrastructure", told apart from real failures.

A test is skipped for missing infrastructure only when the text of its failure shows it reached the point
where that infrastructure is needed (micromamba bootstrapping or a conda channel, an S3 endpoint, a
Kubernetes API, a metadata service, a secrets backend, an event bus). Anything that failed before that
point is a failure of the extension, reported as such. Standard library only: the runner and the suite
share it.
"""

from __future__ import annotations

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
