"""Any school a person could validly describe gets a design the independent checker accepts, or a plain
"this cannot work" — never an internal error.

Hypothesis writes random VALID scenario folders from scratch: one to three grades (kindergarten to 12), a
handful of students, optional columns left out, left blank or half filled (fte, effectiveness,
unavailable_periods, room_type, grades, max_new_hires, reach, capacity, subject, descriptions, and the extra
columns a funding weight or the three-year budget reads: below_grade_math, recurring), supports
without a capacity, roles without a reach, pins.csv present or not, funding weights whose per-student
dollars fall between cents. Each folder is validated, solved, written, read back and checked as
`workbench check` would.

`make test` runs a short, reproducible hunt; `pytest -m slow_property` runs a long one
(PROPERTY_EXAMPLES=1000 to choose how long).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.errors import InfeasibleDesign
from workbench.pipeline import solve_scenario
from workbench.results.check import check_result
from workbench.results.io import read_result, write_result
from workbench.scenario import load_scenario, validate_scenario
from workbench.scenario.schema import GOAL_KINDS

SUBJECTS = ("math", "ela")
# How an optional column appears: left out of the file, every cell blank, some cells blank, or filled in.
COLUMN_MODES = ("absent", "blank", "mixed", "full")


def _csv(header: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[row.get(column, "") for column in header] for row in rows])
    return out.getvalue()


def _table(required: list[str], optional: dict[str, list | None], rows: list[dict]) -> str:
    """`optional` maps a column to its cells, or to None when the file leaves the column out."""
    header = required + [name for name, cells in optional.items() if cells is not None]
    return _csv(header, [{**row, **{name: cells[i] for name, cells in optional.items() if cells is not None}}
                         for i, row in enumerate(rows)])


@st.composite
def valid_school(draw) -> dict[str, str]:
    """The files of one valid scenario folder: {file name: text}."""

    def optional(values: list) -> list | None:
        """An optional column's cells: left out of the file (None), all blank, some blank, or filled in."""
        mode = draw(st.sampled_from(COLUMN_MODES))
        if mode == "absent":
            return None
        return ["" if mode == "blank" or (mode == "mixed" and draw(st.booleans())) else v for v in values]

    first = draw(st.integers(min_value=0, max_value=11))
    grades = list(range(first, min(12, first + draw(st.integers(min_value=0, max_value=2))) + 1))
    periods = draw(st.integers(min_value=3, max_value=6))
    intervention = [periods] if draw(st.booleans()) else []
    teaching = [p for p in range(1, periods + 1) if p not in intervention]

    students = []
    for grade in grades:
        for _ in range(draw(st.integers(min_value=1, max_value=5))):
            students.append({"student_id": f"S{len(students) + 1:03d}", "grade": grade,
                             "ell": draw(st.integers(0, 1)), "iep": draw(st.integers(0, 1)),
                             "frl": draw(st.integers(0, 1)), "math_level": draw(st.integers(0, 130)) / 10,
                             "reading_level": draw(st.integers(0, 130)) / 10,
                             "below_grade_math": draw(st.sampled_from([0, 1, ""]))})   # weighed; blank: no need

    studio = draw(st.booleans())   # art needs a studio
    courses = [{"course_id": f"{s[0].upper()}{g}", "name": f"{s} {g}", "subject": s,
                "max_size": draw(st.integers(min_value=5, max_value=30))} for g in grades for s in SUBJECTS]
    courses.append({"course_id": "ART", "name": "Art", "subject": "art", "max_size": draw(st.integers(3, 30))})
    course_grades = [str(g) for g in grades for _ in SUBJECTS] + [";".join(map(str, grades))]
    room_types = [""] * (len(courses) - 1) + ["studio" if studio else ""]
    course_opt = {"room_type": room_types if studio else optional(room_types), "grades": optional(course_grades)}

    requests = []
    for s in students:
        requests += [{"student_id": s["student_id"], "course_id": f"{subject[0].upper()}{s['grade']}",
                      "priority": 1} for subject in SUBJECTS]
        if draw(st.booleans()):
            requests.append({"student_id": s["student_id"], "course_id": "ART", "priority": draw(st.integers(1, 3))})

    rooms = [{"room_id": f"R{i + 1}", "capacity": draw(st.integers(min_value=5, max_value=35))}
             for i in range(draw(st.integers(min_value=1, max_value=3)))]
    if studio:
        rooms.append({"room_id": "STUDIO", "capacity": draw(st.integers(5, 35))})
    kinds_of_room = [""] * len(rooms) if not studio else [""] * (len(rooms) - 1) + ["studio"]

    leads = draw(st.booleans())
    roles = [{"role": "teacher", "annual_cost": draw(st.sampled_from([107097.76, 65000, 80000.5])),
              "teaches_sections": 1, "tutors": draw(st.integers(0, 1)), "max_sections": len(teaching),
              "max_group_size": draw(st.integers(1, 6))},
             {"role": "tutor", "annual_cost": 45000, "teaches_sections": 0, "tutors": 1, "max_sections": 0,
              "max_group_size": draw(st.integers(1, 6))}]
    reach = [0, 0]
    if leads:
        roles.append({"role": "mcl", "annual_cost": 125639.36, "teaches_sections": 1, "tutors": 1,
                      "max_sections": max(1, len(teaching) - 1), "max_group_size": 4})
        reach.append(draw(st.integers(1, 5)))
    role_opt = {"max_new_hires": optional([draw(st.integers(0, 3)) for _ in roles]),
                # a leader's reach is what makes it a leader: only the others' may be blank or left out
                "reach": [r or draw(st.sampled_from(["", 0])) for r in reach] if leads else optional(reach),
                "description": optional([f"the {r['role']} role" for r in roles])}

    staff = [{"staff_id": "T1", "role": "teacher", "subjects": "math;art", "max_sections": len(teaching)},
             {"staff_id": "T2", "role": "teacher", "subjects": "ela;art", "max_sections": len(teaching)}]
    if draw(st.booleans()):
        staff.append({"staff_id": "T3", "role": "mcl" if leads else "teacher", "subjects": "math;ela",
                      "max_sections": len(teaching)})
    if draw(st.booleans()):
        staff.append({"staff_id": "P1", "role": "tutor", "subjects": "math;ela", "max_sections": 0})
    away = ["", str(teaching[0]), ";".join(map(str, teaching[:2]))]
    staff_opt = {"fte": optional([draw(st.sampled_from([1, 0.5, 0.8, 1.0])) for _ in staff]),
                 "unavailable_periods": optional([draw(st.sampled_from(away)) for _ in staff]),
                 "effectiveness": optional([draw(st.sampled_from([1, 2.5, 3, 4])) for _ in staff])}

    support_names = ["vision screening", "mentoring"][:draw(st.integers(1, 2))]
    supports = [{"support": name, "cost_per_student": draw(st.sampled_from([0, 40, 600.5]))} for name in support_names]
    support_opt = {"capacity": optional([draw(st.integers(min_value=0, max_value=4)) for _ in supports]),
                   "description": optional([f"{name} for a year" for name in support_names]),
                   "recurring": optional([draw(st.integers(0, 1)) for _ in supports])}   # an extra column

    goals = []
    for s in students:
        kind = draw(st.sampled_from(["none", *GOAL_KINDS]))
        subject = draw(st.sampled_from(["", *SUBJECTS]))
        wanted = [r["course_id"] for r in requests if r["student_id"] == s["student_id"]]
        target = {"tutoring_minutes": st.sampled_from([30, 60, 90]), "course": st.sampled_from(wanted),
                  "max_class_size": st.integers(1, 30), "support": st.sampled_from(support_names),
                  "strong_teacher": st.sampled_from(["1", "3", "leader"])}.get(kind)
        if target is not None:
            if kind == "tutoring_minutes":
                subject = subject or "math"
            elif kind in ("course", "support"):
                subject = ""
            goals.append({"student_id": s["student_id"], "goal": kind, "target": draw(target), "subject": subject})
    goal_subjects = [g["subject"] for g in goals]
    goal_opt = {"subject": goal_subjects if any(goal_subjects) else optional(goal_subjects)}

    files = {
        "students.csv": _csv(list(students[0]), students),
        "courses.csv": _table(["course_id", "name", "subject", "max_size"], course_opt, courses),
        "requests.csv": _csv(["student_id", "course_id", "priority"], requests),
        "staff.csv": _table(["staff_id", "role", "subjects", "max_sections"], staff_opt, staff),
        "roles.csv": _table(["role", "annual_cost", "teaches_sections", "tutors", "max_sections", "max_group_size"],
                            role_opt, roles),
        "rooms.csv": _table(["room_id", "capacity"],
                            {"room_type": kinds_of_room if studio else optional(kinds_of_room)}, rooms),
        "goals.csv": _table(["student_id", "goal", "target"], goal_opt, goals),
        "supports.csv": _table(["support", "cost_per_student"], support_opt, supports),
    }
    pin = draw(st.sampled_from(["none", "course", "course_period", "section_teacher"]))
    if pin != "none":
        row = {"course_id": "ART"}
        if pin == "course_period":
            row["period"] = teaching[-1]
        elif pin == "section_teacher":
            row["section_id"], row["staff_id"] = "ART-PINNED", "T1"
        files["pins.csv"] = _csv(["course_id", *[c for c in ("section_id", "staff_id", "period") if c in row]], [row])

    weights = {"ell": draw(st.sampled_from([0.4, 0.123])), "frl": draw(st.sampled_from([0.12, 0.25])),
               "below_grade_math": 0.35}
    if draw(st.booleans()):
        weights["iep"] = 0.9
    files["scenario.yaml"] = yaml.safe_dump({
        "name": "A school drawn by hypothesis",
        "school": {"grades": grades, "days": draw(st.integers(3, 5)), "periods_per_day": periods,
                   "minutes_per_period": draw(st.sampled_from([30, 45, 50])), "intervention_periods": intervention},
        "funding": {"base_per_pupil": draw(st.sampled_from([4310, 7800, 9999.99])), "weights": weights,
                    "grade_weights": {g: draw(st.sampled_from([1.0, 1.08, 1.333])) for g in grades},
                    "other_revenue": draw(st.sampled_from([0, 150000, 400000, 2000000])),
                    "allow_deficit": draw(st.booleans())},
        "tutoring": {"max_group_size": draw(st.integers(1, 4)), "sessions_per_week": draw(st.integers(1, 3)),
                     "session_minutes": 30},
        "solver": {"name": "highs", "time_limit_s": 5, "mip_gap": 0.05, "seed": 0},
    }, sort_keys=False)
    return files


def _solve_and_check(files: dict[str, str]) -> None:
    """Valid by construction; then a design every hard rule and goal flag of which the checker confirms
    after a write and a read, or an InfeasibleDesign in plain sentences."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "school"
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        problems = validate_scenario(folder)
        assert problems == [], "the strategy drew an invalid school:\n" + "\n".join(map(str, problems))
        scenario = load_scenario(folder)
        try:
            result = solve_scenario(scenario)
        except InfeasibleDesign as exc:
            assert exc.phase != "check", "\n".join(exc.reasons)   # the planner broke a hard rule: a bug
            assert exc.reasons and all(isinstance(r, str) and r.strip() for r in exc.reasons)
            assert not any("Traceback" in r or "Error:" in r for r in exc.reasons), exc.reasons
            return
        write_result(result, Path(tmp) / "design")
        breaches = check_result(scenario, read_result(Path(tmp) / "design"))
        assert breaches == [], "\n".join(map(str, breaches))


HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large]


@settings(max_examples=20, deadline=None, derandomize=True, database=None, suppress_health_check=HEALTH)
@given(valid_school())
def test_every_valid_school_gets_a_checked_design_or_a_plain_refusal(files):
    _solve_and_check(files)


@pytest.mark.slow_property
@settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "300")), deadline=None, database=None,
          suppress_health_check=HEALTH)
@given(valid_school())
def test_a_long_hunt_over_valid_schools(files):
    _solve_and_check(files)
