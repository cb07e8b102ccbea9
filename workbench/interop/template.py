"""The default template: what an SIS export does not say (class caps, room sizes, salaries, funding) and
what the workbench assumes instead, each with its published source.

The figures are the generator's (`workbench.scenario.generate`, from shared/PARAMETERS.md), reused rather
than copied, so a generated school and an imported one are costed alike. Every default an import uses is
listed in IMPORT-REPORT.md, so a school leader knows what to check and replace with the school's own figures.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import pandas as pd

from workbench.scenario import generate as g

# The generator's cap for a core class (28): a section planned 90% full holds about 25 students, the NCES
# NTPS 2017-18 average class (middle 24.9, high 23.3).
CLASS_CAP = Counter(course.max_size for course in g._high_courses()).most_common(1)[0][0]
FILL = 0.9                      # sections planned 90% full, as generate.sections_needed does
SPARE_ROOMS = g.SPARE_ROOMS     # rooms over sections per period
CLASS_SOURCE = "NCES National Teacher and Principal Survey 2017-18 (average class: middle 24.9, high 23.3)"


@dataclass(frozen=True)
class Default:
    """One assumption an import made: what, the value used, and where the figure comes from."""

    what: str
    value: str
    source: str


def level_of(grades: list[int]) -> str:
    return "high" if max(grades) >= 9 else "middle"


def roles(level: str) -> pd.DataFrame:
    """The staffing catalogue with its salaries (NEA 2022-23, BLS, Opportunity Culture; × 1.54 benefits)."""
    return g._roles(level)


def supports() -> pd.DataFrame:
    rows = [{"support": name, "cost_per_student": cost, "capacity": pd.NA, "description": text}
            for name, cost, _recurring, text in g.SUPPORTS]
    return pd.DataFrame(rows)


def grade_weights(grades: list[int]) -> dict[int, float]:
    """NYC Fair Student Funding FY2019 grade weights: 6-8 and 9-12 as the generator uses them; K-5 is 1.00."""
    out = {}
    for grade in grades:
        if 6 <= grade <= 8:
            out[int(grade)] = g.GRADE_WEIGHT["middle"]
        elif grade >= 9:
            out[int(grade)] = g.GRADE_WEIGHT["high"]
    return out


def funding(students: pd.DataFrame, staff_cost: float, grades: list[int]) -> dict:
    """Weights from published formulas; the base per pupil set so that revenue covers this year's staff at
    template salaries with the generator's margin to spare (an SIS export holds no budget)."""
    weights = dict(g.NEED_WEIGHTS)
    by_grade = grade_weights(grades)
    need = 1.0 + sum(w * students[c].astype(float) for c, w in weights.items())
    units = float((need * students["grade"].map(lambda x: by_grade.get(int(x), 1.0))).sum())
    base = math.ceil(staff_cost * (1 + g.STAFF_MARGIN) / units / 10.0) * 10 if units else 0.0
    return {"base_per_pupil": float(base), "weights": weights, "grade_weights": by_grade,
            "other_revenue": 0.0, "allow_deficit": False}


def funding_defaults(settings: dict, staff_cost: float) -> list[Default]:
    f = settings
    grade_text = ", ".join(f"grade {k} × {v:g}" for k, v in f["grade_weights"].items()) or "none (grades K-5: 1.00)"
    return [
        Default("Base funding per student", f"${f['base_per_pupil']:,.0f} a year",
                f"not a published figure: set so that revenue covers this year's staff at the template salaries "
                f"(${staff_cost:,.0f}) with {g.STAFF_MARGIN:.0%} to spare. Replace it with your district's figure"),
        Default("Need weights", f"English learner +{f['weights']['ell']:g}, IEP +{f['weights']['iep']:g}, "
                f"low income +{f['weights']['frl']:g}",
                f"{g.FSF} (ENL 0.40, poverty 0.12) and Boston WSF FY16 (disability low 1.00)"),
        Default("Grade weights", grade_text, f"{g.FSF} (grades 6-8 1.08, 9-12 1.03)"),
        Default("Other revenue (grants, Title funds)", "$0", "not in an SIS export: add yours"),
    ]


def role_defaults(table: pd.DataFrame) -> list[Default]:
    out = []
    for row in table.itertuples():
        name = {"mcl": "multi-classroom leader (mcl)"}.get(row.role, row.role.replace("_", " "))
        out.append(Default(f"Cost of a {name}", f"${row.annual_cost:,.0f} a year",
                           row.description))
    return out
