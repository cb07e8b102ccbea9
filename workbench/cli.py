"""The `workbench` command. Every command prints plain messages; bad input exits 1 without a traceback."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from workbench.atomic import FolderRefused
from workbench.console import fail
from workbench.errors import InfeasibleDesign, ScenarioInvalid, SolveCancelled, SolverFailed, debug_requested

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="School design workbench: plan a school's staffing, schedule, small groups and "
                       "budget, and judge the design student by student.")


@app.command()
def validate(scenario: Annotated[Path, typer.Argument(help="scenario folder")]) -> None:
    """Check a scenario folder; one line per problem (file:row:column), exit 1 if any."""
    from workbench.scenario.summary import describe
    from workbench.scenario.validate import load_scenario

    try:
        loaded = load_scenario(scenario)
    except ScenarioInvalid as exc:
        fail([str(p) for p in exc.problems] + [f"{len(exc.problems)} problem(s) in {scenario}"])
    typer.echo(describe(loaded))


@app.command()
def check(scenario: Path, result: Path) -> None:
    """Re-check every hard rule and every goal of a result folder; one line per breach, exit 1 if any."""
    from workbench.results.check import check_result, tally
    from workbench.results.io import read_result
    from workbench.scenario.validate import load_scenario

    try:
        read = read_result(result)
        breaches = check_result(load_scenario(scenario), read)
    except ScenarioInvalid as exc:
        fail([str(p) for p in exc.problems])
    if breaches:
        fail([str(b) for b in breaches] + tally(breaches))
    typer.echo(f"{result}: every hard rule holds")


@app.command()
def regroup(scenario: Annotated[Path, typer.Argument(help="scenario folder holding assessments.csv")],
            result: Annotated[Path, typer.Argument(help="the result whose groups ran until the latest cycle")],
            out: Annotated[Path, typer.Option("--out", "-o", help="new result folder to write")]) -> None:
    """Re-form the small groups from the latest assessment cycle, moving as few students as possible; the
    schedule, enrolments and staffing are copied byte for byte. Adds group_changes.csv (who moves and why)
    and student_progress.csv. --out follows the rules of `solve --out`, and is never the input result."""
    from workbench.clirun import run_regroup

    run_regroup(scenario, result, out)


SchedulerOpt = Annotated[str | None, typer.Option(help="a Dask scheduler (tcp://host:8786) for batch solves; "
                                                       "default: a local cluster")]
WorkersOpt = Annotated[int | None, typer.Option(min=1, help="local worker processes for batch solves "
                                                             "(default: one per core)")]


@app.command()
def solve(scenarios: Annotated[list[Path], typer.Argument(help="a scenario folder, several, or a folder of them")],
          out: Annotated[Path, typer.Option("--out", "-o", help="result folder to write (for several: "
                                                                "one subfolder each)")],
          scheduler: SchedulerOpt = None, workers: WorkersOpt = None,
          force: Annotated[bool, typer.Option(help="replace --out even when it holds files besides a previous "
                                                   "result (never a folder of folders, the scenario, or the "
                                                   "folder you are in)")] = False) -> None:
    """Plan a scenario end to end and write the result folder atomically. --out is replaced only when it is
    new, empty or holds a previous result; anything else is refused before the solve starts. Several
    scenarios (or a folder of them) are solved in parallel on Dask, one subfolder of --out each, with a
    summary in batch_summary.csv; exit 1 when any could not be solved."""
    from workbench.batch import is_single_scenario, run_batch_cli
    from workbench.clirun import run_solve

    if is_single_scenario(scenarios):
        run_solve(scenarios[0], out, force=force)
    elif force:
        typer.echo("--force works for one scenario at a time", err=True)
        raise typer.Exit(2)
    else:
        run_batch_cli(scenarios, out, scheduler=scheduler, workers=workers)


@app.command()
def sweep(scenario: Annotated[Path, typer.Argument(help="the scenario to vary")],
          vary: Annotated[list[str], typer.Option(help="setting=start:stop:step or setting=a,b,c; repeat "
                                                       "to combine")],
          out: Annotated[Path, typer.Option("--out", "-o", help="folder for variants and results")],
          scheduler: SchedulerOpt = None, workers: WorkersOpt = None) -> None:
    """Solve every combination of varied settings (e.g. --vary funding.base_per_pupil=7000:9000:500)."""
    from workbench.batch import run_sweep_cli

    run_sweep_cli(scenario, vary, out, scheduler=scheduler, workers=workers)


@app.command()
def generate(students: Annotated[int, typer.Option(min=1, help="number of students")],
             out: Annotated[Path, typer.Option(help="scenario folder to write")],
             seed: Annotated[int, typer.Option(help="random seed: same seed, same folder")] = 0,
             level: Annotated[str, typer.Option(help="middle or high")] = "high",
             cycles: Annotated[int, typer.Option(min=0, max=52, help="assessment cycles to add (assessments.csv; "
                                                                     "cycle 1 is the students' levels)")] = 0,
             calendar: Annotated[str, typer.Option(help="traditional, ab-block or 4x4")] = "traditional") -> None:
    """Write a realistic synthetic scenario of any size, optionally on an A/B or 4x4 block calendar and with
    assessment cycles to rehearse a year of regrouping (growth around a grade level a year, faster for tutored
    students: docs/assessment-cycle.md)."""
    from workbench.scenario.generate import CALENDARS, generate_scenario

    if level not in ("middle", "high"):
        typer.echo("--level must be middle or high", err=True)
        raise typer.Exit(2)
    if calendar not in CALENDARS:
        typer.echo(f"--calendar must be one of {', '.join(CALENDARS)}", err=True)
        raise typer.Exit(2)
    path = generate_scenario(students=students, seed=seed, level=level, out=out, cycles=cycles, calendar=calendar)
    typer.echo(f"wrote {path}")


@app.command()
def compare(results: Annotated[list[Path], typer.Argument(help="two or more result folders")],
            csv: Annotated[Path | None, typer.Option(help="write per-student differences here")] = None,
            html: Annotated[Path | None, typer.Option(help="write a self-contained HTML report here")] = None,
            scenario: Annotated[Path | None, typer.Option(help="the scenario the results were made from "
                                                                "(default: read from summary.json)")] = None
            ) -> None:
    """Per-student differences between designs: who gains and who loses which goal, cost per goal met, and
    what each design asks of the teachers (planning time, students, preps)."""
    from workbench.commands.compare import compare_cli

    compare_cli(results, csv=csv, html=html, scenario=scenario)


@app.command()
def review(results: Annotated[list[Path], typer.Argument(help="result folders, or folders of them (a batch --out)")],
           bar: Annotated[Path, typer.Option(help="the district's quality bar (YAML)")],
           csv: Annotated[Path | None, typer.Option(help="write the district summary here (and every failing "
                                                         "student to <name>_students.csv)")] = None,
           scenario: Annotated[Path | None, typer.Option(help="the scenario the results were made from "
                                                               "(default: read from summary.json)")] = None,
           scheduler: Annotated[str | None, typer.Option(help="a Dask scheduler (tcp://host:8786) to review on")]
           = None,
           workers: WorkersOpt = None,
           serial: Annotated[bool, typer.Option(help="review in this process, without a cluster")] = False,
           details: Annotated[bool, typer.Option(help="also print each result criterion by criterion")] = False
           ) -> None:
    """A central office's review of proposals against a quality bar: one district summary, a row per school
    and design, pass or fail per criterion (several results are reviewed in parallel on a Dask cluster)."""
    from workbench.commands.review import review_cli

    review_cli(results, bar=bar, csv=csv, scenario=scenario, scheduler=scheduler, workers=workers, serial=serial,
               details=details)


import_app = typer.Typer(no_args_is_help=True, help="Bring a school in from its student information system "
                                                    "(OneRoster 1.1 CSV or Ed-Fi XML): people become keyed "
                                                    "pseudonyms, and IMPORT-REPORT.md lists every default used.")
app.add_typer(import_app, name="import")
KeyOpt = Annotated[Path | None, typer.Option(help="the district's key file, kept outside the scenario (made on first "
                                                  "import; default ~/.workbench/keys/<district>.key)")]
PinOpt = Annotated[bool, typer.Option(help="keep last year's sections as pins the solve must keep")]


@import_app.command("oneroster")
def import_oneroster(source: Annotated[Path, typer.Argument(help="the OneRoster export: a folder or a zip")],
                     out: Annotated[Path, typer.Option("--out", "-o", help="scenario folder to write")],
                     key: KeyOpt = None,
                     school: Annotated[str | None, typer.Option(help="the school's sourcedId in orgs.csv (needed "
                                                                     "when the export holds several)")] = None,
                     pin_current: PinOpt = False) -> None:
    """Make a scenario from a OneRoster 1.1 CSV export."""
    from workbench.interop.commands import run_import

    run_import("oneroster", source, out, key, school, pin_current)


@import_app.command("edfi")
def import_edfi(source: Annotated[Path, typer.Argument(help="folder of Ed-Fi XML interchange files")],
                school: Annotated[str, typer.Option(help="the school's SchoolId")],
                out: Annotated[Path, typer.Option("--out", "-o", help="scenario folder to write")],
                key: KeyOpt = None, pin_current: PinOpt = False) -> None:
    """Make a scenario from Ed-Fi XML interchange files."""
    from workbench.interop.commands import run_import

    run_import("edfi", source, out, key, school, pin_current)


@app.command()
def export(result: Annotated[Path, typer.Argument(help="result folder")],
           xlsx: Annotated[Path | None, typer.Option(help="write an Excel workbook here")] = None,
           html: Annotated[Path | None, typer.Option(help="write a self-contained HTML report here")] = None,
           scenario: Annotated[Path | None, typer.Option(help="the scenario (default: read from summary.json)")]
           = None,
           oneroster: Annotated[Path | None, typer.Option(help="write the design's classes and enrollments here "
                                                               "as OneRoster 1.1 CSV, for the SIS")] = None,
           key: KeyOpt = None,
           bar: Annotated[Path | None, typer.Option(help="a district bar (YAML): the HTML report adds the review "
                                                        "against it")] = None) -> None:
    """Share a result: an Excel workbook (one sheet per table, schedule grid), an HTML report, and/or OneRoster
    CSV for the SIS with real IDs restored by the key."""
    from workbench.commands.export import export_cli

    if oneroster is not None:
        from workbench.interop.export import export_oneroster_cli

        export_oneroster_cli(result, oneroster, key=key, scenario=scenario)
    if oneroster is None or xlsx is not None or html is not None:
        export_cli(result, xlsx=xlsx, html=html, scenario=scenario, bar=bar)


@app.command()
def serve(scenarios: Annotated[list[Path] | None, typer.Argument(help="scenario folders to open")] = None,
          address: Annotated[str, typer.Option(help="address to bind; 127.0.0.1 keeps it on this machine")]
          = "127.0.0.1",
          port: int = 5006,
          basic_auth: Annotated[str | None, typer.Option(help="password (or a file whose first line is the "
                                                              "password) for a shared workshop")] = None,
          results: Annotated[list[Path] | None, typer.Option(help="a folder of result folders the Compare "
                                                                  "page may open (repeat for several)")] = None,
          origin: Annotated[list[str] | None, typer.Option(help="another host:port browsers reach this "
                                                                "workbench by (repeat for several)")] = None,
          insecure: Annotated[bool, typer.Option(help="allow a non-local --address without a password (only "
                                                      "on a network where every machine is trusted)")] = False,
          show: Annotated[bool, typer.Option(help="open a browser tab")] = True) -> None:
    """The Panel workbench in a browser. It serves only the scenario folders given and the --results
    folders; on an address other than this machine it needs --basic-auth (or --insecure)."""
    from workbench.app.serve import ServeRefused, serve_app

    try:
        serve_app(scenarios or [], address=address, port=port, basic_auth=basic_auth, show=show,
                  insecure=insecure, origins=origin or [], results=results or [])
    except ServeRefused as exc:
        typer.echo(f"workbench serve: {exc}", err=True)
        raise typer.Exit(2) from None


def main() -> None:
    try:
        app()
    except (ScenarioInvalid, InfeasibleDesign, SolverFailed) as exc:
        typer.echo(str(exc), err=True)
        sys.exit(1)
    except FolderRefused as exc:
        typer.echo(f"Nothing was written: {exc}.", err=True)
        sys.exit(1)
    except SolveCancelled:
        typer.echo("cancelled: nothing was written", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        typer.echo("interrupted: nothing was written", err=True)
        sys.exit(1)
    except Exception as exc:  # a bug, not bad input: say so in one line; WORKBENCH_DEBUG=1 shows the trace
        if debug_requested():
            raise
        typer.echo(f"internal error ({exc.__class__.__name__}: {exc}); nothing was written. "
                   "Please report it with the command you ran; WORKBENCH_DEBUG=1 shows the details.", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
