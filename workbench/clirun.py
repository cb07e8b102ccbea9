"""`workbench solve` on the command line: progress per phase, an atomic write, plain failure messages.

The result folder is claimed before the solve starts (see `results.io.claim_result_folder`): a folder that
may not be replaced, cannot be written or is being written by another solve is refused at once, and the
lock is held until the result is in place, so what a failure says about the folder is true."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

import typer
from rich.console import Console
from rich.text import Text

from workbench.atomic import Claim, FolderRefused
from workbench.console import fail_with
from workbench.errors import InfeasibleDesign, ScenarioInvalid, SolveCancelled, SolverFailed, debug_requested
from workbench.progress import ProgressEvent


def _nothing_written(out: Path) -> None:
    """Every failure ends here, while the folder is still locked: say what is there now."""
    from workbench.results.io import not_a_result

    if not out.exists():
        state = "no folder was created"
    elif not_a_result(out) is None:
        state = "the previous result there is unchanged"
    else:
        state = "the folder there is unchanged"
    typer.echo(f"Nothing was written to {out}: {state}.", err=True)
    raise typer.Exit(1)


@contextlib.contextmanager
def failures_said(out: Path, doing: str, refused: str,
                  said_as_is: tuple[type[Exception], ...] = ()) -> Iterator[None]:
    """Every way a solve or a regroup can fail, said in a sentence (never a traceback) and followed by what
    is at `out` now (`_nothing_written`, exit 1): `said_as_is` exceptions by their own words, an impossible
    design under the heading `refused` with its reasons, a solver that failed, a stop, and anything
    unexpected (re-raised with WORKBENCH_DEBUG=1)."""
    try:
        yield
    except said_as_is as exc:
        typer.echo(str(exc), err=True)
        _nothing_written(out)
    except InfeasibleDesign as exc:
        where = f" ({exc.phase})" if exc.phase and doing == "solve" else ""
        typer.echo(f"{refused}{where}:", err=True)
        for reason in exc.reasons:
            typer.echo(f"  - {reason}", err=True)
        _nothing_written(out)
    except SolverFailed as exc:
        typer.echo(str(exc), err=True)
        _nothing_written(out)
    except (SolveCancelled, KeyboardInterrupt):
        typer.echo(f"The {doing} was stopped before it finished.", err=True)
        _nothing_written(out)
    except NotImplementedError as exc:
        typer.echo(f"This step of the workbench is not available yet: {exc}", err=True)
        _nothing_written(out)
    except Exception as exc:  # noqa: BLE001 - a school leader gets a sentence, not a traceback
        if debug_requested():
            raise   # `workbench.cli.main` lets it through with its traceback
        typer.echo(f"The {doing} failed unexpectedly: {type(exc).__name__}: {exc} "
                   "(WORKBENCH_DEBUG=1 shows the details)", err=True)
        _nothing_written(out)


def progress_console(file: TextIO | None = None) -> Console:
    """The console a solve's progress goes to (stderr unless `file`). Lines are never wrapped: piped to a file or
    a log, where rich would assume 80 columns, each line stays one line, whole."""
    return Console(stderr=file is None, file=file, soft_wrap=True)


def progress_printer(console: Console, status) -> Callable[[ProgressEvent], None]:
    """The progress callback of a solve: every event updates the spinner line of `status` (a rich Status); a
    phase's last event (fraction 1.0) is kept as a printed line, "[   2.4 s] schedule: done in 2.0 s". Messages
    are printed as plain text (no rich markup: a course or staff ID may hold brackets)."""
    def show(event: ProgressEvent) -> None:
        text = f"[{event.elapsed_s:6.1f} s] {event.message}"
        if event.incumbent is not None:
            text += f" (best so far {event.incumbent:,.1f})"
        status.update(Text(text))
        if event.fraction == 1.0:
            console.print(text, markup=False)

    return show


def run_solve(scenario_path: Path, out: Path, force: bool = False) -> None:
    """Solve one scenario into `out`, refusing before the solve a folder that may not be written."""
    from workbench.results.io import claim_result_folder

    try:
        with claim_result_folder(out, force=force, protect=[(scenario_path, "the scenario being solved")]) as claim:
            _solve_into(scenario_path, out, claim)
    except FolderRefused as exc:
        typer.echo(f"Nothing was written: {exc}.", err=True)
        raise typer.Exit(1) from None


def _solve_into(scenario_path: Path, out: Path, claim: Claim) -> None:
    from workbench.pipeline import solve_scenario
    from workbench.results.io import write_result
    from workbench.scenario.validate import load_scenario

    console = progress_console()
    try:
        scenario = load_scenario(scenario_path)
    except ScenarioInvalid as exc:
        fail_with(exc)

    with console.status("starting…") as status:
        with failures_said(out, "solve", "This design cannot work as it stands"):
            result = solve_scenario(scenario, progress=progress_printer(console, status))
    try:
        write_result(result, out, claim=claim)
    except KeyboardInterrupt:
        typer.echo("Stopped while writing the result.", err=True)
        _nothing_written(out)
    except OSError as exc:
        typer.echo(f"Could not write the result folder: {exc}", err=True)
        _nothing_written(out)
    m = result.summary.get("metrics", {})
    typer.echo(
        f"{out}: {result.summary.get('status')} — requests placed {m.get('requests_fulfilled_pct', 0):.1f}%, "
        f"first choices {m.get('first_choice_pct', 0):.1f}%, "
        f"required {m.get('required_fulfilled_pct', 0):.1f}%, fully scheduled "
        f"{m.get('students_fully_scheduled_pct', 0):.1f}%, goals met {m.get('goals_met_pct', 0):.1f}%, "
        f"balance ${m.get('budget_balance', 0):,.0f}"
    )
    say_warnings(result.summary.get("warnings", []))


def say_warnings(warnings: list[str]) -> None:
    """The design's shortfalls a leader must not miss (summary.json `warnings`: a co-taught section without
    its co-teacher), as the solve's last lines: a headline of percentages alone would hide them."""
    if warnings:
        typer.echo(f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''} (see summary.json warnings):")
        for line in warnings:
            typer.echo(f"  - {line}")


def run_regroup(scenario_path: Path, result_path: Path, out: Path) -> None:
    """Regroup `result_path` from the scenario's latest assessments into `out`, refusing before any work a
    folder that may not be written (the same rules as `solve --out`; never the result being regrouped)."""
    from workbench.results.io import claim_result_folder

    protect = [(scenario_path, "the scenario"), (result_path, "the result being regrouped")]
    try:
        with claim_result_folder(out, protect=protect) as claim:
            _regroup_into(scenario_path, result_path, out, claim)
    except FolderRefused as exc:
        typer.echo(f"Nothing was written: {exc}.", err=True)
        raise typer.Exit(1) from None


def _regroup_into(scenario_path: Path, result_path: Path, out: Path, claim: Claim) -> None:
    from workbench.cycle import RegroupRefused, kept_files, regroup_result
    from workbench.results.io import read_result, write_result
    from workbench.scenario.validate import load_scenario

    try:
        scenario = load_scenario(scenario_path)
        previous = read_result(result_path)
    except ScenarioInvalid as exc:
        fail_with(exc)
    with failures_said(out, "regroup", "The regrouped design was refused", said_as_is=(RegroupRefused,)):
        result = regroup_result(scenario, previous)
    try:
        write_result(result, out, claim=claim, verbatim=kept_files(previous))
    except OSError as exc:
        typer.echo(f"Could not write the result folder: {exc}", err=True)
        _nothing_written(out)
    s = result.summary
    typer.echo(f"{out}: cycle {s.get('cycle')} — {s.get('students_moved')} moved, "
               f"{s.get('students_exited_on_track')} left on track, {s.get('students_newly_served')} newly served; "
               f"goals met {s.get('metrics', {}).get('goals_met_pct', 0):.1f}%")
