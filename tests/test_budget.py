"""The need-based budget: every dollar in budget.csv traced to a student, a staff member or a support."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.errors import InfeasibleDesign
from workbench.plan.budget import build_budget
from workbench.plan.staffing import plan_staffing
from workbench.scenario.funding import student_revenue, total_revenue


def _formula(scenario) -> float:
    """SPEC §1 written out independently: Σ base × grade weight × (1 + Σ weight × column) + other revenue."""
    funding = scenario.settings.funding
    total = 0.0
    for _, s in scenario.students.iterrows():
        need = sum(w * float(s[c]) for c, w in funding.weights.items())
        total += funding.base_per_pupil * funding.grade_weights.get(int(s["grade"]), 1.0) * (1 + need)
    return total + funding.other_revenue


@pytest.fixture
def granted(mini):
    """The mini school, where $150,000 of its $400,000 grant is this year only and devices are bought once."""
    school = mini.with_settings(**{"funding.one_time_revenue": 150000})
    school.supports = pd.DataFrame({
        "support": ["vision screening", "mentoring", "device"], "cost_per_student": [40.0, 600.0, 350.0],
        "capacity": pd.array([50, 10, 5], dtype="Int64"), "description": ["", "", ""], "recurring": ["1", "1", "0"]})
    school.goals = pd.concat([school.goals, pd.DataFrame(
        {"student_id": ["S05", "S06"], "goal": ["support", "support"], "target": ["device", "device"],
         "subject": ["", ""]})], ignore_index=True)
    return school


def _plan(school):
    staffing = plan_staffing(school)
    return staffing, build_budget(school, staffing.staffing, staffing.student_supports)


def test_budget_expenses_equal_staffing_plus_supports_and_revenue_equals_the_formula(granted):
    staffing, plan = _plan(granted)
    budget = plan.budget
    assert (budget["amount"] > 0).all()
    assert (budget["amount"] == budget["amount"].round(2)).all()
    expenses = budget.loc[budget["kind"] == "expense", "amount"].sum()
    assert expenses == pytest.approx(staffing.staffing["annual_cost"].sum() + plan.student_supports["cost"].sum(),
                                     abs=1.0)
    revenue = budget.loc[budget["kind"] == "revenue", "amount"].sum()
    assert revenue == pytest.approx(_formula(granted), abs=1.0)
    # one row per role, one per support
    staff_rows = budget[budget["category"] == "staff"]
    assert len(staff_rows) == staffing.staffing["role"].nunique()
    assert len(budget[budget["category"] == "supports"]) == plan.student_supports["support"].nunique()


def test_each_students_revenue_adds_up_to_the_schools_revenue(granted):
    per_student = student_revenue(granted)
    assert per_student["amount"].sum() + granted.settings.funding.other_revenue == pytest.approx(
        _formula(granted), abs=1.0)
    assert total_revenue(granted) == pytest.approx(_formula(granted), abs=1.0)
    # an English learner on free lunch brings more than a student with no extra need
    amounts = per_student.set_index("student_id")["amount"]
    assert amounts["S02"] > amounts["S04"]
    assert "English learner" in per_student.set_index("student_id").at["S02", "explanation"]


def test_the_three_year_view_drops_this_years_grant_and_one_time_devices(granted):
    _, plan = _plan(granted)
    years = plan.extra["three_year"].set_index("year")
    assert years.at[1, "revenue_one_time"] == 150000
    assert years.at[2, "revenue_one_time"] == years.at[3, "revenue_one_time"] == 0
    assert years.at[1, "revenue"] - years.at[2, "revenue"] == pytest.approx(150000)
    funded_devices = (plan.student_supports["support"] == "device").sum()
    assert funded_devices == 2
    assert years.at[1, "expense_one_time"] == pytest.approx(700)
    assert years.at[2, "expenses"] == pytest.approx(years.at[1, "expenses"] - 700)
    # the design balances this year only thanks to the grant: years 2 and 3 show the gap
    assert years.at[1, "balance"] >= 0 > years.at[2, "balance"]
    assert plan.stats["balanced_all_three_years"] is False


def test_per_student_cost_accounts_for_every_dollar_spent(granted):
    staffing, plan = _plan(granted)
    cost = plan.extra["per_student_cost"].set_index("student_id")
    assert set(cost.index) == set(granted.students["student_id"])
    spent = staffing.staffing["annual_cost"].sum() + plan.student_supports["cost"].sum()
    assert cost["total"].sum() == pytest.approx(spent, abs=1.0)
    assert cost.at["S10", "supports"] == 600, "S10's mentor is on S10's line"


def test_a_design_that_spends_more_than_revenue_is_refused_unless_deficits_are_allowed(mini):
    staffing = plan_staffing(mini)
    costly = staffing.staffing.copy()
    costly.loc[costly["staff_id"] == "T01", "annual_cost"] = 300000.0
    with pytest.raises(InfeasibleDesign) as info:
        build_budget(mini, costly, staffing.student_supports)
    assert "deficits are not allowed" in str(info.value)
    assert "$" in str(info.value)
    lenient = mini.with_settings(**{"funding.allow_deficit": True})
    plan = build_budget(lenient, costly, staffing.student_supports)
    assert plan.stats["balance"] < 0


def test_a_support_funded_beyond_its_capacity_is_refused(mini):
    too_many = pd.DataFrame({"student_id": [f"S{i:02d}" for i in range(1, 12)], "support": "mentoring",
                             "cost": 600.0})
    with pytest.raises(InfeasibleDesign, match="capacity 10"):
        build_budget(mini, plan_staffing(mini).staffing, too_many)
