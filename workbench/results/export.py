"""A result as a school leader shares it: an Excel workbook (one sheet per table, the master schedule as a
period × teacher grid) and a one-page HTML report. Both are built from the result's own tables."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd

from workbench.results.io import RESULT_TABLES, Result
from workbench.scenario.model import Scenario

SHEET_TITLES = {
    "sections": "Sections", "enrollments": "Enrollments", "groups": "Small groups",
    "group_sessions": "Group sessions", "group_members": "Group members", "staffing": "Staffing",
    "student_supports": "Student supports", "budget": "Budget", "student_goals": "Student goals",
}
HEADER_WORDS = {"id": "ID", "pct": "%", "fte": "FTE", "s": "(s)"}


def readable(column: str) -> str:
    """`student_id` -> `Student ID`, `requests_fulfilled_pct` -> `Requests fulfilled %`."""
    words = [HEADER_WORDS.get(w, w) for w in str(column).split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def schedule_grid(result: Result, scenario: Scenario | None = None) -> pd.DataFrame:
    """The master schedule as a leader pins it on the wall: one row a period, one column a teacher,
    each cell the section, its room and its class size."""
    sections = result.sections.copy()
    if sections.empty:
        return pd.DataFrame({"Period": []})
    size = result.enrollments.groupby(result.enrollments["section_id"].astype(str)).size()
    sections["cell"] = (sections["section_id"].astype(str) + " · " + sections["room_id"].fillna("").astype(str)
                        + " · " + sections["section_id"].astype(str).map(size).fillna(0).astype(int).astype(str)
                        + " students")
    grid = sections.pivot_table(index="period", columns="staff_id", values="cell", aggfunc=" / ".join)
    periods = scenario.periods if scenario is not None else sorted(grid.index)
    grid = grid.reindex(periods)
    if scenario is not None:
        for p in scenario.settings.school.intervention_periods:
            if p in grid.index:
                grid.loc[p] = grid.loc[p].fillna("(intervention period)")
    grid = grid.fillna("")
    grid.index.name = "Period"
    return grid.reset_index()


def _sheets(result: Result, scenario: Scenario | None) -> dict[str, pd.DataFrame]:
    sheets: dict[str, pd.DataFrame] = {}
    metrics = result.summary.get("metrics", {})
    timings = result.summary.get("timings", {})
    rows = [("status", result.summary.get("status", "")), ("solver", result.summary.get("solver", "")),
            ("scenario", result.summary.get("scenario", ""))]
    rows += [(readable(k), v) for k, v in metrics.items()]
    rows += [(readable(k), v) for k, v in timings.items() if not isinstance(v, dict)]
    sheets["Summary"] = pd.DataFrame(rows, columns=["Measure", "Value"])
    sheets["Schedule grid"] = schedule_grid(result, scenario)
    for name in RESULT_TABLES:
        sheets[SHEET_TITLES[name]] = result.table(name)
    for name, frame in result.extra.items():
        title = readable(name)[:31]
        if title not in sheets:
            sheets[title] = frame
    return sheets


def to_excel(result: Result, path: str | Path, scenario: Scenario | None = None) -> Path:
    """Write the workbook: Summary and Schedule grid first, then every table, headers in plain words,
    columns wide enough to read and the header row frozen."""
    from openpyxl.utils import get_column_letter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for title, frame in _sheets(result, scenario).items():
            out = frame.rename(columns=readable) if title != "Schedule grid" else frame
            out.to_excel(writer, sheet_name=title, index=False)
            sheet = writer.sheets[title]
            sheet.freeze_panes = "B2" if title == "Schedule grid" else "A2"
            for i, column in enumerate(out.columns, start=1):
                longest = max([len(str(column))] + [len(str(v)) for v in out[column].head(500)])
                sheet.column_dimensions[get_column_letter(i)].width = min(max(10, longest + 2), 60)
    return path


def result_html(result: Result, scenario: Scenario | None = None, title: str | None = None) -> str:
    """One self-contained page: headline measures, goals met by kind and by need, unmet goals with their
    reasons, the budget and the schedule grid."""
    from workbench.goals.compare import need_groups
    from workbench.goals.report import Page

    name = title or f"School design: {result.summary.get('scenario') or (result.path.name if result.path else '')}"
    page = Page(name)
    m = result.summary.get("metrics", {})
    page.text(f"Status: {result.summary.get('status', 'unknown')}. " + "; ".join(
        f"{readable(k)}: ${v:,.0f}" if k == "budget_balance" else f"{readable(k)}: {v:,.1f}"
        for k, v in m.items() if isinstance(v, int | float)))
    goals = result.student_goals.copy()
    if not goals.empty:
        goals["met"] = pd.to_numeric(goals["met"], errors="coerce").fillna(0).astype(int)
        page.heading("Goals met, by kind")
        by_kind = goals.groupby("goal")["met"].agg(["sum", "count"]).reset_index()
        by_kind["met %"] = (100 * by_kind["sum"] / by_kind["count"]).round(1)
        page.chart(alt.Chart(by_kind).mark_bar().encode(
            x=alt.X("met %:Q", scale=alt.Scale(domain=[0, 100])), y=alt.Y("goal:N", title=None),
            tooltip=["goal", "sum", "count", "met %"]).properties(width=500))
        page.table(by_kind.rename(columns={"sum": "met", "count": "goals"}))
        if scenario is not None:
            page.heading("Students by goals met, by need")
            per = goals.groupby("student_id")["met"].agg(["sum", "count"])
            rows = []
            for group, mask in need_groups(scenario).items():
                mine = per[per.index.isin(mask[mask].index)]
                rows.append({"group": group, "students with goals": len(mine),
                             "no goal met": int((mine["sum"] == 0).sum()),
                             "some met": int(((mine["sum"] > 0) & (mine["sum"] < mine["count"])).sum()),
                             "all met": int((mine["sum"] == mine["count"]).sum())})
            page.table(pd.DataFrame(rows))
        page.heading("Goals not met, and why")
        page.table(goals[goals["met"] == 0].drop(columns="met"), max_rows=300)
    if not result.budget.empty:
        page.heading("Budget")
        budget = result.budget.copy()
        budget["amount"] = pd.to_numeric(budget["amount"], errors="coerce")
        page.table(budget.groupby(["kind", "category"])["amount"].sum().reset_index())
    page.heading("Master schedule")
    page.table(schedule_grid(result, scenario))
    return page.render()


def to_html(result: Result, path: str | Path, scenario: Scenario | None = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(result_html(result, scenario), encoding="utf-8")
    return path


def export_cli(result_path: Path, xlsx: Path | None = None, html: Path | None = None,
               scenario: Path | None = None) -> None:
    """`workbench export <result> --xlsx F --html F`."""
    import typer

    from workbench.console import fail_with
    from workbench.errors import ScenarioInvalid
    from workbench.results.io import read_result
    from workbench.scenario.validate import load_scenario

    if xlsx is None and html is None:
        typer.echo("say what to write: --xlsx FILE and/or --html FILE", err=True)
        raise typer.Exit(2)
    try:
        result = read_result(result_path)
        where = scenario or result.summary.get("scenario_path")
        loaded = load_scenario(where) if where and Path(where).is_dir() else None
    except ScenarioInvalid as exc:
        fail_with(exc)
    if loaded is not None and result.student_goals.empty and not loaded.goals.empty:
        from workbench.goals.evaluate import evaluate_goals

        result.student_goals = evaluate_goals(loaded, result)   # a hand-made result without its goal table
    if xlsx is not None:
        typer.echo(f"wrote {to_excel(result, xlsx, loaded)}")
    if html is not None:
        typer.echo(f"wrote {to_html(result, html, loaded)}")
