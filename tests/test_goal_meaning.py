"""One meaning of a student's goal for the planner and for the judge (issue 19): when Riverside's planner puts a
student with a teacher "on a leader's team", the goal table must agree that she is — or the plan aims at one
thing and is marked on another."""

from __future__ import annotations

import math

import pandas as pd
from handmade import design

from workbench.goals.evaluate import evaluate_goals
from workbench.plan.goal_meaning import class_within, courses_for_goal, led_staff, teacher_meets, team_of
from workbench.plan.schedule.sections import build_catalog
from workbench.scenario.staff_table import existing_staffing


def s07_strong_teacher_met(scenario, result) -> int:
    goals = evaluate_goals(scenario, result)
    return int(goals.loc[(goals["student_id"] == "S07") & (goals["goal"] == "strong_teacher"), "met"].iloc[0])


def test_a_teacher_naming_a_plain_colleague_as_leader_is_on_no_team_for_planner_and_judge_alike(mini):
    """T03 teaches S07 math; S07 was promised a leader's team. T03's leader_id names T01, who leads no team
    (a hand-edited staffing table): the SPEC counts only a leader_id naming someone whose role leads a team."""
    wants = mini.copy()
    wants.goals.loc[wants.goals["student_id"] == "S07", "target"] = "leader"
    plan_staffing = existing_staffing(wants)
    plan_staffing.loc[plan_staffing["staff_id"] == "T03", "leader_id"] = "T01"
    result = design(wants)
    result.staffing.loc[result.staffing["staff_id"] == "T03", "leader_id"] = "T01"

    assert not build_catalog(wants, plan_staffing).teachers.at["T03", "led"]
    assert s07_strong_teacher_met(wants, result) == 0

    # T01 is promoted to multi-classroom leader: now T03 is on a team, for both
    for table in (plan_staffing, result.staffing):
        table.loc[table["staff_id"] == "T01", "role"] = "mcl"
    plan_staffing.loc[plan_staffing["staff_id"] == "T01", "reach"] = 4
    assert build_catalog(wants, plan_staffing).teachers.at["T03", "led"]
    assert s07_strong_teacher_met(wants, result) == 1


def test_leaders_and_their_teams_count_for_a_leader_target_nobody_else_does():
    staff = pd.DataFrame({"staff_id": ["L1", "T1", "T2", "T3"], "reach": [4, 0, 0, 0],
                          "leader_id": ["", "L1", "T1", None]})
    assert led_staff(staff["staff_id"], staff["reach"], staff["leader_id"]).tolist() == [True, True, False, False]
    assert led_staff(staff["staff_id"], staff["reach"], None).tolist() == [True, False, False, False]


def test_a_rating_target_asks_for_a_rated_teacher_at_or_above_it():
    assert teacher_meets(3.0, False, "3") and teacher_meets(3.5, False, " 3 ")
    assert not teacher_meets(2.5, True, "3"), "a leader's team does not lift a rating"
    assert not teacher_meets(math.nan, True, "1"), "no rating meets no rating target"
    assert not teacher_meets(5.0, True, "strong"), "a target that is neither a rating nor 'leader' is met by nobody"
    assert teacher_meets(math.nan, True, " Leader ") and not teacher_meets(5.0, False, "leader")


def test_a_class_size_goal_counts_a_class_at_the_cap_and_a_blank_subject_every_course():
    assert class_within(5, 5) and not class_within(6, 5)
    subject = {"M6": "math", "E6": "ela", "ART": "art"}
    assert courses_for_goal(["M6", "E6", "ART"], subject, "") == ["M6", "E6", "ART"]
    assert courses_for_goal(["M6", "E6", "ART"], subject, "math") == ["M6"]


def test_a_team_is_named_by_its_leader_and_a_leader_id_naming_no_leader_is_no_team():
    # T1 leads (reach 4); T2 names her; T3 names T4, who leads nobody (a hand-edited table); T4 is on no team
    staff = pd.Series(["T1", "T2", "T3", "T4"])
    reach = pd.Series([4, 0, 0, 0])
    leader_id = pd.Series([None, "T1", "T4", ""])
    assert team_of(staff, reach, leader_id).tolist() == ["T1", "T1", "", ""]
    assert led_staff(staff, reach, leader_id).tolist() == [True, True, False, False]
    assert team_of(staff, reach, None).tolist() == ["T1", "", "", ""]
