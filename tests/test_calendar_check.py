"""The checker on a real bell schedule (SPEC §4): A/B days, a 4x4 block, a lab double period and lunch waves.

Each story takes the hand-made mini school (twelve students, four teachers, five periods), gives it a
calendar, writes a correct design by hand, shows the checker passes it, then breaks it the way a careless
edit would and expects the checker to name the rule.
"""

from __future__ import annotations

import pandas as pd
import pytest
from test_check import build_valid

from workbench.goals.evaluate import evaluate_goals
from workbench.results.check import check_rules
from workbench.results.export import schedule_grid
from workbench.scenario.calendar import calendar_of, meetings, uses_calendar

AB = {"school.days": 10, "school.day_types": {"A": [1, 3, 5, 7, 9], "B": [2, 4, 6, 8, 10]}}


@pytest.fixture
def valid(mini):
    """The mini school's hand-made valid design (test_check.build_valid): a plain week."""
    return build_valid(mini)


def rules_of(scenario, result) -> dict:
    out: dict = {}
    for b in check_rules(scenario, result):
        out.setdefault(b.rule, []).append(str(b))
    return out


def set_cells(frame: pd.DataFrame, section_id: str, **cells) -> None:
    for column, value in cells.items():
        if column not in frame.columns:
            frame[column] = ""
        frame.loc[frame["section_id"] == section_id, column] = value


def set_course(scenario, course_id: str, **cells) -> None:
    for column, value in cells.items():
        scenario.courses.loc[scenario.courses["course_id"] == course_id, column] = value


# ---- A/B days ------------------------------------------------------------------------------------------

@pytest.fixture
def ab_school(mini):
    """A two-week A/B rotation: math and ELA are A/B block courses, art and science meet every day."""
    school = mini.with_settings(**AB)
    for course in ("M6", "M7", "E6", "E7"):
        set_course(school, course, meets="one_day_type")
    return school


@pytest.fixture
def ab_design(ab_school):
    result = build_valid(ab_school)
    result.sections["day_type"] = ""
    for section, period, day_type in (("SEC-M6-1", 1, "A"), ("SEC-E6-1", 2, "A"), ("SEC-M7-1", 1, "B"),
                                      ("SEC-E7-1", 2, "B")):   # grade 6 on A days, grade 7 on B days
        set_cells(result.sections, section, period=period, day_type=day_type)
    # the tutoring group now meets three times a week across a ten-day cycle: six sessions
    result.group_sessions = pd.DataFrame([("G1", day, 5, 30) for day in (1, 2, 3, 6, 7, 8)],
                                         columns=result.group_sessions.columns)
    return result


def test_two_classes_sharing_a_teacher_and_a_period_on_alternate_days_are_no_clash(ab_school, ab_design):
    assert uses_calendar(ab_school)
    assert rules_of(ab_school, ab_design) == {}


def test_a_b_day_class_moved_onto_a_days_double_books_its_teacher_on_a_days_only(ab_school, ab_design):
    set_cells(ab_design.sections, "SEC-M7-1", day_type="A")
    found = rules_of(ab_school, ab_design)
    assert found[1] == ["rule 1 (a teacher in two places at once): T01 teaches SEC-M6-1 and SEC-M7-1 in period 1 "
                        "(A days)"]


def test_a_one_day_type_section_with_no_day_type_is_caught(ab_school, ab_design):
    set_cells(ab_design.sections, "SEC-M6-1", day_type="")
    found = rules_of(ab_school, ab_design)
    assert any("SEC-M6-1 names no day type" in line for line in found[14])
    assert 1 in found, "meeting every day, it also clashes with Math 7 on B days"


def test_a_day_type_the_school_does_not_have_is_caught(ab_school, ab_design):
    set_cells(ab_design.sections, "SEC-M6-1", day_type="C")
    assert any("names day type 'C'" in line for line in rules_of(ab_school, ab_design)[14])


def test_an_every_day_course_put_on_a_days_only_is_caught(ab_school, ab_design):
    set_cells(ab_design.sections, "SEC-ART-1", day_type="A")
    assert rules_of(ab_school, ab_design)[14] == [
        "rule 14 (a class at odds with its course's term, days or double period): SEC-ART-1 meets only on A days, "
        "but ART meets every day"]


def test_a_group_counts_half_its_sessions_in_a_ten_day_cycle(ab_school, ab_design):
    ab_design.group_sessions = ab_design.group_sessions.head(3)   # three sessions in two weeks: 1.5 a week
    found = rules_of(ab_school, ab_design)
    assert found[9] == ["rule 9 (a small group that breaks the tutoring standard): group G1 meets 1.5 times a "
                        "week; the standard is at least 3"]


def test_tutoring_minutes_a_week_count_a_ten_day_cycle_at_half(ab_school, ab_design):
    ab_school.goals = pd.DataFrame([("S01", "tutoring_minutes", "90", "math")],
                                   columns=["student_id", "goal", "target", "subject"])
    goals = evaluate_goals(ab_school, ab_design)
    assert goals.loc[0, "provided"] == "90 minutes a week" and bool(goals.loc[0, "met"])


def test_a_group_on_a_b_day_meets_a_member_in_class_only_on_b_days(ab_school, ab_design):
    set_cells(ab_design.sections, "SEC-M6-1", period=5)          # (the intervention period: rule 6 too)
    found = rules_of(ab_school, ab_design)
    assert any("S01 is in group G1 on day 1, period 5, while in SEC-M6-1" in line for line in found[9])
    assert not any("day 2," in line for line in found[9]), "Math 6 meets on A days only"


# ---- a 4x4 semester block ------------------------------------------------------------------------------

@pytest.fixture
def block_school(mini):
    """Fall and spring terms; math and ELA are semester courses, science and art run all year."""
    school = mini.with_settings(**{"school.terms": ["fall", "spring"]})
    for course in ("M6", "M7", "E6", "E7"):
        set_course(school, course, term_length="term")
    return school


@pytest.fixture
def block_design(block_school):
    """Grade 6 takes math and ELA in the fall, grade 7 in the spring, in the same two periods."""
    result = build_valid(block_school)
    result.sections["term"] = ""
    for section, period, term in (("SEC-M6-1", 1, "fall"), ("SEC-E6-1", 2, "fall"), ("SEC-M7-1", 1, "spring"),
                                  ("SEC-E7-1", 2, "spring")):
        set_cells(result.sections, section, period=period, term=term)
    result.group_sessions["term"] = ""
    return result


def test_two_semester_courses_share_a_teacher_and_a_period_in_different_terms(block_school, block_design):
    assert rules_of(block_school, block_design) == {}
    slots = meetings(block_design.sections, calendar_of(block_school), block_school.courses)
    assert set(slots.loc[slots["section_id"] == "SEC-M6-1", "term"]) == {"fall"}
    assert set(slots.loc[slots["section_id"] == "SEC-ART-1", "term"]) == {"fall", "spring"}


def test_two_semester_courses_in_the_same_term_and_period_clash_that_term(block_school, block_design):
    set_cells(block_design.sections, "SEC-M7-1", term="fall")
    assert rules_of(block_school, block_design)[1] == [
        "rule 1 (a teacher in two places at once): T01 teaches SEC-M6-1 and SEC-M7-1 in period 1 "
        "(fall, every day)"]


def test_a_term_course_with_no_term_and_a_year_course_cut_to_one_term_are_caught(block_school, block_design):
    set_cells(block_design.sections, "SEC-M6-1", term="")
    set_cells(block_design.sections, "SEC-ART-1", term="spring")
    found = rules_of(block_school, block_design)[14]
    assert any("SEC-M6-1 names no term, but M6 runs for one term" in line for line in found)
    assert any("SEC-ART-1 runs only in spring, but ART runs all year" in line for line in found)


def test_a_group_meeting_only_in_the_fall_gives_no_minutes_in_the_spring(block_school, block_design):
    block_design.group_sessions["term"] = "fall"
    found = rules_of(block_school, block_design)
    assert any("group G1 meets 0 times a week" in line for line in found[9])


# ---- a lab double period -------------------------------------------------------------------------------

@pytest.fixture
def lab_school(mini):
    """Science is a lab double period (periods 3 and 4)."""
    school = mini.copy()
    set_course(school, "SCI", periods_per_meeting=2)
    return school


@pytest.fixture
def lab_design(lab_school):
    """The valid design without art: the double lab fills the period art had."""
    result = build_valid(lab_school)
    result.sections = result.sections[result.sections["section_id"] != "SEC-ART-1"].reset_index(drop=True)
    result.enrollments = result.enrollments[result.enrollments["section_id"] != "SEC-ART-1"]
    return result


def test_a_lab_double_period_holds_the_next_period_too(lab_school, lab_design):
    assert rules_of(lab_school, lab_design) == {}
    lab_design.sections = pd.concat([lab_design.sections, pd.DataFrame(
        [("SEC-ART-1", "ART", "T04", "R3", 4)], columns=lab_design.sections.columns)], ignore_index=True)
    lab_design.enrollments = pd.concat([lab_design.enrollments, pd.DataFrame(
        [("S01", "SEC-ART-1")], columns=lab_design.enrollments.columns)], ignore_index=True)
    found = rules_of(lab_school, lab_design)
    assert found[2] == ["rule 2 (a room booked twice): room R3 holds SEC-SCI-1 and SEC-ART-1 in period 4"]
    assert found[3] == ["rule 3 (a student in two places at once): S01 is in SEC-SCI-1 and SEC-ART-1 in period 4"]


def test_a_double_period_whose_second_period_is_the_intervention_period_is_caught(lab_school, lab_design):
    set_cells(lab_design.sections, "SEC-SCI-1", period=4)
    found = rules_of(lab_school, lab_design)
    assert found[14] == ["rule 14 (a class at odds with its course's term, days or double period): SEC-SCI-1 is "
                         "a double period from period 4; its second period, 5, is an intervention period"]


def test_a_teacher_away_in_the_second_period_of_a_double_is_caught(lab_school, lab_design):
    lab_school.staff.loc[lab_school.staff["staff_id"] == "T03", "unavailable_periods"] = "4"
    assert rules_of(lab_school, lab_design)[6] == [
        "rule 6 (a class at a time it cannot meet): T03 is unavailable in period 4 but teaches SEC-SCI-1 then"]


# ---- lunch waves ---------------------------------------------------------------------------------------

def lunch_school(mini, seats: int | None):
    """Lunch in period 4 (when everyone has art) or period 5 (the intervention period, tutoring on days 1-3)."""
    return mini.with_settings(**{"school.lunch": {"periods": [4, 5], "seats": seats}})


def skip_art_for_the_tutored(result) -> None:
    tutored = result.enrollments["student_id"].isin(["S01", "S03"])
    result.enrollments = result.enrollments[~(tutored & (result.enrollments["section_id"] == "SEC-ART-1"))]


def test_students_tutored_in_the_only_free_wave_have_no_lunch_on_those_days(mini, valid):
    school = lunch_school(mini, seats=12)
    assert rules_of(school, valid) == {12: [
        "rule 12 (a student with no time for lunch, or a cafeteria over its seats): "
        f"{s} has no lunch period free (periods 4, 5) (days 1, 2, 3)" for s in ("S01", "S03")]}


def test_every_student_free_in_one_lunch_wave_passes(mini, valid):
    skip_art_for_the_tutored(valid)
    assert rules_of(lunch_school(mini, seats=12), valid) == {}


def test_a_lunch_wave_with_more_free_students_than_seats_is_caught(mini, valid):
    skip_art_for_the_tutored(valid)
    assert rules_of(lunch_school(mini, seats=11), valid) == {12: [
        "rule 12 (a student with no time for lunch, or a cafeteria over its seats): lunch period 5 leaves up to "
        "12 students free for lunch (days 4, 5); the cafeteria seats 11"]}


# ---- co-teachers -----------------------------------------------------------------------------------------

def test_a_co_teacher_in_two_inclusion_sections_at_once_is_caught(mini, valid):
    """T04 co-teaches Math 6 in period 1 and is named co-teacher of ELA 7, also in period 1."""
    valid.sections["co_staff_id"] = ""
    set_cells(valid.sections, "SEC-M6-1", co_staff_id="T04")
    assert rules_of(mini, valid) == {}, "T04 teaches art in period 4 only: free to co-teach in period 1"
    set_cells(valid.sections, "SEC-E7-1", co_staff_id="T04")
    assert rules_of(mini, valid)[1] == [
        "rule 1 (a teacher in two places at once): T04 teaches SEC-M6-1 and SEC-E7-1 in period 1"]


def test_a_co_teacher_scheduled_when_unavailable_is_caught(mini, valid):
    valid.sections["co_staff_id"] = ""
    set_cells(valid.sections, "SEC-E6-1", co_staff_id="T03")   # T03 is away in period 1; ELA 6 meets in 2
    assert rules_of(mini, valid) == {}
    set_cells(valid.sections, "SEC-E7-1", co_staff_id="T03")   # ELA 7 meets in period 1
    assert rules_of(mini, valid)[6] == [
        "rule 6 (a class at a time it cannot meet): T03 is unavailable in period 1 but teaches SEC-E7-1 then"]


# ---- showing it: the wall grid -----------------------------------------------------------------------------

def test_the_wall_grid_shows_which_days_share_a_period_and_a_lab_in_both_its_periods(ab_school, ab_design,
                                                                                  lab_school, lab_design):
    grid = schedule_grid(ab_design, ab_school).set_index("Period")
    assert grid.at[1, "T01"] == "SEC-M6-1 · R1 · 6 students (A days) / SEC-M7-1 · R1 · 6 students (B days)"
    lab = schedule_grid(lab_design, lab_school).set_index("Period")
    assert lab.at[3, "T03"] == lab.at[4, "T03"] == "SEC-SCI-1 · R3 · 12 students"
