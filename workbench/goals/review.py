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

A district reviews many proposals at once (`review_many`): result folders, or folders of them such as the
--out of a batch solve. With several results they are reviewed in parallel on the same Dask engine as the
batch solve (`workbench.batch.map_in_cluster`), each in its own worker task, so one unreadable result is
reported with its reason and never stops the others. `district_summary` turns the verdicts into one table
with a row per school and design.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
import typer
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rich.console import Console
from rich.table import Table

from workbench.console import fail_with
from workbench.errors import Problem, ScenarioInvalid
from workbench.goals.evaluate import evaluate_goals, placed_requests, summary_metrics
from workbench.plan.funding import total_revenue
from workbench.results.io import Result
from workbench.scenario.model import Scenario
from workbench.scenario.yamlsafe import YamlRefused, load_yaml_file

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
        data = load_yaml_file(path)
    except FileNotFoundError:
        raise ScenarioInvalid([Problem(str(path), None, None, "does not exist",
                                       "give the path of a bar YAML file")]) from None
    except YamlRefused as exc:
        raise ScenarioInvalid([Problem(path.name, exc.line, None, exc.message, exc.fix)]) from None
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


def review_cli(results: list[Path], bar: Path, csv: Path | None = None, scenario: Path | None = None, *,
               scheduler: str | None = None, workers: int | None = None, serial: bool = False,
               details: bool = False) -> None:
    """`workbench review A [B…] --bar bar.yaml`: one district summary (a row per school and design); the
    per-criterion detail for a single result or with --details. Exit 1 when some result could not be read."""
    console = Console(width=160)
    try:
        the_bar = load_bar(bar)
    except ScenarioInvalid as exc:
        fail_with(exc)
    outcomes = review_many(results, the_bar, scenario, scheduler=scheduler, workers=workers, serial=serial,
                           say=lambda line: typer.echo(line, err=True))
    reviewed = [o for o in outcomes if o.ok]
    if details or len(outcomes) == 1:
        for o in reviewed:
            console.print(detail_table(o, the_bar))
    summary = district_summary(outcomes, the_bar)
    console.print(summary_rich_table(summary, the_bar))
    if csv is not None:
        csv = Path(csv)
        csv.parent.mkdir(parents=True, exist_ok=True)
        summary.to_csv(csv, index=False)
        students = csv.with_name(f"{csv.stem}_students.csv")
        failing_students_table(outcomes).to_csv(students, index=False)
        typer.echo(f"wrote {csv} and {students}")
    broken = [o for o in outcomes if not o.ok]
    for o in broken:
        typer.echo(f"{o.design}: not reviewed: {o.error}", err=True)
    if broken:
        raise typer.Exit(1)


# ---- many results at once ----------------------------------------------------------------------------------

PARALLEL_FROM = 4          # below this many results a cluster costs more than it saves
FIRST_IDS = 5              # failing students named in the summary; the _students file lists every one
RESULT_FILES = ("summary.json", "sections.csv", "enrollments.csv")


@dataclass(frozen=True)
class ReviewJob:
    """What a worker needs to review one result: where it is, its label, the bar and (optionally) the
    scenario to judge it by instead of the one its summary.json names."""

    result: str
    design: str
    bar: Bar
    scenario: str | None = None


@dataclass
class ReviewOutcome:
    """One result's review: its verdicts, or the plain reason it could not be reviewed."""

    design: str
    result: str
    school: str = ""
    verdicts: list[Verdict] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def _is_result(path: Path) -> bool:
    return path.is_dir() and any((path / f).exists() for f in RESULT_FILES)


def expand_results(paths: Sequence[str | Path]) -> list[Path]:
    """Each path is a result folder or a folder of them (the --out of a batch solve); a folder holding
    neither is kept, so that it is reported as unreadable rather than silently vanishing."""
    found: list[Path] = []
    for path in map(Path, paths):
        if _is_result(path) or not path.is_dir():
            found.append(path)
            continue
        children = sorted(p for p in path.iterdir() if _is_result(p))
        found.extend(children or [path])
    return found


def plan_reviews(paths: Sequence[str | Path], bar: Bar, scenario: str | Path | None = None) -> list[ReviewJob]:
    """One job per result; the design is the folder name (with its parent's name when two share one)."""
    found = expand_results(paths)
    names = [p.name or str(p) for p in found]
    jobs, seen = [], set()
    for path, name in zip(found, names, strict=True):
        label = name if names.count(name) == 1 else f"{name} ({path.parent.name or path.parent})"
        base, n = label, 2
        while label in seen:
            label, n = f"{base}-{n}", n + 1
        seen.add(label)
        jobs.append(ReviewJob(str(path), label, bar, None if scenario is None else str(scenario)))
    return jobs


def review_job(job: ReviewJob, cache: dict | None = None) -> ReviewOutcome:
    """Runs on a worker (or in-process): read the result, load its scenario, judge it against the bar.
    Never raises for a result's own problem: the outcome says what is wrong in a leader's words."""
    from workbench.results.io import read_result
    from workbench.scenario.validate import load_scenario

    start = time.perf_counter()
    out = ReviewOutcome(job.design, job.result)
    try:
        result = read_result(job.result)
        where = job.scenario or result.summary.get("scenario_path")
        if not where:
            raise ScenarioInvalid([Problem(f"{job.result}/summary.json", None, "scenario_path",
                                           "does not say which scenario this result was made from",
                                           "pass --scenario <folder>")])
        key = str(Path(where).resolve())
        scenario = cache.get(key) if cache is not None else None
        if scenario is None:
            scenario = load_scenario(where)
            if cache is not None:
                cache[key] = scenario
        out.school = scenario.name
        out.verdicts = review_result(job.bar, scenario, result, job.design)
    except ScenarioInvalid as exc:
        out.error = exc.summary()
    except Exception as exc:   # one odd hand-edited result must not stop the district's review
        from workbench.batch import _plain_error
        out.error = f"the review failed unexpectedly ({_plain_error(exc)})"
    out.seconds = round(time.perf_counter() - start, 2)
    return out


def review_many(paths: Sequence[str | Path], bar: Bar, scenario: str | Path | None = None, *, client=None,
                scheduler: str | None = None, workers: int | None = None, serial: bool | None = None,
                say: Callable[[str], None] | None = None) -> list[ReviewOutcome]:
    """Review every result (folders or folders of folders), one outcome each in order. In parallel on a
    Dask cluster when there are several results (PARALLEL_FROM or more), a client or a scheduler is given
    and `serial` is not set; otherwise in this process (scenarios shared between designs of one school)."""
    jobs = plan_reviews(paths, bar, scenario)
    parallel = (not serial) and (client is not None or scheduler is not None or len(jobs) >= PARALLEL_FROM)
    if say is not None:
        say(f"{len(jobs)} result(s) to review against {bar.name}")
    if not parallel:
        cache: dict = {}
        return [review_job(job, cache) for job in jobs]
    from workbench.batch import BatchProgress, map_in_cluster

    def progress(p: BatchProgress) -> None:
        if say is None or p.latest is None:
            return
        latest = p.latest
        ok = latest.ok and latest.value.ok
        what = "reviewed" if ok else f"not reviewed ({latest.error if not latest.ok else latest.value.error})"
        say(f"{p.line()} — {latest.item.design}: {what}")

    mapped = map_in_cluster(review_job, jobs, client=client, scheduler=scheduler, workers=workers,
                            on_progress=progress, say=say)
    return [m.value if m.ok else ReviewOutcome(m.item.design, m.item.result, error=f"the worker failed: {m.error}",
                                               seconds=round(m.seconds, 2))
            for m in mapped]


def district_summary(outcomes: Sequence[ReviewOutcome], bar: Bar) -> pd.DataFrame:
    """One row per school and design: pass/fail per criterion, the number failed, and per criterion how many
    students fall short and the first of them. A result that could not be reviewed keeps its row, with
    its reason and blank verdicts."""
    rows = []
    for o in outcomes:
        row: dict = {"school": o.school, "design": o.design, "reviewed": int(o.ok),
                     "criteria_failed": sum(not v.passed for v in o.verdicts) if o.ok else None}
        by_name = {v.criterion: v for v in o.verdicts}
        for c in bar.criteria:
            v = by_name.get(c.name)
            row[c.name] = "" if v is None else ("pass" if v.passed else "fail")
            row[f"{c.name} students"] = None if v is None else len(v.failing_students)
            row[f"{c.name} first"] = "" if v is None else ";".join(v.failing_students[:FIRST_IDS])
        row["reason"] = o.error or ""
        row["result"] = o.result
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in ["criteria_failed", *(f"{c.name} students" for c in bar.criteria)]:
        if column in frame:
            frame[column] = frame[column].astype("Int64")
    return frame


def failing_students_table(outcomes: Sequence[ReviewOutcome]) -> pd.DataFrame:
    """Long form: one row per (school, design, criterion, student who falls short)."""
    rows = [(o.school, o.design, v.criterion, sid) for o in outcomes for v in o.verdicts
            for sid in v.failing_students]
    return pd.DataFrame(rows, columns=["school", "design", "criterion", "student_id"])


def _verdict_cell(passed: str, count, first: str) -> str:
    if not passed:
        return ""
    if passed == "pass":
        return "[green]pass[/]"
    if pd.isna(count) or count == 0:
        return "[red]FAIL[/]"
    ids = first.replace(";", ", ")
    more = " …" if pd.notna(count) and count > FIRST_IDS else ""
    return f"[red]FAIL[/] {count}" + (f": {ids}{more}" if ids else "")


def summary_rich_table(summary: pd.DataFrame, bar: Bar) -> Table:
    """The district summary for the terminal: a row per school and design, a column per criterion."""
    table = Table(title=f"District summary — {bar.name}", title_justify="left")
    table.add_column("school", overflow="fold")
    table.add_column("design", overflow="fold")
    table.add_column("failed", justify="right")
    for c in bar.criteria:
        table.add_column(c.name, overflow="fold")
    broken = not summary.empty and not summary["reviewed"].all()
    if broken:
        table.add_column("note", overflow="fold")
    for row in summary.to_dict("records"):
        failed = row["criteria_failed"]
        table.add_row(row["school"], row["design"],
                      "" if pd.isna(failed) else f"{failed} of {len(bar.criteria)}",
                      *[_verdict_cell(row[c.name], row[f"{c.name} students"], row[f"{c.name} first"])
                        for c in bar.criteria],
                      *([] if not broken else ["" if row["reviewed"] else f"[red]not reviewed:[/] {row['reason']}"]))
    return table


def detail_table(outcome: ReviewOutcome, bar: Bar) -> Table:
    """One result criterion by criterion, with the value measured and the students who fall short."""
    failed = sum(not v.passed for v in outcome.verdicts)
    verdict = "passes" if not failed else f"fails {failed} of {len(outcome.verdicts)} criteria"
    school = f" ({outcome.school})" if outcome.school else ""
    table = Table(title=f"{outcome.design}{school}: {verdict} — {bar.name}", title_justify="left")
    table.add_column("criterion", no_wrap=True)
    for col in ("", "measured", "bar", "students who fall short"):
        table.add_column(col)
    for v in outcome.verdicts:
        shown = ", ".join(v.failing_students[:8]) + (f" … (+{len(v.failing_students) - 8})"
                                                      if len(v.failing_students) > 8 else "")
        table.add_row(v.criterion, "[green]pass[/]" if v.passed else "[red]FAIL[/]", v.value, v.threshold, shown)
    return table
