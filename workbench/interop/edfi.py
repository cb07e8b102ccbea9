"""Ed-Fi XML interchange files -> `SisSchool` (SPEC §5): one school of a district's export.

Files are recognised by name, as the Ed-Fi samples name them (`MasterSchedule.xml`,
`StudentAssessment-StateAssessment.xml`…): EducationOrganization, MasterSchedule and StaffAssociation are
needed; StudentEnrollment (rosters and grades) is used when present, Student otherwise; StudentProgram
(English learner, special education, school food service) and StudentAssessment (levels) when present.

What the files lack is said, never guessed silently: without StudentEnrollment nothing says which school a
student attends or in which grade, so grades are estimated from the birth year (read and dropped at once)
and the report says so.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from statistics import median
from xml.etree.ElementTree import Element

import numpy as np
import pandas as pd

from workbench.atomic import formula_like
from workbench.errors import Problem, ScenarioInvalid
from workbench.interop.school import COURSE_COLUMNS, SECTION_COLUMNS, STAFF_COLUMNS, SisSchool, slug
from workbench.interop.sources import FORMULA_FIX, Source, line_of, open_source, parse_xml

FORMAT = "Ed-Fi XML"
KINDS = ("EducationOrganization", "MasterSchedule", "StaffAssociation", "StudentEnrollment", "Student",
         "StudentProgram", "StudentAssessment")
NEEDED = ("EducationOrganization", "MasterSchedule", "StaffAssociation")
GRADE_WORDS = ["Kindergarten", "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth",
               "Tenth", "Eleventh", "Twelfth"]
ROLES = {"teacher": "teacher", "substitute teacher": "teacher", "counselor": "counselor",
         "instructional aide": "paraprofessional", "paraprofessional": "paraprofessional",
         "instructional coordinator": "coach", "coach": "coach"}
ELL_PROGRAMS = ("bilingual", "english as a second language", "english learner", "limited english")
# Performance levels -> offset from the tested grade (a level is a grade-level equivalent: 8.5 = mid grade 8).
BELOW = ("did not meet", "not met", "below", "unsatisfactory", "approaches", "partially")
ABOVE = ("advanced", "exceed", "masters", "commended", "distinguished")
PERSON_FIELDS_KEPT = {"StudentUniqueId", "StaffUniqueId"}


def descriptor(text: str) -> str:
    """'uri://ed-fi.org/GradeLevelDescriptor#Ninth grade' -> 'Ninth grade'."""
    return text.rsplit("#", 1)[-1].strip()


def grade_number(text: str) -> int | None:
    word = descriptor(text).split(" ")[0]
    return GRADE_WORDS.index(word) if word in GRADE_WORDS else None


def _t(element: Element | None, path: str) -> str:
    if element is None:
        return ""
    return (element.findtext(path) or "").strip()


def _year_end(text: str) -> int | None:
    years = re.findall(r"\d{4}", text)
    return int(years[-1]) if years else None


class _Reader:
    """The files of one export, parsed once each, with the problems found so far."""

    def __init__(self, source: Source, school: str):
        self.source, self.school = source, school
        self.files: dict[str, list[str]] = defaultdict(list)
        self.problems: list[Problem] = []
        self.dropped: dict[str, list[str]] = {}
        self.notes: list[str] = []
        self._parsed: dict[str, Element] = {}
        for name in source.names:
            if not name.lower().endswith(".xml"):
                continue
            stem = name[:-4].split("-")[0].removeprefix("Interchange")
            if stem in KINDS:
                self.files[stem].append(name)
        missing = [k for k in NEEDED if not self.files[k]]
        if not (self.files["Student"] or self.files["StudentEnrollment"]):
            missing.append("Student or StudentEnrollment")
        if missing:
            raise ScenarioInvalid([Problem(source.label, None, None, f"holds no {kind}.xml",
                                           "export the Ed-Fi interchange files of the school into one folder")
                                   for kind in missing])
        ignored = sorted(set(n for n in source.names if n.lower().endswith(".xml"))
                         - {n for names in self.files.values() for n in names})
        if ignored:
            self.notes.append(f"Not read (the workbench does not use them): {', '.join(ignored)}.")

    def roots(self, kind: str) -> list[tuple[str, Element]]:
        for name in self.files[kind]:
            if name not in self._parsed:
                self._parsed[name] = parse_xml(self.source, name)
        return [(name, self._parsed[name]) for name in self.files[kind]]

    def problem(self, file: str, element: Element | None, column: str | None, message: str, fix: str) -> None:
        self.problems.append(Problem(file, line_of(element) if element is not None else None, column, message, fix))

    def text(self, file: str, element: Element, path: str) -> str:
        """The text at `path`, refused when it begins like a spreadsheet formula (it will sit in a CSV file)."""
        value = _t(element, path)
        if formula_like(value):
            self.problem(file, element, path.rsplit("/", 1)[-1], f"{value[:20]!r} begins like a spreadsheet formula",
                         FORMULA_FIX)
        return value

    def drop(self, file: str, records: list[Element], kept: set[str]) -> None:
        fields = {child.tag for record in records for child in record} - kept
        if fields:
            self.dropped.setdefault(file, []).extend(sorted(fields))


# ---- the school, its courses, rooms and periods -------------------------------------------------------
def _school(r: _Reader) -> tuple[dict, list[tuple[str, Element]]]:
    roots = r.roots("EducationOrganization")
    for name, root in roots:
        for school in root.iter("School"):
            if _t(school, "SchoolId") == r.school:
                grades = [grade_number(g.text or "") for g in school.findall("GradeLevel")]
                return {"file": name, "name": _t(school, "NameOfInstitution") or r.school,
                        "district": _district(root, school) or r.school,
                        "grades": sorted(g for g in grades if g is not None)}, roots
    known = sorted(_t(s, "SchoolId") for _, root in roots for s in root.iter("School"))
    raise ScenarioInvalid([Problem(roots[0][0], None, "SchoolId", f"no school {r.school!r} in the export",
                                   f"give --school one of: {', '.join(known) or 'none found'}")])


def _district(root: Element, school: Element) -> str:
    """The school's district ID, given in full or as a reference (`ref="LEAG_255901"`) to its element."""
    link = school.find("LocalEducationAgencyReference")
    if link is None:
        return ""
    found = _t(link, "LocalEducationAgencyIdentity/LocalEducationAgencyId")
    target = link.get("ref")
    if not found and target:
        agency = next((e for e in root.iter("LocalEducationAgency") if e.get("id") == target), None)
        found = _t(agency, "LocalEducationAgencyId")
    return found


def _clock(text: str) -> int | None:
    match = re.match(r"(\d{1,2}):(\d{2})", text)
    return int(match.group(1)) * 60 + int(match.group(2)) if match else None


def _periods(r: _Reader, roots) -> tuple[dict[str, int], int | None]:
    """ClassPeriodName -> period number, in the order the periods start; and the usual minutes."""
    found = []
    for _name, root in roots:
        for period in root.iter("ClassPeriod"):
            if _t(period, "SchoolReference/SchoolIdentity/SchoolId") == r.school:
                start, end = _clock(_t(period, "MeetingTime/StartTime")), _clock(_t(period, "MeetingTime/EndTime"))
                found.append((start if start is not None else 10**6, _t(period, "ClassPeriodName"),
                              None if start is None or end is None else end - start))
    found.sort()
    numbers = {name: i + 1 for i, (_, name, _) in enumerate(found)}
    lengths = [m for *_, m in found if m and m > 0]
    return numbers, (int(median(lengths)) if lengths else None)


def _courses(r: _Reader, roots, district: str) -> dict[str, dict]:
    out = {}
    for name, root in roots:
        for course in root.iter("Course"):
            owner = _t(course, "EducationOrganizationReference/EducationOrganizationIdentity/EducationOrganizationId")
            if owner not in (r.school, district) or not _t(course, "CourseCode"):
                continue
            code = r.text(name, course, "CourseCode")
            grades = [grade_number(g.text or "") for g in course.findall("OfferedGradeLevel")]
            out[code] = {"name": r.text(name, course, "CourseTitle") or code,
                         "subject": slug(descriptor(_t(course, "AcademicSubject"))) if _t(course, "AcademicSubject")
                         else "general", "grades": sorted(g for g in grades if g is not None), "owner": owner}
    return out


def _rooms(r: _Reader, roots) -> pd.DataFrame:
    rows = []
    for name, root in roots:
        for place in root.iter("Location"):
            if _t(place, "SchoolReference/SchoolIdentity/SchoolId") != r.school:
                continue
            room = r.text(name, place, "ClassroomIdentificationCode")
            seats = _t(place, "MaximumNumberOfSeats") or _t(place, "OptimalNumberOfSeats")
            capacity = np.nan
            if seats:
                if not seats.isdigit() or int(seats) < 1:
                    r.problem(name, place, "MaximumNumberOfSeats", f"{seats!r} is not a number of seats",
                              "correct the room's seats in the SIS")
                else:
                    capacity = int(seats)
            rows.append({"room_id": room, "capacity": capacity})
    return pd.DataFrame(rows, columns=["room_id", "capacity"]).drop_duplicates("room_id")


# ---- last year's sections and who taught them ----------------------------------------------------------
def _section_rows(r: _Reader, periods: dict[str, int]) -> list[dict]:
    rows = []
    for name, root in r.roots("MasterSchedule"):
        for section in root.iter("Section"):
            offering = section.find("CourseOfferingReference/CourseOfferingIdentity")
            if _t(offering, "SchoolReference/SchoolIdentity/SchoolId") != r.school:
                continue
            names = [_t(ref, "ClassPeriodIdentity/ClassPeriodName") for ref in section.findall("ClassPeriodReference")]
            period = None
            if names:
                period = periods.get(names[0])
                if period is None:
                    digits = re.match(r"\s*(\d+)", names[0])
                    period = int(digits.group(1)) if digits else None
                if period is None:
                    r.problem(name, section, "ClassPeriodName", f"period {names[0]!r} is not a class period of "
                              "the school", "add the class period to EducationOrganization.xml")
            rows.append({"section_id": r.text(name, section, "SectionIdentifier"),
                         "course_code": _t(offering, "LocalCourseCode"),
                         "session": _t(offering, "SessionReference/SessionIdentity/SessionName"),
                         "year": _t(offering, "SessionReference/SessionIdentity/SchoolYear"),
                         "room_id": r.text(name, section, "LocationReference/LocationIdentity/"
                                                          "ClassroomIdentificationCode"),
                         "period": period, "file": name, "line": line_of(section)})
    return rows


def _offerings(r: _Reader) -> dict[str, str]:
    """LocalCourseCode -> CourseCode (they usually agree)."""
    out = {}
    for _name, root in r.roots("MasterSchedule"):
        for offering in root.iter("CourseOffering"):
            if _t(offering, "SchoolReference/SchoolIdentity/SchoolId") == r.school:
                out[_t(offering, "LocalCourseCode")] = _t(offering, "CourseReference/CourseIdentity/CourseCode") or \
                    _t(offering, "LocalCourseCode")
    return out


def _staff_records(r: _Reader, staff_root: list[tuple[str, Element]]) -> dict:
    """Who teaches which section, who works at the school (role, subjects, FTE), and dates of the year."""
    teaches: dict[tuple[str, str], str] = {}
    dates: list[str] = []
    roles: dict[str, str] = {}
    subjects: dict[str, set[str]] = defaultdict(set)
    fte: dict[str, float] = {}
    at_school: set[str] = set()
    for name, root in staff_root:
        for link in root.iter("StaffSectionAssociation"):
            if _t(link, "SectionReference/SectionIdentity/CourseOfferingReference/CourseOfferingIdentity/"
                        "SchoolReference/SchoolIdentity/SchoolId") != r.school:
                continue
            key = (_t(link, "SectionReference/SectionIdentity/SectionIdentifier"),
                   _t(link, "SectionReference/SectionIdentity/CourseOfferingReference/CourseOfferingIdentity/"
                            "SessionReference/SessionIdentity/SessionName"))
            position = descriptor(_t(link, "ClassroomPosition")).lower()
            if key not in teaches or position == "teacher of record":
                teaches[key] = _t(link, "StaffReference/StaffIdentity/StaffUniqueId")
            dates += [d for d in (_t(link, "BeginDate"), _t(link, "EndDate")) if d]
        for link in root.iter("StaffEducationOrganizationAssignmentAssociation"):
            if _t(link, "EducationOrganizationReference/EducationOrganizationIdentity/EducationOrganizationId") \
                    == r.school:
                who = _t(link, "StaffReference/StaffIdentity/StaffUniqueId")
                roles[who] = descriptor(_t(link, "StaffClassification"))
                at_school.add(who)
        for link in root.iter("StaffSchoolAssociation"):
            if _t(link, "SchoolReference/SchoolIdentity/SchoolId") == r.school:
                who = _t(link, "StaffReference/StaffIdentity/StaffUniqueId")
                at_school.add(who)
                subjects[who] |= {slug(descriptor(s.text or "")) for s in link.findall("AcademicSubject")}
        for link in root.iter("StaffEducationOrganizationEmploymentAssociation"):
            if _t(link, "EducationOrganizationReference/EducationOrganizationIdentity/EducationOrganizationId") \
                    != r.school:
                continue
            value = _t(link, "FullTimeEquivalency")
            try:
                share = float(value)
            except ValueError:
                r.problem(name, link, "FullTimeEquivalency", f"{value!r} is not a number", "correct it in the SIS")
                continue
            if not 0 < share <= 1:
                r.problem(name, link, "FullTimeEquivalency", f"{share:g} is not between 0 and 1",
                          "correct it in the SIS")
                continue
            fte[_t(link, "StaffReference/StaffIdentity/StaffUniqueId")] = share
        r.drop(name, list(root.iter("Staff")), PERSON_FIELDS_KEPT)
        wages = [e for e in root.iter("StaffEducationOrganizationEmploymentAssociation") if e.find("AnnualWage")
                 is not None]
        if wages:
            r.dropped.setdefault(name, []).append("AnnualWage (the workbench costs staff by role)")
    return {"teaches": teaches, "roles": roles, "subjects": subjects, "fte": fte, "at_school": at_school,
            "dates": dates}


def _one_term(r: _Reader, rows: list[dict], teaches: dict) -> tuple[list[dict], str, list[str]]:
    """Last year's sections as one term: the workbench plans a single term, so the term with the most
    sections is kept; a section repeated in another term (same course, teacher, room, period) is the same
    year-long section, and the others are counted in a note."""
    years = {row["year"] for row in rows}
    latest = max(years, key=lambda y: (_year_end(y) or 0, y)) if years else ""
    rows = [row for row in rows if row["year"] == latest]
    for row in rows:
        row["staff"] = teaches.get((row["section_id"], row["session"]))
    by_term: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_term[row["session"]].append(row)
    if not by_term:
        return [], latest, []
    main = max(sorted(by_term), key=lambda s: len(by_term[s]))
    seen = {(x["course_code"], x["staff"], x["room_id"], x["period"]) for x in by_term[main]}
    others = [x for s, xs in by_term.items() if s != main for x in xs
              if (x["course_code"], x["staff"], x["room_id"], x["period"]) not in seen]
    notes = []
    if len(by_term) > 1:
        notes.append(f"Last year ({latest}) ran {len(by_term)} terms ({', '.join(sorted(by_term))}); the workbench "
                     f"plans one, so the sections of {main} were read, and a section repeated in another term (same "
                     f"course, teacher, room and period) counts as one year-long section."
                     + (f" {len(others)} sections that ran in another term only were left out." if others else ""))
    return by_term[main], latest, notes


# ---- students --------------------------------------------------------------------------------------------
def _students_from_enrolment(r: _Reader) -> tuple[dict[str, int], list[tuple[str, str, str]]]:
    """(sis_id -> grade) of the school's students, and (student, section, session) rosters."""
    students, rosters = {}, []
    for name, root in r.roots("StudentEnrollment"):
        for link in root.iter("StudentSchoolAssociation"):
            if _t(link, "SchoolReference/SchoolIdentity/SchoolId") != r.school or _t(link, "ExitWithdrawDate"):
                continue
            grade = grade_number(_t(link, "EntryGradeLevel"))
            if grade is None:
                r.problem(name, link, "EntryGradeLevel", f"{descriptor(_t(link, 'EntryGradeLevel'))!r} is not a "
                          "grade the workbench plans (kindergarten to twelfth)", "correct the grade in the SIS")
                continue
            students[_t(link, "StudentReference/StudentIdentity/StudentUniqueId")] = grade
        for link in root.iter("StudentSectionAssociation"):
            section = link.find("SectionReference/SectionIdentity")
            if _t(section, "CourseOfferingReference/CourseOfferingIdentity/SchoolReference/SchoolIdentity/SchoolId") \
                    != r.school:
                continue
            rosters.append((_t(link, "StudentReference/StudentIdentity/StudentUniqueId"),
                            _t(section, "SectionIdentifier"),
                            _t(section, "CourseOfferingReference/CourseOfferingIdentity/SessionReference/"
                                        "SessionIdentity/SessionName")))
    return students, rosters


def _students_by_birth_year(r: _Reader, grades: list[int], year_end: int) -> dict[str, int]:
    """Without enrolment records: grade = the school year's end year - birth year - 5 (a student turns
    grade + 5 in the calendar year the school year ends, give or take the cut-off date). Only students
    whose estimated grade the school teaches are kept. The birth date is read here and never kept."""
    students, counted = {}, 0
    for name, root in r.roots("Student"):
        records = list(root.iter("Student"))
        r.drop(name, records, PERSON_FIELDS_KEPT)
        for student in records:
            sis_id, born = _t(student, "StudentUniqueId"), _t(student, "BirthData/BirthDate")
            match = re.match(r"(\d{4})-\d{2}-\d{2}", born)
            if not sis_id:
                r.problem(name, student, "StudentUniqueId", "a student has no ID", "export the file again")
                continue
            if match is None:
                r.problem(name, student, "BirthDate", "is missing or not a date (needed to estimate the grade when "
                          "StudentEnrollment.xml is absent)", "add StudentEnrollment.xml to the export")
                continue
            counted += 1
            grade = year_end - int(match.group(1)) - 5
            if grade in grades:
                students[sis_id] = grade
    r.notes.append(
        f"The export holds no StudentEnrollment.xml, so nothing says which school a student attends or in which "
        f"grade. Each of the district's {counted:,} students was given a grade from their birth year (grade = "
        f"{year_end} - birth year - 5), and the {len(students):,} whose grade this school teaches were taken as its "
        "students. Birth dates were read for this only and are not in the scenario. Add StudentEnrollment.xml to "
        "the export to use the real enrolment and grades.")
    return students


def _flags(r: _Reader, students: dict[str, int]) -> pd.DataFrame:
    """English learner, IEP and low income from program associations still open (no end or exit date)."""
    flags = {s: {"ell": 0, "iep": 0, "frl": 0} for s in students}
    ended, other = 0, defaultdict(int)
    for _name, root in r.roots("StudentProgram"):
        for link in root:
            if not isinstance(link.tag, str) or not link.tag.endswith("Association"):
                continue
            who = _t(link, "StudentReference/StudentIdentity/StudentUniqueId")
            if who not in flags:
                continue
            if _t(link, "EndDate") or _t(link, "SpecialEducationExitDate"):
                ended += 1
                continue
            kind = descriptor(_t(link, "ProgramReference/ProgramIdentity/ProgramType")).lower()
            if link.tag == "StudentSpecialEducationProgramAssociation" or kind == "special education":
                flags[who]["iep"] = 1
            elif link.tag == "StudentLanguageInstructionProgramAssociation" or kind.startswith(ELL_PROGRAMS):
                flags[who]["ell"] = 1
            elif link.tag == "StudentSchoolFoodServiceProgramAssociation":
                flags[who]["frl"] = 1
            else:
                other[_t(link, "ProgramReference/ProgramIdentity/ProgramName") or kind] += 1
    if r.files["StudentProgram"]:
        text = "English learner (bilingual and ESL programs), IEP (special education) and low income (school food " \
               "service) come from the students' program associations that are still open"
        if ended:
            text += f"; {ended} that had ended (an end or exit date) were not counted"
        if other:
            text += "; other programs were not used (" + ", ".join(f"{k} {v}" for k, v in sorted(other.items())) + ")"
        r.notes.append(text + ".")
    else:
        r.notes.append("The export holds no StudentProgram.xml: no student is marked English learner, IEP or low "
                       "income. Add them in students.csv.")
    return pd.DataFrame.from_dict(flags, orient="index")


def _levels(r: _Reader, students: dict[str, int]) -> pd.DataFrame:
    """Math and reading levels from the latest assessment of each subject, as grade-level equivalents."""
    best: dict[tuple[str, str], tuple[str, float]] = {}
    for _name, root in r.roots("StudentAssessment"):
        for result in root.iter("StudentAssessment"):
            who = _t(result, "StudentReference/StudentIdentity/StudentUniqueId")
            if who not in students:
                continue
            test = _t(result, "AssessmentReference/AssessmentIdentity/AssessmentIdentifier").lower()
            subject = "math_level" if "math" in test else "reading_level" if re.search(
                r"read|english|ela|language arts", test) else None
            level = _level(result)
            if subject is None or level is None:
                continue
            when = _t(result, "AdministrationDate")
            if (who, subject) not in best or when >= best[(who, subject)][0]:
                best[(who, subject)] = (when, level)
    frame = pd.DataFrame(index=list(students), columns=["math_level", "reading_level"], dtype=float)
    for (who, subject), (_, level) in best.items():
        frame.loc[who, subject] = level
    if best:
        r.notes.append(f"{len(best)} math or reading levels come from the students' latest assessment: a grade "
                       "equivalent when the result gives one, else the performance level (did not meet: half a grade "
                       "below the tested grade; met: the middle of the tested grade; advanced: a grade above).")
    return frame


def _level(result: Element) -> float | None:
    for score in result.findall("ScoreResult"):
        method = descriptor(_t(score, "AssessmentReportingMethod")).lower()
        if "grade equivalent" in method or "grade level" in method:
            try:
                return round(float(_t(score, "Result")), 1)
            except ValueError:
                return None
    tested = grade_number(_t(result, "WhenAssessedGradeLevel"))
    performance = descriptor(_t(result, "PerformanceLevel/PerformanceLevel")).lower()
    if tested is None or not performance:
        return None
    if performance.startswith(BELOW):
        return tested - 0.5
    if performance.startswith(ABOVE):
        return tested + 1.5
    return tested + 0.5 if "met" in performance or "meet" in performance or "proficient" in performance else None


# ---- the whole school -------------------------------------------------------------------------------------
def read_edfi(folder: Path, school: str) -> SisSchool:
    """One school of an Ed-Fi XML export as a `SisSchool`. Raises ScenarioInvalid listing every problem."""
    source = open_source(Path(folder))
    try:
        return _read(_Reader(source, school), source)
    finally:
        source.close()


def _read(r: _Reader, source: Source) -> SisSchool:
    info, org_roots = _school(r)
    periods, minutes = _periods(r, org_roots)
    catalogue = _courses(r, org_roots, info["district"])
    rooms = _rooms(r, org_roots)
    codes = _offerings(r)
    staff_roots = r.roots("StaffAssociation")
    records = _staff_records(r, staff_roots)
    raw_sections, year, term_notes = _one_term(r, _section_rows(r, periods), records["teaches"])
    year_end = _year_end(year)
    if year_end is None:
        raise ScenarioInvalid(r.problems + [Problem(r.files["MasterSchedule"][0], None, "SchoolYear",
                                                    f"no section of school {r.school} names its school year",
                                                    "export the school's sections (MasterSchedule.xml)")])
    sections = []
    for row in raw_sections:
        code = codes.get(row["course_code"], row["course_code"])
        if code not in catalogue:
            r.problems.append(Problem(row["file"], row["line"], "LocalCourseCode", f"course {code!r} is not in "
                                      "EducationOrganization.xml", "export the school's courses with its sections"))
            continue
        if row["room_id"] and row["room_id"] not in set(rooms["room_id"]):
            rooms.loc[len(rooms)] = [row["room_id"], np.nan]
        sections.append({"section_id": row["section_id"], "course_id": code, "staff_sis_id": row["staff"],
                         "room_id": row["room_id"] or None, "period": row["period"]})
    sections = pd.DataFrame(sections, columns=SECTION_COLUMNS)
    offered = sorted(set(sections["course_id"]))
    unused = sorted(c for c, v in catalogue.items() if v["owner"] == r.school and c not in offered)
    courses = pd.DataFrame([{"course_id": c, "sis_id": c, **{k: catalogue[c][k] for k in ("name", "subject", "grades")}}
                            for c in offered], columns=COURSE_COLUMNS)

    grades = info["grades"] or sorted({g for g in range(13)})
    if r.files["StudentEnrollment"]:
        students, rosters = _students_from_enrolment(r)
        r.notes.append("Students and their grades come from StudentEnrollment.xml (students still enrolled)"
                       + ("; Student.xml was not read (names and birth dates are not needed)." if r.files["Student"]
                          else "."))
    else:
        students, rosters = _students_by_birth_year(r, grades, year_end), []
    if not students:
        r.problems.append(Problem(source.label, None, None, f"no student of school {r.school} was found",
                                  "add StudentEnrollment.xml (or Student.xml) for this school"))
    if r.problems:
        raise ScenarioInvalid(r.problems)
    table = pd.DataFrame({"sis_id": list(students), "grade": list(students.values())})
    table = table.join(_flags(r, students), on="sis_id").join(_levels(r, students), on="sis_id")
    staff = _staff_table(r, records, sections, catalogue)
    section_course = {(row["section_id"]): row["course_id"] for row in sections.to_dict("records")}
    enrolments = pd.DataFrame([(s, section_course[sec]) for s, sec, _ in rosters
                               if sec in section_course and s in students], columns=["student_sis_id", "course_id"])
    if rosters:
        r.notes.append(f"{len(enrolments):,} enrolments in last year's sections were read from StudentEnrollment.xml.")
    if unused:
        r.notes.append(f"Courses with no section last year were left out: {', '.join(unused)}.")
    begin = min(records["dates"], default=f"{year_end - 1}-08-01")
    end = max(records["dates"], default=f"{year_end}-06-30")
    session = {"sourcedId": f"{r.school}-{year}", "title": year, "type": "schoolYear", "startDate": begin,
               "endDate": end, "parentSourcedId": "", "schoolYear": str(year_end)}
    return SisSchool(FORMAT, source.label, r.school, info["name"], info["district"], year, grades, table, staff,
                     courses, rooms.reset_index(drop=True), sections, enrolments, None,
                     periods_per_day=len(periods) or None, minutes_per_period=minutes, sessions=[session],
                     notes=r.notes + term_notes, dropped=r.dropped, left_out=_left_out(r, records, staff))


def _staff_table(r: _Reader, records: dict, sections: pd.DataFrame, catalogue: dict) -> pd.DataFrame:
    """Teaching and support staff of the school. A teacher holds the subjects the SIS records for them and
    the subjects of the courses they taught last year (so last year's sections can be pinned)."""
    taught = defaultdict(set)
    for row in sections.itertuples():
        if isinstance(row.staff_sis_id, str):
            taught[row.staff_sis_id].add(catalogue[row.course_id]["subject"])
    people = sorted(records["at_school"] | set(taught))
    rows = []
    for who in people:
        classification = records["roles"].get(who, "Teacher" if who in taught else "")
        role = ROLES.get(classification.lower())
        if role is None:
            continue
        subjects = (records["subjects"].get(who, set()) | taught.get(who, set())) if role == "teacher" else set()
        rows.append({"sis_id": who, "role": role, "subjects": sorted(subjects), "fte": records["fte"].get(who, np.nan)})
    return pd.DataFrame(rows, columns=STAFF_COLUMNS)


def _left_out(r: _Reader, records: dict, staff: pd.DataFrame) -> list[str]:
    kept = set(staff["sis_id"])
    others = defaultdict(int)
    for who in records["at_school"]:
        if who not in kept:
            others[records["roles"].get(who) or "unknown role"] += 1
    if not others:
        return []
    listed = ", ".join(f"{n} {k.lower()}" for k, n in sorted(others.items()))
    return [f"Staff left out ({listed}): the workbench plans teaching and support staff; their pay is not in the "
            "plan's budget."]
