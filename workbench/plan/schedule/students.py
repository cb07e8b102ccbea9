"""Step 4 of the schedule: place students into sections once sections have periods and rooms.

A MIP over (student, course, period): when several sections of a course share a period they form one
group with their seats added up, which keeps the model small; the group is then split into its sections,
sizes balanced, students with a class-size or strong-teacher goal put where their goal is met. Hard rules:
one section per requested course, one class per period, seats, and an alternate only in place of an
elective that could not be placed. Softly, after requests: students' goals, then balanced sizes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pulp

from workbench.plan.goal_meaning import class_within, in_goal_subject, teacher_meets
from workbench.plan.schedule.common import W_ALTERNATE, W_ELECTIVE, W_REQUIRED, request_table
from workbench.plan.solver import SolveOutcome, run_solver
from workbench.scenario.model import Scenario

W_GOAL = 5.0       # a student's goal is worth less than any request (goals come after requests)
W_BALANCE = 0.3    # per student above a course's even share in one period
# Branch-and-bound nodes for the student MIP: it closes at the root on the schools measured (benchmarks/), the
# limit keeps a hard one reproducible (work, not time)
STUDENT_NODES = 200


@dataclass
class Goals:
    """Per-student schedule goals: max_class_size (student_id, target, courses) and strong_teacher
    (student_id, target, courses), `courses` being the requested courses the goal is about."""

    max_size: pd.DataFrame
    strong: pd.DataFrame


def schedule_goals(scenario: Scenario) -> Goals:
    """Read goals.csv rows the schedule can act on, resolving each to the student's requested courses."""
    goals = scenario.goals
    req = request_table(scenario)
    subject = scenario.courses.set_index(scenario.courses["course_id"].astype(str))["subject"].astype(str)
    req["subject"] = req["course_id"].map(subject)
    by_student = {s: g for s, g in req.groupby("student_id")}

    def frame(kind: str) -> pd.DataFrame:
        rows = []
        if goals is None or goals.empty:
            return pd.DataFrame(columns=["student_id", "target", "courses"])
        for g in goals[goals["goal"].astype(str) == kind].itertuples():
            sid = str(g.student_id)
            mine = by_student.get(sid)
            if mine is None:
                continue
            subj = getattr(g, "subject", "")
            subj = "" if subj is None or subj != subj else str(subj).strip()
            courses = list(mine.loc[in_goal_subject(subj, mine["subject"]), "course_id"])
            if courses:
                rows.append({"student_id": sid, "target": str(g.target).strip(), "courses": courses})
        return pd.DataFrame(rows, columns=["student_id", "target", "courses"])

    max_size = frame("max_class_size")
    max_size = max_size[pd.to_numeric(max_size["target"], errors="coerce").notna()].copy()
    max_size["target"] = pd.to_numeric(max_size["target"]).astype(int)
    return Goals(max_size=max_size, strong=frame("strong_teacher"))


def place_students(scenario: Scenario, sections: pd.DataFrame, teachers: pd.DataFrame, goals: Goals,
                   time_limit_s: float) -> tuple[pd.DataFrame, SolveOutcome]:
    """sections: section_id, course_id, staff_id, room_id, period, cap. Returns enrollments and the outcome.
    The MIP stops at STUDENT_NODES nodes; `time_limit_s` is only a safety cap."""
    t0 = time.perf_counter()
    req = request_table(scenario)
    groups = sections.groupby(["course_id", "period"]).agg(cap=("cap", "sum"), k=("section_id", "size")) \
        .reset_index()
    rows = req.merge(groups[["course_id", "period"]], on="course_id").reset_index(drop=True)
    prob = pulp.LpProblem("student_placement", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x{i}", cat="Binary") for i in range(len(rows))]
    rows["var"] = np.arange(len(rows))

    def sums(keys) -> dict:
        """key -> row numbers, built with a plain dict (much faster than a pandas groupby-apply)."""
        out: dict = {}
        for j, key in enumerate(zip(*(rows[k].tolist() for k in keys), strict=True)):
            out.setdefault(key, []).append(j)
        return out

    for _key, idx in sums(["student_id", "course_id"]).items():
        if len(idx) > 1:
            prob += _total(x, idx) <= 1, f"one_section_{len(prob.constraints)}"
    for _key, idx in sums(["student_id", "period"]).items():
        if len(idx) > 1:
            prob += _total(x, idx) <= 1, f"one_class_per_period_{len(prob.constraints)}"
    group_vars = sums(["course_id", "period"])
    caps = groups.set_index(["course_id", "period"])
    for (cid, p), idx in group_vars.items():
        if len(idx) > caps.at[(cid, p), "cap"]:
            prob += _total(x, idx) <= int(caps.at[(cid, p), "cap"]), f"seats_{cid}_{p}"
    _alternates_only_for_missing_electives(prob, x, rows)

    weight = rows["priority"].map({1: W_REQUIRED, 2: W_ELECTIVE, 3: W_ALTERNATE}).to_numpy(dtype=float)
    lookup: dict = {}
    for j, sid, cid, p in zip(rows["var"].tolist(), rows["student_id"].tolist(), rows["course_id"].tolist(),
                              rows["period"].tolist(), strict=True):
        lookup.setdefault((sid, cid), []).append((j, p))
    weight = weight - _strong_teacher_penalty(lookup, len(rows), sections, teachers, goals.strong)
    objective = [pulp.LpAffineExpression({x[j]: float(weight[j]) for j in range(len(rows))})]
    objective += _class_size_goals(prob, x, lookup, group_vars, caps, goals.max_size)
    objective += _balanced_sizes(prob, x, group_vars, caps, req)
    prob += pulp.lpSum(objective)
    outcome = run_solver(prob, scenario.settings.solver, step="schedule: student sectioning",
                         time_limit_s=time_limit_s, build_s=time.perf_counter() - t0, node_limit=STUDENT_NODES)
    if not outcome.has_design:
        return pd.DataFrame(columns=["student_id", "section_id"]), outcome
    chosen = rows[[(x[j].value() or 0) > 0.5 for j in range(len(rows))]]
    return split_groups(chosen[["student_id", "course_id", "period"]], sections, teachers, goals), outcome


def _total(x, idx) -> pulp.LpAffineExpression:
    """Sum of x[j] over idx, built from a dict: lpSum over a generator is several times slower."""
    return pulp.LpAffineExpression({x[j]: 1.0 for j in idx})


def _alternates_only_for_missing_electives(prob, x, rows):
    """Placed alternates + placed electives ≤ the student's electives: an alternate only replaces a miss."""
    alt_students = set(rows.loc[rows["priority"] == 3, "student_id"])
    sub = rows[rows["student_id"].isin(alt_students) & rows["priority"].isin([2, 3])]
    n_elec = rows[rows["priority"] == 2].drop_duplicates(["student_id", "course_id"]).groupby("student_id").size()
    for sid, idx in sub.groupby("student_id")["var"]:
        prob += _total(x, idx) <= int(n_elec.get(sid, 0)), f"alternates_{sid}"


def _strong_teacher_penalty(lookup, n_rows, sections, teachers, strong: pd.DataFrame) -> np.ndarray:
    """Placing a goal student in a (course, period) with no strong teacher costs W_GOAL."""
    pen = np.zeros(n_rows)
    if strong.empty:
        return pen
    sec = sections.merge(teachers[["effectiveness", "led"]], left_on="staff_id", right_index=True, how="left")
    for g in strong.itertuples():
        ok = sec[[teacher_meets(e, led, g.target) for e, led in zip(sec["effectiveness"], sec["led"], strict=True)]]
        good = set(zip(ok["course_id"], ok["period"], strict=True))
        for cid in g.courses:
            for var, p in lookup.get((g.student_id, cid), []):
                if (cid, p) not in good:
                    pen[var] += W_GOAL
    return pen


def _class_size_goals(prob, x, lookup, group_rows, caps, max_size: pd.DataFrame) -> list:
    """A goal student in a one-section group only when the group stays at or under the student's cap, softly.

    One switch per (group, cap): "this group is small"; a goal student in the group needs the switch on,
    or their goal is marked missed (cost W_GOAL). This keeps the model to one size row per group and cap."""
    terms = []
    if max_size.empty:
        return terms
    cap_of = caps["cap"].to_dict()
    k_of = caps["k"].to_dict()
    small = {}
    for n, g in enumerate(max_size.itertuples()):
        v = None
        for cid in g.courses:
            for var, p in lookup.get((g.student_id, cid), []):
                cap, k = int(cap_of[cid, p]), int(k_of[cid, p])
                if k > 1 or cap <= g.target:
                    continue
                key = (cid, p, int(g.target))
                if key not in small:
                    small[key] = pulp.LpVariable(f"small_{cid}_{p}_{g.target}", cat="Binary")
                    big = cap - g.target
                    # size <= target + big * (1 - small)
                    expr = pulp.LpAffineExpression({x[j]: 1.0 for j in group_rows[cid, p]})
                    expr.addInPlace(pulp.LpAffineExpression({small[key]: float(big)}))
                    prob += expr <= g.target + big, f"class_size_{cid}_{p}_{g.target}"
                if v is None:
                    v = pulp.LpVariable(f"size_goal_missed_{n}", cat="Binary")
                    terms.append(pulp.LpAffineExpression({v: -W_GOAL}))
                prob += pulp.LpAffineExpression({x[var]: 1.0, small[key]: -1.0, v: -1.0}) <= 0, \
                    f"size_goal_{n}_{cid}_{p}"
    return terms


def _balanced_sizes(prob, x, group_vars, caps, req) -> list:
    """Each (course, period) group gets students in proportion to its seats: a light cost above that share."""
    demand = req[req["priority"] < 3].groupby("course_id").size()
    total_cap = caps.groupby(level=0)["cap"].sum()
    terms = []
    n_groups = caps.groupby(level=0).size()
    for (cid, p), idx in group_vars.items():
        if n_groups[cid] < 2:
            continue
        share = float(demand.get(cid, 0)) * caps.at[(cid, p), "cap"] / float(total_cap[cid])
        over = pulp.LpVariable(f"over_{cid}_{p}", 0)
        prob += _total(x, idx) - over <= share + 1
        terms.append(pulp.LpAffineExpression({over: -W_BALANCE}))
    return terms


def split_groups(chosen: pd.DataFrame, sections: pd.DataFrame, teachers: pd.DataFrame,
                 goals: Goals) -> pd.DataFrame:
    """Turn (student, course, period) placements into sections: goal students first (a strong teacher's
    section; a section kept at or under the smallest class-size cap when the others can hold the rest),
    then everyone else into the emptiest section with a seat."""
    out = []
    strong_of = {(g.student_id, c): g.target for g in goals.strong.itertuples() for c in g.courses}
    cap_of = {(g.student_id, c): g.target for g in goals.max_size.itertuples() for c in g.courses}
    grouped = sections.groupby(["course_id", "period"])
    for (cid, p), studs in chosen.groupby(["course_id", "period"]):
        secs = grouped.get_group((cid, p))
        if len(secs) == 1:
            sid = secs["section_id"].iloc[0]
            out.extend((s, sid) for s in studs["student_id"])
            continue
        secs = secs.merge(teachers[["effectiveness", "led"]], left_on="staff_id", right_index=True, how="left")
        size = dict.fromkeys(secs["section_id"], 0)
        limit = dict(zip(secs["section_id"], secs["cap"], strict=True))
        members = list(studs["student_id"])
        capped = sorted((cap_of[(s, cid)], s) for s in members if (s, cid) in cap_of)
        placed = set()
        if capped:
            small = min(limit, key=lambda k: limit[k])
            target = capped[0][0]
            others = sum(v for k, v in limit.items() if k != small)
            if len(members) - target <= others:
                limit[small] = min(limit[small], target)
            for _, s in capped:
                if size[small] < limit[small]:
                    out.append((s, small))
                    size[small] += 1
                    placed.add(s)
        for s in members:
            if s in placed or (s, cid) not in strong_of:
                continue
            good = [row.section_id for row in secs.itertuples()
                    if teacher_meets(row.effectiveness, row.led, strong_of[(s, cid)]) and size[row.section_id]
                    < limit[row.section_id]]
            if good:
                pick = min(good, key=lambda k: size[k] / max(1, limit[k]))
                out.append((s, pick))
                size[pick] += 1
                placed.add(s)
        for s in members:
            if s in placed:
                continue
            open_ = [k for k in size if size[k] < limit[k]] or list(size)
            pick = min(open_, key=lambda k: (size[k] / max(1, limit[k]), k))
            out.append((s, pick))
            size[pick] += 1
    return pd.DataFrame(out, columns=["student_id", "section_id"])


def section_caps(sections: pd.DataFrame, scenario: Scenario) -> pd.Series:
    """Seats in a section: the course's max_size, or fewer when its room is smaller."""
    courses = scenario.courses.set_index(scenario.courses["course_id"].astype(str))
    rooms = scenario.rooms.set_index(scenario.rooms["room_id"].astype(str))
    size = sections["course_id"].map(courses["max_size"]).astype(int)
    room = sections["room_id"].map(rooms["capacity"]).astype(int)
    return np.minimum(size, room)



def goals_met(sections: pd.DataFrame, enrollments: pd.DataFrame, teachers: pd.DataFrame, goals: Goals) -> int:
    """How many (student, course) schedule goals a schedule meets: class at or under the student's cap, or a
    teacher who meets the student's strong-teacher target. Used to choose between schedules placing as many."""
    if goals.max_size.empty and goals.strong.empty:
        return 0
    placed = enrollments.merge(sections[["section_id", "course_id", "staff_id"]], on="section_id")
    size = placed.groupby("section_id").size()
    where = {(s, c): (sec, t) for s, c, sec, t in zip(placed["student_id"], placed["course_id"],
                                                      placed["section_id"], placed["staff_id"], strict=True)}
    met = 0
    for g in goals.max_size.itertuples():
        met += sum(1 for c in g.courses if (g.student_id, c) in where
                   and class_within(size[where[g.student_id, c][0]], g.target))
    for g in goals.strong.itertuples():
        for c in g.courses:
            if (g.student_id, c) in where:
                t = where[g.student_id, c][1]
                met += teacher_meets(teachers.at[t, "effectiveness"], teachers.at[t, "led"], g.target) \
                    if t in teachers.index else 0
    return int(met)
