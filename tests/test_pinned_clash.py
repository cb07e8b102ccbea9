"""Sections are decisions: when two courses are pinned to the same period and students need both, the solve
keeps both pins and opens one more section of one of them where a teacher and a room are free (field case
c01m), instead of leaving the clash unresolved."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.pipeline import solve_scenario
from workbench.results.check import check_result
from workbench.scenario import load_scenario

CASE = Path(__file__).resolve().parent / "data" / "field-cases" / "c01m"


def _sections_of(result, course):
    return result.sections[result.sections["course_id"] == course]


def test_two_pinned_singletons_in_one_period_get_a_second_section_and_the_student_gets_both():
    school = load_scenario(CASE)
    result = solve_scenario(school)
    metrics = result.summary["metrics"]
    assert metrics["requests_fulfilled_pct"] == 100.0 and metrics["required_fulfilled_pct"] == 100.0
    assert {"APCHEM-01", "APLIT-01"} <= set(result.sections["section_id"]), "the pins are kept"
    extra = len(_sections_of(result, "APCHEM")) + len(_sections_of(result, "APLIT")) - 2
    assert extra == 1, "one more section resolves the clash; two would waste a teacher's period"
    assert check_result(school, result) == []


def test_math_and_science_pinned_together_for_grade_6(mini):
    """A second example of the kind: every grade-6 student requires M6 and SCI, both pinned to period 2."""
    school = mini.copy()
    school.pins = pd.DataFrame({"course_id": ["M6", "SCI"], "section_id": ["M6-P", "SCI-P"],
                                "staff_id": ["T01", "T03"], "period": [2, 2], "room_id": ["R1", "R3"]})
    result = solve_scenario(school)
    assert result.summary["metrics"]["required_fulfilled_pct"] == 100.0
    assert {"M6-P", "SCI-P"} <= set(result.sections["section_id"])
    grade6 = set(school.students.loc[school.students["grade"] == 6, "student_id"])
    taken = result.enrollments.merge(result.sections, on="section_id")
    for course in ("M6", "SCI"):
        assert grade6 <= set(taken.loc[taken["course_id"] == course, "student_id"]), course
    assert check_result(school, result) == []
