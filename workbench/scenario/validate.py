"""Checks across the tables of a scenario: every problem one line naming file, row and column.

`workbench.scenario.load` reads each file on its own (presence, columns, cell types). The checks here are
the ones a school leader would make by eye across files: does every request name a real course, is every
pinned teacher allowed to teach the pinned course, does every goal make sense for its student.

One root cause should give one line. So a table that could not be read completely (a missing column, a row
with a stray comma) is not used to call references into it unknown, a cell that already failed its type
check is not checked again, and an unknown ID used on many rows is reported once, listing the other lines.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from workbench.atomic import formula_like
from workbench.errors import Problem, ScenarioInvalid, debug_requested
from workbench.scenario.calendar import ALL_DAYS, EVERY_DAY, ONE_DAY_TYPE, TERM, YEAR
from workbench.scenario.load import read_parts, strip_lines, yaml_line
from workbench.scenario.model import Scenario
from workbench.scenario.schema import GOAL_KINDS, TABLES, split_list
from workbench.scenario.settings import Settings

NOUNS = {"students": "student", "courses": "course", "staff": "staff member", "roles": "role",
         "rooms": "room", "supports": "support"}


@dataclass
class _Checks:
    """The tables being checked, what is known about them, and the problems found so far."""

    tables: dict[str, pd.DataFrame]
    settings: Settings | None
    folder: Path | None
    broken: set[str] = field(default_factory=set)     # tables read only in part: no "unknown X" into them
    problems: list[Problem] = field(default_factory=list)
    _rows: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, table: str, line, column: str | None, message: str, fix: str) -> None:
        file = TABLES[table].file if table in TABLES else table
        self.problems.append(Problem(file, None if line is None else int(line), column, message, fix))

    def rows(self, table: str) -> list[dict]:
        """Rows as dicts with `__line__` (the CSV line), for tables built in memory too; built once a table."""
        if table not in self._rows:
            frame = self.tables.get(table)
            if frame is None or frame.empty:
                self._rows[table] = []
            else:
                if "__line__" not in frame.columns:
                    frame = frame.assign(__line__=range(2, len(frame) + 2))
                self._rows[table] = frame.to_dict("records")
        return self._rows[table]

    def ids(self, table: str) -> set[str] | None:
        """The IDs of a table, or None when the table is unreliable (so references into it are not judged)."""
        if table in self.broken or table not in self.tables:
            return None
        column = next(iter(TABLES[table].key))
        return {v for v in self.tables[table][column] if isinstance(v, str) and v}

    @property
    def periods(self) -> int | None:
        return self.settings.school.periods_per_day if self.settings else None

    @property
    def intervention(self) -> set[int]:
        return set(self.settings.school.intervention_periods) if self.settings else set()


def _blank(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) or value == ""


def _lines(lines: list[int]) -> str:
    """`' (also on lines 7, 12 and 3 more)'` for an ID used on several rows."""
    rest = [str(n) for n in lines[1:]]
    if not rest:
        return ""
    shown = ", ".join(rest[:5]) + (f" and {len(rest) - 5} more" if len(rest) > 5 else "")
    return f" (also on line{'s' if len(rest) > 1 else ''} {shown})"


def _suggest(value: str, known: set[str]) -> str:
    match = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.75)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _as_number(text: str) -> float | None:
    try:
        number = float(text)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def references_exist(c: _Checks, table: str, column: str, target: str) -> None:
    """Every ID in `table.column` names a row of `target` (one line per unknown ID, listing its other rows)."""
    known = c.ids(target)
    if known is None:
        return
    unknown: dict[str, list[int]] = {}
    for row in c.rows(table):
        value = row.get(column)
        if not _blank(value) and value not in known:
            unknown.setdefault(value, []).append(row["__line__"])
    for value, lines in unknown.items():
        c.add(table, lines[0], column, f"unknown {NOUNS[target]} {value!r}{_lines(lines)}",
              f"add it to {TABLES[target].file} or correct the ID{_suggest(value, known)}")


def ids_are_unique(c: _Checks) -> None:
    """Each student, course, staff member, role, room and support appears once; each request once."""
    for name, spec in TABLES.items():
        if not spec.key:
            continue
        first: dict[tuple, int] = {}
        for row in c.rows(name):
            key = tuple(row.get(k) for k in spec.key)
            if any(_blank(v) for v in key):
                continue
            if key not in first:
                first[key] = row["__line__"]
            elif name == "requests":
                c.add(name, row["__line__"], "course_id",
                      f"student {key[0]!r} requests course {key[1]!r} again (first on line {first[key]})",
                      "delete one of the two rows")
            elif name == "assessments":
                c.add(name, row["__line__"], "cycle",
                      f"student {key[0]!r} has a second {key[1]} level for cycle {key[2]} (first on line "
                      f"{first[key]})", "keep one level per student, subject and cycle")
            else:
                c.add(name, row["__line__"], spec.key[0],
                      f"{NOUNS[name]} {key[0]!r} appears again (first on line {first[key]})",
                      f"give each {NOUNS[name]} its own ID, or delete the repeated row")


def at_least(c: _Checks, table: str, column: str, low: int, what: str, unit: str = "", *, when=None) -> None:
    """`column` is at least `low` on every row (that satisfies `when`): "a class size cannot be 0"."""
    for row in c.rows(table):
        value = row.get(column)
        if _blank(value) or (when is not None and not when(row)) or value >= low:
            continue
        shown = f"{value:g}" if isinstance(value, float) else value
        c.add(table, row["__line__"], column, f"{what} cannot be {shown}", f"write {low}{unit} or more")


def periods_in_day(c: _Checks, table: str, column: str, cell, line) -> list[int]:
    """The periods a `;`-list cell names, reporting any that is not a period of the school day."""
    periods = []
    for part in split_list(cell):
        number = _as_number(part)
        if number is None or not number.is_integer():
            c.add(table, line, column, f"{part!r} is not a period number", "write whole period numbers, e.g. 1;2")
        elif c.periods is not None and not 1 <= number <= c.periods:
            c.add(table, line, column, f"period {int(number)} is not in the school day (periods 1 to {c.periods})",
                  "use a period between 1 and school.periods_per_day")
        else:
            periods.append(int(number))
    return periods


def _numbers(node, loc: tuple = ()):
    """Every float in nested settings, with its location, e.g. (("funding", "base_per_pupil"), inf)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _numbers(value, (*loc, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _numbers(value, (*loc, i))
    elif isinstance(node, float):
        yield loc, node


def school_settings(c: _Checks) -> None:
    """Settings are finite; intervention periods are periods of the day and leave one period for sections."""
    if c.settings is None:
        return
    for loc, value in _numbers(c.settings.model_dump(mode="python")):
        if not math.isfinite(value):
            c.add("scenario.yaml", yaml_line(c.folder, loc), ".".join(map(str, loc)),
                  f"{value} is not a usable amount", "write an ordinary number")
    school = c.settings.school
    for i, period in enumerate(school.intervention_periods):
        if not 1 <= period <= school.periods_per_day:
            c.add("scenario.yaml", yaml_line(c.folder, ("school", "intervention_periods", i)),
                  "school.intervention_periods",
                  f"period {period} is not in the school day (periods 1 to {school.periods_per_day})",
                  "list only periods between 1 and periods_per_day")
    if school.periods_per_day >= 1 and set(range(1, school.periods_per_day + 1)) <= set(school.intervention_periods):
        c.add("scenario.yaml", yaml_line(c.folder, ("school", "intervention_periods")), "school.intervention_periods",
              "every period is an intervention period, which leaves no period for sections",
              "keep at least one period free of intervention")


def one_time_revenue_is_part_of_other_revenue(c: _Checks) -> None:
    """funding.one_time_revenue is the part of other_revenue that comes this year only, so it cannot be more
    than other_revenue (the budget would otherwise count money that is not there, or drop it silently)."""
    if c.settings is None:
        return
    funding = c.settings.funding
    if math.isfinite(funding.one_time_revenue) and funding.one_time_revenue > funding.other_revenue:
        c.add("scenario.yaml", yaml_line(c.folder, ("funding", "one_time_revenue")), "funding.one_time_revenue",
              f"one-time revenue ${funding.one_time_revenue:,.0f} is more than other_revenue "
              f"${funding.other_revenue:,.0f}, of which it is the part that comes this year only",
              f"raise funding.other_revenue to at least {funding.one_time_revenue:g} (it includes the one-time "
              f"grant) or lower funding.one_time_revenue to at most {funding.other_revenue:g}")


def calendar_settings(c: _Checks) -> None:
    """SPEC §4's calendar: terms named once, day types made of the cycle's days, lunch in teaching periods."""
    if c.settings is None:
        return
    school = c.settings.school

    def add(loc: tuple, message: str, fix: str) -> None:
        c.add("scenario.yaml", yaml_line(c.folder, ("school", *loc)), ".".join(map(str, ("school", *loc))),
              message, fix)

    seen: set[str] = set()
    for i, term in enumerate(school.terms):
        if not term.strip():
            add(("terms", i), "a term has no name", "name every term, e.g. [fall, spring]")
        elif term in seen:
            add(("terms", i), f"term {term!r} is listed twice", "name each term once")
        seen.add(term)
    for name, days in school.day_types.items():
        if name in (EVERY_DAY, ONE_DAY_TYPE) or not str(name).strip():
            add(("day_types", name), f"{name!r} cannot name a day type (courses.csv meets uses it)",
                "call the day type something else, e.g. A or B")
        if not days:
            add(("day_types", name), f"day type {name!r} has no days", "list the days of the cycle it covers")
        for i, day in enumerate(days):
            if not 1 <= day <= school.days:
                add(("day_types", name, i), f"day {day} is not in the cycle (days 1 to {school.days})",
                    "list only days between 1 and school.days")
    if school.lunch is not None:
        for i, period in enumerate(school.lunch.periods):
            if not 1 <= period <= school.periods_per_day:
                add(("lunch", "periods", i),
                    f"period {period} is not in the school day (periods 1 to {school.periods_per_day})",
                    "list only periods between 1 and periods_per_day")


def courses_follow_the_calendar(c: _Checks) -> None:
    """term_length, meets and periods_per_meeting (SPEC §4) name things the calendar has."""
    if c.settings is None:
        return
    school = c.settings.school
    day_types = set(school.day_types) or {ALL_DAYS}
    teaching = [p for p in range(1, school.periods_per_day + 1) if p not in set(school.intervention_periods)]
    doubles = [p for p in teaching if p + 1 in teaching]
    for row in c.rows("courses"):
        line, term_length, meets = row["__line__"], row.get("term_length"), row.get("meets")
        if not _blank(term_length) and term_length not in (YEAR, TERM):
            c.add("courses", line, "term_length", f"{term_length!r} is not year or term",
                  "write year (runs all year, the default) or term (runs in one term the solve chooses)")
        if not _blank(meets) and meets not in (EVERY_DAY, ONE_DAY_TYPE, *day_types):
            c.add("courses", line, "meets", f"{meets!r} is not every_day, one_day_type or a day type "
                  f"({', '.join(sorted(day_types))}){_suggest(meets, day_types)}",
                  "write every_day, one_day_type, or a day type named in school.day_types")
        length = row.get("periods_per_meeting")
        if not _blank(length) and length not in (1, 2):
            c.add("courses", line, "periods_per_meeting", f"{length} is not 1 or 2",
                  "write 1 (one period, the default) or 2 (a double period)")
        elif length == 2 and not doubles:
            c.add("courses", line, "periods_per_meeting",
                  "no two periods in a row are free of intervention, so a double period cannot meet",
                  "make it a single period, or change school.intervention_periods")


def funding_weights_name_numeric_columns(c: _Checks) -> None:
    """A funding weight multiplies a numeric column of students.csv, so that column must exist and hold numbers."""
    if c.settings is None or "students" in c.broken or "students" not in c.tables:
        return
    students = c.tables["students"]
    for column in c.settings.funding.weights:
        if column not in students.columns or column == "__line__":
            c.add("scenario.yaml", yaml_line(c.folder, ("funding", "weights", column)), f"funding.weights.{column}",
                  f"weighs column {column!r}, which students.csv does not have",
                  f"add a {column} column to students.csv or delete this weight")
            continue
        if TABLES["students"].columns.get(column) in ("int", "float", "flag"):
            continue   # typed on reading: a non-number there is already reported
        bad = [row for row in c.rows("students")
               if not _blank(row.get(column)) and _as_number(str(row.get(column))) is None]
        if len(bad) > 3:   # not a column of numbers at all: one line, at the weight
            c.add("scenario.yaml", yaml_line(c.folder, ("funding", "weights", column)), f"funding.weights.{column}",
                  f"weighs column {column!r} of students.csv, which does not hold numbers (line {bad[0]['__line__']}"
                  f" holds {bad[0][column]!r})", "weigh a column of 0/1 flags or numbers, or delete this weight")
            continue
        for row in bad:
            c.add("students", row["__line__"], column,
                  f"{row[column]!r} is not a number, but funding.weights.{column} weighs this column",
                  "write a number (0 or 1 for a need)")


def students_in_school_grades(c: _Checks) -> None:
    if c.settings is None:
        return
    grades = set(c.settings.school.grades)
    shown = ", ".join(map(str, c.settings.school.grades))
    for row in c.rows("students"):
        if not _blank(row.get("grade")) and int(row["grade"]) not in grades:
            c.add("students", row["__line__"], "grade",
                  f"grade {int(row['grade'])} is not one of the school's grades ({shown})",
                  "correct the grade, or add it to school.grades in scenario.yaml")


def courses_make_sense(c: _Checks) -> None:
    """Sections hold at least one student, run for the school's grades, and fit some room."""
    at_least(c, "courses", "max_size", 1, "a class size", " student")
    grades = set(c.settings.school.grades) if c.settings else None
    room_types = None
    if "rooms" not in c.broken and "rooms" in c.tables:
        room_types = {v for v in c.tables["rooms"]["room_type"] if isinstance(v, str) and v}
    for row in c.rows("courses"):
        for part in split_list(row.get("grades")):
            number = _as_number(part)
            if number is None or not number.is_integer():
                c.add("courses", row["__line__"], "grades", f"{part!r} is not a grade",
                      "write whole grades separated by ';', e.g. 6;7")
            elif grades is not None and int(number) not in grades:
                c.add("courses", row["__line__"], "grades",
                      f"grade {int(number)} is not one of the school's grades ({', '.join(map(str, sorted(grades)))})",
                      "correct the grades, or add the grade to school.grades in scenario.yaml")
        room_type = row.get("room_type")
        if room_types is not None and not _blank(room_type) and room_type not in room_types:
            c.add("courses", row["__line__"], "room_type", f"no room in rooms.csv is of type {room_type!r}",
                  f"give a room the type {room_type!r} in rooms.csv, or correct the course's room_type")


def requests_make_sense(c: _Checks) -> None:
    references_exist(c, "requests", "student_id", "students")
    references_exist(c, "requests", "course_id", "courses")
    for row in c.rows("requests"):
        if not _blank(row.get("priority")) and row["priority"] not in (1, 2, 3):
            c.add("requests", row["__line__"], "priority", f"priority {row['priority']} is not 1, 2 or 3",
                  "write 1 (required), 2 (elective) or 3 (alternate)")


def staff_make_sense(c: _Checks) -> None:
    references_exist(c, "staff", "role", "roles")
    at_least(c, "staff", "max_sections", 0, "a number of sections", " sections")
    for row in c.rows("staff"):
        fte = row.get("fte")
        if not _blank(fte) and not 0 < fte <= 1:
            c.add("staff", row["__line__"], "fte", f"fte {fte:g} is not between 0 and 1",
                  "write the share of a full-time post, above 0 and at most 1 (blank means 1)")
        periods_in_day(c, "staff", "unavailable_periods", row.get("unavailable_periods"), row["__line__"])
    soft_limits_make_sense(c, "staff")


def roles_make_sense(c: _Checks) -> None:
    at_least(c, "roles", "annual_cost", 0, "a cost", " dollars")
    at_least(c, "roles", "max_sections", 0, "a number of sections", " sections")
    at_least(c, "roles", "max_group_size", 1, "the group size of a role that tutors", " student",
             when=lambda row: row.get("tutors") == 1)
    at_least(c, "roles", "max_new_hires", 0, "a number of new hires")
    at_least(c, "roles", "reach", 0, "a team size", " teachers")
    at_least(c, "roles", "team_planning_periods", 0, "a number of common planning periods", " periods")
    team_time_fits_the_day(c)
    soft_limits_make_sense(c, "roles")


def team_time_fits_the_day(c: _Checks) -> None:
    """A team's common planning periods (SPEC §4 rule 13) are teaching periods: no more than the day has."""
    if c.periods is None:
        return
    teaching = c.periods - len(c.intervention & set(range(1, c.periods + 1)))
    for row in c.rows("roles"):
        value = row.get("team_planning_periods")
        if not _blank(value) and value > teaching:
            c.add("roles", row["__line__"], "team_planning_periods",
                  f"{value} common planning periods a day, but the day has {teaching} teaching periods",
                  f"write at most {teaching}")


def soft_limits_make_sense(c: _Checks, table: str) -> None:
    """A teacher's soft limits (staff.csv, or roles.csv for the role) are whole numbers of at least 1: no
    teacher can teach with no course to prepare, nor without teaching one period."""
    at_least(c, table, "max_preps", 1, "a number of distinct courses (preps)", " course")
    at_least(c, table, "max_consecutive", 1, "a number of consecutive teaching periods", " period")


def rooms_and_supports_make_sense(c: _Checks) -> None:
    at_least(c, "rooms", "capacity", 1, "a room's capacity", " student")
    at_least(c, "supports", "cost_per_student", 0, "a cost", " dollars")
    at_least(c, "supports", "capacity", 0, "a support's capacity", " students")


def goals_make_sense(c: _Checks) -> None:
    """Each goal names a known student and kind, and a target that fits its kind (SPEC §1 per-student goals)."""
    references_exist(c, "goals", "student_id", "students")
    courses, supports = c.ids("courses"), c.ids("supports")
    requested = None
    if "requests" not in c.broken and "requests" in c.tables:
        requested = set(zip(c.tables["requests"]["student_id"], c.tables["requests"]["course_id"], strict=True))
    subjects = None
    if not c.broken & {"courses", "staff"}:
        subjects = {row.get("subject") for row in c.rows("courses")} | \
            {s for row in c.rows("staff") for s in split_list(row.get("subjects"))}
    for row in c.rows("goals"):
        line, kind, target = row["__line__"], row.get("goal"), row.get("target")
        subject = row.get("subject")
        if subjects is not None and not _blank(subject) and subject not in subjects:
            c.add("goals", line, "subject", f"no course or staff member has the subject {subject!r}",
                  f"correct the subject{_suggest(subject, {s for s in subjects if isinstance(s, str)})}")
        target = "" if _blank(target) else str(target)
        if _blank(kind):
            continue
        if kind not in GOAL_KINDS:
            c.add("goals", line, "goal", f"unknown goal {kind!r}",
                  "use one of " + ", ".join(GOAL_KINDS) + _suggest(kind, set(GOAL_KINDS)).replace(" (", "; ", 1)
                  .rstrip(")"))
            continue
        if target == "":
            c.add("goals", line, "target", f"a {kind} goal needs a target", "fill in the target (see SPEC §1 goals)")
            continue
        number = _as_number(target)
        if kind == "tutoring_minutes":
            if number is None or number <= 0:
                c.add("goals", line, "target", f"{target!r} is not a positive number of minutes a week",
                      "write the minutes per week, e.g. 90")
            if _blank(row.get("subject")):
                c.add("goals", line, "subject", "a tutoring_minutes goal needs a subject",
                      "write the subject of the tutoring, e.g. math")
        elif kind == "max_class_size":
            if number is None or number < 1 or not number.is_integer():
                c.add("goals", line, "target", f"{target!r} is not a class size of at least 1",
                      "write a whole number of students, e.g. 20")
        elif kind == "strong_teacher":
            if number is None and target.lower() != "leader":
                c.add("goals", line, "target", f"{target!r} is neither an effectiveness rating nor 'leader'",
                      "write a minimum effectiveness such as 3, or leader")
        elif kind == "course":
            if courses is not None and target not in courses:
                c.add("goals", line, "target", f"unknown course {target!r}",
                      f"add it to courses.csv or correct the ID{_suggest(target, courses)}")
            elif requested is not None and (row.get("student_id"), target) not in requested:
                c.add("goals", line, "target",
                      f"student {row.get('student_id')!r} did not request course {target!r}",
                      "add the request to requests.csv, or choose a course the student requested")
        elif kind == "support" and supports is not None and target not in supports:
            c.add("goals", line, "target", f"unknown support {target!r}",
                  f"add it to supports.csv or correct the name{_suggest(target, supports)}")


def pins_make_sense(c: _Checks) -> None:
    """A pinned section must itself obey the hard rules: a real course, teacher, room and teaching period."""
    for column, target in (("course_id", "courses"), ("staff_id", "staff"), ("room_id", "rooms")):
        references_exist(c, "pins", column, target)
    if not c.rows("pins"):
        return
    index = {name: ({row[TABLES[name].key[0]]: row for row in c.rows(name)} if name not in c.broken else {})
             for name in ("courses", "staff", "rooms", "roles")}
    first_section: dict[str, int] = {}
    for row in c.rows("pins"):
        line = row["__line__"]
        course = index["courses"].get(row.get("course_id"))
        staff = index["staff"].get(row.get("staff_id"))
        room = index["rooms"].get(row.get("room_id"))
        section = row.get("section_id")
        if not _blank(section):
            if section in first_section:
                c.add("pins", line, "section_id", f"section {section!r} is pinned again (first on line "
                      f"{first_section[section]})", "give each pinned section its own section_id")
            first_section.setdefault(section, line)
        period = row.get("period")
        if not _blank(period):
            if c.periods is not None and not 1 <= period <= c.periods:
                c.add("pins", line, "period", f"period {period} is not in the school day (periods 1 to {c.periods})",
                      "pin a period between 1 and school.periods_per_day")
            elif period in c.intervention:
                c.add("pins", line, "period", f"period {period} is an intervention period, kept free of sections",
                      "pin another period, or take it out of school.intervention_periods")
            elif staff is not None and str(period) in split_list(staff.get("unavailable_periods")):
                c.add("pins", line, "period", f"{staff['staff_id']} is unavailable in period {period}",
                      "pin another period or another teacher, or correct unavailable_periods in staff.csv")
        if course is not None and room is not None and not _blank(course.get("room_type")) \
                and course["room_type"] != room.get("room_type"):
            kind = f"is of type {room['room_type']!r}" if room.get("room_type") else "has no room type"
            c.add("pins", line, "room_id",
                  f"course {course['course_id']!r} needs a {course['room_type']} room but room "
                  f"{room['room_id']!r} {kind}",
                  f"pin a {course['room_type']} room, or change the course's room_type")
        if course is not None and staff is not None:
            subjects = split_list(staff.get("subjects"))
            if course.get("subject") not in subjects:
                c.add("pins", line, "staff_id",
                      f"{staff['staff_id']} does not hold {course['subject']} (their subjects: "
                      f"{', '.join(subjects) or 'none'})",
                      f"pin a teacher who holds {course['subject']}, or add it to their subjects in staff.csv")
            role = index["roles"].get(staff.get("role"))
            if role is not None and role.get("teaches_sections") == 0:
                c.add("pins", line, "staff_id", f"{staff['staff_id']} is a {role['role']}, a role that does not "
                      "teach sections", "pin a teacher")


def pins_do_not_clash(c: _Checks) -> None:
    """Pinned sections may not double-book a teacher or a room, nor give a teacher more sections than allowed."""
    rows, seen_sections = [], set()
    for row in c.rows("pins"):
        section = row.get("section_id")
        if not _blank(section) and section in seen_sections:
            continue   # already reported as a section pinned twice
        seen_sections.add(section)
        rows.append(row)
    for column, noun in (("staff_id", "teacher"), ("room_id", "room")):
        first: dict[tuple, int] = {}
        for row in rows:
            key = (row.get(column), row.get("period"))
            if _blank(key[0]) or _blank(key[1]):
                continue
            if key in first:
                c.add("pins", row["__line__"], column,
                      f"{noun} {key[0]!r} is pinned to two sections in period {key[1]} (the other on line "
                      f"{first[key]})", f"pin one of them to another period or another {noun}")
            first.setdefault(key, row["__line__"])
    if "staff" in c.broken or "roles" in c.broken:
        return
    roles = {row["role"]: row for row in c.rows("roles")}
    staff = {row["staff_id"]: row for row in c.rows("staff")}
    pinned: dict[str, list[int]] = {}
    for row in rows:
        member = staff.get(row.get("staff_id"))
        if member is not None and roles.get(member.get("role"), {}).get("teaches_sections") != 0:
            pinned.setdefault(row["staff_id"], []).append(row["__line__"])   # a non-teacher is reported above
    for staff_id, lines in pinned.items():
        limits = [staff[staff_id].get("max_sections"), roles.get(staff[staff_id].get("role"), {}).get("max_sections")]
        limits = [int(v) for v in limits if not _blank(v)]
        if limits and len(lines) > min(limits):
            c.add("pins", lines[min(limits)], "staff_id",
                  f"{staff_id} is pinned to {len(lines)} sections but may teach at most {min(limits)}",
                  "pin some of these sections to another teacher, or raise max_sections")


def text_is_not_a_formula(c: _Checks) -> None:
    """No text in a table begins like a spreadsheet formula (=, +, -, @, tab, return first). Scenario folders
    travel between schools and workshops, and their IDs and names reach every result CSV, which a leader
    opens in a spreadsheet: a cell such as `=HYPERLINK(…)` would run there. One line per table and column."""
    for table in c.tables:
        found: dict[str, list[int]] = {}
        for row in c.rows(table):
            for column, value in row.items():
                if column != "__line__" and formula_like(value):
                    found.setdefault(column, []).append(row["__line__"])
        for column, lines in found.items():
            first = next(r[column] for r in c.rows(table) if r["__line__"] == lines[0])
            c.add(table, lines[0], column, f"{first[:20]!r} begins like a spreadsheet formula{_lines(lines)}",
                  "rename it so that it begins with a letter or a digit: a spreadsheet opening the plan would run it")


def assessments_make_sense(c: _Checks) -> None:
    """Each assessment names a known student and subject, a cycle numbered from 1, and a grade-level equivalent."""
    references_exist(c, "assessments", "student_id", "students")
    at_least(c, "assessments", "cycle", 1, "a cycle number", " (cycles are numbered 1, 2, 3…)")
    subjects = None
    if not c.broken & {"courses", "staff"}:
        subjects = {row.get("subject") for row in c.rows("courses")} | \
            {s for row in c.rows("staff") for s in split_list(row.get("subjects"))}
    unknown: dict[str, list[int]] = {}
    for row in c.rows("assessments"):
        subject, level = row.get("subject"), row.get("level")
        if subjects is not None and not _blank(subject) and subject not in subjects:
            unknown.setdefault(subject, []).append(row["__line__"])
        if not _blank(level) and not LEVELS[0] <= level <= LEVELS[1]:
            c.add("assessments", row["__line__"], "level", f"level {level:g} is not a grade-level equivalent",
                  f"write a level between {LEVELS[0]} and {LEVELS[1]}, e.g. 4.5 for the middle of grade 4")
    for subject, lines in unknown.items():
        known = {s for s in subjects if isinstance(s, str)}
        c.add("assessments", lines[0], "subject", f"no course or staff member has the subject {subject!r}"
              f"{_lines(lines)}", f"correct the subject{_suggest(subject, known)}")


LEVELS = (0, 20)   # kindergarten (0) to well past grade 12: anything else is a typing slip

CHECKS = (school_settings, calendar_settings, one_time_revenue_is_part_of_other_revenue,
          funding_weights_name_numeric_columns, ids_are_unique, students_in_school_grades, courses_make_sense,
          requests_make_sense, staff_make_sense, roles_make_sense, rooms_and_supports_make_sense, goals_make_sense,
          pins_make_sense, pins_do_not_clash, courses_follow_the_calendar, assessments_make_sense,
          text_is_not_a_formula)


def _sorted(problems: list[Problem]) -> list[Problem]:
    """By file, then row: the order a person fixes them in."""
    return sorted(problems, key=lambda p: (p.file, p.row or 0))


def _check(tables: dict[str, pd.DataFrame], settings: Settings | None, folder: Path | None,
           broken: set[str]) -> list[Problem]:
    checks = _Checks(tables=tables, settings=settings, folder=folder, broken=set(broken))
    for check in CHECKS:
        try:
            check(checks)
        except Exception as exc:   # noqa: BLE001 - tables edited in memory may hold anything; never a traceback
            if debug_requested():
                raise
            checks.problems.append(Problem("scenario", None, None,
                                           f"{check.__name__.replace('_', ' ')} could not be checked ({exc!r})",
                                           "correct the values of the tables it reads"))
    return checks.problems


def broken_tables(problems: list[Problem]) -> set[str]:
    """Tables read only in part: the file or its header is wrong, a row was dropped, or an ID is unreadable."""
    files = {p.file for p in problems if p.row is None or p.row == 1 or p.column is None}
    keys = {(spec.file, spec.key[0]) for spec in TABLES.values() if spec.key}
    files |= {p.file for p in problems if (p.file, p.column) in keys}   # a blank ID: references would cascade
    return {name for name, spec in TABLES.items() if spec.file in files}


def check_scenario(scenario: Scenario, broken: set[str] | frozenset = frozenset()) -> list[Problem]:
    """Cross-table checks on a scenario (tables carrying `__line__` give exact lines; others count from 2)."""
    tables = {name: scenario.table(name) for name in TABLES}
    return _sorted(_check(tables, scenario.settings, scenario.path, set(broken)))


def _read_and_check(folder: str | Path):
    settings, raw, tables, problems = read_parts(folder)
    if tables:
        problems = problems + _check(tables, settings, Path(folder), broken_tables(problems))
    return settings, raw, tables, _sorted(problems)


def validate_scenario(folder: str | Path) -> list[Problem]:
    """Every problem in the folder, sorted by file then row; an empty list means it can be planned."""
    return _read_and_check(folder)[3]


def load_scenario(folder: str | Path) -> Scenario:
    """The scenario, ready to plan; raises `ScenarioInvalid` listing every problem."""
    settings, raw, tables, problems = _read_and_check(folder)
    if problems or settings is None:
        raise ScenarioInvalid(problems)
    return strip_lines(Scenario(settings=settings, path=Path(folder), raw_settings=raw, **tables))
