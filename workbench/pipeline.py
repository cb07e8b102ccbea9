"""The whole chain, the same for the CLI, the notebooks and the app:
validate → staffing → schedule → groups → budget → per-student goals."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from workbench.progress import ProgressFn, Reporter
from workbench.results.io import Result
from workbench.scenario.model import Scenario


def solve_scenario(scenario: Scenario, progress: ProgressFn | None = None,
                   cancel: threading.Event | None = None) -> Result:
    """Plan a (validated) scenario end to end. Raises `InfeasibleDesign` with a plain explanation when
    the hard rules cannot all hold, `SolveCancelled` when `cancel` is set. Writes nothing."""
    from workbench.goals.evaluate import evaluate_goals, summary_metrics
    from workbench.plan.budget import build_budget
    from workbench.plan.groups import plan_groups
    from workbench.plan.schedule import build_schedule
    from workbench.plan.staffing import plan_staffing

    reporter = Reporter(progress, cancel)
    timings: dict[str, float] = {}
    start = time.perf_counter()

    def timed(phase, fn, *args):
        reporter.report(phase, f"{phase}: starting")
        t0 = time.perf_counter()
        out = fn(*args, reporter)
        timings[phase] = round(time.perf_counter() - t0, 3)
        reporter.report(phase, f"{phase}: done in {timings[phase]:.1f} s", 1.0)
        return out

    staffing = timed("staffing", plan_staffing, scenario)
    schedule = timed("schedule", build_schedule, scenario, staffing.staffing)
    groups = timed("groups", plan_groups, scenario, staffing.staffing, schedule.sections, schedule.enrollments)
    budget = timed("budget", build_budget, scenario, staffing.staffing, staffing.student_supports)

    spec_staffing = staffing.staffing
    result = Result(
        sections=schedule.sections, enrollments=schedule.enrollments,
        groups=groups.groups, group_sessions=groups.group_sessions, group_members=groups.group_members,
        staffing=spec_staffing, student_supports=budget.student_supports, budget=budget.budget,
        extra={**staffing.extra, **schedule.extra, **budget.extra, "unserved_tutoring": groups.unserved},
    )
    reporter.report("goals", "goals: evaluating every student's plan")
    result.student_goals = evaluate_goals(scenario, result)
    reporter.report("goals", "goals: done", 1.0)
    phase_stats = {"staffing": staffing.stats, "schedule": schedule.stats, "groups": groups.stats,
                   "budget": budget.stats}
    statuses = {"staffing": staffing.status, "schedule": schedule.status, "groups": groups.status}
    result.summary = {
        "status": "optimal" if all(s == "optimal" for s in statuses.values()) else "feasible",
        "solver": scenario.settings.solver.name,
        "scenario": scenario.name,
        "scenario_path": str(Path(scenario.path).resolve()) if scenario.path is not None else None,
        "timings": _timings(timings, phase_stats, time.perf_counter() - start),
        "metrics": summary_metrics(scenario, result, result.student_goals),
        "phase_status": statuses,
        "phases": phase_stats,
    }
    return result


def _timings(wall: dict[str, float], stats: dict[str, dict], total: float) -> dict:
    """build_s is model building as the steps measured it; solve_s is the rest of the planning steps' time
    (solver calls, heuristics, repairs), so build_s + solve_s is the planning time and nothing is hidden;
    solver_s is the part the steps report as time inside a solver."""
    build = solver = 0.0
    for phase in wall:
        own = stats.get(phase) or {}
        if isinstance(own.get("build_s"), int | float):
            build += float(own["build_s"])
        if isinstance(own.get("solve_s"), int | float):
            solver += float(own["solve_s"])
    planning = sum(wall.values())
    build = min(build, planning)
    return {"build_s": round(build, 3), "solve_s": round(planning - build, 3), "total_s": round(total, 3),
            "solver_s": round(solver, 3), "phases": wall}
