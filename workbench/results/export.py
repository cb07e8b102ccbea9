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

import pandas as pd

from workbench.atomic import FORMULA_START, write_atomically
from workbench.goals.teachers import teacher_load
from workbench.results.io import RESULT_TABLES, Result
from workbench.scenario.calendar import calendar_of, meetings, rotation_note, weekly_minutes
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
    """`student_id` -> `Student ID`, `requests_fulfilled_pct` -> `Requests fulfilled %`, `ell` -> `English
    learner` (the funding formula's names for the needs)."""
    from workbench.scenario.funding import NEED_LABELS

    if str(column) in NEED_LABELS:
        label = NEED_LABELS[str(column)]
        return label[:1].upper() + label[1:]
    words = [HEADER_WORDS.get(w, w) for w in str(column).split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def schedule_grid(result: Result, scenario: Scenario | None = None) -> pd.DataFrame:
    """The master schedule as a leader pins it on the wall: one row a period, one column a teacher,
    each cell the section, its room and its class size; a co-taught section also in its co-teacher's column
    (`with_co_teachers`)."""
    sections = result.sections.copy()
    if sections.empty:
        return pd.DataFrame({"Period": []})
    size = result.enrollments.groupby(result.enrollments["section_id"].astype(str)).size()
    seated = sections["section_id"].astype(str).map(size).fillna(0).astype(int)
    sections["cell"] = (sections["section_id"].astype(str) + " · " + sections["room_id"].fillna("").astype(str)
                        + " · " + seated.astype(str) + seated.map(lambda n: " student" if n == 1 else " students")
                        + rotation_note(sections))
    if scenario is not None:   # a double period fills the next row too (the time model says which rows)
        held = meetings(sections, calendar_of(scenario), scenario.courses)[["section_id", "period"]]
        sections = sections.drop(columns="period").assign(section_id=sections["section_id"].astype(str)).merge(
            held.drop_duplicates(), on="section_id")
    grid = with_co_teachers(sections).pivot_table(index="period", columns="staff_id", values="cell",
                                                  aggfunc=" / ".join)
    periods = scenario.periods if scenario is not None else sorted(grid.index)
    grid = grid.reindex(periods)
    if scenario is not None:
        for p in scenario.settings.school.intervention_periods:
            if p in grid.index:
                grid.loc[p] = grid.loc[p].fillna("(intervention period)")
    grid = grid.fillna("")
    grid.index.name = "Period"
    return grid.reset_index()


def with_co_teachers(cells: pd.DataFrame) -> pd.DataFrame:
    """Grid cells (one row a section and period, `staff_id` its column, `cell` its text) with each co-teacher
    (sections.csv co_staff_id, SPEC §4) shown: the lead's cell names her ("· with T020") and she gets a cell
    in her own column ("co-teaches ELA6I-01 · R05"), so an adult who only co-teaches still has a column and
    nobody reads her free when she is in a classroom. Cells unchanged when the design co-teaches nothing."""
    if "co_staff_id" not in cells.columns:
        return cells
    co = cells["co_staff_id"].astype(str).str.strip().mask(cells["co_staff_id"].isna(), "")
    taught = co != ""
    lead = cells.assign(cell=cells["cell"].where(~taught, cells["cell"] + " · with " + co))
    second = cells[taught].assign(
        staff_id=co[taught],
        cell="co-teaches " + cells.loc[taught, "section_id"].astype(str) + " · "
             + cells.loc[taught, "room_id"].fillna("").astype(str) + rotation_note(cells[taught]))
    return pd.concat([lead, second], ignore_index=True)


MONEY_COLUMNS = {"annual_cost", "amount", "cost", "revenue", "expenses", "balance", "revenue_recurring",
                 "revenue_one_time", "expense_recurring", "expense_one_time", "staff_share", "supports", "total",
                 "cost_per_student"}
CURRENCY = '"$"#,##0.00;[Red]-"$"#,##0.00'
PERCENT = '0.0"%"'   # the workbench's percentages run 0-100


def summary_rows(result: Result, scenario: Scenario | None = None) -> list[tuple[str, object, str]]:
    """The Summary sheet and the report's top, as (measure in words, value, format: "", "money" or "pct"):
    the measures a leader reads (with the co-taught sections and those left without a co-teacher, for a
    design that co-teaches) and the money as `workbench.plan.money` defines it, recurring balance first. No
    developer rows (solver, seconds)."""
    from workbench.plan.money import money_of

    m = result.summary.get("metrics", {})
    rows: list[tuple[str, object, str]] = [("Scenario", result.summary.get("scenario", ""), ""),
                                           ("Status", result.summary.get("status", ""), "")]
    for key, label in (("requests_fulfilled_pct", "Requests placed"), ("first_choice_pct", "First choices placed"),
                       ("required_fulfilled_pct",
                       "Required courses placed"), ("students_fully_scheduled_pct", "Students fully scheduled"),
                       ("goals_met_pct", "Student goals met")):
        if key in m:
            rows.append((label, m[key], "pct"))
    for key, label in (("co_taught_sections", "Co-taught sections"),
                       ("co_taught_sections_without_co_teacher", "Co-taught sections without their co-teacher")):
        if key in m:
            rows.append((label, m[key], ""))
    if scenario is not None:
        from workbench.goals.words import alternates_used

        rows.append(("Unplaced electives met by an alternate", alternates_used(scenario, result)[1], ""))
    rows += [(label.strip(), amount, "money") for label, amount in money_of(result, scenario).lines()]
    return rows


def _sheets(result: Result, scenario: Scenario | None) -> dict[str, pd.DataFrame]:
    sheets: dict[str, pd.DataFrame] = {}
    sheets["Summary"] = pd.DataFrame([(label, value) for label, value, _ in summary_rows(result, scenario)],
                                     columns=["Measure", "Value"])
    warned = result.summary.get("warnings") or []
    if warned:   # what the design falls short of, said in words (e.g. a co-taught section without its co-teacher)
        sheets["Warnings"] = pd.DataFrame({"Warning": list(warned)}, dtype=object)
    sheets["Schedule grid"] = schedule_grid(result, scenario)
    for name in RESULT_TABLES:
        sheets[SHEET_TITLES[name]] = result.table(name)
    for name, frame in result.extra.items():
        title = readable(name)[:31]
        if title not in sheets:
            sheets[title] = frame
    if scenario is not None and "Teacher load" not in sheets:   # every workbook shows what a design asks of teachers
        sheets["Teacher load"] = teacher_load(scenario, result)
    if scenario is not None:
        sheets.update(presolve_sheets(scenario))
    return sheets


def presolve_sheets(scenario: Scenario) -> dict[str, pd.DataFrame]:
    """The reports a scheduler runs before the solve (`workbench.scenario.summary`, as `workbench validate`
    prints them), one sheet each: the warnings, the singleton/doubleton report and the whole course conflict
    matrix (students requesting each pair of courses, most first)."""
    from workbench.scenario import summary

    pair = {"course_a": "Course ID", "course_b": "Other course ID", "students": "Students requesting both"}
    return {
        "Before the solve": pd.DataFrame({"Warning": summary.warnings(scenario)}, dtype=object),
        "Small courses together": summary.small_course_collisions(scenario).rename(
            columns={**pair, "sections_a": "Sections", "sections_b": "Its sections"}),
        "Course conflicts": summary.conflict_matrix(scenario).rename(columns=pair),
    }


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


def _row(sheet, values: list[object], text_only: list[bool], formats: list[str] | None = None) -> list[object]:
    """One row of cells: text as text, numbers as numbers with their column's number format (currency or
    percentage) when one is given."""
    from openpyxl.cell import WriteOnlyCell

    out = []
    for i, (value, as_text) in enumerate(zip(values, text_only, strict=True)):
        value = cell_value(value, as_text)
        if isinstance(value, str):
            out.append(_text_cell(sheet, value))
        elif formats and formats[i] and isinstance(value, int | float):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = formats[i]
            out.append(cell)
        else:
            out.append(value)
    return out


def _format_of(column: object) -> str:
    name = str(column)
    if name in MONEY_COLUMNS:
        return CURRENCY
    if name.endswith("_pct") or name.endswith("%"):
        return PERCENT
    return ""


def _sheet_title(title: str, taken: set[str]) -> str:
    """Excel's rules for a sheet name: at most 31 characters, none of []:*?/\\, unique."""
    base = re.sub(r"[\[\]:*?/\\]", "_", title).strip("'")[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        name, n = f"{base[:28]} {n}", n + 1
    taken.add(name.lower())
    return name


def to_excel(result: Result, path: str | Path, scenario: Scenario | None = None) -> Path:
    """Write the workbook: Summary (the measures and the money, no solver timings) and Schedule grid first,
    then every table with a filter on its header row, headers in plain words, dollars as currency,
    percentages as percentages, columns wide enough to read and the header row frozen. Text is written as
    text (never a formula), numbers as numbers, identifier columns (`*_id`, the grid's teachers) as text."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    summary_formats = [{"money": CURRENCY, "pct": PERCENT}.get(kind, "")
                       for _, _, kind in summary_rows(result, scenario)]

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
            if title != "Summary" and len(frame.columns):
                sheet.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
            sheet.append(_row(sheet, headers, [True] * len(headers)))
            text_only = [(_is_id(c) or grid) and c != "Period" for c in frame.columns]
            formats = [_format_of(c) for c in frame.columns]
            for n, values in enumerate(frame.itertuples(index=False, name=None)):
                if title == "Summary":
                    formats = ["", summary_formats[n]]
                sheet.append(_row(sheet, list(values), text_only, formats))
        book.save(target)

    return write_atomically(Path(path), write)


REPORT_STYLE = """
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5rem auto; max-width: 60rem;
       padding: 0 1rem; color: #222; line-height: 1.4; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; } h2 { font-size: 1.15rem; margin-top: 1.6rem;
     border-bottom: 1px solid #bbb; page-break-after: avoid; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.4rem 0 0.8rem; width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.4rem; text-align: left; vertical-align: top;
         overflow-wrap: break-word; }
th { background: #eef1f4; } td.num { text-align: right; white-space: nowrap; }
tr { page-break-inside: avoid; } thead { display: table-header-group; }
.grid { table-layout: fixed; } .grid td, .grid th { font-size: 0.72rem; }
.grid td:first-child { font-weight: 600; text-align: center; }
.headline { font-size: 1.05rem; background: #f6f8fa; border-left: 4px solid #2f4f6f; padding: 0.5rem 0.8rem; }
.bar { background: #4c9f70; height: 0.8rem; display: inline-block; vertical-align: middle; }
.bar.off { background: #e6c0bf; } .note { color: #555; font-size: 0.8rem; }
.neg { color: #b42318; }
@page { size: auto; margin: 12mm; }
@media print { body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
  h2 { margin-top: 1rem; } .grid td, .grid th { font-size: 7pt; padding: 1px 2px; }
  a { color: inherit; text-decoration: none; } }
"""


def _cell_html(value: object, column: str) -> str:
    import html as _html

    if value is None or (isinstance(value, float) and value != value):
        return "<td></td>"
    if column in MONEY_COLUMNS and isinstance(value, numbers.Real):
        from workbench.plan.money import dollars

        cls = "num neg" if value < 0 else "num"
        return f'<td class="{cls}">{_html.escape(dollars(value))}</td>'
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
        return f'<td class="num">{text}</td>'
    return f"<td>{_html.escape(str(value), quote=False)}</td>"


def html_table(frame: pd.DataFrame, max_rows: int = 300, cls: str = "", labels=None) -> str:
    """A table of escaped cells (every text may come from someone else's files), dollars as $ amounts,
    headings in plain words; rows beyond `max_rows` are counted, not shown."""
    import html as _html

    from workbench.goals.words import plain

    labels = labels or plain
    head = "".join(f"<th>{_html.escape(str(labels(c)))}</th>" for c in frame.columns)
    rows = ["<tr>" + "".join(_cell_html(v, str(c)) for v, c in zip(row, frame.columns, strict=True)) + "</tr>"
            for row in frame.head(max_rows).itertuples(index=False, name=None)]
    more = (f'<p class="note">… and {len(frame) - max_rows} more rows: see the Excel workbook.</p>'
            if len(frame) > max_rows else "")
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


def group_table(result: Result, scenario: Scenario | None = None) -> pd.DataFrame:
    """Each small group: who leads it, its subject, its members and when it meets. `minutes_per_week` is the
    time model's weekly minutes (`calendar.weekly_minutes`: the cycle's total × 5 ÷ days, in the group's weakest
    term), the figure goals are judged on; without the scenario the cycle is taken to be a 5-day week."""
    if result.groups.empty:
        return pd.DataFrame(columns=["group_id", "staff_id", "subject", "members", "students", "sessions",
                                     "minutes_per_week", "meets"])
    members = result.group_members.groupby("group_id")["student_id"].agg(lambda s: ", ".join(sorted(s)))
    count = result.group_members.groupby("group_id").size()
    sessions = result.group_sessions.sort_values(["day", "period"])
    meets = sessions.groupby("group_id").apply(
        lambda g: "; ".join(f"D{d} P{p}" for d, p in zip(g["day"], g["period"], strict=True)),
        include_groups=False)
    minutes = (weekly_minutes(result.group_sessions, calendar_of(scenario)) if scenario is not None
               else sessions.groupby("group_id")["minutes"].sum())
    out = result.groups.copy()
    out["members"] = out["group_id"].map(count).fillna(0).astype(int)
    out["students"] = out["group_id"].map(members).fillna("")
    out["sessions"] = out["group_id"].map(sessions.groupby("group_id").size()).fillna(0).astype(int)
    out["minutes_per_week"] = out["group_id"].astype(str).map(minutes).fillna(0).round().astype(int)
    out["meets"] = out["group_id"].map(meets).fillna("")
    return out


def report_grid(result: Result, scenario: Scenario | None = None) -> pd.DataFrame:
    """The schedule as a principal reads it on paper: periods down, teachers across (at most 8 teachers a
    table, see `result_html`), each cell the course, room and class size; no empty column."""
    grid = schedule_grid(result, scenario)
    if "Period" not in grid.columns:
        return grid
    keep = ["Period"] + [c for c in grid.columns if c != "Period" and (grid[c].astype(str) != "").any()]
    return grid[keep]


def result_html(result: Result, scenario: Scenario | None = None, title: str | None = None, bar=None) -> str:
    """The report a principal prints: summary (measures and money, recurring balance first), budget with
    its balances and three years, staffing, team planning time and teacher load (`adult_sections`), the schedule
    grid (periods down, teachers across, in tables of 8 teachers), the requests not placed with their reasons,
    small groups, goals by need, the unmet goals with their reasons and, given a district `bar`
    (`goals.review.load_bar`) and the scenario, the review against it. One self-contained page: no script,
    no font or file from anywhere else, so it opens offline and prints on A4 or Letter."""
    import html as _html

    from workbench.goals.compare import need_groups
    from workbench.plan.money import dollars, money_of

    name = title or f"School design: {result.summary.get('scenario') or (result.path.name if result.path else '')}"
    figures = money_of(result, scenario)
    out = [f"<h1>{_html.escape(name)}</h1>"]
    label = result.summary.get("label")
    if label:
        out.append(f'<p class="note">Design: {_html.escape(str(label))}</p>')
    out.append(f'<p class="headline">Recurring balance <strong>{_html.escape(dollars(figures.recurring_balance))}'
               f"</strong> a year without one-time money; this year's balance "
               f"{_html.escape(dollars(figures.this_year_balance))}.</p>")
    out.append("<h2>Summary</h2>")
    rows = []
    for measure, value, kind in summary_rows(result, scenario):
        if kind == "money":
            shown = dollars(value)
        elif kind == "pct":
            shown = f"{float(value):.1f}%"
        else:
            shown = str(value)
        rows.append({"measure": measure, "value": shown})
    out.append(html_table(pd.DataFrame(rows), labels=str.capitalize))
    warned = result.summary.get("warnings") or []
    if warned:
        out.append("<h2>Warnings</h2><ul>" + "".join(f"<li>{_html.escape(str(w))}</li>" for w in warned) + "</ul>")

    if not result.budget.empty:
        out.append("<h2>Budget</h2>")
        out.append(html_table(figures.three_years()[["year", "revenue", "revenue_one_time", "expenses",
                                                     "expense_one_time", "balance"]]))
        budget = result.budget.copy()
        budget["amount"] = pd.to_numeric(budget["amount"], errors="coerce")
        out.append(html_table(budget))

    if not result.staffing.empty:
        out.append("<h2>Staffing</h2>")
        staffing = result.staffing.copy()
        staffing["annual_cost"] = pd.to_numeric(staffing["annual_cost"], errors="coerce")
        by_role = (staffing.assign(new=pd.to_numeric(staffing["new_hire"], errors="coerce").fillna(0).astype(int))
                   .groupby("role", as_index=False).agg(people=("staff_id", "count"), new_hires=("new", "sum"),
                                                        annual_cost=("annual_cost", "sum")))
        out.append(html_table(by_role))
        shown = [c for c in ("staff_id", "role", "new_hire", "fte", "annual_cost", "subjects", "leader_id")
                 if c in staffing.columns]
        out.append(html_table(staffing[shown], cls="grid"))

    out.extend(adult_sections(result, scenario))
    grid = report_grid(result, scenario)
    if len(grid.columns) > 1:
        out.append("<h2>Master schedule (periods down, teachers across)</h2>")
        teachers = [c for c in grid.columns if c != "Period"]
        for start in range(0, len(teachers), 8):
            part = grid[["Period"] + teachers[start:start + 8]]
            out.append(html_table(part, cls="grid", labels=str))
    out.extend(unplaced_section(result))

    groups = group_table(result, scenario)
    if not groups.empty:
        out.append("<h2>Small groups</h2>")
        out.append(html_table(groups))

    goals = result.student_goals.copy()
    if not goals.empty:
        goals["met"] = pd.to_numeric(goals["met"], errors="coerce").fillna(0).astype(int)
        out.append("<h2>Goals met, by kind</h2>")
        by_kind = goals.groupby("goal")["met"].agg(["sum", "count"]).reset_index()
        by_kind.columns = ["goal", "met", "goals"]
        by_kind["met %"] = (100 * by_kind["met"] / by_kind["goals"]).round(1)
        by_kind["share met"] = [f'<span class="bar" style="width:{int(p * 1.5)}px"></span>'
                                f'<span class="bar off" style="width:{int((100 - p) * 1.5)}px"></span>'
                                for p in by_kind["met %"]]
        table = html_table(by_kind.drop(columns="share met"))
        bars = "".join(f"<tr><td>{_html.escape(str(g))}</td><td>{b}</td></tr>"
                       for g, b in zip(by_kind["goal"], by_kind["share met"], strict=True))
        out.append(table + f"<table><tbody>{bars}</tbody></table>")
        if scenario is not None:
            out.append("<h2>Students by goals met, by need</h2>")
            per = goals.groupby("student_id")["met"].agg(["sum", "count"])
            rows = []
            for group, mask in need_groups(scenario).items():
                mine = per[per.index.isin(mask[mask].index)]
                rows.append({"group": group, "students with goals": len(mine),
                             "no goal met": int((mine["sum"] == 0).sum()),
                             "some met": int(((mine["sum"] > 0) & (mine["sum"] < mine["count"])).sum()),
                             "all met": int((mine["sum"] == mine["count"]).sum())})
            out.append(html_table(pd.DataFrame(rows)))
        out.append("<h2>Goals not met, and why</h2>")
        unmet = goals[goals["met"] == 0].drop(columns="met")
        out.append(html_table(unmet) if not unmet.empty else "<p>Every goal is met.</p>")
    if bar is not None and scenario is not None:
        out.extend(_review_section(bar, scenario, result))
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="UTF-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_html.escape(name)}</title><style>{REPORT_STYLE}</style></head><body>\n"
            + "\n".join(out) + "\n</body></html>\n")


def team_planning_table(team_planning: pd.DataFrame) -> pd.DataFrame:
    """team_planning.csv (leader_id, staff_id, periods: one row a member, leader first) as one row a team:
    leader_id, members (the others, comma-separated) and `common planning` ("period 3", "periods 1 and 3")."""
    rows = []
    for leader, team in team_planning.astype(str).groupby("leader_id", sort=False):
        periods = [p.strip() for p in str(team["periods"].iloc[0]).split(";") if p.strip()]
        said = (f"period {periods[0]}" if len(periods) == 1
                else f"periods {', '.join(periods[:-1])} and {periods[-1]}" if periods else "")
        rows.append({"leader_id": leader, "members": ", ".join(m for m in team["staff_id"] if m != leader),
                     "common planning (every day)": said})
    return pd.DataFrame(rows, columns=["leader_id", "members", "common planning (every day)"])


def adult_sections(result: Result, scenario: Scenario | None = None) -> list[str]:
    """The report's view of what the design asks of the adults, when the result has it: each team's common
    planning periods (team_planning.csv) and every teacher's load (`goals.teachers.teacher_load` given the
    scenario, else the result's teacher_load.csv), with each soft limit missed in a sentence."""
    import html as _html

    from workbench.goals.teachers import soft_limit_misses

    out = []
    if "team_planning" in result.extra and len(result.extra["team_planning"]):
        out.append("<h2>Team planning time</h2>")
        out.append('<p class="note">Each leader and her team keep these periods free together on every day: no '
                   "section, no small group.</p>")
        out.append(html_table(team_planning_table(result.extra["team_planning"]),
                              labels=lambda c: "Leader" if c == "leader_id" else _plain(c)))
    load = teacher_load(scenario, result) if scenario is not None else result.extra.get("teacher_load")
    if load is not None and len(load):
        out.append("<h2>Teacher load</h2>")
        out.append('<p class="note">Sections taught and co-taught, distinct courses (preps), students, the most '
                   "periods taught in a row, and planning time a week (periods with no section, group or "
                   "intervention duty).</p>")
        out.append(html_table(load))
        misses = soft_limit_misses(load) if scenario is not None else []
        if misses:
            out.append("<ul>" + "".join(f"<li>{_html.escape(line)}</li>" for line in misses) + "</ul>")
    return out


PRIORITY_WORDS = {"1": "required", "2": "elective", "3": "alternate"}


def unplaced_section(result: Result) -> list[str]:
    """The requests the schedule left unplaced (unplaced_requests.csv), each with its reason; a line saying
    none was left when the table is there and empty; nothing for a result without the table."""
    unplaced = result.extra.get("unplaced_requests")
    if unplaced is None:
        return []
    out = ["<h2>Requests not placed, and why</h2>"]
    if not len(unplaced):
        return out + ["<p>Every request is placed.</p>"]
    shown = unplaced.copy()
    if "priority" in shown.columns:
        shown["priority"] = shown["priority"].astype(str).map(PRIORITY_WORDS).fillna(shown["priority"].astype(str))
    return out + [html_table(shown, labels=lambda c: "Why not placed" if c == "reason" else _plain(c))]


def _plain(column: object) -> str:
    from workbench.goals.words import plain

    return plain(column)


def _review_section(bar, scenario: Scenario, result: Result) -> list[str]:
    """The review against a district bar, as `workbench review` gives it: the verdict on the whole bar, then
    each criterion with its value, threshold and how many students fail it."""
    import html as _html

    from workbench.goals.review import overall, review_result

    verdicts = review_result(bar, scenario, result)
    table = pd.DataFrame([{"criterion": v.criterion, "verdict": v.status, "value": v.value,
                           "threshold": v.threshold, "students failing": len(v.failing_students)}
                          for v in verdicts])
    return [f"<h2>Review against the bar: {_html.escape(str(bar.name))}</h2>",
            f'<p class="headline">This design {_html.escape(overall(verdicts))}.</p>', html_table(table)]


def to_html(result: Result, path: str | Path, scenario: Scenario | None = None, bar=None) -> Path:
    page = result_html(result, scenario, bar=bar)
    return write_atomically(Path(path), lambda target: target.write_text(page, encoding="utf-8"))
