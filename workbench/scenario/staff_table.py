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


SOFT_LIMIT_COLUMNS = ["max_preps", "max_consecutive"]


def uses_soft_limits(scenario: Scenario) -> bool:
    """Whether staff.csv or roles.csv gives any teacher a soft limit (`max_preps`, `max_consecutive`): a
    scenario that gives none plans and reports exactly as before."""
    return any(column in table.columns and table[column].notna().any()
               for table in (scenario.staff, scenario.roles) for column in SOFT_LIMIT_COLUMNS)


def soft_limits(scenario: Scenario, roles_in_design: pd.Series) -> pd.DataFrame:
    """Each staff member's soft limits, indexed by staff_id as `roles_in_design` is (staff_id -> the role in
    this design, a promotion's new role, a new hire's role): SOFT_LIMIT_COLUMNS as nullable whole numbers,
    <NA> for no limit. The staff member's own value in staff.csv wins; else her role's in roles.csv."""
    ids = roles_in_design.index.astype(str)
    staff = scenario.staff.assign(staff_id=scenario.staff["staff_id"].astype(str)).set_index("staff_id")
    roles = scenario.roles.assign(role=scenario.roles["role"].astype(str)).set_index("role")
    out = pd.DataFrame(index=pd.Index(ids, name="staff_id"))
    for column in SOFT_LIMIT_COLUMNS:
        own = (staff[column] if column in staff.columns else pd.Series(pd.NA, index=staff.index)).reindex(ids)
        by_role = (roles[column] if column in roles.columns else pd.Series(pd.NA, index=roles.index)).reindex(
            roles_in_design.astype(str).to_numpy())
        merged = [a if not pd.isna(a) else b for a, b in zip(own.to_numpy(), by_role.to_numpy(), strict=True)]
        out[column] = pd.array([None if pd.isna(v) else int(v) for v in merged], dtype="Int64")
    return out
