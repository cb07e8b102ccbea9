"""Plain words for what a design shows (issue 18): column labels a school leader reads ("English learner",
not `ell`), the requests-placed figure with the alternates that met unplaced requests said aloud, and a
refusal reworded for the app. The app, the reports and the notebooks use these, so one thing has one name.
"""

from __future__ import annotations

import re
import string

import pandas as pd

from workbench.goals.evaluate import placed_requests
from workbench.scenario.model import Scenario
from workbench.verify.result import Result

TABLE_LABELS = {"students": "Students", "courses": "Courses", "requests": "Course requests", "staff": "Staff",
                "roles": "Roles", "supports": "Supports", "goals": "Goals", "rooms": "Rooms"}

COLUMN_LABELS = {
    "student_id": "Student", "staff_id": "Staff member", "room_id": "Room", "course_id": "Course",
    "section_id": "Section", "group_id": "Group", "leader_id": "Led by", "ell": "English learner", "iep": "IEP",
    "frl": "Low income", "below_grade_math": "Below grade in math", "below_grade_reading": "Below grade in reading",
    "math_level": "Math level", "reading_level": "Reading level", "grade": "Grade", "name": "Name",
    "subject": "Subject", "max_size": "Largest class", "priority": "Priority", "alternate_for": "Alternate for",
    "role": "Role", "annual_cost": "Annual cost ($)", "new_hire": "New hire", "fte": "FTE", "reach": "Reach",
    "cost_per_student": "Cost a student ($)", "capacity": "Capacity", "recurring": "Every year",
    "description": "Description", "goal": "Goal", "target": "Target", "met": "Met", "provided": "Provided",
    "reason": "Why not met", "period": "Period", "day": "Day", "minutes": "Minutes", "kind": "Kind",
    "category": "Category", "item": "Line", "amount": "Amount ($)", "year": "Year", "revenue": "Revenue ($)",
    "expenses": "Expenses ($)", "balance": "Balance ($)", "revenue_recurring": "Recurring revenue ($)",
    "revenue_one_time": "One-time revenue ($)", "expense_recurring": "Recurring expenses ($)",
    "expense_one_time": "One-time expenses ($)", "cost": "Cost ($)", "support": "Support", "people": "People",
    "students": "Students", "members": "Members", "sessions": "Sessions", "minutes_per_week": "Minutes a week",
    "meets": "Meets", "team": "Team", "teachers": "Teachers", "students_reached": "Students reached",
    "leader_role": "Leader's role", "part": "Revenue from", "unavailable_periods": "Unavailable periods",
    "strength": "Strength", "subjects": "Subjects", "remedy": "What would help",
    "sections": "Sections", "co_taught_sections": "Co-taught", "preps": "Preps", "longest_run_periods": "Longest run",
    "planning_minutes_per_week": "Planning (min a week)", "max_preps": "Most preps wanted",
    "max_consecutive": "Longest run wanted", "preps_over": "Preps over", "run_over": "Run over",
    "co_taught": "Co-taught section", "co-teacher": "Co-teacher",
}


# CommonMark lets a backslash escape any ASCII punctuation, and an escaped character is always literal:
# no tag, entity, link, emphasis, code span, heading, list or table can start from it.
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")


def md_text(value: object) -> str:
    """A user's text as Markdown that renders as exactly that text (one paragraph per paragraph). Here, not
    in the app, so that a sentence about a student reads the same, and as safely, in a notebook.

    Lines are stripped because a line indented four spaces would start a code block, where a backslash is
    shown rather than read as an escape."""
    lines = str(value).splitlines() or [""]
    return "\n".join(_PUNCTUATION.sub(r"\\\1", line.strip()) for line in lines)


def md_line(value: object) -> str:
    """A user's text (or a message quoting one) as one line of Markdown, for a list item or a heading."""
    return md_text(" ".join(str(value).split()))


def plain(column: object) -> str:
    """A column's label in plain words: a known name from COLUMN_LABELS, else `max_class` -> `Max class`."""
    name = str(column)
    if name in COLUMN_LABELS:
        return COLUMN_LABELS[name]
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]


def alternates_used(scenario: Scenario, result: Result) -> tuple[float, int]:
    """(requests placed %, unplaced electives met by a placed alternate): the percentage as summary.json's
    requests_fulfilled_pct counts it (an alternate placed stands for an unplaced elective of the same
    student), and how many of the placed requests are such alternates."""
    req = placed_requests(scenario, result)
    flags = req.assign(p2_missed=(req["priority"] == 2) & ~req["placed"],
                       p3_placed=(req["priority"] == 3) & req["placed"])
    per = flags.groupby("student_id")[["p2_missed", "p3_placed"]].sum()
    by_alternate = int(pd.concat([per["p2_missed"], per["p3_placed"]], axis=1).min(axis=1).sum())
    p1 = req[req["priority"] == 1]
    p2 = req[req["priority"] == 2]
    wanted = len(p1) + len(p2)
    placed = int(p1["placed"].sum()) + int(p2["placed"].sum()) + by_alternate
    return (round(100.0 * placed / wanted, 2) if wanted else 100.0), by_alternate


def percent(value: float) -> str:
    """`100%`, `97.3%`: whole numbers without a decimal."""
    return f"{value:.0f}%" if abs(value - round(value)) < 0.05 else f"{value:.1f}%"


def requests_placed_text(scenario: Scenario, result: Result) -> str:
    """`100% (7 met by an alternate)`, or `98.5%` when no alternate stands in for a request."""
    pct, by_alternate = alternates_used(scenario, result)
    return percent(pct) + (f" ({by_alternate} met by an alternate)" if by_alternate else "")


def plain_reason(text: str) -> str:
    """A refusal as the app's reader acts on it: the setting named by its label on the Scenario page."""
    return (str(text).replace("set funding.allow_deficit: true",
                              "tick \u201cAllow a deficit\u201d under Settings on the Scenario page")
            .replace("funding.allow_deficit", "\u201cAllow a deficit\u201d"))
