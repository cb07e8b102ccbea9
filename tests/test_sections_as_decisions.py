"""Sections are decisions. When two courses are pinned to the same period and students need both, the solve
keeps both pins and opens one more section of one of them where a teacher and a room are free (field case
c01m), instead of leaving the clash unresolved; and students whose elective's second section meets with a
singleton they take get one more section of that singleton where they are free (c10b), a section nobody can
attend being closed."""

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


def test_band_students_kept_out_by_the_english_singleton_get_a_second_english_section():
    """Field case c10b-no-alternates: eight students want Band (max 5 a section); English, Math and Science
    are singletons all twelve students take, and the one period they are all free holds the one music room.
    EXPECTED: every Band section meets where its students are free and at least 5 of 8 get Band (41 of 44
    requests). A design placing all 44 exists, and the schedule finds it: one more English section in the
    free period lets three Band students take English there and Band in English's period. No section is
    left empty, and every request placed is a first choice (there are no alternates)."""
    case = CASE.parent / "c10b-no-alternates"
    school = load_scenario(case)
    result = solve_scenario(school)
    metrics = result.summary["metrics"]
    assert metrics["requests_fulfilled_pct"] == 100.0 and metrics["first_choice_pct"] == 100.0
    seated = set(result.enrollments["section_id"])
    assert set(result.sections["section_id"]) <= seated, "no section is left empty"
    band = result.enrollments.merge(_sections_of(result, "BAND"), on="section_id")
    assert band["student_id"].nunique() == 8
    assert len(_sections_of(result, "ELA6")) == 2 and len(_sections_of(result, "BAND")) == 2
    assert check_result(school, result) == []


def test_music_students_kept_out_by_a_math_singleton_get_a_second_math_section_from_another_teacher(mini):
    """A second example of the kind: in the mini school every grade-7 student takes Math 7, ELA 7 and Science
    (singletons) and wants Music, three a section. Music's one teacher can hold one section in the one
    period the grade-7s are free; the second lands on a singleton's period. The science teacher, certified
    in math and below her section limit, is free in the period of the second Music section (the blocking
    course and teacher differ from c10b): a second Math 7 section there gives all six students Music."""
    school = mini.copy()
    grade6, grade7 = [f"S{i:02d}" for i in range(1, 7)], [f"S{i:02d}" for i in range(7, 13)]
    rows = [(k, c, 1) for k in grade6 for c in ("M6", "E6", "SCI")] + [(k, "ART", 2) for k in grade6]
    rows += [(k, c, 1) for k in grade7 for c in ("M7", "E7", "SCI")] + [(k, "MUS", 2) for k in grade7]
    school.requests = pd.DataFrame(rows, columns=["student_id", "course_id", "priority"])
    school.goals = school.goals.iloc[:0]
    school.courses.loc[school.courses["course_id"] == "MUS", "max_size"] = 3
    result = solve_scenario(school)
    assert result.summary["metrics"]["requests_fulfilled_pct"] == 100.0
    music = result.enrollments.merge(_sections_of(result, "MUS"), on="section_id")
    assert sorted(music["student_id"]) == grade7
    math7 = _sections_of(result, "M7")
    assert len(math7) == 2 and set(math7["staff_id"]) == {"T01", "T03"}
    assert set(result.sections["section_id"]) <= set(result.enrollments["section_id"]), "no section is left empty"
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
