"""Write the guided notebooks (01..05) from plain cell lists, so they stay easy to review and edit.

Run: .venv/bin/python notebooks/_generate.py  — then commit the .ipynb files (written without outputs;
`pytest --nbval-lax notebooks/` runs them top to bottom and their assert cells must pass)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = '''\
from pathlib import Path

import altair as alt
import pandas as pd

ROOT = Path.cwd() if (Path.cwd() / "scenarios").exists() else Path.cwd().parent
TUTORIAL = ROOT / "scenarios" / "tutorial"
MINI = ROOT / "tests" / "data" / "mini"
pd.set_option("display.max_columns", 20, "display.width", 160)'''


def md(text: str):
    return new_markdown_cell(text.strip())


def code(text: str):
    return new_code_cell(text.strip())


NOTEBOOKS = {
    "01-tour.ipynb": [
        md("""
# 1. A tour of a school and its students' plans

The workbench plans a school's **staffing**, **master schedule**, **small groups** and **budget**, then judges
the design the way a family would: *did my child get what their plan asks for?* This notebook calls the same
public functions as the `workbench` command and the browser app."""),
        code(SETUP),
        md("## The school\nA scenario is a folder of CSV tables and one `scenario.yaml`. Loading it validates it."),
        code('''\
from workbench.scenario import load_scenario
from workbench.scenario.summary import describe

school = load_scenario(TUTORIAL).with_settings(**{"solver.time_limit_s": 10})
print(describe(school))'''),
        code('''\
school.students.head()'''),
        md("Every student may carry goals of their own: tutoring minutes, a course, a class-size cap, a support, "
           "a strong teacher."),
        code('''\
school.goals.groupby("goal").size().rename("students with this goal").to_frame()'''),
        md("## Plan it end to end\n`solve_scenario` runs staffing → schedule → groups → budget → goals."),
        code('''\
from workbench.pipeline import solve_scenario

events = []
design = solve_scenario(school, progress=events.append)
print(design.summary["status"], design.summary["metrics"])
print(f"{len(events)} progress messages, for instance: {events[-1].message}")'''),
        md("## Every hard rule holds\nAn independent checker re-derives each rule from the result tables."),
        code('''\
from workbench.results.check import check_result

breaches = check_result(school, design)
assert breaches == [], breaches
assert len(design.student_goals) == len(school.goals)   # one row for each goal
print("every hard rule holds")'''),
        md("## Students, one by one\nUnmet goals say why in plain words."),
        code('''\
goals = design.student_goals
goals[goals["met"] == 0][["student_id", "goal", "subject", "target", "provided", "reason"]]'''),
        code('''\
from workbench.app.tables import student_needs, student_plan

student = str((goals[goals["met"] == 0] if (goals["met"] == 0).any() else goals).iloc[0]["student_id"])
plan = student_plan(school, design, student)
print(student_needs(school, student))
plan["timetable"]'''),
        code('''\
assert set(plan["goals"]["student_id"]) == {student}
assert not plan["timetable"].empty, "every student in the tutorial school has a timetable"'''),
        md("## The same pages as the app\nThe browser workbench is a thin layer over these tables. Here is its "
           "Students page for this design."),
        code('''\
# NBVAL_IGNORE_OUTPUT
import panel as pn

from workbench.app import views
from workbench.app.state import Workbench

pn.extension("tabulator", "vega")
wb = Workbench([TUTORIAL])
wb.scenario, wb.result = school, design
views.students_page(wb)'''),
    ],
    "02-staffing-what-if.ipynb": [
        md("""
# 2. Staffing what-if: multi-classroom leader teams or smaller classes?

A leader asks: *what does lowering class size to 20 cost, versus adding two multi-classroom leader (MCL) teams?*
`workbench.plan.tradeoffs` answers by re-solving the staffing model under each design, within the school's
own budget."""),
        code(SETUP),
        code('''\
from workbench.plan.tradeoffs import class_size_vs_mcl, marginal_value_of_budget
from workbench.scenario import load_scenario

school = load_scenario(TUTORIAL)
designs = class_size_vs_mcl(school, class_size=20, mcl_teams=2)
designs[["design", "description", "fits", "cost", "extra_cost", "goals_met", "goals_total", "leaders", "note"]]'''),
        code('''\
assert list(designs["design"]) == ["today", "smaller classes", "MCL teams"]
today = designs.set_index("design").loc["today"]
assert today["extra_cost"] == 0
assert (designs["goals_met"].dropna() <= designs["goals_total"].dropna()).all()'''),
        md("## What does more money buy?\nGoals reachable at budget levels $100,000 apart, starting from what "
           "today's staff already cost."),
        code('''\
curve = marginal_value_of_budget(school, step=100_000, levels=4)
curve[["budget", "fits", "cost", "goals_met", "tutoring_goals_met", "goals_per_100k"]]'''),
        code('''\
fitting = curve[curve["fits"]]
assert fitting["goals_met"].is_monotonic_increasing, "more money never reaches fewer goals"'''),
        code('''\
# NBVAL_IGNORE_OUTPUT
alt.Chart(fitting).mark_line(point=True).encode(
    x=alt.X("budget:Q", title="budget ($ a year)"), y=alt.Y("goals_met:Q", title="student goals reachable"),
    tooltip=["budget", "goals_met", "tutoring_goals_met"]).properties(width=480, height=240)'''),
    ],
    "03-tutoring-groups.ipynb": [
        md("""
# 3. Tutoring groups in real free time

High-impact tutoring means at least three sessions a week in groups of four or fewer, during the school day.
The workbench places groups in periods when every member and the tutor are free."""),
        code(SETUP),
        code('''\
from workbench.app.tables import group_table
from workbench.pipeline import solve_scenario
from workbench.results.check import check_result
from workbench.scenario import load_scenario

school = load_scenario(MINI)
design = solve_scenario(school)
assert check_result(school, design) == []
groups = group_table(design)
groups'''),
        code('''\
t = school.settings.tutoring
assert (groups["members"] <= t.max_group_size).all()
assert (groups["sessions"] >= t.sessions_per_week).all()
print(f"{len(groups)} groups; each meets {t.sessions_per_week}+ times a week, "
      f"at most {t.max_group_size} students")'''),
        md("## Who is still waiting\nTutoring goals the design could not serve, with the reason and a remedy."),
        code('''\
design.extra.get("unserved_tutoring", pd.DataFrame())'''),
        md("## What-if: groups of at most two\nSmaller groups are more intense but need more tutor time."),
        code('''\
pairs = school.with_settings(**{"tutoring.max_group_size": 2})
paired = solve_scenario(pairs)
assert check_result(pairs, paired) == []
pair_groups = group_table(paired)
assert (pair_groups["members"] <= 2).all()
tutoring = lambda d: d.student_goals[d.student_goals["goal"] == "tutoring_minutes"]["met"].sum()
pd.DataFrame({"groups": [len(groups), len(pair_groups)],
              "tutoring goals met": [tutoring(design), tutoring(paired)]}, index=["up to 4", "up to 2"])'''),
    ],
    "04-comparing-designs.ipynb": [
        md("""
# 4. Comparing designs student by student

Averages hide people. Comparing two designs here means: which students gain a goal, which lose one, and what
each extra goal met costs."""),
        code(SETUP),
        code('''\
from workbench.goals.compare import compare_results
from workbench.pipeline import solve_scenario
from workbench.scenario import load_scenario

baseline_school = load_scenario(MINI)
grant_school = baseline_school.with_settings(
    **{"funding.other_revenue": baseline_school.settings.funding.other_revenue + 150_000})
designs = {"today": solve_scenario(baseline_school), "with a $150k grant": solve_scenario(grant_school)}
comparison = compare_results(baseline_school, designs,
                             {"today": baseline_school, "with a $150k grant": grant_school})
comparison.designs_summary'''),
        code('''\
comparison.changes'''),
        code('''\
students = comparison.students
change = students["change_with a $150k grant"].value_counts()
assert change.sum() == students["student_id"].nunique() == baseline_school.goals["student_id"].nunique()
summary = comparison.designs_summary.set_index("design")
grant = summary.loc["with a $150k grant"]
gained, lost = int(grant["goals gained"]), int(grant["goals lost"])
assert summary.loc["with a $150k grant", "goals met"] - summary.loc["today", "goals met"] == gained - lost
change'''),
        md("## By need\nHow many English learners, students with an IEP, low-income students end with no goal met?"),
        code('''\
comparison.by_need'''),
        code('''\
# NBVAL_IGNORE_OUTPUT
long = comparison.by_need.melt(id_vars=["group", "design"], value_vars=["no goal met", "some met", "all met"],
                               var_name="outcome", value_name="students")
alt.Chart(long).mark_bar().encode(
    x=alt.X("students:Q", stack="normalize", title="share of students"), y=alt.Y("design:N", title=None),
    color=alt.Color("outcome:N", scale=alt.Scale(range=["#b42318", "#f2b705", "#1a7f37"])),
    row=alt.Row("group:N", title=None)).properties(width=420, height=40)'''),
    ],
    "05-central-office-review.ipynb": [
        md("""
# 5. A central office's review

A district reviews each school's proposal against one quality bar: complete schedules, tutoring delivered,
IEP class-size caps kept, a budget balanced without one-time money. Pass or fail, criterion by criterion,
with the students behind every failure."""),
        code(SETUP),
        code('''\
from workbench.goals.review import load_bar, review_result, verdicts_table
from workbench.pipeline import solve_scenario
from workbench.scenario import load_scenario

bar = load_bar(ROOT / "scenarios" / "district-bar.yaml")
[(c.name, c.kind, c.threshold) for c in bar.criteria]'''),
        code('''\
proposals = {}
for name, folder, changes in [("mini school", MINI, {}),
                              ("mini school, groups of 2", MINI, {"tutoring.max_group_size": 2})]:
    school = load_scenario(folder).with_settings(**changes) if changes else load_scenario(folder)
    proposals[name] = (school, solve_scenario(school))
verdicts = [v for name, (school, design) in proposals.items() for v in review_result(bar, school, design, name)]
table = verdicts_table(verdicts)
table[["result", "criterion", "passed", "value", "threshold", "students failing"]]'''),
        code('''\
assert len(table) == len(bar.criteria) * len(proposals)
assert set(table["passed"]) <= {0, 1}
failing = table[table["passed"] == 0]
assert (failing["students failing"] >= 0).all()
table.pivot(index="criterion", columns="result", values="passed")'''),
    ],
}


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        nb = new_notebook(cells=cells, metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"}})
        nbformat.write(nb, HERE / name)
        print("wrote", name)


if __name__ == "__main__":
    main()
