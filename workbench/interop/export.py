"""`workbench export <result> --oneroster <dir> [--key FILE]`: the new design as OneRoster 1.1 CSV for the SIS.

Written: classes.csv (one class a section, at its period and room), enrollments.csv (the teacher and the
students of each class), courses.csv and academicSessions.csv (the classes' courses and term, which
classes.csv refers to) and manifest.csv (these files `delta`: the SIS adds or updates them and deletes nothing,
so one school's plan cannot remove another school's classes; every other file `absent`). With the key,
every pseudonym is turned back into the SIS ID it was made from; a section pinned from last year keeps its
class's sourcedId, and a new one is named `<school>-<section_id>` so that it cannot clash with another
school's class; without one (and no key at the default
place) the files keep the pseudonyms and the command says so. A section taught by a new hire has no teacher
enrolment: the SIS has no ID for a person not yet hired.

The folder is written atomically, and an existing folder is replaced only when it is empty or an earlier
export of this command (its manifest says so and it holds nothing else): never the user's own files.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from workbench.atomic import atomic_folder
from workbench.errors import Problem, ScenarioInvalid
from workbench.interop.pseudonyms import Key, default_key_path, read_ids, read_key
from workbench.results.io import Result, read_result
from workbench.scenario.model import Scenario
from workbench.scenario.schema import split_list
from workbench.scenario.validate import load_scenario

SYSTEM_CODE = "school-design-workbench"
FILES = {
    "academicSessions.csv": ["sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate",
                             "parentSourcedId", "schoolYear"],
    "courses.csv": ["sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades",
                    "orgSourcedId", "subjects", "subjectCodes"],
    "classes.csv": ["sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode",
                    "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes",
                    "periods"],
    "enrollments.csv": ["sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId",
                        "userSourcedId", "role", "primary", "beginDate", "endDate"],
}
ABSENT = ["categories", "classResources", "courseResources", "demographics", "lineItems", "orgs", "resources",
          "results", "users"]


@dataclass
class Exported:
    folder: Path
    classes: int
    enrollments: int
    restored: bool
    new_hire_sections: int


def _ceds(grade: int) -> str:
    return "KG" if int(grade) == 0 else f"{int(grade):02d}"


def _csv(header: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _manifest() -> str:
    rows = [("manifest.version", "1.0"), ("oneroster.version", "1.1")]
    rows += sorted([(f"file.{name[:-4]}", "delta") for name in FILES] + [(f"file.{n}", "absent") for n in ABSENT])
    rows += [("source.systemName", "School Design Workbench"), ("source.systemCode", SYSTEM_CODE)]
    return _csv(["propertyName", "value"], [{"propertyName": k, "value": v} for k, v in rows])


def _is_previous_export(folder: Path) -> bool:
    names = {p.name for p in folder.iterdir()}
    if not names:
        return True
    if not names <= set(FILES) | {"manifest.csv"} or "manifest.csv" not in names:
        return False
    with (folder / "manifest.csv").open(encoding="utf-8") as handle:
        return any(row.get("value") == SYSTEM_CODE for row in csv.DictReader(handle))


def _key(sis: dict, key_path: Path | None) -> Key | None:
    """The given key, else the district's default key when it exists; a key that is not the scenario's is
    refused (its pseudonyms would not match)."""
    path = key_path or default_key_path(str(sis.get("district_id", "")))
    if key_path is None and not path.exists():
        return None
    key = read_key(path)
    if sis.get("key_id") and key.key_id != sis["key_id"]:
        raise ScenarioInvalid([Problem(str(path), None, None, f"is key {key.key_id}, but the scenario was imported "
                                       f"with key {sis['key_id']}", "give --key the key file the school was imported "
                                       "with")])
    return key


def _restorer(key: Key | None, result: Result):
    """pseudonym -> SIS ID (identity without a key); every pseudonym of the design must be in the ID table."""
    if key is None:
        return lambda x: x
    table = read_ids(key)
    people = set(result.enrollments["student_id"]) | set(result.sections["staff_id"].dropna())
    new = set(result.staffing.loc[result.staffing["new_hire"].fillna(False).astype(bool), "staff_id"])
    unknown = sorted(people - set(table) - new)
    if unknown:
        raise ScenarioInvalid([Problem(str(key.path) + ".ids.csv", None, None, f"has no SIS ID for {len(unknown)} "
                                       f"people of the design (e.g. {unknown[0]})", "import the school again with "
                                       "this key, so that the ID table beside it is complete")])
    return lambda x: table[x][1]


def build_files(scenario: Scenario, result: Result, key: Key | None) -> tuple[dict[str, str], Exported]:
    """The OneRoster files of a design, as text by file name."""
    sis = scenario.raw_settings["sis"]
    school, sessions = str(sis["school_id"]), sis.get("sessions") or []
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    real = _restorer(key, result)
    courses = scenario.courses.set_index("course_id")
    sis_course = {c: (row.get("sis_id") if isinstance(row.get("sis_id"), str) and row.get("sis_id") else c)
                  for c, row in courses.iterrows()}
    grade = scenario.students.set_index("student_id")["grade"]
    terms = ",".join(str(s["sourcedId"]) for s in sessions)
    year = next((str(s["sourcedId"]) for s in sessions if str(s.get("type", "")).lower() == "schoolyear"), "")
    begin = min((str(s["startDate"]) for s in sessions), default="")
    end = max((str(s["endDate"]) for s in sessions), default="")
    members = result.enrollments.groupby("section_id")["student_id"].apply(list).to_dict()
    new = set(result.staffing.loc[result.staffing["new_hire"].fillna(False).astype(bool), "staff_id"])
    pinned = set(scenario.pins["section_id"].dropna()) if "section_id" in scenario.pins else set()
    classes, enrol, used, by_new_hire = [], [], set(), 0
    for s in result.sections.sort_values("section_id").itertuples():
        class_id = s.section_id if s.section_id in pinned else f"{school}-{s.section_id}"
        course = courses.loc[s.course_id]
        used.add(s.course_id)
        students = members.get(s.section_id, [])
        grades = sorted({int(grade[x]) for x in students if x in grade.index})
        classes.append({"sourcedId": class_id, "status": "active", "dateLastModified": stamp,
                        "title": f"{course['name']} (period {s.period})", "grades": ",".join(map(_ceds, grades)),
                        "courseSourcedId": sis_course[s.course_id], "classCode": s.section_id,
                        "classType": "scheduled", "location": "" if pd.isna(s.room_id) else s.room_id,
                        "schoolSourcedId": school, "termSourcedIds": terms, "subjects": course["subject"],
                        "periods": str(s.period)})
        people = [] if pd.isna(s.staff_id) or s.staff_id in new else [(s.staff_id, "teacher", "true")]
        by_new_hire += int(not pd.isna(s.staff_id) and s.staff_id in new)
        people += [(x, "student", "false") for x in sorted(students)]
        for who, role, primary in people:
            user = real(who)
            enrol.append({"sourcedId": f"{class_id}-{user}", "status": "active", "dateLastModified": stamp,
                          "classSourcedId": class_id, "schoolSourcedId": school, "userSourcedId": user,
                          "role": role, "primary": primary, "beginDate": begin, "endDate": end})
    course_rows = [{"sourcedId": sis_course[c], "status": "active", "dateLastModified": stamp,
                    "schoolYearSourcedId": year, "title": courses.loc[c, "name"], "courseCode": c,
                    "grades": ",".join(_ceds(int(x)) for x in split_list(courses.loc[c].get("grades"))),
                    "orgSourcedId": school, "subjects": courses.loc[c, "subject"]} for c in sorted(used)]
    session_rows = [{**{k: str(v) for k, v in s.items()}, "status": "active", "dateLastModified": stamp}
                    for s in sessions]
    files = {"academicSessions.csv": _csv(FILES["academicSessions.csv"], session_rows),
             "courses.csv": _csv(FILES["courses.csv"], course_rows),
             "classes.csv": _csv(FILES["classes.csv"], classes),
             "enrollments.csv": _csv(FILES["enrollments.csv"], enrol),
             "manifest.csv": _manifest()}
    return files, Exported(Path(), len(classes), len(enrol), key is not None, by_new_hire)


def export_oneroster(result_path: Path, folder: Path, key_path: Path | None = None,
                     scenario_path: Path | None = None) -> Exported:
    """Write the design of `result_path` as OneRoster 1.1 CSV into `folder`. Raises ScenarioInvalid (one Problem
    per fault) for an unreadable result, a scenario not imported from an SIS, a wrong key, or a folder that is
    neither empty nor an earlier export."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or not _is_previous_export(folder)):
        raise ScenarioInvalid([Problem(str(folder), None, None, "already exists and is not an earlier OneRoster "
                                       "export of the workbench", "choose a new folder (an export never overwrites "
                                       "your files)")])
    result = read_result(result_path)
    where = scenario_path or result.summary.get("scenario_path")
    if not where or not Path(where).is_dir():
        raise ScenarioInvalid([Problem(str(result_path), None, "scenario_path", "does not say where its scenario is",
                                       "give --scenario the scenario folder the result was solved from")])
    scenario = load_scenario(where)
    sis = scenario.raw_settings.get("sis")
    if not isinstance(sis, dict) or "school_id" not in sis:
        raise ScenarioInvalid([Problem("scenario.yaml", None, "sis", "this scenario was not imported from a student "
                                       "information system, so there are no SIS IDs to send back",
                                       "import the school with `workbench import`, or use --xlsx / --html")])
    files, done = build_files(scenario, result, _key(sis, key_path))
    with atomic_folder(folder) as tmp:
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8")
    done.folder = folder
    return done


def export_oneroster_cli(result: Path, folder: Path, key: Path | None = None, scenario: Path | None = None) -> None:
    import typer

    from workbench.console import fail_with

    try:
        done = export_oneroster(result, folder, key, scenario)
    except ScenarioInvalid as exc:
        fail_with(exc)
    ids = "real SIS IDs restored with the key" if done.restored else \
        "IDs left as pseudonyms (no key given, none at the default place): give --key to restore the real IDs"
    typer.echo(f"wrote {done.folder}: {done.classes:,} classes, {done.enrollments:,} enrollments in OneRoster 1.1 "
               f"CSV; {ids}")
    if done.new_hire_sections:
        typer.echo(f"{done.new_hire_sections} classes are taught by new hires and have no teacher enrollment: add "
                   "the new staff to the SIS, then assign them")
