"""The checker's proof of SPEC §4 rule 13, team planning time: every leader's team shares at least
`team_planning_periods` periods free for all of them (no section as teacher or co-teacher, no group session,
not an intervention period) on every day of every term.

Kept apart from `workbench.results.check` so that module stays the reader of the result's tables and this one
a pure judgement on them: who is busy when (slots), the staffing table and the roles' wishes. It shares no
code with the planning step that chose the periods (`workbench.plan.teams`). The periods the result says it
kept (team_planning.csv) are judged too (`planning_table_wrong`): a period a member is unavailable counts as
free, as rule 13 says (the planner never picks one, but a period the member is away is no duty)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd

from workbench.scenario.calendar import Calendar
from workbench.scenario.schema import split_list


def wanted_planning_periods(roles: pd.DataFrame) -> dict[str, int]:
    """role -> common planning periods a day (roles.csv team_planning_periods above 0)."""
    if "team_planning_periods" not in roles.columns:
        return {}
    wanted = pd.to_numeric(roles["team_planning_periods"], errors="coerce").fillna(0)
    return {str(r).strip(): int(n) for r, n in zip(roles["role"], wanted, strict=True) if n > 0}


def teams(roles: pd.DataFrame, staffing: pd.DataFrame) -> dict[str, tuple[list[str], int]]:
    """leader_id -> (the team as the staffing table forms it: the leader, then every staff member naming her as
    leader_id, sorted; the planning periods a day her role asks), for every leader whose role asks any."""
    need = wanted_planning_periods(roles)
    return {leader_id: ([leader_id, *sorted(staffing.loc[staffing["leader_id"] == leader_id, "staff_id"])],
                        need[role])
            for leader_id, role in zip(staffing["staff_id"], staffing["role"], strict=True) if role in need}


def short_teams(roles: pd.DataFrame, staffing: pd.DataFrame, busy: pd.DataFrame,
                calendar: Calendar) -> dict[str, str]:
    """leader_id -> one sentence for each team short of common planning time, e.g. "the team of L01 (L01, T02,
    T03) has no common free period (needs 1) (days 1, 3)". `roles`: roles.csv; `staffing`: staffing.csv as
    strings (staff_id, role, leader_id); `busy`: (staff_id, term, day, period) of every section taught or
    co-taught and every group session led. A team short on every day of the cycle is said without the days."""
    open_periods = [p for p in calendar.periods if p not in set(calendar.intervention_periods)]
    every = calendar.slots()
    every = every[every["period"].isin(open_periods)]
    out = {}
    for leader_id, (team, need) in teams(roles, staffing).items():
        taken = busy.loc[busy["staff_id"].isin(team), ["term", "day", "period"]].drop_duplicates()
        free = every.merge(taken.assign(taken=True), on=["term", "day", "period"], how="left")
        free = free[free["taken"].isna()].groupby(["term", "day"]).size()
        days = every[["term", "day"]].drop_duplicates()
        counts = days.join(free.rename("free"), on=["term", "day"]).fillna({"free": 0})
        short = counts[counts["free"] < need]
        if short.empty:
            continue
        fewest = int(short["free"].min())
        has = "no common free period" if fewest == 0 else \
            f"only {fewest} common free period{'s' if fewest > 1 else ''}"
        out[leader_id] = (f"the team of {leader_id} ({', '.join(team)}) has {has} (needs {need})"
                          f"{calendar.describe(zip(short['term'], short['day'], strict=True))}")
    return out


def planning_table_wrong(roles: pd.DataFrame, staffing: pd.DataFrame, busy: pd.DataFrame, calendar: Calendar,
                         planning: pd.DataFrame | None, where: Callable[[object, str], str],
                         short: Iterable[str] = ()) -> list[tuple[str, str]]:
    """What is wrong with a result's team_planning.csv (leader_id, staff_id, periods: each team's common planning
    periods, one row per member), as (where, message) pairs, `where` being `where(row label, column)`
    ("team_planning.csv:3:periods", or "" for a table built in memory, the message then naming the file).

    Judged only when some role asks for team time: the table is there (`planning` None: it is missing); each of
    its periods is a period of the day outside intervention, and a row names as many as the role asks; each team
    of `teams` is there whole, and nobody else; and every period it names is free for every member on every day
    of every term (SPEC §4 rule 13: no section taught or co-taught, no group led; a period a member is away
    counts as free). `busy`: (staff_id, term, day, period, what), `what` saying the duty ("teaches ART-01").
    A problem of a team's periods is said once, at the first row naming the period. Teams in `short` (leaders
    already said to be short of time, `short_teams`) are not judged duty by duty again: their periods cannot all
    be free."""
    formed = teams(roles, staffing)
    if not formed:
        return []
    if planning is None:
        return [("", "team_planning.csv is missing, but roles.csv asks for team planning time "
                     "(team_planning_periods): the result must say each team's common planning periods")]
    out: list[tuple[str, str]] = []

    def say(label, column: str, text: str) -> None:
        spot = where(label, column)
        out.append((spot, text) if spot else ("", f"team_planning.csv: {text}"))

    day = calendar.periods
    intervention = set(calendar.intervention_periods)
    seen: set[tuple[str, str]] = set()
    named: dict[str, dict[int, object]] = {}   # leader -> period -> the first row naming it
    for label, leader_id, staff_id, cell in zip(planning.index, planning["leader_id"], planning["staff_id"],
                                                planning["periods"], strict=True):
        if leader_id not in formed:
            say(label, "leader_id", f"{leader_id or 'a blank leader_id'} leads no team owed planning time in "
                                    "staffing.csv")
            continue
        team, need = formed[leader_id]
        if staff_id not in team:
            say(label, "staff_id", f"{staff_id or 'a blank staff_id'} is not on the team of {leader_id} in "
                                   "staffing.csv")
            continue
        if (leader_id, staff_id) in seen:
            say(label, "staff_id", f"{staff_id} is listed again on the team of {leader_id}")
            continue
        seen.add((leader_id, staff_id))
        periods, sound = [], True
        for item in split_list(cell):
            if not (item.isascii() and item.isdigit()) or int(item) not in day:
                say(label, "periods", f"{item!r} is not a period of the day (1 to {len(day)})")
                sound = False
            elif int(item) not in periods:
                periods.append(int(item))
        if sound and len(periods) < need:
            say(label, "periods", f"{len(periods)} planning period{'' if len(periods) == 1 else 's'} for "
                                  f"{staff_id}; the team of {leader_id} needs {need} (roles.csv team_planning_periods)")
        for p in periods:
            named.setdefault(leader_id, {}).setdefault(p, label)
    for leader_id, (team, _) in formed.items():
        left_out = [s for s in team if (leader_id, s) not in seen]
        if left_out:
            out.append(("", f"team_planning.csv leaves out {', '.join(left_out)} of the team of {leader_id} "
                            f"({', '.join(team)}) in staffing.csv"))
    skip = set(short)
    for leader_id, periods in named.items():
        team = formed[leader_id][0]
        for p, label in sorted(periods.items()):
            if p in intervention:
                say(label, "periods", f"the team of {leader_id} plans in period {p}, an intervention period")
                continue
            if leader_id in skip:
                continue
            taken = busy[busy["staff_id"].isin(team) & (busy["period"] == p)]
            if taken.empty:
                continue
            duties = list(dict.fromkeys(f"{r.staff_id} {r.what}" for r in taken.itertuples()))
            said = ", ".join(duties[:3]) + (f" and {len(duties) - 3} more" if len(duties) > 3 else "")
            say(label, "periods", f"the team of {leader_id} plans in period {p}, but then {said}"
                                  f"{calendar.describe(zip(taken['term'], taken['day'], strict=True))}")
    return out
