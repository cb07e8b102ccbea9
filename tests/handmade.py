"""Two hand-made designs of the mini school, written out seat by seat so each goal's fate is known by hand.

Design A ("baseline"): S04 is not in Art, S03 gets only 60 tutoring minutes, S07 is taught math by T03
(effectiveness 2.5), S02 has a funded vision screening, S02 has no ELA group, nobody is mentored.
Design B ("hire"): a new math teacher H01 (effectiveness 3.5) takes Math 7, S04 is placed in Art, S03 gets
90 minutes, but S02's vision screening is no longer funded.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.results.io import RESULT_TABLES, Result
from workbench.scenario.funding import student_revenue
from workbench.scenario.staff_table import existing_staffing

SECTIONS = [
    ("M6-01", "M6", "T01", "R1", 1), ("E6-01", "E6", "T02", "R1", 2), ("SCI-01", "SCI", "T03", "R3", 3),
    ("ART-01", "ART", "T04", "R4", 4), ("M7-01", "M7", "T03", "R2", 2), ("E7-01", "E7", "T02", "R2", 1),
    ("SCI-02", "SCI", "T03", "R3", 4), ("MUS-01", "MUS", "T04", "R4", 3),
]
GRADE6 = ["S01", "S02", "S03", "S04", "S05", "S06"]
GRADE7 = ["S07", "S08", "S09", "S10", "S11", "S12"]


def _enrollments(with_s04_art: bool) -> pd.DataFrame:
    rows = [(s, sec) for s in GRADE6 for sec in ("M6-01", "E6-01", "SCI-01")]
    rows += [(s, "ART-01") for s in ("S01", "S02", "S03", "S05", "S06")]
    if with_s04_art:
        rows.append(("S04", "ART-01"))
    rows += [(s, sec) for s in GRADE7 for sec in ("E7-01", "M7-01", "SCI-02", "MUS-01")]
    return pd.DataFrame(rows, columns=["student_id", "section_id"])


def _budget(scenario, staffing: pd.DataFrame, supports: pd.DataFrame) -> pd.DataFrame:
    revenue = student_revenue(scenario)
    rows = [("revenue", "students", "per-pupil funding", round(float(revenue["amount"].sum()), 2)),
            ("revenue", "other", "other revenue", scenario.settings.funding.other_revenue)]
    rows += [("expense", "staff", f"{r.staff_id} ({r.role})", r.annual_cost) for r in staffing.itertuples()]
    rows += [("expense", "supports", f"{r.support} for {r.student_id}", r.cost) for r in supports.itertuples()]
    return pd.DataFrame(rows, columns=RESULT_TABLES["budget"])


def design(scenario, variant: str = "A") -> Result:
    """Design A (baseline) or B (hire a strong math teacher, lose a screening); see the module docstring."""
    b = variant == "B"
    sections = pd.DataFrame(SECTIONS, columns=RESULT_TABLES["sections"])
    staffing = existing_staffing(scenario)[RESULT_TABLES["staffing"]]
    if b:
        sections.loc[sections["section_id"] == "M7-01", "staff_id"] = "H01"
        hire = pd.DataFrame([{"staff_id": "H01", "role": "teacher", "new_hire": 1, "annual_cost": 107100.0,
                              "leader_id": "", "subjects": "math", "effectiveness": 3.5}])
        staffing = pd.concat([staffing, hire], ignore_index=True)
    groups = pd.DataFrame([("G1", "P01", "math"), ("G2", "P01", "math")], columns=RESULT_TABLES["groups"])
    sessions = [("G1", d, 5, 30) for d in (1, 2, 3)] + [("G2", d, 5, 30) for d in ((4, 5, 1) if b else (4, 5))]
    group_sessions = pd.DataFrame(sessions, columns=RESULT_TABLES["group_sessions"])
    members = pd.DataFrame([("G1", "S01"), ("G2", "S03")], columns=RESULT_TABLES["group_members"])
    supports = pd.DataFrame([] if b else [("S02", "vision screening", 40.0)],
                            columns=RESULT_TABLES["student_supports"])
    return Result(sections=sections, enrollments=_enrollments(with_s04_art=b), groups=groups,
                  group_sessions=group_sessions, group_members=members, staffing=staffing,
                  student_supports=supports, budget=_budget(scenario, staffing, supports),
                  summary={"status": "optimal", "solver": "hand", "scenario_path": str(Path(scenario.path).resolve())})
