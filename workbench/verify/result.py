"""What a plan is: the tables of a result folder (SPEC §2) and `Result`, which holds them. Planning makes
one, goal evaluation reads one, `workbench.verify.schedule` and `workbench.results` check it, and
`workbench.results` writes, reads and exports them. It sits below planning so that the checker's schedule
rules, which the schedule step runs on its own passes, can read it without importing planning."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

# SPEC §2: file stem -> columns, in order.
RESULT_TABLES: dict[str, list[str]] = {
    "sections": ["section_id", "course_id", "staff_id", "room_id", "period"],
    "enrollments": ["student_id", "section_id"],
    "groups": ["group_id", "staff_id", "subject"],
    "group_sessions": ["group_id", "day", "period", "minutes"],
    "group_members": ["group_id", "student_id"],
    "staffing": ["staff_id", "role", "new_hire", "annual_cost", "leader_id", "subjects", "effectiveness"],
    "student_supports": ["student_id", "support", "cost"],
    "budget": ["kind", "category", "item", "amount"],
    "student_goals": ["student_id", "goal", "subject", "target", "provided", "met", "reason"],
}
# SPEC §4: optional result columns, written only by a design that uses the calendar (blank = every term/day) or
# co-teaches
OPTIONAL_RESULT_COLUMNS: dict[str, list[str]] = {
    "sections": ["term", "day_type", "co_staff_id"],
    "group_sessions": ["term"],
    "student_goals": ["co_taught"],   # issue 14: a design that co-teaches says who sits in a co-taught section
}

def empty_table(name: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in RESULT_TABLES[name]})


@dataclass
class Result:
    """The tables of SPEC §2 plus summary.json; `extra` holds further tables written as `<name>.csv`
    (per-student revenue, the unserved-tutoring report, the three-year budget...)."""

    sections: pd.DataFrame = field(default_factory=lambda: empty_table("sections"))
    enrollments: pd.DataFrame = field(default_factory=lambda: empty_table("enrollments"))
    groups: pd.DataFrame = field(default_factory=lambda: empty_table("groups"))
    group_sessions: pd.DataFrame = field(default_factory=lambda: empty_table("group_sessions"))
    group_members: pd.DataFrame = field(default_factory=lambda: empty_table("group_members"))
    staffing: pd.DataFrame = field(default_factory=lambda: empty_table("staffing"))
    student_supports: pd.DataFrame = field(default_factory=lambda: empty_table("student_supports"))
    budget: pd.DataFrame = field(default_factory=lambda: empty_table("budget"))
    student_goals: pd.DataFrame = field(default_factory=lambda: empty_table("student_goals"))
    summary: dict = field(default_factory=dict)
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)
    path: Path | None = None
    # table name -> (the table as read, the file line of each of its rows by index label): see `line_numbers`
    lines: dict[str, tuple[pd.DataFrame, pd.Series]] = field(default_factory=dict, repr=False, compare=False)

    def table(self, name: str) -> pd.DataFrame:
        return getattr(self, name)

    def line_numbers(self, name: str) -> pd.Series | None:
        """The line of each row of table `name` (a SPEC §2 table or an `extra` one) in the file it was read from,
        by the row's index label (the header is line 1), so the checker can name `sections.csv:7:period`. None
        when the table was not read from a file, or was replaced since (rows edited in place keep their lines)."""
        read = self.lines.get(name)
        table = getattr(self, name) if name in RESULT_TABLES else self.extra.get(name)
        return read[1] if read is not None and read[0] is table else None
