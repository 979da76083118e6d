"""Bad inputs: each gives a finding or a one-line message, and the run goes on to the other files.

Every case puts the bad file next to ``witness.py``, whose unused suppression comment is an MFO901 finding;
the witness must still be reported, so one bad file can never hide the rest of the tree.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from tests.robustness.lint_support import assert_no_traceback, run_lint

WITNESS = b"x = 1  # noqa: MFO001\n"


def _tree(tmp_path: Path, name: str, content: bytes) -> Path:
    (tmp_path / "witness.py").write_bytes(WITNESS)
    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return target


def _check(tmp_path: Path, *args: str, expected_codes=(1,)):
    proc = run_lint("--preview", "--select", "ALL", *args, cwd=tmp_path)
    assert proc.returncode in expected_codes, proc
    assert_no_traceback(proc)
    assert "witness.py:1:8" in proc.stdout, proc.stdout
    return proc


BAD_CONTENT = {
    "syntax_error": (b"def broken(:\n    pass\n", "MFO900"),
    "unclosed_string": (b"x = '''never closed\n", "MFO900"),
    "nul_byte": (b"x = 1\n\x00y = 2\n", "NUL byte"),
    "not_utf8": (b"x = '\xff\xfe'\n", "cannot be decoded"),
    "bad_cookie": (b"# -*- coding: no-such-codec -*-\nx = '\xff'\n", "cannot be decoded"),
    "deep_parentheses": (b"x = " + b"(" * 5000 + b"1" + b")" * 5000 + b"\n", "MFO900"),
    "deep_unary": (b"x = " + b"-" * 200_000 + b"1\n", "MFO900"),
    "deep_indentation": (b"".join(b"    " * i + b"if x:\n" for i in range(120)) + b"    " * 120 + b"pass\n", "MFO900"),
}


@pytest.mark.parametrize("case", sorted(BAD_CONTENT))
def test_bad_file_is_a_finding_and_the_run_goes_on(tmp_path, case):
    content, expected = BAD_CONTENT[case]
    _tree(tmp_path, "bad.py", content)
    proc = _check(tmp_path, ".")
    assert "bad.py" in proc.stdout and expected in proc.stdout, proc.stdout


VALID_BUT_AWKWARD = {
    "empty": b"",
    "only_newlines": b"\n\n\n",
    "bom_crlf": b"\xef\xbb\xbfimport os\r\nx = 1  # noqa: MFO001\r\n",
    "latin1_cookie": b"# -*- coding: latin-1 -*-\ns = '\xe9t\xe9'  # noqa: MFO001\n",
    "cr_only": b"x = 1\ry = 2\r",
    "no_final_newline": b"x = 1  # noqa: MFO001",
    "form_feed": b"\x0cimport os\n\x0c\nx = 1\n",
    "long_concatenation": b"import subprocess\ncmd = ['step', '--run-id']\nx = (\n"
    + b"".join(b"    'part %d'\n" % i for i in range(3000))
    + b")\n",
}


@pytest.mark.parametrize("case", sorted(VALID_BUT_AWKWARD))
def test_valid_but_awkward_files_never_crash(tmp_path, case):
    _tree(tmp_path, "awkward.py", VALID_BUT_AWKWARD[case])
    _check(tmp_path, ".")


# Expressions 12,000 levels deep, in every shape that nests: libcst's native parser crashed the whole process
# (SIGSEGV) or ran for minutes on several of them. Each must now be one finding on its own file.
DEEP_SHAPES = {
    "binary_chain": lambda n: " + ".join(["a"] * n),
    "boolean_chain": lambda n: " and ".join(["a"] * n),
    "boolean_chain_over_lines": lambda n: "(" + "\nor ".join(["a"] * n) + ")",
    "comparison_chain": lambda n: " < ".join(["a"] * n),
    "attribute_chain": lambda n: "a" + ".b" * n,
    "call_chain": lambda n: "f" + "()" * n,
    "subscript_chain": lambda n: "a" + "[0]" * n,
    "string_concatenation": lambda n: "(" + " ".join(["'s'"] * n) + ")",
    "not_chain": lambda n: "not " * n + "a",
    "unary_chain": lambda n: "-" * n + "a",
    "lambda_chain": lambda n: "lambda: " * n + "a",
    "conditional_chain": lambda n: "a if b else " * n + "c",
}


@pytest.mark.parametrize("shape", sorted(DEEP_SHAPES))
def test_deeply_nested_expressions_never_crash_the_run(tmp_path, shape):
    # The command-looking header makes every rule want the file, so it goes to libcst, not only to ast.
    source = "import subprocess\ncmd = ['step', '--run-id']\nx = " + DEEP_SHAPES[shape](12_000) + "\n"
    _tree(tmp_path, "deep.py", source.encode())
    proc = _check(tmp_path, ".")
    assert "deep.py" in proc.stdout


def test_fix_keeps_bom_and_crlf(tmp_path):
    target = _tree(tmp_path, "awkward.py", VALID_BUT_AWKWARD["bom_crlf"])
    proc = run_lint("--fix", cwd=tmp_path)
    assert proc.returncode == 0, proc
    assert_no_traceback(proc)
    assert target.read_bytes() == b"\xef\xbb\xbfimport os\r\nx = 1\r\n"


def test_fix_keeps_a_legacy_encoding(tmp_path):
    target = _tree(tmp_path, "awkward.py", VALID_BUT_AWKWARD["latin1_cookie"])
    proc = run_lint("--fix", cwd=tmp_path)
    assert proc.returncode == 0, proc
    assert target.read_bytes() == b"# -*- coding: latin-1 -*-\ns = '\xe9t\xe9'\n"


@pytest.mark.slow
def test_ten_megabyte_file(tmp_path):
    # The 10 MB file mentions no rule's trigger words, so it is syntax-checked only; the 1 MB one does and
    # goes through libcst and every rule (about ten times slower per byte).
    filler = b"value = {'key': [1, 2, 3], 'name': 'start', 'opt': 'x'}  # filler text for size\n"
    big = _tree(tmp_path, "big.py", filler * (10 * 1024 * 1024 // len(filler) + 1))
    commands = b"value = {'key': [1, 2, 3], 'step': 'start', 'opt': '--run-id'}  # filler\n"
    (tmp_path / "big_commands.py").write_bytes(b"import subprocess\n" + commands * (1024 * 1024 // len(commands) + 1))
    assert big.stat().st_size > 10 * 1024 * 1024
    started = time.monotonic()
    _check(tmp_path, ".")
    assert time.monotonic() - started < 110


def test_fifo_named_like_a_source_file(tmp_path):
    (tmp_path / "witness.py").write_bytes(WITNESS)
    os.mkfifo(tmp_path / "pipe.py")
    _check(tmp_path, ".")  # walking: skipped silently, like any non-regular file
    proc = run_lint("pipe.py", "witness.py", cwd=tmp_path, timeout=60)  # named: a warning, never a hang
    assert proc.returncode == 1, proc
    assert_no_traceback(proc)
    assert "pipe.py: not a regular file, skipped" in proc.stderr


def test_directory_named_like_a_source_file(tmp_path):
    _tree(tmp_path, "pkg.py/inner.py", WITNESS)
    _check(tmp_path, "pkg.py", "witness.py")
    proc = _check(tmp_path, ".")
    assert "pkg.py/inner.py:1:8" in proc.stdout


def test_symlink_loops_and_dangling_links(tmp_path):
    (tmp_path / "witness.py").write_bytes(WITNESS)
    (tmp_path / "a.py").symlink_to("b.py")
    (tmp_path / "b.py").symlink_to("a.py")
    (tmp_path / "dangling.py").symlink_to("nowhere.py")
    (tmp_path / "loop").mkdir()
    (tmp_path / "loop" / "up").symlink_to("..")
    (tmp_path / "loop" / "self").symlink_to(".")
    proc = _check(tmp_path, ".")
    assert "broken symbolic link" in proc.stderr
    assert "Too many levels of symbolic links" in proc.stderr
    assert proc.stdout.count("witness.py:1:8") == 1, "a looped directory must be walked once"


def test_unreadable_and_missing_paths_are_one_line_errors(tmp_path):
    (tmp_path / "witness.py").write_bytes(WITNESS)
    proc = run_lint("missing.py", "witness.py", cwd=tmp_path)
    assert proc.returncode == 2, proc
    assert_no_traceback(proc)
    assert "missing.py: no such file or directory" in proc.stderr
    assert "witness.py:1:8" in proc.stdout


def test_files_deleted_during_the_run(tmp_path):
    # Many files, removed by a thread while the run reads them: each vanished file is one "cannot read"
    # line (or was never seen), every file still on disk is reported, nothing crashes.
    (tmp_path / "witness.py").write_bytes(WITNESS)
    doomed = tmp_path / "doomed"
    doomed.mkdir()
    for i in range(400):
        (doomed / f"m{i:03}.py").write_bytes(b"import os\n" * 50 + WITNESS)
    stop = threading.Event()

    def delete_slowly():
        for path in sorted(doomed.iterdir()):
            if stop.is_set():
                return
            path.unlink()
            time.sleep(0.002)

    deleter = threading.Thread(target=delete_slowly)
    deleter.start()
    try:
        proc = run_lint("--preview", "--select", "ALL", ".", cwd=tmp_path)
    finally:
        stop.set()
        deleter.join()
    assert proc.returncode in (1, 2), proc
    assert_no_traceback(proc)
    assert "witness.py:1:8" in proc.stdout
    for line in proc.stderr.splitlines():
        assert "cannot read" in line or "cannot access" in line or "no such file" in line.lower(), line
