"""Small-group (tutoring) allocation in real free time (issue 5).

High-impact tutoring only works when it meets the standard (SPEC rule 9: at most `max_group_size`
students, at least `sessions_per_week` sessions of `session_minutes`), happens in time that is really
free for the tutor and every member, and reaches the students furthest behind first. This module
turns each `tutoring_minutes` goal into a place in a group, or into a plain reason why not and the
staffing change that would fix it.

Because a section meets at its period on every day, free time is a property of a period, not of a
(day, period). That lets the model be small and free of symmetry:

1. `_prepare` (`_demand`, `_tutors`, `_busy_from_schedule`): goals, levels and bands, who is free when.
2. Stage 1 (PuLP, HiGHS or CBC): integer *counts* of groups per (tutor, period, subject, level window) and
   binary "student served in that period and window" choices, linked by seat capacity per (period,
   subject, window). A band is the largest spread of levels inside one group (`tutoring.band_width`), not
   a fixed bin: windows [a, a + band_width) start every band_width / BAND_STEPS, so a reader at 5.9 and
   readers at 6.0 share one, and no group spreads wider than the band.
   Counting groups instead of naming them removes the symmetry between identical groups.
3. Stage 2 (`_form_groups`): fill the counted groups with the chosen students in level order, give each
   group its own days inside its tutor's period, and size its sessions to the members' targets.
4. `_explain_unserved`: a reason and a remedy for every goal left short.

Each group meets in one period of the week (on `sessions_per_week` or more days), so a tutor leads at most
`days // sessions_per_week` groups in one period; groups that mix two periods are not formed.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import pandas as pd
import pulp

from workbench.errors import SolverFailed
from workbench.plan.solver import require_design, run_solver
from workbench.progress import SILENT, Reporter
from workbench.scenario.calendar import calendar_of, sessions_per_cycle
from workbench.scenario.model import Scenario
from workbench.scenario.schema import split_list
from workbench.scenario.staff_table import role_table

PHASE = "groups"

GROUP_COLUMNS = ["group_id", "staff_id", "subject"]
SESSION_COLUMNS = ["group_id", "day", "period", "minutes"]
MEMBER_COLUMNS = ["group_id", "student_id"]
UNSERVED_COLUMNS = ["student_id", "subject", "band", "level", "target_minutes", "provided_minutes",
                    "reason", "remedy"]

NO_TUTOR = "no tutor for that subject"
NO_FREE_TIME = "no common free time with any tutor"
CAPACITY = "every small group for this subject and level is full"
STAFF_TIME = "staff time exhausted"
PARTLY = "partly served: the free time with tutors gives fewer minutes than the target"
STANDARD = "the tutoring standard cannot fit in a period"


@dataclass
class GroupPlan:
    groups: pd.DataFrame
    group_sessions: pd.DataFrame
    group_members: pd.DataFrame
    unserved: pd.DataFrame        # student_id, subject, band, level, target_minutes, provided_minutes, reason, remedy
    status: str = "optimal"
    stats: dict = field(default_factory=dict)


# ---- public entry points -------------------------------------------------------------------------

def plan_groups(scenario: Scenario, staffing: pd.DataFrame, sections: pd.DataFrame,
                enrollments: pd.DataFrame, reporter: Reporter = SILENT) -> GroupPlan:
    """Groups placed in the free time the master schedule leaves (plus the intervention periods)."""
    student_busy, staff_busy = _busy_from_schedule(sections, enrollments)
    return _plan(scenario, staffing, student_busy, staff_busy, set(), reporter)


def plan_groups_intervention_only(scenario: Scenario, staffing: pd.DataFrame,
                                  reporter: Reporter = SILENT) -> GroupPlan:
    """A quick what-if before any schedule exists: only the intervention periods count as free."""
    blocked = set(scenario.teaching_periods)
    return _plan(scenario, staffing, {}, {}, blocked, reporter)


def unserved_summary(plan: GroupPlan) -> pd.DataFrame:
    """Unserved tutoring by subject, level band and reason: how many students, minutes short, and the
    staffing change that would serve them (for the staffing step and the app)."""
    cols = ["subject", "band", "reason", "students", "minutes_short", "remedy"]
    unserved = plan.unserved
    if unserved.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    short = unserved.assign(minutes_short=unserved["target_minutes"] - unserved["provided_minutes"])
    out = (short.groupby(["subject", "band", "reason"], sort=True)
           .agg(students=("student_id", "nunique"), minutes_short=("minutes_short", "sum"),
                remedy=("remedy", "first"))
           .reset_index())
    return out[cols]


# ---- shared with the staffing step (so the two steps count tutoring capacity alike) ---------------

@dataclass(frozen=True)
class GroupRules:
    """What the tutoring standard allows in one period of the week: whether a session fits at all, how
    many groups one tutor can lead there (each on its own block of days), and the most minutes a week one
    group gives a member."""
    standard_fits: bool
    per_slot: int
    block: int
    group_minutes: int


def group_rules(scenario: Scenario) -> GroupRules:
    """floor(days / sessions_per_week) groups per tutor per period, each meeting inside its own days."""
    tutoring, school = scenario.settings.tutoring, scenario.settings.school
    n_std = sessions_per_cycle(tutoring.sessions_per_week, calendar_of(scenario))
    standard_fits = tutoring.session_minutes <= school.minutes_per_period and n_std <= school.days
    per_slot = school.days // n_std if standard_fits else 0
    block = school.days // per_slot if per_slot else 0
    return GroupRules(standard_fits, per_slot, block, block * school.minutes_per_period)


def tutoring_demand(scenario: Scenario) -> pd.DataFrame:
    """One row per (student, subject) tutoring goal with its target, level band and need weight."""
    return _demand(scenario)


def tutoring_staff(scenario: Scenario, staffing: pd.DataFrame) -> pd.DataFrame:
    """Staff who can lead groups: staff_id, size (group cap), subjects (empty = any), unavailable periods."""
    return _tutors(scenario, staffing)


def covers(subjects, subject: str) -> bool:
    """A tutor with no subjects listed covers any subject; teachers only their own."""
    return _covers(frozenset(subjects), subject)


def free_periods_before_schedule(scenario: Scenario) -> pd.DataFrame:
    """Before a timetable exists, the free periods each student is sure to have: the intervention periods,
    plus as many teaching periods as their priority-1/2 requests leave open (which ones is up to the
    schedule). Columns: student_id, intervention, teaching."""
    requests = scenario.requests
    wanted = requests[pd.to_numeric(requests["priority"], errors="coerce") <= 2]
    load = wanted.groupby("student_id")["course_id"].nunique()
    ids = scenario.students["student_id"].astype(str)
    teaching = len(scenario.teaching_periods)
    free_teaching = (teaching - load.reindex(ids).fillna(0)).clip(lower=0).astype(int)
    intervention = len(set(scenario.periods) - set(scenario.teaching_periods))
    return pd.DataFrame({"student_id": ids.to_numpy(), "intervention": intervention,
                         "teaching": free_teaching.to_numpy()})


# ---- preparation -----------------------------------------------------------------------------------

def _busy_from_schedule(sections: pd.DataFrame, enrollments: pd.DataFrame):
    """Periods each student and each staff member (teacher or co-teacher) spend in sections (a section meets
    every day)."""
    student_busy: dict[str, set[int]] = {}
    staff_busy: dict[str, set[int]] = {}
    if sections is None or sections.empty:
        return student_busy, staff_busy
    sec = sections[["section_id", "staff_id", "period"]].astype({"section_id": str, "staff_id": str})
    sec = sec.assign(period=pd.to_numeric(sec["period"], errors="coerce")).dropna(subset=["period"])
    for staff_id, periods in sec.groupby("staff_id")["period"]:
        staff_busy[staff_id] = {int(p) for p in periods}
    if "co_staff_id" in sections.columns:
        co = sections[["co_staff_id", "period"]].assign(co_staff_id=sections["co_staff_id"].fillna("").astype(str),
                                                        period=pd.to_numeric(sections["period"], errors="coerce"))
        for staff_id, periods in co[co["co_staff_id"] != ""].dropna(subset=["period"]).groupby("co_staff_id")["period"]:
            staff_busy.setdefault(staff_id, set()).update(int(p) for p in periods)
    if enrollments is not None and not enrollments.empty:
        enr = enrollments[["student_id", "section_id"]].astype(str).merge(sec, on="section_id")
        for student_id, periods in enr.groupby("student_id")["period"]:
            student_busy[student_id] = {int(p) for p in periods}
    return student_busy, staff_busy


def _tutors(scenario: Scenario, staffing: pd.DataFrame) -> pd.DataFrame:
    """Staff whose role tutors, with their group size, subjects covered and periods they are unavailable."""
    staff = staffing.copy()
    roles = role_table(scenario)
    for column in ("tutors", "max_group_size"):
        if column not in staff.columns:
            staff[column] = roles[column].reindex(staff["role"]).to_numpy()
    if "unavailable_periods" not in staff.columns:
        staff["unavailable_periods"] = ""
    cap = scenario.settings.tutoring.max_group_size
    staff["tutors"] = pd.to_numeric(staff["tutors"], errors="coerce").fillna(0).astype(int)
    staff["size"] = pd.to_numeric(staff["max_group_size"], errors="coerce").fillna(0).clip(upper=cap).astype(int)
    staff = staff[(staff["tutors"] == 1) & (staff["size"] > 0)]
    return pd.DataFrame({
        "staff_id": staff["staff_id"].astype(str).to_numpy(),
        "size": staff["size"].to_numpy(),
        "subjects": [frozenset(split_list(s)) for s in staff["subjects"]],
        "unavailable": [_periods(u) for u in staff["unavailable_periods"]],
    })


def _periods(cell) -> set[int]:
    """`"1; 2"` -> {1, 2}; anything that is not a period number is left to `validate` to report."""
    numbers = pd.to_numeric(pd.Series(split_list(cell), dtype=object), errors="coerce").dropna()
    return {int(p) for p in numbers}


def _covers(subjects: frozenset, subject: str) -> bool:
    """A tutor with no subjects listed covers any subject."""
    return not subjects or not subject or subject in subjects


BAND_STEPS = 2   # windows a level belongs to: students up to half a band apart can always share a group


def _windows(level: float, width: float) -> range:
    """The level windows (by index j: [j·step, j·step + width), step = width / BAND_STEPS) that hold
    `level`: exactly BAND_STEPS of them."""
    top = math.floor(level / (width / BAND_STEPS) + 1e-9)
    return range(top - BAND_STEPS + 1, top + 1)


def _band_of(level: float, width: float) -> tuple[float, str]:
    low = math.floor(level / width) * width
    high = low + width

    def fmt(x: float) -> str:
        return f"{x:g}"
    return low, f"grade level {fmt(low)}–{fmt(high)}"


def _demand(scenario: Scenario) -> pd.DataFrame:
    """One row per (student, subject) tutoring goal: target minutes, level, band and priority weight.
    `band` is a fixed bin of one band width (the staffing step's estimate and the unserved report group by
    it); `windows` are the overlapping level windows a group may form in (see `_windows`).

    Weight per minute delivered is (1 + years below grade level) squared, so scarce capacity goes to the
    students furthest behind first: one student three years behind counts as much as four who are one
    year behind, and students at grade level are still served when there is room.
    """
    goals = scenario.goals
    goals = goals[goals["goal"].astype(str) == "tutoring_minutes"].copy()
    cols = ["student_id", "subject", "target", "level", "grade", "gap", "weight", "band", "band_label", "windows"]
    if goals.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    goals["subject"] = goals["subject"].fillna("").astype(str).str.strip() if "subject" in goals else ""
    goals["target"] = pd.to_numeric(goals["target"], errors="coerce")
    goals = goals.dropna(subset=["target"])
    goals = goals[goals["target"] > 0]
    demand = goals.groupby(["student_id", "subject"], as_index=False, sort=False)["target"].sum()
    students = scenario.students.set_index("student_id")
    demand = demand[demand["student_id"].isin(students.index)].reset_index(drop=True)
    grade = students["grade"].reindex(demand["student_id"]).astype(float).to_numpy()
    math_level = students["math_level"].reindex(demand["student_id"]).astype(float).to_numpy()
    reading_level = students["reading_level"].reindex(demand["student_id"]).astype(float).to_numpy()
    is_math = (demand["subject"].str.lower() == "math").to_numpy()
    level = pd.Series(math_level).where(is_math, pd.Series(reading_level))
    level = level.fillna(pd.Series(grade))        # unknown level: treat as at grade level
    demand["level"] = level.to_numpy()
    demand["grade"] = grade
    demand["gap"] = (demand["grade"] - demand["level"]).clip(lower=0)
    demand["weight"] = (1.0 + demand["gap"]) ** 2
    width = scenario.settings.tutoring.band_width
    bands = [_band_of(v, width) for v in demand["level"]]
    demand["band"] = [b[0] for b in bands]
    demand["band_label"] = [b[1] for b in bands]
    demand["windows"] = [_windows(v, width) for v in demand["level"]]
    return demand[cols]


# ---- the model ------------------------------------------------------------------------------------

@dataclass
class _Setup:
    """Everything the model needs: goals with the periods each student is free, and tutor periods."""
    demand: pd.DataFrame
    tutors: pd.DataFrame
    slots: list            # (staff_id, period, group size, subjects covered), one per free tutor period
    pairs: list            # (goal row, period) where the student and some covering tutor are both free
    standard_fits: bool
    per_slot: int          # groups one tutor can lead in one period (each on its own days)
    block: int             # days each of those groups may use
    group_minutes: int     # the most one group can give a member a week


def _prepare(scenario: Scenario, staffing: pd.DataFrame, student_busy: dict[str, set[int]],
             staff_busy: dict[str, set[int]], blocked: set[int]) -> _Setup:
    demand = _demand(scenario)
    tutors = _tutors(scenario, staffing)
    periods = scenario.periods
    rules = group_rules(scenario)
    standard_fits, per_slot, block = rules.standard_fits, rules.per_slot, rules.block

    def free(busy: set[int]) -> list[int]:
        return [p for p in periods if p not in busy and p not in blocked]

    demand["free"] = [free(student_busy.get(s, set())) for s in demand["student_id"]]
    slots = [(row.staff_id, p, row.size, row.subjects)
             for row in tutors.itertuples()
             for p in free(staff_busy.get(row.staff_id, set()) | row.unavailable)] if per_slot else []
    slot_subjects: dict[int, list[frozenset]] = {}
    for _, p, _, subjects in slots:
        slot_subjects.setdefault(p, []).append(subjects)
    pairs = [(d, p) for d, row in enumerate(demand.itertuples())
             for p in row.free if any(_covers(s, row.subject) for s in slot_subjects.get(p, []))]
    return _Setup(demand, tutors, slots, pairs, standard_fits, per_slot, block, rules.group_minutes)


def goals_met_bound(scenario: Scenario, staffing: pd.DataFrame, sections: pd.DataFrame,
                    enrollments: pd.DataFrame) -> float:
    """The most tutoring goals these tutors could meet in this free time, ignoring who is furthest behind:
    the same model solved for goals met (each goal counting its share met). The gap between this and a
    plan's goals met is the price of serving the furthest behind first."""
    student_busy, staff_busy = _busy_from_schedule(sections, enrollments)
    setup = _prepare(scenario, staffing, student_busy, staff_busy, set())
    if not setup.pairs:
        return 0.0
    weights = 1.0 / setup.demand["target"].to_numpy(dtype=float)
    prob, _, provided, _ = _build_model(setup.demand, setup.slots, setup.pairs, setup.per_slot,
                                        setup.group_minutes, weights)
    _solve(prob, scenario)
    return float(sum((v.value() or 0.0) * w for v, w in zip(provided.values(), weights, strict=True)))


def _plan(scenario: Scenario, staffing: pd.DataFrame, student_busy: dict[str, set[int]],
          staff_busy: dict[str, set[int]], blocked: set[int], reporter: Reporter) -> GroupPlan:
    t0 = time.perf_counter()
    setup = _prepare(scenario, staffing, student_busy, staff_busy, blocked)
    demand, tutors, slots, pairs = setup.demand, setup.tutors, setup.slots, setup.pairs
    per_slot, block, standard_fits = setup.per_slot, setup.block, setup.standard_fits
    reporter.report(PHASE, f"groups: {len(demand)} tutoring goals, {len(tutors)} staff who can tutor", 0.05)
    prob, serve, provided, count = _build_model(demand, slots, pairs, per_slot, setup.group_minutes,
                                                demand["weight"].to_numpy())
    reporter.check_cancel()
    build_s = time.perf_counter() - t0

    status, solve_s = "optimal", 0.0
    chosen: dict[tuple[int, str, float], int] = {}
    served_pairs: list[tuple[int, int, int]] = []
    if pairs:
        reporter.report(PHASE, f"groups: solving for {len(pairs)} student-period choices", 0.3)
        status, solve_s = _solve(prob, scenario)
        served_pairs = [key for key, var in serve.items() if (var.value() or 0) > 0.5]
        chosen = {key: int(round(var.value() or 0)) for key, var in count.items() if (var.value() or 0) > 0.5}
    reporter.check_cancel()

    groups, sessions, members = _form_groups(scenario, demand, slots, chosen, served_pairs, per_slot, block)
    unserved = _explain_unserved(scenario, demand, tutors, slots, groups, members, sessions, chosen,
                                 standard_fits, per_slot)
    target_total = float(demand["target"].sum()) if len(demand) else 0.0
    provided_total = target_total - float((unserved["target_minutes"] - unserved["provided_minutes"]).sum())
    stats = {
        "tutoring_goals": int(len(demand)),
        "goals_met": int(len(demand) - len(unserved)),
        "groups": int(len(groups)),
        "target_minutes": round(target_total, 1),
        "provided_minutes": round(provided_total, 1),
        "build_s": round(build_s, 3),
        "solve_s": round(solve_s, 3),
        "total_s": round(time.perf_counter() - t0, 3),
        "variables": len(serve) + len(count) + len(provided),
    }
    reporter.report(PHASE, f"groups: {len(groups)} groups; {stats['goals_met']} of {len(demand)} "
                           "tutoring goals met", 1.0)
    return GroupPlan(groups, sessions, members, unserved, status, stats)


def _build_model(demand, slots, pairs, per_slot, group_minutes, weights, relax=False):
    """Variables, then one function per rule family, then the objective (PyPSA's order)."""
    binary, integer = ("Continuous", "Continuous") if relax else ("Binary", "Integer")
    prob = pulp.LpProblem("small_groups", pulp.LpMaximize)
    serve = {(d, p, j): prob.add_variable(f"serve_{d}_{p}_{j}", lowBound=0, upBound=1, cat=binary)
             for d, p in pairs for j in demand.at[d, "windows"]}
    provided = {d: prob.add_variable(f"minutes_{d}", lowBound=0, upBound=float(t))
                for d, t in enumerate(demand["target"])}
    cells: dict[int, set[tuple[str, int]]] = {}
    for d, p, j in serve:
        cells.setdefault(p, set()).add((demand.at[d, "subject"], j))
    count = {}
    for k, (_, p, _, subjects) in enumerate(slots):
        for subject, j in sorted(cells.get(p, ())):
            if _covers(subjects, subject):
                count[k, subject, j] = prob.add_variable(f"groups_{k}_{len(count)}", lowBound=0,
                                                         upBound=per_slot, cat=integer)
    _minutes_come_from_groups(prob, serve, provided, group_minutes)
    _one_group_per_student_period(prob, serve, demand)
    _group_size_limit(prob, serve, count, slots, demand)
    _tutor_time(prob, count, slots, per_slot)
    _define_objective(prob, serve, provided, count, weights)
    return prob, serve, provided, count


def _minutes_come_from_groups(prob, serve, provided, group_minutes):
    """A student's minutes come only from the groups they join, each giving at most one block's worth."""
    by_goal: dict[int, list] = {}
    for (d, _p, _j), var in serve.items():
        by_goal.setdefault(d, []).append(var)
    for d, var in provided.items():
        prob += var <= group_minutes * pulp.lpSum(by_goal.get(d, [])), f"minutes_from_groups_{d}"


def _one_group_per_student_period(prob, serve, demand):
    """A student is in at most one group in any period (groups in two subjects cannot overlap)."""
    by_student_period: dict[tuple[str, int], list] = {}
    for (d, p, _j), var in serve.items():
        by_student_period.setdefault((demand.at[d, "student_id"], p), []).append(var)
    for (student, p), vars_ in by_student_period.items():
        if len(vars_) > 1:
            prob += pulp.lpSum(vars_) <= 1, f"one_group_{student}_{p}"


def _group_size_limit(prob, serve, count, slots, demand):
    """Students placed in a period, subject and level window fit in the seats of the groups opened there."""
    seats: dict[tuple, list] = {}
    for (k, subject, j), var in count.items():
        seats.setdefault((slots[k][1], subject, j), []).append((var, slots[k][2]))
    placed: dict[tuple, list] = {}
    for (d, p, j), var in serve.items():
        placed.setdefault((p, demand.at[d, "subject"], j), []).append(var)
    for n, (cell, vars_) in enumerate(placed.items()):
        prob += pulp.lpSum(vars_) <= pulp.lpSum(size * v for v, size in seats.get(cell, [])), f"seats_{n}"


def _tutor_time(prob, count, slots, per_slot):
    """A tutor leads at most as many groups in a period as the week has room for (each on its own days)."""
    by_slot: dict[int, list] = {}
    for (k, _, _), var in count.items():
        by_slot.setdefault(k, []).append(var)
    for k, vars_ in by_slot.items():
        if len(vars_) > 1:
            prob += pulp.lpSum(vars_) <= per_slot, f"tutor_time_{k}"


def _define_objective(prob, serve, provided, count, weights):
    """Minutes delivered towards each goal, weighted by how far behind the student is; a whisker less
    for every extra group or placement, so nobody is put in a group that gives them nothing."""
    prob += (pulp.lpSum(float(weights[d]) * var for d, var in provided.items())
             - 0.01 * pulp.lpSum(serve.values()) - 0.01 * pulp.lpSum(count.values()))


def _solve(prob, scenario: Scenario) -> tuple[str, float]:
    """Status ('optimal' or 'feasible') and solver seconds. Placing nobody is always a plan, so a solve
    that ends without one (stopped by its limit, or 'infeasible') is the solver's failure. The solve stops at
    its node limit (work: the same groups on any machine); the scenario's time limit is only a safety cap."""
    limit = float(scenario.settings.solver.time_limit_s)
    step = "small groups"
    outcome = require_design(run_solver(prob, scenario.settings.solver, step=step, time_limit_s=limit), step, limit)
    if not outcome.has_design:
        raise SolverFailed(step, outcome.solver, "it called a model infeasible that always has a plan "
                           "(placing nobody)")
    return outcome.status, outcome.solve_s


# ---- from counts to named groups ----------------------------------------------------------------------

def _session_pattern(target: float, block_days: list[int], n_std: int, minutes_std: int, mpp: int):
    """Days and minutes for one group: the standard when it covers the target, else longer sessions
    (up to the whole period), else more days inside the group's block."""
    sessions = n_std
    minutes = min(mpp, max(minutes_std, math.ceil(target / sessions)))
    if sessions * minutes < target:
        sessions = min(len(block_days), max(n_std, math.ceil(target / mpp)))
        minutes = min(mpp, max(minutes_std, math.ceil(target / sessions)))
    # spread the sessions over the block (Mon/Wed/Fri rather than Mon/Tue/Wed)
    if sessions == 1:
        return block_days[:1], minutes
    last = len(block_days) - 1
    chosen = [block_days[round(i * last / (sessions - 1))] for i in range(sessions)]
    return chosen, minutes


def _balanced_counts(sizes: list[int], n: int) -> list[int]:
    """Split n students over groups with these capacities as evenly as capacities allow."""
    counts = [0] * len(sizes)
    for _ in range(n):
        open_ = [i for i, s in enumerate(sizes) if counts[i] < s]
        i = min(open_, key=lambda j: (counts[j], -sizes[j]))
        counts[i] += 1
    return counts


def _form_groups(scenario, demand, slots, chosen, served_pairs, per_slot, block):
    """Name the counted groups, fill them with the chosen students in level order, and schedule them."""
    tutoring, school = scenario.settings.tutoring, scenario.settings.school
    students_at: dict[tuple, list[int]] = {}
    for d, p, j in served_pairs:
        students_at.setdefault((p, demand.at[d, "subject"], j), []).append(d)
    next_copy: dict[int, int] = {}
    groups, sessions, members = [], [], []
    for (k, subject, j), n in sorted(chosen.items(), key=lambda kv: (slots[kv[0][0]][1], kv[0])):
        staff_id, p, size, _ = slots[k]
        pool = students_at.get((p, subject, j), [])
        if not pool:
            continue
        pool.sort(key=lambda d: demand.at[d, "level"])
        # this tutor's share of the students in the cell: as many as their groups hold
        take = min(len(pool), n * size)
        mine, students_at[(p, subject, j)] = pool[:take], pool[take:]
        counts = _balanced_counts([size] * n, take)
        start = 0
        for c in counts:
            if c == 0:
                continue
            copy = next_copy.get(k, 0)
            next_copy[k] = copy + 1
            block_days = list(range(copy * block + 1, (copy + 1) * block + 1))
            group_id = f"G{len(groups) + 1:04d}"
            who = mine[start:start + c]
            start += c
            target = max(float(demand.at[d, "target"]) for d in who) * school.days / 5   # minutes a cycle
            days, minutes = _session_pattern(target, block_days,
                                             sessions_per_cycle(tutoring.sessions_per_week, calendar_of(scenario)),
                                             tutoring.session_minutes, school.minutes_per_period)
            groups.append((group_id, staff_id, subject))
            sessions.extend((group_id, day, p, minutes) for day in days)
            members.extend((group_id, demand.at[d, "student_id"]) for d in who)
    assert all(v <= per_slot for v in next_copy.values()), "more groups than a tutor's period holds"
    return (pd.DataFrame(groups, columns=GROUP_COLUMNS),
            pd.DataFrame(sessions, columns=SESSION_COLUMNS).astype({"day": int, "period": int, "minutes": int}),
            pd.DataFrame(members, columns=MEMBER_COLUMNS))


# ---- why a goal is short, and what would fix it --------------------------------------------------------

def _explain_unserved(scenario, demand, tutors, slots, groups, members, sessions, chosen, standard_fits,
                      per_slot) -> pd.DataFrame:
    """One row per tutoring goal not met in full, with its reason and a remedy a school leader can act on."""
    if demand.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in UNSERVED_COLUMNS})
    tutoring = scenario.settings.tutoring
    minutes = sessions.groupby("group_id")["minutes"].sum() if len(sessions) else pd.Series(dtype=float)
    periods_of = sessions.groupby("group_id")["period"].first() if len(sessions) else pd.Series(dtype=int)
    info = groups.set_index("group_id") if len(groups) else groups
    got: dict[tuple[str, str], float] = {}
    for row in members.itertuples():
        subject = info.at[row.group_id, "subject"]
        got[(row.student_id, subject)] = got.get((row.student_id, subject), 0.0) + float(minutes[row.group_id])
    # full groups: (period, subject) -> the level span of each; a student "would fit" one whose span, with her
    # level added, stays inside the band width
    size_of = dict(zip(tutors["staff_id"], tutors["size"], strict=True))
    level_of = dict(zip(zip(demand["student_id"], demand["subject"], strict=True), demand["level"], strict=True))
    full: dict[tuple[int, str], list[tuple[float, float]]] = {}
    if len(members):
        for gid, who in members.groupby("group_id")["student_id"]:
            staff_id, subject = info.at[gid, "staff_id"], info.at[gid, "subject"]
            if len(who) >= size_of.get(staff_id, len(who)):
                levels = [level_of[(sid, subject)] for sid in who]
                full.setdefault((int(periods_of[gid]), subject), []).append((min(levels), max(levels)))

    def would_fit_a_full_group(row) -> bool:
        return any(max(high, row.level) - min(low, row.level) < tutoring.band_width
                   for p in row.free for low, high in full.get((p, row.subject), ()))
    used = {}
    for (k, _, _), n in chosen.items():
        used[k] = used.get(k, 0) + n

    rows = []
    for row in demand.itertuples():
        provided = min(got.get((row.student_id, row.subject), 0.0), float(row.target))
        if provided >= row.target:
            continue
        covering = [k for k, s in enumerate(slots) if _covers(s[3], row.subject)]
        any_tutor = any(_covers(s, row.subject) for s in tutors["subjects"])
        shared = [k for k in covering if slots[k][1] in row.free]
        if not standard_fits:
            reason = STANDARD
        elif not any_tutor:
            reason = NO_TUTOR
        elif not shared:
            reason = NO_FREE_TIME
        elif provided > 0:
            reason = PARTLY
        elif would_fit_a_full_group(row):
            reason = CAPACITY
        elif all(used.get(k, 0) >= per_slot for k in shared):
            reason = STAFF_TIME
        else:
            reason = CAPACITY
        rows.append({"student_id": row.student_id, "subject": row.subject, "band": row.band_label,
                     "level": float(row.level), "target_minutes": float(row.target),
                     "provided_minutes": float(provided), "reason": reason, "free": row.free})
    out = pd.DataFrame(rows, columns=[*UNSERVED_COLUMNS[:-1], "free"])
    if out.empty:
        return out.drop(columns="free").assign(remedy=pd.Series(dtype=object))[UNSERVED_COLUMNS]
    remedies = {}
    for (subject, band, reason), part in out.groupby(["subject", "band", "reason"]):
        remedies[(subject, band, reason)] = _remedy(subject, band, reason, part, tutoring, scenario)
    out["remedy"] = [remedies[(r.subject, r.band, r.reason)] for r in out.itertuples()]
    return out[UNSERVED_COLUMNS].reset_index(drop=True)


def _remedy(subject, band, reason, part, tutoring, scenario) -> str:
    """The staffing change that would serve these students, in tutor groups and tutor hours a week, at the
    period most of them are free."""
    n = part["student_id"].nunique()
    groups_needed = math.ceil(n / tutoring.max_group_size)
    hours = groups_needed * tutoring.sessions_per_week * tutoring.session_minutes / 60
    what = f"{subject or 'tutoring'}, {band}"
    who = "this student" if n == 1 else f"these {n} students"
    free = pd.Series([p for f in part["free"] for p in f], dtype=int)
    when = f" in period {int(free.mode().iloc[0])}" if not free.empty else ""
    where = f"{what},{when}" if when else what
    periods = (f"{groups_needed} more tutor group{'s' if groups_needed != 1 else ''} in {where} "
               f"({hours:g} tutor hours a week: {tutoring.sessions_per_week} sessions of "
               f"{tutoring.session_minutes} minutes each)")
    if reason == STANDARD:
        return ("lengthen periods or lower the tutoring standard's session length or sessions a week "
                "so one group fits in a period")
    if reason == NO_TUTOR:
        return f"a tutor who covers {subject}, with {periods}, would serve {who}"
    if reason == NO_FREE_TIME:
        if free.empty:
            return (f"{who[0].upper()}{who[1:]} {'has' if n == 1 else 'have'} no free period: add an "
                    f"intervention period or free a period in {'their' if n else 'the'} schedule")
        return f"a tutor free{when}, with {periods}, would serve {who}"
    if reason == PARTLY:
        return f"longer periods, or a second group at another free period, in {what} would close the gap for {who}"
    return f"{periods} would serve {who}"
