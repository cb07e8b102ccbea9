"""One school as an SIS describes it, whatever the format, and how it becomes a scenario.

The readers (`oneroster`, `edfi`) fill a `SisSchool` with real SIS IDs and no personal details beyond
them; `build_scenario` swaps every person's ID for a keyed pseudonym, fills what the export does not say
from the default template, builds course requests by a stated rule when the export has none, and records
every choice for IMPORT-REPORT.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.errors import Problem, ScenarioInvalid
from workbench.interop import template
from workbench.interop.pseudonyms import Key
from workbench.scenario.model import Scenario
from workbench.scenario.settings import School, Settings

STUDENT_COLUMNS = ["sis_id", "grade", "ell", "iep", "frl", "math_level", "reading_level"]
STAFF_COLUMNS = ["sis_id", "role", "subjects", "fte"]              # subjects: a Python list
COURSE_COLUMNS = ["course_id", "sis_id", "name", "subject", "grades"]  # grades: a list of ints (may be empty)
SECTION_COLUMNS = ["section_id", "course_id", "staff_sis_id", "room_id", "period"]


@dataclass
class SisSchool:
    """A school read from an export: real SIS IDs, never names, emails or birth dates.

    `students` holds STUDENT_COLUMNS plus any numeric need columns (levels may be NaN when no assessment
    says); `sections` are last year's, one row a year-long section; `enrolments` (student_sis_id,
    course_id) last year's rosters; `requests` (student_sis_id, course_id, priority) explicit course
    requests, or None. `notes` and `dropped` feed the import report."""

    source_format: str
    source_name: str
    school_id: str
    school_name: str
    district_id: str
    school_year: str
    grades: list[int]
    students: pd.DataFrame
    staff: pd.DataFrame
    courses: pd.DataFrame
    rooms: pd.DataFrame                      # room_id, capacity (NaN when the export does not say)
    sections: pd.DataFrame
    enrolments: pd.DataFrame
    requests: pd.DataFrame | None = None
    periods_per_day: int | None = None
    minutes_per_period: int | None = None
    sessions: list[dict] = field(default_factory=list)   # OneRoster academicSessions rows, for the export
    notes: list[str] = field(default_factory=list)
    dropped: dict[str, list[str]] = field(default_factory=dict)   # file -> personal or unused fields left out
    left_out: list[str] = field(default_factory=list)


@dataclass
class Imported:
    scenario: Scenario
    report: list[str]            # facts for IMPORT-REPORT.md, in order: see report.render
    defaults: list[template.Default]
    ids: dict[str, tuple[str, str]]   # pseudonym -> (kind, sis_id), for the table beside the key
    request_rule: str


def slug(text: str) -> str:
    """'Fine and Performing Arts' -> 'fine_and_performing_arts': a subject ID from an SIS label."""
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_") or "general"


# ---- pseudonyms ---------------------------------------------------------------------------------------
def _pseudonyms(key: Key, kind: str, sis_ids: pd.Series) -> dict[str, str]:
    out: dict[str, str] = {}
    seen: dict[str, str] = {}
    for sis_id in sorted(set(sis_ids)):
        name = key.pseudonym(kind, sis_id)
        if name in seen:
            raise ScenarioInvalid([Problem("key", None, None, f"two {kind} IDs share the pseudonym {name}",
                                           "import again with a new key file (a clash has odds of about one "
                                           "in a million)")])
        seen[name] = sis_id
        out[sis_id] = name
    return out


# ---- course requests ----------------------------------------------------------------------------------
def _open_courses(courses: pd.DataFrame, grade: int) -> list[str]:
    pairs = zip(courses["course_id"], courses["grades"], strict=True)
    return [c for c, grades in pairs if not grades or grade in grades]


def requests_by_rule(students: pd.DataFrame, courses: pd.DataFrame, sections: pd.Series,
                     teaching_periods: int) -> tuple[pd.DataFrame, str]:
    """Course requests when the export has none: each student asks for k courses open to their grade,
    always the ones with the most seats left in last year's sections, so that every course is asked for in
    proportion to the sections it ran. k, grade by grade, is the seats of the courses open to the grade (at the
    default class cap, planned FILL full, a course's seats shared among all the students who may take it) per
    student, at most one course a teaching period.

    `students` (student_id, grade) in the order they are served (by pseudonym: stable for a key); `courses`
    with `grades` as lists; `sections` course_id -> last year's count. Returns the table (priority 1) and the
    rule in words."""
    seats = {c: int(sections.get(c, 0)) * int(size) for c, size in zip(courses["course_id"], courses["max_size"],
                                                                         strict=True)}
    by_grade = students["grade"].astype(int).value_counts().to_dict()
    open_by_grade = {g: [c for c in _open_courses(courses, g) if seats.get(c, 0) > 0] for g in by_grade}
    takers = {c: sum(n for g, n in by_grade.items() if c in open_by_grade[g]) for c in seats}
    k = {g: max(1, min(teaching_periods, len(options),
                       int(np.floor(template.FILL * sum(seats[c] / takers[c] for c in options)))))
         for g, options in open_by_grade.items()}
    left = dict(seats)
    rows = []
    for student in students.itertuples():
        grade = int(student.grade)
        for course in sorted(open_by_grade[grade], key=lambda c: (-left[c], c))[:k[grade]]:
            left[course] -= 1
            rows.append((student.student_id, course, 1))
    counts = sorted(set(k.values()))
    said = str(counts[0]) if len(counts) == 1 else ", ".join(f"{k[g]} in grade {g}" for g in sorted(k))
    rule = (f"The export holds no course requests, so they were built by a rule: each student asks for {said} "
            "courses (priority 1, required) among those open to their grade, always taking the courses with the "
            "most seats left in last year's sections, so each course is asked for in proportion to the sections it "
            f"ran. The number is the seats of last year's {int(sections.sum())} sections at {template.CLASS_CAP} "
            f"students, planned {template.FILL:.0%} full ({int(template.FILL * sum(seats.values())):,} seats), "
            f"shared among the {len(students):,} students who may take them, at most one course a teaching period "
            f"({teaching_periods}). Replace requests.csv with the students' real requests before deciding anything.")
    return pd.DataFrame(rows, columns=["student_id", "course_id", "priority"]), rule


def _requests(sis: SisSchool, students: pd.DataFrame, courses: pd.DataFrame, student_ids: dict[str, str],
              teaching_periods: int) -> tuple[pd.DataFrame, str]:
    if sis.requests is not None and not sis.requests.empty:
        out = sis.requests.assign(student_id=sis.requests["student_sis_id"].map(student_ids))
        return out[["student_id", "course_id", "priority"]], (
            f"Course requests come from the export ({len(out):,} requests).")
    if not sis.enrolments.empty:
        out = sis.enrolments.assign(student_id=sis.enrolments["student_sis_id"].map(student_ids), priority=1)
        out = out.drop_duplicates(["student_id", "course_id"])
        without = len(students) - out["student_id"].nunique()
        extra = f" {without} students had no class last year and so ask for no course." if without else ""
        return out[["student_id", "course_id", "priority"]], (
            "The export holds no course requests, so each student asks (priority 1, required) for the courses of "
            f"the classes they were enrolled in: {len(out):,} requests.{extra} Replace requests.csv with next "
            "year's requests when you have them.")
    count = sis.sections.groupby("course_id").size()
    return requests_by_rule(students[["student_id", "grade"]], courses, count, teaching_periods)


# ---- the tables ---------------------------------------------------------------------------------------
def _students(sis: SisSchool, ids: dict[str, str]) -> tuple[pd.DataFrame, int]:
    frame = sis.students.copy()
    frame.insert(0, "student_id", frame.pop("sis_id").map(ids))
    missing = int(frame["math_level"].isna().sum() + frame["reading_level"].isna().sum())
    middle = frame["grade"].astype(float) + 0.5
    frame["math_level"] = frame["math_level"].fillna(middle).round(1)
    frame["reading_level"] = frame["reading_level"].fillna(middle).round(1)
    for column in ("grade", "ell", "iep", "frl"):
        frame[column] = frame[column].astype("int64")
    return frame.sort_values("student_id").reset_index(drop=True), missing


def _staff(sis: SisSchool, ids: dict[str, str], roles: pd.DataFrame, teaching: int) -> tuple[pd.DataFrame, list[str]]:
    """Staff with the role's max_sections, raised to last year's load when a teacher taught more."""
    taught = sis.sections.groupby("staff_sis_id").size()
    role_max = roles.set_index("role")["max_sections"]
    rows, notes = [], []
    for row in sis.staff.itertuples():
        usual = int(role_max.get(row.role, 0))
        last_year = int(taught.get(row.sis_id, 0))
        rows.append({"staff_id": ids[row.sis_id], "role": row.role, "subjects": ";".join(sorted(set(row.subjects))),
                     "max_sections": min(teaching, max(usual, last_year)), "fte": row.fte,
                     "unavailable_periods": "", "effectiveness": np.nan})
        if last_year > usual:
            notes.append(ids[row.sis_id])
    frame = pd.DataFrame(rows, columns=["staff_id", "role", "subjects", "max_sections", "fte", "unavailable_periods",
                                        "effectiveness"])
    return frame.sort_values("staff_id").reset_index(drop=True), notes


def _pins(sis: SisSchool, staff_ids: dict[str, str]) -> pd.DataFrame:
    pins = sis.sections.assign(staff_id=sis.sections["staff_sis_id"].map(staff_ids))
    pins = pins[["course_id", "section_id", "staff_id", "period", "room_id"]]
    return pins.sort_values("section_id").reset_index(drop=True)


def _rooms(sis: SisSchool) -> tuple[pd.DataFrame, int]:
    rooms = sis.rooms.copy()
    missing = int(rooms["capacity"].isna().sum())
    rooms["capacity"] = rooms["capacity"].fillna(template.CLASS_CAP).astype("int64")
    rooms["room_type"] = ""
    return rooms[["room_id", "capacity", "room_type"]].sort_values("room_id").reset_index(drop=True), missing


GRADES_IN_TITLE = re.compile(r"\bgrades?\s+(\d{1,2})(?:\s*(?:-|–|to|and|&)\s*(\d{1,2}))?\b", re.IGNORECASE)


def _course_grades(courses: pd.DataFrame, school: list[int]) -> tuple[list[str], int]:
    """Each course's grades as a cell ('7;8'). A course the export gives no grades for takes the grades its
    title names ('Mathematics, Grade 7'; 'Health Education, Grades 7-8'), kept to the school's grades; the
    number of courses so read is returned for the report."""
    cells, titled = [], 0
    for name, given in zip(courses["name"], courses["grades"], strict=True):
        grades = sorted(given)
        match = GRADES_IN_TITLE.search(str(name)) if not grades else None
        if match:
            low, high = int(match.group(1)), int(match.group(2) or match.group(1))
            grades = [g for g in range(low, high + 1) if g in school]
            titled += bool(grades)
        cells.append(";".join(str(g) for g in grades))
    return cells, titled


def _default_rooms(sections: int, requests: pd.DataFrame, periods: int) -> pd.DataFrame:
    """Classrooms enough for last year's sections, or for the sections the requests need, in every period."""
    demand = requests[requests["priority"] <= 2].groupby("course_id").size()
    needed = max(sections, int(np.ceil(demand / (template.CLASS_CAP * template.FILL)).sum()))
    count = max(1, int(np.ceil(needed / max(1, periods) * template.SPARE_ROOMS)))
    return pd.DataFrame({"room_id": [f"R{i + 1:02d}" for i in range(count)], "capacity": template.CLASS_CAP,
                         "room_type": ""})


def _course_table(sis: SisSchool, grades: list[int]) -> tuple[pd.DataFrame, int]:
    courses = sis.courses.copy()
    courses["max_size"] = template.CLASS_CAP
    courses["room_type"] = ""
    courses["grades"], titled = _course_grades(courses, grades)
    courses = courses[["course_id", "name", "subject", "max_size", "room_type", "grades", "sis_id"]]
    return courses.sort_values("course_id").reset_index(drop=True), titled


def _roles_for(staff: pd.DataFrame, level: str) -> pd.DataFrame:
    """The template's roles, a role's max_sections raised to the most any of its staff may teach."""
    roles = template.roles(level)
    for role, most in staff.groupby("role")["max_sections"].max().items():
        mask = roles["role"] == role
        roles.loc[mask, "max_sections"] = np.maximum(roles.loc[mask, "max_sections"], most)
    return roles


def _raw_settings(sis: SisSchool, key: Key, grades: list[int], periods: int, minutes: int, money: dict) -> dict:
    return {
        "name": f"{sis.school_name} — imported from {sis.source_format}",
        "description": (f"{sis.school_name}, imported from {sis.source_format} ({sis.source_name}, school year "
                        f"{sis.school_year}). Students and staff are keyed pseudonyms; what the export did not say "
                        "came from the default template: see IMPORT-REPORT.md."),
        "school": {"grades": grades, "days": 5, "periods_per_day": periods, "minutes_per_period": int(minutes),
                   "intervention_periods": []},
        "funding": money,
        "sis": {"format": sis.source_format, "school_id": sis.school_id, "district_id": sis.district_id,
                "school_year": sis.school_year, "key_id": key.key_id, "sessions": sis.sessions},
    }


def _defaults(sis: SisSchool, scenario: Scenario, counts: dict[str, int], staff_cost: float) -> list[template.Default]:
    """Every assumption of this import, for the report: only those the export left open are listed."""
    d, school = template.Default, scenario.settings.school
    out = [d("Class size cap (max_size) of every course", f"{template.CLASS_CAP} students",
             f"the generator's cap for a core class; {template.CLASS_SOURCE}")]
    if counts["titled"]:
        out.append(d(f"Grades of {counts['titled']} courses the export gives none for",
                     "the grades their title names ('Mathematics, Grade 7', 'Grades 7-8')",
                     "the course titles; other courses are open to every grade"))
    if counts["default_rooms"]:
        out.append(d(f"Rooms: the export names none, so {len(scenario.rooms)} classrooms of {template.CLASS_CAP} "
                     "seats", "R01 ...", "enough for the sections the requests need in every period, with the "
                     "generator's 10% to spare: replace rooms.csv with the school's rooms"))
    elif counts["rooms_missing"]:
        out.append(d(f"Capacity of {counts['rooms_missing']} rooms the export gives no size for",
                     f"{template.CLASS_CAP} seats", "the class size cap"))
    if not sis.minutes_per_period:
        out.append(d("Minutes per period", f"{school.minutes_per_period}", "the workbench's default"))
    if not sis.periods_per_day:
        out.append(d("Periods per day", f"{school.periods_per_day}", "the highest period of last year's classes, "
                     "at least 7 (a typical US high school runs 7-8)"))
    out.append(d("Days in the schedule cycle", "5", "one week; the workbench's default"))
    out.append(d("Intervention periods (kept free for small groups)", "none",
                 "the export names none; set school.intervention_periods to add one"))
    if counts["levels_missing"]:
        out.append(d(f"Math or reading level of students without an assessment ({counts['levels_missing']} "
                     "levels)", "the middle of the student's grade (grade + 0.5)", "no assessment result in the "
                     "export"))
    out += template.role_defaults(scenario.roles)
    out += template.funding_defaults(scenario.raw_settings["funding"], staff_cost)
    out.append(d("Supports on offer (screening, mentoring, devices…)",
                 ", ".join(f"{r.support} ${r.cost_per_student:,.0f}" for r in scenario.supports.itertuples()),
                 "illustrative costs, not published figures"))
    return out


def build_scenario(sis: SisSchool, key: Key, pin_current: bool = False) -> Imported:
    """The scenario of an imported school, every person a pseudonym, with what the report must say.

    Raises ScenarioInvalid only for a pseudonym clash; everything else the readers have checked."""
    student_ids = _pseudonyms(key, "student", sis.students["sis_id"])
    staff_ids = _pseudonyms(key, "staff", sis.staff["sis_id"])
    grades = sorted(set(int(x) for x in sis.grades) | set(int(x) for x in sis.students["grade"]))
    periods = sis.periods_per_day or int(max([7, *sis.sections["period"].dropna().astype(int)]))
    students, levels_missing = _students(sis, student_ids)
    courses, titled = _course_table(sis, grades)
    staff, raised = _staff(sis, staff_ids, template.roles(template.level_of(grades)), periods)
    roles = _roles_for(staff, template.level_of(grades))
    listed = courses.assign(grades=courses["grades"].map(lambda cell: [int(x) for x in cell.split(";") if x]))
    requests, rule = _requests(sis, students, listed, student_ids, periods)
    requests = requests.sort_values(["student_id", "priority", "course_id"]).reset_index(drop=True)
    rooms, rooms_missing = _rooms(sis)
    default_rooms = rooms.empty
    if default_rooms:
        rooms = _default_rooms(len(sis.sections), requests, periods)
    pins = _pins(sis, staff_ids) if pin_current else pd.DataFrame(columns=["course_id", "section_id", "staff_id",
                                                                             "period", "room_id"])
    cost = roles.set_index("role")["annual_cost"].reindex(staff["role"]).to_numpy()
    staff_cost = float(np.nansum(cost * staff["fte"].fillna(1.0).to_numpy()))
    minutes = sis.minutes_per_period or School.model_fields["minutes_per_period"].default
    raw = _raw_settings(sis, key, grades, periods, minutes, template.funding(students, staff_cost, grades))
    scenario = Scenario(settings=Settings.model_validate(raw), students=students, courses=courses,
                        requests=requests, staff=staff, roles=roles, rooms=rooms,
                        goals=pd.DataFrame(columns=["student_id", "goal", "target", "subject"]),
                        supports=template.supports(), pins=pins, raw_settings=raw)
    counts = {"titled": titled, "default_rooms": int(default_rooms), "rooms_missing": rooms_missing,
              "levels_missing": levels_missing}
    report = [f"{len(raised)} staff taught more sections last year than their role's usual load; their "
              "max_sections was raised to last year's load."] if raised else []
    ids = {v: ("student", k) for k, v in student_ids.items()} | {v: ("staff", k) for k, v in staff_ids.items()}
    return Imported(scenario, report, _defaults(sis, scenario, counts, staff_cost), ids, rule)
