"""Sections are decisions. When two courses are pinned to the same period and students need both, the solve
keeps both pins and opens one more section of one of them where a teacher and a room are free (field case
c01m), instead of leaving the clash unresolved; and a section nobody can attend is closed (c10b)."""

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


def test_an_elective_section_nobody_can_attend_is_closed_not_left_empty():
    """Field case c10b-no-alternates: eight students want Band (max 5 a section) and are all free only in
    period 4, where Band's one teacher can hold one section. At least 5 of 8 get Band (41 of 44 requests),
    and a second Band section in a period all its requesters spend in English is closed, giving the
    teacher's period back."""
    case = CASE.parent / "c10b-no-alternates"
    school = load_scenario(case)
    result = solve_scenario(school)
    assert result.summary["metrics"]["requests_fulfilled_pct"] >= 93.18
    seated = set(result.enrollments["section_id"])
    assert set(result.sections["section_id"]) <= seated, "no section is left empty"
    band = result.enrollments.merge(_sections_of(result, "BAND"), on="section_id")
    assert band["student_id"].nunique() >= 5
    assert check_result(school, result) == []


def test_closing_keeps_a_pinned_section_even_when_it_is_empty(mini):
    from workbench.plan.schedule import close_empty_sections

    school = mini.copy()
    school.pins = pd.DataFrame({"course_id": ["ART"], "section_id": ["ART-PINNED"]})
    sections = pd.DataFrame({"section_id": ["ART-PINNED", "ART-02", "MUS-01"], "course_id": ["ART", "ART", "MUS"],
                             "staff_id": "T04", "room_id": "R4", "period": [1, 2, 3]})
    enroll = pd.DataFrame({"student_id": ["S01"], "section_id": ["MUS-01"]})
    kept, closed = close_empty_sections(school, sections, enroll)
    assert list(kept["section_id"]) == ["ART-PINNED", "MUS-01"] and closed == ["ART-02"]
