"""Compare designs student by student: who gains which goal, who loses which, and at what cost.

Averages hide the students a design leaves behind, so every view here is built from per-student rows:
the first design is the baseline, each other design is judged against it, and the views by need show
how many students in each group end with no goal met at all.

What the goals cost is worked out once, in `cost_per_goal`: each design's expenses per goal met, and each
design against the baseline, the extra cost per extra goal met, or in words when a ratio would mislead
("costs $3,739 more and meets 8 fewer goals"). The CLI, its CSV and HTML, the app and the notebooks all
read that one table (`Comparison.costs`, also merged into `designs_summary`) and its sentences
(`cost_sentences`).

Beside the students, what each design asks of the adults (`adult_view`, `Comparison.adults`): the least and
the median planning time a week of the teachers who teach, their mean students and their most preps, worked
out from each result's sections and staffing (`goals.teachers.teacher_load`), so any result compares, old or
new, plain week or calendar.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import altair as alt
import numpy as np
import pandas as pd

from workbench.goals.evaluate import evaluate_goals
from workbench.goals.report import Page
from workbench.goals.teachers import teacher_load
from workbench.plan.money import money_of
from workbench.scenario.model import Scenario
from workbench.verify.result import Result

KEY = ["student_id", "goal", "subject", "target"]


@dataclass
class Comparison:
    designs: list[str]                 # names, baseline first
    goals: pd.DataFrame                # one row per goal: KEY + met_<design> + provided_<design> + reason_<design>
    students: pd.DataFrame             # one row per student with goals: met_<design>, change_<design>
    changes: pd.DataFrame              # long: design, student_id, goal, subject, target, change, was, now, reason
    designs_summary: pd.DataFrame      # one row per design
    by_need: pd.DataFrame              # design × need group: distribution of goals met per student
    left_behind: pd.DataFrame = field(default_factory=pd.DataFrame)   # students with no goal met, per design
    costs: pd.DataFrame = field(default_factory=pd.DataFrame)         # cost_per_goal: one row per design
    adults: pd.DataFrame = field(default_factory=pd.DataFrame)        # adult_view: one row per design


def need_groups(scenario: Scenario) -> dict[str, pd.Series]:
    """Boolean masks over students.csv for the groups a district asks about first. "Furthest below grade"
    is the quarter of students with the largest gap between grade and their lower of math and reading level."""
    s = scenario.students
    gap = s["grade"].astype(float) - np.fmin(s["math_level"].astype(float), s["reading_level"].astype(float))
    cut = gap.quantile(0.75) if gap.notna().any() else np.inf
    groups = {
        "all students": pd.Series(True, index=s.index),
        "English learners": s["ell"].astype(int) == 1,
        "students with an IEP": s["iep"].astype(int) == 1,
        "low income": s["frl"].astype(int) == 1,
        "furthest below grade": (gap >= cut) & (gap > 0),
    }
    return {name: pd.Series(mask.to_numpy(), index=s["student_id"].astype(str)) for name, mask in groups.items()}


def _expenses(result: Result) -> float:
    amount = pd.to_numeric(result.budget["amount"], errors="coerce").fillna(0)
    return float(amount[result.budget["kind"] == "expense"].sum())


COST_COLUMNS = ["design", "expenses", "goals met", "cost per goal met", "extra cost", "extra goals met",
                "cost per extra goal met", "against the baseline"]


def _goals(n: int, which: str = "") -> str:
    """`1 goal`, `8 fewer goals`."""
    return f"{n:,} {which + ' ' if which else ''}goal" + ("" if n == 1 else "s")


def _in_words(extra_cost: float, extra_goals: int) -> str:
    """A design against the baseline in a sentence, with the ratio only where it means what it says."""
    dollars = round(extra_cost)
    cost = ("costs the same" if dollars == 0 else
            f"costs ${abs(dollars):,} {'more' if dollars > 0 else 'less'}")
    goals = ("meets the same number of goals" if extra_goals == 0 else
             f"meets {_goals(abs(extra_goals), 'more' if extra_goals > 0 else 'fewer')}")
    if dollars > 0 and extra_goals > 0:
        return f"{cost} and {goals}: ${extra_cost / extra_goals:,.0f} per extra goal met"
    if dollars < 0 and extra_goals < 0:
        return f"{cost} and {goals}: it saves ${extra_cost / extra_goals:,.0f} per goal given up"
    return f"{cost} and {goals}"


def cost_per_goal(expenses: Mapping[str, float], goals_met: Mapping[str, int]) -> pd.DataFrame:
    """What each design's goals cost, the first design being the baseline. One row per design, in order:
    expenses (dollars a year), goals met, cost per goal met (expenses ÷ goals met, dollars per goal met per
    year; blank when no goal is met); then against the baseline (blank for the baseline itself): extra cost
    (dollars a year), extra goals met, cost per extra goal met (blank unless the design meets more goals for
    more or the same money: a ratio of a saving, or of a cost for fewer goals, would read as a price), and
    `against the baseline` in words, never blank ("costs $3,739 more and meets 8 fewer goals").
    Raises ValueError when a design has expenses but no goals count, or the other way round."""
    if list(expenses) != list(goals_met):
        raise ValueError("cost_per_goal needs the expenses and the goals met of the same designs, in one order")
    names = list(expenses)
    rows = []
    for name in names:
        spent, met = float(expenses[name]), int(goals_met[name])
        row = {"design": name, "expenses": round(spent, 2), "goals met": met,
               "cost per goal met": round(spent / met, 2) if met > 0 else None}
        if name == names[0]:
            row["against the baseline"] = "baseline"
        else:
            extra_cost = spent - float(expenses[names[0]])
            extra = met - int(goals_met[names[0]])
            row.update({"extra cost": round(extra_cost, 2), "extra goals met": extra,
                        "cost per extra goal met": round(extra_cost / extra, 2) if extra > 0 and extra_cost >= 0
                        else None,
                        "against the baseline": _in_words(extra_cost, extra)})
        rows.append(row)
    frame = pd.DataFrame(rows, columns=COST_COLUMNS)
    frame["extra goals met"] = _whole(frame["extra goals met"])
    return frame


def _whole(counts: pd.Series) -> pd.Series:
    """Counts blank for the baseline: whole numbers or None (a CSV shows 7 and an empty cell, not 7.0)."""
    return pd.Series([None if pd.isna(v) else int(v) for v in counts], index=counts.index, dtype=object)


def cost_sentences(costs: pd.DataFrame) -> list[str]:
    """`cost_per_goal`'s table as sentences, one per design: what a goal met costs, and against the baseline."""
    base = costs["design"].iloc[0]
    lines = []
    for row in costs.to_dict("records"):
        each = ("no goal met" if pd.isna(row["cost per goal met"]) else
                f"${row['cost per goal met']:,.0f} per goal met")
        line = f"{row['design']}: {each} (${row['expenses']:,.0f} a year for {_goals(row['goals met'])} met)"
        if row["design"] != base:
            line += f"; against {base} it {row['against the baseline']}"
        lines.append(line + ".")
    return lines


def _keyed(goals: pd.DataFrame) -> pd.DataFrame:
    out = goals.copy()
    out[KEY] = out[KEY].astype(str)
    out["nth"] = out.groupby(KEY).cumcount()   # a student may hold the same goal twice
    return out


def compare_results(scenario: Scenario, results: dict[str, Result],
                    scenarios: dict[str, Scenario] | None = None) -> Comparison:
    """Judge every design by the baseline scenario's students (each design by its own scenario's goals when
    given, for designs made from a variant of the scenario)."""
    names = list(results)
    base = names[0]
    merged: pd.DataFrame | None = None
    for name, result in results.items():
        own = (scenarios or {}).get(name, scenario)
        g = _keyed(evaluate_goals(own, result))[KEY + ["nth", "met", "provided", "reason"]]
        g = g.rename(columns={"met": f"met_{name}", "provided": f"provided_{name}", "reason": f"reason_{name}"})
        merged = g if merged is None else merged.merge(g, on=KEY + ["nth"], how="outer")
    goals = merged.drop(columns="nth")
    met_cols = [f"met_{n}" for n in names]
    goals[met_cols] = goals[met_cols].fillna(0).astype(int)

    students = goals.groupby("student_id")[met_cols].sum()
    students.insert(0, "goals", goals.groupby("student_id").size())
    change_rows = []
    for name in names[1:]:
        diff = students[f"met_{name}"] - students[f"met_{base}"]
        students[f"change_{name}"] = np.select([diff > 0, diff < 0], ["better off", "worse off"], "unchanged")
        delta = goals[f"met_{name}"] - goals[f"met_{base}"]
        moved = goals[delta != 0]
        change_rows.append(pd.DataFrame({
            "design": name, "student_id": moved["student_id"], "goal": moved["goal"], "subject": moved["subject"],
            "target": moved["target"], "change": np.where(delta[delta != 0] > 0, "gained", "lost"),
            f"was ({base})": moved[f"provided_{base}"], "now": moved[f"provided_{name}"],
            "reason": np.where(delta[delta != 0] > 0, "", moved[f"reason_{name}"]),
        }))
    changes = (pd.concat(change_rows, ignore_index=True) if change_rows
               else pd.DataFrame(columns=["design", "student_id", "goal", "subject", "target", "change"]))
    students = students.reset_index()

    costs = cost_per_goal({n: _expenses(r) for n, r in results.items()},
                          {n: int(goals[f"met_{n}"].sum()) for n in names})
    rows, result_of = [], results
    for name in names:
        met = int(goals[f"met_{name}"].sum())
        figures = money_of(result_of[name], (scenarios or {}).get(name, scenario))
        row = {"design": name, "goals met": met, "goals met %": round(100 * met / max(len(goals), 1), 1),
               "students with no goal met": int((students[f"met_{name}"] == 0).sum()),
               "recurring balance": figures.recurring_balance, "balance this year": figures.this_year_balance}
        if name != base:
            row.update({
                "better off": int((students[f"change_{name}"] == "better off").sum()),
                "worse off": int((students[f"change_{name}"] == "worse off").sum()),
                "unchanged": int((students[f"change_{name}"] == "unchanged").sum()),
                "goals gained": int((changes.loc[changes["design"] == name, "change"] == "gained").sum()),
                "goals lost": int((changes.loc[changes["design"] == name, "change"] == "lost").sum()),
            })
        rows.append(row)
    summary = pd.DataFrame(rows).merge(costs.drop(columns="goals met"), on="design", how="left")
    for column in COUNTS:
        if column in summary:
            summary[column] = _whole(summary[column])
    adults = adult_view({n: ((scenarios or {}).get(n, scenario), r) for n, r in results.items()})
    return Comparison(names, goals, students, changes, summary, _by_need(scenario, students, names),
                      _left_behind(scenario, students, names), costs, adults)


ADULT_COLUMNS = ["design", "teachers teaching", "least planning min/week", "median planning min/week",
                 "mean students per teacher", "most preps"]


def adult_view(designs: Mapping[str, tuple[Scenario, Result]]) -> pd.DataFrame:
    """What each design (name -> (its scenario, its result)) costs the adults, one row per design in order,
    ADULT_COLUMNS: the teachers who teach or co-teach a section; the least and the median weekly planning time
    among them (minutes a week: periods with no section, group or intervention duty, `teacher_load`'s
    planning_minutes_per_week); the mean number of distinct students each teaches; the most preps (distinct
    courses) any one has. Blank figures for a design in which nobody teaches. Recomputed from the result's
    sections and staffing, never read from teacher_load.csv, so results written before it existed compare."""
    rows = []
    for name, (scenario, result) in designs.items():
        load = teacher_load(scenario, result)
        teaching = load[load["sections"] > 0]
        minutes = teaching["planning_minutes_per_week"].astype(float)
        some = not teaching.empty
        rows.append({"design": name, "teachers teaching": len(teaching),
                     "least planning min/week": round(float(minutes.min()), 1) if some else None,
                     "median planning min/week": round(float(minutes.median()), 1) if some else None,
                     "mean students per teacher": round(float(teaching["students"].mean()), 1) if some else None,
                     "most preps": int(teaching["preps"].max()) if some else None})
    return pd.DataFrame(rows, columns=ADULT_COLUMNS)


def adult_sentences(adults: pd.DataFrame) -> list[str]:
    """`adult_view`'s table as sentences, one per design, for the terminal and the HTML report."""
    lines = []
    for row in adults.to_dict("records"):
        if not row["teachers teaching"]:
            lines.append(f"{row['design']}: nobody teaches a section.")
            continue
        least, median = row["least planning min/week"], row["median planning min/week"]
        lines.append(f"{row['design']}: {row['teachers teaching']} teachers; the least planning time is "
                     f"{least:,.0f} minutes a week (median {median:,.0f}); "
                     f"{row['mean students per teacher']:,.1f} students per teacher on average; at most "
                     f"{row['most preps']} preps.")
    return lines


def _left_behind(scenario: Scenario, students: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Every student a design leaves with no goal met, with their needs and how the baseline served them."""
    groups = need_groups(scenario)
    base = names[0]
    rows = []
    for name in names:
        zero = students[students[f"met_{name}"] == 0]
        for r in zero.to_dict("records"):   # design names need not be Python identifiers
            sid = r["student_id"]
            needs = [g for g, mask in groups.items() if g != "all students" and bool(mask.get(sid, False))]
            rows.append({"design": name, "student_id": sid, "goals": int(r["goals"]),
                         f"met in {base}": int(r[f"met_{base}"]), "needs": "; ".join(needs)})
    return pd.DataFrame(rows, columns=["design", "student_id", "goals", f"met in {base}", "needs"])


def _by_need(scenario: Scenario, students: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    rows = []
    per = students.set_index("student_id")
    for group, mask in need_groups(scenario).items():
        members = per[per.index.isin(mask[mask].index)]
        for name in names:
            met = members[f"met_{name}"]
            share = met / members["goals"].where(members["goals"] > 0)
            rows.append({
                "group": group, "design": name, "students with goals": len(members),
                "no goal met": int((met == 0).sum()), "some met": int(((met > 0) & (share < 1)).sum()),
                "all met": int((share == 1).sum()),
                "share with no goal met %": round(100 * float((met == 0).mean()), 1) if len(members) else 0.0,
                "goals met %": round(100 * met.sum() / max(int(members["goals"].sum()), 1), 1),
                "better off": int((members.get(f"change_{name}", pd.Series(dtype=str)) == "better off").sum()),
                "worse off": int((members.get(f"change_{name}", pd.Series(dtype=str)) == "worse off").sum()),
            })
    return pd.DataFrame(rows)


COURSE_CHANGE_COLUMNS = ["design", "student_id", "course_id", "course", "priority", "change", "reason"]
ALTERNATE_LOST = "an alternate (priority 3), taken only in place of a first-choice elective"


def course_changes(scenario: Scenario, results: Mapping[str, Result]) -> pd.DataFrame:
    """Every course a student takes in one design and not in the baseline (the first design), or the other
    way round: one row per (design, student, course), COURSE_CHANGE_COLUMNS, in design, student and course
    order. `change` is `gained` or `lost`; `priority` is the request's (1 required, 2 elective, 3 alternate;
    blank for a course nobody asked for); a lost course's `reason` is the design's own, from its
    unplaced_requests table, or says that an alternate is only a stand-in. Goals alone miss these: a student
    who loses her elective under a new bell schedule may hold no goal about it."""
    names = list(results)
    base = names[0]
    courses = scenario.courses.assign(course_id=scenario.courses["course_id"].astype(str))
    name_of = courses.drop_duplicates("course_id").set_index("course_id")["name"].astype(str)
    requests = scenario.requests.astype({"student_id": str, "course_id": str})
    priority = requests.drop_duplicates(["student_id", "course_id"]).set_index(["student_id", "course_id"])["priority"]
    taken = {name: _courses_taken(result) for name, result in results.items()}
    rows = []
    for name in names[1:]:
        reasons = _unplaced_reasons(results[name])
        for change, have, lack in (("gained", taken[name], taken[base]), ("lost", taken[base], taken[name])):
            moved = have.merge(lack, how="left", indicator=True)
            moved = moved[moved["_merge"] == "left_only"]
            for student, course in zip(moved["student_id"], moved["course_id"], strict=True):
                asked = priority.get((student, course))
                why = "" if change == "gained" else reasons.get((student, course)) or (
                    ALTERNATE_LOST if asked is not None and int(asked) == 3 else "")
                rows.append({"design": name, "student_id": student, "course_id": course,
                             "course": name_of.get(course, course), "priority": None if asked is None else int(asked),
                             "change": change, "reason": why})
    out = pd.DataFrame(rows, columns=COURSE_CHANGE_COLUMNS)
    out["priority"] = _whole(out["priority"])
    order = {name: i for i, name in enumerate(names)}
    out = out.sort_values(["design", "student_id", "course_id"], key=lambda c: c.map(order) if c.name == "design"
                          else c, kind="stable")
    return out.reset_index(drop=True)


def _courses_taken(result: Result) -> pd.DataFrame:
    """(student_id, course_id) of every enrollment, once each, as strings."""
    sections = result.sections[["section_id", "course_id"]].astype(str)
    enrolled = result.enrollments[["student_id", "section_id"]].astype(str).merge(sections, on="section_id")
    return enrolled[["student_id", "course_id"]].drop_duplicates().reset_index(drop=True)


def _unplaced_reasons(result: Result) -> dict[tuple[str, str], str]:
    """(student_id, course_id) -> the design's reason for leaving that request unplaced."""
    unplaced = result.extra.get("unplaced_requests")
    if unplaced is None or unplaced.empty or "reason" not in unplaced.columns:
        return {}
    return {(str(s), str(c)): str(r) for s, c, r in zip(unplaced["student_id"], unplaced["course_id"],
                                                         unplaced["reason"].fillna(""), strict=True)}


# ---- reading results from disk --------------------------------------------------------------------------------

MONEY = ("recurring balance", "balance this year", "expenses", "cost per goal met", "extra cost",
         "cost per extra goal met")
COUNTS = ("better off", "worse off", "unchanged", "goals gained", "goals lost")   # blank for the baseline


def _dollars(value, signed: bool = False) -> str:
    if value is None or pd.isna(value):
        return ""
    sign = ("+" if value > 0 else "−" if value < 0 else "") if signed else ("−" if value < 0 else "")
    return f"{sign}${abs(value):,.0f}"


def money_view(summary: pd.DataFrame) -> pd.DataFrame:
    """The designs summary for reading: dollar columns as `$7,264` (extra cost signed); a design with no
    meaningful cost per extra goal shows `—`, its sentence in `against the baseline` says why."""
    shown = summary.copy()
    for column in MONEY:
        if column in shown:
            shown[column] = [_dollars(v, signed=column == "extra cost") for v in shown[column]]
    if "cost per extra goal met" in shown:
        compared = np.arange(len(shown)) > 0   # the baseline is the first row
        shown.loc[compared & (shown["cost per extra goal met"] == ""), "cost per extra goal met"] = "—"
    for column in (*COUNTS, "extra goals met"):
        if column in shown:
            shown[column] = shown[column].where(shown[column].notna(), "")
    return shown


OUTCOMES = ["no goal met", "some met", "all met"]


def outcomes_by_need_chart(comparison: Comparison, width: int = 480) -> alt.Chart:
    """The comparison's one chart of who is left behind: for each group of students (all, English learners,
    IEP, low income… as in `Comparison.by_need`) a bar per design, split into the share of students with no
    goal met, some met and all met. The app's Compare page, the HTML comparison and the notebooks draw this
    one definition. `width` in pixels; each design's bar is 22 px high."""
    c = comparison
    long = c.by_need.melt(id_vars=["group", "design"], value_vars=OUTCOMES, var_name="outcome",
                          value_name="students")
    long["rank"] = long["outcome"].map({outcome: rank for rank, outcome in enumerate(OUTCOMES)})
    return alt.Chart(long).mark_bar().encode(
        x=alt.X("students:Q", stack="normalize", title="share of students", axis=alt.Axis(format="%")),
        y=alt.Y("design:N", title=None, sort=list(c.designs)),
        color=alt.Color("outcome:N", sort=OUTCOMES, scale=alt.Scale(range=["#b42318", "#f2b705", "#1a7f37"])),
        order=alt.Order("rank:Q"),
        row=alt.Row("group:N", title=None, sort=list(dict.fromkeys(c.by_need["group"])),
                    header=alt.Header(labelAngle=0, labelAlign="left")),
        tooltip=["group", "design", "outcome", "students"],
    ).properties(width=width, height=22 * len(c.designs))


def compare_html(comparison: Comparison, title: str = "Comparing designs, student by student") -> str:
    """The comparison as one self-contained page: summary, outcome distributions by need, every change."""
    c = comparison
    page = Page(title)
    page.text(f"Baseline: {c.designs[0]}. Compared: {', '.join(c.designs[1:])}.")
    page.heading("Cost per goal met")
    page.text("Expenses a year ÷ goals met; against the baseline, the extra cost per extra goal met.")
    for line in cost_sentences(c.costs):
        page.text(line)
    page.table(money_view(c.designs_summary))
    page.heading("What each design asks of the teachers")
    page.text("Planning time is a teacher's periods with no section, group or intervention duty, in minutes a "
              "week; preps are the distinct courses a teacher teaches. Teachers who teach no section are left out.")
    for line in adult_sentences(c.adults):
        page.text(line)
    page.table(c.adults)
    page.heading("Goals met per student, by need")
    page.text("Each bar counts students: how many end with no goal met, some, or all of their goals.")
    page.chart(outcomes_by_need_chart(c, width=600))
    page.table(c.by_need)
    page.heading("Students left with no goal met")
    page.text("Each design's students whose plan it meets in no part, with their needs; the third column says "
              "how many of their goals the baseline met.")
    page.table(c.left_behind, max_rows=300)
    if len(c.designs) > 1:
        page.heading("Who gains and who loses")
        counts = c.changes.groupby(["design", "goal", "change"]).size().rename("goals").reset_index()
        if not counts.empty:
            page.chart(alt.Chart(counts).mark_bar().encode(
                x=alt.X("goals:Q"), y=alt.Y("goal:N", title=None), color=alt.Color(
                    "change:N", scale=alt.Scale(domain=["gained", "lost"], range=["#1a7f37", "#b42318"])),
                row=alt.Row("design:N", title=None), tooltip=["design", "goal", "change", "goals"],
            ).properties(width=500))
        page.table(c.changes, max_rows=500)
    return page.render()
