"""The master schedule's hard rules (1-8 and 14), verified on a result: the half of the independent checker
that the schedule step's own guard needs too.

Why here, a layer below planning: the schedule step re-checks each polishing pass with these rules before it
keeps it (`workbench.plan.schedule.build`), and `workbench.results.check` runs them with the other rules on
every result. Like the rest of the checker this module reads only the scenario, the result tables
(`workbench.verify.result`) and the time model (workbench.scenario.calendar, which says which slots a section
holds and decides nothing); it imports nothing from planning, so a bug in a planner cannot hide itself here.
Rules 1, 2, 3 and 6 are judged slot by slot (term, day, period); in a plain week (one term, every day) a
breach reads as before: once, for its period. The helpers that type the tables (`_prepare`, `_Tables`,
`_ids`...) are the checker's own, shared with `workbench.results.check` only.

A breach carries its rule's short name from the registry, which sits with planning (`workbench.plan.rules`
names the models' constraint families too): callers pass the names in (`rule_names(RULES.values())`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

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
from workbench.scenario.model import Scenario
from workbench.scenario.schema import split_list
from workbench.scenario.staff_table import role_table
from workbench.verify.result import OPTIONAL_RESULT_COLUMNS, RESULT_TABLES, Result


def rule_names(rules: Iterable) -> dict[int | str, str]:
    """Rule ID -> the short name its breaches carry, from the registry's rules (objects with `id` and `name`,
    `workbench.plan.rules.RULES.values()`); numbered rules by number, and not `sections`, which no result
    can break."""
    return {int(r.id) if r.id.isdigit() else r.id: r.name for r in rules if r.id != "sections"}


@dataclass(frozen=True)
class Breach:
    """One broken rule. `rule` is 1-14, "structure" (a dangling or missing ID) or "goal". `where` is the
    `file:row:column` of the row at fault when the result was read from files (`Result.line_numbers`), and then
    the line starts with it, as `workbench validate` names a scenario's problems."""

    rule: int | str
    name: str
    message: str
    where: str = ""

    def __str__(self) -> str:
        if self.where:
            return f"{self.where}: {self.message}"
        if self.rule == "goal":
            return f"goal: {self.message}"
        label = f"rule {self.rule}" if isinstance(self.rule, int) else str(self.rule)
        return f"{label} ({self.name}): {self.message}"


class _Found(list):
    """Collects breaches, each named from `names` (`rule_names`); `add(rule, messages)` takes one message or
    many."""

    def __init__(self, names: Mapping[int | str, str], breaches: Iterable[Breach] = ()):
        super().__init__(breaches)
        self.names = names

    def add(self, rule: int | str, messages: str | Iterable[str]) -> None:
        for message in [messages] if isinstance(messages, str) else messages:
            self.append(Breach(rule, self.names[rule], message))

    def add_at(self, rule: int | str, located: Iterable[tuple[str, str]]) -> None:
        """Breaches about one row each: (where, message) pairs, `where` being "" when the row has no known line
        (a result built in memory), and the message then saying the file itself."""
        for where, message in located:
            self.append(Breach(rule, self.names[rule], message, where))


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
    result: Result | None = None  # the result itself: its extra tables and the file line of each row

    def where(self, table: str, label, column: str) -> str:
        """`file:line:column` of the row labelled `label` in table `table` (rows keep their labels through
        `_prepare`), or "" when the result was not read from files."""
        lines = self.result.line_numbers(table) if self.result is not None else None
        if lines is None or label not in lines.index:
            return ""
        return f"{table}.csv:{lines[label]}:{column}"


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
                   people.reset_index(), roles, calendar, meets, slots, result)


# ---- the schedule's rules ------------------------------------------------------------------------------

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


def schedule_breaches(scenario: Scenario, result: Result, names: Mapping[int | str, str]) -> list[Breach]:
    """Rules 1-8 and 14 alone, the master schedule's rules: what a schedule must keep before groups, staffing
    costs and the budget exist (the schedule step's own guard and its tests use this). `names`: `rule_names`."""
    found = _Found(names)
    t = _prepare(scenario, result)
    _schedule_rules(found, scenario, t, _placed(t))
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
