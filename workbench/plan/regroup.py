"""The assessment cycle (SPEC §5, issue 16): re-form the small groups from the latest assessment, moving as
few students as possible.

Intervention blocks regroup every 6 to 8 weeks from new benchmark results. The master schedule, enrolments
and staffing stay as they are; only the groups change, and each change has a plain reason:

1. `assessment_status`: each student's first and latest level per subject, the growth between them, and
   whether that growth is on track (at least the cycles elapsed × the expected growth per cycle, SPEC §5).
2. `_need` (who needs a seat now): every `tutoring_minutes` goal, at the student's latest level, except a
   student who is now on track with at least one cycle of growth measured (she *exits*: her seat goes to a
   student further behind); plus every assessed student without such a goal who has fallen behind (not on
   track, and below grade level): she *joins*, asking for the tutoring standard's minutes.
3. The model (PuLP through `plan.solver`, PyPSA's order): binary seats y[need, group, window] on the groups
   of the previous result (kept at their tutor, days and period) and on new groups in tutor time still free,
   with the rules of `plan.groups` (hard rule 9: at most the group size, one level window of band_width per
   group, no student in two groups at once, only in periods she is free). The objective is a churn term
   first: keeping a student in her group is worth more than anything else, so a student whose level still
   fits her group keeps her group and tutor; a current member who must move comes before any newcomer; the
   seats left go to those furthest behind (weight (1 + years behind)², as in `plan.groups`).
4. `_changes`: one row per student and subject whose group changed, with why.

A student with no assessment in a subject is treated as before (her goal, her level in students.csv, her
group): no data, no change.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd
import pulp

from workbench.errors import SolverFailed
from workbench.plan.groups import (
    CAPACITY,
    GROUP_COLUMNS,
    MEMBER_COLUMNS,
    NO_FREE_TIME,
    NO_TUTOR,
    PARTLY,
    SESSION_COLUMNS,
    UNSERVED_COLUMNS,
    _band_of,
    _busy_from_schedule,
    _covers,
    _remedy,
    _session_pattern,
    _windows,
    group_rules,
    tutoring_demand,
    tutoring_staff,
)
from workbench.plan.solver import require_design, run_solver
from workbench.plan.teams import held_back
from workbench.progress import SILENT, Reporter
from workbench.scenario.model import Scenario

PHASE = "regroup"
CHANGE_COLUMNS = ["student_id", "subject", "old_group_id", "new_group_id", "why"]
STATUS_COLUMNS = ["student_id", "subject", "first_cycle", "cycle", "first_level", "level", "growth",
                  "elapsed", "expected", "on_track"]
ON_TRACK_EXIT = "on track: no seat needed"


@dataclass
class RegroupPlan:
    groups: pd.DataFrame
    group_sessions: pd.DataFrame
    group_members: pd.DataFrame
    unserved: pd.DataFrame        # as plan.groups: student_id, subject, band, level, target/provided, reason, remedy
    changes: pd.DataFrame         # CHANGE_COLUMNS: one row per student and subject whose group changed
    cycle: int | None
    status: str = "optimal"
    stats: dict = field(default_factory=dict)


# ---- 1. where each student stands ----------------------------------------------------------------------

def assessment_status(scenario: Scenario) -> pd.DataFrame:
    """One row per assessed (student, subject): first and latest cycle and level, growth (grade levels),
    cycles elapsed, the growth expected over them, and on_track (growth ≥ expected; SPEC §5). A student not
    assessed in the school's latest cycle is judged on her own latest one. Empty without assessments.csv."""
    marks = scenario.assessments
    if marks is None or marks.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in STATUS_COLUMNS})
    marks = marks.assign(cycle=pd.to_numeric(marks["cycle"]).astype(int),
                         level=pd.to_numeric(marks["level"]).astype(float)).sort_values("cycle", kind="stable")
    by = marks.groupby(["student_id", "subject"], sort=True)
    out = pd.DataFrame({"first_cycle": by["cycle"].first(), "cycle": by["cycle"].last(),
                        "first_level": by["level"].first(), "level": by["level"].last()}).reset_index()
    per_cycle = scenario.settings.assessment.expected_growth_per_cycle
    out["growth"] = (out["level"] - out["first_level"]).round(6)
    out["elapsed"] = out["cycle"] - out["first_cycle"]
    out["expected"] = (out["elapsed"] * per_cycle).round(6)
    out["on_track"] = out["growth"] >= out["expected"] - 1e-9
    return out[STATUS_COLUMNS]


def latest_cycle(scenario: Scenario) -> int | None:
    """The school's latest assessment cycle, or None without assessments."""
    marks = scenario.assessments
    if marks is None or marks.empty:
        return None
    return int(pd.to_numeric(marks["cycle"]).max())


def _previous_levels(scenario: Scenario) -> dict:
    """(student, subject) -> her level at the assessment before the latest (to tell whether her band changed
    since she was last grouped); students with one assessment are absent (students.csv levels stand)."""
    marks = scenario.assessments
    if marks is None or marks.empty:
        return {}
    marks = marks.assign(cycle=pd.to_numeric(marks["cycle"]), level=pd.to_numeric(marks["level"]).astype(float))
    earlier = marks.sort_values("cycle", kind="stable").groupby(["student_id", "subject"]).nth(-2)
    return dict(zip(zip(earlier["student_id"], earlier["subject"], strict=True), earlier["level"], strict=True))


# ---- 2. who needs a seat now ----------------------------------------------------------------------------

def _with_levels(scenario: Scenario, need: pd.DataFrame) -> pd.DataFrame:
    """Gap, weight, band and level windows recomputed for each row's `level` (as `plan.groups.tutoring_demand`)."""
    width = scenario.settings.tutoring.band_width
    need = need.reset_index(drop=True)
    need["gap"] = (need["grade"] - need["level"]).clip(lower=0)
    need["weight"] = (1.0 + need["gap"]) ** 2
    bands = [_band_of(v, width) for v in need["level"]]
    need["band"] = [b[0] for b in bands]
    need["band_label"] = [b[1] for b in bands]
    need["windows"] = [_windows(v, width) for v in need["level"]]
    return need


def _need(scenario: Scenario, status: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(need, exits): who needs a seat at this cycle, and who exits on track. `need` has the columns of
    `plan.groups.tutoring_demand` plus `why_in` ('goal' or 'fell behind'); `exits` is status rows of goals that exit."""
    demand = tutoring_demand(scenario).drop(columns=["gap", "weight", "band", "band_label", "windows"])
    demand["why_in"] = "goal"
    previous = _previous_levels(scenario)
    st = status.set_index(["student_id", "subject"])
    key = list(zip(demand["student_id"], demand["subject"], strict=True))
    assessed = [k in st.index for k in key]
    latest = pd.Series([st.at[k, "level"] if a else None for k, a in zip(key, assessed, strict=True)],
                       index=demand.index, dtype=float)
    demand["prev_level"] = [previous.get(k, lvl) for k, lvl in zip(key, demand["level"], strict=True)]
    demand["level"] = latest.fillna(demand["level"])
    exits_mask = pd.Series([a and st.at[k, "elapsed"] >= 1 and bool(st.at[k, "on_track"])
                            for k, a in zip(key, assessed, strict=True)], index=demand.index, dtype=bool)
    exits = demand.loc[exits_mask, ["student_id", "subject", "target"]].merge(status, on=["student_id", "subject"])
    demand = demand[~exits_mask]

    goal_keys = set(key)
    students = scenario.students.set_index("student_id")
    behind = status[(status["elapsed"] >= 1) & ~status["on_track"].astype(bool)]
    behind = behind[[k not in goal_keys for k in zip(behind["student_id"], behind["subject"], strict=True)]]
    behind = behind[behind["student_id"].isin(students.index)]
    grade = students["grade"].reindex(behind["student_id"]).astype(float).to_numpy()
    behind = behind.assign(grade=grade)
    behind = behind[behind["level"] < behind["grade"]]
    tutoring = scenario.settings.tutoring
    joiners = pd.DataFrame({"student_id": behind["student_id"].to_numpy(), "subject": behind["subject"].to_numpy(),
                            "target": float(tutoring.sessions_per_week * tutoring.session_minutes),
                            "level": behind["level"].to_numpy(dtype=float), "grade": behind["grade"].to_numpy(),
                            "why_in": "fell behind"})
    joiners["prev_level"] = [previous.get(k, lvl) for k, lvl in
                             zip(zip(joiners["student_id"], joiners["subject"], strict=True), joiners["level"],
                                 strict=True)]
    need = pd.concat([demand, joiners], ignore_index=True) if len(joiners) else demand
    return _with_levels(scenario, need), exits


# ---- the previous groups and the tutor time still free --------------------------------------------------

@dataclass
class _Group:
    """A group a student may sit in: one of the previous result (`old`) or a new one in free tutor time."""
    gid: str | None
    staff_id: str
    subject: str
    slots: frozenset            # (day, period)
    periods: frozenset
    cap: int
    minutes: int                # a week
    place: tuple | None = None  # new groups: (staff_id, period, block) shared by its subject variants
    block_days: tuple = ()


def _old_groups(previous, tutors: pd.DataFrame) -> list[_Group]:
    sizes = dict(zip(tutors["staff_id"], tutors["size"], strict=True))
    sessions = previous.group_sessions.astype({"group_id": str})
    sessions = sessions.assign(day=pd.to_numeric(sessions["day"]).astype(int),
                               period=pd.to_numeric(sessions["period"]).astype(int),
                               minutes=pd.to_numeric(sessions["minutes"]).astype(int))
    by_group = {g: part for g, part in sessions.groupby("group_id")}
    out = []
    for row in previous.groups.astype(str).itertuples():
        part = by_group.get(row.group_id)
        if part is None:
            continue
        slots = frozenset(zip(part["day"], part["period"], strict=True))
        out.append(_Group(row.group_id, row.staff_id, row.subject, slots, frozenset(part["period"]),
                          int(sizes.get(row.staff_id, 0)), int(part["minutes"].sum())))
    return out


def _new_groups(scenario: Scenario, tutors: pd.DataFrame, staff_busy: dict, old: list[_Group],
                subjects: list[str]) -> list[_Group]:
    """A possible new group for each tutor, free period, block of days the tutor has no group in, and subject."""
    rules = group_rules(scenario)
    if not rules.per_slot:
        return []
    taken: dict[str, set] = {}
    for g in old:
        taken.setdefault(g.staff_id, set()).update(g.slots)
    out = []
    for row in tutors.itertuples():
        busy = staff_busy.get(row.staff_id, set()) | row.unavailable
        for p in scenario.periods:
            if p in busy:
                continue
            for b in range(rules.per_slot):
                days = tuple(range(b * rules.block + 1, (b + 1) * rules.block + 1))
                if any((d, p) in taken.get(row.staff_id, ()) for d in days):
                    continue
                out.extend(_Group(None, row.staff_id, s, frozenset((d, p) for d in days), frozenset([p]),
                                  int(row.size), rules.group_minutes, (row.staff_id, p, b), days)
                           for s in subjects if _covers(row.subjects, s))
    return out


# ---- 3. the model ---------------------------------------------------------------------------------------

def regroup(scenario: Scenario, previous, reporter: Reporter = SILENT) -> RegroupPlan:
    """Re-form the small groups of `previous` (a `Result`) from the scenario's latest assessment cycle.
    Sections, enrolments and staffing are read, never changed. Raises `SolverFailed` when no solver answers."""
    t0 = time.perf_counter()
    status = assessment_status(scenario)
    need, exits = _need(scenario, status)
    tutors = tutoring_staff(scenario, previous.staffing)
    held = held_back(previous.extra.get("team_planning"))   # the teams' planning periods (rule 13) stay free
    tutors["unavailable"] = [u | held.get(s, set()) for s, u in zip(tutors["staff_id"], tutors["unavailable"],
                                                                     strict=True)]
    student_busy, staff_busy = _busy_from_schedule(previous.sections, previous.enrollments)
    old = _old_groups(previous, tutors)
    new = _new_groups(scenario, tutors, staff_busy, old, sorted(set(need["subject"])))
    groups = old + new
    members = previous.group_members.astype(str)
    subject_of = {g.gid: g.subject for g in old}
    was_in = {(m.student_id, subject_of.get(m.group_id)): m.group_id for m in members.itertuples()}
    width = scenario.settings.tutoring.band_width
    need["old_group"] = [was_in.get((s, subj)) for s, subj in zip(need["student_id"], need["subject"], strict=True)]
    need["band_changed"] = [_band_of(r.prev_level, width)[0] != r.band for r in need.itertuples()]
    candidates, anchors = _candidates(scenario, need, groups, student_busy)
    reporter.report(PHASE, f"regroup: {len(need)} students' tutoring needs, {len(old)} groups kept open, "
                           f"{len(new)} places a new group could meet", 0.1)
    prob, seat, window = _build_model(need, groups, candidates, anchors)
    build_s = time.perf_counter() - t0
    solve_status, solve_s = "optimal", 0.0
    if seat:
        solve_status, solve_s = _solve(prob, scenario)
    chosen = [key for key, var in seat.items() if (var.value() or 0) > 0.5]
    reporter.check_cancel()
    out_groups, sessions, out_members, ids = _name_groups(scenario, need, groups, chosen)
    placed = {(need.at[d, "student_id"], need.at[d, "subject"]): ids[k] for d, k, _j in chosen}
    changes = _changes(scenario, need, exits, was_in, placed)
    unserved = _unserved(scenario, need, exits, out_groups, sessions, placed, student_busy, tutors)
    stats = {
        "cycle": latest_cycle(scenario),
        "needs": int(len(need)),
        "groups": int(len(out_groups)),
        "build_s": round(build_s, 3),
        "solve_s": round(solve_s, 3),
        "total_s": round(time.perf_counter() - t0, 3),
        "variables": len(seat) + len(window),
    }
    reporter.report(PHASE, f"regroup: {len(out_groups)} groups; {len(changes)} changes", 1.0)
    return RegroupPlan(out_groups, sessions, out_members, unserved, changes, latest_cycle(scenario),
                       solve_status, stats)


def _anchored_windows(need: pd.DataFrame, groups: list[_Group]) -> dict[int, set]:
    """Group index -> the level windows its anchors (members still in need whose band did not change) all
    share: they keep their seats, so the group stays at their level. Groups without anchors are absent."""
    index_of = {g.gid: k for k, g in enumerate(groups) if g.gid is not None}
    shared: dict[int, set] = {}
    for row in need.itertuples():
        k = index_of.get(row.old_group) if row.old_group else None
        if k is None or row.band_changed:
            continue
        shared[k] = shared[k] & set(row.windows) if k in shared else set(row.windows)
    return {k: w for k, w in shared.items() if w}


def _candidates(scenario: Scenario, need: pd.DataFrame, groups: list[_Group],
                student_busy: dict) -> tuple[list, set[int]]:
    """(need row, group index, level windows) triples, and the anchors (need rows that keep their group). A
    student may keep her old group (she is free then, as she was); a newcomer, or a member whose band
    changed, may take any group of her subject that meets only in periods she is free and whose anchors'
    level she shares."""
    by_subject: dict[str, list[int]] = {}
    index_of = {}
    for k, g in enumerate(groups):
        by_subject.setdefault(g.subject, []).append(k)
        if g.gid is not None:
            index_of[g.gid] = k
    anchored = _anchored_windows(need, groups)
    periods = set(scenario.periods)
    triples, anchors = [], set()
    for d, row in enumerate(need.itertuples()):
        free = periods - student_busy.get(row.student_id, set())
        own = index_of.get(row.old_group) if row.old_group else None
        if own is not None and own in anchored and not row.band_changed:
            anchors.add(d)
        options = [own] if own is not None else []
        if own is None or row.band_changed:
            options += [k for k in by_subject.get(row.subject, []) if k != own]
        for k in options:
            windows = [j for j in row.windows if k not in anchored or j in anchored[k]]
            if windows and groups[k].periods <= free:
                triples.append((d, k, windows))
    return triples, anchors


def _build_model(need: pd.DataFrame, groups: list[_Group], candidates: list, anchors: set[int]):
    """Variables, then one function per rule family, then the objective."""
    prob = pulp.LpProblem("regroup", pulp.LpMaximize)
    seat = {}
    for d, k, windows in candidates:
        for j in windows:
            seat[d, k, j] = prob.add_variable(f"seat_{d}_{k}_{j}", lowBound=0, upBound=1, cat="Binary")
    window = {}
    for _, k, j in seat:
        if (k, j) not in window:
            window[k, j] = prob.add_variable(f"window_{k}_{j}", lowBound=0, upBound=1, cat="Binary")
    _one_seat_per_need(prob, seat)
    _same_band_keeps_her_group(prob, seat, anchors)
    _no_student_in_two_groups_at_once(prob, seat, need, groups)
    _group_size_and_one_band(prob, seat, window, groups)
    _define_objective(prob, seat, window, need, groups)
    return prob, seat, window


def _one_seat_per_need(prob, seat):
    """A student sits in at most one group per subject."""
    by_need: dict[int, list] = {}
    for (d, _k, _j), var in seat.items():
        by_need.setdefault(d, []).append(var)
    for d, vars_ in by_need.items():
        if len(vars_) > 1:
            prob += pulp.lpSum(vars_) <= 1, f"one_seat_{d}"


def _same_band_keeps_her_group(prob, seat, anchors):
    """A student whose band did not change keeps her group and tutor (SPEC §5: fewest moves first). Her old
    group held her with the same levels, so this always fits a result that passes `workbench check`."""
    kept: dict[int, list] = {}
    for (d, _k, _j), var in seat.items():
        if d in anchors:
            kept.setdefault(d, []).append(var)
    for d, vars_ in kept.items():
        prob += pulp.lpSum(vars_) == 1, f"keeps_her_group_{d}"


def _no_student_in_two_groups_at_once(prob, seat, need, groups):
    """Rule 9: never two groups at one (day, period), whatever their subjects."""
    at: dict[tuple, list] = {}
    students = need["student_id"].tolist()
    for (d, k, _j), var in seat.items():
        student = students[d]
        for slot in groups[k].slots:
            at.setdefault((student, slot), []).append((d, var))
    for n, items in enumerate(at.values()):
        if len({d for d, _ in items}) > 1:
            prob += pulp.lpSum(v for _, v in items) <= 1, f"one_group_at_once_{n}"


def _group_size_and_one_band(prob, seat, window, groups):
    """Rule 9 and the band: at most the group's size, all inside one level window of band_width. A new group's
    subject variants share their tutor's block of days (`place`), so one window among them all: one group."""
    members: dict[tuple, list] = {}
    for (_d, k, j), var in seat.items():
        members.setdefault((k, j), []).append(var)
    for (k, j), vars_ in members.items():
        prob += pulp.lpSum(vars_) <= groups[k].cap * window[k, j], f"size_{k}_{j}"
    by_group: dict[object, list] = {}
    for (k, _j), var in window.items():
        by_group.setdefault(groups[k].place or k, []).append(var)
    for n, vars_ in enumerate(by_group.values()):
        if len(vars_) > 1:
            prob += pulp.lpSum(vars_) <= 1, f"one_band_{n}"


def _define_objective(prob, seat, window, need, groups):
    """Churn first: a kept seat is worth more than a whole group of others (for a member whose band changed
    but who still fits her group), and a current member re-seated more than any newcomer; then need (weight
    (1 + years behind)²); a whisker less for each new group opened."""
    top = float(need["weight"].max()) + 1.0 if len(need) else 1.0
    keep = 2 * top * (max((g.cap for g in groups), default=0) + 1)   # more than a whole group of others
    weights, olds = need["weight"].astype(float).tolist(), need["old_group"].tolist()
    terms = {}
    for (d, k, _j), var in seat.items():
        own = olds[d]
        bonus = 0.0 if own is None else keep if groups[k].gid == own else top
        terms[var] = weights[d] + bonus
    terms.update({var: -0.01 for (k, _j), var in window.items() if groups[k].gid is None})
    prob += pulp.LpAffineExpression(terms)


def _solve(prob, scenario: Scenario) -> tuple[str, float]:
    """Leaving every seat empty is always a plan, so a solve without one is the solver's failure."""
    limit = float(scenario.settings.solver.time_limit_s)
    step = "regroup"
    outcome = require_design(run_solver(prob, scenario.settings.solver, step=step, time_limit_s=limit), step, limit)
    if not outcome.has_design:
        raise SolverFailed(step, outcome.solver, "it called a model infeasible that always has a plan (no seats)")
    return outcome.status, outcome.solve_s


# ---- from seats to named groups -------------------------------------------------------------------------

def _name_groups(scenario: Scenario, need, groups: list[_Group], chosen):
    """Old groups keep their ID, tutor, days and period; new groups get the next free IDs and the standard's
    sessions (sized to their members' targets); a group nobody sits in any more is closed."""
    tutoring, school = scenario.settings.tutoring, scenario.settings.school
    who: dict[int, list[int]] = {}
    for d, k, _j in chosen:
        who.setdefault(k, []).append(d)
    used = [int(g.gid[1:]) for g in groups if g.gid and g.gid[:1] == "G" and g.gid[1:].isdigit()]
    next_id = max(used, default=0) + 1
    rows, sessions, members, ids = [], [], [], {}
    old_sessions = _old_session_rows(groups)
    for k in sorted(who, key=lambda k: (groups[k].gid is None, groups[k].gid or "", k)):
        g = groups[k]
        gid = g.gid
        if gid is None:
            gid, next_id = f"G{next_id:04d}", next_id + 1
            target = max(float(need.at[d, "target"]) for d in who[k])
            days, minutes = _session_pattern(target, list(g.block_days), tutoring.sessions_per_week,
                                             tutoring.session_minutes, school.minutes_per_period)
            p = next(iter(g.periods))
            sessions.extend((gid, day, p, minutes) for day in days)
        else:
            sessions.extend(old_sessions[gid])
        ids[k] = gid
        rows.append((gid, g.staff_id, g.subject))
        for d in sorted(who[k], key=lambda d: (need.at[d, "level"], need.at[d, "student_id"])):
            members.append((gid, need.at[d, "student_id"]))
    return (pd.DataFrame(rows, columns=GROUP_COLUMNS),
            pd.DataFrame(sessions, columns=SESSION_COLUMNS).astype({"day": int, "period": int, "minutes": int}),
            pd.DataFrame(members, columns=MEMBER_COLUMNS), ids)


def _old_session_rows(groups: list[_Group]) -> dict[str, list[tuple]]:
    per_slot = {}
    for g in groups:
        if g.gid is not None and g.place is None:
            n = len(g.slots)
            per_slot[g.gid] = [(g.gid, day, p, g.minutes // n) for day, p in sorted(g.slots)]
    return per_slot


# ---- 4. what changed, and why ---------------------------------------------------------------------------

def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _changes(scenario: Scenario, need, exits, was_in: dict, placed: dict) -> pd.DataFrame:
    """One row per (student, subject) whose group is not the one she had, with a plain reason."""
    rows = []
    info = {(r.student_id, r.subject): r for r in need.itertuples()}
    exited = {(r.student_id, r.subject): r for r in exits.itertuples()}
    for key in sorted(set(was_in) | set(placed), key=lambda k: (str(k[0]), str(k[1]))):
        if key[1] is None:
            continue
        before, after = was_in.get(key), placed.get(key)
        if before == after:
            continue
        rows.append((*key, before or "", after or "", _why(key, before, after, info.get(key), exited.get(key))))
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def _growth_words(r) -> str:
    return (f"grew {_fmt(r.growth)} grade levels since cycle {r.first_cycle}, "
            f"{_fmt(r.expected)} expected by cycle {r.cycle}")


def _why(key, before, after, row, exit_row) -> str:
    subject = key[1]
    if exit_row is not None:
        return f"on track: {_growth_words(exit_row)}; the seat goes to a student further behind"
    if row is None:
        return f"no longer asks for {subject} tutoring: back at grade level, or no goal asks for it"
    behind = f"{_fmt(row.gap)} grade levels below grade" if row.gap > 0 else "at grade level"
    if before and after:
        return (f"moves: {subject} level now {_fmt(row.level)} ({row.band_label}), which no longer fits the "
                f"levels of group {before}")
    if after:
        if row.why_in == "fell behind":
            return f"joins: fell behind in {subject} ({behind}, level {_fmt(row.level)}); a seat was free"
        return f"joins: {behind} in {subject} (level {_fmt(row.level)}); a seat opened up"
    return (f"waiting: {subject} level now {_fmt(row.level)} ({row.band_label}) no longer fits group {before}, "
            "and no group with a free seat in that band meets while the student is free")


def _unserved(scenario: Scenario, need, exits, groups, sessions, placed, student_busy, tutors) -> pd.DataFrame:
    """Every need left short (as plan.groups' unserved report), plus each goal that exits on track."""
    minutes = sessions.groupby("group_id")["minutes"].sum() if len(sessions) else pd.Series(dtype=float)
    periods = set(scenario.periods)
    rows = []
    for r in need.itertuples():
        gid = placed.get((r.student_id, r.subject))
        provided = min(float(minutes.get(gid, 0.0)) if gid else 0.0, float(r.target))
        if provided >= r.target:
            continue
        free = sorted(periods - student_busy.get(r.student_id, set()))
        can = any(_covers(s, r.subject) for s in tutors["subjects"])
        reason = PARTLY if provided > 0 else NO_TUTOR if not can else CAPACITY if free else NO_FREE_TIME
        rows.append({"student_id": r.student_id, "subject": r.subject, "band": r.band_label, "level": float(r.level),
                     "target_minutes": float(r.target), "provided_minutes": provided, "reason": reason,
                     "free": free})
    width = scenario.settings.tutoring.band_width
    for r in exits.itertuples():
        rows.append({"student_id": r.student_id, "subject": r.subject, "band": _band_of(r.level, width)[1],
                     "level": float(r.level), "target_minutes": float(r.target), "provided_minutes": 0.0,
                     "reason": f"{ON_TRACK_EXIT} ({_growth_words(r)})", "free": []})
    out = pd.DataFrame(rows, columns=[*UNSERVED_COLUMNS[:-1], "free"])
    if out.empty:
        return out.drop(columns="free").assign(remedy=pd.Series(dtype=object))[UNSERVED_COLUMNS]
    remedies = {}
    tutoring = scenario.settings.tutoring
    for (subject, band, reason), part in out.groupby(["subject", "band", "reason"]):
        remedies[(subject, band, reason)] = ("" if reason.startswith(ON_TRACK_EXIT)
                                             else _remedy(subject, band, reason, part, tutoring, scenario))
    out["remedy"] = [remedies[(r.subject, r.band, r.reason)] for r in out.itertuples()]
    return out[UNSERVED_COLUMNS].reset_index(drop=True)
