"""OneRoster 1.1 CSV (a folder or a zip) -> `SisSchool` (SPEC §5): one school of a district's export.

Read: orgs, academicSessions, courses, classes, users, enrollments, and the workbench's two optional
extension files, courseRequests.csv (sourcedId, userSourcedId, courseSourcedId, priority,
alternateForCourseSourcedId) and userFlags.csv (userSourcedId, flag[, value]: ell | iep | frl |
math_level | reading_level | any numeric need column). demographics.csv is never read (birth dates, sex,
race). Of users.csv only sourcedId, role, orgSourcedIds, grades and enabledUser are read.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.atomic import formula_like
from workbench.errors import Problem, ScenarioInvalid
from workbench.interop.school import COURSE_COLUMNS, SECTION_COLUMNS, STAFF_COLUMNS, SisSchool, slug
from workbench.interop.sources import FORMULA_FIX, Source, open_source, read_csv
from workbench.scenario.schema import PERSONAL_COLUMNS

FORMAT = "OneRoster 1.1 CSV"
NEEDED = {
    "orgs.csv": ["sourcedId", "name", "type"],
    "academicSessions.csv": ["sourcedId", "title", "type", "startDate", "endDate", "schoolYear"],
    "courses.csv": ["sourcedId", "title", "orgSourcedId"],
    "classes.csv": ["sourcedId", "title", "courseSourcedId", "schoolSourcedId", "termSourcedIds"],
    "users.csv": ["sourcedId", "role", "orgSourcedIds"],
    "enrollments.csv": ["sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"],
}
OPTIONAL = {
    "courseRequests.csv": ["sourcedId", "userSourcedId", "courseSourcedId"],
    "userFlags.csv": ["userSourcedId", "flag"],
}
USERS_READ = {"sourcedId", "status", "dateLastModified", "role", "orgSourcedIds", "grades", "enabledUser"}
STAFF_ROLES = {"teacher": "teacher", "aide": "paraprofessional"}
NOT_PLANNED = {"IT", "PR", "PK", "TK", "PS", "UG", "OTHER", "13"}    # CEDS grade codes outside K-12
SESSION_COLUMNS = ["sourcedId", "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"]
FLAG_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


def split(cell: str) -> list[str]:
    """A OneRoster list cell ('09,10' or 'a, b') as its items."""
    return [part.strip() for part in str(cell).split(",") if part.strip()]


def ceds_grade(code: str) -> int | None | str:
    """'09' -> 9, 'KG' -> 0; a CEDS code outside K-12 ('PK') -> None; anything else -> 'bad'."""
    code = code.strip()
    if code.upper() == "KG":
        return 0
    if code.isdigit() and 1 <= int(code) <= 12:
        return int(code)
    return None if code.upper() in NOT_PLANNED else "bad"


class _Reader:
    def __init__(self, source: Source):
        self.source = source
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.dropped: dict[str, list[str]] = {}
        missing = [name for name in NEEDED if not source.has(name)]
        if missing:
            raise ScenarioInvalid([Problem(source.label, None, None, f"holds no {name}",
                                           "export the OneRoster 1.1 CSV files of the school into one folder or zip")
                                   for name in missing])
        self.tables = {name: self._active(name, read_csv(source, name, columns)) for name, columns in NEEDED.items()}
        for name, columns in OPTIONAL.items():
            if source.has(name):
                self.tables[name] = self._active(name, read_csv(source, name, columns))
        if source.has("demographics.csv"):
            columns = [c for c in read_csv(source, "demographics.csv", []).columns if c != "line__"]
            self.dropped["demographics.csv"] = ["the whole file: " + ", ".join(columns)]
        users = [c for c in self.tables["users.csv"].columns if c != "line__"]
        self.dropped["users.csv"] = [c for c in users if c not in USERS_READ]
        ignored = sorted(set(n for n in source.names if n.endswith(".csv"))
                         - set(NEEDED) - set(OPTIONAL) - {"demographics.csv", "manifest.csv"})
        if ignored:
            self.notes.append(f"Not read (the workbench does not use them): {', '.join(ignored)}.")

    def formulas(self, checks: dict[str, list[str]]) -> None:
        """IDs and titles that reach the scenario's CSV files may not start like a spreadsheet formula."""
        for file, columns in checks.items():
            frame = self.tables[file]
            for column in (c for c in columns if c in frame.columns):
                for line, value in zip(frame["line__"], frame[column], strict=True):
                    if formula_like(value):
                        self.problem(file, line, column, f"{value[:20]!r} begins like a spreadsheet formula",
                                     FORMULA_FIX)

    @staticmethod
    def _active(name: str, frame: pd.DataFrame) -> pd.DataFrame:
        if "status" in frame.columns:
            frame = frame[frame["status"].str.lower() != "tobedeleted"]
        return frame.reset_index(drop=True)

    def problem(self, file: str, line, column: str | None, message: str, fix: str) -> None:
        self.problems.append(Problem(file, None if line is None else int(line), column, message, fix))

    def fail_if_any(self) -> None:
        if self.problems:
            raise ScenarioInvalid(self.problems)


# ---- school, sessions, classes ------------------------------------------------------------------------------
def _school(r: _Reader, wanted: str | None) -> tuple[dict, str]:
    orgs = r.tables["orgs.csv"]
    schools = orgs[orgs["type"].str.lower() == "school"]
    if wanted is not None:
        match = schools[(schools["sourcedId"] == wanted) | (schools.get("identifier", schools["sourcedId"]) == wanted)]
        if match.empty:
            raise ScenarioInvalid([Problem("orgs.csv", None, "sourcedId", f"no school {wanted!r} in the export",
                                           "give --school one of: " + ", ".join(schools["sourcedId"]))])
    elif len(schools) != 1:
        raise ScenarioInvalid([Problem("orgs.csv", None, "type", f"the export holds {len(schools)} schools",
                                       "choose one with --school: " + (", ".join(schools["sourcedId"]) or "none"))])
    else:
        match = schools
    school = match.iloc[0].to_dict()
    parent = school.get("parentSourcedId", "")
    district = parent if parent and parent in set(orgs["sourcedId"]) else school["sourcedId"]
    return school, district


def _sessions(r: _Reader, classes: pd.DataFrame) -> tuple[pd.DataFrame, str, dict]:
    """The classes of the latest school year among this school's, that year, and its sessions by ID."""
    sessions = r.tables["academicSessions.csv"].set_index("sourcedId", drop=False)
    by_id = {k: v for k, v in sessions.to_dict("index").items()}
    years = {}
    for row in classes.itertuples():
        terms = split(row.termSourcedIds)
        unknown = [t for t in terms if t not in by_id]
        if not terms or unknown:
            r.problem("classes.csv", row.line__, "termSourcedIds",
                      f"term {', '.join(unknown) or '(none)'} is not in academicSessions.csv",
                      "export the class's terms in academicSessions.csv")
            continue
        years[row.Index] = max(by_id[t]["schoolYear"] for t in terms)
    r.fail_if_any()
    if not years:
        raise ScenarioInvalid([Problem("classes.csv", None, "schoolSourcedId", "the school has no class",
                                       "export the school's classes")])
    latest = max(years.values())
    keep = [i for i, y in years.items() if y == latest]
    return classes.loc[keep], latest, by_id


def _period(r: _Reader, row) -> int | None:
    values = split(getattr(row, "periods", ""))
    if not values:
        return None
    match = re.search(r"\d+", values[0])
    if match is None or not 1 <= int(match.group()) <= 16:
        r.problem("classes.csv", row.line__, "periods", f"{values[0]!r} is not a period number (1 to 16)",
                  "write the class's period as a number")
        return None
    return int(match.group())


def _teachers(r: _Reader, class_ids: set[str]) -> tuple[dict[str, str], pd.DataFrame]:
    """Each class's teacher (the primary one when several), and the student enrolments."""
    enrol = r.tables["enrollments.csv"]
    enrol = enrol[enrol["classSourcedId"].isin(class_ids)]
    teachers = enrol[enrol["role"].str.lower() == "teacher"].copy()
    teachers["first"] = teachers.get("primary", pd.Series("", index=teachers.index)).str.lower() != "true"
    teachers = teachers.sort_values(["classSourcedId", "first", "userSourcedId"])
    lead = teachers.drop_duplicates("classSourcedId").set_index("classSourcedId")["userSourcedId"].to_dict()
    if len(teachers) > len(lead):
        r.notes.append(f"{len(teachers) - len(lead)} second teachers of a class were not read: the workbench plans "
                       "one teacher a section (the primary one).")
    students = enrol[enrol["role"].str.lower() == "student"]
    return lead, students


def _one_term(r: _Reader, classes: pd.DataFrame, by_id: dict, year: str) -> tuple[pd.DataFrame, list[dict]]:
    """As for Ed-Fi: the workbench plans one term, so the term set with the most classes is kept, and a
    class of another term repeating one of them (course, teacher, room, period) is the same section."""
    classes = classes.assign(term_key=[",".join(sorted(split(t))) for t in classes["termSourcedIds"]])
    counts = classes["term_key"].value_counts()
    main = sorted(counts.index, key=lambda k: (-counts[k], k))[0]
    same = ["courseSourcedId", "teacher", "location", "period"]
    kept = classes[classes["term_key"] == main]
    seen = set(map(tuple, kept[same].astype(str).to_numpy()))
    others = classes[(classes["term_key"] != main) & ~classes[same].astype(str).apply(tuple, axis=1).isin(seen)]
    if len(counts) > 1:
        titles = [" + ".join(by_id[t]["title"] for t in key.split(",")) for key in sorted(counts.index)]
        r.notes.append(f"Last year ({year}) ran classes in {len(counts)} terms ({'; '.join(titles)}); the workbench "
                       f"plans one, so the classes of {' + '.join(by_id[t]['title'] for t in main.split(','))} were "
                       "read, and a class repeated in another term (same course, teacher, room and period) counts as "
                       "one year-long section." + (f" {len(others)} classes that ran in another term only were left "
                                                   "out." if len(others) else ""))
    year_sessions = [s for s in by_id.values() if s["type"].lower() == "schoolyear" and s["schoolYear"] == year]
    sessions = year_sessions[:1] or [by_id[t] for t in main.split(",")]
    return kept, [{c: str(s.get(c, "")) for c in SESSION_COLUMNS} for s in sessions]


# ---- people -------------------------------------------------------------------------------------------------
def _people(r: _Reader, school: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    users = r.tables["users.csv"]
    here = users[[school in split(orgs) for orgs in users["orgSourcedIds"]]]
    if "enabledUser" in here.columns:
        disabled = here["enabledUser"].str.lower() == "false"
        if disabled.any():
            r.notes.append(f"{int(disabled.sum())} users marked enabledUser=false were left out.")
        here = here[~disabled]
    roles = here["role"].str.lower()
    return here[roles == "student"], here[roles != "student"]


def _students(r: _Reader, users: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for row in users.itertuples():
        codes = split(getattr(row, "grades", ""))
        grade = ceds_grade(codes[0]) if codes else "missing"
        if grade is None or grade in ("bad", "missing"):
            what = ("has no grade" if grade == "missing" else f"grade {codes[0]!r} is not one the workbench plans "
                    "(KG, 01 to 12)")
            r.problem("users.csv", row.line__, "grades", f"student {row.sourcedId} {what}",
                      "give the student's grade as a CEDS code (KG, 01 ... 12)")
            continue
        rows.append({"sis_id": row.sourcedId, "grade": grade})
    frame = pd.DataFrame(rows, columns=["sis_id", "grade"])
    for column in ("ell", "iep", "frl"):
        frame[column] = 0
    frame["math_level"] = np.nan
    frame["reading_level"] = np.nan
    return frame


def _apply_flags(r: _Reader, students: pd.DataFrame) -> pd.DataFrame:
    """userFlags.csv: 0/1 for ell, iep and frl; grade-level equivalents for math_level and reading_level; any
    other flag becomes a numeric need column (1 when no value is given), which funding weights may name."""
    if "userFlags.csv" not in r.tables:
        r.notes.append("The export holds no userFlags.csv: no student is marked English learner, IEP or low income. "
                       "Add them in students.csv, or export userFlags.csv (userSourcedId, flag, value).")
        return students
    flags = r.tables["userFlags.csv"]
    index = set(students["sis_id"])
    values: dict[str, dict[str, float]] = defaultdict(dict)
    for row in flags.itertuples():
        if row.userSourcedId not in index:
            continue
        name = row.flag.strip().lower()
        raw = getattr(row, "value", "") or ""
        if not FLAG_NAME.match(name) or name in PERSONAL_COLUMNS or name in ("student_id", "sis_id", "grade"):
            r.problem("userFlags.csv", row.line__, "flag", f"{row.flag!r} cannot be a student column",
                      "use ell, iep, frl, math_level, reading_level or a lowercase name such as homeless")
            continue
        try:
            value = float(raw) if raw else (np.nan if name.endswith("_level") else 1.0)
        except ValueError:
            value = None
        if value is None or (name in ("ell", "iep", "frl") and value not in (0.0, 1.0)) \
                or (name.endswith("_level") and not -2 <= value <= 20):
            r.problem("userFlags.csv", row.line__, "value", f"{raw!r} is not a value for {name}",
                      "write 0 or 1 for ell, iep and frl; a grade-level equivalent (e.g. 7.5) for a level")
            continue
        values[name][row.userSourcedId] = value
    for name, given in values.items():
        before = students[name] if name in students.columns else pd.Series(0.0, index=students.index)
        students[name] = students["sis_id"].map(given).fillna(before)
    r.notes.append("From userFlags.csv: " + ", ".join(f"{k} {len(v)}" for k, v in sorted(values.items())) + "."
                   if values else "userFlags.csv holds no flag for this school's students.")
    return students


def _requests(r: _Reader, students: set[str], courses: pd.DataFrame) -> pd.DataFrame | None:
    if "courseRequests.csv" not in r.tables:
        return None
    known = dict(zip(courses["sis_id"], courses["course_id"], strict=True))
    all_courses = set(r.tables["courses.csv"]["sourcedId"])
    rows, seen = [], {}
    for row in r.tables["courseRequests.csv"].itertuples():
        if row.userSourcedId not in students:
            continue
        if row.courseSourcedId not in all_courses:
            r.problem("courseRequests.csv", row.line__, "courseSourcedId",
                      f"course {row.courseSourcedId!r} is not in courses.csv", "export the course in courses.csv")
            continue
        priority = (getattr(row, "priority", "") or "").strip()
        alternate = (getattr(row, "alternateForCourseSourcedId", "") or "").strip()
        value = 3 if alternate and not priority else int(priority) if priority.isdigit() else (None if priority else 1)
        if value not in (1, 2, 3):
            r.problem("courseRequests.csv", row.line__, "priority", f"{priority!r} is not 1, 2 or 3",
                      "write 1 (required), 2 (elective) or 3 (alternate)")
            continue
        key = (row.userSourcedId, row.courseSourcedId)
        if key in seen:
            r.problem("courseRequests.csv", row.line__, "courseSourcedId", f"the student asks for course "
                      f"{row.courseSourcedId!r} again (first on line {seen[key]})", "keep one request a course")
            continue
        seen[key] = row.line__
        rows.append({"student_sis_id": row.userSourcedId, "course_sis_id": row.courseSourcedId, "priority": value,
                     "course_id": known.get(row.courseSourcedId)})
    return pd.DataFrame(rows, columns=["student_sis_id", "course_sis_id", "priority", "course_id"])


# ---- courses -------------------------------------------------------------------------------------------------
def _courses(r: _Reader, wanted: set[str], class_subjects: dict[str, str]) -> pd.DataFrame:
    """The courses of this year's classes (and of any course request), ID'd by courseCode when it is unique."""
    table = r.tables["courses.csv"]
    table = table[table["sourcedId"].isin(wanted)]
    codes = table.get("courseCode", pd.Series("", index=table.index))
    unique = codes.ne("") & ~codes.duplicated(keep=False)
    rows = []
    for (i, row), use_code in zip(table.iterrows(), unique, strict=True):
        grades = []
        for code in split(row.get("grades", "")):
            grade = ceds_grade(code)
            if grade == "bad":
                r.problem("courses.csv", row["line__"], "grades", f"{code!r} is not a CEDS grade code",
                          "write grades as KG, 01 ... 12")
            elif grade is not None:
                grades.append(grade)
        subjects = split(row.get("subjects", "")) or split(class_subjects.get(row["sourcedId"], ""))
        rows.append({"course_id": codes[i] if use_code else row["sourcedId"], "sis_id": row["sourcedId"],
                     "name": row["title"] or row["sourcedId"], "subject": slug(subjects[0]) if subjects else "general",
                     "grades": grades})
    if (~unique).any():
        r.notes.append(f"{int((~unique).sum())} courses have no unique courseCode and keep their sourcedId as ID.")
    return pd.DataFrame(rows, columns=COURSE_COLUMNS)


# ---- the whole school ------------------------------------------------------------------------------------------
def read_oneroster(path: Path, school: str | None = None) -> SisSchool:
    """One school of a OneRoster 1.1 CSV export (folder or zip). Raises ScenarioInvalid listing every problem."""
    source = open_source(Path(path))
    try:
        r = _Reader(source)
        return _read(r, source, school)
    finally:
        source.close()


def _read(r: _Reader, source: Source, wanted: str | None) -> SisSchool:
    r.formulas({"courses.csv": ["title", "courseCode", "sourcedId", "subjects"],
                "classes.csv": ["sourcedId", "location"]})
    school, district = _school(r, wanted)
    sid = school["sourcedId"]
    classes = r.tables["classes.csv"]
    classes = classes[classes["schoolSourcedId"] == sid]
    classes, year, by_id = _sessions(r, classes)
    courses_known = set(r.tables["courses.csv"]["sourcedId"])
    for row in classes.itertuples():
        if row.courseSourcedId not in courses_known:
            r.problem("classes.csv", row.line__, "courseSourcedId", f"course {row.courseSourcedId!r} is not in "
                      "courses.csv", "export the class's course in courses.csv")
    lead, enrolled = _teachers(r, set(classes["sourcedId"]))
    classes = classes.assign(teacher=classes["sourcedId"].map(lead),
                             period=[_period(r, row) for row in classes.itertuples()],
                             location=classes.get("location", pd.Series("", index=classes.index)))
    kept, sessions = _one_term(r, classes, by_id, year)
    student_users, staff_users = _people(r, sid)
    students = _apply_flags(r, _students(r, student_users))
    ids = set(students["sis_id"])
    class_subjects = dict(zip(classes["courseSourcedId"], classes.get("subjects", classes["courseSourcedId"].map(
        lambda _: "")), strict=True))
    requested = r.tables.get("courseRequests.csv")
    wanted_courses = set(classes["courseSourcedId"]) | (set(requested["courseSourcedId"]) & courses_known
                                                        if requested is not None else set())
    courses = _courses(r, wanted_courses, class_subjects)
    requests = _requests(r, ids, courses)
    r.fail_if_any()
    course_of = dict(zip(courses["sis_id"], courses["course_id"], strict=True))
    sections = pd.DataFrame({"section_id": kept["sourcedId"], "course_id": kept["courseSourcedId"].map(course_of),
                             "staff_sis_id": kept["teacher"], "room_id": kept["location"].replace("", None),
                             "period": kept["period"]}, columns=SECTION_COLUMNS).reset_index(drop=True)
    class_course = dict(zip(classes["sourcedId"], classes["courseSourcedId"].map(course_of), strict=True))
    enrolments = pd.DataFrame({"student_sis_id": enrolled["userSourcedId"],
                               "course_id": enrolled["classSourcedId"].map(class_course)})
    enrolments = enrolments[enrolments["student_sis_id"].isin(ids)].drop_duplicates().reset_index(drop=True)
    if not enrolments.empty:
        r.notes.append(f"{len(enrolments):,} enrolments of students in this year's classes were read.")
    if requests is not None:
        requests = requests[["student_sis_id", "course_id", "priority"]]
    staff_users = _with_class_teachers(r, staff_users, set(sections["staff_sis_id"].dropna()))
    r.fail_if_any()
    staff, left_out = _staff(staff_users, sections, courses)
    rooms = pd.DataFrame({"room_id": sorted(set(sections["room_id"].dropna()))})
    rooms["capacity"] = np.nan
    grades = sorted(set(students["grade"]) | {g for gs in courses["grades"] for g in gs})
    title = next((s["title"] for s in sessions if s["type"].lower() == "schoolyear" and s["title"]), str(year))
    return SisSchool(FORMAT, source.label, sid, school["name"] or sid, district, title, grades, students, staff,
                     courses, rooms, sections, enrolments, requests, periods_per_day=None, minutes_per_period=None,
                     sessions=sessions, notes=r.notes, dropped=r.dropped, left_out=left_out)


def _with_class_teachers(r: _Reader, staff: pd.DataFrame, teachers: set[str]) -> pd.DataFrame:
    """A class's teacher is on the staff even when users.csv files them under another school."""
    users = r.tables["users.csv"].set_index("sourcedId", drop=False)
    missing = sorted(teachers - set(staff["sourcedId"]))
    unknown = [t for t in missing if t not in users.index]
    enrol = r.tables["enrollments.csv"]
    for who in unknown:
        line = enrol.loc[enrol["userSourcedId"] == who, "line__"].iloc[0]
        r.problem("enrollments.csv", line, "userSourcedId", f"teacher {who!r} is not in users.csv",
                  "export the teacher in users.csv")
    extra = users.loc[[t for t in missing if t in users.index]]
    return pd.concat([staff, extra.assign(role="teacher")], ignore_index=True)


def _staff(users: pd.DataFrame, sections: pd.DataFrame, courses: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Teachers and aides of the school; a teacher holds the subjects of the courses they taught (OneRoster
    records no certification)."""
    subject = dict(zip(courses["course_id"], courses["subject"], strict=True))
    taught = defaultdict(set)
    for row in sections.itertuples():
        if isinstance(row.staff_sis_id, str):
            taught[row.staff_sis_id].add(subject[row.course_id])
    rows, others = [], defaultdict(int)
    for row in users.itertuples():
        role = STAFF_ROLES.get(row.role.lower())
        if role is None:
            others[row.role.lower()] += 1
            continue
        rows.append({"sis_id": row.sourcedId, "role": role,
                     "subjects": sorted(taught.get(row.sourcedId, set())) if role == "teacher" else [], "fte": np.nan})
    notes = []
    if others:
        notes.append("Users left out (" + ", ".join(f"{k}: {n}" for k, n in sorted(others.items())) + "): the "
                     "workbench plans teachers and aides; other staff's pay is not in the plan's budget.")
    notes.append("A teacher's subjects are those of the courses they taught last year (OneRoster records no "
                 "certification): add others in staff.csv.")
    return pd.DataFrame(rows, columns=STAFF_COLUMNS), notes
