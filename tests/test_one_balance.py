"""Riverside Middle's balance is one number wherever a person reads it: the app (status line and Budget page),
`workbench review`, `workbench compare`, summary.json, the Excel Summary and the printed report. Before,
the Budget page said $13,147, the three-year table −$42,504 in years 2-3, review −$56,853 (one-time revenue
set aside but not one-time expenses) and summary.json $13,147.02 next to a three-year $13,146.36."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from workbench.app import views
from workbench.app.state import Workbench
from workbench.goals.compare import compare_results
from workbench.goals.review import load_bar, review_result
from workbench.plan.money import dollars, money_of
from workbench.results.export import to_excel, to_html
from workbench.results.io import write_result
from workbench.scenario.funding import student_revenue

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    folder = shutil.copytree(ROOT / "scenarios" / "riverside-middle", tmp_path_factory.mktemp("s") / "riverside")
    wb = Workbench([folder])
    assert wb.start_solve()
    wb.wait(600)
    assert wb.result is not None, wb.status
    return wb


def budget_headline(wb: Workbench) -> str:
    page = views.budget_view(wb, wb.result)
    return next(p.object for p in page.objects if "wb-balance" in (getattr(p, "css_classes", None) or []))


def test_riverside_has_one_recurring_balance_and_one_balance_this_year(solved, tmp_path):
    wb = solved
    scenario = wb.made_from[next(iter(wb.made_from))]
    figures = money_of(wb.result, scenario)
    recurring, this_year = figures.recurring_balance, figures.this_year_balance
    # years 2 and 3 are the recurring balance: this year's less one-time revenue, plus one-time expenses
    assert recurring == pytest.approx(this_year - figures.one_time_revenue + figures.one_time_expenses, abs=0.005)
    years = figures.three_years().set_index("year")["balance"]
    assert years[1] == this_year and years[2] == years[3] == recurring

    # the app: the status line and the Budget page
    assert f"recurring balance {dollars(recurring)} a year (this year {dollars(this_year)}" in wb.status
    assert f"Recurring balance **{dollars(recurring)}**" in budget_headline(wb)
    assert f"This year's balance {dollars(this_year)}" in budget_headline(wb)

    # review: the bar's balanced-without-one-time-money criterion measures the same number
    bar = load_bar(ROOT / "scenarios" / "district-bar.yaml")
    money = next(v for v in review_result(bar, scenario, wb.result) if v.criterion == "balanced-without-one-time-money")
    assert money.value.startswith(f"recurring balance {dollars(recurring)} ")
    assert money.passed == (recurring >= 0)

    # compare
    summary = compare_results(scenario, {"A": wb.result}, {"A": scenario}).designs_summary.iloc[0]
    assert summary["recurring balance"] == recurring and summary["balance this year"] == this_year

    # summary.json
    folder = write_result(wb.result, tmp_path / "result")
    metrics = json.loads((folder / "summary.json").read_text())["metrics"]
    assert metrics["recurring_balance"] == recurring and metrics["budget_balance"] == this_year

    # the Excel Summary and the HTML report
    book = openpyxl.load_workbook(to_excel(wb.result, tmp_path / "design.xlsx", scenario))
    rows = {r[0]: r[1] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert rows["Recurring balance (every year, without one-time money)"] == recurring
    assert rows["This year's balance (one-time money included)"] == this_year
    assert book["Summary"]["B10"].number_format.startswith('"$"')
    html = to_html(wb.result, tmp_path / "design.html", scenario).read_text(encoding="utf-8")
    assert f"Recurring balance <strong>{dollars(recurring)}</strong>" in html
    assert re.search(rf"this year's balance\s+{re.escape(dollars(this_year))}", html)


def test_one_time_money_is_labelled_as_such_on_the_budget_page(solved):
    from workbench.app.tables import revenue_by_need

    scenario = solved.made_from[next(iter(solved.made_from))]
    parts = revenue_by_need(scenario).set_index("part")["amount"]
    assert parts["one-time grants"] == 70_000
    assert parts["recurring grants and funds"] == scenario.settings.funding.other_revenue - 70_000


def test_the_budget_pages_revenue_by_need_adds_up_to_the_budgets_revenue(solved):
    """The Budget page's "Revenue by need" chart draws the funding formula's own lines, so Riverside's parts
    add up to the revenue in budget.csv to the cent, and its per-student part is what the students bring in
    one by one (`funding.student_revenue`), never a second formula."""
    from workbench.app.tables import revenue_by_need

    scenario = solved.made_from[next(iter(solved.made_from))]
    by_need = revenue_by_need(scenario)
    budget = solved.result.budget
    revenue = budget.loc[budget["kind"] == "revenue", "amount"].astype(float).sum()
    assert round(by_need["amount"].sum(), 2) == round(revenue, 2) == money_of(solved.result, scenario).revenue
    per_student = by_need.loc[by_need["category"] == "per-student formula", "amount"].sum()
    assert round(per_student, 2) == round(student_revenue(scenario)["amount"].sum(), 2)
    assert {"base allocation, grade 6", "English learner weight", "one-time grants"} <= set(by_need["part"])
