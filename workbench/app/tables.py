"""Pure table shaping for the pages: result tables in, small display tables out. No widgets here, so
notebooks can call the same functions and tests can check them without a browser."""

from __future__ import annotations

import pandas as pd

from workbench.app.safe import md_line
from workbench.plan.funding import revenue_lines
from workbench.results.export import group_table  # noqa: F401 — the Small groups page and the report share it
from workbench.results.io import Result
from workbench.scenario.calendar import meeting_words, rotation_note
from workbench.scenario.model import Scenario


def section_details(scenario: Scenario, result: Result) -> pd.DataFrame:
    """Each section with its course name, subject and size (students enrolled)."""
    sections = result.sections.copy()
    sizes = result.enrollments.groupby("section_id").size().rename("students")
    courses = scenario.courses.set_index("course_id")[["name", "subject", "max_size"]]
    out = sections.join(courses, on="course_id").join(sizes, on="section_id")
    out["students"] = out["students"].fillna(0).astype(int)
    return out


def grid(details: pd.DataFrame, by: str, periods: list[int]) -> pd.DataFrame:
    """A period × teacher (or × room) grid: one row per teacher/room, one column per period; a section that meets
    in one term or on one day type says which ('(A days)'), so two sharing a period read apart."""
    if details.empty:
        return pd.DataFrame(columns=[by] + [f"P{p}" for p in periods])
    other = "room_id" if by == "staff_id" else "staff_id"
    cells = details.assign(cell=details["course_id"].astype(str) + " · " + details[other].astype(str)
                           + " (" + details["students"].astype(str) + ")" + rotation_note(details))
    table = cells.pivot_table(index=by, columns="period", values="cell", aggfunc=" / ".join)
    table = table.reindex(columns=periods).astype(object).fillna("")
    table.columns = [f"P{p}" for p in table.columns]
    return table.reset_index()


def student_timetable(scenario: Scenario, result: Result, student_id: str) -> pd.DataFrame:
    """One student's week: their sections (on the days and terms each meets) and their small-group sessions."""
    details = section_details(scenario, result)
    mine = result.enrollments.loc[result.enrollments["student_id"] == student_id, "section_id"]
    rows = details[details["section_id"].isin(mine)]
    out = pd.DataFrame({"when": meeting_words(rows, scenario.courses), "what": rows["name"],
                        "section": rows["section_id"], "teacher": rows["staff_id"], "room": rows["room_id"],
                        "class size": rows["students"], "period": rows["period"].astype(int), "day": 0})
    groups = result.group_members.loc[result.group_members["student_id"] == student_id, "group_id"]
    sessions = result.group_sessions[result.group_sessions["group_id"].isin(groups)].merge(
        result.groups, on="group_id", how="left")
    if not sessions.empty:
        size = result.group_members.groupby("group_id").size()
        extra = pd.DataFrame({
            "when": "day " + sessions["day"].astype(str) + ", period " + sessions["period"].astype(str),
            "what": sessions["subject"].astype(str) + " small group, " + sessions["minutes"].astype(str) + " min",
            "section": sessions["group_id"], "teacher": sessions["staff_id"], "room": "",
            "class size": sessions["group_id"].map(size).fillna(0).astype(int),
            "period": sessions["period"].astype(int), "day": sessions["day"].astype(int)})
        out = pd.concat([out, extra], ignore_index=True)
    return out.sort_values(["period", "day"]).drop(columns=["period", "day"]).reset_index(drop=True)


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


def student_needs(scenario: Scenario, student_id: str) -> str:
    """One line of Markdown about a student; the ID and levels come from a scenario file, so they are
    escaped (`md_line`): an ID written as `<img onerror=…>` is shown as written."""
    row = scenario.students.loc[scenario.students["student_id"] == student_id]
    if row.empty:
        return f"{md_line(student_id)} is not in this scenario."
    r = row.iloc[0]
    needs = [label for flag, label in (("ell", "English learner"), ("iep", "IEP"), ("frl", "low income"))
             if int(r[flag])]
    return (f"**{md_line(student_id)}**, grade {int(r['grade'])}; math level {r['math_level']}, reading level "
            f"{r['reading_level']}" + (f"; {', '.join(needs)}" if needs else ""))


def student_plan(scenario: Scenario, result: Result, student_id: str) -> dict[str, pd.DataFrame]:
    """Everything the design gives one student: timetable, supports, goals (met or not, and why)."""
    return {
        "timetable": student_timetable(scenario, result, student_id),
        "supports": result.student_supports[result.student_supports["student_id"] == student_id],
        "goals": result.student_goals[result.student_goals["student_id"] == student_id],
        "requests": scenario.requests[scenario.requests["student_id"] == student_id],
    }


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
