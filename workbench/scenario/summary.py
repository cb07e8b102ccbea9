"""A short description of a valid scenario, printed by `workbench validate`."""

from __future__ import annotations

from workbench.plan.funding import total_revenue
from workbench.scenario.model import Scenario


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
    return "\n".join(lines)
