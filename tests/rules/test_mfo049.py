"""MFO049 step-option-undeclared: what a step decorator adds to `<group> step` must be an option of that command."""

from __future__ import annotations

import textwrap

from tests.rules.conftest import Invalid, Valid, acme_files, lint, rule_cases

RULE = "MFO049"
PATH = "metaflow_extensions/acme/plugins/acme/acme_decorator.py"

CLI = '''
from metaflow._vendor import click
from metaflow.decorators import StepDecorator


@click.group()
def cli():
    pass


@cli.group(help="Commands related to Acme.")
def acme():
    pass


@acme.command(help="Run one task on Acme.")
@click.argument("step-name")
@click.argument("code-package-sha")
@click.argument("code-package-url")
@click.option("--cpu", default=1, type=int)
@click.option("--image", default=None)
@click.option("--run-time-limit", default=None, type=int)
@click.option("--run-id")
@click.option("--task-id")
@click.option("--input-paths")
@click.option("--split-index")
@click.option("--tag", multiple=True, default=None)
@click.option("--namespace", default=None)
@click.option("--retry-count", default=0)
@click.option("--max-user-code-retries", default=0)
@click.pass_context
def step(ctx, step_name, code_package_sha, code_package_url, **kwargs):
    pass
'''

DECORATOR = '''

class AcmeDecorator(StepDecorator):
    name = "acme"
    defaults = {"cpu": 1, "image": None, "secrets": None}

    def runtime_step_cli(self, cli_args, retry_count, max_user_code_retries, ubf_context):
        if retry_count <= max_user_code_retries:
            cli_args.commands = ["acme", "step"]
            cli_args.command_args.append(self.package_sha)
            cli_args.command_args.append(self.package_url)
{body}
'''


def case(body: str, cli: str = CLI) -> str:
    return cli + DECORATOR.replace("{body}", textwrap.indent(textwrap.dedent(body).strip("\n"), " " * 12))


VALID = [
    Valid(case("""
        cli_args.command_options.update({k: v for k, v in self.attributes.items() if k != "secrets"})
        cli_args.command_options["run-time-limit"] = self.run_time_limit
    """), path=PATH, why="every attribute sent is declared, the undeclared one is filtered out"),
    Valid(case("""
        cli_args.command_options["deps-dir"] = None
    """), path=PATH, why="a literal None is dropped by dict_to_cli_options"),
    Valid(case("""
        cli_args.command_options["deps-dir"] = self.deps_dir
    """, cli=CLI.replace('@acme.command(help="Run one task on Acme.")',
                         '@acme.command(help="Run one task on Acme.", context_settings={"ignore_unknown_options": True})')),
        path=PATH, why="the command lets unknown options through"),
    Valid(case("""
        cli_args.command_options["deps-dir"] = self.deps_dir
    """, cli=CLI.replace("@click.pass_context", "@common_options\n@click.pass_context")),
        path=PATH, why="a shared decorator may declare the option"),
    Valid(case("""
        cli_args.command_options.update(self.attributes)
    """).replace('"secrets": None}', '"secrets": None}\n\n    def step_init(self, *args):\n        self.attributes.pop("secrets", None)'),
        path=PATH, why="an attribute the decorator pops before the runtime asks"),
    Valid(case("""
        cli_args.command_options["deps-dir"] = self.deps_dir
    """).replace('cli_args.commands = ["acme", "step"]', 'cli_args.commands = ["step"]'),
        path=PATH, why="no redirect: Metaflow's own step command"),
]

INVALID = [
    Invalid(case("""
        cli_args.command_options["run-time-limit"] = self.run_time_limit
        cli_args.command_options["deps-staging-dir"] = self.staging_dir
    """), path=PATH, rows=[46], message="`--deps-staging-dir` is added to the `acme step` command line",
        no_fix=True, why="a literal key the step command does not declare"),
    Invalid(case("""
        cli_args.command_options.update(self.attributes)
    """), path=PATH, rows=[45], message="does not declare `--secrets`",
        why="an attribute sent through update(self.attributes)"),
    Invalid(case("""
        cli_args.command_options.update({"code_package_local_path": self.local_path})
    """), path=PATH, rows=[45], message="`--code-package-local-path`",
        why="underscores become dashes"),
    Invalid(case("""
        cli_args.command_options["cpu"] = 2
    """, cli=CLI.replace('@click.option("--namespace", default=None)\n', "")), path=PATH, rows=[41],
        message="does not declare `--namespace` (every task)",
        why="an option the runtime itself passes"),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_step_command_in_another_module(tmp_path):
    plugin = "metaflow_extensions__acme__plugins__acme__"
    decorator = "from metaflow.decorators import StepDecorator\n" + DECORATOR.replace(
        "{body}", " " * 12 + 'cli_args.command_options["deps-dir"] = self.deps_dir'
    )
    files = acme_files(**{plugin + "acme_cli.py": CLI, plugin + "acme_decorator.py": decorator})
    found = lint(files, RULE, root=tmp_path)
    assert [(d.location.row, d.path.endswith("acme_decorator.py")) for d in found] == [(13, True)]
