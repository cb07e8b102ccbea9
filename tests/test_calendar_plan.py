"""Solving a school on a real bell schedule (SPEC §4): the design names each section's term and day type, and
the independent checker finds no breach of any rule, the calendar's included.

Story: the tutorial middle school tries a semester (4x4-style) calendar and then a two-week A/B rotation.
Today the schedule step fits a plain-week timetable onto the calendar (sound, not yet thrifty); what it
cannot plan yet (double periods, lunch waves) it refuses before solving, in words.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.errors import InfeasibleDesign
from workbench.pipeline import solve_scenario
from workbench.plan.calendar_fit import place_in_calendar
from workbench.results.check import check_result
from workbench.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
AB = {"school.days": 10, "school.day_types": {"A": [1, 3, 5, 7, 9], "B": [2, 4, 6, 8, 10]}}


@pytest.fixture(scope="module")
def tutorial():
    return load_scenario(ROOT / "scenarios" / "tutorial")


def semester_school(tutorial):
    school = tutorial.with_settings(**{"school.terms": ["fall", "spring"]})
    school.courses["term_length"] = "term"
    return school


def ab_school(tutorial):
    school = tutorial.with_settings(**AB)
    school.courses["meets"] = "one_day_type"
    return school


@pytest.mark.parametrize("make", [semester_school, ab_school], ids=["semesters", "a-b-days"])
def test_a_calendar_school_solves_with_no_breach_and_reports_lunch_and_planning_time(tutorial, make):
    school = make(tutorial)
    result = solve_scenario(school)
    assert check_result(school, result) == []
    metrics = result.summary["metrics"]
    assert metrics["lunch_ok"] is True
    assert metrics["teacher_planning_minutes_min"] > 0
    assert metrics["required_fulfilled_pct"] == 100.0


def test_semester_sections_each_name_one_term_and_every_teacher_works_in_both(tutorial):
    school = semester_school(tutorial)
    sections = solve_scenario(school).sections
    assert set(sections["term"]) == {"fall", "spring"}
    per_teacher = sections.groupby("staff_id")["term"].nunique()
    many = sections.groupby("staff_id").size() > 1
    assert (per_teacher[many] == 2).all(), "a teacher with two sections or more teaches in both terms"


def test_a_b_day_sections_each_name_a_day_type_and_tutoring_meets_three_times_a_week(tutorial):
    school = ab_school(tutorial)
    result = solve_scenario(school)
    assert set(result.sections["day_type"]) == {"A", "B"}
    per_cycle = result.group_sessions.groupby("group_id").size()
    assert (per_cycle >= 6).all(), "three times a week is six times in a two-week cycle"


def test_a_plain_week_schedule_gets_no_calendar_columns(tutorial):
    sections = pd.DataFrame({"section_id": ["A-1"], "course_id": ["ART"], "staff_id": ["T1"], "period": [1]})
    assert list(place_in_calendar(tutorial, sections).columns) == list(sections.columns)


def test_a_double_period_or_lunch_waves_are_refused_before_the_solve_in_words(tutorial):
    school = tutorial.with_settings(**{"school.lunch": {"periods": [3, 4]}})
    school.courses.loc[school.courses.index[0], "periods_per_meeting"] = 2
    with pytest.raises(InfeasibleDesign) as refused:
        solve_scenario(school)
    words = " ".join(refused.value.reasons)
    assert "Double periods" in words and "Lunch waves" in words and "not yet planned" in words
