"""What a design asks of each teacher (issue 14): sections taught and co-taught, preps, students, the longest
run of teaching without a break, and planning time a week.

Why: a design that gives students more can cost the adults their planning time; a leader should see that
beside the student view. Read off a result and the time model only (`workbench.scenario.calendar`), so the
figures mean the same on a plain week, an A/B rotation or a 4x4 block.
"""

from __future__ import annotations

import pandas as pd

from workbench.scenario.calendar import SLOT, calendar_of, meetings, planning_minutes, session_slots
from workbench.scenario.model import Scenario
from workbench.scenario.staff_table import SOFT_LIMIT_COLUMNS, role_table, soft_limits, uses_soft_limits
from workbench.verify.result import Result

LOAD_COLUMNS = ["staff_id", "role", "sections", "co_taught_sections", "preps", "students", "longest_run_periods",
                "planning_minutes_per_week"]
# with soft limits (staff.csv or roles.csv max_preps / max_consecutive): each limit and how far it is missed
SOFT_LIMIT_LOAD_COLUMNS = [*SOFT_LIMIT_COLUMNS, "preps_over", "run_over"]


def teacher_load(scenario: Scenario, result: Result) -> pd.DataFrame:
    """One row per staff member whose role teaches sections (staffing.csv order), LOAD_COLUMNS:
    sections (taught and co-taught), co_taught_sections (of those, as co-teacher), preps (distinct courses),
    students (distinct students in those sections), longest_run_periods (the most consecutive periods with a
    section or a group on any one day) and planning_minutes_per_week (periods with no section, group or
    intervention duty × minutes_per_period, in a week: the cycle's total × 5 ÷ days, in her weakest term).

    When the scenario gives soft limits (`uses_soft_limits`), SOFT_LIMIT_LOAD_COLUMNS follow: her max_preps
    and max_consecutive (staff.csv, else her role's in roles.csv; <NA> for none) and preps_over / run_over,
    how many preps or periods of her longest run are beyond them (0 when within or without a limit)."""
    cal = calendar_of(scenario)
    staffing = result.staffing.assign(staff_id=result.staffing["staff_id"].astype(str),
                                      role=result.staffing["role"].astype(str))
    teaches = role_table(scenario)["teaches_sections"]
    teachers = staffing[staffing["role"].map(teaches).fillna(0).astype(int) == 1][["staff_id", "role"]]
    duty = _section_duty(result)
    held = meetings(result.sections.astype({"section_id": str}), cal, scenario.courses).merge(
        duty[["section_id", "staff_id"]], on="section_id")
    led = _led_sessions(result)
    ids = teachers["staff_id"]
    counts = duty.groupby("staff_id").agg(sections=("section_id", "nunique"), co_taught_sections=("co", "sum"),
                                          preps=("course_id", "nunique"))
    pupils = result.enrollments[["student_id", "section_id"]].astype(str).merge(duty, on="section_id")
    out = teachers.set_index("staff_id").join(counts).join(pupils.groupby("staff_id")["student_id"].nunique()
                                                           .rename("students"))
    out["longest_run_periods"] = _longest_runs(held, led, cal)
    out["planning_minutes_per_week"] = planning_minutes(ids, held, led, cal).round(1)
    numbers = ["sections", "co_taught_sections", "preps", "students", "longest_run_periods"]
    out[numbers] = out[numbers].fillna(0).astype(int)
    out = out.reset_index()[LOAD_COLUMNS]
    return _with_soft_limits(scenario, out) if uses_soft_limits(scenario) else out


def _with_soft_limits(scenario: Scenario, load: pd.DataFrame) -> pd.DataFrame:
    """`load` with each teacher's soft limits and how far the design misses them."""
    limits = soft_limits(scenario, load.set_index("staff_id")["role"])
    out = load.join(limits, on="staff_id")
    for over, used, limit in (("preps_over", "preps", "max_preps"), ("run_over", "longest_run_periods",
                                                                      "max_consecutive")):
        out[over] = (out[used] - out[limit]).clip(lower=0).fillna(0).astype(int)
    return out[[*LOAD_COLUMNS, *SOFT_LIMIT_LOAD_COLUMNS]]


def soft_limit_misses(load: pd.DataFrame) -> list[str]:
    """Each soft limit a design misses, a sentence per teacher and limit ("T004 has 3 preps, 1 over her limit
    of 2"), in the load's order; [] when the load has no soft-limit columns or every limit holds."""
    if "preps_over" not in load.columns:
        return []
    lines = []
    for row in load.itertuples(index=False):
        if row.preps_over > 0:
            lines.append(f"{row.staff_id} has {row.preps} preps (distinct courses), {row.preps_over} over "
                         f"the limit of {row.max_preps}")
        if row.run_over > 0:
            lines.append(f"{row.staff_id} teaches {row.longest_run_periods} periods in a row, {row.run_over} "
                         f"over the limit of {row.max_consecutive}")
    return lines


def least_planning_minutes(load: pd.DataFrame) -> float | None:
    """SPEC §4 `teacher_planning_minutes_min`: the smallest weekly planning time of a teacher with at least one
    section (taught or co-taught), in minutes; None when nobody teaches."""
    teaching = load[load["sections"] > 0]
    return None if teaching.empty else round(float(teaching["planning_minutes_per_week"].min()), 1)


def _section_duty(result: Result) -> pd.DataFrame:
    """(section_id, course_id, staff_id, co): one row per adult in a section, co True for the co-teacher."""
    secs = result.sections.drop_duplicates("section_id")
    own = pd.DataFrame({"section_id": secs["section_id"].astype(str), "course_id": secs["course_id"].astype(str),
                        "staff_id": secs["staff_id"].astype(str), "co": False})
    if "co_staff_id" not in secs.columns:
        return own
    co_id = secs["co_staff_id"].astype(str).str.strip().mask(secs["co_staff_id"].isna(), "")
    co = own.assign(staff_id=co_id.to_numpy(), co=True)[co_id.to_numpy() != ""]
    return pd.concat([own, co], ignore_index=True)


def _led_sessions(result: Result) -> pd.DataFrame:
    """Group sessions with their leader: staff_id, day, period (and term when written)."""
    sessions = result.group_sessions.astype({"group_id": str})
    return sessions.merge(result.groups[["group_id", "staff_id"]].astype(str), on="group_id")


def _longest_runs(held: pd.DataFrame, led: pd.DataFrame, cal) -> pd.Series:
    """staff_id -> the most consecutive periods she teaches (a section or a group) on one day of one term."""
    sessions = session_slots(led, cal) if len(led) else pd.DataFrame(columns=["staff_id", *SLOT])
    slots = pd.concat([held[["staff_id", *SLOT]], sessions[["staff_id", *SLOT]]], ignore_index=True)
    slots = slots.astype({"staff_id": str}).dropna()
    if slots.empty:
        return pd.Series(dtype=int)
    slots = slots.astype({"day": int, "period": int}).drop_duplicates().sort_values(["staff_id", *SLOT])
    day = ["staff_id", "term", "day"]
    slots["run"] = slots["period"] - slots.groupby(day).cumcount()   # constant along consecutive periods
    return slots.groupby([*day, "run"]).size().groupby(level="staff_id").max()


def reports_teacher_load(scenario: Scenario) -> bool:
    """teacher_load.csv is written for a design that co-teaches, uses SPEC §4's calendar or gives teachers
    soft limits (whose misses it lists): a plain-week school that uses none keeps exactly the result files it
    had before."""
    from workbench.plan.coteach import uses_coteaching
    from workbench.scenario.calendar import uses_calendar

    return uses_coteaching(scenario) or uses_calendar(scenario) or uses_soft_limits(scenario)
