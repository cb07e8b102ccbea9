"""Steps 2 and 3 of the schedule: a period for every section, then a room for every section.

Periods come from a MIP over (section, period) with teachers already fixed. Hard rules: each section one
teaching period its teacher is free in; no teacher double booked; no more sections of a room type in a period
than rooms of that type. Softly: singleton and doubleton courses requested by the same students do not share
a period (weighted by how many students, and required courses most), and a course's sections are spread
over the day. Rooms then follow period by period, largest sections first, into the smallest room that fits.
"""

from __future__ import annotations

import math
import time

import pandas as pd
import pulp

from workbench.errors import InfeasibleDesign
from workbench.plan.schedule.common import W_ALTERNATE, W_ELECTIVE, W_REQUIRED
from workbench.plan.schedule.sections import Catalog
from workbench.plan.solver import INFEASIBLE, SolveOutcome, run_solver

PRIORITY_WEIGHT = {1: W_REQUIRED, 2: W_ELECTIVE, 3: 0.2 * W_ALTERNATE}
SMALL = 2   # courses with this many sections or fewer are "singletons/doubletons" for the conflict terms


def conflict_matrix(requests: pd.DataFrame, boost: pd.DataFrame | None = None) -> pd.DataFrame:
    """Course pairs requested by the same students: a, b, w (a < b), w weighted by the lesser priority.

    `boost` (student_id, weight) multiplies the pairs of students the last round left unplaced."""
    req = requests[["student_id", "course_id", "priority"]].copy()
    req["pw"] = req["priority"].map(PRIORITY_WEIGHT).astype(float)
    pairs = req.merge(req, on="student_id", suffixes=("_a", "_b"))
    pairs = pairs[pairs["course_id_a"] < pairs["course_id_b"]]
    pairs = pairs.assign(w=pairs[["pw_a", "pw_b"]].min(axis=1))
    if boost is not None and len(boost):
        pairs = pairs.merge(boost, on="student_id", how="left").fillna({"boost": 1.0})
        pairs["w"] = pairs["w"] * pairs["boost"]
    return pairs.groupby(["course_id_a", "course_id_b"], as_index=False)["w"].sum().rename(
        columns={"course_id_a": "a", "course_id_b": "b"})


def allowed_periods(sections: pd.DataFrame, catalog: Catalog) -> dict[int, list[int]]:
    """Per section row: the teaching periods its teacher is free in (or its pinned period)."""
    out = {}
    for i, row in sections.iterrows():
        if row["pin_period"] is not None and row["pin_period"] == row["pin_period"]:
            out[i] = [int(row["pin_period"])]
        else:
            out[i] = list(catalog.teachers.at[row["staff_id"], "available"])
    return out


# The period MIP does not close (its LP bound is weak: gap near 100% on a 150-student school) and serves as a
# source of fresh starts for the local search, so it stops at its second improving design or PERIOD_NODES nodes,
# whichever comes first: work, not time, so that the same periods come out on any machine. The second design
# comes from HiGHS's cheap root heuristics in well under a second; the third took 3 to over 9 s of root cuts on
# 120-200-student high schools, and the local search from the second placed as many requests or more.
PERIOD_SOLUTIONS = 2
PERIOD_NODES = 50


def assign_periods(scenario, catalog: Catalog, sections: pd.DataFrame, conflicts: pd.DataFrame,
                   time_limit_s: float, previous: pd.Series | None = None) -> tuple[pd.Series | None, SolveOutcome]:
    """Choose a period per section (returned as a Series aligned with `sections`). `time_limit_s` is only
    a safety cap (see PERIOD_SOLUTIONS). The periods are None when the solve stopped, by a limit, before it
    found any: the caller keeps the schedule it has. Raises InfeasibleDesign when the solver proved that
    no periods fit."""
    t0 = time.perf_counter()
    periods = catalog.periods
    allowed = allowed_periods(sections, catalog)
    prob = pulp.LpProblem("section_periods", pulp.LpMinimize)
    y = {(i, p): pulp.LpVariable(f"y_{i}_{p}", cat="Binary") for i, ps in allowed.items() for p in ps}
    _one_period_per_section(prob, y, allowed)
    _no_teacher_double_booking(prob, y, sections)
    _room_supply_per_period(prob, y, sections, catalog)

    n_sec = sections.groupby("course_id").size()
    x = {}
    for (i, p), var in y.items():
        x.setdefault((sections.at[i, "course_id"], p), []).append(var)
    penalties = _singleton_conflicts(prob, y, x, sections, n_sec, conflicts, periods)
    penalties += _spread_sections(prob, x, n_sec, conflicts, periods)
    penalties += _teacher_day_spread(prob, y, sections, periods)
    if previous is not None:
        # Stability: a tiny reward for keeping a section where the last round put it.
        penalties.append(pulp.LpAffineExpression(
            {y[i, int(p)]: -0.01 for i, p in previous.items() if (i, int(p)) in y}))
    prob += pulp.lpSum(penalties)
    # The conflict cost is a proxy for what students get, so a 5% gap is close enough here.
    gap = max(scenario.settings.solver.mip_gap, 0.05)
    step = "schedule: giving each section a period"
    outcome = run_solver(prob, scenario.settings.solver, step=step, time_limit_s=time_limit_s, gap=gap,
                         build_s=time.perf_counter() - t0, node_limit=PERIOD_NODES,
                         solution_limit=PERIOD_SOLUTIONS)
    if outcome.status == INFEASIBLE:
        raise _period_clash(scenario, catalog, sections, time_limit_s)
    if not outcome.has_design:
        return None, outcome
    chosen = {}
    for (i, p), var in y.items():
        if (var.value() or 0) > 0.5:
            chosen[i] = p
    return pd.Series(chosen).reindex(sections.index).astype(int), outcome


def _one_period_per_section(prob, y, allowed):
    """Every section meets in exactly one of its allowed periods."""
    for i, ps in allowed.items():
        prob += pulp.lpSum(y[i, p] for p in ps) == 1, f"one_period_{i}"


def _no_teacher_double_booking(prob, y, sections):
    """No teacher teaches two sections in one period."""
    by = {}
    for (i, p), var in y.items():
        by.setdefault((sections.at[i, "staff_id"], p), []).append(var)
    for (t, p), vars_ in by.items():
        if len(vars_) > 1:
            prob += pulp.lpSum(vars_) <= 1, f"teacher_{t}_{p}"


def _room_supply_per_period(prob, y, sections, catalog: Catalog):
    """No more sections of a room type in a period than rooms of that type, nor more sections than rooms."""
    rooms = catalog.rooms
    rtype = catalog.courses["room_type"]
    by_type, total = {}, {}
    for (i, p), var in y.items():
        kind = rtype[sections.at[i, "course_id"]]
        total.setdefault(p, []).append(var)
        if kind:
            by_type.setdefault((kind, p), []).append(var)
    for (kind, p), vars_ in by_type.items():
        limit = int((rooms["room_type"] == kind).sum())
        if len(vars_) > limit:
            prob += pulp.lpSum(vars_) <= limit, f"rooms_{kind}_{p}"
    for p, vars_ in total.items():
        if len(vars_) > len(rooms):
            prob += pulp.lpSum(vars_) <= len(rooms), f"rooms_all_{p}"


def _singleton_conflicts(prob, y, x, sections, n_sec, conflicts, periods) -> list:
    """A small course's section in period p costs (students wanting both) × (share of the other course in p)."""
    terms = []
    if conflicts.empty:
        return terms
    small = set(n_sec[n_sec <= SMALL].index)
    conf = conflicts[conflicts["a"].isin(small) | conflicts["b"].isin(small)]
    by_course = {}
    for i, cid in sections["course_id"].items():
        by_course.setdefault(cid, []).append(i)
    k = 0
    for a, b, w in conf.itertuples(index=False):
        if a not in n_sec.index or b not in n_sec.index:
            continue
        # the smaller course carries the term
        if (n_sec[b], b) < (n_sec[a], a):
            a, b = b, a
        na, nb = int(n_sec[a]), int(n_sec[b])
        for i in by_course[a]:
            for p in periods:
                if (i, p) not in y or (b, p) not in x:
                    continue
                o = pulp.LpVariable(f"o_{k}", 0, 1)
                k += 1
                # o >= share_b(p) - (1 - y_ip)
                prob += pulp.LpAffineExpression({**{v: 1.0 / nb for v in x[b, p]}, y[i, p]: 1.0, o: -1.0}) <= 1
                terms.append(pulp.LpAffineExpression({o: w / na}))
    return terms


def _spread_sections(prob, x, n_sec, conflicts, periods) -> list:
    """Sections of one course beyond an even share in one period make clashes likelier: a soft cost."""
    load = pd.concat([conflicts.groupby("a")["w"].sum(), conflicts.groupby("b")["w"].sum()]).groupby(level=0).sum()
    terms = []
    for (cid, p), vars_ in x.items():
        n = int(n_sec[cid])
        share = math.ceil(n / len(periods))
        if len(vars_) <= share:
            continue
        e = pulp.LpVariable(f"e_{cid}_{p}", 0)
        prob += pulp.lpSum(vars_) - e <= share
        weight = 0.2 * float(load.get(cid, 0.0)) / n + 1.0
        terms.append(weight * e)
    return terms


def _teacher_day_spread(prob, y, sections, periods) -> list:
    """A very light preference for teaching in the middle of the day over piling into the first periods;
    it breaks period symmetry so the solver settles faster."""
    mid = (min(periods) + max(periods)) / 2
    return [pulp.LpAffineExpression({var: 0.001 * abs(p - mid) for (i, p), var in y.items()})]


def _period_clash(scenario, catalog: Catalog, sections: pd.DataFrame, time_limit_s: float) -> InfeasibleDesign:
    """The proof of infeasibility in the registry's words: which of the period model's rule families clash
    (a section's allowed periods, teachers one class at a time, rooms), found by re-solving with families
    switched off (`rules.clashing_families`), then the details."""
    from workbench.plan import rules

    def feasible(on: frozenset[str]) -> bool:
        # with its allowed periods off, a section may meet in any teaching period (unavailability, pins ignored)
        allowed = allowed_periods(sections, catalog) if rules.PERIODS_ALLOWED in on \
            else {i: list(catalog.periods) for i in sections.index}
        prob = pulp.LpProblem("section_periods_families", pulp.LpMinimize)
        y = {(i, p): pulp.LpVariable(f"y_{i}_{p}", cat="Binary") for i, ps in allowed.items() for p in ps}
        _one_period_per_section(prob, y, allowed)
        if rules.PERIODS_TEACHER in on:
            _no_teacher_double_booking(prob, y, sections)
        if rules.PERIODS_ROOMS in on:
            _room_supply_per_period(prob, y, sections, catalog)
        prob += pulp.lpSum(y.values())
        out = run_solver(prob, scenario.settings.solver, step="schedule: finding the rules that clash",
                         time_limit_s=time_limit_s)
        return out.status != INFEASIBLE

    families = rules.clashing_families([rules.PERIODS_ALLOWED, rules.PERIODS_TEACHER, rules.PERIODS_ROOMS], feasible)
    pinned = sections["pin_period"].notna().any()
    involved = [r for r in rules.rules_of(families) if r.id != "8" or pinned]
    return InfeasibleDesign(rules.explain_clash(involved, _explain_period_infeasibility(sections, catalog)),
                            phase="schedule", rules=[r.id for r in involved])


def _explain_period_infeasibility(sections, catalog: Catalog) -> list[str]:
    reasons = []
    pins = sections[sections["pin_period"].notna()]
    for t, group in sections.groupby("staff_id"):
        free = catalog.teachers.at[t, "available"]
        if len(group) > len(free):
            reasons.append(f"{t} is given {len(group)} sections but is free in only {len(free)} teaching periods.")
    rooms = catalog.rooms
    for kind, group in sections.groupby(sections["course_id"].map(catalog.courses["room_type"])):
        if not kind:
            continue
        n_rooms = int((rooms["room_type"] == kind).sum())
        reasons.append(f"{len(group)} sections need one of the {n_rooms} {kind} room(s) in "
                       f"{len(catalog.periods)} teaching periods, alongside the teachers' free periods.")
    if len(pins):
        reasons.append(f"{len(pins)} section(s) are pinned to a period; the pins may leave no room for the rest.")
    return reasons or ["Teachers' free periods and the rooms available cannot fit every required section."]


def assign_rooms(sections: pd.DataFrame, catalog: Catalog) -> pd.Series:
    """Per period, pinned rooms first, then typed sections, then the rest, each largest first into the
    smallest free room that holds the whole course size (or the largest free room when none does)."""
    rooms = catalog.rooms.sort_values(["capacity", "room_id"])
    all_rooms = list(zip(rooms["room_id"], rooms["capacity"].astype(int), rooms["room_type"], strict=True))
    courses = catalog.courses
    rtype, max_size = courses["room_type"].to_dict(), courses["max_size"].to_dict()
    out = pd.Series(None, index=sections.index, dtype=object)
    pin_room = sections["pin_room"] if "pin_room" in sections else pd.Series(None, index=sections.index)
    # plain lists per period (rooms smallest first) rather than DataFrame filters per section: same choices
    for p, idx in sections.groupby("period").groups.items():
        free = list(all_rooms)
        rest = []
        for i in idx:
            pin = pin_room[i]
            if pin is not None and pin == pin and pin is not pd.NA:
                out[i] = pin
                free = [r for r in free if r[0] != pin]
            else:
                cid = sections.at[i, "course_id"]
                rest.append((rtype[cid] != "", int(max_size[cid]), i, cid))
        rest.sort(key=lambda r: (r[0], r[1]), reverse=True)
        for _, size, i, cid in rest:
            kind = rtype[cid]
            tiers = [[r for r in free if r[2] == kind]] if kind else [[r for r in free if r[2] == ""],
                                                                      [r for r in free if r[2] != ""]]
            pick = None
            for fit in tiers:
                big = [r for r in fit if r[1] >= size]
                if big:
                    pick = big[0][0]
                    break
            if pick is None:
                fit = [r for tier in tiers for r in tier]
                if not fit:
                    raise InfeasibleDesign([f"No free {kind} room is left in period {p} for {cid}."],
                                           phase="schedule")
                pick = max(fit, key=lambda r: r[1])[0]
            out[i] = pick
            free = [r for r in free if r[0] != pick]
    return out
