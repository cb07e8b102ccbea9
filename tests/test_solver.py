"""A solver that fails is a solver failure, never an impossible design.

The failure used here is a real one, not a stub: HiGHS 1.16 keeps one thread scheduler per process and
refuses ("Not Solved") a one-thread solve once the scheduler was started with two threads (field case
c00-highs-threads: every solve on a fresh machine was explained to the school leader as "the required
sections cannot all be given a teacher"). The workbench solves with one thread everywhere; a notebook or
another library in the same process may not.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import highspy
import pulp
import pytest
from test_pipeline import _everyone_wants_tutoring, _with_spare
from typer.testing import CliRunner

from workbench.cli import app
from workbench.errors import InfeasibleDesign, SolverFailed
from workbench.pipeline import solve_scenario
from workbench.plan.groups import plan_groups
from workbench.plan.schedule import build_schedule
from workbench.plan.solver import INFEASIBLE, OPTIMAL, run_solver
from workbench.plan.staffing import StaffingOptions, plan_extra_tutors, plan_staffing
from workbench.plan.tradeoffs import class_size_vs_mcl, marginal_value_of_budget
from workbench.results.check import check_result
from workbench.scenario import load_scenario
from workbench.scenario.settings import Solver

FIELD_CASE = Path(__file__).resolve().parent / "data" / "field-cases" / "c00-highs-threads"
REFUSAL = "threads' is set to 1 but the scheduler has already been initialized"


def _tiny(threads: int) -> pulp.LpProblem:
    prob = pulp.LpProblem("tiny", pulp.LpMaximize)
    x, y = (pulp.LpVariable(n, 0, 3, cat="Integer") for n in "xy")
    prob += x + y
    prob += x + 2 * y <= 4
    prob.solve(pulp.HiGHS(msg=False, threads=threads))
    return prob


@contextlib.contextmanager
def highs_started_with_two_threads():
    """HiGHS as a notebook that solved something with two threads leaves it: our one-thread solves are
    refused. The scheduler is reset afterwards so that later tests in this process are unaffected."""
    highspy.Highs.resetThreadScheduler(True)
    try:
        assert _tiny(threads=2).sol_status == pulp.LpSolutionOptimal
        assert _tiny(threads=1).sol_status != pulp.LpSolutionOptimal, \
            "this HiGHS no longer refuses mixed thread counts: the failure these tests rely on is gone"
        yield
    finally:
        highspy.Highs.resetThreadScheduler(True)


def _no_fallback(scenario):
    school = scenario.copy()
    school.settings.solver.fallback = False
    return school


def test_the_fresh_machine_case_solves_fully_with_cbc_and_says_that_highs_failed():
    school = load_scenario(FIELD_CASE)
    with highs_started_with_two_threads():
        result = solve_scenario(school)
    metrics = result.summary["metrics"]
    assert metrics["requests_fulfilled_pct"] == 100.0
    assert metrics["required_fulfilled_pct"] == 100.0
    notes = result.summary["solver_notes"]
    assert notes and all("HiGHS failed" in n and "solved with CBC instead" in n for n in notes)
    assert any(REFUSAL in n for n in notes), "the note quotes HiGHS's own reason"
    assert check_result(school, result) == []


def test_on_a_healthy_machine_no_fallback_is_noted():
    result = solve_scenario(load_scenario(FIELD_CASE))
    assert result.summary["solver_notes"] == []
    assert result.summary["status"] == "optimal"
    assert result.summary["metrics"]["requests_fulfilled_pct"] == 100.0


def _groups(mini):
    staffing = plan_staffing(mini).staffing
    schedule = build_schedule(mini, staffing)
    return lambda: plan_groups(mini, staffing, schedule.sections, schedule.enrollments)


def _extra_tutors(mini):
    """The grant case of test_pipeline: students still wait for a tutor after the groups, money is left."""
    school = _with_spare(_everyone_wants_tutoring(mini), 100000)
    plan = plan_staffing(school, options=StaffingOptions(extra_budget=-90000))
    schedule = build_schedule(school, plan.staffing)
    groups = plan_groups(school, plan.staffing, schedule.sections, schedule.enrollments)
    assert len(groups.unserved), "students still wait for a tutor: the tutor-hiring model has work"
    return lambda: plan_extra_tutors(school, plan, groups.unserved, schedule.sections, schedule.enrollments)


STEPS = {
    # step: (what runs before HiGHS fails, what must report the failure)
    "staffing": lambda mini: (lambda: plan_staffing(mini)),
    "schedule": lambda mini: (lambda staffing=plan_staffing(mini).staffing: build_schedule(mini, staffing)),
    "small groups": _groups,
    "tutor hiring": _extra_tutors,
    "trade-offs": lambda mini: (lambda: class_size_vs_mcl(mini)),
    "budget curve": lambda mini: (lambda: marginal_value_of_budget(mini, levels=2)),
    "whole chain": lambda mini: (lambda: solve_scenario(mini)),
}


@pytest.mark.parametrize("step", list(STEPS))
def test_a_step_whose_solver_fails_says_so_and_never_blames_the_school(mini, step):
    school = _no_fallback(mini)
    run = STEPS[step](school)
    with highs_started_with_two_threads(), pytest.raises(SolverFailed) as failure:
        run()
    message = str(failure.value)
    assert "The HiGHS solver failed" in message
    assert REFUSAL in message, "the solver's own reason is quoted"
    assert "not a problem with the school's design" in message
    assert "solver: name: cbc" in message
    assert not isinstance(failure.value, InfeasibleDesign)


def test_the_command_line_says_the_solver_failed_and_writes_nothing(tmp_path):
    school = tmp_path / "school"
    shutil.copytree(FIELD_CASE, school)
    yaml = school / "scenario.yaml"
    yaml.write_text(yaml.read_text().replace("solver:", "solver:\n  fallback: false"))
    out = tmp_path / "out"
    with highs_started_with_two_threads():
        run = CliRunner().invoke(app, ["solve", str(school), "--out", str(out)])
    assert run.exit_code == 1
    assert "The HiGHS solver failed" in run.output
    assert "cannot work" not in run.output and "cannot all be given a teacher" not in run.output
    assert not out.exists()


def test_a_model_proven_impossible_is_infeasible_not_a_failure():
    settings = Solver()
    impossible = pulp.LpProblem("impossible", pulp.LpMaximize)
    x = pulp.LpVariable("x", 0, 1, cat="Integer")
    impossible += x
    impossible += x >= 2
    assert run_solver(impossible, settings, step="test").status == INFEASIBLE


def test_a_model_left_with_no_decisions_is_answered_without_a_solver():
    prob = pulp.LpProblem("fixed", pulp.LpMinimize)
    prob += pulp.LpAffineExpression(constant=5)
    outcome = run_solver(prob, Solver(), step="test")
    assert outcome.status == OPTIMAL and outcome.objective == 5


def test_the_command_line_prints_only_the_workbench_s_own_words(tmp_path):
    """HiGHS 1.16 prints a copyright banner when a process makes its first solver; a school leader's
    terminal (and a script reading stdout) gets only the result line."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "workbench.cli", "solve", str(FIELD_CASE), "--out",
                           str(tmp_path / "out")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "HiGHS" not in done.stdout + done.stderr
    assert done.stdout.strip().splitlines() == [done.stdout.strip()] and "requests placed 100.0%" in done.stdout
