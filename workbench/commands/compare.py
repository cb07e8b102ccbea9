"""`workbench compare`: designs side by side in the terminal, with the cost per goal met, and the CSV and
HTML reports. The comparison itself is `workbench.goals.compare`; this module reads the folders and prints."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from workbench.atomic import write_report_csv, write_report_text
from workbench.console import fail_with
from workbench.errors import Problem, ScenarioInvalid
from workbench.goals.compare import adult_sentences, compare_html, compare_results, cost_sentences, money_view
from workbench.results.io import read_result
from workbench.scenario.model import Scenario
from workbench.verify.result import Result


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
    if v is None or (pd.api.types.is_scalar(v) and pd.isna(v)):
        return ""
    if isinstance(v, float | np.floating):
        return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"
    return str(v)


def compare_cli(results: list[Path], csv: Path | None = None, html: Path | None = None,
                scenario: Path | None = None) -> None:
    """`workbench compare A B [C…]`: terminal tables ending with the cost per goal met and what each design
    asks of the teachers, and optionally the CSVs (per-student changes in --csv, one row per design in
    <name>_designs.csv, the teachers' figures included) and an HTML report."""
    console = Console()
    if len(results) < 2:
        typer.echo("compare needs at least two result folders: the baseline first, then the designs", err=True)
        raise typer.Exit(2)
    try:
        base, loaded, scenarios = load_designs(results, scenario)
    except ScenarioInvalid as exc:
        fail_with(exc)
    comparison = compare_results(base, loaded, scenarios)
    across = money_view(comparison.designs_summary).set_index("design").T.reset_index(names="")
    console.print(_rich_table("Designs (first is the baseline)", across.astype(object)))
    need = comparison.by_need[["group", "design", "students with goals", "no goal met", "some met", "all met",
                               "goals met %", "better off", "worse off"]]
    console.print(_rich_table("Goals met per student, by need", need))
    adults = comparison.adults.set_index("design").T.reset_index(names="")
    console.print(_rich_table("What each design asks of the teachers (planning minutes a week; preps = distinct "
                              "courses)", adults.astype(object)))
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
    console.print("[bold]Cost per goal met[/] (expenses a year ÷ goals met)")
    for line in cost_sentences(comparison.costs):
        console.print(line, markup=False, highlight=False)
    console.print("[bold]What each design asks of the teachers[/]")
    for line in adult_sentences(comparison.adults):
        console.print(line, markup=False, highlight=False)
    if csv is not None:
        csv = Path(csv)
        designs = csv.with_name(f"{csv.stem}_designs.csv")
        write_report_csv(ch, csv)
        write_report_csv(comparison.designs_summary.merge(comparison.adults, on="design", how="left"), designs)
        typer.echo(f"wrote {csv} and {designs}")
    if html is not None:
        write_report_text(compare_html(comparison), html, "--html", (".html", ".htm"))
        typer.echo(f"wrote {html}")
