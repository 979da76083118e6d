"""Build small extension packages on disk and lint them through the real engine."""

from __future__ import annotations

import os
from typing import Dict, List

from mfok_lint.core.settings import Settings
from mfok_lint.run.runner import run_files

ACME_CLI = '''from metaflow._vendor import click


@click.group()
def cli():
    pass


@cli.group(help="Acme orchestrator.")
def acme():
    pass


@acme.command()
def create():
    pass
'''
ACME_DEPLOYER = '''from metaflow.runner.deployer_impl import DeployerImpl


class AcmeDeployer(DeployerImpl):
    TYPE = "acme"
'''
ACME_CONFIG = '''CLIS_DESC = [("acme", ".acme.acme_cli.cli")]
DEPLOYER_IMPL_PROVIDERS_DESC = [("acme", ".acme.acme_deployer.AcmeDeployer")]
'''


def write_package(root, files: Dict[str, str]) -> List[str]:
    paths = []
    for rel, text in files.items():
        path = os.path.join(str(root), rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        paths.append(path)
    return paths


def acme_files(**overrides: str) -> Dict[str, str]:
    files = {
        "metaflow_extensions/acme/plugins/mfextinit_acme.py": ACME_CONFIG,
        "metaflow_extensions/acme/plugins/acme/__init__.py": "",
        "metaflow_extensions/acme/plugins/acme/acme_cli.py": ACME_CLI,
        "metaflow_extensions/acme/plugins/acme/acme_deployer.py": ACME_DEPLOYER,
    }
    for key, value in overrides.items():
        files[key.replace("__", "/")] = value
    return files


def lint_package(root, files: Dict[str, str], code: str):
    paths = write_package(root, files)
    results = run_files(sorted(paths), Settings(select=[code], preview=True, jobs=1))
    return [d for r in results for d in r.diagnostics]
