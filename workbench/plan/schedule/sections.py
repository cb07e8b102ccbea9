"""Step 1 of the schedule: how many sections each course runs, and who teaches them.

Named pre-checks (`teacher_supply_per_subject`, `room_supply_per_type`, `pins_consistent`) run first, so that
a design that cannot work is explained in a school leader's words before any solver starts. A course runs
enough sections for every student who requested it (required and elective); when teachers run short the
elective share is cut first, and only a shortfall for *required* students makes a design infeasible.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass

import pandas as pd
import pulp

from workbench.errors import InfeasibleDesign
from workbench.plan.goal_meaning import led_staff, teacher_meets
from workbench.plan.schedule.common import request_table
from workbench.plan.solver import INFEASIBLE, require_design, run_solver
from workbench.scenario.model import Scenario
from workbench.scenario.schema import split_list
from workbench.scenario.summary import pinned_clashes


@dataclass
class Catalog:
    """Everything later steps need about courses, teachers and rooms, computed once."""

    courses: pd.DataFrame      # indexed by course_id: name, subject, max_size, room_type, cap, d1, d2, d3,
    #                            need (sections for required students), want (for all students), pins
    teachers: pd.DataFrame     # indexed by staff_id: subjects (set), available (list of periods), capacity, role,
    #                            effectiveness, led (bool: counts for a `leader` target, `goal_meaning.led_staff`)
    rooms: pd.DataFrame        # room_id, capacity, room_type
    periods: list[int]         # teaching periods


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or str(value).strip() == "" \
        or value is pd.NA


def _course_label(row) -> str:
    name = str(row["name"]).strip() if not _is_blank(row.get("name")) else ""
    return f"{name} ({row.name})" if name and name != row.name else str(row.name)


def _list_people(ids: list[str]) -> str:
    if not ids:
        return "nobody"
    if len(ids) == 1:
        return ids[0]
    return ", ".join(ids[:-1]) + " and " + ids[-1]


def build_catalog(scenario: Scenario, staffing: pd.DataFrame) -> Catalog:
    """Course demand and capacity, teachers' free periods, rooms: the facts every pre-check reads."""
    periods = scenario.teaching_periods
    rooms = scenario.rooms[["room_id", "capacity"]].copy()
    rooms["room_id"] = rooms["room_id"].astype(str)
    rooms["capacity"] = rooms["capacity"].astype(int)
    rooms["room_type"] = [("" if _is_blank(v) else str(v)) for v in
                          scenario.rooms.get("room_type", pd.Series([""] * len(rooms)))]

    courses = scenario.courses.copy()
    courses["course_id"] = courses["course_id"].astype(str)
    courses = courses.set_index("course_id")
    courses["room_type"] = [("" if _is_blank(v) else str(v)) for v in courses.get("room_type", "")]
    courses["subject"] = courses["subject"].astype(str)
    caps = []
    for _cid, row in courses.iterrows():
        fit = rooms if not row["room_type"] else rooms[rooms["room_type"] == row["room_type"]]
        caps.append(min(int(row["max_size"]), int(fit["capacity"].max())) if len(fit) else 0)
    courses["cap"] = caps
    req = request_table(scenario)
    counts = req.groupby(["course_id", "priority"]).size().unstack(fill_value=0)
    for prio in (1, 2, 3):
        courses[f"d{prio}"] = counts[prio].reindex(courses.index, fill_value=0).astype(int) \
            if prio in counts.columns else 0
    pins = scenario.pins.copy()
    pin_count = pins["course_id"].astype(str).value_counts() if len(pins) else pd.Series(dtype=int)
    courses["pins"] = pin_count.reindex(courses.index, fill_value=0).astype(int)
    safe_cap = courses["cap"].clip(lower=1)
    courses["need"] = [math.ceil(d / c) for d, c in zip(courses["d1"], safe_cap, strict=True)]
    want = [math.ceil((d1 + d2) / c) for d1, d2, c in zip(courses["d1"], courses["d2"], safe_cap, strict=True)]
    # A course only alternates ask for still gets one section: it is where unplaced electives go.
    courses["want"] = [max(w, 1 if d3 else 0, p) for w, d3, p in zip(want, courses["d3"], courses["pins"],
                                                                      strict=True)]
    courses["need"] = courses[["need", "pins"]].max(axis=1)
    # Courses pinned to one period that students need together: one more section of either may open
    # where a teacher is free (the teacher MIP decides which, the period MIP where), so the pins are kept
    # and the students still get both.
    clash = pinned_clashes(scenario)
    together = pd.concat([clash[["course_a", "students"]].rename(columns={"course_a": "course_id"}),
                          clash[["course_b", "students"]].rename(columns={"course_b": "course_id"})])
    courses["clash_students"] = together.groupby("course_id")["students"].sum().reindex(
        courses.index, fill_value=0).astype(int)

    reach = staffing["reach"] if "reach" in staffing else pd.Series(0, index=staffing.index)
    led = led_staff(staffing["staff_id"].astype(str), reach, staffing.get("leader_id"))
    teach = staffing[staffing["teaches_sections"].astype(int) == 1].copy()
    rows = []
    for row in teach.itertuples():
        blocked = {int(float(p)) for p in split_list(row.unavailable_periods)}
        free = [p for p in periods if p not in blocked]
        eff = float(row.effectiveness) if not _is_blank(row.effectiveness) else float("nan")
        rows.append({"staff_id": str(row.staff_id), "subjects": frozenset(split_list(row.subjects)),
                     "available": free, "blocked": sorted(blocked),
                     "capacity": max(0, min(int(row.max_sections), len(free))),
                     "max_sections": int(row.max_sections), "effectiveness": eff,
                     "led": bool(led[row.Index]), "role": str(row.role)})
    teachers = pd.DataFrame(rows, columns=["staff_id", "subjects", "available", "blocked", "capacity",
                                           "max_sections", "effectiveness", "led", "role"]).set_index("staff_id")
    return Catalog(courses, teachers, rooms, periods)


def qualified(catalog: Catalog, subject: str) -> list[str]:
    return [t for t, subs in catalog.teachers["subjects"].items() if subject in subs]


# ---- named pre-checks --------------------------------------------------------------------------------------
def teacher_supply_per_subject(catalog: Catalog) -> list[str]:
    """Every course's required sections can be taught by teachers certified in its subject, in their free
    periods and within their section limits. Each sentence leads with the rules that bind (`staffing_clash`)."""
    return [sentence for _, sentence in _shortages_per_subject(catalog)]


def _shortages_per_subject(catalog: Catalog) -> list[tuple[list[str], str]]:
    """(rule IDs, sentence) for each course, and each subject of several courses, its certified teachers
    cannot cover."""
    out = []
    courses, teachers = catalog.courses, catalog.teachers
    for _cid, row in courses[courses["need"] > 0].iterrows():
        who = qualified(catalog, row["subject"])
        free = int(teachers.loc[who, "capacity"].sum()) if who else 0
        if free < row["need"]:
            if not who:
                out.append((["7"], f"Rule 7: no teacher is certified in {row['subject']}. {_course_label(row)} "
                                   f"needs {row['need']} section(s) for the {row['d1']} students who require it."))
                continue
            rules, lead = staffing_clash(catalog, who, {row.name: int(row["need"])})
            detail = _teacher_detail(catalog, who)
            out.append((rules, f"{lead} {_course_label(row)} needs {row['need']} section(s) for the {row['d1']} "
                               f"students who require it, but its {len(who)} certified {row['subject']} "
                               f"teacher(s), {_list_people(who)}, have only {free} free teaching period(s) between "
                               f"them ({detail})."))
    for subject, group in courses[courses["need"] > 0].groupby("subject"):
        who = qualified(catalog, subject)
        free = int(teachers.loc[who, "capacity"].sum()) if who else 0
        need = int(group["need"].sum())
        if len(group) > 1 and who and free < need:
            rules, lead = staffing_clash(catalog, who, group["need"].astype(int).to_dict())
            out.append((rules, f"{lead} The {subject} courses ({', '.join(group.index)}) need {need} sections for "
                               f"required students, but the certified {subject} teachers ({_list_people(who)}) can "
                               f"teach only {free} between them."))
    return out


def _rule_words(ids: list[str]) -> str:
    words = [f"rule {i}" for i in ids]
    text = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return text[0].upper() + text[1:]


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def staffing_clash(catalog: Catalog, people: list[str], courses: dict[str, int],
                   pinned: dict[str, int] | None = None) -> tuple[list[str], str]:
    """Why `people`, the only teachers certified for `courses` (course_id -> required sections still to
    staff), cannot teach them, led by the IDs of the hard rules that bind (workbench.plan.rules): rule 7
    always (only they hold the subjects, each within the sections they may teach), rule 6 when a teacher's
    unavailable periods leave them fewer free periods than sections they may teach, rule 8 when pins.csv
    already gives them sections (`pinned`: teacher -> sections). Returns (rule IDs, sentence), e.g.
    (["6", "7"], "Rule 6 and rule 7: T2 is free in 1 teaching period but must teach MATH6 and SCI6.")."""
    teachers = catalog.teachers
    pinned = {t: n for t, n in (pinned or {}).items() if t in people and n > 0}
    rules = {"7"}
    phrases = []
    for t in people:
        free, most = len(teachers.at[t, "available"]), int(teachers.at[t, "max_sections"])
        if free < most:
            rules.add("6")
            phrase = f"{t} is free in {_count(free, 'teaching period')}"
        else:
            phrase = f"{t} may teach {_count(most, 'section')}"
        if pinned.get(t):
            rules.add("8")
            phrase += f" and is pinned to {_count(pinned[t], 'section')} already"
        phrases.append(phrase)
    work = [c if n == 1 else f"{n} sections of {c}" for c, n in sorted(courses.items())]
    work_text = _list_people(work)
    if len(people) == 1:
        sentence = f"{phrases[0]}{',' if pinned else ''} but must {'also ' if pinned else ''}teach {work_text}."
    else:
        sentence = (f"{_list_people(phrases)}, but between them they must {'also ' if pinned else ''}teach "
                    f"{work_text}.")
    ids = [i for i in ("6", "7", "8") if i in rules]
    return ids, f"{_rule_words(ids)}: {sentence}"


def _teacher_detail(catalog: Catalog, who: list[str]) -> str:
    """Each teacher's free teaching periods and why they are limited, for an explanation."""
    teachers = catalog.teachers
    return "; ".join(
        f"{t} can teach {teachers.at[t, 'capacity']} (max {teachers.at[t, 'max_sections']} sections, "
        + (f"unavailable in period{'s' if len(teachers.at[t, 'blocked']) > 1 else ''} "
           f"{', '.join(map(str, teachers.at[t, 'blocked']))})" if teachers.at[t, "blocked"]
           else "no unavailable periods)")
        for t in who)


W_REQUIRED_SECTION = 10.0   # teacher MIP: a student's clash resolved by one more section, against a seat's value
MAX_SUBJECT_SETS = 4096   # subject combinations tried by the cross-subject pre-check (the MIP decides beyond)


def teacher_supply_across_subjects(catalog: Catalog) -> list[str]:
    """Courses of several subjects that share their only teachers fit in those teachers' free periods: for
    every set of subjects, the required sections are no more than the free teaching periods of all the
    teachers certified in any of them (Hall's condition; one subject alone is `teacher_supply_per_subject`).
    A teacher of math and science who is free in one period cannot take a required math and a required
    science section. Only the smallest clashing sets are reported, each led by the rules that bind."""
    return [sentence for _, sentence in _shortages_across_subjects(catalog)]


def _shortages_across_subjects(catalog: Catalog, pinned: dict[str, int] | None = None,
                               staffed: dict[str, int] | None = None) -> list[tuple[list[str], str]]:
    """(rule IDs, sentence) per smallest set of subjects whose required sections exceed what their certified
    teachers can teach. `pinned` (teacher -> sections pins.csv gives them) and `staffed` (course -> pinned
    sections that already have their teacher) take those sections out of both sides, as the teacher MIP
    does; sets of one subject are included then."""
    pinned, staffed = pinned or {}, staffed or {}
    courses = catalog.courses[catalog.courses["need"] > 0]
    left = {c: max(0, int(n) - staffed.get(c, 0)) for c, n in courses["need"].items()}
    need = courses.assign(left=pd.Series(left)).groupby("subject")["left"].sum().astype(int).to_dict()
    who = {subject: set(qualified(catalog, subject)) for subject in need}
    capacity = {t: max(0, int(c) - pinned.get(t, 0)) for t, c in catalog.teachers["capacity"].items()}
    subjects = sorted(s for s in need if who[s])
    after_pins = " left once the sections pins.csv gives them are taken" if pinned else ""
    out, clashes = [], []
    for size in range(1 if pinned else 2, len(subjects) + 1):
        combos = list(itertools.islice(itertools.combinations(subjects, size), MAX_SUBJECT_SETS))
        for combo in combos:
            if any(set(c) <= set(combo) for c in clashes):
                continue
            people = sorted(set().union(*(who[s] for s in combo)))
            wanted = sum(need[s] for s in combo)
            free = sum(capacity[t] for t in people)
            if wanted > free:
                clashes.append(combo)
                mine = courses[courses["subject"].isin(combo)]
                labels = ", ".join(_course_label(row) for _, row in mine.iterrows())
                rules, lead = staffing_clash(catalog, people, {c: left[c] for c in mine.index if left[c] > 0},
                                             pinned)
                out.append((rules, f"{lead} {labels} need {wanted} required section(s) between them, but the only "
                                   f"teachers certified in {' or '.join(combo)}, {_list_people(people)}, have only "
                                   f"{free} free teaching period(s){after_pins} ({_teacher_detail(catalog, people)})."))
        if len(combos) >= MAX_SUBJECT_SETS:
            break
    return out


def room_supply_per_type(catalog: Catalog) -> list[str]:
    """Every required section has a room of the right type in some teaching period."""
    reasons = []
    courses, rooms, n_periods = catalog.courses, catalog.rooms, len(catalog.periods)
    for _cid, row in courses[(courses["need"] > 0) & (courses["cap"] == 0)].iterrows():
        reasons.append(f"{_course_label(row)} must meet in a room of type '{row['room_type']}', "
                       f"but the school has no such room.")
    for rtype, group in courses[courses["need"] > 0].groupby("room_type"):
        n_rooms = len(rooms) if rtype == "" else int((rooms["room_type"] == rtype).sum())
        need = int(group["need"].sum()) if rtype else int(courses["need"].sum())
        if n_rooms and need > n_rooms * n_periods:
            kind = f"{rtype} room(s)" if rtype else "rooms"
            reasons.append(f"{need} sections need {kind}, but {n_rooms} {kind} over {n_periods} teaching "
                           f"periods give only {n_rooms * n_periods} room-periods.")
    return reasons


def pins_consistent(scenario: Scenario, catalog: Catalog) -> list[str]:
    """Each pin in pins.csv names a real course, a certified free teacher, a teaching period and a fitting
    room, and no two pins put one teacher or one room in the same period."""
    pins = scenario.pins
    if pins is None or pins.empty:
        return []
    reasons = []
    courses, teachers, rooms = catalog.courses, catalog.teachers, catalog.rooms.set_index("room_id")
    seen_staff, seen_room = {}, {}
    for i, pin in enumerate(pins.itertuples(), start=2):
        cid = str(pin.course_id)
        where = f"pins.csv line {i}"
        if cid not in courses.index:
            reasons.append(f"{where} pins course {cid}, which is not in courses.csv.")
            continue
        course = courses.loc[cid]
        staff = None if _is_blank(getattr(pin, "staff_id", None)) else str(pin.staff_id)
        period = None if _is_blank(getattr(pin, "period", None)) else int(pin.period)
        room = None if _is_blank(getattr(pin, "room_id", None)) else str(pin.room_id)
        if period is not None and period not in catalog.periods:
            reasons.append(f"{where} pins {_course_label(course)} to period {period}, which is not a teaching "
                           f"period (teaching periods: {', '.join(map(str, catalog.periods))}).")
        if staff is not None:
            if staff not in teachers.index:
                reasons.append(f"{where} pins {_course_label(course)} to {staff}, who is not a staff member "
                               f"whose role teaches sections.")
            else:
                if course["subject"] not in teachers.at[staff, "subjects"]:
                    reasons.append(f"{where} pins {_course_label(course)} to {staff}, who is not certified in "
                                   f"{course['subject']}.")
                if period is not None and period in teachers.at[staff, "blocked"]:
                    reasons.append(f"{where} pins {_course_label(course)} to {staff} in period {period}, when "
                                   f"{staff} is unavailable.")
                if period is not None:
                    other = seen_staff.setdefault((staff, period), cid)
                    if other is not cid:
                        reasons.append(f"{where} pins {staff} to teach both {other} and {cid} in period {period}.")
        if room is not None:
            if room not in rooms.index:
                reasons.append(f"{where} pins {_course_label(course)} to room {room}, which is not in rooms.csv.")
            else:
                if course["room_type"] and rooms.at[room, "room_type"] != course["room_type"]:
                    reasons.append(f"{where} pins {_course_label(course)} to room {room}, which is not a "
                                   f"{course['room_type']} room.")
                if period is not None:
                    other = seen_room.setdefault((room, period), cid)
                    if other is not cid:
                        reasons.append(f"{where} pins room {room} for both {other} and {cid} in period {period}.")
    if "staff_id" in pins.columns:
        per_staff = pins["staff_id"].dropna().astype(str)
        per_staff = per_staff[per_staff.str.strip() != ""].value_counts()
        for staff, n in per_staff.items():
            if staff in teachers.index and n > teachers.at[staff, "capacity"]:
                reasons.append(f"pins.csv gives {staff} {n} sections, but {staff} can teach only "
                               f"{teachers.at[staff, 'capacity']}.")
    return reasons


def run_prechecks(scenario: Scenario, catalog: Catalog) -> None:
    """Raise InfeasibleDesign naming every clash found by the rule families above, led by the sentence of
    each hard rule involved (workbench.plan.rules) and carrying their IDs. A teacher shortage names the rules
    that bind in it (`staffing_clash`: availability is rule 6 only when it is what limits the teacher)."""
    from workbench.plan import rules

    staffing = _shortages_per_subject(catalog) + _shortages_across_subjects(catalog)
    found = {rules.PRECHECK_PINS: pins_consistent(scenario, catalog),
             rules.PRECHECK_TEACHERS: [sentence for _, sentence in staffing],
             rules.PRECHECK_ROOMS: room_supply_per_type(catalog)}
    clashing = [family for family, reasons in found.items() if reasons]
    if clashing:
        details = [reason for reasons in found.values() for reason in reasons]
        ids = {r.id for r in rules.rules_of(f for f in clashing if f != rules.PRECHECK_TEACHERS)}
        if staffing:
            ids |= {"sections"} | {i for binding, _ in staffing for i in binding}
        involved = [r for r in rules.RULES.values() if r.id in ids]
        raise InfeasibleDesign(rules.explain_clash(involved, details), phase="schedule", rules=[r.id for r in involved])


# ---- teacher assignment ------------------------------------------------------------------------------------
def _strong_for(catalog: Catalog, goals: pd.DataFrame) -> dict[str, set[str]]:
    """course_id -> teachers who would meet the strong_teacher goals of students requesting the course."""
    out: dict[str, set[str]] = {}
    if goals is None or goals.empty:
        return out
    teachers = catalog.teachers
    for goal in goals.itertuples():
        ok = {t for t in teachers.index
              if teacher_meets(teachers.at[t, "effectiveness"], teachers.at[t, "led"], goal.target)}
        for cid in goal.courses:
            out.setdefault(cid, set()).update(ok)
    return out


def _goal_students_per_course(goals: pd.DataFrame | None) -> dict[str, int]:
    out: dict[str, int] = {}
    if goals is None or goals.empty:
        return out
    for g in goals.itertuples():
        for cid in g.courses:
            out[cid] = out.get(cid, 0) + 1
    return out


def _small_class_sections(courses: pd.DataFrame, size_goals: pd.DataFrame | None) -> dict[str, int]:
    """course_id -> extra sections (0-2) that would give the seats a small class of the goal's target takes
    from the other sections: (cap - target) seats per small section, one small section per `target` goal
    students."""
    out: dict[str, int] = {}
    if size_goals is None or size_goals.empty:
        return out
    per: dict[str, list[int]] = {}
    for g in size_goals.itertuples():
        for cid in g.courses:
            per.setdefault(cid, []).append(int(g.target))
    for cid, targets in per.items():
        if cid not in courses.index or courses.at[cid, "want"] <= 0:
            continue
        cap, want = int(courses.at[cid, "cap"]), int(courses.at[cid, "want"])
        target = min(targets)
        if target >= cap:
            continue
        demand = int(courses.at[cid, "d1"] + courses.at[cid, "d2"])
        small = math.ceil(len(targets) / max(1, target))
        seats = demand + small * (cap - target)
        out[cid] = max(0, min(2, math.ceil(seats / max(1, cap)) - want))
    return out


def assign_teachers(scenario: Scenario, catalog: Catalog, strong_goals: pd.DataFrame,
                    time_limit_s: float, size_goals: pd.DataFrame | None = None) -> pd.DataFrame:
    """How many sections of each course each teacher takes: a small integer program.

    Required sections must all be staffed (they passed the pre-checks); elective sections are added as far
    as teachers' free periods allow; teachers who would meet students' strong_teacher goals get as many
    sections of those courses as there are goal students (when a choice is free), and a course whose students
    ask for small classes (max_class_size) may run up to two extra sections a spare teacher can take, so
    that the goal pass has seats to make a small (inclusion) section without squeezing anyone out.
    Returns one row a section: course_id, staff_id (blank when a
    pin leaves it to us... never: every section gets a teacher), pinned fields.
    """
    t0 = time.perf_counter()
    courses, teachers = catalog.courses, catalog.teachers
    pins = scenario.pins if scenario.pins is not None else pd.DataFrame(columns=["course_id"])
    fixed_load = {}
    for pin in pins.itertuples():
        staff = getattr(pin, "staff_id", None)
        if not _is_blank(staff):
            key = (str(pin.course_id), str(staff))
            fixed_load[key] = fixed_load.get(key, 0) + 1
    used = pd.Series(0, index=teachers.index, dtype=int)
    for (_, staff), n in fixed_load.items():
        used[staff] += n
    fixed_per_course = pd.Series(0, index=courses.index, dtype=int)
    for (cid, _), n in fixed_load.items():
        fixed_per_course[cid] += n

    prob = pulp.LpProblem("teacher_assignment", pulp.LpMaximize)
    n = {}
    for cid, row in courses[courses["want"] > 0].iterrows():
        for t in qualified(catalog, row["subject"]):
            n[cid, t] = pulp.LpVariable(f"n_{len(n)}", 0, int(row["want"]) + 2, cat="Integer")
    by_course: dict[str, list] = {}
    by_teacher: dict[str, list] = {}
    for (cid, t), var in n.items():
        by_course.setdefault(cid, []).append(var)
        by_teacher.setdefault(t, []).append(var)
    small_extra = _small_class_sections(courses, size_goals)
    value = {cid: (row["d1"] + row["d2"] + 0.3 * row["d3"]) / max(1, row["want"]) for cid, row in courses.iterrows()}
    adjust = []
    unpin: dict[str, pulp.LpVariable] = {}
    for cid, row in courses[courses["want"] > 0].iterrows():
        total = pulp.lpSum(by_course.get(cid, [])) + int(fixed_per_course[cid])
        prob += total >= int(row["need"]), f"required_sections_{cid}"
        extra = []
        if small_extra.get(cid, 0) > 0:
            # an extra section for small classes seats no one new: its section value is taken back but one
            # point, so it loses to any elective section a teacher could teach instead
            more = pulp.LpVariable(f"small_extra_{cid}", 0, small_extra[cid], cat="Integer")
            extra.append(more)
            adjust.append(pulp.LpAffineExpression({more: -(value[cid] - 1.0)}))
        if row["clash_students"] > 0:
            # one more section of a course pinned where its students have another pinned course; it costs a
            # little more than the seats it adds, and pays only through the clash it resolves (below)
            unpin[cid] = pulp.LpVariable(f"unpin_extra_{cid}", 0, 1, cat="Integer")
            extra.append(unpin[cid])
            adjust.append(pulp.LpAffineExpression({unpin[cid]: -(value[cid] + 1.0)}))
        prob += total <= int(row["want"]) + pulp.lpSum(extra), f"wanted_sections_{cid}"
    for pair in pinned_clashes(scenario).itertuples():
        # a clash is resolved by one more section of either course: worth a required seat per student
        if pair.course_a in unpin or pair.course_b in unpin:
            resolved = pulp.LpVariable(f"clash_resolved_{pair.Index}", 0, 1)
            prob += resolved <= pulp.lpSum(unpin[c] for c in (pair.course_a, pair.course_b) if c in unpin)
            adjust.append(pulp.LpAffineExpression({resolved: W_REQUIRED_SECTION * int(pair.students)}))
    for t, vars_ in by_teacher.items():
        prob += pulp.lpSum(vars_) <= int(teachers.at[t, "capacity"]) - int(used[t]), f"teacher_load_{t}"
    strong = _strong_for(catalog, strong_goals)
    bonus = []
    wanting = _goal_students_per_course(strong_goals)
    for cid, ok in strong.items():
        cands = [n[cid, t] for t in ok if (cid, t) in n]
        if cands:
            # one strong section per goal student at most (they sit in different periods): the courses with
            # the most strong_teacher students get the strong teachers
            most = max(1, min(int(courses.at[cid, "want"]), wanting.get(cid, 1)))
            s = pulp.LpVariable(f"strong_{cid}", 0, most, cat="Integer")
            prob += s <= pulp.lpSum(cands)
            bonus.append(s)
    # Value an elective section by the students it seats; spread load so no teacher is squeezed.
    prob += (pulp.lpSum(value[cid] * var for (cid, _), var in n.items()) + 5 * pulp.lpSum(bonus)
             + pulp.lpSum(adjust)
             - 0.01 * pulp.lpSum(var * (i % 7) for i, var in enumerate(n.values())))
    step = "schedule: giving each section a teacher"
    outcome = run_solver(prob, scenario.settings.solver, step=step, time_limit_s=time_limit_s,
                         build_s=time.perf_counter() - t0)
    if require_design(outcome, step, time_limit_s).status == INFEASIBLE:
        raise _unstaffable(catalog, used.to_dict(), fixed_per_course.to_dict())
    rows = []
    for pin in pins.itertuples():
        rows.append({"course_id": str(pin.course_id),
                     "staff_id": None if _is_blank(getattr(pin, "staff_id", None)) else str(pin.staff_id),
                     "pin_section": None if _is_blank(getattr(pin, "section_id", None)) else str(pin.section_id),
                     "pin_period": None if _is_blank(getattr(pin, "period", None)) else int(pin.period),
                     "pin_room": None if _is_blank(getattr(pin, "room_id", None)) else str(pin.room_id)})
    # Pins without a teacher take one of the course's assigned teachers.
    assigned = {key: int(round(var.value() or 0)) for key, var in n.items()}
    for row in rows:
        if row["staff_id"] is None:
            for (cid, t), k in sorted(assigned.items(), key=lambda kv: -kv[1]):
                if cid == row["course_id"] and k > 0:
                    row["staff_id"] = t
                    assigned[cid, t] -= 1
                    break
    for (cid, t), k in sorted(assigned.items()):
        rows.extend({"course_id": cid, "staff_id": t, "pin_section": None, "pin_period": None,
                     "pin_room": None} for _ in range(k))
    return finish_plan(rows)


def finish_plan(rows: list[dict]) -> pd.DataFrame:
    """One row a section (course_id, staff_id, pin_*, section_id); blanks kept as None, not NaN, so that
    `is None` means "not pinned" whatever pandas' string dtype does."""
    rows = [r for r in rows if r["staff_id"] is not None]
    plan = pd.DataFrame({
        "course_id": pd.Series([r["course_id"] for r in rows], dtype=object),
        "staff_id": pd.Series([r["staff_id"] for r in rows], dtype=object),
        "pin_section": pd.Series([r["pin_section"] for r in rows], dtype=object),
        "pin_period": pd.Series([r["pin_period"] for r in rows], dtype=object),
        "pin_room": pd.Series([r["pin_room"] for r in rows], dtype=object),
    })
    plan["section_id"] = pd.Series(_section_ids(plan), dtype=object)
    return plan


def _unstaffable(catalog: Catalog, pinned: dict[str, int], staffed: dict[str, int]) -> InfeasibleDesign:
    """The teacher MIP found no plan although the pre-checks passed: pins.csv gave teachers sections, so
    fewer are left for the courses only they hold (or more subjects share teachers than the pre-check
    tries). The smallest sets of subjects that cannot be staffed once the pins are taken out, each led by
    the rules that bind, with the registry's sentences of those rules."""
    from workbench.plan import rules

    found = _shortages_across_subjects(catalog, {t: n for t, n in pinned.items() if n},
                                       {c: n for c, n in staffed.items() if n})
    details = [sentence for _, sentence in found] or [
        "The required sections cannot all be given a teacher: teachers certified in several subjects are needed "
        "in more than one at once. " + _shortage_sentence(catalog)]
    ids = {"sections", "7"} | {i for binding, _ in found for i in binding}
    involved = [r for r in rules.RULES.values() if r.id in ids]
    return InfeasibleDesign(rules.explain_clash(involved, details), phase="schedule",
                            rules=[r.id for r in involved])


def _shortage_sentence(catalog: Catalog) -> str:
    courses = catalog.courses
    parts = []
    for subject, group in courses[courses["need"] > 0].groupby("subject"):
        who = qualified(catalog, subject)
        parts.append(f"{subject}: {int(group['need'].sum())} required sections, {len(who)} certified teacher(s) "
                     f"({_list_people(who)})")
    return "Required sections by subject — " + "; ".join(parts) + "."


def _section_ids(plan: pd.DataFrame) -> list[str]:
    """Readable, stable IDs like ALG1-03; pinned IDs kept exactly and never reused."""
    taken = {s for s in plan["pin_section"] if s}
    counters: dict[str, int] = {}
    out = []
    for row in plan.itertuples():
        if row.pin_section:
            out.append(row.pin_section)
            continue
        k = counters.get(row.course_id, 0)
        while True:
            k += 1
            sid = f"{row.course_id}-{k:02d}"
            if sid not in taken:
                break
        counters[row.course_id] = k
        taken.add(sid)
        out.append(sid)
    return out
