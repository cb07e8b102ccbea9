"""One-time money is part of other revenue, never more (issue 20).

A school wrote a $60,000 one-time grant next to $37,000 of other revenue. `validate` said nothing, the budget
quietly counted only $37,000 of it, and the review set aside a different figure. Now the grant is the part of
other_revenue that comes this year only: `validate` refuses a larger one in one line naming the key and the
fix, and the review judges the budget's own recurring figure."""

from __future__ import annotations

import shutil
from pathlib import Path

from handmade import design
from typer.testing import CliRunner

from workbench.cli import app
from workbench.goals.review import load_bar, review_result
from workbench.plan.budget import build_budget
from workbench.plan.money import dollars, money_of, money_of_budget
from workbench.results.io import Result
from workbench.scenario import load_scenario, validate_scenario
from workbench.scenario.staff_table import existing_staffing

ROOT = Path(__file__).resolve().parents[1]
BAR = ROOT / "scenarios" / "district-bar.yaml"
runner = CliRunner()


def tutorial_with_grant(tmp_path: Path, grant: float) -> Path:
    folder = shutil.copytree(ROOT / "scenarios" / "tutorial", tmp_path / "tutorial")
    settings = folder / "scenario.yaml"
    text = settings.read_text(encoding="utf-8")
    assert "one_time_revenue: 25000.0" in text
    settings.write_text(text.replace("one_time_revenue: 25000.0", f"one_time_revenue: {grant}"), encoding="utf-8")
    return folder


def test_a_grant_larger_than_other_revenue_is_refused_in_one_line_naming_the_key(tmp_path):
    folder = tutorial_with_grant(tmp_path, 60000.0)   # other_revenue is 37,000
    done = runner.invoke(app, ["validate", str(folder)])
    assert done.exit_code == 1
    lines = [line for line in done.output.splitlines() if "one_time_revenue" in line]
    assert len(lines) == 1
    assert lines[0].startswith("scenario.yaml:")
    assert "funding.one_time_revenue" in lines[0] and "other_revenue" in lines[0]
    assert "lower funding.one_time_revenue to at most 37000" in lines[0]
    problems = validate_scenario(folder)
    assert [p.column for p in problems] == ["funding.one_time_revenue"]


def test_a_grant_as_large_as_other_revenue_is_valid(tmp_path):
    assert validate_scenario(tutorial_with_grant(tmp_path, 37000.0)) == []


def test_the_review_sets_aside_the_budgets_own_one_time_revenue(mini):
    # a what-if built in memory (never validated) with a grant beyond other revenue: the budget counts the
    # grant only as far as other revenue goes, and the review judges exactly the budget's recurring figure
    oversize = mini.with_settings(**{"funding.one_time_revenue": mini.settings.funding.other_revenue + 250000})
    result = design(oversize)
    budget = build_budget(oversize, result.staffing, result.student_supports)
    result.budget = budget.budget
    figures = money_of(result, oversize)
    assert figures.one_time_revenue == oversize.settings.funding.other_revenue
    assert figures.recurring_balance == budget.stats["recurring_balance"]
    verdict = next(v for v in review_result(load_bar(BAR), oversize, result, "what-if")
                   if v.criterion == "balanced-without-one-time-money")
    assert verdict.value.startswith(f"recurring balance {dollars(figures.recurring_balance)} ")
    assert verdict.passed == (figures.recurring_balance >= 0)


def test_a_budget_that_does_not_mark_its_grant_sets_aside_no_more_than_its_other_revenue(tmp_path):
    # a budget.csv from an older version: the grant's line is not marked one-time
    school = load_scenario(tutorial_with_grant(tmp_path, 37000.0))
    result = design_for(school)
    marked = money_of_budget(result.budget, school)
    plain = result.budget.copy()
    plain["item"] = plain["item"].str.replace("one-time", "this-year", regex=False)
    older = money_of_budget(plain, school)
    assert older.one_time_revenue == marked.one_time_revenue == 37000.0
    assert older.recurring_balance == marked.recurring_balance


def design_for(school):
    """The tutorial's staff and no supports, budgeted: enough for the money figures."""
    staffing = existing_staffing(school)
    supports = school.supports.iloc[:0][["support"]].assign(student_id="", cost=0.0)[["student_id", "support", "cost"]]
    plan = build_budget(school, staffing, supports)
    return Result(staffing=staffing, student_supports=supports, budget=plan.budget)
