"""Pure table shaping for the pages: result tables in, small display tables out. No widgets here, so
notebooks can call the same functions and tests can check them without a browser. One student's plan
(timetable, needs, goals) is put together in the goals layer, `workbench.goals.students`."""

from __future__ import annotations

import pandas as pd

from workbench.results.export import (
    group_table,  # noqa: F401 — the Small groups page and the report share it
    with_co_teachers,
)
from workbench.scenario.calendar import rotation_note
from workbench.scenario.funding import revenue_lines
from workbench.scenario.model import Scenario
from workbench.verify.result import Result


def grid(details: pd.DataFrame, by: str, periods: list[int]) -> pd.DataFrame:
    """A period × teacher (or × room) grid: one row per teacher/room, one column per period; a section that meets
    in one term or on one day type says which ('(A days)'), so two sharing a period read apart. In the teacher
    grid a co-teacher has her own row and the lead's cell names her (`export.with_co_teachers`)."""
    if details.empty:
        return pd.DataFrame(columns=[by] + [f"P{p}" for p in periods])
    other = "room_id" if by == "staff_id" else "staff_id"
    cells = details.assign(cell=details["course_id"].astype(str) + " · " + details[other].astype(str)
                           + " (" + details["students"].astype(str) + ")" + rotation_note(details))
    if by == "staff_id":
        cells = with_co_teachers(cells)
    table = cells.pivot_table(index=by, columns="period", values="cell", aggfunc=" / ".join)
    table = table.reindex(columns=periods).astype(object).fillna("")
    table.columns = [f"P{p}" for p in table.columns]
    return table.reset_index()


def teams(result: Result) -> pd.DataFrame:
    """Each multi-classroom leader's team: who is on it and how many students the team teaches."""
    staffing = result.staffing
    led = staffing[staffing["leader_id"].fillna("").astype(str) != ""]
    if led.empty:
        return pd.DataFrame(columns=["leader_id", "leader_role", "team", "teachers", "students_reached"])
    by_staff = result.sections.merge(result.enrollments, on="section_id")[["staff_id", "student_id"]]
    rows = []
    roles = staffing.set_index("staff_id")["role"]
    for leader, members in led.groupby("leader_id"):
        ids = set(members["staff_id"]) | {leader}
        reached = by_staff.loc[by_staff["staff_id"].isin(ids), "student_id"].nunique()
        rows.append({"leader_id": leader, "leader_role": roles.get(leader, ""),
                     "team": ", ".join(sorted(members["staff_id"])), "teachers": len(members),
                     "students_reached": reached})
    return pd.DataFrame(rows)


def cost_by_role(result: Result) -> pd.DataFrame:
    staffing = result.staffing.assign(
        kind=result.staffing["new_hire"].astype(int).map({0: "existing", 1: "new hire"}))
    return (staffing.groupby(["role", "kind"], as_index=False)
            .agg(people=("staff_id", "count"), cost=("annual_cost", "sum")))


def revenue_by_need(scenario: Scenario) -> pd.DataFrame:
    """The funding formula's own lines (`funding.revenue_lines`, so the parts add up to the budget's revenue
    to the cent): part (short, plain: "base allocation, grade 6", "English learner weight", "one-time
    grants"), category, amount in dollars."""
    lines = revenue_lines(scenario)
    part = lines["item"].astype(str).str.split(" (", n=1, regex=False).str[0]
    return pd.DataFrame({"part": part, "category": lines["category"], "amount": lines["amount"]})


def rows_matching(frame: pd.DataFrame, text: str) -> pd.DataFrame:
    """The rows of `frame` in which some cell contains `text` (case-insensitive, as plain text, never a
    pattern). Blank text keeps every row. An empty frame, or one no row matches, gives an empty frame with
    the same columns: a search box over a filtered table must never raise because the filter left nothing."""
    text = text.strip().lower()
    if not text or frame.empty:
        return frame
    found = frame.astype(str).apply(lambda column: column.str.lower().str.contains(text, regex=False))
    return frame[found.any(axis=1)]


def goal_rows(goals: pd.DataFrame, show: str = "all", text: str = "") -> pd.DataFrame:
    """The Students page's filter: `show` is "all", "met" or "not met" (goals' `met` column, 1 or 0), then
    `rows_matching(text)`. Any combination, on any goals table (empty too), gives a table with the same
    columns; "not met" on a design that met every goal is an empty table, not an error."""
    if show != "all":
        goals = goals[goals["met"].astype(int) == (1 if show == "met" else 0)]
    return rows_matching(goals, text)
