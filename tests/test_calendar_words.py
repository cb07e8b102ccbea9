"""What a school leader reads about a design on A/B days says it in the timetable's words and numbers.

Story: the tutorial middle school tries a two-week A/B rotation (every course meets on one day type). Its small
groups meet six times in the ten-day cycle, which is three times a week: the report's "minutes a week" must be
what the goals are judged on, not the cycle's total; a goal a design leaves unmet names the day type of the
section that would fit; a class of one is "1 student"."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.goals.evaluate import evaluate_goals
from workbench.pipeline import solve_scenario
from workbench.results.export import group_table, result_html, schedule_grid
from workbench.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
AB = {"school.days": 10, "school.day_types": {"A": [1, 3, 5, 7, 9], "B": [2, 4, 6, 8, 10]}}


@pytest.fixture(scope="module")
def ab_design():
    school = load_scenario(ROOT / "scenarios" / "tutorial").with_settings(**AB)
    school.courses["meets"] = "one_day_type"
    return school, solve_scenario(school)


def test_the_small_groups_minutes_a_week_are_the_goals_minutes_not_the_cycles_total(ab_design):
    school, result = ab_design
    table = group_table(result, school).set_index("group_id")
    cycle = result.group_sessions.groupby("group_id")["minutes"].sum()
    assert (table["minutes_per_week"] * 2 == cycle.reindex(table.index)).all(), "a ten-day cycle counts half"
    tutored = result.student_goals[result.student_goals["goal"] == "tutoring_minutes"]
    member = result.group_members.astype(str).merge(tutored.astype(str), on="student_id").iloc[0]
    assert member["provided"] == f"{table.loc[member['group_id'], 'minutes_per_week']} minutes a week"
    first = table.iloc[0]
    page = result_html(result, school)
    assert (f'<td class="num">{first["sessions"]}</td><td class="num">{first["minutes_per_week"]}</td>'
            in page), "the printed report shows the same minutes a week"


def test_an_unmet_course_goal_names_the_day_type_of_the_section_that_fits(ab_design):
    school, result = ab_design
    goals = school.goals[school.goals["goal"] == "course"]
    placed = result.enrollments.astype(str).merge(result.sections.astype({"section_id": str}), on="section_id")
    wanted = placed.merge(goals.astype(str).rename(columns={"target": "course_id"}), on=["student_id", "course_id"])
    row = wanted.iloc[0]
    dropped = result.enrollments[~((result.enrollments["student_id"].astype(str) == row["student_id"])
                                   & (result.enrollments["section_id"].astype(str) == row["section_id"]))]
    unplaced = result.__class__(**{**vars(result), "enrollments": dropped})
    said = evaluate_goals(school, unplaced)
    reason = said.loc[(school.goals["student_id"].astype(str) == row["student_id"]).to_numpy()
                      & (school.goals["target"].astype(str) == row["course_id"]).to_numpy(), "reason"].iloc[0]
    assert f"a section with a free seat fits (period {int(row['period'])} on {row['day_type']} days)" in reason


def test_a_class_of_one_is_one_student_in_the_schedule_grid(ab_design):
    school, result = ab_design
    one = result.sections["section_id"].iloc[0]
    keep = result.enrollments[result.enrollments["section_id"] == one].head(1)
    alone = result.__class__(**{**vars(result), "enrollments": pd.concat(
        [keep, result.enrollments[result.enrollments["section_id"] != one]])})
    cells = " / ".join(schedule_grid(alone, school).drop(columns="Period").astype(str).to_numpy().ravel())
    assert f"{one} · " in cells and " · 1 student (" in cells and " 1 students" not in cells


def test_the_district_bar_counts_small_group_minutes_a_week_as_the_goals_do(ab_design):
    """The district asks that tutored students get at least 90 minutes a week. On the ten-day cycle a group
    meeting 30 minutes six times gives 90 a week, not 180: a bar asking for 91 fails its members."""
    from workbench.goals.review import Bar, review_result

    school, result = ab_design
    once = result.group_members.astype(str).drop_duplicates("student_id", keep=False)["student_id"]

    def bar(minutes):
        return Bar.model_validate({"criteria": [{"id": "a-week", "kind": "support_minutes", "min_minutes": minutes,
                                                 "threshold": 0}]})

    assert not set(once) & set(review_result(bar(90), school, result)[0].failing_students)
    assert set(once) <= set(review_result(bar(91), school, result)[0].failing_students)


def test_tutoring_minutes_to_date_count_a_ten_day_cycles_week_as_half_its_sessions(ab_design):
    """A counsellor reads a tutored student's minutes to date at the second assessment: a term of weeks of 90
    minutes, as her goal counts them, not of 180."""
    from workbench.goals.progress import student_progress

    school, result = ab_design
    member = result.group_members.astype(str).drop_duplicates("student_id", keep=False).iloc[0]
    subject = result.groups.astype(str).set_index("group_id").loc[member["group_id"], "subject"]
    marked = school.copy()
    marked.assessments = pd.DataFrame({"student_id": member["student_id"], "subject": subject, "cycle": [1, 2],
                                       "level": [2.0, 2.5]})
    progress = student_progress(marked, result)
    weeks = school.settings.assessment.weeks_per_cycle
    assert progress["tutoring_minutes_to_date"].tolist() == [0.0, 90.0 * weeks]


def test_a_breach_on_exactly_the_a_days_says_a_days_and_any_other_days_are_listed():
    from workbench.scenario.calendar import Calendar

    ab = Calendar(days=10, periods_per_day=5, minutes_per_period=90,
                  day_types=(("A", (1, 3, 5, 7, 9)), ("B", (2, 4, 6, 8, 10))))
    assert ab.describe(("year", d) for d in (1, 3, 5, 7, 9)) == " (A days)"
    assert ab.describe(("year", d) for d in (1, 3)) == " (days 1, 3)"
    assert ab.describe(("year", d) for d in range(1, 11)) == ""
    semesters = Calendar(days=10, periods_per_day=5, minutes_per_period=90, terms=("fall", "spring"),
                         day_types=ab.day_types)
    assert semesters.describe([("fall", 2), ("fall", 4), ("fall", 6), ("fall", 8), ("fall", 10), ("spring", 1)]) \
        == " (fall, B days; spring, day 1)"


def test_a_support_funded_for_one_student_says_one_student(ab_design):
    school, result = ab_design
    funded = result.student_supports.astype(str)
    counts = funded["support"].value_counts()
    support = counts.index[counts >= 2][0]
    kept = funded[funded["support"] != support]
    one = pd.concat([kept, funded[funded["support"] == support].head(1)], ignore_index=True)
    said = evaluate_goals(school, result.__class__(**{**vars(result), "student_supports": one}))
    reasons = set(said.loc[(school.goals["target"].astype(str) == support).to_numpy() & (said["met"] == 0).to_numpy(),
                           "reason"])
    assert reasons == {f"{support} not funded: the budget funds it for 1 student, not this one"}
