"""The one definition of each money figure a design is judged by (issue 18).

Every page, report and command that shows a balance takes it from here, computed from the design's own
budget.csv lines (cents, SPEC §2), so the app, `workbench review`, `workbench compare`, summary.json, the
Excel workbook and the HTML report can never disagree:

- revenue, expenses: this year's totals, one-time money included;
- one-time revenue: budget lines marked one-time (the grant of funding.one_time_revenue, which is part of
  funding.other_revenue, never more: `workbench validate` refuses a larger one);
- one-time expenses: supports bought once (supports.csv `recurring` 0, a device), marked one-time too;
- recurring balance (the headline): recurring revenue − recurring expenses, what the design leaves every
  year once this year's grant is spent: the balance of years 2 and 3 at today's prices;
- this year's balance: revenue − expenses (summary.json's `budget_balance`, SPEC §2);
- the three-year view: year 1 is this year, years 2 and 3 the recurring figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.scenario.funding import cents, one_time_revenue

ONE_TIME = "one-time"   # the word budget.csv's item says of a line that comes or goes this year only


def dollars(amount: float | None, signed: bool = False) -> str:
    """`$13,147`, `−$42,504` (a true minus sign); `+$1,200` when `signed`; "" for a missing amount."""
    if amount is None or pd.isna(amount):
        return ""
    whole = round(float(amount))
    sign = "−" if whole < 0 else ("+" if signed and whole > 0 else "")
    return f"{sign}${abs(whole):,}"


def one_time_supports(scenario) -> set[str]:
    """Supports that supports.csv says are bought once (`recurring` 0); blank means every year."""
    table = getattr(scenario, "supports", None)
    if table is None or "recurring" not in table.columns:
        return set()
    flags = pd.to_numeric(table["recurring"], errors="coerce").fillna(1)
    return set(table.loc[flags == 0, "support"].astype(str))


def one_time_lines(budget: pd.DataFrame, scenario=None) -> pd.Series:
    """A True/False mask over budget.csv's rows: the lines that come or go this year only. A line is one-time
    when its item says so ("one-time grants (this year only)", "device: 55 students, one-time purchase"), or,
    given the scenario, when it is a support that supports.csv says is bought once (results written before
    the items said so)."""
    item = budget["item"].fillna("").astype(str)
    mask = item.str.contains(ONE_TIME, regex=False)
    once = one_time_supports(scenario) if scenario is not None else set()
    if once:
        named = item.str.strip().str.startswith(tuple(sorted(once)))
        mask |= (budget["kind"] == "expense") & (budget["category"] == "supports") & named
    return mask


@dataclass(frozen=True)
class Money:
    """A design's money in dollars (each rounded to cents once). `recurring_balance` is the headline."""

    revenue: float
    expenses: float
    one_time_revenue: float
    one_time_expenses: float

    @property
    def recurring_revenue(self) -> float:
        return cents(self.revenue - self.one_time_revenue)

    @property
    def recurring_expenses(self) -> float:
        return cents(self.expenses - self.one_time_expenses)

    @property
    def this_year_balance(self) -> float:
        """Revenue − expenses, one-time money included (SPEC §2 budget_balance)."""
        return cents(self.revenue - self.expenses)

    @property
    def recurring_balance(self) -> float:
        """Recurring revenue − recurring expenses: what is left every year without one-time money."""
        return cents(self.recurring_revenue - self.recurring_expenses)

    @property
    def balanced_all_three_years(self) -> bool:
        return self.this_year_balance >= 0 and self.recurring_balance >= 0

    def three_years(self) -> pd.DataFrame:
        """Years 1-3 at today's prices: one-time money in year 1 only. Columns: year, revenue_recurring,
        revenue_one_time, revenue, expense_recurring, expense_one_time, expenses, balance (dollars)."""
        rows = []
        for year in (1, 2, 3):
            rev_one = self.one_time_revenue if year == 1 else 0.0
            exp_one = self.one_time_expenses if year == 1 else 0.0
            revenue = cents(self.recurring_revenue + rev_one)
            expenses = cents(self.recurring_expenses + exp_one)
            rows.append({"year": year, "revenue_recurring": self.recurring_revenue, "revenue_one_time": rev_one,
                         "revenue": revenue, "expense_recurring": self.recurring_expenses,
                         "expense_one_time": exp_one, "expenses": expenses, "balance": cents(revenue - expenses)})
        return pd.DataFrame(rows)

    def lines(self) -> list[tuple[str, float]]:
        """The figures in plain words, headline first, as every page and report lists them."""
        return [("Recurring balance (every year, without one-time money)", self.recurring_balance),
                ("This year's balance (one-time money included)", self.this_year_balance),
                ("Revenue this year", self.revenue),
                ("  of which one-time revenue", self.one_time_revenue),
                ("Expenses this year", self.expenses),
                ("  of which one-time expenses", self.one_time_expenses),
                ("Balance in year 2", self.recurring_balance),
                ("Balance in year 3", self.recurring_balance)]

    def sentence(self) -> str:
        """One line for a status bar or a report's top: the recurring balance first, this year's after."""
        text = f"recurring balance {dollars(self.recurring_balance)} a year"
        if self.one_time_revenue or self.one_time_expenses:
            text += (f" (this year {dollars(self.this_year_balance)}, with {dollars(self.one_time_revenue)} of "
                     f"one-time revenue and {dollars(self.one_time_expenses)} of one-time expenses)")
        return text


def money_of_budget(budget: pd.DataFrame, scenario=None) -> Money:
    """The Money of a budget.csv table (kind, category, item, amount). `scenario` (optional) says what a
    budget whose items do not mark their one-time lines (one written by hand or by an older version) holds:
    funding.one_time_revenue and the supports bought once."""
    if budget is None or budget.empty:
        return Money(0.0, 0.0, 0.0, 0.0)
    amount = pd.to_numeric(budget["amount"], errors="coerce").fillna(0.0)
    revenue, expense = budget["kind"] == "revenue", budget["kind"] == "expense"
    once = one_time_lines(budget, scenario)
    one_time_rev = float(amount[revenue & once].sum())
    if not (revenue & once).any() and scenario is not None:   # a budget whose lines do not say which is which
        # the grant is part of the budget's own other revenue: never more than those lines hold (issue 20)
        other = revenue & (budget["category"].fillna("").astype(str) == "other revenue")
        held = float(amount[other].sum()) if other.any() else float(amount[revenue].sum())
        one_time_rev = min(one_time_revenue(scenario), held)
    return Money(revenue=cents(float(amount[revenue].sum())), expenses=cents(float(amount[expense].sum())),
                 one_time_revenue=cents(one_time_rev),
                 one_time_expenses=cents(float(amount[expense & once].sum())))


def money_of(result, scenario=None) -> Money:
    """The Money of a Result (its budget table)."""
    return money_of_budget(result.budget, scenario)
