"""The independent checker: every hard rule of SPEC §2 (and §4's calendar rules) re-verified on any result.

Why independent: a solver's own claims are not evidence. This module reads only the scenario, the result
tables, the funding formula, the roles catalogue and the time model (workbench.scenario.calendar, which
says which slots a section holds and decides nothing); it shares no code with the planning steps, so a bug
in a planner cannot hide itself here. Rules 1, 2, 3, 6 and 9 are judged slot by slot (term, day, period);
in a plain week (one term, every day) a breach reads as before: once, for its period. Everything is
vectorised (merges and group-bys), so an 1,800-student result checks in well under a second.

Each breach is one line a school leader can act on, naming the rule and the offending IDs, e.g.
`rule 1 (a teacher in two places at once): T07 teaches SEC-ALG1-2 and SEC-GEO-1 in period 3`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from workbench.errors import debug_requested
from workbench.plan.result import OPTIONAL_RESULT_COLUMNS, RESULT_TABLES, Result
from workbench.plan.rules import RULES
from workbench.results.team_time import team_time_short
from workbench.scenario.calendar import (
    EVERY_DAY,
    ONE_DAY_TYPE,
    TERM,
    Calendar,
    calendar_of,
    course_timing,
    meetings,
    session_slots,
)
from workbench.scenario.funding import total_revenue
from workbench.scenario.model import Scenario
from workbench.scenario.schema import split_list
from workbench.scenario.staff_table import role_table

RULE_NAMES: dict[int | str, str] = {int(r.id) if r.id.isdigit() else r.id: r.name
                                    for r in RULES.values() if r.id != "sections"}
CENT = 0.011     # per-row money tolerance: amounts are rounded to cents
DOLLAR = 1.0     # SPEC: totals agree within $1


@dataclass(frozen=True)
class Breach:
    """One broken rule. `rule` is 1-14, "structure" (a dangling or missing ID) or "goal"."""

    rule: int | str
    name: str
    message: str

    def __str__(self) -> str:
        if self.rule == "goal":
            return f"goal: {self.message}"
        label = f"rule {self.rule}" if isinstance(self.rule, int) else str(self.rule)
        return f"{label} ({self.name}): {self.message}"


class _Found(list):
    """Collects breaches; `add(rule, messages)` takes one message or many."""

    def add(self, rule: int | str, messages: str | Iterable[str]) -> None:
        for message in [messages] if isinstance(messages, str) else messages:
            self.append(Breach(rule, RULE_NAMES[rule], message))


# ---- normalising the tables ------------------------------------------------------------------------------

def _ids(frame: pd.DataFrame, columns: Iterable[str], table: str | None = None) -> pd.DataFrame:
    """IDs as stripped strings, blanks as "" (a result built in memory may hold NaN or numbers)."""
    out = frame.copy()
    if table is not None:   # only the SPEC's columns: a planner's extra columns must not change the verdict
        optional = [c for c in OPTIONAL_RESULT_COLUMNS.get(table, []) if c in out.columns]
        out = out.reindex(columns=RESULT_TABLES[table] + optional)
    for column in columns:
        if column not in out.columns:
            out[column] = ""
        col = out[column]
        out[column] = col.astype(str).str.strip().mask(col.isna(), "")
    return out


def _ints(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype("Int64")


def _floats(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype(float)


def _join(values: Iterable) -> str:
    return " and ".join(str(v) for v in values)


def _explode_list(frame: pd.DataFrame, key: str, column: str) -> pd.DataFrame:
    """(key, ";"-list) -> one row per (key, item)."""
    items = frame[[key]].assign(item=frame[column].map(split_list)).explode("item")
    return items.dropna(subset=["item"]).rename(columns={"item": column})


@dataclass
class _Tables:
    """The result's tables, typed once, plus the per-staff facts every rule reads."""

    sections: pd.DataFrame
    enrollments: pd.DataFrame
    groups: pd.DataFrame
    sessions: pd.DataFrame
    members: pd.DataFrame
    staffing: pd.DataFrame
    supports: pd.DataFrame
    budget: pd.DataFrame
    people: pd.DataFrame        # one row per staffing.csv staff_id: role facts, subjects, max_sections
    roles: pd.DataFrame
    calendar: Calendar
    meets: pd.DataFrame         # every slot each section holds: section_id, term, day, period, start, staff, room
    session_slots: pd.DataFrame  # group sessions, one row per term each runs in, with the group's staff_id


def _prepare(scenario: Scenario, result: Result) -> _Tables:
    optional = [c for c in ("co_staff_id",) if c in result.sections.columns]   # blank cells read back as NaN
    sections = _ids(result.sections, ["section_id", "course_id", "staff_id", "room_id", *optional], "sections")
    sections["period"] = _ints(sections["period"])
    enrollments = _ids(result.enrollments, ["student_id", "section_id"], "enrollments")
    groups = _ids(result.groups, ["group_id", "staff_id", "subject"], "groups")
    sessions = _ids(result.group_sessions, ["group_id"], "group_sessions")
    calendar = calendar_of(scenario)
    meets = meetings(sections, calendar, scenario.courses).merge(
        sections.drop_duplicates("section_id")[["section_id", "course_id", "staff_id", "room_id"]], on="section_id")
    for column in ("day", "period", "minutes"):
        sessions[column] = _ints(sessions[column])
    members = _ids(result.group_members, ["group_id", "student_id"], "group_members")
    # Only the SPEC columns count: a planning step's extra columns (fte, max_sections...) are not evidence.
    spec_columns = [c for c in RESULT_TABLES["staffing"] if c in result.staffing.columns]
    staffing = _ids(result.staffing[spec_columns], ["staff_id", "role", "leader_id", "subjects"], "staffing")
    staffing["new_hire"] = _ints(staffing["new_hire"]).fillna(0).astype(int)
    staffing["annual_cost"] = _floats(staffing["annual_cost"])
    staffing["effectiveness"] = _floats(staffing["effectiveness"])
    supports = _ids(result.student_supports, ["student_id", "support"], "student_supports")
    supports["cost"] = _floats(supports["cost"])
    budget = _ids(result.budget, ["kind", "category", "item"], "budget")
    budget["kind"] = budget["kind"].str.lower()
    budget["amount"] = _floats(budget["amount"])

    roles = role_table(scenario)
    roles.index = roles.index.astype(str)
    staff = _ids(scenario.staff, ["staff_id", "subjects", "unavailable_periods"]).set_index("staff_id")
    people = staffing.drop_duplicates("staff_id").set_index("staff_id")
    people = people.join(roles[["annual_cost", "teaches_sections", "tutors", "max_sections", "max_group_size",
                                "reach"]].add_prefix("role_"), on="role")
    known = people.index.isin(staff.index)
    people["existing"] = known
    people["fte"] = staff["fte"].reindex(people.index).fillna(1.0).astype(float)
    staff_max = pd.to_numeric(staff["max_sections"], errors="coerce").reindex(people.index)
    people["max_sections"] = pd.concat([staff_max.fillna(people["role_max_sections"]),
                                        people["role_max_sections"]], axis=1).min(axis=1)
    own_subjects = people["subjects"].where(people["subjects"] != "", staff["subjects"].reindex(people.index))
    people["subjects"] = own_subjects.fillna("")
    people["unavailable_periods"] = staff["unavailable_periods"].reindex(people.index).fillna("")
    slots = session_slots(sessions, calendar).merge(groups[["group_id", "staff_id"]], on="group_id", how="left")
    return _Tables(sections, enrollments, groups, sessions, members, staffing, supports, budget,
                   people.reset_index(), roles, calendar, meets, slots)


# ---- structure: every ID names something that exists ----------------------------------------------------

def _dangling(found: _Found, frame: pd.DataFrame, column: str, known: Iterable, file: str, what: str,
              key: str | None = None) -> None:
    known_set = set(known)
    bad = frame[~frame[column].isin(known_set)]
    for row in bad.itertuples(index=False):
        value = getattr(row, column)
        where = f" (row for {getattr(row, key)})" if key else ""
        text = f"{file} names no {what}{where}" if value == "" else f"{file} names unknown {what} {value}{where}"
        found.add("structure", text)


def result_structure(found: _Found, scenario: Scenario, t: _Tables) -> None:
    """IDs that point nowhere, missing periods, staff missing from or repeated in staffing.csv."""
    students = set(scenario.students["student_id"].astype(str))
    courses = set(scenario.courses["course_id"].astype(str))
    rooms = set(scenario.rooms["room_id"].astype(str))
    staff_ids = set(t.staffing["staff_id"])
    section_ids = set(t.sections["section_id"])
    group_ids = set(t.groups["group_id"])

    dup = t.sections[t.sections["section_id"].duplicated()]["section_id"].unique()
    found.add("structure", (f"sections.csv lists section {s} more than once" for s in dup))
    _dangling(found, t.sections, "course_id", courses, "sections.csv", "course", "section_id")
    _dangling(found, t.sections, "staff_id", staff_ids, "sections.csv", "staff member in staffing.csv",
              "section_id")
    _dangling(found, t.sections, "room_id", rooms, "sections.csv", "room", "section_id")
    if "co_staff_id" in t.sections.columns:
        named = t.sections[t.sections["co_staff_id"] != ""]
        _dangling(found, named, "co_staff_id", staff_ids, "sections.csv", "co-teacher in staffing.csv", "section_id")
    periods = set(scenario.periods)
    bad = t.sections[~t.sections["period"].isin(periods) | t.sections["period"].isna()]
    found.add("structure", (f"section {r.section_id} has no period between 1 and {max(periods)}"
                            for r in bad.itertuples()))
    _dangling(found, t.enrollments, "student_id", students, "enrollments.csv", "student", "section_id")
    _dangling(found, t.enrollments, "section_id", section_ids, "enrollments.csv", "section", "student_id")
    dup = t.groups[t.groups["group_id"].duplicated()]["group_id"].unique()
    found.add("structure", (f"groups.csv lists group {g} more than once" for g in dup))
    _dangling(found, t.groups, "staff_id", staff_ids, "groups.csv", "staff member in staffing.csv", "group_id")
    _dangling(found, t.members, "group_id", group_ids, "group_members.csv", "group", "student_id")
    _dangling(found, t.members, "student_id", students, "group_members.csv", "student", "group_id")
    _dangling(found, t.sessions, "group_id", group_ids, "group_sessions.csv", "group")
    days = set(scenario.days)
    bad = t.sessions[~t.sessions["day"].isin(days) | ~t.sessions["period"].isin(periods)
                     | t.sessions["day"].isna() | t.sessions["period"].isna()]
    found.add("structure", (f"group {r.group_id} has a session outside the week (day {r.day}, period {r.period})"
                            for r in bad.itertuples()))
    _dangling(found, t.supports, "student_id", students, "student_supports.csv", "student", "support")
    _dangling(found, t.supports, "support", set(scenario.supports["support"].astype(str)),
              "student_supports.csv", "support", "student_id")

    existing = scenario.staff["staff_id"].astype(str)
    counts = t.staffing["staff_id"].value_counts()
    missing = existing[~existing.isin(counts.index)]
    found.add("structure", (f"staffing.csv leaves out existing staff member {s} (they are paid all the same)"
                            for s in missing))
    twice = counts[counts > 1]
    found.add("structure", (f"staffing.csv lists {s} {n} times" for s, n in twice.items()))
    _dangling(found, t.staffing, "role", t.roles.index, "staffing.csv", "role", "staff_id")
    not_hired = t.people[~t.people["existing"] & (t.people["new_hire"] != 1)]
    found.add("structure", (f"staffing.csv lists {s}, who is not in staff.csv and not marked as a new hire"
                            for s in not_hired["staff_id"]))
    teaching = set(t.sections["staff_id"]) | set(t.groups["staff_id"])
    hires = t.people[(t.people["new_hire"] == 1) & t.people["staff_id"].isin(teaching)]
    found.add("structure", (f"new hire {r.staff_id} teaches but has no subjects in staffing.csv"
                            for r in hires[hires["subjects"] == ""].itertuples()))
    found.add("structure", (f"new hire {r.staff_id} teaches but has no effectiveness in staffing.csv"
                            for r in hires[hires["effectiveness"].isna()].itertuples()))
    kinds = t.budget[~t.budget["kind"].isin(["revenue", "expense"])]
    found.add("structure", (f"budget.csv row '{r.item}' has kind '{r.kind}', not revenue or expense"
                            for r in kinds.itertuples()))


# ---- the hard rules --------------------------------------------------------------------------------------

def _sessions_with_staff(t: _Tables) -> pd.DataFrame:
    """Group sessions with their leader, one row per term each runs in."""
    return t.session_slots[t.session_slots["staff_id"].notna()]


def _slot_clashes(meets: pd.DataFrame, key: str, calendar: Calendar) -> list[tuple[str, int, list[str], str]]:
    """Where one `key` (a teacher, a room, a student) holds two sections in one slot: (who, period, sections,
    when), one entry per period and set of sections, `when` being '' when the clash holds on every day of
    every term (the classic week then reads exactly as before calendars), else which terms and days."""
    slots = meets[meets[key] != ""]
    clash = slots[slots.duplicated([key, "term", "day", "period"], keep=False)]
    if clash.empty:
        return []
    together = (clash.groupby([key, "period", "term", "day"], sort=False)["section_id"]
                .agg(lambda ids: tuple(dict.fromkeys(ids))).rename("ids").reset_index())
    out = []
    for (who, period, ids), rows in together.groupby([key, "period", "ids"], sort=True):
        out.append((who, int(period), list(ids), calendar.describe(zip(rows["term"], rows["day"], strict=True))))
    return out


def _teaching(t: _Tables) -> pd.DataFrame:
    """Every slot each staff member spends in a section: as its teacher, and as its co-teacher (SPEC §4
    sections.csv co_staff_id), one row per (staff member, section, slot)."""
    if "co_staff_id" not in t.sections.columns:
        return t.meets
    co = t.sections[["section_id", "co_staff_id"]].drop_duplicates("section_id")
    co = co[co["co_staff_id"] != ""]
    if co.empty:
        return t.meets
    second = t.meets.drop(columns="staff_id").merge(co.rename(columns={"co_staff_id": "staff_id"}), on="section_id")
    both = pd.concat([t.meets, second], ignore_index=True)
    return both.drop_duplicates(["staff_id", "section_id", "term", "day", "period"])


def no_teacher_double_booking(found: _Found, t: _Tables) -> None:
    """Rule 1: a staff member (teacher or co-teacher) is in one section, or one group session, at a time (slot
    by slot, SPEC §4)."""
    teaching = _teaching(t)
    for staff_id, period, ids, when in _slot_clashes(teaching, "staff_id", t.calendar):
        found.add(1, f"{staff_id} teaches {_join(ids)} in period {period}{when}")
    secs = teaching[teaching["staff_id"] != ""][["staff_id", "term", "day", "period", "section_id"]]
    both = _sessions_with_staff(t).merge(secs, on=["staff_id", "term", "day", "period"])
    for r in both.drop_duplicates(["group_id", "term", "day", "period", "section_id"]).itertuples():
        found.add(1, f"{r.staff_id} teaches {r.section_id} and leads group {r.group_id} in period {r.period} "
                     f"({t.calendar.when(r.term, r.day)})")


def no_room_double_booking(found: _Found, t: _Tables) -> None:
    """Rule 2: one section per room per slot."""
    for room_id, period, ids, when in _slot_clashes(t.meets, "room_id", t.calendar):
        found.add(2, f"room {room_id} holds {_join(ids)} in period {period}{when}")


def _placed(t: _Tables) -> pd.DataFrame:
    """Enrollments with each section's course and period (unknown sections dropped: reported as structure)."""
    return t.enrollments.merge(t.sections[["section_id", "course_id", "period", "staff_id"]], on="section_id",
                               how="inner")


def no_student_double_booking(found: _Found, t: _Tables, placed: pd.DataFrame) -> None:
    """Rule 3: a student is in one section per period and one section per course."""
    twice = placed[placed.duplicated(["student_id", "section_id"])].drop_duplicates(["student_id", "section_id"])
    found.add(3, (f"{r.student_id} is enrolled twice in {r.section_id}" for r in twice.itertuples()))
    once = placed.drop_duplicates(["student_id", "section_id"])
    lessons = once[["student_id", "section_id"]].merge(t.meets[["section_id", "term", "day", "period"]],
                                                         on="section_id")
    for student_id, period, ids, when in _slot_clashes(lessons, "student_id", t.calendar):
        found.add(3, f"{student_id} is in {_join(ids)} in period {period}{when}")
    clash = once[once.duplicated(["student_id", "course_id"], keep=False)]
    for (student_id, course_id), rows in clash.groupby(["student_id", "course_id"]):
        found.add(3, f"{student_id} is in two sections of {course_id}: {_join(rows['section_id'])}")


def section_size_and_room(found: _Found, scenario: Scenario, t: _Tables, placed: pd.DataFrame) -> None:
    """Rule 4: class size within the course's max_size and the room's capacity; the right kind of room."""
    size = placed.drop_duplicates(["student_id", "section_id"]).groupby("section_id").size().rename("students")
    courses = _ids(scenario.courses, ["course_id", "room_type"])[["course_id", "max_size", "room_type"]]
    rooms = _ids(scenario.rooms, ["room_id", "room_type"])[["room_id", "capacity", "room_type"]]
    secs = (t.sections.join(size, on="section_id").fillna({"students": 0})
            .merge(courses, on="course_id", how="inner")
            .merge(rooms, on="room_id", how="inner", suffixes=("_course", "_room")))
    over = secs[secs["students"] > secs["max_size"]]
    found.add(4, (f"{r.section_id} has {r.students:.0f} students; {r.course_id} allows at most {r.max_size}"
                  for r in over.itertuples()))
    full = secs[secs["students"] > secs["capacity"]]
    found.add(4, (f"{r.section_id} has {r.students:.0f} students in room {r.room_id}, which seats {r.capacity}"
                  for r in full.itertuples()))
    wrong = secs[(secs["room_type_course"] != "") & (secs["room_type_course"] != secs["room_type_room"])]
    found.add(4, (f"{r.section_id} ({r.course_id}) needs a {r.room_type_course} room but is in {r.room_id} "
                  f"({r.room_type_room or 'an ordinary room'})" for r in wrong.itertuples()))


def only_requested_courses(found: _Found, scenario: Scenario, placed: pd.DataFrame) -> None:
    """Rule 5: a student sits only in courses they asked for."""
    requests = _ids(scenario.requests, ["student_id", "course_id"])[["student_id", "course_id"]]
    asked = placed.merge(requests.assign(asked=True), on=["student_id", "course_id"], how="left")
    bad = asked[asked["asked"].isna()].drop_duplicates(["student_id", "section_id"])
    found.add(5, (f"{r.student_id} is in {r.section_id} ({r.course_id}) without requesting {r.course_id}"
                  for r in bad.itertuples()))


def _unavailable(t: _Tables) -> pd.DataFrame:
    out = _explode_list(t.people, "staff_id", "unavailable_periods")
    out["period"] = _ints(out["unavailable_periods"])
    return out[["staff_id", "period"]].dropna()


def periods_allowed(found: _Found, scenario: Scenario, t: _Tables) -> None:
    """Rule 6: intervention periods stay free of sections; nobody works in a period they are unavailable."""
    blocked = set(t.calendar.intervention_periods)
    bad = t.sections[t.sections["period"].isin(blocked)]
    found.add(6, (f"{r.section_id} meets in period {r.period}, an intervention period" for r in bad.itertuples()))
    away = _unavailable(t)
    held = _teaching(t).drop_duplicates(["section_id", "staff_id", "period"])[["section_id", "staff_id", "period"]]
    bad = held.merge(away, on=["staff_id", "period"])
    found.add(6, (f"{r.staff_id} is unavailable in period {r.period} but teaches {r.section_id} then"
                  for r in bad.itertuples()))
    sessions = _sessions_with_staff(t).drop_duplicates(["group_id", "day", "period", "staff_id"])
    bad = sessions.merge(away, on=["staff_id", "period"])
    found.add(6, (f"{r.staff_id} is unavailable in period {r.period} but leads group {r.group_id} "
                  f"on day {r.day} then" for r in bad.itertuples()))


def teacher_qualified(found: _Found, scenario: Scenario, t: _Tables) -> None:
    """Rule 7: subject held, a role that teaches sections, no more sections than allowed."""
    courses = _ids(scenario.courses, ["course_id", "subject"])[["course_id", "subject"]]
    secs = t.sections.merge(courses, on="course_id", how="inner").merge(t.people, on="staff_id", how="inner",
                                                                       suffixes=("", "_staff"))
    held = _explode_list(t.people, "staff_id", "subjects").rename(columns={"subjects": "subject"})
    secs = secs.merge(held.assign(holds=True), on=["staff_id", "subject"], how="left")
    bad = secs[secs["holds"].isna()]
    found.add(7, (f"{r.staff_id} teaches {r.section_id} ({r.course_id}, {r.subject}) without holding {r.subject}"
                  for r in bad.itertuples()))
    bad = secs[secs["role_teaches_sections"].fillna(0) != 1].drop_duplicates("staff_id")
    found.add(7, (f"{r.staff_id} is a {r.role}, a role that does not teach sections, but teaches "
                  f"{_join(secs.loc[secs['staff_id'] == r.staff_id, 'section_id'])}" for r in bad.itertuples()))
    _co_teacher_qualified(found, scenario, t, held)
    load = t.sections.groupby("staff_id").size().rename("load")
    co_load = _co_taught(t).groupby("co_staff_id").size().rename("co_load")
    people = t.people.join(load, on="staff_id").join(co_load, on="staff_id").fillna({"load": 0, "co_load": 0})
    people["total"] = (people["load"] + people["co_load"]).astype(int)
    over = people[people["total"] > people["max_sections"]]
    found.add(7, (f"{r.staff_id} teaches {r.total} sections"
                  + (f" ({r.co_load:.0f} as co-teacher)" if r.co_load else "")
                  + f"; at most {r.max_sections:.0f} allowed" for r in over.itertuples()))


def _co_taught(t: _Tables) -> pd.DataFrame:
    """Sections with a co-teacher (SPEC §4 sections.csv co_staff_id), one row each."""
    if "co_staff_id" not in t.sections.columns:
        return pd.DataFrame(columns=["section_id", "course_id", "staff_id", "co_staff_id"])
    co = t.sections.drop_duplicates("section_id")
    return co.loc[co["co_staff_id"] != "", ["section_id", "course_id", "staff_id", "co_staff_id"]]


def _co_teacher_qualified(found: _Found, scenario: Scenario, t: _Tables, held: pd.DataFrame) -> None:
    """Rule 7 for co-teachers (SPEC §4): a second adult, in a role that teaches sections, who holds the course's
    co_teacher_subject (any subject, for a course that names none: an extra adult written in by hand)."""
    co = _co_taught(t)
    if co.empty:
        return
    same = co[co["co_staff_id"] == co["staff_id"]]
    found.add(7, (f"{r.staff_id} is both teacher and co-teacher of {r.section_id}" for r in same.itertuples()))
    wanted = _ids(scenario.courses, ["course_id", "co_teacher_subject"])[["course_id", "co_teacher_subject"]]
    co = co.merge(wanted, on="course_id", how="left").fillna({"co_teacher_subject": ""})
    co = co.merge(t.people[["staff_id", "role", "role_teaches_sections"]].rename(columns={"staff_id": "co_staff_id"}),
                  on="co_staff_id", how="inner")
    co = co.merge(held.rename(columns={"staff_id": "co_staff_id", "subject": "co_teacher_subject"})
                  .assign(holds=True), on=["co_staff_id", "co_teacher_subject"], how="left")
    bad = co[(co["co_teacher_subject"] != "") & co["holds"].isna()]
    found.add(7, (f"{r.co_staff_id} co-teaches {r.section_id} ({r.course_id}) without holding "
                  f"{r.co_teacher_subject}" for r in bad.itertuples()))
    bad = co[co["role_teaches_sections"].fillna(0) != 1]
    found.add(7, (f"{r.co_staff_id} is a {r.role}, a role that does not teach sections, but co-teaches "
                  f"{r.section_id}" for r in bad.itertuples()))


def pins_kept(found: _Found, scenario: Scenario, t: _Tables) -> None:
    """Rule 8: every decision fixed by hand in pins.csv is in the result, exactly."""
    if scenario.pins is None or scenario.pins.empty:
        return
    pins = _ids(scenario.pins, ["course_id", "section_id", "staff_id", "room_id"])
    pins["period"] = _ints(pins["period"]) if "period" in pins else pd.NA
    secs = t.sections
    for pin in pins.itertuples():
        fixed = {c: getattr(pin, c) for c in ("course_id", "staff_id", "room_id") if getattr(pin, c) != ""}
        if not pd.isna(pin.period):
            fixed["period"] = int(pin.period)
        said = ", ".join(f"{k.replace('_id', '')} {v}" for k, v in fixed.items())
        if pin.section_id:
            rows = secs[secs["section_id"] == pin.section_id]
            if rows.empty:
                found.add(8, f"pinned section {pin.section_id} ({said}) is missing")
                continue
            row = rows.iloc[0]
            wrong = [f"{k.replace('_id', '')} {row[k]} instead of {v}" for k, v in fixed.items()
                     if str(row[k]) != str(v)]
            if wrong:
                found.add(8, f"pinned section {pin.section_id} has {', '.join(wrong)}")
        else:
            match = secs
            for k, v in fixed.items():
                match = match[match[k] == v]
            if match.empty:
                found.add(8, f"no section keeps the pin {said}")


def group_standard(found: _Found, scenario: Scenario, t: _Tables, placed: pd.DataFrame) -> None:
    """Rule 9: small, led by a tutor-role, often and long enough, and never clashing with anyone's timetable."""
    tutoring = scenario.settings.tutoring
    minutes_per_period = scenario.settings.school.minutes_per_period
    groups = t.groups.merge(t.people[["staff_id", "role", "role_tutors", "role_max_group_size"]], on="staff_id",
                            how="left")
    size = t.members.drop_duplicates(["group_id", "student_id"]).groupby("group_id").size().rename("size")
    groups = groups.join(size, on="group_id").fillna({"size": 0})
    groups["cap"] = groups["role_max_group_size"].clip(upper=tutoring.max_group_size).fillna(
        tutoring.max_group_size)
    over = groups[groups["size"] > groups["cap"]]
    found.add(9, (f"group {r.group_id} has {r.size:.0f} members; at most {r.cap:.0f} allowed"
                  for r in over.itertuples()))
    known = groups[groups["role"].notna()]
    bad = known[known["role_tutors"].fillna(0) != 1]
    found.add(9, (f"group {r.group_id} is led by {r.staff_id}, a {r.role}, a role that does not tutor"
                  for r in bad.itertuples()))

    cal = t.calendar
    slots = t.session_slots[t.session_slots["group_id"].isin(set(t.groups["group_id"]))]
    twice = slots[slots.duplicated(["group_id", "term", "day", "period"])]
    found.add(9, (f"group {r.group_id} is listed twice at {cal.when(r.term, r.day)}, period {r.period}"
                  for r in twice.drop_duplicates(["group_id", "term", "day", "period"]).itertuples()))
    distinct = slots.drop_duplicates(["group_id", "term", "day", "period"])
    per_term = distinct.groupby(["group_id", "term"]).size().unstack("term").reindex(columns=list(cal.terms))
    count = per_term.fillna(0).min(axis=1).reindex(groups["group_id"]).fillna(0) * cal.week_factor
    few = count[count < tutoring.sessions_per_week]
    found.add(9, (f"group {g} meets {n:g} times a week; the standard is at least {tutoring.sessions_per_week}"
                  for g, n in few.items()))
    written = distinct.drop_duplicates(["group_id", "day", "period", "minutes"])   # each session once, not per term
    short = written[written["minutes"].isna() | (written["minutes"] < tutoring.session_minutes)]
    found.add(9, (f"group {r.group_id} meets for {r.minutes} minutes on day {r.day}, period {r.period}; "
                  f"the standard is at least {tutoring.session_minutes}" for r in short.itertuples()))
    long = written[written["minutes"] > minutes_per_period]
    found.add(9, (f"group {r.group_id} meets for {r.minutes} minutes on day {r.day}, period {r.period}; "
                  f"a period lasts {minutes_per_period}" for r in long.itertuples()))

    # clashes, slot by slot: a member's section, a member's other group, the leader's other group
    slot = ["term", "day", "period"]
    member_sessions = t.members.drop_duplicates().merge(distinct.drop(columns="staff_id"), on="group_id")
    lessons = placed.drop_duplicates(["student_id", "section_id"])[["student_id", "section_id"]].merge(
        t.meets[["section_id", *slot]], on="section_id")
    clash = member_sessions.merge(lessons, on=["student_id", *slot])
    found.add(9, (f"{r.student_id} is in group {r.group_id} on {cal.when(r.term, r.day)}, period {r.period}, "
                  f"while in {r.section_id}" for r in clash.itertuples()))
    both = member_sessions[member_sessions.duplicated(["student_id", *slot], keep=False)]
    for (student_id, term, day, period), rows in both.groupby(["student_id", *slot]):
        found.add(9, f"{student_id} is in groups {_join(rows['group_id'])} on {cal.when(term, day)}, period {period}")
    led = distinct.drop(columns="staff_id").merge(t.groups[["group_id", "staff_id"]], on="group_id")
    both = led[led.duplicated(["staff_id", *slot], keep=False)]
    for (staff_id, term, day, period), rows in both.groupby(["staff_id", *slot]):
        found.add(9, f"{staff_id} leads groups {_join(rows['group_id'])} on {cal.when(term, day)}, period {period}")


def lunch_for_everyone(found: _Found, scenario: Scenario, t: _Tables, placed: pd.DataFrame) -> None:
    """Rule 12 (SPEC §4): every student has a lunch period free on every day of every term, and no lunch slot
    leaves more students free than the cafeteria seats."""
    cal = t.calendar
    if not cal.has_lunch:
        return
    slot = ["term", "day", "period"]
    lessons = placed.drop_duplicates(["student_id", "section_id"])[["student_id", "section_id"]].merge(
        t.meets[["section_id", *slot]], on="section_id")
    groups = t.members.drop_duplicates().merge(t.session_slots[["group_id", *slot]], on="group_id")
    busy = pd.concat([lessons[["student_id", *slot]], groups[["student_id", *slot]]])
    busy = busy[busy["period"].isin(cal.lunch_periods)].drop_duplicates()
    students = scenario.students["student_id"].astype(str)
    waves = len(set(cal.lunch_periods))
    taken = busy.groupby(["student_id", "term", "day"]).size()
    none_free = taken[taken >= waves].reset_index()
    said = ", ".join(map(str, sorted(set(cal.lunch_periods))))
    for student_id, rows in none_free.groupby("student_id", sort=False):
        when = cal.describe(zip(rows["term"], rows["day"], strict=True)) or " (every day)"
        found.add(12, f"{student_id} has no lunch period free (period{'s' if waves > 1 else ''} {said}){when}")
    if cal.lunch_seats is None:
        return
    every = cal.slots()
    every = every[every["period"].isin(cal.lunch_periods)]
    occupied = busy[busy["student_id"].isin(set(students))].groupby(slot).size().rename("busy")
    free = every.join(occupied, on=slot).fillna({"busy": 0})
    free["free"] = len(set(students)) - free["busy"]
    over = free[free["free"] > cal.lunch_seats]
    for period, rows in over.groupby("period"):
        found.add(12, f"lunch period {period} leaves up to {rows['free'].max():.0f} students free for lunch"
                      f"{cal.describe(zip(rows['term'], rows['day'], strict=True))}; the cafeteria seats "
                      f"{cal.lunch_seats}")


def team_planning_shared(found: _Found, scenario: Scenario, t: _Tables) -> None:
    """Rule 13 (SPEC §4): each leader's team shares its common free periods every day
    (`workbench.results.team_time`), judged on every slot a member teaches, co-teaches or leads a group."""
    slot = ["staff_id", "term", "day", "period"]
    busy = pd.concat([_teaching(t)[slot], _sessions_with_staff(t)[slot]], ignore_index=True)
    roles = _ids(scenario.roles, ["role"])
    found.add(13, team_time_short(roles, t.staffing, busy, t.calendar))


def _section_timing(scenario: Scenario, t: _Tables) -> pd.DataFrame:
    """Each section with its course's term_length, meets and length, and its own term and day_type cells."""
    secs = _ids(t.sections, ["term", "day_type"])
    return secs.join(course_timing(scenario.courses), on="course_id", how="inner")


def term_day_type_and_double_period(found: _Found, scenario: Scenario, t: _Tables) -> None:
    """Rule 14 (SPEC §4): a term course's section names one term, a one-day-type section one day type, a
    section meets on its course's days, and a double period's second period is a teaching period of the day."""
    cal = t.calendar
    types = cal.types
    secs = _section_timing(scenario, t)
    terms, names = ", ".join(cal.terms), ", ".join(types)
    for r in secs.itertuples():
        if r.term and r.term not in cal.terms:
            found.add(14, f"{r.section_id} names term {r.term!r}, not one of the school's terms ({terms})")
        elif r.term_length == TERM and not r.term and len(cal.terms) > 1:
            found.add(14, f"{r.section_id} names no term, but {r.course_id} runs for one term ({terms})")
        elif r.term_length != TERM and r.term and len(cal.terms) > 1:
            found.add(14, f"{r.section_id} runs only in {r.term}, but {r.course_id} runs all year")
        if r.day_type and r.day_type not in types:
            found.add(14, f"{r.section_id} names day type {r.day_type!r}, not one of the school's ({names})")
        elif r.meets == ONE_DAY_TYPE and not r.day_type and len(types) > 1:
            found.add(14, f"{r.section_id} names no day type, but {r.course_id} meets on one of {names}")
        elif r.meets == EVERY_DAY and len(cal.days_of(r.day_type)) < cal.days:
            found.add(14, f"{r.section_id} meets only on {r.day_type} days, but {r.course_id} meets every day")
        elif r.meets not in (EVERY_DAY, ONE_DAY_TYPE) and cal.days_of(r.day_type) != cal.days_of(r.meets):
            found.add(14, f"{r.section_id} meets on {r.day_type or 'every'} days, but {r.course_id} meets on "
                          f"{r.meets} days")
    doubles = secs[(secs["length"] > 1) & secs["period"].notna()]
    for r in doubles.itertuples():
        second = int(r.period) + 1
        if second > cal.periods_per_day:
            found.add(14, f"{r.section_id} is a double period from period {r.period}, which runs past the last "
                          f"period of the day ({cal.periods_per_day})")
        elif second in cal.intervention_periods:
            found.add(14, f"{r.section_id} is a double period from period {r.period}; its second period, "
                          f"{second}, is an intervention period")


def staff_costs_hires_teams(found: _Found, t: _Tables) -> None:
    """Rule 10: costs follow roles.csv, hires stay within max_new_hires, teams within the leader's reach."""
    people = t.staffing.merge(t.people[["staff_id", "existing", "fte", "role_annual_cost"]], on="staff_id")
    people["expected"] = people["role_annual_cost"] * people["fte"].where(people["new_hire"] != 1, 1.0)
    known = people[people["role_annual_cost"].notna()]
    wrong = known[(known["annual_cost"].isna()) | ((known["annual_cost"] - known["expected"]).abs() > CENT)]
    found.add(10, (f"{r.staff_id} ({r.role}{', new hire' if r.new_hire == 1 else f', fte {r.fte:g}'}) costs "
                   f"${r.annual_cost:,.2f}; the role's cost makes it ${r.expected:,.2f}" for r in wrong.itertuples()))
    hires = t.staffing[t.staffing["new_hire"] == 1].groupby("role").size().rename("hired")
    limits = t.roles.join(hires, how="inner")
    over = limits[limits["max_new_hires"].notna() & (limits["hired"] > limits["max_new_hires"])]
    found.add(10, (f"{r.hired} new {role} hires; at most {r.max_new_hires} allowed"
                   for role, r in zip(over.index, over.itertuples(), strict=True)))
    teams = t.staffing[t.staffing["leader_id"] != ""]
    leaders = t.people.set_index("staff_id")
    unknown = teams[~teams["leader_id"].isin(leaders.index)]
    found.add(10, (f"{r.staff_id} names {r.leader_id} as leader, who is not in staffing.csv"
                   for r in unknown.itertuples()))
    size = teams[teams["leader_id"].isin(leaders.index)].groupby("leader_id")["staff_id"].agg(list)
    for leader_id, team in size.items():
        reach = leaders.at[leader_id, "role_reach"]
        reach = 0 if pd.isna(reach) else int(reach)
        if reach <= 0:
            found.add(10, f"{_join(team)} name {leader_id} as leader, but {leader_id} "
                          f"({leaders.at[leader_id, 'role']}) does not lead a team")
        elif len(team) > reach:
            found.add(10, f"{leader_id} leads {len(team)} teachers ({', '.join(team)}); the role's reach is {reach}")


def budget_balances(found: _Found, scenario: Scenario, t: _Tables) -> None:
    """Rule 11 (and the supports behind it): the budget adds up, revenue follows the formula, no deficit."""
    supports = _ids(scenario.supports, ["support"]).set_index("support")
    funded = t.supports.merge(supports[["cost_per_student", "capacity"]].reset_index(), on="support")
    wrong = funded[(funded["cost"].isna()) | ((funded["cost"] - funded["cost_per_student"]).abs() > CENT)]
    found.add(11, (f"{r.student_id}'s {r.support} costs ${r.cost:,.2f}; it costs ${r.cost_per_student:,.2f} "
                   f"per student" for r in wrong.itertuples()))
    twice = funded[funded.duplicated(["student_id", "support"])].drop_duplicates(["student_id", "support"])
    found.add(11, (f"{r.student_id} is funded {r.support} more than once" for r in twice.itertuples()))
    count = funded.groupby("support").size().rename("funded")
    over = supports.join(count, how="inner")
    over = over[over["capacity"].notna() & (over["funded"] > over["capacity"])]
    found.add(11, (f"{name} is funded for {r.funded} students; its capacity is {r.capacity:.0f}"
                   for name, r in zip(over.index, over.itertuples(), strict=True)))

    bad = t.budget[t.budget["amount"].isna() | (t.budget["amount"] < 0)]
    found.add(11, (f"budget.csv row '{r.item}' has amount "
                   f"{'blank or not a number' if pd.isna(r.amount) else r.amount}, not a positive number of dollars"
                   for r in bad.itertuples()))
    expense = float(t.budget.loc[t.budget["kind"] == "expense", "amount"].sum())
    revenue = float(t.budget.loc[t.budget["kind"] == "revenue", "amount"].sum())
    owed = float(t.staffing["annual_cost"].fillna(0).sum() + t.supports["cost"].fillna(0).sum())
    if abs(expense - owed) > DOLLAR:
        found.add(11, f"budget.csv expenses total ${expense:,.2f}, but staffing.csv and student_supports.csv "
                      f"add up to ${owed:,.2f}")
    formula = total_revenue(scenario)
    if abs(revenue - formula) > DOLLAR:
        found.add(11, f"budget.csv revenue totals ${revenue:,.2f}, but the funding formula gives ${formula:,.2f}")
    if not scenario.settings.funding.allow_deficit and expense > revenue + 0.005:
        found.add(11, f"expenses ${expense:,.2f} exceed revenue ${revenue:,.2f} by ${expense - revenue:,.2f}, "
                      f"and this scenario does not allow a deficit")


def _sound_part(scenario: Scenario, result: Result) -> Result:
    """The result without rows the structure check refused (sections with no period, enrollments and group
    rows naming nothing), so goals are recomputed on what the design really provides."""
    from dataclasses import replace

    periods = set(scenario.periods)
    sections = result.sections[pd.to_numeric(result.sections["period"], errors="coerce").isin(periods)]
    ids = set(sections["section_id"].astype(str))
    enrollments = result.enrollments[result.enrollments["section_id"].astype(str).isin(ids)]
    sessions = result.group_sessions
    sessions = sessions[pd.to_numeric(sessions["day"], errors="coerce").isin(set(scenario.days))
                        & pd.to_numeric(sessions["period"], errors="coerce").isin(periods)]
    return replace(result, sections=sections, enrollments=enrollments, group_sessions=sessions)


def goals_marked_right(found: _Found, scenario: Scenario, result: Result) -> None:
    """Each student_goals.csv `met` flag agrees with an independent recomputation of the goal."""
    from workbench.goals.evaluate import evaluate_goals

    key = ["student_id", "goal", "subject", "target"]
    try:
        recomputed = evaluate_goals(scenario, _sound_part(scenario, result))
    except Exception as exc:   # a hand-edited result can break the evaluator: say so in one line, no traceback
        if debug_requested():
            raise
        found.add("goal", f"the goals could not be recomputed on this result ({type(exc).__name__}: {exc}); "
                          "fix the structure breaches above first")
        return
    expected = _ids(recomputed, key)
    claimed = _ids(result.student_goals, key, "student_goals")
    if len(claimed) != len(scenario.goals):
        found.add("goal", f"student_goals.csv has {len(claimed)} rows for {len(scenario.goals)} goals in goals.csv")
    for frame in (expected, claimed):
        frame["nth"] = frame.groupby(key).cumcount()
        frame["met"] = _ints(frame["met"]).fillna(0).astype(int)
    both = claimed.merge(expected[[*key, "nth", "met", "reason"]], on=[*key, "nth"], how="left",
                         suffixes=("", "_recomputed"))
    stray = both[both["met_recomputed"].isna()]
    found.add("goal", (f"{r.student_id} {r.goal} {r.subject} {r.target}: not a goal in goals.csv".replace("  ", " ")
                       for r in stray.itertuples()))
    wrong = both[both["met_recomputed"].notna() & (both["met"] != both["met_recomputed"])]
    found.add("goal", (f"{r.student_id} {r.goal} {r.subject} {r.target}".replace("  ", " ")
                       + (": marked met, but it is not" + (f" ({r.reason_recomputed})" if r.reason_recomputed
                                                           else "")
                          if r.met else ": marked unmet, but it is met")
                       for r in wrong.itertuples()))


def schedule_breaches(scenario: Scenario, result: Result) -> list[Breach]:
    """Rules 1-8 and 14 alone, the master schedule's rules: what a schedule must keep before groups, staffing
    costs and the budget exist (the schedule step's own guard and its tests use this)."""
    found = _Found()
    t = _prepare(scenario, result)
    _schedule_rules(found, scenario, t, _placed(t))
    return list(found)


def check_rules(scenario: Scenario, result: Result) -> list[Breach]:
    """Every breach of SPEC §2's hard rules (1-11), of SPEC §4's rules 12-14 (the calendar, team time) and of the
    result's structure; goal flags not included."""
    found = _Found()
    t = _prepare(scenario, result)
    placed = _placed(t)
    result_structure(found, scenario, t)
    _schedule_rules(found, scenario, t, placed)
    group_standard(found, scenario, t, placed)
    staff_costs_hires_teams(found, t)
    budget_balances(found, scenario, t)
    lunch_for_everyone(found, scenario, t, placed)
    team_planning_shared(found, scenario, t)
    return list(found)


def _schedule_rules(found: _Found, scenario: Scenario, t: _Tables, placed: pd.DataFrame) -> None:
    """Rules 1-8 and 14, in the order the checker reports them."""
    no_teacher_double_booking(found, t)
    no_room_double_booking(found, t)
    no_student_double_booking(found, t, placed)
    section_size_and_room(found, scenario, t, placed)
    only_requested_courses(found, scenario, placed)
    periods_allowed(found, scenario, t)
    teacher_qualified(found, scenario, t)
    pins_kept(found, scenario, t)
    term_day_type_and_double_period(found, scenario, t)


def check_result(scenario: Scenario, result: Result) -> list[Breach]:
    """Every breach of the hard rules and of the result's structure, then every wrongly marked goal."""
    found = _Found(check_rules(scenario, result))
    goals_marked_right(found, scenario, result)
    return list(found)
