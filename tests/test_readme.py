"""The README's first lines are the two fresh-machine commands, and its rule table matches the registry."""

import re
import subprocess
import sys

from tests.conftest import REPO


def test_readme_opens_with_install_and_test_commands():
    lines = (REPO / "README.md").read_text().splitlines()
    assert lines[0] == "```bash"
    assert "pip install" in lines[1] and "mfok-lint examples/acme_orchestrator" in lines[1]
    assert lines[2] == "bash scripts/test"
    assert "bash scripts/test" in (REPO / ".ci" / "run").read_text()


def test_readme_rule_table_is_current():
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "readme_rules.py"), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_readme_says_what_the_first_commands_exit_status_and_the_test_commands_time_mean():
    """Next to the two commands: exit status 1 of the lint means findings were reported, and how long the test
    command takes, measured."""
    text = (REPO / "README.md").read_text()
    after_commands = text.split("```", 2)[2].split("\n# ", 1)[0]
    assert "exit status 1" in after_commands and "findings were reported" in after_commands
    assert re.search(r"about \d+ (minutes|hours?) .*on .*2 cores", " ".join(after_commands.split())), after_commands
