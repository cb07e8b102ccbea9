"""The staffing table every planning step reads: existing staff joined with their role from roles.csv.

Columns: the SPEC staffing.csv columns (staff_id, role, new_hire, annual_cost, leader_id, subjects,
effectiveness) plus max_sections (min of staff and role), unavailable_periods (";"-list), fte,
teaches_sections, tutors, max_group_size, reach.
"""

from __future__ import annotations

import pandas as pd

from workbench.scenario.model import Scenario

STAFFING_COLUMNS = ["staff_id", "role", "new_hire", "annual_cost", "leader_id", "subjects", "effectiveness",
                    "max_sections", "unavailable_periods", "fte", "teaches_sections", "tutors",
                    "max_group_size", "reach"]


def role_table(scenario: Scenario) -> pd.DataFrame:
    """roles.csv indexed by role, blanks filled: reach 0, max_new_hires unlimited (None)."""
    roles = scenario.roles.set_index("role")
    out = pd.DataFrame({
        "annual_cost": roles["annual_cost"].astype(float),
        "teaches_sections": roles["teaches_sections"].astype(int),
        "tutors": roles["tutors"].astype(int),
        "max_sections": roles["max_sections"].astype(int),
        "max_group_size": roles["max_group_size"].astype(int),
        "reach": roles["reach"].fillna(0).astype(int),
        "max_new_hires": roles["max_new_hires"].astype("Int64"),
    }, index=roles.index)
    return out


def existing_staffing(scenario: Scenario) -> pd.DataFrame:
    """Every existing staff member in their current role, nobody hired, no teams: the design with no change."""
    roles = role_table(scenario)
    staff = scenario.staff
    fte = staff["fte"].fillna(1.0).astype(float)
    role = roles.reindex(staff["role"])
    out = pd.DataFrame({
        "staff_id": staff["staff_id"].astype(str).to_numpy(),
        "role": staff["role"].astype(str).to_numpy(),
        "new_hire": 0,
        "annual_cost": (role["annual_cost"].to_numpy() * fte.to_numpy()).round(2),
        "leader_id": "",
        "subjects": staff["subjects"].astype(str).to_numpy(),
        "effectiveness": staff["effectiveness"].astype(float).to_numpy(),
        "max_sections": [min(int(a), int(b)) for a, b in zip(staff["max_sections"], role["max_sections"],
                                                                 strict=True)],
        "unavailable_periods": staff["unavailable_periods"].astype(str).to_numpy(),
        "fte": fte.to_numpy(),
        "teaches_sections": role["teaches_sections"].to_numpy(),
        "tutors": role["tutors"].to_numpy(),
        "max_group_size": role["max_group_size"].to_numpy(),
        "reach": role["reach"].to_numpy(),
    })
    return out[STAFFING_COLUMNS]
