"""A central office's review: each school's proposal checked against a district quality bar, criterion by
criterion, naming the students who fall short of each one.

The bar is a YAML file (see scenarios/district-bar.yaml):

    name: District quality bar
    criteria:
      - id: complete-schedules            # optional; defaults to the kind
        kind: required_courses             # students with every required (priority-1) course placed
        threshold: 100                     # minimum % of students (default 100)
      - kind: goals_met                    # share of goals met, optionally of one goal kind / one group
        goal: tutoring_minutes
        threshold: 90
      - kind: class_size_cap               # no student of the group in a section above their own
        who: iep                           # max_class_size goal (or above `cap` when given)
      - kind: budget_balanced              # revenue minus one-time money still covers expenses
        exclude_one_time: true             # one-time money: funding.one_time_revenue in scenario.yaml
      - kind: support_minutes              # every student of the group gets small-group minutes
        who: ell
        min_minutes: 1
      - kind: metric                       # any summary.json metric at or above a threshold
        metric: requests_fulfilled_pct
        threshold: 95

`who` names a 0/1 column of students.csv (ell, iep, frl...) or `all` (the default).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
import typer
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rich.console import Console
from rich.table import Table

from workbench.errors import Problem, ScenarioInvalid
from workbench.goals.evaluate import evaluate_goals, placed_requests, summary_metrics
from workbench.plan.funding import total_revenue
from workbench.results.io import Result
from workbench.scenario.model import Scenario

Kind = Literal["required_courses", "goals_met", "class_size_cap", "budget_balanced", "support_minutes", "metric"]


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = ""
    kind: Kind
    description: str = ""
    threshold: float | None = None
    who: str = "all"
    goal: str | None = None
    subject: str | None = None
    cap: int | None = None
    exclude_one_time: bool = True
    min_minutes: float = 1
    metric: str | None = None

    @property
    def name(self) -> str:
        return self.id or self.kind


class Bar(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = "District quality bar"
    description: str = ""
    criteria: list[Criterion] = Field(min_length=1)


@dataclass
class Verdict:
    result: str
    criterion: str
    passed: bool
    value: str
    threshold: str
    failing_students: list[str] = field(default_factory=list)
    note: str = ""


def load_bar(path: str | Path) -> Bar:
    """Read a bar file; any problem is raised as ScenarioInvalid naming the file and the criterion."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ScenarioInvalid([Problem(str(path), None, None, "does not exist",
                                       "give the path of a bar YAML file")]) from None
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise ScenarioInvalid([Problem(path.name, None if line is None else line + 1, None, "is not valid YAML",
                                       "fix the indentation or quoting")]) from None
    try:
        return Bar.model_validate(data)
    except ValidationError as exc:
        raise ScenarioInvalid([Problem(path.name, None, ".".join(str(p) for p in e["loc"]), e["msg"],
                                       "see scenarios/district-bar.yaml for the format") for e in exc.errors()]
                              ) from None


def _group(scenario: Scenario, who: str) -> set[str]:
    s = scenario.students
    if who == "all":
        return set(s["student_id"].astype(str))
    if who not in s.columns:
        raise ScenarioInvalid([Problem("bar", None, "who", f"students.csv has no column {who!r}",
                                       "use all, ell, iep, frl or another 0/1 column of students.csv")])
    return set(s.loc[pd.to_numeric(s[who], errors="coerce").fillna(0) > 0, "student_id"].astype(str))


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 100.0


def check_criterion(c: Criterion, scenario: Scenario, result: Result, goals: pd.DataFrame) -> Verdict:
    """One criterion on one result: pass or fail, the measured value, and the students who fall short."""
    who = _group(scenario, c.who)
    group_text = "" if c.who == "all" else f" ({c.who})"
    if c.kind == "required_courses":
        req = placed_requests(scenario, result)
        req = req[(req["priority"] == 1) & req["student_id"].isin(who)]
        failing = sorted(set(req.loc[~req["placed"], "student_id"]))
        value = _pct(len(who) - len(failing), len(who))
        need = 100.0 if c.threshold is None else c.threshold
        return Verdict("", c.name, value >= need, f"{value}% of students{group_text} complete",
                       f"≥ {need:g}%", failing)
    if c.kind == "goals_met":
        g = goals[goals["student_id"].isin(who)]
        if c.goal:
            g = g[g["goal"] == c.goal]
        if c.subject:
            g = g[g["subject"] == c.subject]
        value = _pct(int(g["met"].sum()), len(g))
        need = 100.0 if c.threshold is None else c.threshold
        failing = sorted(set(g.loc[g["met"] == 0, "student_id"]))
        label = f"{c.goal or 'all'} goals{group_text}"
        return Verdict("", c.name, value >= need, f"{value}% of {len(g)} {label} met", f"≥ {need:g}%", failing)
    if c.kind == "class_size_cap":
        allowed = 0 if c.threshold is None else int(c.threshold)
        if c.cap is not None:
            from workbench.goals.evaluate import student_sections
            placed = student_sections(scenario, result)
            placed = placed[placed["student_id"].isin(who)]
            if c.subject:
                placed = placed[placed["subject"] == c.subject]
            failing = sorted(set(placed.loc[placed["size"] > c.cap, "student_id"]))
            value = f"{len(failing)} students{group_text} in a section above {c.cap}"
        else:
            g = goals[(goals["goal"] == "max_class_size") & goals["student_id"].isin(who)]
            failing = sorted(set(g.loc[g["met"] == 0, "student_id"]))
            value = f"{len(failing)} of {g['student_id'].nunique()} students{group_text} above their class-size cap"
        return Verdict("", c.name, len(failing) <= allowed, value, f"≤ {allowed} breaches", failing)
    if c.kind == "budget_balanced":
        amount = pd.to_numeric(result.budget["amount"], errors="coerce").fillna(0)
        revenue = float(amount[result.budget["kind"] == "revenue"].sum()) or total_revenue(scenario)
        expenses = float(amount[result.budget["kind"] == "expense"].sum())
        one_time = float(getattr(scenario.settings.funding, "one_time_revenue", 0) or 0) if c.exclude_one_time else 0
        balance = revenue - one_time - expenses
        need = 0.0 if c.threshold is None else c.threshold
        note = f" without ${one_time:,.0f} of one-time money" if one_time else ""
        return Verdict("", c.name, balance >= need, f"balance ${balance:,.0f}{note}", f"≥ ${need:,.0f}")
    if c.kind == "support_minutes":
        sessions = result.group_sessions.copy()
        sessions["minutes"] = pd.to_numeric(sessions["minutes"], errors="coerce").fillna(0)
        per_group = sessions.groupby(sessions["group_id"].astype(str))["minutes"].sum()
        members = result.group_members.astype(str)
        if c.subject:
            subjects = result.groups.astype(str).set_index("group_id")["subject"]
            members = members[members["group_id"].map(subjects) == c.subject]
        minutes = members["group_id"].map(per_group).fillna(0).groupby(members["student_id"]).sum()
        got = pd.Series(sorted(who), dtype=str).map(minutes).fillna(0)
        failing = sorted(pd.Series(sorted(who), dtype=str)[got < c.min_minutes])
        value = _pct(len(who) - len(failing), len(who))
        need = 100.0 if c.threshold is None else c.threshold
        return Verdict("", c.name, value >= need,
                       f"{value}% of students{group_text} get ≥ {c.min_minutes:g} small-group minutes a week",
                       f"≥ {need:g}%", failing)
    metrics = summary_metrics(scenario, result, goals)   # recomputed: a hand-edited result may be stale
    if c.metric not in metrics:
        raise ScenarioInvalid([Problem("bar", None, c.name, f"unknown metric {c.metric!r}",
                                       f"use one of {', '.join(sorted(metrics))}")])
    value = float(metrics[c.metric])
    need = 0.0 if c.threshold is None else c.threshold
    return Verdict("", c.name, value >= need, f"{c.metric} = {value:g}", f"≥ {need:g}")


def review_result(bar: Bar, scenario: Scenario, result: Result, name: str = "") -> list[Verdict]:
    goals = evaluate_goals(scenario, result)
    verdicts = [check_criterion(c, scenario, result, goals) for c in bar.criteria]
    for v in verdicts:
        v.result = name or (result.path.name if result.path else "design")
    return verdicts


def verdicts_table(verdicts: list[Verdict]) -> pd.DataFrame:
    return pd.DataFrame([{"result": v.result, "criterion": v.criterion, "passed": int(v.passed), "value": v.value,
                          "threshold": v.threshold, "students failing": len(v.failing_students),
                          "failing_students": ";".join(v.failing_students)} for v in verdicts])


def review_cli(results: list[Path], bar: Path, csv: Path | None = None, scenario: Path | None = None) -> None:
    """`workbench review A [B…] --bar bar.yaml`: one table per proposal and a summary across them."""
    from workbench.goals.compare import load_designs

    console = Console()
    try:
        the_bar = load_bar(bar)
        _, loaded, scenarios = load_designs(results, scenario)
        verdicts = [v for name, res in loaded.items() for v in review_result(the_bar, scenarios[name], res, name)]
    except ScenarioInvalid as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(1) from None
    for name in loaded:
        mine = [v for v in verdicts if v.result == name]
        failed = sum(not v.passed for v in mine)
        table = Table(title=f"{name}: {'passes' if not failed else f'fails {failed} of {len(mine)} criteria'} — "
                            f"{the_bar.name}", title_justify="left")
        table.add_column("criterion", no_wrap=True)
        for col in ("", "measured", "bar", "students who fall short"):
            table.add_column(col)
        for v in mine:
            shown = ", ".join(v.failing_students[:8]) + (f" … (+{len(v.failing_students) - 8})"
                                                          if len(v.failing_students) > 8 else "")
            table.add_row(v.criterion, "[green]pass[/]" if v.passed else "[red]FAIL[/]", v.value, v.threshold, shown)
        console.print(table)
    if len(loaded) > 1:
        summary = Table(title="Summary", title_justify="left")
        summary.add_column("criterion")
        for name in loaded:
            summary.add_column(name)
        per = {name: [v for v in verdicts if v.result == name] for name in loaded}
        for i, c in enumerate(the_bar.criteria):
            summary.add_row(c.name, *["[green]pass[/]" if per[name][i].passed else "[red]FAIL[/]" for name in loaded])
        console.print(summary)
    if csv is not None:
        verdicts_table(verdicts).to_csv(csv, index=False)
        typer.echo(f"wrote {csv}")
