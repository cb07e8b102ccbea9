"""Every goal kind, met and unmet, judged from a hand-made design's own tables, with the reason a leader reads."""

from __future__ import annotations

import pandas as pd
from handmade import design

from workbench.goals.evaluate import evaluate_goals, summary_metrics


def row(goals: pd.DataFrame, student: str, goal: str) -> pd.Series:
    found = goals[(goals["student_id"] == student) & (goals["goal"] == goal)]
    assert len(found) == 1, found
    return found.iloc[0]


def test_one_row_per_goal_in_order(mini):
    goals = evaluate_goals(mini, design(mini))
    assert list(goals.columns) == ["student_id", "goal", "subject", "target", "provided", "met", "reason"]
    assert goals["student_id"].tolist() == mini.goals["student_id"].tolist()
    assert goals["goal"].tolist() == mini.goals["goal"].tolist()
    assert set(goals["met"]) <= {0, 1}
    assert (goals.loc[goals["met"] == 1, "reason"] == "").all()
    assert (goals.loc[goals["met"] == 0, "reason"] != "").all()


def test_tutoring_minutes_met_and_short(mini):
    goals = evaluate_goals(mini, design(mini))
    assert row(goals, "S01", "tutoring_minutes")["met"] == 1
    short = row(goals, "S03", "tutoring_minutes")
    assert short["met"] == 0 and short["reason"] == "tutoring: 60 of 90 minutes a week in math"
    none = row(goals, "S02", "tutoring_minutes")
    assert none["met"] == 0 and "no small group in ela" in none["reason"]
    assert row(evaluate_goals(mini, design(mini, "B")), "S03", "tutoring_minutes")["met"] == 1


def test_course_goal_names_the_section_or_the_clash(mini):
    assert row(evaluate_goals(mini, design(mini, "B")), "S04", "course")["provided"] == "enrolled in ART-01"
    missing = row(evaluate_goals(mini, design(mini)), "S04", "course")
    assert missing["met"] == 0 and "free seat" in missing["reason"]
    clash = design(mini)
    clash.sections.loc[clash.sections["section_id"] == "ART-01", "period"] = 1
    reason = row(evaluate_goals(mini, clash), "S04", "course")["reason"]
    assert reason == "requested ART but no section of it fits around S04's other commitments in period 1 (M6)"


def test_course_goal_when_every_fitting_section_is_full(mini):
    small = mini.copy()
    small.courses.loc[small.courses["course_id"] == "ART", "max_size"] = 5
    reason = row(evaluate_goals(small, design(small)), "S04", "course")["reason"]
    assert reason == "requested ART but every section that fits is full: ART-01 in period 4 (5 of 5)"


def test_class_size_cap_met_and_breached(mini):
    goals = evaluate_goals(mini, design(mini))
    assert row(goals, "S03", "max_class_size")["met"] == 1
    tight = mini.copy()
    tight.goals.loc[tight.goals["student_id"] == "S08", "target"] = "5"
    breached = row(evaluate_goals(tight, design(tight)), "S08", "max_class_size")
    assert breached["met"] == 0 and breached["reason"].startswith("in a section of 6 (cap 5)")


def test_class_size_in_a_subject_counts_only_that_subject(mini):
    tight = mini.copy()
    tight.goals.loc[tight.goals["student_id"] == "S03", ["target", "subject"]] = ["5", "art"]
    goals = evaluate_goals(tight, design(tight))
    assert row(goals, "S03", "max_class_size")["met"] == 1   # Art has 5 grade-6 students, Math has 6


def test_strong_teacher_by_effectiveness(mini):
    weak = row(evaluate_goals(mini, design(mini)), "S07", "strong_teacher")
    assert weak["met"] == 0 and weak["reason"] == "taught math by T03 (effectiveness 2.5, needs 3)"
    strong = row(evaluate_goals(mini, design(mini, "B")), "S07", "strong_teacher")
    assert strong["met"] == 1 and "H01" in strong["provided"]


def test_strong_teacher_leader_needs_a_team(mini):
    wants = mini.copy()
    wants.goals.loc[wants.goals["student_id"] == "S07", "target"] = "leader"
    result = design(wants)
    assert row(evaluate_goals(wants, result), "S07", "strong_teacher")["met"] == 0
    result.staffing.loc[result.staffing["staff_id"] == "T01", "role"] = "mcl"
    result.staffing.loc[result.staffing["staff_id"] == "T03", "leader_id"] = "T01"
    assert row(evaluate_goals(wants, result), "S07", "strong_teacher")["met"] == 1


def test_support_funded_or_capacity_reached(mini):
    goals = evaluate_goals(mini, design(mini))
    assert row(goals, "S02", "support")["met"] == 1
    assert "not funded" in row(goals, "S10", "support")["reason"]
    full = mini.copy()
    full.supports.loc[full.supports["support"] == "mentoring", "capacity"] = 1
    result = design(full)
    mentored = pd.DataFrame([("S09", "mentoring", 600.0)], columns=["student_id", "support", "cost"])
    result.student_supports = pd.concat([result.student_supports, mentored])
    assert row(evaluate_goals(full, result), "S10", "support")["reason"] == "mentoring not funded: capacity 1 reached"


def test_metrics_count_an_alternate_for_an_elective(mini):
    m = summary_metrics(mini, design(mini))
    # 12 students × 3 required, all placed; electives: 12 wanted, S04 has neither MUS nor ART -> 11 of 12
    assert m["required_fulfilled_pct"] == 100.0
    assert m["students_fully_scheduled_pct"] == 100.0
    assert m["requests_fulfilled_pct"] == round(100 * 47 / 48, 2)
    assert m["goals_met_pct"] == round(100 * 4 / 9, 2)
    assert m["budget_balance"] > 0


def test_metrics_see_a_missing_required_course(mini):
    result = design(mini)
    result.enrollments = result.enrollments[~((result.enrollments["student_id"] == "S12")
                                              & (result.enrollments["section_id"] == "SCI-02"))]
    m = summary_metrics(mini, result)
    assert m["students_fully_scheduled_pct"] == round(100 * 11 / 12, 2)
    assert m["required_fulfilled_pct"] == round(100 * 35 / 36, 2)


def test_a_hand_edited_section_with_no_period_offers_no_seat_but_breaks_nothing(mini, tmp_path):
    """A leader blanks ART-01's period in sections.csv: the students already in it keep their course, and the
    one who is not in Art is told no section of it has a period, instead of the review crashing."""
    from workbench.results.io import read_result, write_result

    folder = write_result(design(mini), tmp_path / "edited")
    sections = pd.read_csv(folder / "sections.csv", dtype=str, keep_default_na=False)
    sections.loc[sections["section_id"] == "ART-01", "period"] = ""
    sections.to_csv(folder / "sections.csv", index=False)
    goals = evaluate_goals(mini, read_result(folder))
    missing = row(goals, "S04", "course")
    assert missing["met"] == 0
    assert missing["reason"] == "requested ART but no section of it has a period in this design (ART-01 has none)"
    assert len(goals) == len(mini.goals)
    assert summary_metrics(mini, read_result(folder), goals)["goals_met_pct"] < 100
