"""The Teachers page (issue 14): what the design shown asks of each teacher, sections taught and co-taught,
preps, students, the longest run of teaching without a break and planning time a week, with the soft limits
(`max_preps`, `max_consecutive`) it misses; filtered by role and by a leader's team. A thin view: the figures
are `workbench.goals.teachers.teacher_load`'s, the same the Excel sheet and teacher_load.csv hold."""

from __future__ import annotations

import pandas as pd
import panel as pn
import param

from workbench.app import safe
from workbench.app.state import Workbench
from workbench.app.views import ResultPage, readonly

ALL = "all"
NO_TEAM = "no team"


def teachers_table(wb: Workbench, result) -> pd.DataFrame:
    """`teacher_load` of the design, against the scenario it was made from, with `team`: the leader's
    staff_id for a leader (a role whose reach is above 0) and for each teacher naming her as leader_id, blank
    for a teacher on no team. Soft-limit columns only when the scenario gives a soft limit."""
    from workbench.goals.teachers import teacher_load
    from workbench.plan.goal_meaning import team_of
    from workbench.scenario.staff_table import role_table

    scenario = wb.made_from.get(result.summary.get("label", ""), wb.scenario)
    load = teacher_load(scenario, result)
    staffing = result.staffing.assign(staff_id=result.staffing["staff_id"].astype(str))
    reach = staffing["role"].astype(str).map(role_table(scenario)["reach"]).fillna(0)
    team = team_of(staffing["staff_id"], reach, staffing.get("leader_id"))
    load.insert(2, "team", load["staff_id"].astype(str).map(dict(zip(staffing["staff_id"], team, strict=True)))
                .fillna("").to_numpy())
    return load


def team_options(table: pd.DataFrame) -> dict[str, str]:
    """The team filter's choices, label -> value: every teacher, each leader's team, and teachers on none."""
    leaders = sorted(t for t in table["team"].unique() if t)
    options = {"every teacher": ALL, **{f"{leader}'s team": leader for leader in leaders}}
    if (table["team"] == "").any() and leaders:
        options["teachers on no team"] = NO_TEAM
    return options


def shown_rows(table: pd.DataFrame, role: str, team: str) -> pd.DataFrame:
    """The teachers of the chosen role (ALL: every role) and team (ALL, NO_TEAM or a leader's staff_id)."""
    rows = table if role == ALL else table[table["role"] == role]
    if team == NO_TEAM:
        rows = rows[rows["team"] == ""]
    elif team != ALL:
        rows = rows[rows["team"] == team]
    return rows


class TeachersPage(ResultPage):
    """Each teacher's load in the design shown, filtered by role and team (page params), with a sentence on
    planning time and the soft limits missed."""

    title = "Teachers"
    role = param.String(default=ALL, doc="the role shown, or all")
    team = param.String(default=ALL, doc="the leader whose team is shown (staff_id), all, or no team")

    def for_design(self, result) -> pn.viewable.Viewable:
        self.param.update(role=ALL, team=ALL)
        table = teachers_table(self.wb, result)
        parts = [safe.markdown("## Teachers\nWhat this design asks of each teacher. **Planning** is the periods "
                               "with no section, small group or intervention duty, in minutes a week; **preps** "
                               "are the distinct courses a teacher teaches; the **longest run** is the most "
                               "periods taught in a row on one day.")]
        if table.empty:
            return pn.Column(*parts, safe.markdown("Nobody in this design teaches sections."),
                             sizing_mode="stretch_width")
        roles = [ALL, *sorted(table["role"].astype(str).unique())]
        role = self.linked(pn.widgets.Select(label="Role", options=roles, width=220), "role")
        team = self.linked(pn.widgets.Select(label="Team", options=team_options(table), width=220), "team")
        parts += [pn.Row(role, team),
                  pn.panel(pn.bind(self.shown, table, self.param.role, self.param.team), sizing_mode="stretch_width")]
        return pn.Column(*parts, sizing_mode="stretch_width")

    @staticmethod
    def shown(table: pd.DataFrame, role: str, team: str) -> pn.viewable.Viewable:
        """The chosen teachers: a sentence, the soft limits they miss, and the table."""
        from workbench.goals.teachers import soft_limit_misses

        rows = shown_rows(table, role, team)
        if rows.empty:
            return safe.markdown("No teacher matches these filters.")
        teaching = rows[rows["sections"] > 0]
        summary = f"{len(rows)} teacher(s) shown"
        if not teaching.empty:
            minutes = teaching["planning_minutes_per_week"].astype(float)
            summary += (f"; of those who teach, the least planning time is {minutes.min():,.0f} minutes a week "
                        f"(median {minutes.median():,.0f}), {teaching['students'].mean():,.1f} students each on "
                        f"average, at most {int(teaching['preps'].max())} preps")
        parts = [safe.markdown(summary + ".")]
        if "preps_over" in rows.columns:
            misses = soft_limit_misses(rows)
            parts.append(safe.markdown("**Soft limits missed**\n\n" + "\n".join(f"- {safe.md_line(m)}" for m in misses)
                                       if misses else "Every soft limit (most preps, longest run) is kept.",
                                       css_classes=["wb-soft-limits"]))
        parts.append(readonly(rows.reset_index(drop=True), pagination="local", page_size=20))
        return pn.Column(*parts, sizing_mode="stretch_width")
