"""Master schedule and student sectioning (issue 3)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workbench.progress import SILENT, Reporter
from workbench.scenario.model import Scenario


@dataclass
class SchedulePlan:
    sections: pd.DataFrame       # SPEC sections.csv
    enrollments: pd.DataFrame    # SPEC enrollments.csv
    status: str = "optimal"
    stats: dict = field(default_factory=dict)   # requests placed, bound / gap, phase timings
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)


def build_schedule(scenario: Scenario, staffing: pd.DataFrame, reporter: Reporter = SILENT) -> SchedulePlan:
    raise NotImplementedError("master schedule: issue 3")
