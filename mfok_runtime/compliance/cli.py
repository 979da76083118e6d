"""`mfok-run compliance`: the click command. `mfok_runtime.cli` dispatches to it lazily.

Importing this module pulls in neither pytest nor metaflow: the runner runs the suites in subprocesses.
"""

from __future__ import annotations

import sys

import click


@click.command("compliance")
@click.option("--scheduler-type", required=True, metavar="TYPE",
              help="The TYPE the extension registers with Deployer (e.g. dagster).")
@click.option("--deploy-args", "deploy_args", multiple=True, metavar="K=V,...",
              help="Deployment arguments, comma-separated key=value; quote values holding commas "
                   "(shell-style). Prefixes: deployer., flow., env. (see docs/compliance.md).")
@click.option("--only", multiple=True, metavar="CAP",
              help="Run only these capabilities of mfok's own suite (repeatable or comma-separated).")
@click.option("--metaflow-src", "metaflow_src", default=None, metavar="PATH",
              help="A Metaflow checkout: also run its test/ux suite (copied, never written to) against TYPE.")
@click.option("--test-modules", "test_modules", multiple=True, metavar="NAMES",
              help="test/ux modules to run, comma-separated (default: compliance,basic,config,dag).")
@click.option("--suite", type=click.Choice(["own", "upstream", "both"]), default=None,
              help="Which suites run (default: both with --metaflow-src, else own).")
@click.option("--workers", type=int, default=1, show_default=True, help="Parallel suite workers.")
@click.option("--timeout", type=float, default=600.0, show_default=True,
              help="Seconds one triggered run may take before it is terminated.")
@click.option("--strict", is_flag=True,
              help="Exit 1 when a required capability could not be verified here (skipped).")
@click.option("--junit-xml", type=click.Path(dir_okay=False), default=None, help="Write a JUnit XML report.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), default=None,
              help="Write the per-capability results as JSON.")
@click.option("--keep-artifacts", is_flag=True, help="Keep the isolated run directory (path is printed).")
@click.option("--python", "python", default=None, metavar="PATH",
              help="Interpreter whose environment holds the extension (default: this one).")
def compliance_command(scheduler_type, deploy_args, only, metaflow_src, test_modules, suite, workers, timeout,
                       strict, junit_xml, json_path, keep_artifacts, python) -> None:
    """Deploy the shipped flows to the scheduler and check one capability per test.

    With --metaflow-src, Metaflow's own test/ux suite runs too and its verdicts join the report.
    Exit 0 when every selected capability passes (or is skipped with a reason), 1 when one fails
    (or, with --strict, a required one was not verified), 2 for usage or environment errors.
    """
    from .runner import Options, run

    options = Options(
        scheduler_type=scheduler_type, deploy_args=deploy_args, only=only, workers=workers, timeout=timeout,
        junit_xml=junit_xml, json_path=json_path, keep_artifacts=keep_artifacts,
        python=python or sys.executable, metaflow_src=metaflow_src, test_modules=test_modules, suite=suite,
        strict=strict,
    )
    sys.exit(run(options))
