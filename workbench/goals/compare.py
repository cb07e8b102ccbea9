"""Compare designs student by student: who gains which goal, who loses which, and at what cost.

Averages hide the students a design leaves behind, so every view here is built from per-student rows:
the first design is the baseline, each other design is judged against it, and the views by need show
how many students in each group end with no goal met at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from workbench.console import fail_with
from workbench.errors import Problem, ScenarioInvalid
from workbench.goals.evaluate import evaluate_goals
from workbench.goals.report import Page
from workbench.results.io import Result, read_result
from workbench.scenario.model import Scenario

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

    expenses = {n: _expenses(r) for n, r in results.items()}
    rows = []
    for name in names:
        met = int(goals[f"met_{name}"].sum())
        row = {"design": name, "goals met": met, "goals met %": round(100 * met / max(len(goals), 1), 1),
               "students with no goal met": int((students[f"met_{name}"] == 0).sum()),
               "expenses": round(expenses[name], 2)}
        if name != base:
            extra = met - int(goals[f"met_{base}"].sum())
            cost = expenses[name] - expenses[base]
            row.update({
                "better off": int((students[f"change_{name}"] == "better off").sum()),
                "worse off": int((students[f"change_{name}"] == "worse off").sum()),
                "unchanged": int((students[f"change_{name}"] == "unchanged").sum()),
                "goals gained": int((changes.loc[changes["design"] == name, "change"] == "gained").sum()),
                "goals lost": int((changes.loc[changes["design"] == name, "change"] == "lost").sum()),
                "extra cost": round(cost, 2),
                "cost per additional goal met": round(cost / extra, 2) if extra > 0 else None,
            })
        rows.append(row)
    summary = pd.DataFrame(rows)
    return Comparison(names, goals, students, changes, summary, _by_need(scenario, students, names),
                      _left_behind(scenario, students, names))


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


# ---- reading results from disk --------------------------------------------------------------------------------

def load_designs(paths: list[Path], scenario_path: Path | None = None
                 ) -> tuple[Scenario, dict[str, Result], dict[str, Scenario]]:
    """Read the result folders and the scenario each was made from (summary.json's scenario_path, or the
    one given). Raises ScenarioInvalid with plain problems."""
    from workbench.scenario.validate import load_scenario

    results: dict[str, Result] = {}
    for path in paths:
        name = Path(path).name or str(path)
        while name in results:
            name += "'"
        results[name] = read_result(path)
    scenarios: dict[str, Scenario] = {}
    cache: dict[str, Scenario] = {}
    for name, result in results.items():
        where = scenario_path or result.summary.get("scenario_path")
        if not where:
            raise ScenarioInvalid([Problem(f"{result.path}/summary.json", None, "scenario_path",
                                           "does not say which scenario this result was made from",
                                           "pass --scenario <folder>")])
        key = str(Path(where).resolve())
        if key not in cache:
            cache[key] = load_scenario(where)
        scenarios[name] = cache[key]
    base = next(iter(scenarios.values()))
    return base, results, scenarios


def _rich_table(title: str, frame: pd.DataFrame) -> Table:
    table = Table(title=title, title_justify="left")
    for column in frame.columns:
        table.add_column(str(column), justify="right" if pd.api.types.is_numeric_dtype(frame[column]) else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*[_cell(v) for v in row])
    return table


def _cell(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, float | np.floating):
        return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"
    return str(v)


def compare_html(comparison: Comparison, title: str = "Comparing designs, student by student") -> str:
    """The comparison as one self-contained page: summary, outcome distributions by need, every change."""
    c = comparison
    page = Page(title)
    page.text(f"Baseline: {c.designs[0]}. Compared: {', '.join(c.designs[1:])}.")
    page.heading("Designs")
    page.table(c.designs_summary)
    page.heading("Goals met per student, by need")
    page.text("Each bar counts students: how many end with no goal met, some, or all of their goals.")
    long = c.by_need.melt(id_vars=["group", "design"], value_vars=["no goal met", "some met", "all met"],
                          var_name="outcome", value_name="students")
    long["rank"] = long["outcome"].map({"no goal met": 0, "some met": 1, "all met": 2})
    page.chart(alt.Chart(long).mark_bar().encode(
        x=alt.X("students:Q", stack="normalize", title="share of students"),
        y=alt.Y("design:N", title=None, sort=c.designs),
        color=alt.Color("outcome:N", sort=["no goal met", "some met", "all met"],
                        scale=alt.Scale(range=["#b42318", "#f2b705", "#1a7f37"])),
        order=alt.Order("rank:Q"),
        row=alt.Row("group:N", title=None, sort=list(dict.fromkeys(c.by_need["group"])),
                    header=alt.Header(labelAngle=0, labelAlign="left")),
        tooltip=["group", "design", "outcome", "students"],
    ).properties(width=600, height=22 * len(c.designs)))
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


def compare_cli(results: list[Path], csv: Path | None = None, html: Path | None = None,
                scenario: Path | None = None) -> None:
    """`workbench compare A B [C…]`: terminal tables, and optionally the per-student CSV and an HTML report."""
    console = Console()
    if len(results) < 2:
        typer.echo("compare needs at least two result folders: the baseline first, then the designs", err=True)
        raise typer.Exit(2)
    try:
        base, loaded, scenarios = load_designs(results, scenario)
    except ScenarioInvalid as exc:
        fail_with(exc)
    comparison = compare_results(base, loaded, scenarios)
    across = comparison.designs_summary.set_index("design").T.reset_index(names="")
    console.print(_rich_table("Designs (first is the baseline)", across.astype(object)))
    need = comparison.by_need[["group", "design", "students with goals", "no goal met", "some met", "all met",
                               "goals met %", "better off", "worse off"]]
    console.print(_rich_table("Goals met per student, by need", need))
    ch = comparison.changes
    for name in comparison.designs[1:]:
        mine = ch[ch["design"] == name]
        for what in ("gained", "lost"):
            rows = mine[mine["change"] == what]
            if rows.empty:
                continue
            shown = rows.head(25).drop(columns=["design", "change"])
            label = "Goals gained" if what == "gained" else "Goals lost"
            more = f" (first 25 of {len(rows)}; see --csv)" if len(rows) > 25 else ""
            console.print(_rich_table(f"{label} in {name}{more}", shown))
    if csv is not None:
        ch.to_csv(csv, index=False)
        typer.echo(f"wrote {csv}")
    if html is not None:
        Path(html).write_text(compare_html(comparison), encoding="utf-8")
        typer.echo(f"wrote {html}")
