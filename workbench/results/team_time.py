"""The checker's proof of SPEC §4 rule 13, team planning time: every leader's team shares at least
`team_planning_periods` periods free for all of them (no section as teacher or co-teacher, no group session,
not an intervention period) on every day of every term.

Kept apart from `workbench.results.check` so that module stays the reader of the result's tables and this one
a pure judgement on them: who is busy when (slots), the staffing table and the roles' wishes. It shares no
code with the planning step that chose the periods (`workbench.plan.teams`)."""

from __future__ import annotations

import pandas as pd

from workbench.scenario.calendar import Calendar


def wanted_planning_periods(roles: pd.DataFrame) -> dict[str, int]:
    """role -> common planning periods a day (roles.csv team_planning_periods above 0)."""
    if "team_planning_periods" not in roles.columns:
        return {}
    wanted = pd.to_numeric(roles["team_planning_periods"], errors="coerce").fillna(0)
    return {str(r).strip(): int(n) for r, n in zip(roles["role"], wanted, strict=True) if n > 0}


def team_time_short(roles: pd.DataFrame, staffing: pd.DataFrame, busy: pd.DataFrame,
                    calendar: Calendar) -> list[str]:
    """One sentence per team short of common planning time, e.g. "the team of L01 (L01, T02, T03) has no
    common free period (needs 1) (days 1, 3)". `roles`: roles.csv; `staffing`: staffing.csv as strings
    (staff_id, role, leader_id); `busy`: (staff_id, term, day, period) of every section taught or co-taught
    and every group session led. A team short on every day of the cycle is said without the days."""
    need = wanted_planning_periods(roles)
    if not need:
        return []
    open_periods = [p for p in calendar.periods if p not in set(calendar.intervention_periods)]
    every = calendar.slots()
    every = every[every["period"].isin(open_periods)]
    out = []
    for leader_id, role in zip(staffing["staff_id"], staffing["role"], strict=True):
        if role not in need:
            continue
        team = [leader_id, *sorted(staffing.loc[staffing["leader_id"] == leader_id, "staff_id"])]
        taken = busy.loc[busy["staff_id"].isin(team), ["term", "day", "period"]].drop_duplicates()
        free = every.merge(taken.assign(taken=True), on=["term", "day", "period"], how="left")
        free = free[free["taken"].isna()].groupby(["term", "day"]).size()
        days = every[["term", "day"]].drop_duplicates()
        counts = days.join(free.rename("free"), on=["term", "day"]).fillna({"free": 0})
        short = counts[counts["free"] < need[role]]
        if short.empty:
            continue
        fewest = int(short["free"].min())
        has = "no common free period" if fewest == 0 else \
            f"only {fewest} common free period{'s' if fewest > 1 else ''}"
        out.append(f"the team of {leader_id} ({', '.join(team)}) has {has} (needs {need[role]})"
                   f"{calendar.describe(zip(short['term'], short['day'], strict=True))}")
    return out
