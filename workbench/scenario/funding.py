"""The funding formula (SPEC §1) and the one rule for rounding money.

revenue = Σ students base_per_pupil × grade_weight × (1 + Σ weight × column) + other_revenue

Money is computed exactly and rounded once, to cents, where it is shown (SPEC §2: budget.csv amounts are
cents, line by line). When a total is shown in parts (the budget's revenue lines, each student's allocation)
the parts are apportioned so that they add up to the rounded total to the cent: summing rounded parts, or
rounding a sum of parts, then gives the same number however large the school. Rounding each of 50,000
students' dollars and summing them drifted $100 from the formula; apportioning cannot drift.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from workbench.scenario.model import Scenario

NEED_LABELS = {"ell": "English learner", "iep": "IEP", "frl": "low income",
               "below_grade_math": "below grade in math", "below_grade_reading": "below grade in reading"}


def cents(amount: float) -> float:
    """Dollars to the nearest cent, halves away from zero as written (2.675 -> 2.68), whatever float noise
    the arithmetic left (0.1 + 0.2 -> 0.3)."""
    return float(Decimal(repr(round(float(amount), 9))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def apportion_cents(amounts) -> np.ndarray:
    """Exact dollar parts of a total -> parts in cents that add up to `cents(sum of parts)`.

    Each part is its exact value rounded down or up to a cent (never further off); the cents left over go to
    the parts with the largest remainders (ties to the earlier part), so the result is the same on any
    machine. `amounts`: a sequence of dollars, any length; returns a float array of the same length."""
    exact = np.round(np.asarray(amounts, dtype=float) * 100.0, 6)   # cents; 6 places drop float noise
    if exact.size == 0:
        return exact
    whole = np.floor(exact)
    left = int(round(cents(float(exact.sum()) / 100.0) * 100)) - int(whole.sum())
    order = np.argsort(-(exact - whole), kind="stable")
    whole[order[:left]] += 1
    return whole / 100.0


def _grade_weights(scenario: Scenario) -> pd.Series:
    funding = scenario.settings.funding
    return scenario.students["grade"].astype(int).map(lambda g: funding.grade_weights.get(int(g), 1.0)).astype(float)


def _need_values(scenario: Scenario, column: str) -> pd.Series:
    """A weighted column of students.csv as numbers; blank (or not a number) counts as no need."""
    return pd.to_numeric(scenario.students[column], errors="coerce").fillna(0.0).astype(float)


def total_revenue(scenario: Scenario) -> float:
    """The school's revenue in dollars, the formula rounded to cents once: what budget.csv's revenue lines add
    up to (it is their sum), what the staffing step may spend, and what the checker holds the budget to."""
    return cents(float(revenue_lines(scenario)["amount"].sum()))


def student_revenue(scenario: Scenario) -> pd.DataFrame:
    """One row a student: student_id, grade, grade_weight, need_weight, amount (dollars, apportioned to cents
    so the column adds up to the formula's student part), explanation."""
    funding = scenario.settings.funding
    students = scenario.students
    grade_weight = _grade_weights(scenario)
    need = pd.Series(0.0, index=students.index)
    parts = [[] for _ in range(len(students))]
    for column, weight in funding.weights.items():
        values = _need_values(scenario, column)
        need += weight * values
        label = NEED_LABELS.get(column, column.replace("_", " "))
        for i, v in enumerate(values):
            if v:
                parts[i].append(f"{weight * v:.2f} {label}")
    amount = apportion_cents(funding.base_per_pupil * grade_weight * (1.0 + need))
    explanation = [
        f"{sid}: {funding.base_per_pupil:,.0f} × {gw:.2f} × (1" + "".join(f" + {p}" for p in ps) + f") = {a:,.0f}"
        for sid, gw, ps, a in zip(students["student_id"], grade_weight, parts, amount, strict=True)
    ]
    return pd.DataFrame({
        "student_id": students["student_id"].astype(str).to_numpy(),
        "grade": students["grade"].astype(int).to_numpy(),
        "grade_weight": grade_weight.to_numpy(),
        "need_weight": need.round(4).to_numpy(),
        "amount": amount,
        "explanation": explanation,
    })


def revenue_lines(scenario: Scenario) -> pd.DataFrame:
    """The formula as a finance office reads it, one row a line (category, item, amount in dollars): the base
    allocation by grade (grade weight included), each need weight, then other revenue split into recurring
    and one-time. Amounts are apportioned to cents, so the lines add up exactly to `total_revenue`."""
    funding = scenario.settings.funding
    grades = scenario.students["grade"].astype(int)
    base = funding.base_per_pupil * _grade_weights(scenario)
    rows = []
    for grade, amount in base.groupby(grades).sum().items():
        weight = funding.grade_weights.get(int(grade), 1.0)
        rows.append(("per-student formula", f"base allocation, grade {grade} ({int((grades == grade).sum())} "
                     f"students × ${funding.base_per_pupil:,.0f} × {weight:g})", float(amount)))
    for column, weight in funding.weights.items():
        values = _need_values(scenario, column)
        label = NEED_LABELS.get(column, column.replace("_", " "))
        rows.append(("per-student formula", f"{label} weight ({weight:g}, {int((values != 0).sum())} students)",
                     float((base * weight * values).sum())))
    one_time = one_time_revenue(scenario)
    rows.append(("other revenue", "recurring grants and funds", float(funding.other_revenue) - one_time))
    rows.append(("other revenue", "one-time grants (this year only)", one_time))
    out = pd.DataFrame(rows, columns=["category", "item", "amount"])
    out["amount"] = apportion_cents(out["amount"])
    return out


def one_time_revenue(scenario: Scenario) -> float:
    """Dollars of other_revenue that come this year only (funding.one_time_revenue, default 0). It is a part
    of other_revenue, never added to it; `workbench validate` refuses a larger one (one line naming the key),
    and the clamp here only keeps a scenario built in memory from a negative recurring part."""
    funding = scenario.settings.funding
    return min(max(float(funding.one_time_revenue), 0.0), float(funding.other_revenue))
