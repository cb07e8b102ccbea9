"""Shared pieces of the scheduling steps: the request metrics every stage is judged by (so that a later stage
can be compared with an earlier one). Solvers are built and run in `workbench.plan.solver`."""

from __future__ import annotations

import pandas as pd

from workbench.scenario.model import Scenario

# Objective weights: a required course placed is worth far more than an elective, which is worth a little
# more than an alternate (an alternate only stands in for an elective that cannot be placed).
W_REQUIRED = 100.0
W_ELECTIVE = 10.0
W_ALTERNATE = 9.0


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
