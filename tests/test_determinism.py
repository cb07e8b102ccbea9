"""The same input gives the same design (issue 11): a consultant re-running a design in front of a school team,
and a central office re-checking a proposal, get exactly the result that was shown before.

Each solve runs in its own process (`workbench solve`) with its own PYTHONHASHSEED, so that an order taken
from a set of strings would show; the second solve runs while two other processes keep both cores busy, so
that a pass bounded by the clock rather than by its work would show. The result folders are compared byte
for byte, summary.json apart from its timings.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pulp
import pytest

from workbench.pipeline import solve_scenario
from workbench.plan.solver import FEASIBLE, OPTIMAL, TIME_CAP, WORK_LIMIT, run_solver
from workbench.results.io import design_summary
from workbench.scenario import load_scenario
from workbench.scenario.settings import Solver

ROOT = Path(__file__).resolve().parents[1]
BUSY_S = 600   # a busy process gives up by itself after this long, should the test be killed before teardown


def solve_in_own_process(scenario: Path, out: Path, hash_seed: int) -> None:
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed)}
    done = subprocess.run([sys.executable, "-m", "workbench.cli", "solve", str(scenario), "--out", str(out)],
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


@contextlib.contextmanager
def busy_machine(processes: int = 2) -> Iterator[None]:
    """Other work on the machine: processes spinning on the CPU until the block ends (or BUSY_S passes)."""
    spin = f"import time\nend = time.monotonic() + {BUSY_S}\nwhile time.monotonic() < end:\n    pass\n"
    busy = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(processes)]
    try:
        yield
    finally:
        for p in busy:
            p.kill()
        for p in busy:
            p.wait()


def contents(folder: Path) -> dict[str, object]:
    """Every file of a result folder: raw bytes, summary.json read without its timings."""
    out: dict[str, object] = {}
    for path in sorted(folder.iterdir()):
        if path.name == "summary.json":
            out[path.name] = design_summary(json.loads(path.read_text(encoding="utf-8")))
        else:
            out[path.name] = path.read_bytes()
    return out


def differences(a: dict, b: dict) -> list[str]:
    names = sorted(set(a) | set(b))
    return [name for name in names if a.get(name) != b.get(name)]


@pytest.mark.parametrize("school", ["tutorial", "riverside-middle"])
def test_a_school_solved_again_on_a_busy_machine_gets_the_very_same_design(school, tmp_path):
    scenario = ROOT / "scenarios" / school
    solve_in_own_process(scenario, tmp_path / "first", hash_seed=1)
    with busy_machine():
        solve_in_own_process(scenario, tmp_path / "again", hash_seed=2)
    first, again = contents(tmp_path / "first"), contents(tmp_path / "again")
    assert len(first) > 10, "a whole result folder was written"
    assert differences(first, again) == []
    summary = first["summary.json"]
    assert summary["stopped_by_time_cap"] == [], "every pass ended on its work, not on the clock"


def test_a_solve_cut_short_by_its_time_limit_says_so_and_is_never_called_optimal():
    """A time limit far too short for the work: the design still keeps every hard rule (the pipeline's
    checker), but the passes the clock stopped are named and the status is only `feasible`."""
    scenario = load_scenario(ROOT / "scenarios" / "tutorial").with_settings(**{"solver.time_limit_s": 0.001})
    result = solve_scenario(scenario)
    assert result.summary["status"] == "feasible"
    assert any(step.startswith("schedule") for step in result.summary["stopped_by_time_cap"])
    passes = result.summary["phases"]["schedule"]["phases"]
    assert any(p.get("stopped_by") == TIME_CAP for p in passes.values() if isinstance(p, dict))


def knapsack() -> pulp.LpProblem:
    """A 0-1 knapsack with many near-equal items: HiGHS needs many branch-and-bound nodes to prove it."""
    prob = pulp.LpProblem("knapsack", pulp.LpMaximize)
    items = [pulp.LpVariable(f"x{i:02d}", cat="Binary") for i in range(40)]
    weights = [1000 + (37 * i) % 101 for i in range(40)]
    prob += pulp.lpSum((w + (i % 7)) * x for i, (w, x) in enumerate(zip(weights, items, strict=True)))
    prob += pulp.lpSum(w * x for w, x in zip(weights, items, strict=True)) <= sum(weights) // 2 + 7
    return prob


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_a_mip_stopped_by_its_node_limit_keeps_its_design_and_says_the_work_limit_stopped_it(solver):
    """A node limit is reproducible, unlike the clock: the solve stops at the same node on any machine and
    hands back the design it had (HiGHS reports it as a 'solution limit', which PuLP alone cannot read)."""
    settings = Solver(name=solver, time_limit_s=60, fallback=False)
    answers = []
    for _ in range(2):
        prob = knapsack()
        outcome = run_solver(prob, settings, step="test", gap=0.0, node_limit=2)
        assert outcome.status == FEASIBLE and outcome.stopped_by == WORK_LIMIT
        answers.append(({v.name: v.varValue for v in prob.variables()}, outcome.objective))
    assert answers[0] == answers[1]
    full = run_solver(knapsack(), settings, step="test", gap=0.0, node_limit=None)
    assert full.status == OPTIMAL and full.stopped_by is None
    assert full.objective >= answers[0][1]
