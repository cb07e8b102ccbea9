"""Staffing: which roles to hire and which teachers lead teams, under the budget (issue 4)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workbench.progress import SILENT, Reporter
from workbench.scenario.model import Scenario


@dataclass
class StaffingPlan:
    # SPEC staffing.csv columns, plus for the later steps: max_sections (min of staff and role),
    # unavailable_periods (";"-list), fte, teaches_sections (0/1), tutors (0/1), max_group_size.
    staffing: pd.DataFrame
    student_supports: pd.DataFrame            # student_id, support, cost (funded supports)
    status: str = "optimal"                   # optimal | feasible
    stats: dict = field(default_factory=dict)
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)


def plan_staffing(scenario: Scenario, reporter: Reporter = SILENT) -> StaffingPlan:
    raise NotImplementedError("staffing optimiser: issue 4")
