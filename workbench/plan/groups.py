"""Small-group (tutoring) allocation in real free time (issue 5)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workbench.progress import SILENT, Reporter
from workbench.scenario.model import Scenario


@dataclass
class GroupPlan:
    groups: pd.DataFrame
    group_sessions: pd.DataFrame
    group_members: pd.DataFrame
    unserved: pd.DataFrame        # student_id, subject, reason, remedy
    status: str = "optimal"
    stats: dict = field(default_factory=dict)


def plan_groups(scenario: Scenario, staffing: pd.DataFrame, sections: pd.DataFrame,
                enrollments: pd.DataFrame, reporter: Reporter = SILENT) -> GroupPlan:
    raise NotImplementedError("small groups: issue 5")
