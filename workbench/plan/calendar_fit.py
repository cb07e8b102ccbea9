"""Putting a plain-week schedule onto the school's calendar (SPEC §4): each section's term and day type.

Why a pass after the period assignment: the schedule step places sections as if each met at its period on
every day of every term, so no two sections that share a teacher, a room or a student share a period. Any
choice of term and day type then only frees slots, so every hard rule still holds: this pass is sound, if not
yet thrifty (an A/B school gets no second course in a period from it). It spreads each teacher's and each
course's sections evenly over the terms and day types.

What it cannot do yet, it refuses before the solve in plain words (`not_planned_yet`): double periods and
lunch waves need the period assignment and the student placement to know them.
"""

from __future__ import annotations

import pandas as pd

from workbench.scenario.calendar import EVERY_DAY, ONE_DAY_TYPE, TERM, calendar_of, course_timing, uses_calendar
from workbench.scenario.model import Scenario


def not_planned_yet(scenario: Scenario) -> list[str]:
    """Sentences naming the calendar features this release checks but cannot plan yet (empty: all plannable)."""
    if not uses_calendar(scenario):
        return []
    problems = []
    timing = course_timing(scenario.courses)
    doubles = sorted(timing.index[timing["length"] > 1])
    if doubles:
        problems.append(f"Double periods ({', '.join(doubles[:5])}{' …' if len(doubles) > 5 else ''}) are "
                        "checked by `workbench check` but not yet planned by `solve`: set periods_per_meeting "
                        "to 1 in courses.csv for now.")
    if scenario.settings.school.lunch is not None:
        problems.append("Lunch waves (school.lunch) are checked by `workbench check` but not yet planned by "
                        "`solve`: leave school.lunch out of scenario.yaml for now.")
    return problems


def _balanced(frame: pd.DataFrame, choices: list[str]) -> pd.Series:
    """A choice for each section (in the frame's order): the one where its teacher has the fewest sections so
    far, then its course, then the school; ties go to the earlier choice. Keeps each teacher's and each
    course's load even across terms (or day types), so no term is left empty."""
    load: dict[tuple, int] = {}
    picked = []
    for staff_id, course_id in zip(frame["staff_id"].astype(str), frame["course_id"].astype(str), strict=True):
        best = min(choices, key=lambda c: (load.get(("staff", staff_id, c), 0), load.get(("course", course_id, c), 0),
                                           load.get(("all", c), 0), choices.index(c)))
        for key in (("staff", staff_id, best), ("course", course_id, best), ("all", best)):
            load[key] = load.get(key, 0) + 1
        picked.append(best)
    return pd.Series(picked, index=frame.index, dtype=object)


def place_in_calendar(scenario: Scenario, sections: pd.DataFrame) -> pd.DataFrame:
    """`sections` (section_id, course_id, ...) with `term` and `day_type` columns added for a scenario that
    uses the calendar; returned unchanged (no new column) for a plain week. Blank cells mean every term and
    every day; a term course's sections get one term each, a one_day_type course's one day type each (both
    balanced per teacher, then per course), a course meeting on a named day type that day type. Deterministic:
    sections are taken in section_id order."""
    if not uses_calendar(scenario):
        return sections
    cal = calendar_of(scenario)
    timing = course_timing(scenario.courses)
    out = sections.copy()
    order = out.sort_values("section_id", kind="stable")
    course = order["course_id"].astype(str)
    term_length = course.map(timing["term_length"]).fillna("")
    meets = course.map(timing["meets"]).fillna(EVERY_DAY)
    terms = pd.Series("", index=order.index, dtype=object)
    if len(cal.terms) > 1:
        by_term = order[term_length == TERM]
        terms.loc[by_term.index] = _balanced(by_term, list(cal.terms))
    day_types = pd.Series("", index=order.index, dtype=object)
    types = list(cal.types)
    if len(types) > 1:
        alternate = order[meets == ONE_DAY_TYPE]
        day_types.loc[alternate.index] = _balanced(alternate, types)
    named = ~meets.isin([EVERY_DAY, ONE_DAY_TYPE])
    day_types.loc[named[named].index] = meets[named]
    out["term"] = terms.reindex(out.index)
    out["day_type"] = day_types.reindex(out.index)
    return out
