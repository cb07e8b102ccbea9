"""OPTIONAL two-stage constraint-programming reference for the schedule benchmark (OR-Tools CP-SAT).

Benchmark-only: ortools is not a workbench dependency (`pip install ortools` to run it); nothing in
workbench/ imports this. It measures "at least as good as a CP reference at equal time" instead of assuming it.

Stage 1, periods: each section (the same sections and teachers as the greedy baseline) gets one of its
teacher's free periods; no teacher double booked; no more sections of a room type in a period than rooms;
minimise the students whose small (one- or two-section) courses clash. Stage 2, students: with periods fixed,
students go into (course, period) groups (sections of one course in one period share seats), one class per
period, seats, alternates only for missed electives; maximise weighted requests placed. Each stage gets its
share of the time budget; CP-SAT uses both cores.

OR-Tools bundles its own HiGHS, whose symbols clash with highspy's in one process: the benchmark runs this
reference in a separate process (`python benchmarks/cp_reference.py LABEL SECONDS`, printing JSON).
"""

from __future__ import annotations

import time

import pandas as pd
from ortools.sat.python import cp_model

from workbench.plan.schedule.common import placement_metrics, request_table
from workbench.plan.schedule.greedy import greedy_periods, greedy_students, greedy_teachers
from workbench.plan.schedule.periods import allowed_periods, assign_rooms, conflict_matrix
from workbench.plan.schedule.sections import build_catalog, run_prechecks
from workbench.plan.schedule.students import section_caps
from workbench.scenario.model import Scenario

WEIGHT = {1: 100, 2: 10, 3: 9}


def cp_schedule(scenario: Scenario, staffing: pd.DataFrame, time_limit_s: float) -> dict:
    start = time.perf_counter()
    catalog = build_catalog(scenario, staffing)
    run_prechecks(scenario, catalog)
    plan = greedy_teachers(catalog, scenario)
    requests = request_table(scenario)
    conflicts = conflict_matrix(requests)
    periods, p_bound = _periods(plan, catalog, conflicts, time_limit_s / 3, greedy_periods(catalog, plan, conflicts))
    sections = plan.assign(period=periods)
    sections = sections[sections["period"].notna()].copy()
    sections["period"] = sections["period"].astype(int)
    sections["room_id"] = assign_rooms(sections, catalog)
    sections["cap"] = section_caps(sections, scenario)
    left = max(1.0, time_limit_s - (time.perf_counter() - start))
    hint = greedy_students(scenario, sections).merge(sections[["section_id", "course_id", "period"]])
    enroll, objective, bound = _students(requests, sections, left, hint)
    stats = placement_metrics(scenario, sections, enroll)
    stats.update({"total_s": round(time.perf_counter() - start, 2), "objective": objective, "bound": bound,
                  "gap": None if not objective else round((bound - objective) / objective, 4)})
    return stats


def _periods(plan: pd.DataFrame, catalog, conflicts: pd.DataFrame, limit: float,
             hint: pd.Series) -> tuple[pd.Series, float]:
    """Stage 1, hinted with the greedy periods (CP-SAT starts from the baseline)."""
    m = cp_model.CpModel()
    allowed = allowed_periods(plan, catalog)
    y = {(i, p): m.new_bool_var(f"y{i}_{p}") for i, ps in allowed.items() for p in ps}
    for i, ps in allowed.items():
        m.add_exactly_one(y[i, p] for p in ps)
        for p in ps:
            h = hint.get(i)
            m.add_hint(y[i, p], bool(h is not None and h == h and int(h) == p))
    by_t, by_type, by_p = {}, {}, {}
    rtype = catalog.courses["room_type"]
    for (i, p), v in y.items():
        by_t.setdefault((plan.at[i, "staff_id"], p), []).append(v)
        by_p.setdefault(p, []).append(v)
        if rtype[plan.at[i, "course_id"]]:
            by_type.setdefault((rtype[plan.at[i, "course_id"]], p), []).append(v)
    for vs in by_t.values():
        m.add_at_most_one(vs)
    rooms = catalog.rooms
    for (kind, _p), vs in by_type.items():
        m.add(sum(vs) <= int((rooms["room_type"] == kind).sum()))
    for vs in by_p.values():
        m.add(sum(vs) <= len(rooms))
    n_sec = plan.groupby("course_id").size()
    z = {}
    for (i, p), v in y.items():
        z.setdefault((plan.at[i, "course_id"], p), []).append(v)
    small = set(n_sec[n_sec <= 2].index)
    terms = []
    for a, b, w in conflicts.itertuples(index=False):
        if a not in small or b not in small:
            continue
        for p in catalog.periods:
            if (a, p) in z and (b, p) in z:
                clash = m.new_bool_var("")
                # clash >= any section of a in p and any of b in p (each pair counted once per period)
                for va in z[a, p]:
                    for vb in z[b, p]:
                        m.add_bool_or([va.Not(), vb.Not(), clash])
                terms.append(int(round(w)) * clash)
    m.minimize(sum(terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(limit)
    solver.parameters.num_workers = 2
    solver.solve(m)
    chosen = {i: p for (i, p), v in y.items() if solver.value(v)}
    return pd.Series(chosen, dtype="Int64").reindex(plan.index), solver.best_objective_bound


def _students(requests: pd.DataFrame, sections: pd.DataFrame, limit: float, hint: pd.DataFrame):
    """Stage 2, hinted with the greedy placement on these periods."""
    placed = set(zip(hint["student_id"], hint["course_id"], hint["period"], strict=True))
    groups = sections.groupby(["course_id", "period"])["cap"].sum()
    rows = requests.merge(groups.reset_index()[["course_id", "period"]], on="course_id")
    m = cp_model.CpModel()
    x = [m.new_bool_var("") for _ in range(len(rows))]
    for v, key in zip(x, zip(rows["student_id"], rows["course_id"], rows["period"], strict=True), strict=True):
        m.add_hint(v, key in placed)
    by_sc, by_sp, by_g, alt = {}, {}, {}, {}
    for j, (s, c, prio, p) in enumerate(zip(rows["student_id"], rows["course_id"], rows["priority"], rows["period"],
                                            strict=True)):
        by_sc.setdefault((s, c), []).append(x[j])
        by_sp.setdefault((s, p), []).append(x[j])
        by_g.setdefault((c, p), []).append(x[j])
        if prio >= 2:
            alt.setdefault(s, []).append(x[j])
    for vs in list(by_sc.values()) + list(by_sp.values()):
        if len(vs) > 1:
            m.add_at_most_one(vs)
    for key, vs in by_g.items():
        m.add(sum(vs) <= int(groups[key]))
    n_elec = requests[requests["priority"] == 2].groupby("student_id").size()
    for s, vs in alt.items():
        m.add(sum(vs) <= int(n_elec.get(s, 0)))
    m.maximize(sum(WEIGHT[int(p)] * v for p, v in zip(rows["priority"], x, strict=True)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(limit)
    solver.parameters.num_workers = 2
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return pd.DataFrame(columns=["student_id", "section_id"]), None, solver.best_objective_bound
    chosen = rows[[bool(solver.value(v)) for v in x]]
    # split each (course, period) group into its sections by free seats
    out = []
    secs = {k: list(g[["section_id", "cap"]].itertuples(index=False)) for k, g in
            sections.groupby(["course_id", "period"])}
    for key, g in chosen.groupby(["course_id", "period"]):
        seats = [[sid, int(cap)] for sid, cap in secs[key]]
        for s in g["student_id"]:
            seat = max(seats, key=lambda t: t[1])
            seat[1] -= 1
            out.append((s, seat[0]))
    return pd.DataFrame(out, columns=["student_id", "section_id"]), solver.objective_value, \
        solver.best_objective_bound


def scenario_for(label: str) -> Scenario:
    """The benchmark's schools by label: summit-high, high-N, high-N-full, high-N-full-tight, high-N-hard(-tight)."""
    from common import bundled_or_generated, full_load, generated, hard_full_load, tight
    if label == "summit-high":
        return bundled_or_generated("summit-high", 1800, "high", 2)
    n = int(label.split("-")[1])
    if "-hard" in label:
        hard = hard_full_load(generated(n, "high"))
        return tight(hard) if label.endswith("-tight") else hard
    scenario = generated(n, "high")
    scenario = full_load(scenario) if "-full" in label else scenario
    return tight(scenario) if label.endswith("-tight") else scenario


if __name__ == "__main__":
    import json
    import sys

    from workbench.scenario.staff_table import existing_staffing
    school = scenario_for(sys.argv[1])
    print(json.dumps(cp_schedule(school, existing_staffing(school), float(sys.argv[2]))))
