"""MFO034 input-paths-encoded (preview): `--input-paths` given an encoding `decompress_list` cannot read."""

from __future__ import annotations

from mfok_lint.core.settings import Settings
from mfok_lint.lint.check import lint_text
from tests.rules.conftest import Invalid, Valid, passes_prefilter, rule_cases

RULE = "MFO034"
PATH = "metaflow_extensions/acme/plugins/acme/acme_worker.py"
HEAD = "import base64\nimport json\nimport sys\nimport zlib\n"


def _cmd(value, prelude=""):
    return (
        HEAD + f"def c(s, run_id, parents):\n{prelude}"
        + f'    return [sys.executable, "flow.py", "step", s, "--run-id", run_id, "--input-paths", {value}]\n'
    )


JOINED = '    paths = ",".join("%s/%s/1" % (run_id, p) for p in parents)\n'

INVALID = [
    Invalid(_cmd("base64.b64encode(paths.encode()).decode()", JOINED), rows=[7], message="base64", path=PATH, why="b64"),
    Invalid(_cmd("encoded", JOINED + "    encoded = base64.b64encode(paths.encode()).decode('ascii')\n"),
            rows=[8], message="base64", path=PATH, why="b64 through a variable"),
    Invalid(_cmd("json.dumps(parents)"), rows=[6], message="JSON", path=PATH, why="json list"),
    Invalid(_cmd('f"{payload}"', '    payload = json.dumps({"paths": parents})\n'), rows=[7], message="JSON", path=PATH,
            why="json in an f-string hole"),
    Invalid(_cmd("zlib.compress(paths.encode())", JOINED), rows=[7], message="compressed", path=PATH, why="zlib bytes"),
    Invalid(
        "import sys\nfrom urllib.parse import quote_plus as q\n\ndef c(s, paths):\n"
        '    return [sys.executable, "flow.py", "step", s, "--run-id", "1", "--input-paths", q(paths)]\n',
        rows=[5], message="URL", path=PATH, why="quote_plus under an alias",
    ),
    Invalid(
        "import sys\nimport urllib.parse\n\ndef c(s, paths):\n"
        '    return [sys.executable, "flow.py", "step", s, "--run-id", "1", "--input-paths", urllib.parse.quote(",".join(paths))]\n',
        rows=[5], message="URL", path=PATH, why="quote of a comma-joined list",
    ),
    Invalid(
        "import base64\nimport sys\n\nclass Worker:\n    def __init__(self, paths):\n"
        "        self.input_paths = base64.b64encode(paths.encode()).decode()\n\n"
        "    def cmd(self, s):\n"
        '        return [sys.executable, "flow.py", "step", s, "--run-id", "1", "--input-paths", self.input_paths]\n',
        rows=[9], message="base64", path=PATH, why="self attribute",
    ),
]

VALID = [
    Valid(_cmd("paths", JOINED), path=PATH, why="plain comma-joined list"),
    # metaflow-kubeflow 0.0.x: the task ids of a foreach arrive as JSON and are turned into the prefix form
    Valid(
        _cmd("paths", '    ids = json.loads(parents)\n    paths = "{}/{}/:{}".format(run_id, s, ",".join(ids))\n'),
        path=PATH, why="JSON decoded into compress_list's prefix form",
    ),
    Valid(
        "import sys\nfrom metaflow.util import compress_list\n\ndef c(s, paths):\n"
        '    return [sys.executable, "flow.py", "step", s, "--run-id", "1", "--input-paths", compress_list(paths)]\n',
        path=PATH, why="compress_list (the dagster compiler's shape)",
    ),
    Valid(
        _cmd('"!" + base64.b64encode(zlib.compress(zlib.compress(paths.encode()))).decode()', JOINED),
        path=PATH, why="compress_list's third form written by hand, marker in front",
    ),
    Valid(
        _cmd("form3", JOINED + '    form3 = "!%s" % base64.b64encode(zlib.compress(zlib.compress(paths.encode()))).decode()\n'),
        path=PATH, why="the third form through a template",
    ),
    Valid(
        "import sys\nfrom urllib.parse import quote\n\ndef c(s, path):\n"
        '    return [sys.executable, "flow.py", "step", s, "--run-id", "1", "--input-paths", quote(path)]\n',
        path=PATH, why="quote of one pathspec changes nothing",
    ),
    Valid(
        "import json\nimport sys\n\ndef dumps(x):\n    return ','.join(x)\n\ndef c(s, paths):\n"
        '    return [sys.executable, "flow.py", "step", s, "--run-id", "1", "--input-paths", dumps(paths)]\n',
        path=PATH, why="a local function named like an encoder",
    ),
    Valid(
        _cmd("json.loads(spec)['input_paths']", "    spec = sys.argv[1]\n"),
        path=PATH, why="decoding a payload that carries the paths",
    ),
    Valid(
        "import json\nimport sys\n\ndef c(s, parents):\n    f = open('paths.txt', 'w')\n    f.write(json.dumps(parents))\n"
        '    return [sys.executable, "flow.py", "step", s, "--run-id", "1", "--input-paths-filename", "paths.txt"]\n',
        path=PATH, why="--input-paths-filename: the file's content is not seen",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_preview_only():
    stable = Settings(select=["MFO"], preview=False)
    found = lint_text(_cmd("json.dumps(parents)"), path=PATH, settings=stable)
    assert [d for d in found if d.code == RULE] == []


def test_prefilter():
    assert passes_prefilter(RULE, _cmd("json.dumps(parents)"), path=PATH)
    assert not passes_prefilter(RULE, _cmd('",".join(parents)').replace("import base64\nimport json\n", "").replace("import zlib\n", ""), path=PATH)
