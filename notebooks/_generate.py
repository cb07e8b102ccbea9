"""Write the guided notebooks (01..08) from plain cell lists, so they stay easy to review and edit.

Run: .venv/bin/python notebooks/_generate.py  — then commit the .ipynb files. They are written without
outputs (a saved run would carry its tables and Panel's JavaScript). Each notebook reads as a leader's
document: prose, then tables, charts and controls. Its checks run too (`pytest --nbval-lax notebooks/`), in
cells hidden from the reading view (collapsed source and output in JupyterLab, tag `hide-cell` for
renderers such as Jupyter Book). Every path comes from `workbench.notebook.bundled`, so a notebook copied to
any folder still finds the bundled schools."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = '''\
import altair as alt
import pandas as pd
import panel as pn
from IPython.display import Markdown

from workbench import notebook as wn

wn.setup()'''

HIDDEN = {"jupyter": {"source_hidden": True, "outputs_hidden": True}, "tags": ["hide-cell"]}
SOURCE_HIDDEN = {"jupyter": {"source_hidden": True}, "tags": ["hide-input"]}


def md(text: str):
    return new_markdown_cell(text.strip())


def code(text: str):
    return new_code_cell(text.strip())


def check(text: str):
    """A check the reader does not need to see: it still runs (nbval), hidden in the reading view."""
    return new_code_cell(text.strip(), metadata=HIDDEN)


def plumbing(text: str):
    """Code that draws a result (its output is shown, its source folded away)."""
    return new_code_cell(text.strip(), metadata=SOURCE_HIDDEN)


TOUR = [
    md("""
# 1. A tour of a school and its students' plans

The workbench plans a school's **staffing**, **master schedule**, **small groups** and **budget**, then judges
the design the way a family would: *did my child get what their plan asks for?* This notebook walks through
the bundled **Tutorial Middle** school (40 students) with the same functions as the `workbench` command and
the browser app. Run it top to bottom (Run → Run All Cells); nothing here needs the internet."""),
    code(SETUP),
    md("## The school\nA school is a folder of CSV tables and one `scenario.yaml`. Loading it checks it."),
    code('''\
from workbench.scenario import load_scenario
from workbench.scenario.summary import describe

TUTORIAL = wn.bundled("tutorial")
school = load_scenario(TUTORIAL).with_settings(**{"solver.time_limit_s": 10})
Markdown(f"```\\n{describe(school)}\\n```")'''),
    md("The first students, with the needs the funding formula and the goals look at:"),
    code('''\
wn.table(school.students.head(8),
         {"student_id": "Student", "grade": "Grade", "ell": "English learner", "iep": "IEP", "frl": "Low income",
          "math_level": "Math level", "reading_level": "Reading level"},
         yes_no_columns=["ell", "iep", "frl"])'''),
    md("Every student may carry goals of their own: tutoring minutes, a course, a class-size cap, a support, "
       "a strong teacher."),
    code('''\
kinds = school.goals.groupby("goal", as_index=False).agg(students=("student_id", "nunique"),
                                                        goals=("student_id", "size"))
wn.table(kinds, {"goal": "Kind of goal", "students": "Students", "goals": "Goals"})'''),
    md("## Plan it end to end\n`solve_scenario` runs staffing → schedule → groups → budget → goals, in seconds "
       "for this school."),
    code('''\
from workbench.pipeline import solve_scenario

design = solve_scenario(school)
m = design.summary["metrics"]
Markdown(f"The plan places **{wn.percent(m['requests_fulfilled_pct'])}** of course requests and meets "
         f"**{int(design.student_goals['met'].sum())} of {len(design.student_goals)}** student goals "
         f"({wn.percent(m['goals_met_pct'])}), with a budget balance of **{wn.money(m['budget_balance'])}** "
         "a year: the money left after paying for the staff and supports it needs.")'''),
    md("## Every hard rule holds\nAn independent checker re-derives each rule (no student in two places, no "
       "room over capacity, the budget within its limits…) from the result tables, whatever the solver "
       "claimed. Its findings are checked in a hidden cell; here is what it looked at:"),
    code('''\
from workbench.results.check import check_result

breaches = check_result(school, design)
Markdown("Every hard rule holds." if not breaches else
         f"**{len(breaches)} broken rule(s)**: " + "; ".join(map(str, breaches[:5])))'''),
    check('''\
assert breaches == [], breaches
assert len(design.student_goals) == len(school.goals)'''),
    md("## Students, one by one\nA goal the design could not meet says why, in plain words."),
    code('''\
from workbench.goals.students import student_needs, student_plan

goals = design.student_goals
unmet = goals[goals["met"].astype(int) == 0]
if unmet.empty:
    shown = Markdown(f"All {len(goals)} goals are met: no student is waiting for anything.")
else:
    shown = wn.table(unmet, {"student_id": "Student", "goal": "Goal", "subject": "Subject", "target": "Target",
                             "provided": "Provided", "reason": "Why not"})
shown'''),
    code('''\
student = str((unmet if not unmet.empty else goals).iloc[0]["student_id"])
plan = student_plan(school, design, student)
display(Markdown(f"One student's week: {student_needs(school, student)}."))
wn.table(plan["timetable"], {"when": "When", "what": "What", "teacher": "Teacher", "room": "Room",
                             "class size": "Class size"})'''),
    check('''\
assert set(plan["goals"]["student_id"]) == {student}
assert not plan["timetable"].empty, "every student in the tutorial school has a timetable"'''),
    md("## The app's Students page, here\nThe browser workbench is a thin layer over these tables. Search a "
       "student ID, a goal or a reason, pick *not met*, and click a row: the student's whole plan opens "
       "below the table."),
    code('''\
from workbench.app import views
from workbench.app.state import Workbench

wb = Workbench([TUTORIAL])
wb.scenario, wb.result = school, design
students_page = views.StudentsPage(wb=wb)
students_page'''),
]

STAFFING = [
    md("""
# 2. Staffing what-if: multi-classroom leader teams or smaller classes?

A leader asks: *what does lowering class size cost, versus adding multi-classroom leader (MCL) teams?* The
workbench answers by re-planning the staff of the bundled **Tutorial Middle** school under each design,
within the school's own budget. Move the sliders: each move re-plans (a bar shows it working) and redraws
the comparison."""),
    code(SETUP),
    code('''\
from workbench.plan.tradeoffs import class_size_vs_mcl, marginal_value_of_budget
from workbench.scenario import load_scenario

school = load_scenario(wn.bundled("tutorial"))'''),
    plumbing('''\
def design_sentence(row, today) -> str:
    """One sentence per design: what happened, and why (the money)."""
    name = f"**{row['design'][0].upper() + row['design'][1:]}** ({row['description']})"
    if not row["fits"]:
        return f"{name} cannot be staffed within the budget: {row['note']}."
    if row["design"] == "today":
        return (f"{name} costs {wn.money(row['cost'])} a year, meets {row['goals_met']:.0f} of "
                f"{row['goals_total']:.0f} goals and leaves a balance of {wn.money(row['balance'])}.")
    if round(row["extra_cost"]) == 0 and row["goals_met"] == today["goals_met"]:
        return f"{name} changes nothing here: today's plan already does it, at the same cost."
    lost = today["goals_met"] - row["goals_met"]
    goals = (f"meets {lost:.0f} fewer goals ({row['goals_met']:.0f} of {row['goals_total']:.0f})" if lost > 0
             else f"meets {-lost:.0f} more goals" if lost < 0 else "meets as many goals")
    return (f"{name} costs {wn.money(row['extra_cost'])} a year more than today; that money comes out of the "
            f"balance, which falls from {wn.money(today['balance'])} to {wn.money(row['balance'])}, and it "
            f"{goals}" + (f" ({row['note']})" if row["note"] else "") + ".")


def show_designs(designs):
    today = designs.set_index("design").loc["today"]
    table = wn.table(designs, {"design": "Design", "description": "What it means", "fits": "Fits the budget",
                               "cost": "Staff cost", "extra_cost": "Extra cost", "goals_met": "Goals met",
                               "goals_total": "Goals", "leaders": "Leaders", "balance": "Balance"},
                     dollars=["cost", "extra_cost", "balance"], yes_no_columns=["fits"])
    return [wn.html_table(table)] + [wn.sentence(design_sentence(r, today)) for r in designs.to_dict("records")]'''),
    md("## Smaller classes or MCL teams"),
    code('''\
class_size = pn.widgets.IntSlider(label="Class size cap (students)", start=14, end=30, value=20, width=260)
mcl_teams = pn.widgets.IntSlider(label="MCL teams", start=0, end=4, value=2, width=200)
designs = wn.WhatIf(lambda class_size, mcl_teams: class_size_vs_mcl(school, class_size, mcl_teams),
                    show_designs, class_size=class_size, mcl_teams=mcl_teams)
designs'''),
    check('''\
d = designs.result
assert list(d["design"]) == ["today", "smaller classes", "MCL teams"]
today = d.set_index("design").loc["today"]
assert today["extra_cost"] == 0
assert (d["goals_met"].dropna() <= d["goals_total"].dropna()).all()
mcl = d.set_index("design").loc["MCL teams"]
assert mcl["leaders"] >= 2 and mcl["extra_cost"] > 0, "two MCL teams cost more than today's plan"'''),
    md("## What does more money buy?\nGoals reachable at budget levels a step apart, starting from what "
       "today's staff already cost (the least any design can spend)."),
    plumbing('''\
def show_curve(curve):
    fitting = curve[curve["fits"]]
    line = alt.Chart(fitting).mark_line(point=True).encode(
        x=alt.X("budget:Q", title="budget ($ a year)", axis=alt.Axis(format="$,.0f")),
        y=alt.Y("goals_met:Q", title="student goals reachable"),
        tooltip=[alt.Tooltip("budget:Q", format="$,.0f"), "goals_met", "tutoring_goals_met"],
    ).properties(width=480, height=220)
    first, last = fitting.iloc[0], fitting.iloc[-1]
    where = fitting[fitting["goals_met"] == last["goals_met"]].iloc[0]
    said = (f"At {wn.money(first['budget'])} (today's staff only) {first['goals_met']:.0f} goals are reachable; "
            f"from {wn.money(where['budget'])} on, {last['goals_met']:.0f}"
            + (": more money beyond that buys no more goals, because every goal the staff can serve is met."
               if where["budget"] < last["budget"] else "."))
    table = wn.table(curve, {"budget": "Budget", "fits": "Fits", "cost": "Staff cost", "goals_met": "Goals met",
                             "tutoring_goals_met": "Tutoring goals met"},
                     dollars=["budget", "cost"], yes_no_columns=["fits"])
    return [wn.chart(line), wn.sentence(said), wn.html_table(table)]'''),
    code('''\
step = pn.widgets.Select(label="Step ($ a year)", options={"$5,000": 5_000, "$10,000": 10_000, "$25,000": 25_000,
                                                          "$50,000": 50_000, "$100,000": 100_000},
                         value=10_000, width=160)
levels = pn.widgets.IntSlider(label="Budget levels", start=2, end=8, value=5, width=200)
curve = wn.WhatIf(lambda step, levels: marginal_value_of_budget(school, step=step, levels=levels),
                  show_curve, step=step, levels=levels)
curve'''),
    check('''\
fitting = curve.result[curve.result["fits"]]
assert fitting["goals_met"].is_monotonic_increasing, "more money never reaches fewer goals"
assert fitting["goals_met"].iloc[-1] > fitting["goals_met"].iloc[0], "money beyond payroll buys goals here"'''),
]

GROUPS = [
    md("""
# 3. Tutoring groups in real free time

High-impact tutoring means at least three sessions a week in groups of four or fewer, during the school day.
The workbench places each group in periods when every member and the tutor are free. This notebook plans
the bundled **Tutorial Middle** school, then asks what smaller groups would change."""),
    code(SETUP),
    code('''\
from workbench.app.tables import group_table
from workbench.pipeline import solve_scenario
from workbench.results.check import check_result
from workbench.scenario import load_scenario

school = load_scenario(wn.bundled("tutorial"))
design = solve_scenario(school)
groups = group_table(design)
t = school.settings.tutoring
display(Markdown(f"{len(groups)} groups; each meets {t.sessions_per_week} or more times a week for "
                 f"{t.session_minutes} minutes, at most {t.max_group_size} students in a group."))
wn.table(groups, {"group_id": "Group", "staff_id": "Tutor", "subject": "Subject", "members": "Students",
                  "students": "Who", "sessions": "Sessions a week", "meets": "Meets (day, period)"})'''),
    check('''\
assert check_result(school, design) == []
assert (groups["members"] <= t.max_group_size).all()
assert (groups["sessions"] >= t.sessions_per_week).all()'''),
    md("## Who is still waiting\nTutoring goals the design could not serve, with the reason and a remedy."),
    code('''\
waiting = design.extra.get("unserved_tutoring", pd.DataFrame())
(Markdown("Every tutoring goal is served.") if waiting.empty else
 wn.table(waiting.rename(columns=lambda c: c.replace("_", " ").capitalize())))'''),
    md("## What-if: smaller groups\nSmaller groups are more intense but need more tutor time. Pick the largest "
       "group allowed: the school is re-planned and compared with today's groups of up to four."),
    plumbing('''\
tutoring = lambda d: int(d.student_goals.loc[d.student_goals["goal"] == "tutoring_minutes", "met"].sum())
tutoring_goals = int((school.goals["goal"] == "tutoring_minutes").sum())


def plan_groups(largest):
    variant = school.with_settings(**{"tutoring.max_group_size": largest})
    planned = solve_scenario(variant)
    return variant, planned


def show_groups(planned_pair):
    variant, planned = planned_pair
    rows = pd.DataFrame([
        {"design": f"up to {t.max_group_size} (today)", "groups": len(groups), "tutoring": tutoring(design),
         "goals": int(design.student_goals["met"].sum())},
        {"design": f"up to {variant.settings.tutoring.max_group_size}", "groups": len(group_table(planned)),
         "tutoring": tutoring(planned), "goals": int(planned.student_goals["met"].sum())}])
    lost = rows["tutoring"][0] - rows["tutoring"][1]
    size = variant.settings.tutoring.max_group_size
    said = f"With groups of at most {size}, the school runs {rows['groups'][1]} groups (today {rows['groups'][0]}). "
    waiting = planned.extra.get("unserved_tutoring", pd.DataFrame())
    if lost > 0 and not waiting.empty:
        said += (f"**{lost} tutoring goal(s) can no longer be met**: " + " ".join(
            f"{r['student_id']}'s {r['subject']} tutoring ({r['reason']}): {r['remedy']}."
            for r in waiting.head(5).to_dict("records")))
    elif lost > 0:
        said += f"**{lost} tutoring goal(s) can no longer be met.**"
    else:
        said += f"Every tutoring goal met today is still met ({rows['tutoring'][1]} of {tutoring_goals})."
    table = wn.table(rows, {"design": "Group size", "groups": "Groups", "tutoring": "Tutoring goals met",
                            "goals": "All goals met"})
    return [wn.html_table(table), wn.sentence(said)]'''),
    code('''\
largest = pn.widgets.Select(label="Largest group (students)", options=[1, 2, 3, 4, 5], value=1, width=200)
smaller = wn.WhatIf(plan_groups, show_groups, largest=largest)
smaller'''),
    check('''\
variant, planned = smaller.result
assert check_result(variant, planned) == []
assert (group_table(planned)["members"] <= 1).all()
assert tutoring(planned) < tutoring(design), "one-to-one tutoring cannot serve every tutoring goal in this school"'''),
]

COMPARE = [
    md("""
# 4. Comparing designs student by student

Averages hide people. Comparing two designs here means: which students gain a goal, which lose one, and what
each extra goal met costs. The bundled **Riverside Middle** school (600 students) meets most, not all, of its
students' goals; what would more money buy? Pick a grant (extra yearly funding): the school is re-planned
with it (a few seconds) and compared with today, student by student."""),
    code(SETUP),
    code('''\
from workbench.goals.compare import compare_results, money_view, outcomes_by_need_chart
from workbench.pipeline import solve_scenario
from workbench.scenario import load_scenario

school = load_scenario(wn.bundled("riverside-middle"))
today = solve_scenario(school)'''),
    plumbing('''\
def with_grant(grant):
    funded = school.with_settings(**{"funding.other_revenue": school.settings.funding.other_revenue + grant})
    name = f"with a {wn.money(grant)} grant"
    designs = {"today": today, name: solve_scenario(funded)}
    return name, compare_results(school, designs, {"today": school, name: funded})


def show_comparison(named):
    name, c = named
    summary = c.designs_summary.set_index("design")
    gained, lost = int(summary.loc[name, "goals gained"]), int(summary.loc[name, "goals lost"])
    before, after = int(summary.loc["today", "goals met"]), int(summary.loc[name, "goals met"])
    said = (f"With the grant, the plan meets **{after:,} goals instead of {before:,}**: {gained} goals are newly "
            f"met and {lost} no longer met, because the extra money pays for staff time and supports the "
            "school could not afford before." if after != before else
            "The grant changes no student's goals: every goal it could pay for is already met, so the money "
            "stays in the balance.")
    shown = money_view(c.designs_summary)
    summary_table = wn.table(shown, {k: k[0].upper() + k[1:] for k in shown.columns}, percents=["goals met %"])
    changes = c.changes.head(20).assign(goal=lambda f: f["goal"].str.replace("_", " "))
    parts = [wn.sentence(said), wn.html_table(summary_table)]
    if changes.empty:
        parts += [wn.sentence("**Who gains and who loses:** no student's goals change."), wn.html_table(wn.table(
            pd.DataFrame({"": []})))]
    else:
        parts += [wn.sentence(f"**Who gains and who loses** (the first {len(changes)} of {len(c.changes)}):"),
                  wn.html_table(wn.table(changes, {"student_id": "Student", "goal": "Goal", "subject": "Subject",
                                                   "target": "Target", "change": "Change", "reason": "Why"}))]
    parts.append(wn.chart(outcomes_by_need_chart(c, width=420)))
    return parts'''),
    code('''\
grant = pn.widgets.IntSlider(label="Grant ($ a year)", start=0, end=300_000, step=50_000, value=150_000,
                             format="$0,0", width=320)
comparison = wn.WhatIf(with_grant, show_comparison, grant=grant)
comparison'''),
    check('''\
name, c = comparison.result
students = c.students
assert students[f"change_{name}"].value_counts().sum() == school.goals["student_id"].nunique()
summary = c.designs_summary.set_index("design")
gained, lost = int(summary.loc[name, "goals gained"]), int(summary.loc[name, "goals lost"])
assert summary.loc[name, "goals met"] - summary.loc["today", "goals met"] == gained - lost
assert gained > 0, "a $150,000 grant lets Riverside Middle meet more goals"
assert not c.changes.empty'''),
    md("## By need\nThe chart above splits each design's students by need: how many English learners, students "
       "with an IEP and low-income students end with no goal met, some, or all."),
]

REVIEW = [
    md("""
# 5. A central office's review

A district reviews each school's proposal against one quality bar: complete schedules, tutoring delivered,
IEP class-size caps kept, a budget balanced without one-time money. Pass or fail, criterion by criterion,
with the students behind every failure. Here the district reviews the two bundled proposals for **Riverside
Middle**: the school as staffed today, and its multi-classroom leader (MCL) redesign."""),
    code(SETUP),
    code('''\
from workbench.goals.review import load_bar, review_result, verdicts_table
from workbench.pipeline import solve_scenario
from workbench.scenario import load_scenario

bar = load_bar(wn.bundled("district-bar.yaml"))
wn.table(pd.DataFrame([{"criterion": c.name, "kind": c.kind.replace("_", " "), "threshold": c.threshold,
                        "description": c.description} for c in bar.criteria]),
         {"criterion": "Criterion", "description": "What it asks", "threshold": "Threshold"})'''),
    code('''\
proposals = {}
for name in ["riverside-middle", "riverside-middle-mcl"]:
    school = load_scenario(wn.bundled(name))
    proposals[name] = (school, solve_scenario(school))
verdicts = [v for name, (school, design) in proposals.items() for v in review_result(bar, school, design, name)]
table = verdicts_table(verdicts)
grid = table.pivot(index="criterion", columns="result", values="status").reindex([c.name for c in bar.criteria])
grid = grid.reset_index()
wn.table(grid.rename(columns={"criterion": "Criterion"}))'''),
    check('''\
assert len(table) == len(bar.criteria) * len(proposals)
assert set(table["passed"]) <= {0, 1}
assert (table.loc[table["passed"] == 0, "students failing"] >= 0).all()
assert table.groupby("result")["passed"].sum().nunique() >= 1'''),
    md("## Each proposal in a sentence"),
    code('''\
lines = []
for name, rows in table.groupby("result", sort=False):
    failed = rows[rows["passed"] == 0]
    line = f"- **{name}** passes {len(rows) - len(failed)} of {len(rows)} criteria"
    if failed.empty:
        line += "."
    else:
        line += "; it falls short on " + "; ".join(
            f"*{r['criterion']}* ({r['value']} against {r['threshold']}"
            + (f", {r['students failing']} students" if r["students failing"] else "") + ")"
            for r in failed.to_dict("records")) + "."
    lines.append(line)
Markdown("\\n".join(lines))'''),
    md("## The students behind each failure"),
    code('''\
behind = table[table["passed"] == 0][["result", "criterion", "value", "threshold", "students failing",
                                      "failing_students"]].copy()
behind["failing_students"] = behind["failing_students"].str.split(";").str[:8].str.join(", ")
(wn.table(behind, {"result": "Proposal", "criterion": "Criterion", "value": "Measured", "threshold": "Threshold",
                   "students failing": "Students", "failing_students": "First students"})
 if not behind.empty else Markdown("No criterion fails."))'''),
]

DISTRICT = [
    md("""
# 6. A district's review: many schools' proposals at once

A central office receives a design proposal from each of its schools. This notebook solves a folder of small
schools **in parallel on a Dask cluster** (the same engine as `workbench solve DIR --out OUT` and
`workbench sweep`), re-checks every result with the independent checker, reviews each proposal against the
district's quality bar, and charts the results.

One of the schools is deliberately underfunded: its design cannot work, and the batch says why in plain words
without stopping the others."""),
    code(SETUP),
    md("## The district's schools\nFour small synthetic middle schools (30-36 students each, a 5-second solver "
       "limit so this runs in seconds) and one whose funding cannot pay its existing staff. Each is a scenario "
       "folder, as a school would send it."),
    code('''\
import tempfile
from pathlib import Path

from workbench.scenario.generate import build_scenario
from workbench.scenario.model import write_scenario

WORK = Path(tempfile.mkdtemp(prefix="district-"))
schools = WORK / "schools"
for students, seed in [(30, 31), (32, 32), (34, 33), (36, 34)]:
    school = build_scenario(students, seed, "middle", name=f"School {seed}")
    write_scenario(school.with_settings(**{"solver.time_limit_s": 5}), schools / f"school-{seed}")
poor = build_scenario(30, 36, "middle", name="Underfunded school")
write_scenario(poor.with_settings(**{"funding.base_per_pupil": 500, "funding.other_revenue": 0,
                                     "funding.one_time_revenue": 0, "solver.time_limit_s": 5}),
               schools / "underfunded")
Markdown("Schools: " + ", ".join(sorted(p.name for p in schools.iterdir())) + ".")'''),
    md("## Solve them all on a local cluster\n`cluster_client` starts one single-threaded worker process per "
       "core (two here); pass `scheduler=\"tcp://…\"` to use a district server instead. Each school is solved "
       "in its own worker with its own time limit and its result written atomically to `proposals/<school>/`."),
    code('''\
from workbench.batch import cluster_client, solve_batch

proposals = WORK / "proposals"
with wn.quiet_output():   # the workers' solver banners stay out of this page
    cluster = cluster_client(workers=2, say=lambda *_: None)
    client = cluster.__enter__()
summary = solve_batch([schools], proposals, client=client, say=lambda *_: None)
wn.table(summary, {"scenario": "School", "status": "Status", "requests_placed_pct": "Requests placed",
                   "goals_met_pct": "Goals met", "balance": "Balance", "reason": "Why"},
         percents=["requests_placed_pct", "goals_met_pct"], dollars=["balance"])'''),
    code('''\
Markdown("The underfunded school cannot be planned: "
         + str(summary.set_index("scenario").loc["underfunded", "reason"]))'''),
    check('''\
status = dict(zip(summary["scenario"], summary["status"], strict=True))
assert status["underfunded"] == "infeasible", status
assert sum(s in ("optimal", "feasible") for s in status.values()) == 4, status
assert (proposals / "batch_summary.csv").exists()'''),
    md("## Every proposal keeps every hard rule\nThe independent checker re-derives each rule from the result "
       "tables, whatever the solver claimed."),
    code('''\
from workbench.results.check import check_result
from workbench.results.io import read_result
from workbench.scenario.validate import load_scenario

solved = summary[summary["status"].isin(["optimal", "feasible"])]["scenario"].tolist()
breaches = {name: check_result(load_scenario(schools / name), read_result(proposals / name)) for name in solved}
Markdown(f"{len(solved)} proposals checked: " + ("every hard rule holds." if not any(breaches.values()) else
         "rules broken in " + ", ".join(n for n, b in breaches.items() if b) + "."))'''),
    check('''\
assert all(b == [] for b in breaches.values()), breaches'''),
    md("## Review against the district's bar\n`review_many` reviews every proposal in the batch's output folder "
       "on the same cluster (`workbench review proposals/ --bar district-bar.yaml` does the same from the "
       "command line), one task per proposal, and keeps going when one cannot be read. `district_summary` is "
       "the central office's table: a row per school and design, pass or fail per criterion, and how many "
       "students fall short of each one."),
    code('''\
from workbench.batch import review_many
from workbench.goals.review import district_summary, load_bar, verdicts_table

bar = load_bar(wn.bundled("district-bar.yaml"))
reviews = review_many([proposals], bar, client=client, say=lambda *_: None)
district = district_summary(reviews, bar)
cluster.__exit__(None, None, None)   # close the workers and the scheduler
wn.table(district[["school", "design", "criteria_failed", *[c.name for c in bar.criteria]]],
         {"school": "School", "design": "Design", "criteria_failed": "Criteria failed",
          **{c.name: c.name for c in bar.criteria}})'''),
    check('''\
assert all(r.ok for r in reviews), [r.error for r in reviews if not r.ok]
verdicts = pd.concat([verdicts_table(r.verdicts) for r in reviews], ignore_index=True)
assert set(district["design"]) == set(verdicts["result"]) == set(solved)
assert len(verdicts) == len(solved) * len(bar.criteria)
assert (district["criteria_failed"] == [sum(not v.passed for v in r.verdicts) for r in reviews]).all()'''),
    md("## The district at a glance\nWhich schools pass which criteria, and how each serves its students."),
    code('''\
verdicts = pd.concat([verdicts_table(r.verdicts) for r in reviews], ignore_index=True)
verdicts["verdict"] = verdicts["passed"].map({1: "pass", 0: "fail"})
grid = alt.Chart(verdicts).mark_rect(stroke="white").encode(
    x=alt.X("criterion:N", title=None, axis=alt.Axis(labelAngle=-30)),
    y=alt.Y("result:N", title="school"),
    color=alt.Color("verdict:N", scale=alt.Scale(domain=["pass", "fail"], range=["#4c9a5b", "#d1495b"])),
    tooltip=["result", "criterion", "value", "threshold", "students failing"],
).properties(title="District quality bar: pass or fail per criterion", width=420)
wn.chart(grid)'''),
    code('''\
measures = (summary[summary["status"].isin(["optimal", "feasible"])]
            .melt(id_vars="scenario", value_vars=["requests_placed_pct", "goals_met_pct"],
                  var_name="measure", value_name="percent"))
measures["measure"] = measures["measure"].map({"requests_placed_pct": "requests placed",
                                               "goals_met_pct": "students' goals met"})
bars = alt.Chart(measures).mark_bar().encode(
    x=alt.X("percent:Q", scale=alt.Scale(domain=[0, 100])),
    y=alt.Y("scenario:N", title="school"),
    color="measure:N", yOffset="measure:N",
    tooltip=["scenario", "measure", alt.Tooltip("percent:Q", format=".1f")],
).properties(title="How each proposal serves its students", width=420)
balance = alt.Chart(summary.dropna(subset=["balance"])).mark_bar().encode(
    x=alt.X("balance:Q", title="revenue − expenses ($ a year)", axis=alt.Axis(format="$,.0f")),
    y=alt.Y("scenario:N", title="school"),
    color=alt.condition(alt.datum.balance >= 0, alt.value("#4c9a5b"), alt.value("#d1495b")),
).properties(title="Budget balance", width=420)
wn.chart(bars & balance)'''),
    check('''\
assert len(measures) == 2 * len(solved)'''),
]

CYCLE = [
    md("""
# 7. The assessment cycle: regroup from new results, and follow each student

A plan is made once, from one set of levels; students then grow at their own pace. Every six weeks or so a
school gives a benchmark assessment and re-forms its intervention groups: students who are back on track
leave, students who fell behind join, and everyone whose level band did not change keeps the group and the
tutor she knows. This notebook rehearses three cycles at **Riverside Middle**: plan the year, regroup when
the results of cycle 2 and cycle 3 come in, then see, student by student, who is on track and who is not.

The timetable, the class lists, the staff and the budget never change in a regroup; only the small groups
do. A real school brings its own results as `assessments.csv` (student, subject, cycle, level in grade-level
equivalents); here three cycles are drawn by the workbench's generator, with tutored students growing faster
(the pooled effect of 96 randomized trials of tutoring, Nickow, Oreopoulos & Quan 2020)."""),
    code(SETUP),
    code('''\
import dataclasses

from workbench.cycle import regroup_result
from workbench.pipeline import solve_scenario
from workbench.scenario import load_scenario
from workbench.scenario.generate import assessment_cycles

school = load_scenario(wn.bundled("riverside-middle"))
with wn.quiet_output():
    plan = solve_scenario(school)
results = assessment_cycles(school.students, school.goals, cycles=3, seed=2026)
on_track_growth = school.settings.assessment.expected_growth_per_cycle
Markdown(f"The plan serves {plan.group_members['student_id'].nunique()} students in "
         f"{len(plan.groups)} small groups. Cycle 1 is the levels the plan was made from; a student is on track "
         f"when she has grown at least {on_track_growth:.2f} grade levels a cycle since then.")'''),
    plumbing('''\
def regroup_after(cycle, previous):
    """The school as it stands after `cycle` assessments, and `previous` regrouped from them."""
    known = dataclasses.replace(school, assessments=results[results["cycle"] <= cycle])
    return known, regroup_result(known, previous)


def show_regroup(result):
    s = result.summary
    changes = result.extra["group_changes"]
    said = (f"After cycle {s['cycle']}: **{s['students_exited_on_track']} students leave** their group because "
            f"they are back on track, **{s['students_newly_served']} join** one because they fell behind, and "
            f"{s['students_moved']} move from one group to another. Everyone else keeps her group and tutor.")
    shown = changes.head(15).fillna("")
    return [wn.sentence(said), wn.html_table(wn.table(shown, {"student_id": "Student", "subject": "Subject",
                                                             "old_group_id": "Was in", "new_group_id": "Now in",
                                                             "why": "Why"}))]'''),
    md("## Cycle 2: the first regroup"),
    code('''\
after_2, regrouped_2 = regroup_after(2, plan)
pn.Column(*show_regroup(regrouped_2))'''),
    check('''\
from workbench.results.check import check_result

assert check_result(after_2, regrouped_2) == []
assert regrouped_2.sections.equals(plan.sections) and regrouped_2.enrollments.equals(plan.enrollments)
changes = regrouped_2.extra["group_changes"]
assert regrouped_2.summary["students_exited_on_track"] + regrouped_2.summary["students_newly_served"] > 0
assert set(changes["student_id"]) <= set(school.students["student_id"])'''),
    md("## Cycle 3: regroup again, from the regrouped plan"),
    code('''\
after_3, regrouped_3 = regroup_after(3, regrouped_2)
pn.Column(*show_regroup(regrouped_3))'''),
    check('''\
assert check_result(after_3, regrouped_3) == []
assert regrouped_3.sections.equals(plan.sections)
assert regrouped_3.summary["cycle"] == 3'''),
    md("## Who is on track, student by student\nEach student's latest level, her growth since cycle 1, the tutoring "
       "she has had so far, and whether she is on track. The students not on track come first: they are the ones "
       "the next regroup is for."),
    code('''\
progress = regrouped_3.extra["student_progress"]
latest = progress[progress["cycle"] == 3].sort_values(["on_track", "change_since_first"])
behind = latest[latest["on_track"] == 0]
Markdown(f"**{latest['on_track'].sum()} of {len(latest)}** student-subject pairs are on track after three "
         f"cycles; {behind['student_id'].nunique()} students are behind in at least one subject.")'''),
    code('''\
wn.html_table(wn.table(latest.head(40), {"student_id": "Student", "subject": "Subject", "level": "Level now",
                                         "change_since_first": "Growth since cycle 1",
                                         "tutoring_minutes_to_date": "Tutoring minutes so far",
                                         "on_track": "On track"}, yes_no_columns=["on_track"]))'''),
    code('''\
tutored = progress[progress["student_id"].isin(regrouped_3.group_members["student_id"])]
lines = alt.Chart(tutored).mark_line(opacity=0.35).encode(
    x=alt.X("cycle:O", title="assessment cycle"),
    y=alt.Y("change_since_first:Q", title="growth since cycle 1 (grade levels)"),
    detail="student_id:N",
    color=alt.Color("on_track:N", title="on track now", scale=alt.Scale(domain=[0, 1], range=["#b42318", "#1a7f37"])),
    tooltip=["student_id", "subject", "cycle", "level", "change_since_first", "tutoring_minutes_to_date"],
).properties(width=260, height=200).facet(column=alt.Column("subject:N", title=None))
wn.chart(lines)'''),
    check('''\
expected = (latest["cycle"] - 1) * on_track_growth
assert ((latest["change_since_first"] >= expected - 1e-6) == latest["on_track"].astype(bool)).all()
assert (progress.groupby(["student_id", "subject"])["tutoring_minutes_to_date"].is_monotonic_increasing).all()'''),
]

BLOCKS = [
    md("""
# 8. From a traditional day to A/B blocks, student by student

A leader asks: *what would moving our school from a traditional day to A/B blocks do to our students?* On A/B
blocks each class meets every other day for a longer block, so a student fits twice as many classes into the
blocks of a day. This notebook plans the same school twice, on its traditional day and on A/B blocks, and
compares the two designs: first the school's figures, then every student who gains or loses a course or a goal,
with the reason, and one student's week before and after. The school and both designs live in a temporary
folder; nothing of the bundled schools is changed."""),
    code(SETUP),
    md("## Your school, today\nA school is a folder of CSV tables and one `scenario.yaml`. Here it is a synthetic "
       "high school of 200 students drawn by the workbench's generator, written to a temporary folder as a school "
       "would send it; to look at your own school, copy its folder to `TRADITIONAL` instead."),
    code('''\
import tempfile
from pathlib import Path

from workbench.scenario import load_scenario
from workbench.scenario.generate import build_scenario
from workbench.scenario.model import write_scenario
from workbench.scenario.summary import describe

WORK = Path(tempfile.mkdtemp(prefix="ab-blocks-"))
TRADITIONAL = WORK / "traditional"   # your own school: shutil.copytree("path/to/your-school", TRADITIONAL)
write_scenario(build_scenario(200, 11, "high", name="Northgate High (synthetic)"), TRADITIONAL)
today = load_scenario(TRADITIONAL)
Markdown(f"```\\n{describe(today)}\\n```")'''),
    md("## 1. Plan it on its traditional day\nEvery class meets every day in the same period. `solve_scenario` "
       "plans staffing, the master schedule, small groups and the budget, and judges every student's goals."),
    code('''\
from workbench.pipeline import solve_scenario

with wn.quiet_output():
    traditional = solve_scenario(today)
day = today.settings.school
m = traditional.summary["metrics"]
Markdown(f"On its traditional day of {day.periods_per_day} periods of {day.minutes_per_period} minutes, the plan "
         f"places **{wn.percent(m['requests_fulfilled_pct'])}** of course requests and meets "
         f"**{int(traditional.student_goals['met'].sum())} of {len(traditional.student_goals)}** student goals.")'''),
    check('''\
from workbench.results.check import check_result

assert check_result(today, traditional) == []
assert "day_type" not in traditional.sections.columns, "a traditional day names no day type"'''),
    md("""
## 2. The same school on A/B blocks
The change is in `scenario.yaml`'s `school:` settings and one column of `courses.csv` (the contract's calendar,
SPEC §4): a two-week cycle of ten days, A days and B days taking turns, four 90-minute blocks and an intervention
block a day, and every course meeting on **one day type**: A days or B days, which the solve chooses section by
section. Students, requests, staff, rooms, goals and money stay as they are."""),
    code('''\
import yaml

from workbench.scenario.validate import validate_scenario

blocks = today.with_settings(**{
    "school.days": 10,                                                  # a two-week cycle
    "school.day_types": {"A": [1, 3, 5, 7, 9], "B": [2, 4, 6, 8, 10]},  # A and B days take turns
    "school.periods_per_day": 5,                                        # four blocks and an intervention block
    "school.minutes_per_period": 90,
    "school.intervention_periods": [5],
})
blocks.courses["meets"] = "one_day_type"   # each section on A days or on B days: the solve chooses

AB_BLOCKS = WORK / "ab-blocks"
write_scenario(blocks, AB_BLOCKS)
problems = validate_scenario(AB_BLOCKS)
settings = yaml.safe_load((AB_BLOCKS / "scenario.yaml").read_text(encoding="utf-8"))
Markdown(("The new folder is valid. " if not problems else f"**{len(problems)} problem(s)**: "
          + "; ".join(map(str, problems[:5])) + ". ")
         + f"Its `school:` settings now read:\\n```yaml\\n{yaml.safe_dump({'school': settings['school']}, sort_keys=False)}```")'''),
    check('''\
assert problems == [], problems
assert pd.read_csv(AB_BLOCKS / "courses.csv")["meets"].eq("one_day_type").all()'''),
    code('''\
blocks = load_scenario(AB_BLOCKS)
with wn.quiet_output():
    ab = solve_scenario(blocks)
sections_on = ab.sections["day_type"].value_counts()
Markdown(f"Planned on A/B blocks: {sections_on.get('A', 0)} sections meet on A days and {sections_on.get('B', 0)} "
         "on B days.")'''),
    check('''\
assert check_result(blocks, ab) == []
assert set(ab.sections["day_type"]) == {"A", "B"}, "every section meets on A days or on B days"
assert set(ab.sections["period"].astype(int)) <= {1, 2, 3, 4}, "no section in the intervention block"'''),
    md("## 3. The two designs side by side\nThe same measures for both designs. Planning time is "
       "each teacher's periods a week with no class, group or intervention duty; class time is how long one "
       "course meets in a week."),
    plumbing('''\
from workbench.goals.compare import compare_results, course_changes, outcomes_by_need_chart
from workbench.goals.evaluate import calendar_metrics
from workbench.goals.teachers import teacher_load
from workbench.scenario.calendar import calendar_of

DESIGNS = {"traditional day": (today, traditional), "A/B blocks": (blocks, ab)}
results = {name: result for name, (_, result) in DESIGNS.items()}
compared = compare_results(today, results, {name: scenario for name, (scenario, _) in DESIGNS.items()})
courses_moved = course_changes(today, results)
expenses = compared.costs.set_index("design")["expenses"]


def class_minutes(scenario):
    """Minutes a week one course meets: its period's minutes × its days in the cycle × 5 ÷ the cycle's days."""
    cal = calendar_of(scenario)
    return cal.minutes_per_period * min(len(days) for days in cal.types.values()) * cal.week_factor


def figures(name, scenario, result):
    m, calendar = result.summary["metrics"], calendar_metrics(scenario, result)
    load = teacher_load(scenario, result)
    day = scenario.settings.school
    return {"day minutes": day.periods_per_day * day.minutes_per_period, "periods": day.periods_per_day,
            "period minutes": day.minutes_per_period, "lunch waves": calendar_of(scenario).has_lunch,
            "requests": m["requests_fulfilled_pct"], "required": m["required_fulfilled_pct"],
            "first choices": m["first_choice_pct"], "goals met": int(result.student_goals["met"].sum()),
            "goals": len(result.student_goals), "expenses": float(expenses[name]), "lunch ok": calendar["lunch_ok"],
            "least planning": calendar["teacher_planning_minutes_min"],
            "median planning": float(load.loc[load["sections"] > 0, "planning_minutes_per_week"].median()),
            "class minutes": class_minutes(scenario), "sections": len(result.sections),
            "breaches": len(check_result(scenario, result))}


numbers = {name: figures(name, scenario, result) for name, (scenario, result) in DESIGNS.items()}
minutes = lambda v, n: f"{v:,.0f}"
ROWS = [("Length of the school day (minutes of periods and blocks)", "day minutes",
         lambda v, n: f"{n['periods']} × {n['period minutes']} = {v:,}"),
        ("Course requests placed (an alternate stands in for an elective)", "requests", lambda v, n: wn.percent(v)),
        ("Required courses placed", "required", lambda v, n: wn.percent(v)),
        ("First choices placed", "first choices", lambda v, n: wn.percent(v)),
        ("Student goals met", "goals met", lambda v, n: f"{v:,} of {n['goals']:,}"),
        ("Sections taught", "sections", lambda v, n: str(v)),
        ("Staff and supports, a year", "expenses", lambda v, n: wn.money(v)),
        *([("Lunch rule holds", "lunch ok", lambda v, n: wn.yes_no(v))]
          if any(n["lunch waves"] for n in numbers.values()) else []),   # no lunch waves: no rule to hold
        ("Least planning time of a teacher (minutes a week)", "least planning", minutes),
        ("Median planning time of a teacher (minutes a week)", "median planning", minutes),
        ("Minutes a week one course meets", "class minutes", minutes),
        ("Hard rules broken (independent checker)", "breaches", lambda v, n: str(v))]
side_by_side = pd.DataFrame([{"measure": label, **{name: show(n[key], n) for name, n in numbers.items()}}
                             for label, key, show in ROWS])'''),
    code('''\
wn.table(side_by_side, {"measure": "", **{name: name[0].upper() + name[1:] for name in DESIGNS}})'''),
    check('''\
assert all(n["breaches"] == 0 for n in numbers.values())
assert numbers["A/B blocks"]["class minutes"] == 90 * 5 * 0.5
assert numbers["A/B blocks"]["goals met"] == int(compared.designs_summary.set_index("design").loc["A/B blocks", "goals met"])'''),
    md("""
## 4. Student by student
Averages hide people. Here is every student whose plan differs between the two designs: each course she gains or
loses (a required course, an elective, or an alternate, the stand-in she named in case an elective could not be
placed) and each of her goals newly met or no longer met, with the reason the design gives. A student is **better
off** when she gains a required course, an elective or a goal and loses none, **worse off** the other way round;
an alternate traded for her first choice does not count against her."""),
    plumbing('''\
import numpy as np

from workbench.goals.students import student_needs, timetable_grid

KIND = {1: "required", 2: "elective", 3: "alternate"}
goal_moves = compared.changes[compared.changes["design"] == "A/B blocks"]
goal_moves = pd.DataFrame({
    "student_id": goal_moves["student_id"], "kind": "goal", "change": goal_moves["change"], "counts": True,
    "what": (goal_moves["goal"].str.replace("_", " ") + ": "
             + (goal_moves["subject"].fillna("").astype(str) + " " + goal_moves["target"].astype(str)).str.strip()),
    "reason": goal_moves["reason"]})
course_moves = pd.DataFrame({
    "student_id": courses_moved["student_id"], "kind": "course", "change": courses_moved["change"],
    "counts": courses_moved["priority"].isin([1, 2]),
    "what": courses_moved["course"] + " (" + courses_moved["priority"].map(KIND).fillna("not requested") + ")",
    "reason": courses_moved["reason"]})
moves = pd.concat([course_moves, goal_moves], ignore_index=True)
tally = (moves[moves["counts"]].groupby(["student_id", "change"]).size().unstack(fill_value=0)
         .reindex(columns=["gained", "lost"], fill_value=0))
tally["verdict"] = np.select([(tally["gained"] > 0) & (tally["lost"] == 0), (tally["lost"] > 0) & (tally["gained"] == 0)],
                             ["better off", "worse off"], "both")
ORDER = {"worse off": 0, "both": 1, "better off": 2}
moves["verdict"] = moves["student_id"].map(tally["verdict"]).fillna("unchanged")
moves = moves.sort_values(["verdict", "student_id", "kind", "change"], key=lambda c: c.map(ORDER).fillna(3)
                          if c.name == "verdict" else c, kind="stable").reset_index(drop=True)
verdicts = tally["verdict"].value_counts().reindex(["better off", "worse off", "both"], fill_value=0)
students_total = len(today.students)'''),
    code('''\
display(Markdown(f"Of {students_total} students, **{verdicts['worse off']} are worse off** on A/B blocks, "
                 f"**{verdicts['better off']} better off** and {verdicts['both']} gain something and lose something; "
                 f"the other {students_total - len(tally)} keep every required course, elective and goal they had."))
wn.table(moves, {"student_id": "Student", "verdict": "On A/B blocks", "change": "Change", "kind": "Of",
                 "what": "What", "reason": "Why (as the A/B design gives it)"})'''),
    check('''\
assert verdicts.sum() == len(tally) == moves.loc[moves["counts"], "student_id"].nunique()
lost_asked = courses_moved[(courses_moved["change"] == "lost") & courses_moved["priority"].isin([1, 2])]
assert (lost_asked["reason"] != "").all(), "every course a student asked for and lost says why"
assert len(goal_moves) == int(compared.designs_summary.set_index("design").loc["A/B blocks", "goals gained"]) + int(
    compared.designs_summary.set_index("design").loc["A/B blocks", "goals lost"])'''),
    md("## One student's week, before and after\nPick a student (those worse off come first): her traditional day "
       "beside her A day and her B day, and what changes for her."),
    plumbing('''\
def labelled(grid, scenario, word):
    """The grid with its periods named ("block 2", "period 8 (intervention)")."""
    intervention = set(scenario.settings.school.intervention_periods)
    return grid.assign(period=[f"{word} {p}" + (" (intervention)" if p in intervention else "") for p in grid["period"]])


def show_student(student):
    mine = moves[moves["student_id"] == student]
    before = labelled(timetable_grid(today, traditional, student), today, "period")
    after = labelled(timetable_grid(blocks, ab, student), blocks, "block")
    minutes = f"{today.settings.school.minutes_per_period} min"
    return [wn.sentence(f"{student_needs(today, student)}: **{tally['verdict'].get(student, 'unchanged')}** on A/B "
                        "blocks."),
            wn.html_table(wn.table(mine, {"change": "Change", "kind": "Of", "what": "What", "reason": "Why"})),
            pn.Row(wn.html_table(wn.table(before, {"period": "", "every day": f"Traditional day ({minutes})"})),
                   wn.html_table(wn.table(after, {"period": "", "A days": "A day (90 min)", "B days": "B day (90 min)"})),
                   sizing_mode="stretch_width")]


picked = list(tally.sort_values("verdict", key=lambda v: v.map(ORDER), kind="stable").index)'''),
    code('''\
student = pn.widgets.Select(label="Student", options={f"{s} ({tally['verdict'][s]})": s for s in picked},
                            value=picked[0], width=260)
week = wn.WhatIf(lambda student: student, show_student, student=student)
week'''),
    check('''\
one = week.result
after = timetable_grid(blocks, ab, one)
taken = set(ab.sections.loc[ab.sections["section_id"].isin(ab.enrollments.loc[ab.enrollments["student_id"] == one,
                                                                              "section_id"]), "course_id"])
names = set(blocks.courses.set_index("course_id").loc[sorted(taken), "name"])
shown = set(after["A days"]) | set(after["B days"])
assert list(after.columns) == ["period", "A days", "B days"] and names <= shown, (names, shown)
assert list(timetable_grid(today, traditional, one).columns) == ["period", "every day"]'''),
    md("## By need\nFor English learners, students with an IEP, low-income students and those furthest below grade: "
       "how many end each design with no goal met, some, or all."),
    code('''\
wn.chart(outcomes_by_need_chart(compared, width=420))'''),
    md("## What it adds up to\nThe same figures, in words (written from the numbers above, so they change with "
       "the school)."),
    code('''\
t, b = numbers["traditional day"], numbers["A/B blocks"]
asked = courses_moved[courses_moved["priority"].isin([1, 2])]
lost_courses, gained_courses = (asked["change"] == "lost").sum(), (asked["change"] == "gained").sum()
lost_goals = goal_moves[goal_moves["change"] == "lost"]
gained_goals = (goal_moves["change"] == "gained").sum()
kinds = lost_goals["what"].str.split(":").str[0].value_counts()
mostly = (" — mostly " + " and ".join(f"{k} ({n})" for k, n in kinds.head(2).items())) if len(kinds) else ""
more = lambda a, z, unit: (f"the same {unit}" if round(a) == round(z) else
                          f"{abs(z - a):,.0f} {'more' if z > a else 'fewer'} {unit}")
longer = b["day minutes"] - t["day minutes"]
day_words = (f"The A/B day is {b['periods']} blocks of {b['period minutes']} minutes, {b['day minutes']:,} minutes, "
             f"against {t['periods']} periods of {t['period minutes']} minutes, {t['day minutes']:,}, on the "
             "traditional day" + (f": {abs(longer):,} minutes {'longer' if longer > 0 else 'shorter'}, so some of "
                                  "what the blocks change comes from a day of a different length" if longer else ""))
lines = [
    f"- **Courses.** On A/B blocks {wn.percent(b['requests'])} of course requests are placed (traditional day: "
    f"{wn.percent(t['requests'])}), counting an alternate placed instead of an elective as placed. First choices "
    f"are what students lose: {wn.percent(b['first choices'])} of them are placed (traditional day: "
    f"{wn.percent(t['first choices'])}); students lose {lost_courses} required or elective courses they asked for "
    f"and gain {gained_courses}.",
    f"- **Goals.** {b['goals met']:,} of {b['goals']:,} student goals are met, against {t['goals met']:,} on the "
    f"traditional day: {gained_goals} newly met, {len(lost_goals)} no longer met{mostly}.",
    f"- **Students.** {verdicts['worse off']} students are worse off, {verdicts['better off']} better off and "
    f"{verdicts['both']} both; {students_total - len(tally)} keep every required course, elective and goal.",
    f"- **Money.** Against the traditional day, the A/B design "
    f"{compared.costs.set_index('design').loc['A/B blocks', 'against the baseline']}.",
    f"- **The day.** {day_words}.",
    f"- **Teachers.** The teacher with the least planning time has {b['least planning']:,.0f} minutes a week "
    f"instead of {t['least planning']:,.0f}; the median teacher {b['median planning']:,.0f} instead of "
    f"{t['median planning']:,.0f}.",
    f"- **Class time.** Each course meets {b['class minutes']:,.0f} minutes a week instead of "
    f"{t['class minutes']:,.0f}, in half as many, longer meetings."]
net = (b["goals met"] - t["goals met"]) + (gained_courses - lost_courses)
if net < 0 and verdicts["worse off"] > verdicts["better off"]:
    verdict = (f"**On these numbers, A/B blocks would serve this school's students less well than its traditional "
               f"day**: {more(t['goals met'], b['goals met'], 'goals')} are met and {verdicts['worse off']} students "
               f"are worse off, against {verdicts['better off']} better off"
               + (f". What the blocks buy is teachers' time: {more(t['median planning'], b['median planning'], 'minutes')} "
                  "of planning a week for the median teacher"
                  + (f", on a day {longer:,} minutes longer ({b['day minutes']:,} against {t['day minutes']:,})"
                     if longer > 0 else "") if b["median planning"] > t["median planning"] else "")
               + ". Before deciding, read the reasons of the students worse off above: they say what to change "
               "(another section, a tutor's hours, a class-size cap) for the blocks to keep what today's day gives.")
elif net > 0 and verdicts["better off"] > verdicts["worse off"]:
    verdict = (f"**On these numbers, A/B blocks would serve this school's students better than its traditional "
               f"day**: {more(t['goals met'], b['goals met'], 'goals')} are met and {verdicts['better off']} students "
               f"are better off, against {verdicts['worse off']} worse off. The students worse off above are the "
               "ones to plan for before the move.")
else:
    verdict = (f"**On these numbers, moving to A/B blocks is a trade-off, not a gain**: "
               f"{verdicts['better off']} students are better off and {verdicts['worse off']} worse off. Whether it "
               "is worth it turns on the students above and on what the teachers' planning time is for.")
conclusion = "\\n".join(lines) + "\\n\\n" + verdict
Markdown(conclusion)'''),
    check('''\
assert f"{b['goals met']:,} of {b['goals']:,}" in conclusion and f"{t['goals met']:,} on the" in conclusion
assert str(verdicts["worse off"]) in conclusion and "On these numbers" in conclusion
assert f"{b['day minutes']:,} minutes" in conclusion and f"{t['day minutes']:,}" in conclusion
assert ("Lunch rule holds" in set(side_by_side["measure"])) == any(n["lunch waves"] for n in numbers.values())'''),
]

NOTEBOOKS = {
    "01-tour.ipynb": TOUR,
    "02-staffing-what-if.ipynb": STAFFING,
    "03-tutoring-groups.ipynb": GROUPS,
    "04-comparing-designs.ipynb": COMPARE,
    "05-central-office-review.ipynb": REVIEW,
    "06-district-review.ipynb": DISTRICT,
    "07-assessment-cycle.ipynb": CYCLE,
    "08-traditional-to-ab-blocks.ipynb": BLOCKS,
}


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        for index, cell in enumerate(cells):   # stable ids: regenerating changes only what was edited
            cell.id = f"{name[:2]}-{index:02d}"
        nb = new_notebook(cells=cells, metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"}})
        nbformat.write(nb, HERE / name)
        print("wrote", name)


if __name__ == "__main__":
    main()
