"""One student's plan as a family reads it: their week, the supports funded for them, their goals (met or not,
and why) and their course requests. The app's Students and Schedule pages and the notebooks show these same
tables, so a student's plan is put together in one place, from the result tables alone."""

from __future__ import annotations

import pandas as pd

from workbench.goals.evaluate import co_taught_words
from workbench.goals.words import md_line
from workbench.scenario.calendar import ALL_DAYS, calendar_of, meeting_words, meetings, session_slots
from workbench.scenario.model import Scenario
from workbench.verify.result import Result


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


def timetable_grid(scenario: Scenario, result: Result, student_id: str) -> pd.DataFrame:
    """One student's timetable as a family pins it up: a row per period of the day (`period`, 1 up), a column
    per day type of each term ("every day" on a plain week; "A days" and "B days" on an A/B rotation; "fall,
    A days" when the year has terms), each cell what she has then: a course's name, or "<subject> small
    group"; a session or section held on only some days of the column says which ("(days 1, 3, 5)"); several
    things in one cell are joined by "; "; a free period is "". Read from the one time model, so a double
    period fills both its rows. A student with no plan gets the grid with every cell empty."""
    cal = calendar_of(scenario)
    enrolled = result.enrollments.loc[result.enrollments["student_id"].astype(str) == student_id, "section_id"]
    sections = result.sections[result.sections["section_id"].astype(str).isin(set(enrolled.astype(str)))]
    catalogue = scenario.courses.astype({"course_id": str}).drop_duplicates("course_id")
    course = sections["course_id"].astype(str)
    what = pd.DataFrame({"section_id": sections["section_id"].astype(str),
                         "what": course.map(catalogue.set_index("course_id")["name"].astype(str)).fillna(course)})
    held = meetings(sections, cal, scenario.courses).merge(what, on="section_id")
    groups = result.group_members.loc[result.group_members["student_id"].astype(str) == student_id, "group_id"]
    sessions = result.group_sessions[result.group_sessions["group_id"].astype(str).isin(set(groups.astype(str)))]
    sessions = sessions.astype({"group_id": str}).merge(result.groups[["group_id", "subject"]].astype(str),
                                                        on="group_id")
    slots = session_slots(sessions, cal).assign(what=lambda f: f["subject"] + " small group")
    both = pd.concat([held[["term", "day", "period", "what"]], slots[["term", "day", "period", "what"]]],
                     ignore_index=True).astype({"day": int, "period": int})
    grid = pd.DataFrame({"period": cal.periods})
    for term in cal.terms:
        for day_type, days in cal.types.items():
            label = "every day" if day_type == ALL_DAYS else f"{day_type} days"
            label = label if len(cal.terms) == 1 else f"{term}, {label}"
            grid[label] = [_cell(both[(both["term"] == term) & (both["period"] == p) & both["day"].isin(days)], days)
                           for p in cal.periods]
    return grid


def _cell(held: pd.DataFrame, days: tuple[int, ...]) -> str:
    """What one grid cell holds: each thing once, with its days when it is not on every day of the column."""
    parts = []
    for what, on in held.groupby("what", sort=False)["day"]:
        mine = sorted(set(on))
        parts.append(what if len(mine) == len(days) else
                     f"{what} (day{'s' if len(mine) > 1 else ''} {', '.join(map(str, mine))})")
    return "; ".join(parts)


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
