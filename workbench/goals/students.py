"""One student's plan as a family reads it: their week, the supports funded for them, their goals (met or not,
and why) and their course requests. The app's Students and Schedule pages and the notebooks show these same
tables, so a student's plan is put together in one place, from the result tables alone."""

from __future__ import annotations

import pandas as pd

from workbench.goals.evaluate import co_taught_words
from workbench.goals.words import md_line
from workbench.plan.result import Result
from workbench.scenario.calendar import meeting_words
from workbench.scenario.model import Scenario


def section_details(scenario: Scenario, result: Result) -> pd.DataFrame:
    """Each section of the result (one row a section, result.sections' columns) with its course's name,
    subject and max_size, and `students`: how many students it enrolls (0 for an empty section)."""
    sections = result.sections.copy()
    sizes = result.enrollments.groupby("section_id").size().rename("students")
    courses = scenario.courses.set_index("course_id")[["name", "subject", "max_size"]]
    out = sections.join(courses, on="course_id").join(sizes, on="section_id")
    out["students"] = out["students"].fillna(0).astype(int)
    return out


def student_timetable(scenario: Scenario, result: Result, student_id: str) -> pd.DataFrame:
    """One student's week, in time order: their sections (on the days and terms each meets, from the one time
    model, `scenario.calendar`) and their small-group sessions, one row
    each (when, what, section, teacher, room, class size). A design that co-teaches adds `co-teacher`: the
    section's second adult, blank for a section without one and for a group. A student with no plan gets an
    empty table."""
    details = section_details(scenario, result)
    mine = result.enrollments.loc[result.enrollments["student_id"] == student_id, "section_id"]
    rows = details[details["section_id"].isin(mine)]
    out = pd.DataFrame({"when": meeting_words(rows, scenario.courses), "what": rows["name"],
                        "section": rows["section_id"], "teacher": rows["staff_id"], "room": rows["room_id"],
                        "class size": rows["students"], "period": rows["period"].astype(int), "day": 0})
    co_teaching = "co_staff_id" in details.columns
    if co_teaching:
        out.insert(4, "co-teacher", rows["co_staff_id"].fillna("").astype(str))
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
        if co_teaching:
            extra.insert(4, "co-teacher", "")
        out = pd.concat([out, extra], ignore_index=True)
    return out.sort_values(["period", "day"]).drop(columns=["period", "day"]).reset_index(drop=True)


def student_needs(scenario: Scenario, student_id: str) -> str:
    """One line of Markdown about a student: ID, grade, levels and needs. The ID and levels come from a
    scenario file, so the ID is escaped (`md_line`): an ID written as `<img onerror=…>` is shown as written.
    An ID the scenario does not hold gives a line saying so."""
    row = scenario.students.loc[scenario.students["student_id"] == student_id]
    if row.empty:
        return f"{md_line(student_id)} is not in this scenario."
    r = row.iloc[0]
    needs = [label for flag, label in (("ell", "English learner"), ("iep", "IEP"), ("frl", "low income"))
             if int(r[flag])]
    return (f"**{md_line(student_id)}**, grade {int(r['grade'])}; math level {r['math_level']}, reading level "
            f"{r['reading_level']}" + (f"; {', '.join(needs)}" if needs else ""))


def student_co_taught(result: Result, student_id: str) -> str:
    """Where a student sits with two adults ("in a co-taught section (M6, with T05)"), or "" when she sits in
    no co-taught section or the design co-teaches nothing. Plain text: escape it before Markdown."""
    return str(co_taught_words(result).get(str(student_id), ""))


def student_plan(scenario: Scenario, result: Result, student_id: str) -> dict[str, pd.DataFrame]:
    """Everything the design gives one student, as four tables: "timetable" (`student_timetable`),
    "supports" and "goals" (their rows of result.student_supports and result.student_goals: met or not, and
    why) and "requests" (their rows of requests.csv)."""
    return {
        "timetable": student_timetable(scenario, result, student_id),
        "supports": result.student_supports[result.student_supports["student_id"] == student_id],
        "goals": result.student_goals[result.student_goals["student_id"] == student_id],
        "requests": scenario.requests[scenario.requests["student_id"] == student_id],
    }
