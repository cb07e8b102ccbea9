"""An internal error reaches a school leader as one plain line, and a developer who sets WORKBENCH_DEBUG=1 gets
the traceback, in every command: `solve` (which used to hide it), `check` and `validate` included.

The bug is forced by replacing one step with a function that raises: what is tested is how each command
answers an internal error, not a planning result.
"""

from __future__ import annotations

import shutil
import sys
import traceback
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbench.cli import app, main

MINI = Path(__file__).resolve().parent / "data" / "mini"


class Bug(RuntimeError):
    """An internal error no input explains."""


def _raise_bug(*_args, **_kwargs):
    raise Bug("an index ran past the end of the list")


@pytest.fixture
def school(tmp_path) -> Path:
    shutil.copytree(MINI, tmp_path / "mini")
    return tmp_path / "mini"


@pytest.fixture
def broken_budget(monkeypatch):
    import workbench.plan.budget

    monkeypatch.setattr(workbench.plan.budget, "build_budget", _raise_bug)


def test_a_bug_in_solve_is_one_plain_line_and_nothing_is_written(school, tmp_path, broken_budget, monkeypatch):
    monkeypatch.delenv("WORKBENCH_DEBUG", raising=False)
    out = tmp_path / "design"
    answer = CliRunner().invoke(app, ["solve", str(school), "--out", str(out)])
    assert answer.exit_code == 1
    assert "The solve failed unexpectedly: Bug: an index ran past the end of the list" in answer.output
    assert "WORKBENCH_DEBUG=1" in answer.output
    assert "Traceback" not in answer.output
    assert not out.exists()


def test_workbench_debug_shows_where_a_bug_in_solve_happened(school, tmp_path, broken_budget, monkeypatch):
    monkeypatch.setenv("WORKBENCH_DEBUG", "1")
    out = tmp_path / "design"
    monkeypatch.setattr(sys, "argv", ["workbench", "solve", str(school), "--out", str(out)])
    with pytest.raises(Bug) as raised:
        main()   # the console script: Python prints the traceback of what escapes it
    frames = [frame.name for frame in traceback.extract_tb(raised.value.__traceback__)]
    assert "solve_scenario" in frames and "_raise_bug" in frames
    assert not out.exists()


@pytest.fixture
def solved(school, tmp_path) -> Path:
    out = tmp_path / "design"
    answer = CliRunner().invoke(app, ["solve", str(school), "--out", str(out)])
    assert answer.exit_code == 0, answer.output
    return out


def test_workbench_debug_shows_a_bug_in_check(school, solved, monkeypatch):
    import workbench.goals.evaluate

    monkeypatch.setattr(workbench.goals.evaluate, "evaluate_goals", _raise_bug)
    monkeypatch.delenv("WORKBENCH_DEBUG", raising=False)
    plain = CliRunner().invoke(app, ["check", str(school), str(solved)])
    assert plain.exit_code == 1
    assert "the goals could not be recomputed on this result (Bug:" in plain.output
    monkeypatch.setenv("WORKBENCH_DEBUG", "1")
    debug = CliRunner().invoke(app, ["check", str(school), str(solved)])
    assert isinstance(debug.exception, Bug)


def test_workbench_debug_shows_a_bug_in_validate(school, monkeypatch):
    import workbench.scenario.validate

    checks = list(workbench.scenario.validate.CHECKS)
    monkeypatch.setattr(workbench.scenario.validate, "CHECKS", (*checks[:-1], _raise_bug))
    monkeypatch.delenv("WORKBENCH_DEBUG", raising=False)
    plain = CliRunner().invoke(app, ["validate", str(school)])
    assert plain.exit_code == 1
    assert "could not be checked" in plain.output and "Traceback" not in plain.output
    monkeypatch.setenv("WORKBENCH_DEBUG", "1")
    debug = CliRunner().invoke(app, ["validate", str(school)])
    assert isinstance(debug.exception, Bug)
