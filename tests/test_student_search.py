"""The Students page's search and met/not-met filter, on the tutorial school's real design: every
combination gives a table with the goals' columns, an empty one when nothing matches, never an error."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.app.tables import goal_rows, rows_matching
from workbench.pipeline import solve_scenario
from workbench.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.fixture(scope="module")
def tutorial_goals() -> pd.DataFrame:
    school = load_scenario(SCENARIOS / "tutorial").with_settings(**{"solver.time_limit_s": 10})
    return solve_scenario(school).student_goals


def test_not_met_on_a_design_that_meets_every_goal_is_an_empty_table_and_search_still_works(tutorial_goals):
    assert tutorial_goals["met"].astype(int).all(), "the tutorial school's design meets every goal"
    nothing = goal_rows(tutorial_goals, "not met", "tutoring")
    assert nothing.empty and list(nothing.columns) == list(tutorial_goals.columns)


def test_a_search_that_matches_nobody_is_an_empty_table(tutorial_goals):
    for show in ("all", "met", "not met"):
        found = goal_rows(tutorial_goals, show, "no student is called this")
        assert found.empty and list(found.columns) == list(tutorial_goals.columns)


def test_search_finds_one_students_goals_whatever_the_case(tutorial_goals):
    student = str(tutorial_goals["student_id"].iloc[0])
    found = goal_rows(tutorial_goals, "met", f"  {student.lower()} ")
    assert set(found["student_id"]) == {student}
    assert len(found) == (tutorial_goals["student_id"] == student).sum()


def test_search_is_plain_text_not_a_pattern(tutorial_goals):
    assert rows_matching(tutorial_goals, ".*").empty


def test_an_empty_goals_table_filters_to_an_empty_table(tutorial_goals):
    empty = tutorial_goals.iloc[0:0]
    assert goal_rows(empty, "not met", "anything").empty
    assert list(goal_rows(empty, "met", "").columns) == list(tutorial_goals.columns)
