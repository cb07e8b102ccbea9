"""`workbench review`: a district's summary of proposals against its bar in the terminal, each result's
detail, and the CSV reports. The review itself is `workbench.goals.review`; many results are read and
reviewed by `workbench.batch.review_many`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from workbench.atomic import write_report_csv
from workbench.batch import review_many
from workbench.console import fail, fail_with
from workbench.errors import ScenarioInvalid
from workbench.goals.review import (
    FIRST_IDS,
    Bar,
    ReviewOutcome,
    district_summary,
    failing_students_table,
    load_bar,
    overall,
    school_subjects,
    subject_problems,
)


def review_cli(results: list[Path], bar: Path, csv: Path | None = None, scenario: Path | None = None, *,
               scheduler: str | None = None, workers: int | None = None, serial: bool = False,
               details: bool = False) -> None:
    """`workbench review A [B…] --bar bar.yaml`: one district summary (a row per school and design); the
    per-criterion detail for a single result or with --details. Exit 1 on an invalid bar (one line per
    problem), when some result could not be read, or when the bar names a subject no school reviewed has."""
    console = Console(width=160)
    try:
        the_bar = load_bar(bar)
        if scenario is not None:
            _subjects_of_scenario(the_bar, scenario)
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
        students = csv.with_name(f"{csv.stem}_students.csv")
        write_report_csv(summary, csv)
        write_report_csv(failing_students_table(outcomes), students)
        typer.echo(f"wrote {csv} and {students}")
    broken = [o for o in outcomes if not o.ok]
    for o in broken:
        typer.echo(f"{o.design}: not reviewed: {o.error}", err=True)
    known = set().union(*(o.subjects for o in reviewed))
    bar_problems = subject_problems(the_bar, known, "any school reviewed") if reviewed and scenario is None else []
    if bar_problems:
        fail([str(p) for p in bar_problems])
    if broken:
        raise typer.Exit(1)


def _subjects_of_scenario(bar: Bar, folder: Path) -> None:
    """With the scenario at hand, a subject it does not use is refused before any result is read."""
    from workbench.scenario.validate import load_scenario

    school = load_scenario(folder)
    problems = subject_problems(bar, school_subjects(school), school.name)
    if problems:
        raise ScenarioInvalid(problems)


def _verdict_cell(status: str, count, first: str) -> str:
    if not status:
        return ""
    if status == "pass":
        return "[green]pass[/]"
    if status == "not measured":
        return "[yellow]not measured[/]"
    if pd.isna(count) or count == 0:
        return "[red]FAIL[/]"
    ids = first.replace(";", ", ")
    more = " …" if pd.notna(count) and count > FIRST_IDS else ""
    return f"[red]FAIL[/] {count}" + (f": {ids}{more}" if ids else "")


def _verdict_colour(verdict: str) -> str:
    colour = "green" if verdict == "passes" else ("red" if verdict.startswith("fails") else "yellow")
    return f"[{colour}]{verdict}[/]"


def summary_rich_table(summary: pd.DataFrame, bar: Bar) -> Table:
    """The district summary for the terminal: a row per school and design, its verdict, a column per criterion."""
    table = Table(title=f"District summary — {bar.name}", title_justify="left")
    table.add_column("school", overflow="fold")
    table.add_column("design", overflow="fold")
    table.add_column("verdict", overflow="fold")
    for c in bar.criteria:
        table.add_column(c.name, overflow="fold")
    broken = not summary.empty and not summary["reviewed"].all()
    if broken:
        table.add_column("note", overflow="fold")
    for row in summary.to_dict("records"):
        table.add_row(row["school"], row["design"], _verdict_colour(row["verdict"]) if row["reviewed"] else "",
                      *[_verdict_cell(row[c.name], row[f"{c.name} students"], row[f"{c.name} first"])
                        for c in bar.criteria],
                      *([] if not broken else ["" if row["reviewed"] else f"[red]not reviewed:[/] {row['reason']}"]))
    return table


def detail_table(outcome: ReviewOutcome, bar: Bar) -> Table:
    """One result criterion by criterion, with the value measured and the students who fall short."""
    school = f" ({outcome.school})" if outcome.school else ""
    table = Table(title=f"{outcome.design}{school}: {overall(outcome.verdicts)} — {bar.name}", title_justify="left")
    table.add_column("criterion", no_wrap=True)
    for col in ("", "measured", "bar", "students who fall short"):
        table.add_column(col)
    mark = {"pass": "[green]pass[/]", "fail": "[red]FAIL[/]", "not measured": "[yellow]NOT MEASURED[/]"}
    for v in outcome.verdicts:
        shown = ", ".join(v.failing_students[:8]) + (f" … (+{len(v.failing_students) - 8})"
                                                      if len(v.failing_students) > 8 else "")
        table.add_row(v.criterion, mark[v.status], v.value, v.threshold, shown)
    return table
