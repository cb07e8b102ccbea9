"""A OneRoster 1.1 CSV export of the Ed-Fi sample district (tests/data/edfi-grand-bend), built at test time,
so that both importers are tested on the same real school.

What a SIS would write for Grand Bend ISD: the district and its three schools (orgs.csv), the 2021-2022
school year and its two semesters, each school's courses and its classes in both semesters (as the Ed-Fi
sections run in both), every student and staff member with the names, usernames, emails and birth dates the
Ed-Fi files hold (users.csv, demographics.csv: the importer must drop them), the teachers' enrolments, and
the workbench's userFlags.csv extension for English learners, IEPs, low income and assessed levels. Like the
Ed-Fi sample it has no student rosters, so the importer builds requests by its rule.

The school-level facts (which students attend, their grades and flags; which staff teach which sections)
come from the Ed-Fi importer's reader, so the two exports describe one school; the people's personal
details are read straight from Student.xml and StaffAssociation.xml.
"""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from pathlib import Path

from workbench.interop.edfi import read_edfi

EDFI = Path(__file__).resolve().parent / "data" / "edfi-grand-bend"
DISTRICT = "255901"
SCHOOLS = {"255901001": "Grand Bend High School", "255901044": "Grand Bend Middle School",
           "255901107": "Grand Bend Elementary School"}
YEAR, FALL, SPRING = "SY2021-2022", "T2021-FALL", "T2022-SPRING"
STAMP = "2022-06-01T00:00:00.000Z"
USERS = ["sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username", "userIds",
         "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades",
         "password"]


def _local(tree: ET.Element) -> ET.Element:
    for element in tree.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.rsplit("}", 1)[1]
    return tree


def people(folder: Path = EDFI) -> dict[str, dict[str, str]]:
    """Every student's and staff member's personal details in the sample, by their Ed-Fi ID."""
    out = {}
    for file, tag, id_tag in (("Student.xml", "Student", "StudentUniqueId"),
                              ("StaffAssociation.xml", "Staff", "StaffUniqueId")):
        root = _local(ET.parse(folder / file).getroot())
        for person in root.iter(tag):
            out[person.findtext(id_tag)] = {
                "first": person.findtext("Name/FirstName") or "", "middle": person.findtext("Name/MiddleName") or "",
                "last": person.findtext("Name/LastSurname") or "",
                "preferred_first": person.findtext("Name/PreferredFirstName") or "",
                "preferred_last": person.findtext("Name/PreferredLastSurname") or "",
                "email": person.findtext("ElectronicMail/ElectronicMailAddress") or "",
                "login": person.findtext("LoginId") or "",
                "birth": person.findtext("BirthData/BirthDate") or person.findtext("BirthDate") or "",
                "sex": (person.findtext("Sex") or "").rsplit("#", 1)[-1]}
    return out


def administrators(folder: Path = EDFI) -> list[tuple[str, str]]:
    """(staff ID, school) of principals, administrators and clerks: in users.csv, left out by the importer."""
    root = _local(ET.parse(folder / "StaffAssociation.xml").getroot())
    out = []
    for link in root.iter("StaffEducationOrganizationAssignmentAssociation"):
        classification = (link.findtext("StaffClassification") or "").rsplit("#", 1)[-1]
        school = link.findtext("EducationOrganizationReference/EducationOrganizationIdentity/EducationOrganizationId")
        if school in SCHOOLS and classification not in ("Teacher", "Counselor"):
            out.append((link.findtext("StaffReference/StaffIdentity/StaffUniqueId"), school))
    return out


def _write(path: Path, header: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _grade(grade: int) -> str:
    return "KG" if grade == 0 else f"{grade:02d}"


def build_oneroster(out: Path, folder: Path = EDFI) -> Path:
    """Write the district's OneRoster 1.1 export into `out` (a new folder) and return it."""
    out.mkdir(parents=True)
    who = people(folder)
    users, demographics, flags, courses, classes, enrollments = [], [], [], [], [], []
    sessions = None
    for school in SCHOOLS:
        sis = read_edfi(folder, school)
        sessions = sis.sessions[0]
        for s in sis.students.itertuples():
            p = who[s.sis_id]
            users.append({"sourcedId": s.sis_id, "status": "active", "dateLastModified": STAMP, "enabledUser": "true",
                          "orgSourcedIds": school, "role": "student", "username": (p["first"][:1] + p["last"]).lower(),
                          "userIds": f"{{SIS:{s.sis_id}}}", "givenName": p["first"], "familyName": p["last"],
                          "middleName": p["middle"], "identifier": s.sis_id,
                          "email": f"{p['first']}.{p['last']}@students.gbisd.edu".lower(), "grades": _grade(s.grade)})
            demographics.append({"sourcedId": s.sis_id, "status": "active", "dateLastModified": STAMP,
                                 "birthDate": p["birth"], "sex": p["sex"].lower()})
            flags += [{"userSourcedId": s.sis_id, "flag": f, "value": "1"}
                      for f in ("ell", "iep", "frl") if getattr(s, f)]
            flags += [{"userSourcedId": s.sis_id, "flag": f, "value": f"{getattr(s, f):g}"}
                      for f in ("math_level", "reading_level") if getattr(s, f) == getattr(s, f)]
        for t in sis.staff.itertuples():
            p = who[t.sis_id]
            users.append({"sourcedId": t.sis_id, "status": "active", "dateLastModified": STAMP, "enabledUser": "true",
                          "orgSourcedIds": school, "role": "teacher" if t.role == "teacher" else "administrator",
                          "username": p["login"], "givenName": p["first"], "familyName": p["last"],
                          "middleName": p["middle"], "identifier": t.sis_id, "email": p["email"]})
        for c in sis.courses.itertuples():
            courses.append({"sourcedId": f"course-{school}-{c.course_id}", "status": "active",
                            "dateLastModified": STAMP, "schoolYearSourcedId": YEAR, "title": c.name,
                            "courseCode": c.course_id, "grades": "", "orgSourcedId": school, "subjects": c.subject})
        for section in sis.sections.itertuples():
            for term, suffix in ((FALL, ""), (SPRING, "-spring")):
                class_id = section.section_id + suffix
                classes.append({"sourcedId": class_id, "status": "active", "dateLastModified": STAMP,
                                "title": f"{section.course_id} period {section.period}", "grades": "",
                                "courseSourcedId": f"course-{school}-{section.course_id}", "classCode": class_id,
                                "classType": "scheduled", "location": section.room_id or "",
                                "schoolSourcedId": school, "termSourcedIds": term, "subjects": "",
                                "periods": str(section.period)})
                if isinstance(section.staff_sis_id, str):
                    enrollments.append({"sourcedId": f"e-{class_id}-{section.staff_sis_id}", "status": "active",
                                        "dateLastModified": STAMP, "classSourcedId": class_id,
                                        "schoolSourcedId": school, "userSourcedId": section.staff_sis_id,
                                        "role": "teacher", "primary": "true"})
    for staff_id, school in administrators(folder):
        p = who[staff_id]
        users.append({"sourcedId": staff_id, "status": "active", "dateLastModified": STAMP, "enabledUser": "true",
                      "orgSourcedIds": school, "role": "administrator", "username": p["login"],
                      "givenName": p["first"], "familyName": p["last"], "email": p["email"]})
    start, end = sessions["startDate"], sessions["endDate"]
    _write(out / "orgs.csv", ["sourcedId", "status", "dateLastModified", "name", "type", "identifier",
                              "parentSourcedId"],
           [{"sourcedId": DISTRICT, "status": "active", "dateLastModified": STAMP, "name": "Grand Bend ISD",
             "type": "district", "identifier": DISTRICT, "parentSourcedId": ""}]
           + [{"sourcedId": s, "status": "active", "dateLastModified": STAMP, "name": n, "type": "school",
               "identifier": s, "parentSourcedId": DISTRICT} for s, n in SCHOOLS.items()])
    _write(out / "academicSessions.csv", ["sourcedId", "status", "dateLastModified", "title", "type", "startDate",
                                          "endDate", "parentSourcedId", "schoolYear"],
           [{"sourcedId": YEAR, "title": "2021-2022", "type": "schoolYear", "startDate": start, "endDate": end,
             "parentSourcedId": "", "schoolYear": "2022"},
            {"sourcedId": FALL, "title": "Fall Semester", "type": "semester", "startDate": start,
             "endDate": "2021-12-17", "parentSourcedId": YEAR, "schoolYear": "2022"},
            {"sourcedId": SPRING, "title": "Spring Semester", "type": "semester", "startDate": "2022-01-04",
             "endDate": end, "parentSourcedId": YEAR, "schoolYear": "2022"}])
    _write(out / "courses.csv", ["sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title",
                                 "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"], courses)
    _write(out / "classes.csv", ["sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId",
                                 "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects",
                                 "subjectCodes", "periods"], classes)
    _write(out / "users.csv", USERS, users)
    _write(out / "enrollments.csv", ["sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId",
                                     "userSourcedId", "role", "primary", "beginDate", "endDate"], enrollments)
    _write(out / "demographics.csv", ["sourcedId", "status", "dateLastModified", "birthDate", "sex"], demographics)
    _write(out / "userFlags.csv", ["userSourcedId", "flag", "value"], flags)
    _write(out / "manifest.csv", ["propertyName", "value"],
           [{"propertyName": "manifest.version", "value": "1.0"}, {"propertyName": "oneroster.version",
                                                                    "value": "1.1"}])
    return out
