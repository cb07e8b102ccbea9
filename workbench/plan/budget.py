"""Need-based budget: revenue per student, every expense itemised (issue 4).

budget.csv is built from the same tables a checker reads (staffing.csv, student_supports.csv and the
funding formula), so its totals agree with them by construction; the extra tables let a school leader
follow the money down to one student and three years out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workbench.errors import InfeasibleDesign
from workbench.plan.money import ONE_TIME, money_of_budget, one_time_supports
from workbench.plan.staffing import money
from workbench.progress import SILENT, Reporter
from workbench.scenario.funding import (
    apportion_cents,
    cents,
    revenue_lines,
    student_revenue,
    total_revenue,
)
from workbench.scenario.model import Scenario
from workbench.scenario.staff_table import role_table

BUDGET_COLUMNS = ["kind", "category", "item", "amount"]
SUPPORT_COLUMNS = ["student_id", "support", "cost"]


@dataclass
class BudgetPlan:
    budget: pd.DataFrame                  # SPEC budget.csv
    student_supports: pd.DataFrame        # SPEC student_supports.csv
    stats: dict = field(default_factory=dict)
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)   # student_revenue, three_year, per_student_cost


def revenue_rows(scenario: Scenario) -> list[dict]:
    """budget.csv's revenue lines: the funding formula's own lines (`funding.revenue_lines`), in cents that add
    up to `total_revenue` exactly."""
    return [{"kind": "revenue", **row} for row in revenue_lines(scenario).to_dict("records")]


def expense_rows(scenario: Scenario, staffing: pd.DataFrame, supports: pd.DataFrame) -> list[dict]:
    """One row per role (with the leaders' supplement over a teacher's pay said in words), one per support."""
    roles = role_table(scenario)
    teacher_cost = float(roles.at["teacher", "annual_cost"]) if "teacher" in roles.index else None
    rows = []
    for role, group in staffing.groupby("role", sort=True):
        amount = float(group["annual_cost"].sum())
        hired = int(group["new_hire"].astype(int).sum())
        fte = float(pd.to_numeric(group.get("fte", pd.Series(1.0, index=group.index)), errors="coerce")
                    .fillna(1.0).sum())
        item = f"{role}: {len(group)} staff, {fte:g} fte" + (f", {hired} new" if hired else "")
        reach = int(roles.at[role, "reach"]) if role in roles.index else 0
        if reach > 0 and teacher_cost is not None:
            supplement = (float(roles.at[role, "annual_cost"]) - teacher_cost) * fte
            item += f" (includes {money(supplement)} in leader supplements over teacher pay)"
        rows.append({"kind": "expense", "category": "staff", "item": item, "amount": cents(amount)})
    once = one_time_supports(scenario)
    for support, group in supports.groupby("support", sort=True):
        item = f"{support}: {len(group)} students" + (f", {ONE_TIME} purchase" if support in once else "")
        rows.append({"kind": "expense", "category": "supports", "item": item,
                     "amount": cents(float(group["cost"].sum()))})
    return rows


def three_year_view(budget: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Years 1-3 at today's prices from budget.csv's own lines (`workbench.plan.money`): one-time grants
    and one-time supports only in year 1, so a design that only balances with this year's grant shows a
    gap in years 2 and 3, and the table's balances are the very figures every page and report shows."""
    return money_of_budget(budget, scenario).three_years()


def per_student_cost(scenario: Scenario, staffing: pd.DataFrame, supports: pd.DataFrame,
                     per_student: pd.DataFrame) -> pd.DataFrame:
    """Each student's dollars: staff cost shared by the seats they asked for (priority 1-2 requests),
    plus the supports funded for them, next to what the formula brings in for them."""
    ids = per_student["student_id"]
    requests = scenario.requests
    seats = requests[requests["priority"].astype(int) <= 2].groupby("student_id").size().reindex(ids).fillna(0)
    if seats.sum() == 0:
        seats = pd.Series(1.0, index=ids)
    staff_cost = float(staffing["annual_cost"].sum())
    share = apportion_cents(staff_cost * seats / seats.sum())   # the shares add up to the staff cost
    own = supports.groupby("student_id")["cost"].sum().reindex(ids).fillna(0.0)
    out = pd.DataFrame({"student_id": ids.to_numpy(), "staff_share": share,
                        "supports": [cents(v) for v in own]})
    out["total"] = [cents(v) for v in out["staff_share"] + out["supports"]]
    out["revenue"] = per_student["amount"].to_numpy()
    return out


def _check_supports(scenario: Scenario, supports: pd.DataFrame) -> pd.DataFrame:
    """Funded supports at their catalogue price and within capacity, or a plain refusal."""
    supports = supports.reindex(columns=SUPPORT_COLUMNS).copy()
    catalogue = scenario.supports.set_index("support")
    unknown = sorted(set(supports["support"]) - set(catalogue.index))
    if unknown:
        raise InfeasibleDesign(f"funded supports {', '.join(unknown)} are not in supports.csv", phase="budget")
    supports["cost"] = supports["support"].map(catalogue["cost_per_student"]).astype(float)
    if "capacity" in catalogue.columns:
        counts = supports["support"].value_counts()
        cap = catalogue["capacity"].reindex(counts.index)
        over = [f"{s} ({counts[s]} students, capacity {int(cap[s])})" for s in counts.index
                if not pd.isna(cap[s]) and counts[s] > int(cap[s])]
        if over:
            raise InfeasibleDesign("supports funded beyond their capacity: " + "; ".join(over), phase="budget")
    return supports.reset_index(drop=True)


def build_budget(scenario: Scenario, staffing: pd.DataFrame, student_supports: pd.DataFrame,
                 reporter: Reporter = SILENT) -> BudgetPlan:
    """budget.csv plus the student_revenue, three_year and per_student_cost tables. Refuses a design
    whose expenses exceed revenue unless funding.allow_deficit."""
    reporter.report("budget", "budget: itemising revenue and expenses", 0.2)
    per_student = student_revenue(scenario)
    supports = _check_supports(scenario, student_supports)
    expenses = expense_rows(scenario, staffing, supports)
    budget = pd.DataFrame(revenue_rows(scenario) + expenses, columns=BUDGET_COLUMNS)
    budget = budget[budget["amount"] > 0].reset_index(drop=True)

    total_rev = total_revenue(scenario)
    total_exp = cents(float(staffing["annual_cost"].sum() + supports["cost"].sum()))
    if total_exp > total_rev + 0.005 and not scenario.settings.funding.allow_deficit:
        raise InfeasibleDesign(
            f"this design costs {money(total_exp)} but revenue is {money(total_rev)} and deficits are not "
            "allowed: hire fewer staff, fund fewer supports, raise revenue, or set funding.allow_deficit: true",
            phase="budget")
    three_year = three_year_view(budget, scenario)
    figures = money_of_budget(budget, scenario)
    stats = {"revenue": figures.revenue, "expenses": figures.expenses, "balance": figures.this_year_balance,
             "recurring_balance": figures.recurring_balance,
             "balanced_all_three_years": figures.balanced_all_three_years}
    return BudgetPlan(budget=budget, student_supports=supports, stats=stats,
                      extra={"student_revenue": per_student, "three_year": three_year,
                             "per_student_cost": per_student_cost(scenario, staffing, supports, per_student)})
