"""`workbench export <result> --xlsx F --html F [--bar B]`: the result as a workbook and a printable page
(the writers are `workbench.results.export`; this module checks the arguments and reads the folders)."""

from __future__ import annotations

from pathlib import Path

import typer

from workbench.atomic import refuse_output
from workbench.console import fail, fail_with
from workbench.errors import ScenarioInvalid
from workbench.goals.evaluate import evaluate_goals
from workbench.goals.review import load_bar
from workbench.results.export import to_excel, to_html
from workbench.results.io import read_result
from workbench.scenario.validate import load_scenario


def export_cli(result_path: Path, xlsx: Path | None = None, html: Path | None = None,
               scenario: Path | None = None, bar: Path | None = None) -> None:
    """`workbench export <result> --xlsx F --html F [--bar B]`."""
    if xlsx is None and html is None:
        typer.echo("say what to write: --xlsx FILE and/or --html FILE", err=True)
        raise typer.Exit(2)
    refused = [reason for reason in (xlsx and refuse_output(xlsx, "--xlsx", (".xlsx",)),
                                     html and refuse_output(html, "--html", (".html", ".htm"))) if reason]
    if refused:
        fail(refused)
    try:
        result = read_result(result_path)
        where = scenario or result.summary.get("scenario_path")
        loaded = load_scenario(where) if where and Path(where).is_dir() else None
        if bar is not None:
            the_bar = load_bar(bar)
            if loaded is None:
                fail(f"--bar {bar}: the review needs the scenario the result was made from: give --scenario")
        else:
            the_bar = None
    except ScenarioInvalid as exc:
        fail_with(exc)
    if loaded is not None and result.student_goals.empty and not loaded.goals.empty:
        result.student_goals = evaluate_goals(loaded, result)   # a hand-made result without its goal table
    try:
        if xlsx is not None:
            typer.echo(f"wrote {to_excel(result, xlsx, loaded)}")
        if html is not None:
            typer.echo(f"wrote {to_html(result, html, loaded, the_bar)}")
    except OSError as exc:
        fail(f"could not write {exc.filename or 'the export'}: {exc.strerror or exc}")
