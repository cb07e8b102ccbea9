"""A short description of a valid scenario, printed by `workbench validate`, and the warnings a scheduler
wants before a solve: things that are allowed but cannot all be met."""

from __future__ import annotations

import pandas as pd

from workbench.scenario.calendar import Calendar, calendar_of, course_footprint
from workbench.scenario.funding import total_revenue
from workbench.scenario.model import Scenario
from workbench.scenario.schema import split_list


def overloaded_students(scenario: Scenario) -> pd.DataFrame:
    """Students who request more courses than their year has room for. On a plain week a section meets in one
    period every day, so a student fits one course a teaching period; on a calendar (SPEC §4) the room comes
    from the time model: a course that meets on one day type, or runs for one term, leaves the other day types
    or terms free for more (A/B days: 4 blocks × 2 day types = 8 courses), and a double period, or a year-long
    every-day course among them, takes the room of several. Columns: student_id, required, electives
    (priority 1 and 2 requests), periods (teaching periods a day), room (courses of the smallest kind that
    fit), span (how the room is counted, '' on a plain week) and wide (the requested courses that take the
    room of more than one, e.g. 'ALG1 (meets every day) takes the room of 2'). Sorted by student_id."""
    periods = len(scenario.teaching_periods)
    cal = calendar_of(scenario)
    size = course_footprint(scenario.courses, cal)
    unit_terms = int(size["terms"].min()) if len(size) else len(cal.terms)
    unit_days = int(size["days"].min()) if len(size) else cal.days
    room = periods * (len(cal.terms) // unit_terms) * (cal.days // unit_days)
    takes = (size["slots"] // (unit_terms * unit_days)).clip(lower=1)
    requests = scenario.requests[scenario.requests["priority"].astype(int) < 3]
    requests = requests.assign(course_id=requests["course_id"].astype(str),
                               required=requests["priority"].astype(int) == 1,
                               electives=requests["priority"].astype(int) == 2)
    requests = requests.assign(takes=requests["course_id"].map(takes).fillna(1).astype(int))
    counts = (requests.groupby("student_id", sort=True)[["required", "electives", "takes"]].sum().astype(int)
              .reset_index())
    counts = counts[counts["takes"] > room].reset_index(drop=True)
    why = _wide_words(size, unit_terms, unit_days)
    wide = requests[requests["takes"] > 1].drop_duplicates(["student_id", "course_id"])
    said: dict[str, list[str]] = {}
    for student, course, k in zip(wide["student_id"], wide["course_id"], wide["takes"], strict=True):
        said.setdefault(student, []).append(f"{course} ({why[course]}) takes the room of {k}")
    counts["periods"] = periods
    counts["room"] = room
    counts["span"] = _span_words(cal, periods, unit_terms, unit_days)
    counts["wide"] = [", ".join(said.get(student, [])) for student in counts["student_id"]]
    return counts[["student_id", "required", "electives", "periods", "room", "span", "wide"]]


def _span_words(cal: Calendar, periods: int, unit_terms: int, unit_days: int) -> str:
    """How a student's room is counted on a calendar: '4 teaching periods on each of 2 day types, A and B', or
    '' when it is the plain day's periods."""
    parts = []
    if unit_days < cal.days:
        parts_of_cycle = cal.days // unit_days
        types = [name for name, days in cal.types.items() if len(days) == unit_days]
        parts.append(f"on each of {len(types)} day types, {_and(types)}" if len(types) == parts_of_cycle
                     else f"in each {unit_days}-day part of the {cal.days}-day cycle")
    if unit_terms < len(cal.terms):
        parts.append(f"in each of {len(cal.terms)} terms, {_and(cal.terms)}")
    return f"{periods} teaching periods {' '.join(parts)}" if parts else ""


def _and(names) -> str:
    """'A and B', 'fall, winter and spring'."""
    names = [str(n) for n in names]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _wide_words(size: pd.DataFrame, unit_terms: int, unit_days: int) -> dict[str, str]:
    """course_id -> why the course takes the room of more than one: 'meets every day', 'runs all year', 'is a
    double period', joined by 'and'."""
    words = {}
    for course, row in size.iterrows():
        why = (["runs all year"] if row["terms"] > unit_terms else []) + \
              (["meets every day"] if row["days"] > unit_days else []) + \
              (["is a double period"] if row["periods"] > 1 else [])
        words[str(course)] = " and ".join(why)
    return words


def overload_sentence(row) -> str:
    """Why some of an overloaded student's requests cannot all be placed, in a counsellor's words."""
    asked = f"{row.required} required course{'s' if row.required != 1 else ''}"
    if row.electives:
        asked += f" and {row.electives} elective{'s' if row.electives != 1 else ''}"
    wide = f"; {row.wide}" if row.wide else ""
    if not row.span:
        return (f"the student requested {asked} but the day has only {row.periods} teaching periods, "
                f"so at most {row.room} can be placed{wide}")
    return (f"the student requested {asked} but the timetable has room for only {row.room} "
            f"({row.span}), so at most {row.room} can be placed{wide}")


def conflict_matrix(scenario: Scenario) -> pd.DataFrame:
    """The course conflict matrix schedulers read before building a master schedule: for every pair of
    courses that some student requests together (required or elective), how many students do. Columns:
    course_a, course_b (course_a < course_b), students. Sorted by students, most first."""
    req = scenario.requests[scenario.requests["priority"].astype(int) < 3][["student_id", "course_id"]]
    req = req.astype(str).drop_duplicates()
    pairs = req.merge(req, on="student_id", suffixes=("_a", "_b"))
    pairs = pairs[pairs["course_id_a"] < pairs["course_id_b"]]
    out = (pairs.groupby(["course_id_a", "course_id_b"]).size().rename("students").reset_index()
           .rename(columns={"course_id_a": "course_a", "course_id_b": "course_b"}))
    return out.sort_values(["students", "course_a", "course_b"], ascending=[False, True, True],
                           kind="stable").reset_index(drop=True)


def small_course_collisions(scenario: Scenario) -> pd.DataFrame:
    """The singleton/doubleton report: courses that will run as one or two sections (required and elective
    requests ÷ the course's max_size, rounded up) and how many students request each pair of them. Two
    singletons a student both needs must meet in different periods. Columns: course_a, sections_a,
    course_b, sections_b, students."""
    courses = scenario.courses.assign(course_id=scenario.courses["course_id"].astype(str)).set_index("course_id")
    asked = scenario.requests[scenario.requests["priority"].astype(int) < 3]["course_id"].astype(str).value_counts()
    size = courses["max_size"].astype(int).clip(lower=1)
    sections = (-(-asked.reindex(courses.index, fill_value=0) // size)).astype(int)
    small = sections[(sections >= 1) & (sections <= 2)]
    pairs = conflict_matrix(scenario)
    pairs = pairs[pairs["course_a"].isin(small.index) & pairs["course_b"].isin(small.index)].copy()
    pairs.insert(1, "sections_a", pairs["course_a"].map(small).astype(int))
    pairs.insert(3, "sections_b", pairs["course_b"].map(small).astype(int))
    return pairs.reset_index(drop=True)


def pinned_clashes(scenario: Scenario) -> pd.DataFrame:
    """Courses pinned (pins.csv) to one period only, requested together by some students: they cannot all
    be placed unless another section opens or a pin moves. Columns: course_a, course_b, period, students."""
    pins = scenario.pins
    if pins is None or pins.empty or "period" not in pins.columns:
        return pd.DataFrame(columns=["course_a", "course_b", "period", "students"])
    pins = pins.assign(course_id=pins["course_id"].astype(str))
    periods = pins.groupby("course_id")["period"].agg(lambda p: set(p.dropna().astype(int)) if p.notna().all()
                                                      else set())
    only = {c: next(iter(p)) for c, p in periods.items() if len(p) == 1}
    pairs = conflict_matrix(scenario)
    same = [(only.get(a), only.get(b)) for a, b in zip(pairs["course_a"], pairs["course_b"], strict=True)]
    keep = [pa is not None and pa == pb for pa, pb in same]
    out = pairs[keep].copy()
    out.insert(2, "period", [pa for (pa, _), k in zip(same, keep, strict=True) if k])
    return out.reset_index(drop=True)


def warnings(scenario: Scenario) -> list[str]:
    """Allowed, but not everything asked can be met as things stand, before any solve: one line per overloaded
    student, per pair of courses pinned to the same single period that students request together, per
    course whose co-teacher subject no staff member holds, and per role whose team planning time does nothing
    or leaves no period to teach (`team_time_warnings`)."""
    lines = [f"{row.student_id}: {overload_sentence(row)}" for row in overloaded_students(scenario).itertuples()]
    for row in pinned_clashes(scenario).itertuples():
        who = f"{row.students} student{'s request' if row.students != 1 else ' requests'} both"
        lines.append(f"{row.course_a} and {row.course_b} are both pinned to period {row.period} only and {who}: "
                     "one of them needs another section or a different period")
    return lines + co_teachers_missing(scenario) + team_time_warnings(scenario)


def team_time_warnings(scenario: Scenario) -> list[str]:
    """roles.csv `team_planning_periods` (SPEC §4 rule 13) that does nothing or too much, one line per role
    naming its row and column: set on a role with reach 0 (it leads no team, so the periods are ignored), or
    equal to every teaching period of the day (the leader and her team would then teach no section). More
    periods than the day has is an error (`workbench.scenario.validate`), not a warning."""
    from workbench.scenario.load import csv_line

    roles = scenario.roles
    if "team_planning_periods" not in roles.columns:
        return []
    wanted = pd.to_numeric(roles["team_planning_periods"], errors="coerce").fillna(0).astype(int)
    reach = pd.to_numeric(roles.get("reach", pd.Series(0, index=roles.index)), errors="coerce").fillna(0)
    teaching = len(scenario.teaching_periods)
    lines = []
    for position, (role, n, team) in enumerate(zip(roles["role"].astype(str), wanted, reach, strict=True)):
        if n <= 0:
            continue
        where = f"roles.csv row {csv_line(roles, position)}, column team_planning_periods"
        asks = f"role {role} asks for {n} common planning period{'s' if n != 1 else ''} a day"
        if team <= 0:
            lines.append(f"{where}: {asks}, but its reach is 0, so it leads no team and the periods are ignored "
                         "(give the role a reach, or leave team_planning_periods blank)")
        elif n >= teaching:
            lines.append(f"{where}: {asks}, every teaching period of the day, so its leaders and their teams could "
                         "teach no section (ask for fewer periods)")
    return lines


def co_teachers_missing(scenario: Scenario) -> list[str]:
    """A course whose sections want a co-teacher (`co_teacher_subject`, SPEC §4) that no staff member in
    staff.csv holds: valid, since the staffing step may hire one, but as things stand its sections get no
    second adult. One line per course, in courses.csv order."""
    courses = scenario.courses
    if "co_teacher_subject" not in courses.columns:
        return []
    held = {subject for cell in scenario.staff["subjects"] for subject in split_list(cell)}
    lines = []
    for course, subject in zip(courses["course_id"].astype(str), courses["co_teacher_subject"], strict=True):
        subject = "" if pd.isna(subject) else str(subject).strip()
        if subject and subject not in held:
            lines.append(f"{course} is co-taught with a {subject} teacher, but no staff member in staff.csv holds "
                         f"{subject}: its sections get no co-teacher unless the design hires one (give a teacher "
                         f"the subject {subject}, or allow a hire)")
    return lines


def collisions_report(scenario: Scenario, top: int = 5) -> list[str]:
    """The singleton/doubleton report in a line each: the small courses most often requested together."""
    lines = []
    for row in small_course_collisions(scenario).head(top).itertuples():
        kind = {1: "singleton", 2: "doubleton"}
        lines.append(f"{row.course_a} ({kind[row.sections_a]}) and {row.course_b} ({kind[row.sections_b]}): "
                     f"{row.students} student{'s request' if row.students != 1 else ' requests'} both")
    return lines


def describe(scenario: Scenario) -> str:
    school = scenario.settings.school
    s = scenario
    lines = [
        f"{s.name}: valid",
        f"  students  {len(s.students):>6}  (grades {', '.join(map(str, school.grades))}; "
        f"{int(s.students['ell'].sum())} English learners, {int(s.students['iep'].sum())} with IEPs, "
        f"{int(s.students['frl'].sum())} low income)",
        f"  courses   {len(s.courses):>6}",
        f"  requests  {len(s.requests):>6}  ({int((s.requests['priority'] == 1).sum())} required)",
        f"  staff     {len(s.staff):>6}  ({len(s.roles)} roles in the catalogue)",
        f"  rooms     {len(s.rooms):>6}",
        f"  goals     {len(s.goals):>6}",
        f"  schedule  {school.days} days × {school.periods_per_day} periods of {school.minutes_per_period} min"
        + (f"; intervention period(s) {', '.join(map(str, school.intervention_periods))}"
           if school.intervention_periods else ""),
        f"  revenue   ${total_revenue(s):,.0f} a year",
    ]
    small = collisions_report(scenario)
    if small:
        lines.append("  small courses most often requested together (they must meet in different periods):")
        lines += [f"    {line}" for line in small]
    warned = warnings(scenario)
    if warned:
        lines.append(f"  warnings  {len(warned):>6}  (valid, but not everything asked can be met as things stand)")
        lines += [f"    {line}" for line in warned[:20]]
        if len(warned) > 20:
            lines.append(f"    … and {len(warned) - 20} more")
    return "\n".join(lines)
