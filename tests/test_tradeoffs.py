"""Trade-offs a principal asks about, answered by re-solving staffing on the mini school."""

from __future__ import annotations

import pandas as pd

from workbench.pipeline import solve_scenario
from workbench.plan.tradeoffs import class_size_vs_mcl, marginal_value_of_budget
from workbench.results.check import check_result


def _capped_students(mini, cap: int):
    """Four grade-6 students whose plans cap their math class at `cap`, in a class of six."""
    school = mini.copy()
    extra = pd.DataFrame({"student_id": ["S01", "S02", "S04", "S05"], "goal": "max_class_size",
                          "target": str(cap), "subject": "math"})
    school.goals = pd.concat([school.goals, extra], ignore_index=True)
    return school


def test_class_size_versus_mcl_teams_prices_both_designs_against_todays_plan(mini):
    table = class_size_vs_mcl(mini, class_size=20, mcl_teams=2).set_index("design")
    assert list(table.index) == ["today", "smaller classes", "MCL teams"]
    today, teams = table.loc["today"], table.loc["MCL teams"]
    assert today["extra_cost"] == 0
    # two leaders on a leader's pay: two promotions at $18,540 each (mcl $125,640 − teacher $107,100)
    assert teams["leaders"] >= 2
    assert teams["extra_cost"] == 2 * 18540
    assert teams["cost"] == today["cost"] + teams["extra_cost"]
    assert (table["goals_met"] <= table["goals_total"]).all()
    assert table.loc["smaller classes", "fits"]


def test_asking_for_more_leaders_than_the_school_can_pay_for_says_so(mini):
    table = class_size_vs_mcl(mini, mcl_teams=5).set_index("design")
    assert not table.at["MCL teams", "fits"]
    assert "5 team leaders" in table.at["MCL teams", "note"]


def test_more_money_never_reaches_fewer_goals_and_a_budget_below_payroll_is_flagged(mini):
    # $96 to spare beyond payroll: the mentor and the screening now compete for money
    school = mini.with_settings(**{"funding.other_revenue": 312000})
    curve = marginal_value_of_budget(school, step=10_000, levels=5, start="revenue")
    assert list(curve["extra_budget"]) == [-20000, -10000, 0, 10000, 20000]
    fits = curve[curve["fits"]]
    assert fits["goals_met"].is_monotonic_increasing
    assert fits["tutoring_goals_met"].is_monotonic_increasing
    assert (fits["cost"] <= fits["budget"] + 0.01).all()
    below = curve[~curve["fits"]]
    assert below["note"].str.contains("existing staff cost").all()
    assert "goals_per_100k" in curve.columns


def test_a_class_size_cap_below_the_course_size_costs_sections(mini):
    school = _capped_students(mini, 3).with_settings(**{"funding.other_revenue": 700000})
    table = class_size_vs_mcl(school).set_index("design")
    today = table.loc["today"]
    assert today["class_size_goals_met"] == 6, "two sections of three in math 6, staffed by a hire or spare time"


def test_the_mini_school_solved_end_to_end_keeps_rules_10_and_11(mini):
    result = solve_scenario(mini)
    breaches = [b for b in check_result(mini, result) if b.rule in (10, 11)]
    assert breaches == []
    expenses = result.budget.loc[result.budget["kind"] == "expense", "amount"].sum()
    assert abs(expenses - result.staffing["annual_cost"].sum() - result.student_supports["cost"].sum()) <= 1


def test_the_budget_curve_starts_at_payroll_and_shows_what_each_step_buys(mini):
    curve = marginal_value_of_budget(mini, step=500, levels=3)
    assert curve.at[0, "budget"] == 450900.0, "payroll: four teachers and a half-time tutor"
    assert curve["fits"].all()
    # at payroll only nothing else is affordable; $500 more buys the vision screening, $1,000 the mentor too
    assert list(curve["goals_met"]) == sorted(curve["goals_met"])
    assert curve["goals_met"].iloc[-1] - curve["goals_met"].iloc[0] == 2
    assert curve["goals_per_100k"].iloc[1:].sum() == 2 * 100_000 / 500
