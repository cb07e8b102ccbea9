"""Team planning time (SPEC §4 rule 13): the periods each leader's team keeps free together, every day.

Why a step of its own, between staffing and the schedule: teams are formed by the staffing step, and the
schedule, the co-teachers and the small groups must leave the team's common periods alone. Rather than teach
each of them a new rule, the chosen periods are written into the members' `unavailable_periods` in the copy of
the staffing table those steps see (`protected`): every one of them already keeps clear of a teacher's
unavailable periods, on a plain week and on a calendar alike (the calendar fit copies unavailable periods to
every term and day type). The staffing table of the result is never changed.

Which periods: teams are taken in leader order, and each takes the teaching periods open to every member (no
intervention period, no period a member is away, no period a member has a section pinned to) where the fewest
teachers of the members' subjects are already held back, so the school keeps teachers of every subject in
every period. When a team has too few open periods, `choose_team_periods` says so before the schedule, naming
the leader, the members and each period's reason.

A scenario whose roles ask for no planning time (`team_planning_periods` 0 or left out) meets none of this:
`uses_team_planning` is False and every function here returns its input or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.errors import InfeasibleDesign
from workbench.scenario.model import Scenario
from workbench.scenario.schema import split_list

COLUMNS = ["leader_id", "staff_id", "periods"]   # team_planning.csv: one row per team member, leader first


def planning_periods_by_role(scenario: Scenario) -> dict[str, int]:
    """role -> common planning periods a day its holders' teams need (roles.csv team_planning_periods), for
    the roles that ask for any."""
    roles = scenario.roles
    if "team_planning_periods" not in roles.columns:
        return {}
    wanted = pd.to_numeric(roles["team_planning_periods"], errors="coerce").fillna(0).astype(int)
    return {str(r): int(n) for r, n in zip(roles["role"], wanted, strict=True) if n > 0}


def uses_team_planning(scenario: Scenario) -> bool:
    """True when some role asks its teams for common planning periods."""
    return bool(planning_periods_by_role(scenario))


@dataclass(frozen=True)
class Team:
    """A leader (`leader_id`, in a role asking `need` periods a day) and the staff naming her as leader."""

    leader_id: str
    members: tuple[str, ...]
    need: int

    @property
    def everyone(self) -> tuple[str, ...]:
        return (self.leader_id, *self.members)


def teams_of(scenario: Scenario, staffing: pd.DataFrame) -> list[Team]:
    """The teams owed planning time in a staffing table (staff_id, role, leader_id), in leader order; a leader
    with nobody on her team still keeps her own periods."""
    need = planning_periods_by_role(scenario)
    if not need:
        return []
    ids = staffing["staff_id"].astype(str)
    roles = staffing["role"].astype(str)
    leader_of = staffing["leader_id"].fillna("").astype(str).str.strip()
    return [Team(lid, tuple(sorted(ids[leader_of == lid])), need[role])
            for lid, role in sorted(zip(ids, roles, strict=True)) if role in need]


def _blocked(scenario: Scenario, staffing: pd.DataFrame) -> dict[str, dict[int, str]]:
    """staff_id -> {period: why it cannot be a planning period}: away, or a pinned section."""
    out: dict[str, dict[int, str]] = {}
    for sid, cell in zip(staffing["staff_id"].astype(str), staffing["unavailable_periods"], strict=True):
        for p in split_list(cell):
            if p.isdigit():
                out.setdefault(sid, {})[int(p)] = f"{sid} is unavailable"
    pins = scenario.pins
    if pins is not None and not pins.empty and {"staff_id", "period"} <= set(pins.columns):
        for sid, period, course in zip(pins["staff_id"].fillna("").astype(str), pins["period"],
                                       pins["course_id"].astype(str), strict=True):
            if sid and not pd.isna(period):
                out.setdefault(sid, {}).setdefault(int(period), f"{sid} has {course} pinned")
    return out


def _said(periods: list[int]) -> str:
    return f"period{'s' if len(periods) > 1 else ''} {', '.join(map(str, periods))}"


def _too_few(team: Team, scenario: Scenario, blocked: dict[str, dict[int, str]]) -> str:
    """The sentence for a team with fewer open periods than it needs, each period's reason named."""
    intervention = set(scenario.settings.school.intervention_periods)
    reasons = []
    for p in scenario.periods:
        if p in intervention:
            reasons.append(f"period {p} is an intervention period")
            continue
        why = [blocked[s][p] for s in team.everyone if p in blocked.get(s, {})]
        if why:
            reasons.append(f"in period {p} " + " and ".join(why[:3]) + (" …" if len(why) > 3 else ""))
    open_ = [p for p in scenario.teaching_periods if not any(p in blocked.get(s, {}) for s in team.everyone)]
    who = f" ({', '.join(team.everyone)})" if team.members else ""
    has = "no period is open to them" if not open_ else \
        f"only {_said(open_)} {'is' if len(open_) == 1 else 'are'} open to all of them"
    return (f"The team of {team.leader_id}{who} needs {team.need} common planning period"
            f"{'s' if team.need > 1 else ''} free every day (roles.csv team_planning_periods), but {has}: "
            f"{'; '.join(reasons)}.")


def open_periods(scenario: Scenario, staffing: pd.DataFrame, people) -> list[int]:
    """The teaching periods open to every one of `people` for common planning (none away, none pinned)."""
    blocked = _blocked(scenario, staffing)
    return [p for p in scenario.teaching_periods if not any(p in blocked.get(s, {}) for s in people)]


def choose_team_periods(scenario: Scenario, staffing: pd.DataFrame) -> pd.DataFrame:
    """Each team's common planning periods: DataFrame(leader_id, staff_id, periods), one row per member (the
    leader first), `periods` a ";"-list of real periods of the day. Empty (with those columns) when no role
    asks for planning time. `staffing`: staff_id, role, leader_id, subjects, teaches_sections,
    unavailable_periods (a `StaffingPlan.staffing`). Deterministic.

    Raises `InfeasibleDesign` (phase "teams", rule 13) naming every team that has fewer open periods than it
    needs, with each period's reason (intervention, a member away, a member's pinned section)."""
    teams = teams_of(scenario, staffing)
    if not teams:
        return pd.DataFrame(columns=COLUMNS)
    blocked = _blocked(scenario, staffing)
    subjects = {sid: set(split_list(cell)) for sid, cell in zip(staffing["staff_id"].astype(str),
                                                                staffing["subjects"], strict=True)}
    teaches = staffing[pd.to_numeric(staffing["teaches_sections"], errors="coerce").fillna(0) == 1]
    held: dict[int, list[str]] = {p: [s for s in teaches["staff_id"].astype(str) if p in blocked.get(s, {})]
                                  for p in scenario.teaching_periods}   # teachers already out of each period
    rows, trouble = [], []
    for team in teams:
        open_ = [p for p in scenario.teaching_periods if not any(p in blocked.get(s, {}) for s in team.everyone)]
        if len(open_) < team.need:
            trouble.append(_too_few(team, scenario, blocked))
            continue
        theirs = set().union(*(subjects.get(s, set()) for s in team.everyone))

        def crowding(p: int, theirs=theirs) -> tuple[int, int, int]:
            same = sum(1 for s in held[p] if subjects.get(s, set()) & theirs)
            return same, len(held[p]), p

        chosen = sorted(sorted(open_, key=crowding)[:team.need])
        for p in chosen:
            held[p] += list(team.everyone)
        said = ";".join(map(str, chosen))
        rows += [(team.leader_id, s, said) for s in team.everyone]
    if trouble:
        raise InfeasibleDesign(
            ["Hard rule 13 (team planning time) cannot hold:", *trouble,
             "Free a period for the whole team (move a pin, an unavailable period or a member to another team), "
             "or lower team_planning_periods in roles.csv."], phase="teams", rules=["13"])
    return pd.DataFrame(rows, columns=COLUMNS)


def protected(staffing: pd.DataFrame, chosen: pd.DataFrame) -> pd.DataFrame:
    """The staffing table the schedule, co-teaching and small-group steps see: each team member's planning
    periods added to her `unavailable_periods`. `staffing` itself when nothing is chosen."""
    if chosen.empty:
        return staffing
    extra = chosen.groupby("staff_id")["periods"].agg(lambda cells: {p for c in cells for p in split_list(c)})
    out = staffing.copy()
    cells = []
    for sid, cell in zip(out["staff_id"].astype(str), out["unavailable_periods"], strict=True):
        mine = split_list(cell)
        more = sorted(extra.get(sid, set()) - set(mine), key=int)
        cells.append(";".join([*mine, *more]))
    out["unavailable_periods"] = cells
    return out


def leaders_have_time(scenario: Scenario) -> None:
    """Before staffing: an existing leader (a role asking team planning time) must herself have enough open
    periods. Raises `InfeasibleDesign` naming her and each period's reason; returns None otherwise."""
    need = planning_periods_by_role(scenario)
    if not need:
        return
    staff = scenario.staff.assign(staff_id=scenario.staff["staff_id"].astype(str))
    blocked = _blocked(scenario, staff)
    trouble = [_too_few(Team(sid, (), need[role]), scenario, blocked)
               for sid, role in zip(staff["staff_id"], staff["role"].astype(str), strict=True)
               if role in need and len(open_periods(scenario, staff, [sid])) < need[role]]
    if trouble:
        raise InfeasibleDesign(
            ["Hard rule 13 (team planning time) cannot hold:", *trouble,
             "Free a period for the leader (move a pin or an unavailable period), or lower team_planning_periods "
             "in roles.csv."], phase="teams", rules=["13"])


def held_back(team_planning: pd.DataFrame | None) -> dict[str, set[int]]:
    """staff_id -> the planning periods a result's team_planning.csv keeps free for her (empty when the result
    has no such table): what a later step that re-forms groups (`workbench regroup`) must leave alone."""
    if team_planning is None or team_planning.empty or not set(COLUMNS) <= set(team_planning.columns):
        return {}
    out: dict[str, set[int]] = {}
    for sid, cell in zip(team_planning["staff_id"].astype(str), team_planning["periods"], strict=True):
        out.setdefault(sid, set()).update(int(p) for p in split_list(cell) if p.isdigit())
    return out
