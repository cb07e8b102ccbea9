"""A result as a school leader shares it: an Excel workbook (one sheet per table, the master schedule as a
period × teacher grid) and a one-page HTML report. Both are built from the result's own tables.

Every text in a result may come from someone else's files, so the workbook holds it as text, never as a
formula (`=HYPERLINK(...)` in a student ID stays those characters), and the page escapes it. Numbers stay
numbers so that SUM() works, except identifiers: student 0001 stays the text "0001".

The result CSVs themselves are not defused: they are the program's own data, read back by check, compare
and review, and an ID must survive the round trip unchanged; the workbook is what a spreadsheet opens."""

from __future__ import annotations

import math
import numbers
import re
from pathlib import Path

import altair as alt
import pandas as pd

from workbench.results.atomic import FORMULA_START, refuse_output, write_atomically
from workbench.results.io import RESULT_TABLES, Result
from workbench.scenario.model import Scenario

SHEET_TITLES = {
    "sections": "Sections", "enrollments": "Enrollments", "groups": "Small groups",
    "group_sessions": "Group sessions", "group_members": "Group members", "staffing": "Staffing",
    "student_supports": "Student supports", "budget": "Budget", "student_goals": "Student goals",
}
HEADER_WORDS = {"id": "ID", "pct": "%", "fte": "FTE", "s": "(s)"}
NUMBER_TEXT = re.compile(r"-?(?:0|[1-9]\d{0,14})(?:\.\d{1,15})?")   # no leading zeros: "0001" is an ID
EXCEL_TEXT_LIMIT = 32767


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


def _is_id(column: object) -> bool:
    name = str(column).lower()
    return name == "id" or name.endswith("_id") or name.endswith(" id")


def cell_value(value: object, text_only: bool = False) -> object:
    """What one cell holds in the workbook: None (blank), a number, or a string that is written as text.
    Text that reads as a plain number becomes that number unless `text_only` (identifiers) or it has a
    leading zero."""
    if isinstance(value, str):
        if text_only or not NUMBER_TEXT.fullmatch(value):
            return value
        return float(value) if "." in value else int(value)
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return str(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value) if math.isfinite(value) else str(value)
    return str(value)


def _text_cell(sheet, text: str):
    """A cell that holds `text` as text whatever it starts with; a leading =, +, -, @, tab or CR also gets
    Excel's quote prefix, so that editing the cell does not turn it into a formula either."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)[:EXCEL_TEXT_LIMIT]
    cell = WriteOnlyCell(sheet)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell


def _row(sheet, values: list[object], text_only: list[bool]) -> list[object]:
    out = []
    for value, as_text in zip(values, text_only, strict=True):
        value = cell_value(value, as_text)
        out.append(_text_cell(sheet, value) if isinstance(value, str) else value)
    return out


def _sheet_title(title: str, taken: set[str]) -> str:
    """Excel's rules for a sheet name: at most 31 characters, none of []:*?/\\, unique."""
    base = re.sub(r"[\[\]:*?/\\]", "_", title).strip("'")[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        name, n = f"{base[:28]} {n}", n + 1
    taken.add(name.lower())
    return name


def to_excel(result: Result, path: str | Path, scenario: Scenario | None = None) -> Path:
    """Write the workbook: Summary and Schedule grid first, then every table, headers in plain words,
    columns wide enough to read and the header row frozen. Text is written as text (never a formula),
    numbers as numbers, identifier columns (`*_id`, the grid's teachers) as text."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    def write(target: Path) -> None:
        book = Workbook(write_only=True)
        taken: set[str] = set()
        for title, frame in _sheets(result, scenario).items():
            grid = title == "Schedule grid"
            sheet = book.create_sheet(_sheet_title(title, taken))
            sheet.freeze_panes = "B2" if grid else "A2"
            headers = [str(c) if grid else readable(c) for c in frame.columns]
            for i, column in enumerate(frame.columns, start=1):
                longest = max([len(headers[i - 1])] + [len(str(v)) for v in frame[column].head(500)])
                sheet.column_dimensions[get_column_letter(i)].width = min(max(10, longest + 2), 60)
            sheet.append(_row(sheet, headers, [True] * len(headers)))
            text_only = [(_is_id(c) or grid) and c != "Period" for c in frame.columns]
            for values in frame.itertuples(index=False, name=None):
                sheet.append(_row(sheet, list(values), text_only))
        book.save(target)

    return write_atomically(Path(path), write)


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
    page = result_html(result, scenario)
    return write_atomically(Path(path), lambda target: target.write_text(page, encoding="utf-8"))


def export_cli(result_path: Path, xlsx: Path | None = None, html: Path | None = None,
               scenario: Path | None = None) -> None:
    """`workbench export <result> --xlsx F --html F`."""
    import typer

    from workbench.console import fail, fail_with
    from workbench.errors import ScenarioInvalid
    from workbench.results.io import read_result
    from workbench.scenario.validate import load_scenario

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
    except ScenarioInvalid as exc:
        fail_with(exc)
    if loaded is not None and result.student_goals.empty and not loaded.goals.empty:
        from workbench.goals.evaluate import evaluate_goals

        result.student_goals = evaluate_goals(loaded, result)   # a hand-made result without its goal table
    try:
        if xlsx is not None:
            typer.echo(f"wrote {to_excel(result, xlsx, loaded)}")
        if html is not None:
            typer.echo(f"wrote {to_html(result, html, loaded)}")
    except OSError as exc:
        fail(f"could not write {exc.filename or 'the export'}: {exc.strerror or exc}")
