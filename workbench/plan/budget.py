"""Need-based budget: revenue per student, every expense itemised (issue 4)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workbench.progress import SILENT, Reporter
from workbench.scenario.model import Scenario


@dataclass
class BudgetPlan:
    budget: pd.DataFrame                  # SPEC budget.csv
    student_supports: pd.DataFrame        # SPEC student_supports.csv
    stats: dict = field(default_factory=dict)
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)   # student_revenue, three_year


def build_budget(scenario: Scenario, staffing: pd.DataFrame, student_supports: pd.DataFrame,
                 reporter: Reporter = SILENT) -> BudgetPlan:
    raise NotImplementedError("budget: issue 4")
