"""Stand-in sections that make the plain planner keep double periods and lunch waves (SPEC §4, rules 12 and 14).

The schedule step (workbench.plan.schedule) knows one kind of section: one period, one teacher, one room. Two
calendar features need a student, a teacher or a room held in more than that, and both are given to it as
*holds*: pinned stand-in courses that students request, which the planner then keeps like any pinned course
(it never moves, re-staffs or re-rooms a pinned course's sections), so everything else is planned around them.

- **A double period** (courses.csv periods_per_meeting 2) is laid out before the solve: each section gets a
  certified teacher, a room and a start period whose next period is in the same day (and term and day type of
  a split calendar) and is not an intervention period; its requesters are seated in its sections so that no
  student has two labs at once. On the long day it is two pinned hold sections, one per period, with the same
  teacher, room and students. After the solve the pair is one section again, holding `period` and
  `period + 1`; a student kept in only one half loses the lab (listed in unplaced_requests with the reason).
- **Lunch** is a hold course per (term, day type) copy of the long day, with one pinned section at each lunch
  period, seats = the cafeteria's, that every student requests as required: the placement then leaves each
  student one lunch period free, waves balanced to the seats, instead of dropping a class after the fact.
  Holds' IDs start with "#", which sorts before any course ID: a student's timetable is matched in priority
  order, then course ID, so her lunch is kept before a required course of hers when both cannot be.

Holds are stripped before anyone else sees the plan: no hold section, staff member or room is in a result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import pandas as pd

from workbench.plan.schedule.common import placement_metrics
from workbench.scenario.calendar import calendar_of, course_timing
from workbench.scenario.model import Scenario
from workbench.scenario.schema import split_list

HOLD = "#hold:"   # prefix of every stand-in (course, section, staff, room); "#" sorts before any course ID
LUNCH_STAFF = f"{HOLD}lunch"
LAB_SPLIT = "a double period's two periods could not both be kept in the student's timetable"
LAB_FULL = ("every section of this double period was full or overlapped another double period of the student "
            "(a double period needs a certified teacher and a room of its type free for two periods in a row)")


@dataclass
class Double:
    """One double-period section as laid out before the solve (long-day periods)."""

    section_id: str
    course_id: str
    staff_id: str
    room_id: str
    start: int
    priority: dict[str, int] = field(default_factory=dict)   # student -> priority of the request

    @property
    def halves(self) -> tuple[str, str]:
        return f"{HOLD}{self.section_id}:1", f"{HOLD}{self.section_id}:2"


@dataclass
class Holds:
    """The stand-ins added to the long day, and what is needed to take them out again."""

    courses: list[dict] = field(default_factory=list)
    pins: list[dict] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)
    staff: list[dict] = field(default_factory=list)
    rooms: list[dict] = field(default_factory=list)
    doubles: list[Double] = field(default_factory=list)
    double_courses: set[str] = field(default_factory=set)
    unseated: list[tuple[str, str, int]] = field(default_factory=list)   # (student, course, priority)
    held: dict[str, set[int]] = field(default_factory=dict)   # student -> long-day periods her doubles hold

    @property
    def empty(self) -> bool:
        return not self.courses and not self.double_courses


# ---- laying holds out ----------------------------------------------------------------------------------------

def _copies(split) -> list[list[int]]:
    """The long day's periods, one list per copy (term × day type) of the real day."""
    return [[copy * split.periods + p for p in range(1, split.periods + 1)] for copy in range(split.copies)]


def _starts(scenario: Scenario, long_scenario: Scenario, split) -> list[int]:
    """Long-day periods a double period may start in: it and the next are in one copy, neither an intervention
    period (rule 14's second period inside the day, rule 6's no section in an intervention period), and the
    two do not hold every lunch period (its students must eat that day, rule 12). Ordered copy by copy within
    each real period, so that sections taken in turn spread over terms and day types."""
    blocked = set(long_scenario.settings.school.intervention_periods)
    waves = set(calendar_of(scenario).lunch_periods)

    def fits(v: int) -> bool:
        real = (v - 1) % split.periods + 1
        return v not in blocked and v + 1 not in blocked and not (waves and waves <= {real, real + 1})

    ok = [[v for v in periods[:-1] if fits(v)] for periods in _copies(split)]
    return [v for row in zip(*ok, strict=True) for v in row] if ok else []


def _room_caps(rooms: pd.DataFrame, room_type: str) -> list[tuple[str, int]]:
    """(room_id, capacity) of the rooms a course of this room type may use, largest first."""
    types = rooms["room_type"].fillna("").astype(str) if "room_type" in rooms else pd.Series("", index=rooms.index)
    fit = rooms if not room_type else rooms[types == room_type]
    pairs = list(zip(fit["room_id"].astype(str), fit["capacity"].astype(int), strict=True))
    return sorted(pairs, key=lambda r: (-r[1], r[0]))


def _pins_of(scenario: Scenario, course_id: str) -> list[dict]:
    pins = scenario.pins
    if pins is None or pins.empty:
        return []
    mine = pins[pins["course_id"].astype(str) == course_id]
    return [{k: ("" if v is None or v != v else str(v).strip()) for k, v in row.items()}
            for row in mine.to_dict("records")]


def plan_doubles(scenario: Scenario, long_scenario: Scenario, staffing: pd.DataFrame, split,
                 holds: Holds) -> None:
    """Lays out every double-period course's sections (teacher, room, start, students) into `holds`.

    Teachers: certified, teaching, free in both periods, fewest doubles so far, then fewest subjects. Students:
    each requester (priority 1 or 2) into the section with a seat, no overlap with her other doubles, fewest
    seated. Pins of a double course keep their section_id, staff_id, room_id and period (`long_period` maps the
    real period and term of a pin onto the long day)."""
    timing = course_timing(scenario.courses)
    doubles = [c for c in timing.index[timing["length"] > 1]]
    if not doubles:
        return
    courses = scenario.courses.assign(course_id=scenario.courses["course_id"].astype(str)).set_index("course_id")
    requests = scenario.requests.assign(student_id=scenario.requests["student_id"].astype(str),
                                        course_id=scenario.requests["course_id"].astype(str))
    teachers = staffing[staffing["teaches_sections"].astype(int) == 1]
    starts = _starts(scenario, long_scenario, split)
    busy_staff: set[tuple[str, int]] = set()
    busy_room: set[tuple[str, int]] = set()
    load: dict[str, int] = {}
    turn = 0
    for course_id in sorted(doubles):
        row = courses.loc[course_id]
        wanted = requests[(requests["course_id"] == course_id) & (requests["priority"].astype(int) <= 2)]
        rooms = _room_caps(long_scenario.rooms, "" if pd.isna(row.get("room_type")) else str(row["room_type"]))
        cap = min(int(row["max_size"]), rooms[0][1]) if rooms else 0
        holds.double_courses.add(course_id)
        if not len(wanted) or cap <= 0:
            holds.unseated += [(s, course_id, int(p)) for s, p in zip(wanted["student_id"], wanted["priority"],
                                                                       strict=True)]
            continue
        pins = _pins_of(scenario, course_id)
        n = max(math.ceil(len(wanted) / cap), len(pins))
        made: list[Double] = []
        for i in range(n):
            pin = pins[i] if i < len(pins) else {}
            found = _place_double(course_id, str(row["subject"]), pin, teachers, rooms, starts, turn, busy_staff,
                                  busy_room, load, split)
            turn += 1
            if found is None:
                continue
            sid = pin.get("section_id") or _free_id(course_id, i + 1, {d.section_id for d in made}, pins)
            made.append(Double(sid, course_id, found[0], found[1], found[2]))
        holds.doubles += made
        _seat_students(course_id, wanted, made, cap, holds)


def _free_id(course_id: str, k: int, taken: set[str], pins: list[dict]) -> str:
    """COURSE-03 style, never a pinned or already used ID."""
    taken = taken | {p.get("section_id", "") for p in pins}
    while f"{course_id}-{k:02d}" in taken:
        k += 1
    return f"{course_id}-{k:02d}"


def long_period(pin: dict, split) -> list[int]:
    """The long-day periods a pin's real period (and term, when it names one) may take."""
    period = int(float(pin["period"]))
    term = pin.get("term", "")
    if not term or not split.terms:
        return split.long_periods(period)
    if term not in split.terms:
        return []
    n_types = max(1, len(split.types))
    first = split.terms.index(term) * n_types
    return [(first + t) * split.periods + period for t in range(n_types)]


def _place_double(course_id, subject, pin, teachers, rooms, starts, turn, busy_staff, busy_room, load, split):
    """(staff_id, room_id, start) for one double section, or None when no certified teacher and room are free in
    two consecutive periods. Starts are tried from this section's turn on, so sections spread over the day."""
    order = starts[turn % len(starts):] + starts[:turn % len(starts)] if starts else []
    if pin.get("period"):
        order = [v for v in long_period(pin, split) if v in starts]
    candidates = []
    for row in teachers.itertuples():
        sid = str(row.staff_id)
        if subject not in split_list(row.subjects) or (pin.get("staff_id") and pin["staff_id"] != sid):
            continue
        if load.get(sid, 0) >= int(row.max_sections):
            continue
        blocked = {int(float(p)) for p in split_list(row.unavailable_periods)}
        candidates.append((load.get(sid, 0), len(split_list(row.subjects)), sid, blocked))
    for _, _, sid, blocked in sorted(candidates):
        for v in order:
            if {v, v + 1} & blocked or (sid, v) in busy_staff or (sid, v + 1) in busy_staff:
                continue
            for room_id, _cap in rooms:
                if pin.get("room_id") and pin["room_id"] != room_id:
                    continue
                if (room_id, v) in busy_room or (room_id, v + 1) in busy_room:
                    continue
                busy_staff.update({(sid, v), (sid, v + 1)})
                busy_room.update({(room_id, v), (room_id, v + 1)})
                load[sid] = load.get(sid, 0) + 1
                return sid, room_id, v
    return None


def _seat_students(course_id: str, wanted: pd.DataFrame, made: list[Double], cap: int, holds: Holds) -> None:
    """Each requester into the section of the course with a seat that does not overlap her other doubles,
    fewest seated first; the rest are listed as unseated."""
    for student, priority in zip(wanted["student_id"], wanted["priority"].astype(int), strict=True):
        mine = holds.held.setdefault(student, set())
        options = [d for d in made if len(d.priority) < cap and not {d.start, d.start + 1} & mine]
        if not options:
            holds.unseated.append((student, course_id, priority))
            continue
        best = min(options, key=lambda d: (len(d.priority), d.start, d.section_id))
        best.priority[student] = priority
        mine.update({best.start, best.start + 1})


def add_double_holds(holds: Holds, staffing: pd.DataFrame, subject_of: dict[str, str],
                     room_type_of: dict[str, str]) -> None:
    """The hold courses, pins and requests of the laid-out doubles (two pinned halves each)."""
    for d in holds.doubles:
        for half, period in zip(d.halves, (d.start, d.start + 1), strict=True):
            holds.courses.append({"course_id": half, "name": half, "subject": subject_of[d.course_id],
                                  "max_size": max(1, len(d.priority)), "room_type": room_type_of[d.course_id]})
            holds.pins.append({"course_id": half, "section_id": half, "staff_id": d.staff_id, "period": period,
                               "room_id": d.room_id})
            holds.requests += [{"student_id": s, "course_id": half, "priority": p} for s, p in d.priority.items()]


def plan_lunch(scenario: Scenario, split, holds: Holds) -> None:
    """A required hold course per copy of the long day with a pinned section at each lunch period (seats: the
    cafeteria's). Nothing is added when the school names no lunch, or when the lunch periods cannot seat every
    student (then the check after the solve says so in words)."""
    cal = calendar_of(scenario)
    if not cal.has_lunch:
        return
    students = scenario.students["student_id"].astype(str).tolist()
    waves = sorted(set(cal.lunch_periods))
    seats = cal.lunch_seats if cal.lunch_seats is not None else len(students)
    if not students or seats * len(waves) < len(students):
        return
    holds.staff.append({"staff_id": LUNCH_STAFF, "subjects": LUNCH_STAFF,
                        "max_sections": len(waves) * split.copies})
    holds.rooms.append({"room_id": LUNCH_STAFF, "capacity": seats, "room_type": LUNCH_STAFF})
    for copy in range(split.copies):
        course_id = f"{HOLD}lunch:{copy + 1}"
        holds.courses.append({"course_id": course_id, "name": "lunch", "subject": LUNCH_STAFF,
                              "max_size": len(students), "room_type": LUNCH_STAFF})
        for p in waves:
            period = copy * split.periods + p
            holds.pins.append({"course_id": course_id, "section_id": f"{course_id}:{period}",
                               "staff_id": LUNCH_STAFF, "period": period, "room_id": LUNCH_STAFF})
        holds.requests += [{"student_id": s, "course_id": course_id, "priority": 1} for s in students]


def plan_holds(scenario: Scenario, long_scenario: Scenario, staffing: pd.DataFrame, split) -> Holds:
    """Every hold of the scenario on its long day (see the module docstring)."""
    holds = Holds()
    plan_doubles(scenario, long_scenario, staffing, split, holds)
    courses = scenario.courses.assign(course_id=scenario.courses["course_id"].astype(str)).set_index("course_id")
    room_type = courses["room_type"].fillna("").astype(str).to_dict() if "room_type" in courses \
        else dict.fromkeys(courses.index, "")
    add_double_holds(holds, staffing, courses["subject"].astype(str).to_dict(), room_type)
    plan_lunch(scenario, split, holds)
    return holds


# ---- on and off the long day ----------------------------------------------------------------------------------

def with_holds(long_scenario: Scenario, staffing: pd.DataFrame, holds: Holds) -> tuple[Scenario, pd.DataFrame]:
    """The long day and its staffing with the holds in and the double courses out. A teacher of doubles may
    teach one more section per double (a double is one section, and two hold sections on the long day)."""
    if holds.empty:
        return long_scenario, staffing
    out = long_scenario.copy()
    grades = ";".join(str(g) for g in out.settings.school.grades)
    hold_courses = pd.DataFrame(holds.courses, columns=["course_id", "name", "subject", "max_size", "room_type"])
    hold_courses = hold_courses.assign(grades=grades, term_length="year", meets="every_day", periods_per_meeting=1)
    kept = out.courses[~out.courses["course_id"].astype(str).isin(holds.double_courses)]
    out.courses = pd.concat([kept, hold_courses[[c for c in hold_courses.columns if c in kept.columns]]],
                            ignore_index=True)
    requests = out.requests[~out.requests["course_id"].astype(str).isin(holds.double_courses)]
    out.requests = pd.concat([requests, pd.DataFrame(holds.requests, columns=["student_id", "course_id",
                                                                               "priority"])], ignore_index=True)
    pins = out.pins[~out.pins["course_id"].astype(str).isin(holds.double_courses)] if out.pins is not None \
        else pd.DataFrame(columns=["course_id", "section_id", "staff_id", "period", "room_id"])
    out.pins = pd.concat([pins, pd.DataFrame(holds.pins)], ignore_index=True)
    if holds.rooms:
        out.rooms = pd.concat([out.rooms, pd.DataFrame(holds.rooms)], ignore_index=True)
    staff = staffing.copy()
    extra = pd.Series([d.staff_id for d in holds.doubles], dtype=object).value_counts()
    staff["max_sections"] = staff["max_sections"].astype(int) + staff["staff_id"].astype(str).map(extra).fillna(
        0).astype(int)
    if holds.staff:
        template = {c: staff[c].iloc[0] if len(staff) else "" for c in staff.columns}
        rows = [{**template, "role": "teacher", "new_hire": 0, "annual_cost": 0.0, "leader_id": "",
                 "effectiveness": 1.0, "unavailable_periods": "", "fte": 0.0, "teaches_sections": 1, "tutors": 0,
                 "reach": 0, **row} for row in holds.staff]
        staff = pd.concat([staff, pd.DataFrame(rows)[staff.columns]], ignore_index=True)
    return out, staff


def spread_lunch_seats(scenario: Scenario, long_scenario: Scenario, sections: pd.DataFrame, enroll: pd.DataFrame,
                       holds: Holds) -> tuple[pd.DataFrame, int]:
    """Rule 12's seats on the long day: every student free in a lunch period counts in the cafeteria, also one
    who eats in another wave. Where a lunch period leaves more students free than the seats, a student free
    there moves, within one of her courses, to a section in that period with a seat (her own teacher's
    first), from a period that is no full lunch period; if that period was her only other free lunch period,
    the class must come from another lunch period, which she then eats in. Double periods and stand-ins stay.
    Same courses, same requests. Returns the enrollments and the moves made."""
    cal = calendar_of(scenario)
    lunch = [c["course_id"] for c in holds.courses if c["subject"] == LUNCH_STAFF]
    if not lunch or cal.lunch_seats is None:
        return enroll, 0
    from workbench.plan.schedule.students import section_caps

    secs = sections.assign(cap=section_caps(sections, long_scenario).to_numpy())
    real = secs[~secs["course_id"].astype(str).isin(lunch)]   # double periods' halves included, never moved
    info = {sid: (c, int(p), t, int(k)) for sid, c, p, t, k in zip(
        real["section_id"], real["course_id"].astype(str), real["period"], real["staff_id"].astype(str),
        real["cap"], strict=True)}
    size = enroll["section_id"].value_counts().to_dict()
    by_course_period: dict[tuple[str, int], list[str]] = {}
    for sid, (c, p, _t, _k) in sorted(info.items()):
        by_course_period.setdefault((c, p), []).append(sid)
    waves = {v for c in lunch for v in secs.loc[secs["course_id"] == c, "period"].astype(int)}
    copy_of = {v: (v - 1) // cal.periods_per_day for v in waves}
    students = scenario.students["student_id"].astype(str).tolist()
    mine: dict[str, dict[int, str]] = {s: {} for s in students}
    for s, sid in zip(enroll["student_id"], enroll["section_id"], strict=True):
        if sid in info and s in mine:
            mine[s][info[sid][1]] = sid
    free = {v: sum(1 for s in students if v not in mine[s]) for v in waves}
    moves = 0
    for v in sorted(waves):
        for s in students:
            if free[v] <= cal.lunch_seats:
                break
            have = mine[s]
            if v in have:
                continue
            same_copy = {w for w in waves if w != v and copy_of[w] == copy_of[v]}
            # with no other lunch period free, the class moved in must come from one, which it then frees
            sources = None if same_copy - set(have) else same_copy
            target = _section_to_move(v, have, sources, info, by_course_period, size, free, cal.lunch_seats)
            if target is None:
                continue
            old, new = target
            q = info[old][1]
            size[old] -= 1
            size[new] = size.get(new, 0) + 1
            del have[q]
            have[v] = new
            free[v] -= 1
            if q in free:
                free[q] += 1
            moves += 1
    kept = enroll[~enroll["section_id"].isin(info) | ~enroll["student_id"].isin(mine)]
    rows = pd.DataFrame([(s, sid) for s in students for sid in mine[s].values()],
                        columns=["student_id", "section_id"])
    return pd.concat([kept, rows], ignore_index=True), moves


def _section_to_move(v, have, sources, info, by_course_period, size, free, seats):
    """(her section now, a section of its course in period v with a seat), her own teacher's first, or None.
    `sources`: the periods the class may come from (None: any)."""
    options = []
    for q, sid in sorted(have.items()):
        course, _p, teacher, _k = info[sid]
        if sources is not None and q not in sources:
            continue
        if course.startswith(HOLD) or q in free and free[q] + 1 > seats:
            continue
        for new in by_course_period.get((course, v), []):
            if size.get(new, 0) < info[new][3]:
                options.append((info[new][2] != teacher, q, sid, new))
    if not options:
        return None
    _, _, old, new = min(options)
    return old, new


def without_holds(scenario: Scenario, long_scenario: Scenario, plan, holds: Holds):
    """The plan with every hold taken out: each double's two halves one section again (start period, same
    teacher and room, the students seated in both), lunch sections gone (after `spread_lunch_seats`),
    unplaced_requests naming the lost labs and lunch, never a hold. Stats' placement figures are the real
    scenario's. `long_scenario` is the long day with the holds in."""
    if holds.empty:
        return plan
    sections, enroll = plan.sections.copy(), plan.enrollments.copy()
    sections["section_id"] = sections["section_id"].astype(str)
    enroll["section_id"] = enroll["section_id"].astype(str)
    enroll["student_id"] = enroll["student_id"].astype(str)
    enroll, moved = spread_lunch_seats(scenario, long_scenario, sections, enroll, holds)
    reasons = _reasons(long_scenario, sections, enroll, holds)
    by_id = sections.set_index("section_id")
    members = enroll.groupby("section_id")["student_id"].agg(set).to_dict()
    rows, seats, lost = [], [], list(holds.unseated)
    for d in holds.doubles:
        first, second = d.halves
        intact = first in by_id.index and second in by_id.index and (
            by_id.at[first, "staff_id"], by_id.at[first, "room_id"], int(by_id.at[first, "period"]) + 1) == (
            by_id.at[second, "staff_id"], by_id.at[second, "room_id"], int(by_id.at[second, "period"]))
        both = members.get(first, set()) & members.get(second, set()) if intact else set()
        lost += [(s, d.course_id, p) for s, p in d.priority.items() if s not in both]
        if both:
            rows.append({"section_id": d.section_id, "course_id": d.course_id, "staff_id": by_id.at[first, "staff_id"],
                         "room_id": by_id.at[first, "room_id"], "period": int(by_id.at[first, "period"])})
            seats += [(s, d.section_id) for s in sorted(both)]
    real = ~sections["section_id"].str.startswith(HOLD)
    sections = pd.concat([sections[real], pd.DataFrame(rows, columns=sections.columns)], ignore_index=True)
    enroll = pd.concat([enroll[~enroll["section_id"].str.startswith(HOLD)],
                        pd.DataFrame(seats, columns=["student_id", "section_id"])], ignore_index=True)
    sections = sections.sort_values("section_id").reset_index(drop=True)
    sections["period"] = sections["period"].astype(int)
    enroll = enroll.sort_values(["student_id", "section_id"]).reset_index(drop=True)
    unplaced = reasons
    seated = {(s, d.course_id) for d in holds.doubles for s in d.priority}
    labs = pd.DataFrame([(s, c, p, LAB_SPLIT if (s, c) in seated else LAB_FULL) for s, c, p in lost if p <= 2],
                        columns=["student_id", "course_id", "priority", "reason"])
    unplaced = pd.concat([unplaced, labs], ignore_index=True) if len(labs) else unplaced.reset_index(drop=True)
    stats = {**plan.stats, **placement_metrics(scenario, sections, enroll),
             "holds": {"double_sections": len(rows), "double_requests_lost": len(labs),
                       "lunch_courses": sum(1 for c in holds.courses if c["subject"] == LUNCH_STAFF),
                       "moved_for_lunch_seats": moved}}
    return replace(plan, sections=sections, enrollments=enroll, stats=stats,
                   extra={**plan.extra, "unplaced_requests": unplaced.reset_index(drop=True)})


def _reasons(long_scenario: Scenario, sections: pd.DataFrame, enroll: pd.DataFrame, holds: Holds) -> pd.DataFrame:
    """unplaced_requests of the long day in a leader's words: a hold's requests left out of the counts (no
    'requested 9 required courses' for a student's lunches), a lunch section named 'lunch' and a double's half
    by its course."""
    from workbench.plan.schedule import unplaced_requests

    plain = long_scenario.copy()
    plain.requests = plain.requests[~plain.requests["course_id"].astype(str).str.startswith(HOLD)]
    out = unplaced_requests(plain, sections, enroll)
    names = {half: d.course_id for d in holds.doubles for half in d.halves}
    names.update({c["course_id"]: "lunch" for c in holds.courses if c["subject"] == LUNCH_STAFF})
    for hold, name in sorted(names.items(), key=lambda kv: -len(kv[0])):
        out["reason"] = out["reason"].astype(str).str.replace(hold, name, regex=False)
    return out
