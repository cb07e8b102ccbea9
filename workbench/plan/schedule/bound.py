"""An upper bound on requests placed that holds for every timetable this staff could run (issue 17).

Why: the bound the schedule step reported before was conditional on its own timetable (the most students
could take with the periods it had chosen), so it equalled what was placed and told a leader that 100% was
impossible when another timetable reached it. This bound relaxes the timetable away and keeps only what no
timetable can escape:

- a student takes at most one class per teaching period: at most min(required + electives, teaching periods)
  of their requests, and an alternate counts only for an elective left unplaced (SPEC §2);
- a course seats at most `cap` (its max_size, or its largest fitting room) in each of its sections;
- sections are decisions, but each is taught by a teacher who holds the subject, within that teacher's
  capacity (min(max_sections, free teaching periods)), and held in a room of the course's room type, one
  section per room per teaching period.

The linear relaxation of that model (a network flow with section counts as continuous variables) is solved
with the scenario's solver, over groups of students with the same requests (exact for the LP by symmetry).
Its optimum, rounded down, is a valid bound; when the LP is not solved to optimality the bound falls back to
the per-student one, which needs no solver.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import pulp

from workbench.plan.schedule.common import request_table
from workbench.plan.solver import OPTIMAL, run_solver
from workbench.scenario.model import Scenario

# The LP's optimum is rounded down after this tolerance (a solver's optimum a hair under an integer).
TOLERANCE = 1e-4
ALL_TIMETABLES = "all timetables"          # the LP relaxation over every timetable and section count
PER_STUDENT = "per student"                # periods per student only (the LP did not solve)


@dataclass
class RequestsBound:
    """`value`: requests (priority 1 and 2, alternates standing in) no timetable can exceed; `kind`: which
    relaxation gave it (ALL_TIMETABLES or PER_STUDENT); `per_student`: the periods-only bound; `solve_s`."""

    value: int
    kind: str
    per_student: int
    solve_s: float


def requests_bound(scenario: Scenario, catalog) -> RequestsBound:
    """The school-wide upper bound on requests placed (see the module's docstring). `catalog` is the schedule
    step's `Catalog` (courses with `cap`, `subject`, `room_type`; teachers with `subjects`, `capacity`;
    rooms; teaching periods). Never raises for a solver's failure: it falls back to the per-student bound."""
    t0 = time.perf_counter()
    periods = len(catalog.periods)
    groups = _request_groups(scenario)
    per_student = sum(m * min(len(p1) + len(p2), periods) for (p1, p2, _), m in groups.items())
    prob = pulp.LpProblem("requests_bound", pulp.LpMaximize)
    courses = catalog.courses
    offered = set(courses.index[courses["cap"] > 0])
    sections = {c: pulp.LpVariable(f"s_{i}", lowBound=0) for i, c in enumerate(sorted(offered))}
    seats: dict[str, list] = {c: [] for c in offered}
    objective = []
    for g, ((p1, p2, p3), m) in enumerate(groups.items()):
        x = {c: pulp.LpVariable(f"x_{g}_{j}", lowBound=0, upBound=m)
             for j, c in enumerate(sorted((set(p1) | set(p2) | set(p3)) & offered))}
        for c, var in x.items():
            seats[c].append(var)
        credit = pulp.LpVariable(f"e_{g}", lowBound=0, upBound=m * len(p2))
        prob += credit <= pulp.lpSum(x[c] for c in (*p2, *p3) if c in x)
        prob += pulp.lpSum(x.values()) <= m * periods
        prob += pulp.lpSum(x[c] for c in p1 if c in x) + credit <= m * min(len(p1) + len(p2), periods)
        objective += [x[c] for c in p1 if c in x] + [credit]
    prob += pulp.lpSum(objective)
    for c, var in sections.items():
        prob += pulp.lpSum(seats[c]) <= int(courses.at[c, "cap"]) * var
    _teachers(prob, catalog, sections)
    _rooms(prob, catalog, sections, periods)
    build_s = time.perf_counter() - t0
    outcome = run_solver(prob, scenario.settings.solver, step="schedule: requests bound", build_s=build_s,
                         node_limit=None)
    solve_s = round(time.perf_counter() - t0, 3)
    if outcome.status != OPTIMAL or outcome.objective is None:
        return RequestsBound(per_student, PER_STUDENT, per_student, solve_s)
    value = min(per_student, math.floor(outcome.objective + TOLERANCE))
    return RequestsBound(value, ALL_TIMETABLES, per_student, solve_s)


def _request_groups(scenario: Scenario) -> dict[tuple, int]:
    """Students with the same required, elective and alternate courses, and how many of them."""
    req = request_table(scenario)
    groups: dict[tuple, int] = {}
    for _, rows in req.groupby("student_id", sort=True):
        key = tuple(tuple(sorted(set(rows.loc[rows["priority"] == p, "course_id"]))) for p in (1, 2, 3))
        groups[key] = groups.get(key, 0) + 1
    return groups


def _teachers(prob: pulp.LpProblem, catalog, sections: dict) -> None:
    """Each section needs a teacher who holds the course's subject, within the teacher's capacity."""
    load: dict[str, list] = {}
    taught: dict[str, list] = {c: [] for c in sections}
    for i, (t, row) in enumerate(catalog.teachers.iterrows()):
        for j, c in enumerate(sections):
            if catalog.courses.at[c, "subject"] in row["subjects"] and int(row["capacity"]) > 0:
                y = pulp.LpVariable(f"y_{i}_{j}", lowBound=0)
                load.setdefault(t, []).append(y)
                taught[c].append(y)
    for t, ys in load.items():
        prob += pulp.lpSum(ys) <= int(catalog.teachers.at[t, "capacity"])
    for c, var in sections.items():
        prob += var <= pulp.lpSum(taught[c])


def _rooms(prob: pulp.LpProblem, catalog, sections: dict, periods: int) -> None:
    """One section per room per teaching period: in all, and within each room type a course asks for."""
    rooms = catalog.rooms
    prob += pulp.lpSum(sections.values()) <= len(rooms) * periods
    kinds: dict[str, list] = {}
    for c, var in sections.items():
        kind = catalog.courses.at[c, "room_type"]
        if kind:
            kinds.setdefault(kind, []).append(var)
    for kind, vars_ in kinds.items():
        prob += pulp.lpSum(vars_) <= int((rooms["room_type"] == kind).sum()) * periods
