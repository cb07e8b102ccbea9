"""A short description of a valid scenario, printed by `workbench validate`, and the warnings a scheduler
wants before a solve: things that are allowed but cannot all be met."""

from __future__ import annotations

import pandas as pd

from workbench.plan.funding import total_revenue
from workbench.scenario.model import Scenario


def overloaded_students(scenario: Scenario) -> pd.DataFrame:
    """Students who request more courses than the day has teaching periods (a section meets in one period
    every day, so at most one course a period can be placed). Columns: student_id, required, electives
    (priority 1 and 2 requests), periods (teaching periods a day). Sorted by student_id."""
    periods = len(scenario.teaching_periods)
    requests = scenario.requests[scenario.requests["priority"].astype(int) < 3]
    counts = (requests.assign(required=requests["priority"].astype(int) == 1,
                              electives=requests["priority"].astype(int) == 2)
              .groupby("student_id", sort=True)[["required", "electives"]].sum().astype(int).reset_index())
    counts["periods"] = periods
    return counts[counts["required"] + counts["electives"] > periods].reset_index(drop=True)


def overload_sentence(row) -> str:
    """Why some of an overloaded student's requests cannot all be placed, in a counsellor's words."""
    asked = f"{row.required} required course{'s' if row.required != 1 else ''}"
    if row.electives:
        asked += f" and {row.electives} elective{'s' if row.electives != 1 else ''}"
    return (f"the student requested {asked} but the day has only {row.periods} teaching periods, "
            f"so at most {row.periods} can be placed")


def warnings(scenario: Scenario) -> list[str]:
    """Allowed, but not every request can be met: one line per student, before any solve."""
    return [f"{row.student_id}: {overload_sentence(row)}" for row in overloaded_students(scenario).itertuples()]


def describe(scenario: Scenario) -> str:
    school = scenario.settings.school
    s = scenario
    lines = [
        f"{s.name}: valid",
        f"  students  {len(s.students):>6}  (grades {', '.join(map(str, school.grades))}; "
        f"{int(s.students['ell'].sum())} English learners, {int(s.students['iep'].sum())} with IEPs, "
        f"{int(s.students['frl'].sum())} low income)",
        f"  courses   {len(s.courses):>6}",
        f"  requests  {len(s.requests):>6}  ({int((s.requests['priority'] == 1).sum())} required)",
        f"  staff     {len(s.staff):>6}  ({len(s.roles)} roles in the catalogue)",
        f"  rooms     {len(s.rooms):>6}",
        f"  goals     {len(s.goals):>6}",
        f"  schedule  {school.days} days × {school.periods_per_day} periods of {school.minutes_per_period} min"
        + (f"; intervention period(s) {', '.join(map(str, school.intervention_periods))}"
           if school.intervention_periods else ""),
        f"  revenue   ${total_revenue(s):,.0f} a year",
    ]
    warned = warnings(scenario)
    if warned:
        lines.append(f"  warnings  {len(warned):>6}  (valid, but these requests cannot all be placed)")
        lines += [f"    {line}" for line in warned[:20]]
        if len(warned) > 20:
            lines.append(f"    … and {len(warned) - 20} more students")
    return "\n".join(lines)
