"""Shared pieces of the scheduling steps: the solver the scenario asks for, honest solve statuses and the
request metrics every stage is judged by (so that a later stage can be compared with an earlier one)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd
import pulp

from workbench.scenario.model import Scenario

# Objective weights: a required course placed is worth far more than an elective, which is worth a little
# more than an alternate (an alternate only stands in for an elective that cannot be placed).
W_REQUIRED = 100.0
W_ELECTIVE = 10.0
W_ALTERNATE = 9.0


@dataclass
class SolveOutcome:
    """What a MIP solve gave: status 'optimal' / 'feasible' / 'infeasible' / 'none', objective and bound."""

    status: str
    objective: float | None
    bound: float | None
    build_s: float
    solve_s: float

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return abs(self.bound - self.objective) / max(1e-9, abs(self.objective))


def make_solver(scenario: Scenario, time_limit_s: float | None = None, gap: float | None = None):
    """The solver named in scenario.yaml: HiGHS in-process (default) or the bundled CBC binary."""
    cfg = scenario.settings.solver
    limit = max(1.0, float(time_limit_s if time_limit_s is not None else cfg.time_limit_s))
    gap = cfg.mip_gap if gap is None else gap
    if cfg.name == "cbc":
        return pulp.PULP_CBC_CMD(msg=False, timeLimit=limit, gapRel=gap, threads=1,
                                 options=[f"randomSeed {int(cfg.seed) % 2**31 + 1}"])
    return pulp.HiGHS(msg=False, timeLimit=limit, gapRel=gap, threads=1, random_seed=int(cfg.seed))


def run_solver(problem: pulp.LpProblem, solver, build_s: float) -> SolveOutcome:
    """Solve and read the true status: HiGHS can say 'Optimal' when it was stopped by the time limit,
    so `sol_status` (1 optimal, 2 feasible) decides, and the MIP bound is read where the solver gives one."""
    t0 = time.perf_counter()
    try:
        problem.solve(solver)
    except pulp.PulpSolverError:
        return SolveOutcome("none", None, None, build_s, time.perf_counter() - t0)
    solve_s = time.perf_counter() - t0
    sol = problem.sol_status
    if problem.status == pulp.LpStatusInfeasible or sol == pulp.LpSolutionInfeasible:
        return SolveOutcome("infeasible", None, None, build_s, solve_s)
    if sol not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return SolveOutcome("none", None, None, build_s, solve_s)
    objective = pulp.value(problem.objective)
    objective = float(objective) if objective is not None else 0.0
    status = "optimal" if sol == pulp.LpSolutionOptimal else "feasible"
    bound = objective if status == "optimal" else None
    model = getattr(problem, "solverModel", None)
    if model is not None and hasattr(model, "getInfo"):
        try:
            dual = float(model.getInfo().mip_dual_bound)
            if abs(dual) < 1e30:
                # PuLP hands HiGHS a maximisation as a minimisation of the negated objective.
                bound = -dual if problem.sense == pulp.LpMaximize else dual
        except (AttributeError, ValueError):
            pass
    return SolveOutcome(status, objective, bound, build_s, solve_s)


def request_table(scenario: Scenario) -> pd.DataFrame:
    """requests.csv with typed columns: student_id, course_id, priority."""
    req = scenario.requests[["student_id", "course_id", "priority"]].copy()
    req["student_id"] = req["student_id"].astype(str)
    req["course_id"] = req["course_id"].astype(str)
    req["priority"] = req["priority"].astype(int)
    return req


def placement_metrics(scenario: Scenario, sections: pd.DataFrame, enrollments: pd.DataFrame) -> dict:
    """SPEC §2 request metrics for a schedule: an alternate placed stands in for one unplaced elective."""
    req = request_table(scenario)
    placed = enrollments.merge(sections[["section_id", "course_id"]], on="section_id")
    placed = placed[["student_id", "course_id"]].drop_duplicates().assign(placed=1)
    req = req.merge(placed, on=["student_id", "course_id"], how="left").fillna({"placed": 0})
    per_student = req.groupby(["student_id", "priority"])["placed"].agg(["sum", "count"]).unstack(fill_value=0)

    def col(kind, prio):
        return per_student[(kind, prio)] if (kind, prio) in per_student.columns else 0

    direct = int(pd.Series(col("sum", 2)).sum())
    elective_credit = (col("sum", 2) + pd.Series(col("sum", 3), index=per_student.index)).clip(
        upper=col("count", 2))
    n_req = int(pd.Series(col("count", 1)).sum())
    n_elec = int(pd.Series(col("count", 2)).sum())
    placed_req = int(pd.Series(col("sum", 1)).sum())
    placed_elec = int(pd.Series(elective_credit).sum())
    students = scenario.students["student_id"].astype(str)
    full = (pd.Series(col("sum", 1), index=per_student.index) >= pd.Series(col("count", 1),
                                                                            index=per_student.index))
    n_full = int(full.reindex(students, fill_value=True).sum())
    total = n_req + n_elec
    return {
        "requests": total, "requests_placed": placed_req + placed_elec,
        "required": n_req, "required_placed": placed_req, "electives_placed_directly": direct,
        "requests_placed_pct": round(100.0 * (placed_req + placed_elec) / total, 2) if total else 100.0,
        "required_placed_pct": round(100.0 * placed_req / n_req, 2) if n_req else 100.0,
        "students_fully_scheduled_pct": round(100.0 * n_full / len(students), 2) if len(students) else 100.0,
    }


def score(metrics: dict) -> tuple:
    """Order two schedules: more required placed first, then more requests placed, then students' schedule
    goals met (class size, strong teacher), then electives placed directly."""
    return (metrics["required_placed"], metrics["requests_placed"], metrics.get("schedule_goals_met", 0),
            metrics["electives_placed_directly"],
            metrics["students_fully_scheduled_pct"])
