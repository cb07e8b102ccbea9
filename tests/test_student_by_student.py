"""Two designs of the mini school, student by student: which courses each student gains or loses (with the
design's own reason), and one student's timetable pinned up as a grid, on a plain week and on A/B days.

The designs are the hand-made ones of `handmade.py`: in design A, S04 is not in Art (her alternate); in
design B she is."""

from __future__ import annotations

import pandas as pd
from handmade import design

from workbench.goals.compare import ALTERNATE_LOST, course_changes
from workbench.goals.students import timetable_grid

MUSIC_CLASHES = "MUS meets only in period 3, where the student has SCI"


def without_s01s_art(scenario):
    """Design A with S01 taken out of Art (her elective), the design saying why."""
    made = design(scenario)
    made.enrollments = made.enrollments[~((made.enrollments["student_id"] == "S01")
                                          & (made.enrollments["section_id"] == "ART-01"))]
    made.extra["unplaced_requests"] = pd.DataFrame(
        [("S01", "ART", 2, "ART meets only in period 4, where the student has a study hall")],
        columns=["student_id", "course_id", "priority", "reason"])
    return made


def test_a_student_placed_in_her_alternate_gains_it_and_nobody_else_changes(mini):
    changes = course_changes(mini, {"A": design(mini), "B": design(mini, "B")})
    assert changes[["design", "student_id", "course_id", "course", "priority", "change", "reason"]].to_dict(
        "records") == [{"design": "B", "student_id": "S04", "course_id": "ART", "course": "Art", "priority": 3,
                        "change": "gained", "reason": ""}]


def test_a_lost_alternate_says_it_was_only_a_stand_in(mini):
    changes = course_changes(mini, {"B": design(mini, "B"), "A": design(mini)})
    assert list(zip(changes["student_id"], changes["course_id"], changes["change"], changes["reason"],
                    strict=True)) == [("S04", "ART", "lost", ALTERNATE_LOST)]


def test_a_lost_elective_carries_the_designs_own_reason(mini):
    changes = course_changes(mini, {"A": design(mini), "no art for S01": without_s01s_art(mini)})
    lost = changes.set_index(["student_id", "course_id"])
    assert list(lost.index) == [("S01", "ART")]
    assert lost.loc[("S01", "ART"), "priority"] == 2
    assert lost.loc[("S01", "ART"), "reason"] == "ART meets only in period 4, where the student has a study hall"


def test_each_design_is_judged_against_the_first(mini):
    changes = course_changes(mini, {"A": design(mini), "B": design(mini, "B"),
                                    "no art for S01": without_s01s_art(mini)})
    assert list(zip(changes["design"], changes["student_id"], changes["change"], strict=True)) == [
        ("B", "S04", "gained"), ("no art for S01", "S01", "lost")]


def test_a_plain_week_grid_shows_her_classes_and_the_days_of_her_group(mini):
    grid = timetable_grid(mini, design(mini), "S01")
    assert list(grid.columns) == ["period", "every day"]
    assert grid["every day"].tolist() == ["Math 6", "ELA 6", "Science", "Art", "math small group (days 1, 2, 3)"]


def test_a_student_with_no_plan_gets_an_empty_grid(mini):
    grid = timetable_grid(mini, design(mini), "S99")
    assert grid["period"].tolist() == [1, 2, 3, 4, 5] and (grid["every day"] == "").all()


def test_on_ab_days_each_class_is_in_its_day_types_column_and_her_group_on_the_days_it_meets(mini):
    ab = mini.with_settings(**{"school.days": 10, "school.day_types": {"A": [1, 3, 5, 7, 9],
                                                                      "B": [2, 4, 6, 8, 10]}})
    ab.courses["meets"] = "one_day_type"
    made = design(ab)
    made.sections["day_type"] = made.sections["section_id"].map({"M6-01": "A", "E6-01": "B", "SCI-01": "A",
                                                                 "ART-01": "B"}).fillna("A")
    grid = timetable_grid(ab, made, "S01").set_index("period")
    assert list(grid.columns) == ["A days", "B days"]
    assert grid["A days"].tolist() == ["Math 6", "", "Science", "", "math small group (days 1, 3)"]
    assert grid["B days"].tolist() == ["", "ELA 6", "", "Art", "math small group (day 2)"]
