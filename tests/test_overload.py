"""A student who asks for more courses than the day has periods is warned about before the solve, and each
request left unplaced says why in those words (field case c08-overloaded-student), not "every section is
full"."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from workbench.results.io import read_result
from workbench.scenario import load_scenario
from workbench.scenario.summary import warnings

ROOT = Path(__file__).resolve().parents[1]
CASE = Path(__file__).resolve().parent / "data" / "field-cases" / "c08-overloaded-student"
TOO_MANY = "the student requested 6 required courses but the day has only 4 teaching periods"


def workbench(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "workbench.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd)


def test_validate_warns_about_the_student_who_asked_for_six_courses_in_four_periods():
    done = workbench("validate", CASE)
    assert done.returncode == 0, done.stderr
    assert f"S01: {TOO_MANY}, so at most 4 can be placed" in done.stdout
    assert done.stdout.count("S0") == 1, "only S01 is overloaded"


def test_the_overloaded_students_unplaced_requests_say_why_and_everything_else_is_placed(tmp_path):
    done = workbench("solve", CASE, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    result = read_result(tmp_path / "out")
    metrics = result.summary["metrics"]
    assert metrics["required_fulfilled_pct"] == pytest.approx(94.87, abs=0.01)       # 37 of 39
    assert metrics["students_fully_scheduled_pct"] == pytest.approx(91.67, abs=0.01)  # 11 of 12
    unplaced = pd.read_csv(tmp_path / "out" / "unplaced_requests.csv", dtype=str)
    assert list(unplaced["student_id"]) == ["S01", "S01"]
    assert all(TOO_MANY in reason for reason in unplaced["reason"])
    assert workbench("check", CASE, tmp_path / "out").returncode == 0


def test_electives_past_the_last_period_are_named_too(mini):
    """A second example of the kind: three required courses and three electives in the mini school's four
    teaching periods."""
    school = mini.copy()
    extra = pd.DataFrame({"student_id": "S01", "course_id": ["E7", "M7"], "priority": 2})
    school.requests = pd.concat([school.requests, extra], ignore_index=True)
    periods = len(school.teaching_periods)
    asked = school.requests[(school.requests["student_id"] == "S01") & (school.requests["priority"] < 3)]
    assert len(asked) > periods
    said = warnings(school)
    assert len(said) == 1 and said[0].startswith("S01: the student requested 3 required courses and 3 electives")
    assert f"only {periods} teaching periods" in said[0]


def test_a_school_where_everyone_fits_has_no_warning(mini):
    assert warnings(mini) == []
    assert warnings(load_scenario(CASE)) != []


def test_validate_reports_the_small_courses_requested_together_and_warns_about_pinned_clashes(tmp_path):
    """The reports schedulers run before a master schedule: the singleton/doubleton collisions (c01m: AP
    Chemistry and AP Literature, both singletons, both pinned to period 1, one student needing both)."""
    import shutil

    case = tmp_path / "c01m"
    shutil.copytree(CASE.parent / "c08-overloaded-student", case)
    (case / "pins.csv").write_text("course_id,section_id,staff_id,period,room_id\n"
                                   "ELA6,ELA6-01,,1,\nMATH6,MATH6-01,,1,\n")
    done = workbench("validate", case)
    assert done.returncode == 0, done.stderr
    said = " ".join(done.stdout.split())
    assert "ELA6 (singleton) and MATH6 (singleton): 12 students request both" in said
    assert ("ELA6 and MATH6 are both pinned to period 1 only and 12 students request both: one of them needs "
            "another section or a different period") in said
    assert "ELA6 and SCI6 are both pinned" not in said, "only courses pinned to one period are warned about"


def ask(school, student: str, courses: list[str]):
    """The school with `student` requesting exactly `courses` (the first required, the rest electives)."""
    school = school.copy()
    mine = pd.DataFrame({"student_id": student, "course_id": courses, "priority": [1] + [2] * (len(courses) - 1)})
    school.requests = pd.concat([school.requests[school.requests["student_id"].astype(str) != student], mine],
                                ignore_index=True)
    return school


def test_an_ab_block_school_warns_only_the_student_who_asks_for_more_than_eight_courses():
    """Eastside High runs A/B days: four teaching blocks a day, each course on one day type, so a student fits
    eight courses in the two-day rotation. Students asking for five to eight courses are no overload; the one
    asking for nine is, in words that say how the eight are counted; and a course that meets every day takes
    the room of two."""
    eastside = load_scenario(ROOT / "scenarios" / "eastside-ab-high")
    assert not [line for line in warnings(eastside) if "teaching periods" in line]
    courses = list(eastside.courses["course_id"].astype(str))
    student = str(eastside.students["student_id"].iloc[0])
    assert not [line for line in warnings(ask(eastside, student, courses[:8])) if line.startswith(student)]
    said = [line for line in warnings(ask(eastside, student, courses[:9])) if line.startswith(student)]
    assert said == [f"{student}: the student requested 1 required course and 8 electives but the timetable has room "
                    "for only 8 (4 teaching periods on each of 2 day types, A and B), so at most 8 can be placed"]
    every_day = ask(eastside, student, courses[:8])
    every_day.courses.loc[every_day.courses["course_id"] == courses[0], "meets"] = "every_day"
    said = [line for line in warnings(every_day) if line.startswith(student)]
    assert len(said) == 1 and said[0].endswith(f"at most 8 can be placed; {courses[0]} (meets every day) takes the "
                                               "room of 2")


def test_a_4x4_school_counts_four_courses_a_term_over_two_terms():
    """Lakeview High runs 4x4 blocks: four courses in the fall, four others in the spring."""
    lakeview = load_scenario(ROOT / "scenarios" / "lakeview-4x4-high")
    assert not [line for line in warnings(lakeview) if "teaching periods" in line]
    courses = list(lakeview.courses["course_id"].astype(str))
    student = str(lakeview.students["student_id"].iloc[0])
    assert not [line for line in warnings(ask(lakeview, student, courses[:8])) if line.startswith(student)]
    said = [line for line in warnings(ask(lakeview, student, courses[:10])) if line.startswith(student)]
    assert len(said) == 1 and ("has room for only 8 (4 teaching periods in each of 2 terms, fall and spring), so at "
                               "most 8 can be placed") in said[0]


def test_a_year_long_course_on_a_4x4_school_takes_a_block_in_both_terms():
    lakeview = load_scenario(ROOT / "scenarios" / "lakeview-4x4-high")
    courses = list(lakeview.courses["course_id"].astype(str))
    student = str(lakeview.students["student_id"].iloc[0])
    school = ask(lakeview, student, courses[:8])
    school.courses.loc[school.courses["course_id"] == courses[1], "term_length"] = "year"
    said = [line for line in warnings(school) if line.startswith(student)]
    assert len(said) == 1 and said[0].endswith(f"so at most 8 can be placed; {courses[1]} (runs all year) takes the "
                                               "room of 2")
