"""Fixtures for the output tests: the ruff-linted sample project (see output_support)."""

from __future__ import annotations

import json

import pytest
from output_support import RuffSample, diagnostics_from_ruff_json, ruff, write_sample

from mfok_lint.core.diagnostics import Applicability


@pytest.fixture(scope="session")
def ruff_sample(tmp_path_factory) -> RuffSample:
    root = tmp_path_factory.mktemp("ruff_sample")
    sources = write_sample(root)
    files = sorted(sources)
    objects = json.loads(ruff("--output-format", "json", *files, cwd=root))
    diagnostics = diagnostics_from_ruff_json(objects, root, sources)
    # The comparison is only meaningful if the sample exercises every shape the formats care about.
    assert {d.fix.applicability for d in diagnostics if d.fix} == {Applicability.SAFE, Applicability.UNSAFE}
    assert any(d.fix is None for d in diagnostics)
    assert any(d.location.row != d.end_location.row for d in diagnostics)
    return RuffSample(root, sources, diagnostics, files)


@pytest.fixture
def in_sample(ruff_sample, monkeypatch) -> RuffSample:
    monkeypatch.chdir(ruff_sample.root)
    return ruff_sample
