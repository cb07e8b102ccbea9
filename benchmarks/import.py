"""Benchmark SIS imports: Grand Bend High from its Ed-Fi XML and from the district's OneRoster export, and a
OneRoster export of a generated 5,000-student high school; the OneRoster export of a solved design too.

Usage: `.venv/bin/python benchmarks/import.py [--repeat 5] [--students 5000]`. The 5,000-student export is
written here straight from the generated scenario's tables (solving a school that size takes minutes and is
not what is measured): the district, the school year, every course, classes enough for the requests at 90%
of the cap (spread over the teaching periods, each with a teacher holding its subject), every student and
teacher with made-up names and emails, teacher enrolments, the students' real course requests
(courseRequests.csv) and their needs and levels (userFlags.csv). Each import writes a scenario and its
report; the median wall time of `--repeat` runs is printed (the first run also warms the caches).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from oneroster_fixture import EDFI, build_oneroster  # noqa: E402

from workbench.interop.commands import import_school, read_school  # noqa: E402
from workbench.interop.export import export_oneroster  # noqa: E402
from workbench.scenario.generate import build_scenario, sections_needed  # noqa: E402
from workbench.scenario.schema import split_list  # noqa: E402

SCHOOL = "255901001"


def _write(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def generated_oneroster(students: int, out: Path) -> Path:
    """A OneRoster 1.1 export of a generated high school, built from the scenario's own tables."""
    sc = build_scenario(students, seed=5, level="high")
    out.mkdir(parents=True)
    school, year = "HS-1", "SY2025"
    _write(out / "orgs.csv", [{"sourcedId": "D-1", "status": "active", "name": "Generated District", "type": "district",
                               "parentSourcedId": ""},
                              {"sourcedId": school, "status": "active", "name": "Generated High", "type": "school",
                               "parentSourcedId": "D-1"}])
    _write(out / "academicSessions.csv", [{"sourcedId": year, "status": "active", "title": "2024-2025",
                                           "type": "schoolYear", "startDate": "2024-08-26", "endDate": "2025-06-20",
                                           "parentSourcedId": "", "schoolYear": "2025"}])
    _write(out / "courses.csv", [{"sourcedId": f"C-{c.course_id}", "status": "active", "title": c.name,
                                  "courseCode": c.course_id, "grades": ",".join(f"{int(g):02d}" for g in
                                                                                split_list(c.grades)),
                                  "orgSourcedId": school, "subjects": c.subject} for c in sc.courses.itertuples()])
    teachers = sc.staff[sc.staff["max_sections"] > 0]
    load = {t: 0 for t in teachers["staff_id"]}
    holders = {s: [t.staff_id for t in teachers.itertuples() if s in split_list(t.subjects)]
               for s in sc.courses["subject"]}
    periods = sc.teaching_periods
    classes, enrol, counter = [], [], 0
    for course, count in sections_needed(sc.courses, sc.requests).items():
        subject = sc.courses.set_index("course_id").loc[course, "subject"]
        for i in range(int(count)):
            teacher = min(holders[subject], key=lambda t: (load[t], t))
            load[teacher] += 1
            class_id = f"K-{course}-{i + 1}"
            classes.append({"sourcedId": class_id, "status": "active", "title": f"{course} {i + 1}",
                            "courseSourcedId": f"C-{course}", "classCode": class_id, "classType": "scheduled",
                            "location": "", "schoolSourcedId": school, "termSourcedIds": year,
                            "periods": str(periods[counter % len(periods)])})
            enrol.append({"sourcedId": f"E-{class_id}", "status": "active", "classSourcedId": class_id,
                          "schoolSourcedId": school, "userSourcedId": teacher, "role": "teacher", "primary": "true"})
            counter += 1
    _write(out / "classes.csv", classes)
    _write(out / "enrollments.csv", enrol)
    users = [{"sourcedId": s.student_id, "status": "active", "enabledUser": "true", "orgSourcedIds": school,
              "role": "student", "username": f"student{i}", "givenName": f"Given{i}", "familyName": f"Family{i}",
              "email": f"student{i}@example.org", "grades": f"{int(s.grade):02d}"}
             for i, s in enumerate(sc.students.itertuples())]
    users += [{"sourcedId": t.staff_id, "status": "active", "enabledUser": "true", "orgSourcedIds": school,
               "role": "teacher", "username": f"t{t.staff_id}", "givenName": "Teacher", "familyName": t.staff_id,
               "email": f"{t.staff_id}@example.org", "grades": ""} for t in teachers.itertuples()]
    _write(out / "users.csv", users)
    _write(out / "courseRequests.csv", [{"sourcedId": f"R{i}", "userSourcedId": r.student_id,
                                         "courseSourcedId": f"C-{r.course_id}", "priority": str(r.priority),
                                         "alternateForCourseSourcedId": ""} for i, r in
                                        enumerate(sc.requests.itertuples())])
    flags = [{"userSourcedId": s.student_id, "flag": f, "value": "1"} for s in sc.students.itertuples()
             for f in ("ell", "iep", "frl") if getattr(s, f)]
    flags += [{"userSourcedId": s.student_id, "flag": f, "value": f"{getattr(s, f):g}"}
              for s in sc.students.itertuples() for f in ("math_level", "reading_level")]
    _write(out / "userFlags.csv", flags)
    return out


def timed(kind: str, source: Path, school: str | None, work: Path, repeat: int) -> tuple[float, str]:
    times, summary = [], ""
    for i in range(repeat):
        out = work / f"{kind}-{source.name}-{i}"
        start = time.perf_counter()
        done = import_school(read_school(kind, source, school), out, work / "bench.key", source)
        times.append(time.perf_counter() - start)
        summary = done.summary.split(": ", 1)[1].split(". Read")[0]
    return statistics.median(times), summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--students", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as holder:
        work = Path(holder)
        start = time.perf_counter()
        generated = generated_oneroster(args.students, work / f"generated-{args.students}")
        print(f"built the OneRoster export of a generated {args.students:,}-student school in "
              f"{time.perf_counter() - start:.1f} s (not part of the import)")
        district = build_oneroster(work / "grand-bend-oneroster")
        for label, kind, source, school in [
            ("Grand Bend High, Ed-Fi XML (3.3 MB, whole district read)", "edfi", EDFI, SCHOOL),
            ("Grand Bend High, OneRoster 1.1 CSV of the district", "oneroster", district, SCHOOL),
            (f"generated {args.students:,}-student high school, OneRoster 1.1 CSV", "oneroster", generated, None),
        ]:
            median, summary = timed(kind, source, school, work, args.repeat)
            print(f"import {label}: median {median:.2f} s over {args.repeat} runs ({summary})")
        _export(work, district, args.repeat)


def _export(work: Path, district: Path, repeat: int) -> None:
    """The export of a solved Grand Bend High design (solved once here, not timed)."""
    from workbench.pipeline import solve_scenario
    from workbench.results.io import write_result
    from workbench.scenario.validate import load_scenario

    scenario = work / f"oneroster-{district.name}-0"
    result = work / "result"
    write_result(solve_scenario(load_scenario(scenario)), result)
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        done = export_oneroster(result, work / f"to-sis-{i}", work / "bench.key")
        times.append(time.perf_counter() - start)
    print(f"export Grand Bend High's design as OneRoster: median {statistics.median(times):.2f} s over {repeat} runs "
          f"({done.classes} classes, {done.enrollments:,} enrollments)")


if __name__ == "__main__":
    main()
