"""The funding formula (SPEC §1): each student's allocation, with its explanation.

revenue = Σ students base_per_pupil × grade_weight × (1 + Σ weight × column) + other_revenue
"""

from __future__ import annotations

import pandas as pd

from workbench.scenario.model import Scenario

NEED_LABELS = {"ell": "English learner", "iep": "IEP", "frl": "low income",
               "below_grade_math": "below grade in math", "below_grade_reading": "below grade in reading"}


def student_revenue(scenario: Scenario) -> pd.DataFrame:
    """One row a student: student_id, grade, grade_weight, need_weight, amount, explanation."""
    funding = scenario.settings.funding
    students = scenario.students
    grade_weight = students["grade"].astype(int).map(lambda g: funding.grade_weights.get(int(g), 1.0))
    need = pd.Series(0.0, index=students.index)
    parts = [[] for _ in range(len(students))]
    for column, weight in funding.weights.items():
        values = pd.to_numeric(students[column], errors="coerce").fillna(0.0)
        need += weight * values
        label = NEED_LABELS.get(column, column.replace("_", " "))
        for i, v in enumerate(values):
            if v:
                parts[i].append(f"{weight * v:.2f} {label}")
    amount = funding.base_per_pupil * grade_weight * (1.0 + need)
    explanation = [
        f"{sid}: {funding.base_per_pupil:,.0f} × {gw:.2f} × (1" + "".join(f" + {p}" for p in ps) + f") = {a:,.0f}"
        for sid, gw, ps, a in zip(students["student_id"], grade_weight, parts, amount, strict=True)
    ]
    return pd.DataFrame({
        "student_id": students["student_id"].astype(str).to_numpy(),
        "grade": students["grade"].astype(int).to_numpy(),
        "grade_weight": grade_weight.to_numpy(),
        "need_weight": need.round(4).to_numpy(),
        "amount": amount.round(2).to_numpy(),
        "explanation": explanation,
    })


def total_revenue(scenario: Scenario) -> float:
    return float(student_revenue(scenario)["amount"].sum() + scenario.settings.funding.other_revenue)


def one_time_revenue(scenario: Scenario) -> float:
    """Dollars of other_revenue that come this year only (funding.one_time_revenue, an extra setting;
    default 0), clamped to other_revenue so the recurring part is never negative."""
    funding = scenario.settings.funding
    value = (funding.model_extra or {}).get("one_time_revenue", 0) or 0
    try:
        value = float(value)
    except (TypeError, ValueError):
        value = 0.0
    return min(max(value, 0.0), float(funding.other_revenue))
