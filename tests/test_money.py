"""Money adds up to the cent however large the school: one rounding rule (`funding.cents`), one revenue
function (`funding.total_revenue`) for the budget, the staffing step and the checker.

The fault this guards against: a generated 1,000-student middle school was refused by the final check
because its per-student dollars ($4,310 × 1.08 × 0.12 = $558.576 for a low-income student) were rounded
student by student in one place and summed unrounded in another: $1.86 apart, $100 at 50,000 students.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.plan.budget import build_budget
from workbench.results.check import check_result, check_rules
from workbench.results.io import RESULT_TABLES, Result, read_result, write_result
from workbench.scenario.funding import apportion_cents, cents, revenue_lines, student_revenue, total_revenue
from workbench.scenario.staff_table import existing_staffing


def _exact_formula(scenario) -> Decimal:
    """SPEC §1 in exact decimal arithmetic, written out independently of the workbench (students alike in
    grade and needs are counted together)."""
    funding = scenario.settings.funding
    total = Decimal(repr(float(funding.other_revenue)))
    base = Decimal(repr(float(funding.base_per_pupil)))
    columns = ["grade", *funding.weights]
    for key, count in scenario.students.groupby(columns).size().items():
        row = dict(zip(columns, key, strict=True))
        need = sum(Decimal(repr(float(w))) * Decimal(repr(float(row[c]))) for c, w in funding.weights.items())
        grade_weight = Decimal(repr(float(funding.grade_weights.get(int(row["grade"]), 1.0))))
        total += count * base * grade_weight * (1 + need)
    return total


def _between_cents(mini, students: int):
    """The mini school grown to `students`, funded like the generated middle school: $4,310 a pupil, grade
    weight 1.08, low income 0.12, so most students' dollars end in a fraction of a cent."""
    school = mini.with_settings(**{"funding.base_per_pupil": 4310, "funding.weights": {"ell": 0.4, "frl": 0.12},
                                   "funding.other_revenue": 399000.5})
    copies = -(-students // len(mini.students))
    grown = pd.concat([mini.students.assign(student_id=mini.students["student_id"] + f"-{i}")
                       for i in range(copies)], ignore_index=True)
    school.students = grown.iloc[:students].reset_index(drop=True)
    school.goals = mini.goals.iloc[0:0]
    return school


def test_a_cent_is_rounded_as_a_person_would():
    assert cents(2.675) == 2.68           # a float just below 2.675 is still the 2.675 a person wrote
    assert cents(-2.675) == -2.68
    assert cents(0.1 + 0.2) == 0.3
    assert cents(558.576) == 558.58
    assert cents(7512930.844999) == 7512930.84


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.floats(min_value=-1e7, max_value=1e7, allow_nan=False), max_size=60))
def test_apportioned_parts_add_up_to_the_rounded_total_and_stay_within_a_cent(amounts):
    parts = apportion_cents(amounts)
    assert len(parts) == len(amounts)
    in_cents = [round(p * 100) for p in parts]
    assert all(abs(p * 100 - c) < 1e-6 for p, c in zip(parts, in_cents, strict=True))   # whole cents
    assert sum(in_cents) == round(cents(sum(amounts)) * 100)
    assert all(abs(p - a) < 0.01 + 1e-6 for p, a in zip(parts, amounts, strict=True))


@pytest.mark.parametrize("students", [1, 1000, 50000])
def test_revenue_is_the_formula_to_the_cent_at_any_size(mini, students):
    school = _between_cents(mini, students)
    exact = _exact_formula(school)
    total = total_revenue(school)
    assert abs(Decimal(repr(total)) - exact) <= Decimal("0.005")
    assert cents(revenue_lines(school)["amount"].sum()) == total
    per_student = student_revenue(school)["amount"]
    assert (per_student.round(2) == per_student).all()
    assert cents(per_student.sum() + school.settings.funding.other_revenue) == pytest.approx(total, abs=0.011)
    students = school.students
    own = school.settings.funding.base_per_pupil * 1.08 * (1 + 0.4 * students["ell"] + 0.12 * students["frl"])
    assert (abs(per_student - own) < 0.01).all()   # each student's row is within a cent of their own dollars


def test_the_checker_accepts_the_budget_of_a_50000_student_school(mini):
    # before: revenue rounded per student and summed unrounded drifted ~$100 apart, and rule 11 refused it
    school = _between_cents(mini, 50000)
    school.settings.funding.allow_deficit = True
    staffing = existing_staffing(school)
    supports = pd.DataFrame(columns=RESULT_TABLES["student_supports"])
    plan = build_budget(school, staffing, supports)
    result = Result(staffing=staffing[RESULT_TABLES["staffing"]], budget=plan.budget,
                    student_supports=plan.student_supports)
    assert [b for b in check_rules(school, result) if b.rule == 11] == []
    revenue = plan.budget.loc[plan.budget["kind"] == "revenue", "amount"]
    assert cents(revenue.sum()) == total_revenue(school) == plan.stats["revenue"]
    assert plan.extra["student_revenue"]["amount"].sum() == pytest.approx(
        total_revenue(school) - school.settings.funding.other_revenue, abs=0.011)


def test_the_checker_still_refuses_revenue_a_dollar_off(mini):
    school = _between_cents(mini, 1000)
    school.settings.funding.allow_deficit = True
    staffing = existing_staffing(school)
    plan = build_budget(school, staffing, pd.DataFrame(columns=RESULT_TABLES["student_supports"]))
    budget = plan.budget.copy()
    budget.loc[0, "amount"] += 1.02
    result = Result(staffing=staffing[RESULT_TABLES["staffing"]], budget=budget)
    assert [b.rule for b in check_rules(school, result)] == [11]


@pytest.mark.slow
def test_a_generated_1000_student_middle_school_passes_the_final_check(tmp_path):
    # the reported case: `workbench generate --students 1000 --seed 2 --level middle` was refused by rule 11
    from workbench.pipeline import solve_scenario
    from workbench.scenario import load_scenario
    from workbench.scenario.generate import generate_scenario

    folder = generate_scenario(students=1000, seed=2, level="middle", out=tmp_path / "school")
    scenario = load_scenario(folder)
    write_result(solve_scenario(scenario), tmp_path / "design")
    result = read_result(tmp_path / "design")
    assert check_result(scenario, result) == []
    revenue = result.budget.loc[result.budget["kind"] == "revenue", "amount"]
    assert abs(Decimal(repr(cents(revenue.sum()))) - _exact_formula(scenario)) <= Decimal("0.005")


def test_budget_lines_are_whole_cents(mini):
    school = _between_cents(mini, 500)
    plan = build_budget(school, existing_staffing(school), pd.DataFrame(columns=RESULT_TABLES["student_supports"]))
    for frame, column in [(plan.budget, "amount"), (plan.extra["student_revenue"], "amount"),
                          (plan.extra["per_student_cost"], "staff_share"), (plan.extra["three_year"], "balance")]:
        assert ((frame[column] * 100).round(6) % 1 == 0).all(), (column, frame[column].head())
    shares = plan.extra["per_student_cost"]["staff_share"].sum()
    assert cents(shares) == cents(existing_staffing(school)["annual_cost"].sum())

