"""Shared pieces of the scheduling steps: the request metrics every stage is judged by (so that a later stage
can be compared with an earlier one), and the work budgets every polishing pass runs on. Solvers are built and
run in `workbench.plan.solver`."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import pandas as pd

from workbench.plan.solver import TIME_CAP, WORK_LIMIT, record_time_cap
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

# Work a small MIP inside a pass costs on a Placement's meter, per variable: about what matching that many
# courses into timetables costs (measured in benchmarks/determinism.py), so that one budget bounds both.
MIP_WORK_PER_VARIABLE = 1.0


def mip_work(variables: int) -> int:
    return math.ceil(variables * MIP_WORK_PER_VARIABLE)


class Budget:
    """How much a pass may do, counted in work on a meter, never in seconds.

    Why: a pass bounded by the clock stops at a point that depends on how busy the machine is, so the same
    scenario gave a different design on a loaded machine (issue 11). The meter counts deterministic work:
    a `Placement`'s `work` (courses matched into a student's timetable, plus the size of each small MIP a
    pass solves). `units` is the work allowed; `cap_at` (a `time.perf_counter()` instant) is only a safety
    cap for a pathological case. A pass stopped by its work says `stopped_by == WORK_LIMIT` (reproducible);
    one stopped by the cap says TIME_CAP, and the cap is recorded for summary.json (the result then depends
    on the machine's load). `part` gives a step of the pass its own share; it shares the meter and the cap."""

    def __init__(self, label: str, meter: Callable[[], int], units: float, cap_at: float,
                 parent: Budget | None = None):
        self.label, self.meter, self.units, self.cap_at, self.parent = label, meter, float(units), cap_at, parent
        self.start = meter()
        self.stopped_by: str | None = None

    def used(self) -> int:
        return self.meter() - self.start

    def left(self) -> float:
        return self.units - self.used()

    def spent(self) -> bool:
        """True once the pass must stop: its work is used up (checked first, so that a pass at its limit stops
        there on any machine) or the clock passed the safety cap."""
        if self.stopped_by is not None:
            return True
        if self.used() >= self.units:
            self.stopped_by = WORK_LIMIT
        elif time.perf_counter() > self.cap_at:
            self._capped()
        return self.stopped_by is not None

    def _capped(self) -> None:
        self.stopped_by = TIME_CAP
        if self.parent is not None:
            self.parent._capped()
        else:
            record_time_cap(f"schedule: {self.label}")

    def seconds_left(self) -> float:
        """Seconds to the safety cap: the time limit of a MIP inside the pass (never below one second)."""
        return max(1.0, self.cap_at - time.perf_counter())

    def part(self, label: str, units: float) -> Budget:
        """A step's share of this budget: at most `units`, and never more than is left."""
        return Budget(label, self.meter, max(0.0, min(units, self.left())), self.cap_at, parent=self)

    def info(self) -> dict:
        """For the stats: the work used, the limit and, when one did, what stopped the pass."""
        out = {"work": self.used(), "work_limit": int(self.units) if math.isfinite(self.units) else None}
        if self.stopped_by is not None:
            out["stopped_by"] = self.stopped_by
        return out


def unlimited(seconds: float, meter: Callable[[], int] = lambda: 0, label: str = "pass") -> Budget:
    """A budget with no work limit and a safety cap `seconds` from now: for a hand-made case (tests)."""
    return Budget(label, meter, math.inf, time.perf_counter() + seconds)
