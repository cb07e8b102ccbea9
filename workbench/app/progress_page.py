"""The Progress page (issue 16): each student's levels and tutoring minutes across assessment cycles, and the
"Regroup from new results" action. A thin view: the table comes from `goals.progress.student_progress` (or the
regrouped result's own student_progress.csv), the regroup from `Workbench.regroup_from`, the same code as
`workbench regroup`."""

from __future__ import annotations

import altair as alt
import pandas as pd
import panel as pn
import param

from workbench.app import safe
from workbench.app.state import Workbench
from workbench.app.views import ResultPage, readonly, vega

NEEDS = {"every student": None, "English learners": "ell", "students with an IEP": "iep", "low income": "frl"}
ALL = "all"


def progress_table(wb: Workbench, result) -> pd.DataFrame:
    """student_progress.csv of a regrouped result, else the progress the scenario's assessments show against
    this result's groups; with each student's grade and needs, for the filters. Empty without assessments."""
    from workbench.goals.progress import student_progress

    table = result.extra.get("student_progress")
    scenario = wb.made_from.get(result.summary.get("label", ""), wb.scenario)
    if table is None or table.empty:
        if scenario is None or scenario.assessments.empty:
            return pd.DataFrame()
        table = student_progress(scenario, result)
    table = table.assign(student_id=table["student_id"].astype(str),
                         cycle=pd.to_numeric(table["cycle"]).astype(int),
                         level=pd.to_numeric(table["level"]),
                         tutoring_minutes_to_date=pd.to_numeric(table["tutoring_minutes_to_date"]),
                         on_track=pd.to_numeric(table["on_track"]).astype(int))
    students = scenario.students.assign(student_id=scenario.students["student_id"].astype(str))
    return table.merge(students[["student_id", "grade", "ell", "iep", "frl"]], on="student_id", how="left")


def slope_chart(shown: pd.DataFrame) -> pn.pane.Vega:
    """One line a student from cycle to cycle, coloured by whether her latest growth is on track."""
    latest = shown.sort_values("cycle").groupby(["student_id", "subject"])["on_track"].last()
    status = latest.map({1: "on track", 0: "not on track"}).rename("status").reset_index()
    data = shown.merge(status, on=["student_id", "subject"])
    chart = alt.Chart(data).mark_line(point=True, opacity=0.6).encode(
        x=alt.X("cycle:O", title="assessment cycle"),
        y=alt.Y("level:Q", title="grade level", scale=alt.Scale(zero=False)),
        detail="student_id:N",
        color=alt.Color("status:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=["on track", "not on track"], range=["#1a7f37", "#b42318"])),
        tooltip=["student_id", "subject", "cycle", "level", "change_since_first", "tutoring_minutes_to_date"],
    ).properties(width=260, height=220).facet(column=alt.Column("subject:N", title=None))
    return vega(chart)


def regroup_action(wb: Workbench) -> pn.Column:
    """Upload an assessments file and regroup the design shown from it."""
    upload = pn.widgets.FileInput(accept=".csv", multiple=False, width=260)
    button = pn.widgets.Button(label="Regroup from new results", width=220)
    button.on_click(lambda _: wb.regroup_from(upload.value or b""))
    return pn.Column("### Regroup from new results",
                     safe.markdown("An assessments file: `student_id, subject, cycle, level` (grade-level "
                                   "equivalents). Students now on track leave their group, students who fell "
                                   "behind join, everyone else keeps group and tutor; the schedule is kept."),
                     pn.Row(upload, button), sizing_mode="stretch_width")


class ProgressPage(ResultPage):
    """Each student's levels and tutoring minutes across cycles, filtered by need and grade (page params),
    who moved at the last regroup and why, and the "Regroup from new results" action."""

    title = "Progress"
    need = param.Selector(objects=list(NEEDS), default="every student", doc="the students shown, by need")
    grade = param.String(default=ALL, doc="the grade shown, or all")

    def for_design(self, result) -> pn.viewable.Viewable:
        self.param.update(need="every student", grade=ALL)
        table = progress_table(self.wb, result)
        parts = [safe.markdown("## Progress")]
        changes = result.extra.get("group_changes")
        if changes is not None and not changes.empty:
            parts += ["### Who moves and why", readonly(changes, pagination="local", page_size=8,
                                                        layout="fit_columns", widths={"why": 480},
                                                        formatters={"why": {"type": "textarea"}})]
        if table.empty:
            parts.append(safe.markdown("No assessment results yet: upload the first cycle's results below."))
            return pn.Column(*parts, regroup_action(self.wb), sizing_mode="stretch_width")
        need = self.linked(pn.widgets.Select(label="Need", options=list(NEEDS), width=200), "need")
        grades = [ALL, *(str(g) for g in sorted(table["grade"].dropna().astype(int).unique()))]
        grade = self.linked(pn.widgets.Select(label="Grade", options=grades, width=120), "grade")
        parts += [pn.Row(need, grade),
                  pn.panel(pn.bind(self.shown, table, self.param.need, self.param.grade), sizing_mode="stretch_width")]
        return pn.Column(*parts, regroup_action(self.wb), sizing_mode="stretch_width")

    @staticmethod
    def shown(table: pd.DataFrame, need_name: str, grade_name: str) -> pn.viewable.Viewable:
        """The students of the chosen need and grade: a sentence, a slope chart and the table."""
        rows = table
        column = NEEDS[need_name]
        if column is not None:
            rows = rows[pd.to_numeric(rows[column], errors="coerce") == 1]
        if grade_name != ALL:
            rows = rows[rows["grade"].astype("Int64").astype(str) == grade_name]
        if rows.empty:
            return safe.markdown("No student matches these filters.")
        latest = rows[rows["cycle"] == rows["cycle"].max()]
        summary = (f"{rows['student_id'].nunique()} student(s) shown; at cycle {int(rows['cycle'].max())}, "
                   f"{int(latest['on_track'].sum())} of {len(latest)} results on track.")
        columns = ["student_id", "subject", "grade", "cycle", "level", "change_since_first",
                   "tutoring_minutes_to_date", "on_track"]
        return pn.Column(safe.markdown(summary), slope_chart(rows), readonly(rows[columns], pagination="local",
                                                                            page_size=15),
                         sizing_mode="stretch_width")
