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
