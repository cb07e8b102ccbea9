"""The pages of the workbench. Each page is a `Page` (a `pn.viewable.Viewer`) of one session's `Workbench`,
with what a person chose on it in its own params; it draws tables (Tabulator) and charts (Altair) and calls
the state's methods. No planning happens here. `workbench.app.pages.PAGES` lists them in tab order.

Every text a scenario or result folder supplies (names, descriptions, IDs, reasons, folder names) reaches
the page through `workbench.app.safe`: escaped in Markdown, as text in tables and widget labels."""

from __future__ import annotations

from typing import ClassVar

import altair as alt
import pandas as pd
import panel as pn
import param

from workbench.app import safe, tables
from workbench.app.state import EDITABLE_TABLES, Workbench, cell_text
from workbench.goals.students import (
    section_details,
    student_co_taught,
    student_needs,
    student_plan,
    student_timetable,
)
from workbench.goals.words import COLUMN_LABELS, TABLE_LABELS
from workbench.plan.money import dollars, money_of
from workbench.scenario.schema import TABLES

MONEY_FORMAT = {"type": "money", "symbol": "$", "precision": 0, "thousand": ","}   # Tabulator: $214,500
MONEY_COLUMNS = {"annual_cost", "amount", "cost", "revenue", "expenses", "balance", "revenue_recurring",
                 "revenue_one_time", "expense_recurring", "expense_one_time", "staff_share", "supports", "total"}

TABLE_OPTS = {"show_index": False, "sizing_mode": "stretch_width", "pagination": "remote", "page_size": 15,
              "layout": "fit_data_table"}

# (label, scenario.yaml path, widget kind, step)
SETTINGS = [
    ("Base funding per pupil ($)", "funding.base_per_pupil", "float", 100.0),
    ("Other revenue ($/year)", "funding.other_revenue", "float", 10000.0),
    ("Allow a deficit", "funding.allow_deficit", "bool", None),
    ("Small group: most students", "tutoring.max_group_size", "int", 1),
    ("Small group: sessions a week", "tutoring.sessions_per_week", "int", 1),
    ("Small group: minutes a session", "tutoring.session_minutes", "int", 5),
    ("Solver time limit (s)", "solver.time_limit_s", "float", 5.0),
]


def _get(settings, dotted: str):
    node = settings
    for part in dotted.split("."):
        node = getattr(node, part)
    return node


def vega(chart: alt.TopLevelMixin, **params) -> pn.pane.Vega:
    """An Altair chart as a Vega pane; the spec is built without schema validation (our charts are fixed
    and known good), which saves a few hundred milliseconds a page on every re-draw. A chart whose width is
    "container" stretches with the page, so a 820 px laptop needs no sideways scroll."""
    spec = chart.to_dict(validate=False)
    if spec.get("width") == "container":
        params.setdefault("sizing_mode", "stretch_width")
        spec["autosize"] = {"type": "fit-x", "contains": "padding"}   # axis labels inside the pane
    return pn.pane.Vega(spec, **params)


def titles(frame: pd.DataFrame) -> dict[str, str]:
    """Each column's heading in plain words ("English learner" for `ell`); a column a scenario file named
    keeps its own name (shown as text by `safe.table`)."""
    return {str(c): COLUMN_LABELS.get(str(c), str(c)) for c in frame.columns}


def money_formats(frame: pd.DataFrame) -> dict:
    """Dollar columns shown as $214,500 (whole dollars), never cut to "214"."""
    return {c: dict(MONEY_FORMAT) for c in frame.columns
            if c in MONEY_COLUMNS and pd.api.types.is_numeric_dtype(frame[c])}


def money_formats_named(frame: pd.DataFrame) -> dict:
    """Compare's dollar columns (named in words) as $ amounts."""
    from workbench.goals.compare import MONEY

    return {c: dict(MONEY_FORMAT) for c in frame.columns if c in MONEY}


def readonly(frame: pd.DataFrame, **opts) -> pn.widgets.Tabulator:
    opts = {**TABLE_OPTS, "titles": titles(frame), "formatters": money_formats(frame), **opts}
    return safe.table(frame, disabled=True, **opts)


def flow(*objects, **params) -> pn.FlexBox:
    """Side by side on a wide screen, one under the other on a narrow one (no sideways scroll)."""
    return pn.FlexBox(*objects, flex_wrap="wrap", sizing_mode="stretch_width", **params)


def no_result(wb: Workbench) -> pn.pane.Alert:
    return safe.alert("No design yet: press **Solve** above (the tutorial school solves in seconds).",
                      alert_type="info")


# ---- pages ---------------------------------------------------------------------------------------
class Page(pn.viewable.Viewer):
    """One page of the workbench (a tab), made once per browser session (`pages.PAGES` lists them in tab order).

    A page draws the part of the session's state it `follows` (the design shown, the scenario picked, the
    designs kept) and draws itself again when that changes; what a person chose on the page (a search, a
    filter, the designs to compare) is held in the page's own params, back to their defaults for each new
    drawing, as the widgets of that drawing were. Pages call the state's methods and the public functions
    the CLI and the notebooks call; they plan nothing."""

    title: ClassVar[str] = ""
    follows: ClassVar[str] = "result"   # the Workbench param whose change draws the page again
    lazy: ClassVar[bool] = True         # drawn the first time its tab is opened

    wb = param.ClassSelector(class_=Workbench, doc="this browser session's state: scenario, designs, solve")

    def __init__(self, **params):
        super().__init__(**params)
        self._drawing: list[tuple[param.Parameterized, object]] = []   # (owner, watcher) of the last drawing

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.panel(pn.bind(self._draw, self.wb.param[self.follows]), sizing_mode="stretch_width",
                        lazy=self.lazy)

    def _draw(self, value) -> pn.viewable.Viewable:
        """Forget the last drawing's watchers (a page no longer shown must not follow the state), then draw."""
        while self._drawing:
            owner, watcher = self._drawing.pop()
            owner.param.unwatch(watcher)
        return self.view(value)

    def view(self, value) -> pn.viewable.Viewable:
        """The page for `value`, the current value of the Workbench param the page follows."""
        raise NotImplementedError

    def follow(self, owner: param.Parameterized, callback, *names: str) -> None:
        """Call `callback(event)` when `owner`'s params `names` change, for as long as this drawing is shown."""
        self._drawing.append((owner, owner.param.watch(callback, list(names))))

    def linked(self, widget: pn.widgets.Widget, name: str) -> pn.widgets.Widget:
        """`widget` (of this drawing) showing the page's param `name`: a choice made in either is made in both."""
        widget.value = getattr(self, name)
        widget.link(self, value=name)
        self.follow(self, lambda event: setattr(widget, "value", event.new), name)
        return widget


class ResultPage(Page):
    """A page of the design shown (`wb.result`): a note to press Solve until there is one."""

    def view(self, result) -> pn.viewable.Viewable:
        return no_result(self.wb) if result is None else self.for_design(result)

    def for_design(self, result) -> pn.viewable.Viewable:
        raise NotImplementedError


# ---- header: scenario picker, solve, cancel, progress ------------------------------------------------
def header(wb: Workbench) -> pn.Column:
    picker = pn.widgets.Select.from_param(wb.param.scenario_name, label="Scenario", width=240)
    name = pn.widgets.TextInput.from_param(wb.param.design_name, name="Name the next design (optional)",
                                          placeholder="e.g. MCL pilot, class size 22", width=240)
    solve = pn.widgets.Button(label="Solve", color="primary", width=110)
    cancel = pn.widgets.Button(label="Cancel", color="warning", width=110, disabled=True)
    progress = pn.indicators.Progress(value=wb.param.progress, max=100, width=200, height=18,
                                      bar_color="primary")
    status = safe.markdown(pn.bind(safe.md_text, wb.param.status), sizing_mode="stretch_width",
                           css_classes=["wb-status"])

    def poll():
        running = False
        try:
            running = wb.poll()
        finally:
            if not running:
                callback.stop()
                solve.disabled, cancel.disabled = False, True

    callback = pn.state.add_periodic_callback(poll, period=250, start=False)

    def on_solve(_):
        if wb.start_solve():
            solve.disabled, cancel.disabled = True, False
            callback.start()

    solve.on_click(on_solve)
    cancel.on_click(lambda _: wb.cancel())
    return pn.Column(flow(picker, name, pn.Column(pn.Spacer(height=22), pn.Row(solve, cancel)),
                          pn.Column(pn.Spacer(height=30), progress)),
                     status, pn.panel(pn.bind(out_of_date, wb.param.stale)), downloads(wb),
                     sizing_mode="stretch_width")


def out_of_date(stale: bool):
    """The mark a leader cannot miss after an edit: the pages still show the design solved before it."""
    if not stale:
        return safe.markdown("")
    return safe.alert("**Result out of date:** the scenario was edited after this design was solved. The pages "
                      "show the design as solved; press **Solve** to plan the edited scenario.",
                      alert_type="warning", css_classes=["wb-stale"], sizing_mode="stretch_width")


def downloads(wb: Workbench) -> pn.Row:
    """Download buttons for the shown design: the Excel workbook and the printable HTML report, written to
    a temporary file by `workbench.results.export` and sent to this browser only."""
    import io
    import tempfile
    from pathlib import Path

    from workbench.results.export import to_excel, to_html

    def made(write, suffix: str):
        def callback():
            result = wb.result
            if result is None:
                return io.BytesIO(b"")
            scenario = wb.made_from.get(result.summary.get("label"), wb.scenario)
            with tempfile.TemporaryDirectory(prefix="workbench-download-") as tmp:
                path = write(result, Path(tmp) / f"design{suffix}", scenario)
                return io.BytesIO(path.read_bytes())
        return callback

    excel = pn.widgets.FileDownload(callback=made(to_excel, ".xlsx"), filename="design.xlsx",
                                    label="Download the Excel workbook", color="light", width=240,
                                    disabled=wb.result is None)
    report = pn.widgets.FileDownload(callback=made(to_html, ".html"), filename="design-report.html",
                                     label="Download the printable report", color="light", width=240,
                                     disabled=wb.result is None)

    def follow(*_):
        excel.disabled = report.disabled = wb.result is None
        if wb.result is not None:
            stem = file_stem(str(wb.result.summary.get("label") or wb.scenario_name or "design"))
            excel.filename, report.filename = f"{stem}.xlsx", f"{stem}-report.html"

    wb.param.watch(follow, "result")
    follow()
    return flow(excel, report)


def file_stem(label: str) -> str:
    """A design's name as a download's file name: letters, digits, '-' and '_' only."""
    import re

    return re.sub(r"[^A-Za-z0-9_-]+", "-", label).strip("-")[:60] or "design"


# ---- Scenario page -------------------------------------------------------------------------------
def problems_for(wb: Workbench, file: str | None) -> pn.Column:
    """Validation messages for one file (or all), shown next to the table at fault."""
    def show(problems):
        mine = [p for p in problems if file is None or p.file == file]
        if not mine:
            return safe.markdown("")
        lines = "\n".join(f"- {safe.md_line(p)}" for p in mine[:50])
        more = f"\n- …and {len(mine) - 50} more" if len(mine) > 50 else ""
        return safe.alert(f"**{len(mine)} problem(s)**\n\n{lines}{more}", alert_type="danger")
    return pn.panel(pn.bind(show, wb.param.problems))


PROBLEM_COLUMN = "⚠ problem"


def with_messages(frame: pd.DataFrame, problems, file: str) -> pd.DataFrame:
    """The table as shown: each row a problem names gets the message in a first `⚠ problem` column, so
    the reason sits on the row at fault (the list above the table still has them all). No problems, no
    column. Row numbers are file lines: the header is line 1, the first row line 2."""
    out = frame.drop(columns=PROBLEM_COLUMN, errors="ignore")
    notes: dict[int, list[str]] = {}
    for p in problems:
        if p.file == file and p.row and 2 <= p.row < len(out) + 2:
            notes.setdefault(p.row - 2, []).append(f"⚠ {p}")
    if notes:
        out = out.copy()
        out.insert(0, PROBLEM_COLUMN, ["  ".join(notes.get(i, [])) for i in range(len(out))])
    return out


def _highlight(frame: pd.DataFrame, problems, file: str) -> pd.DataFrame:
    """CSS for the cells a problem names (row = file line: header is line 1, first row line 2)."""
    css = pd.DataFrame("", index=frame.index, columns=frame.columns)
    for p in problems:
        if p.file == file and p.row and p.row >= 2 and p.row - 2 < len(frame):
            cols = [p.column] if p.column in frame.columns else list(frame.columns)
            css.iloc[p.row - 2, [frame.columns.get_loc(c) for c in cols]] = "background-color: #f8d7da"
            if PROBLEM_COLUMN in frame.columns:
                css.iloc[p.row - 2, frame.columns.get_loc(PROBLEM_COLUMN)] = "color: #842029; font-weight: 600"
    return css


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """A scenario table as the editor shows it: every cell the text of the model's value ("" if blank).
    Text cells mean a typed-in word reaches the server as typed, to be checked and refused there, instead
    of a number box turning it into 0 in the browser and a typed column raising on the server."""
    return pd.DataFrame({column: [cell_text(v) for v in frame[column]] for column in frame.columns},
                        index=frame.index, dtype=object)


def table_editor(wb: Workbench, name: str) -> pn.Column:
    """One scenario table to edit. Each typed cell is checked on entry (`Workbench.edit_cell`); afterwards
    the table shows the model's values again, so a refused word turns back into the value that is kept,
    and the reason sits on the row and in the list above."""
    file = TABLES[name].file

    def shown(problems) -> pd.DataFrame:
        return with_messages(as_text(wb.scenario.table(name)), problems, file)

    first = shown(wb.problems)
    editor = safe.table(first, editors={PROBLEM_COLUMN: None}, widths={PROBLEM_COLUMN: 460}, titles=titles(first),
                        formatters={PROBLEM_COLUMN: {"type": "textarea"}}, selectable=False, **TABLE_OPTS)

    def sync(problems):
        # the style first, then the data: the browser keeps the styles it has when the rows are redrawn
        editor.style.clear()
        if any(p.file == file for p in problems):
            editor.style.apply(lambda f: _highlight(f, problems, file), axis=None)
        want, have = shown(problems), editor.value
        if list(want.columns) != list(have.columns) or len(want) != len(have):
            editor.value = want
            return
        changed = {column: [(int(i), want[column].iat[i]) for i in
                            (want[column].astype(str).to_numpy() != have[column].astype(str).to_numpy()).nonzero()[0]]
                   for column in want.columns}
        changed = {column: cells for column, cells in changed.items() if cells}
        if changed:
            editor.patch(changed, as_index=False)

    def on_edit(event):
        if event.column != PROBLEM_COLUMN:
            wb.edit_cell(name, event.row, event.column, event.value)
        sync(wb.problems)
        # The edited cell is sent back whatever the table holds: the browser's own copy of the typed text may
        # reach the server after this event (a busy machine), and a refused word must not stay on screen.
        kept = shown(wb.problems)
        if event.column in kept.columns and 0 <= int(event.row) < len(kept):
            editor.patch({event.column: [(int(event.row), kept[event.column].iat[int(event.row)])]}, as_index=False)

    editor.on_edit(on_edit)
    sync(wb.problems)
    wb.param.watch(lambda e: sync(e.new), "problems")
    wb.param.watch(lambda _e: sync(wb.problems), "restored")   # Undo / Reset: show the scenario as it is now
    return pn.Column(problems_for(wb, file), editor, sizing_mode="stretch_width")


def setting_changed(wb: Workbench, widget, dotted: str, value) -> None:
    """A setting typed in: kept if allowed, else the widget shows the model's value again (the reason is
    listed under the settings)."""
    if not wb.set_setting(dotted, value):
        kept = _get(wb.scenario.settings, dotted)
        if widget.value != kept:
            widget.value = kept


def settings_panel(wb: Workbench) -> pn.Column:
    widgets = []
    for label, dotted, kind, step in SETTINGS:
        value = _get(wb.scenario.settings, dotted)
        if kind == "bool":
            widget = pn.widgets.Checkbox(label=label, value=bool(value))
        elif kind == "int":
            widget = pn.widgets.IntInput(label=label, value=int(value), step=step, width=220)
        else:
            widget = pn.widgets.FloatInput(label=label, value=float(value), step=step, width=220)
        widget.param.watch(lambda e, d=dotted, w=widget: setting_changed(wb, w, d, e.new), "value")
        widgets.append((widget, dotted))

    pairs = list(widgets)

    def restore(_event) -> None:
        for widget, dotted in pairs:
            kept = _get(wb.scenario.settings, dotted)
            if widget.value != kept:
                widget.value = kept   # set_setting sees the value it holds: no new edit

    wb.param.watch(restore, "restored")
    widgets = [w for w, _ in pairs]
    return pn.Column("### Settings", *widgets, problems_for(wb, "scenario.yaml"), width=250)


def lazy_tabs(pages: list[tuple[str, object]]) -> pn.Tabs:
    """Tabs whose contents are made the first time they are opened: the Scenario page shows one table at
    a time, and building all seven editors (requests.csv alone has thousands of rows) made every new
    session wait for tables nobody had looked at yet."""
    holders = [pn.Column(sizing_mode="stretch_width") for _ in pages]
    made: set[int] = set()

    def fill(index: int) -> None:
        if index not in made and 0 <= index < len(pages):
            made.add(index)
            holders[index][:] = [pages[index][1]()]

    fill(0)
    tabs = pn.Tabs(*[(title, holder) for (title, _), holder in zip(pages, holders, strict=True)],
                   dynamic=True, sizing_mode="stretch_width")
    tabs.param.watch(lambda e: fill(e.new), "active")
    return tabs


def import_panel(wb: Workbench) -> pn.Column:
    """"Import a school": a OneRoster 1.1 export (.zip) from the student information system becomes a new
    scenario folder, with pseudonyms; the import report is shown as plain text."""
    upload = pn.widgets.FileInput(accept=".zip", multiple=False, width=260)
    name = pn.widgets.TextInput(label="New scenario folder", placeholder="e.g. grand-bend-high", width=240)
    school = pn.widgets.TextInput(label="School ID (when the export holds several)", width=260)
    button = pn.widgets.Button(label="Import a school", width=160)
    button.on_click(lambda _: wb.import_oneroster(upload.value or b"", name.value, school.value.strip() or None))
    report = pn.pane.Str(pn.bind(lambda text: text, wb.param.import_report), sizing_mode="stretch_width",
                         styles={"max-height": "320px", "overflow-y": "auto", "white-space": "pre-wrap"})
    return pn.Column("### Import a school (OneRoster 1.1 export, .zip)",
                     flow(upload, name, school, pn.Column(pn.Spacer(height=18), button)), report,
                     sizing_mode="stretch_width")


PRESOLVE_PAIRS = 200   # conflict-matrix rows shown on the page (most students first); the Excel export has all


def presolve_reports(scenario) -> pn.Column:
    """The reports a scheduler runs before building a master schedule, from `workbench.scenario.summary`
    (the same ones `workbench validate` prints): warnings (students asking for more courses than periods,
    courses pinned together), the singleton/doubleton report and the course conflict matrix. Every course ID
    reaches the page as text (`safe`)."""
    from workbench.scenario import summary

    said = summary.warnings(scenario)
    small = summary.small_course_collisions(scenario).rename(columns={
        "course_a": "Course ID", "sections_a": "Sections", "course_b": "Other course ID",
        "sections_b": "Its sections", "students": "Students requesting both"})
    matrix = summary.conflict_matrix(scenario).rename(columns={
        "course_a": "Course ID", "course_b": "Other course ID", "students": "Students requesting both"})
    notes = "\n".join(f"- {safe.md_line(line)}" for line in said[:20])
    return pn.Column(
        "### Before the solve",
        safe.markdown(f"**Warnings** (valid, but not everything asked can be met as things stand):\n\n{notes}"
                      if said else "No warnings: every student's requests fit in the timetable's teaching periods."),
        safe.markdown(f"**Small courses requested together** (one or two sections: they must meet in different "
                      f"periods) — {len(small)} pair(s)"),
        readonly(small, page_size=10),
        safe.markdown(f"**Course conflict matrix**: students requesting each pair of courses "
                      f"({min(len(matrix), PRESOLVE_PAIRS)} of {len(matrix)} pairs, most first)"),
        readonly(matrix.head(PRESOLVE_PAIRS), page_size=10),
        sizing_mode="stretch_width")


def presolve_panel(wb: Workbench):
    """The reports before the solve, redrawn after each edit; an edit that leaves a table unreadable (a
    priority that is not a number) shows a note until the edits are checked, never a traceback."""
    def draw(_edits):
        try:
            return presolve_reports(wb.scenario)
        except (ValueError, TypeError, KeyError):
            return safe.markdown("The reports before the solve come back once the edits are checked.")

    return pn.panel(pn.bind(draw, wb.param.edits), sizing_mode="stretch_width")


class ScenarioPage(Page):
    """The scenario as edited: its tables and settings, the checks and the reports before the solve, undo and
    reset, goals re-judged without a re-solve, the design kept as a new folder, a school imported."""

    title = "Scenario"
    follows = "scenario_name"
    lazy = False

    folder_name = param.String(default="", doc="the new scenario folder 'Save as new scenario' writes")

    def view(self, _name) -> pn.viewable.Viewable:
        wb = self.wb
        if wb.scenario is None:
            return pn.Column(problems_for(wb, None), import_panel(wb), sizing_mode="stretch_width")
        self.folder_name = ""
        check = pn.widgets.Button(label="Check the edits", width=160)
        undo = pn.widgets.Button(label="Undo the last edit", width=160)
        reset = pn.widgets.Button(label="Reset all edits", width=140)
        undo.on_click(lambda _: wb.undo())
        reset.on_click(lambda _: wb.reset())
        recheck = pn.widgets.Button(label="Re-check goals (no re-solve)", width=230)
        save_name = self.linked(pn.widgets.TextInput(label="Keep this design as a new scenario folder",
                                                     placeholder="e.g. tutorial-smaller-groups", width=300),
                                "folder_name")
        save = pn.widgets.Button(label="Save as new scenario", color="success", width=200)
        check.on_click(lambda _: self.check())
        recheck.on_click(lambda _: wb.reevaluate())
        save.on_click(lambda _: wb.save_as(self.folder_name))
        s = wb.scenario
        intro = safe.markdown(
            f"## {safe.md_line(s.name)}\n{safe.md_text(s.settings.description)}\n\n"
            f"Grades {s.settings.school.grades}; "
            f"{s.settings.school.periods_per_day} periods a day (intervention periods "
            f"{s.settings.school.intervention_periods or 'none'}); {len(s.students)} students, "
            f"{len(s.staff)} staff, {len(s.courses)} courses, {len(s.goals)} student goals.")
        editors = lazy_tabs([(TABLE_LABELS[n], lambda n=n: table_editor(wb, n)) for n in EDITABLE_TABLES])
        actions = flow(check, undo, reset, recheck, save_name, pn.Column(pn.Spacer(height=18), save))
        changed = pn.panel(pn.bind(lambda _e: changes_note(wb.changes()), wb.param.edits),
                           sizing_mode="stretch_width")
        return pn.Column(intro, actions, changed, problems_for(wb, "scenario"),
                         flow(settings_panel(wb), pn.Column(editors, sizing_mode="stretch_width",
                                                            styles={"flex": "1 1 480px", "min-width": "0"})),
                         presolve_panel(wb), import_panel(wb), sizing_mode="stretch_width")

    def check(self) -> None:
        """"Check the edits": the problems show next to their tables, a valid scenario says so."""
        if self.wb.check() is not None:
            self.wb.status = "The edited scenario is valid: press Solve to plan it."


def changes_note(lines: list[str]):
    """What the edited scenario changed from its folder, as a list (nothing when unchanged)."""
    if not lines:
        return safe.markdown("")
    shown = "\n".join(f"- {safe.md_line(line)}" for line in lines[:20])
    return safe.markdown(f"**Changed from the scenario folder:**\n\n{shown}", sizing_mode="stretch_width")


# ---- Staffing, Schedule and Small groups pages ---------------------------------------------------
class StaffingPage(ResultPage):
    """Who teaches and leads: staff costs by role, the multi-classroom teams, every staff member."""

    title = "Staffing"

    def for_design(self, result) -> pn.viewable.Viewable:
        costs = tables.cost_by_role(result)
        chart = alt.Chart(costs).mark_bar().encode(
            x=alt.X("cost:Q", title="annual cost ($)", axis=alt.Axis(format="$,.0f")),
            y=alt.Y("role:N", sort="-x", title=None, axis=alt.Axis(labelLimit=160)),
            color=alt.Color("kind:N", title=""), tooltip=["role", "kind", "people", alt.Tooltip("cost", format="$,.0f")]
        ).properties(height=180, width="container", title="Staff costs by role")
        team = tables.teams(result)
        total = result.staffing["annual_cost"].astype(float).sum()
        hires = int(result.staffing["new_hire"].astype(int).sum())
        return pn.Column(
            safe.markdown(f"## Staffing\n{len(result.staffing)} staff ({hires} new hires), "
                          f"{dollars(total)} a year. {len(team)} multi-classroom team(s)."),
            flow(pn.Column(vega(chart), styles={"flex": "1 1 420px", "min-width": "0"}),
                 pn.Column(readonly(costs, pagination=None, layout="fit_columns", sizing_mode="stretch_width"),
                           styles={"flex": "1 1 380px", "min-width": "0"})),
            "### Teams under multi-classroom leaders",
            readonly(team) if not team.empty else safe.markdown("No teams in this design."),
            "### Every staff member", readonly(result.staffing),
            "### The role catalogue", readonly(self.wb.scenario.roles, pagination=None),
            sizing_mode="stretch_width")


ALL = "(all)"


class SchedulePage(ResultPage):
    """The master schedule as period × teacher and period × room grids, narrowed to a course, a teacher or
    one student's week."""

    title = "Schedule"

    course = param.String(default=ALL, doc="the course whose sections the grids show, or (all)")
    teacher = param.String(default=ALL, doc="the teacher whose sections the grids show, or (all)")
    student = param.String(default="", doc="a student whose own week is shown above the grids")

    def for_design(self, result) -> pn.viewable.Viewable:
        s = self.wb.scenario
        details = section_details(s, result)
        self.param.update(course=ALL, teacher=ALL, student="")
        course = self.linked(pn.widgets.Select(label="Course", options=[ALL] + sorted(details["course_id"].unique())),
                             "course")
        adults = set(details["staff_id"].astype(str))
        if "co_staff_id" in details.columns:   # a co-teacher is a teacher of the page too
            adults |= set(details["co_staff_id"].fillna("").astype(str)) - {""}
        teacher = self.linked(pn.widgets.Select(label="Teacher", options=[ALL] + sorted(adults)), "teacher")
        student = self.linked(pn.widgets.AutocompleteInput(
            label="Student's own timetable", options=list(s.students["student_id"]), placeholder="type a student ID",
            case_sensitive=False, min_characters=1), "student")
        grids = pn.Column(self.grids(s, result, details), sizing_mode="stretch_width")
        self.follow(self, lambda _e: grids.__setitem__(slice(None), [self.grids(s, result, details)]),
                    "course", "teacher", "student")
        return pn.Column("## Schedule", pn.Row(course, teacher, student), grids, sizing_mode="stretch_width")

    def grids(self, s, result, details: pd.DataFrame) -> pn.Column:
        """The grids for the page's choices: `details` (`section_details` of `result`) narrowed to them."""
        d = details
        if self.course != ALL:
            d = d[d["course_id"] == self.course]
        if self.teacher != ALL:
            co = d["co_staff_id"].fillna("").astype(str) if "co_staff_id" in d.columns else ""
            d = d[(d["staff_id"] == self.teacher) | (co == self.teacher)]
        if self.student:
            mine = result.enrollments.loc[result.enrollments["student_id"] == self.student, "section_id"]
            d = d[d["section_id"].isin(mine)]
        out = [safe.markdown(f"### Period × teacher ({len(d)} sections)"),
               readonly(tables.grid(d, "staff_id", s.periods)),
               safe.markdown("### Period × room"), readonly(tables.grid(d, "room_id", s.periods))]
        if self.student:
            out = [safe.markdown(f"### {safe.md_line(self.student)}'s week"),
                   readonly(student_timetable(s, result, self.student), pagination=None)] + out
        return pn.Column(*out, sizing_mode="stretch_width")


class GroupsPage(ResultPage):
    """The small tutoring groups, and the students whose tutoring could not be scheduled."""

    title = "Small groups"

    def for_design(self, result) -> pn.viewable.Viewable:
        table = tables.group_table(result, self.wb.made_from.get(result.summary.get("label"), self.wb.scenario))
        unserved = result.extra.get("unserved_tutoring", pd.DataFrame())
        parts = [safe.markdown(f"## Small groups\n{len(table)} group(s) serving "
                               f"{result.group_members['student_id'].nunique()} student(s).")]
        if not table.empty:
            by_subject = table.groupby("subject", as_index=False).agg(groups=("group_id", "count"),
                                                                       students=("members", "sum"))
            parts.append(vega(alt.Chart(by_subject).mark_bar().encode(
                x=alt.X("students:Q", title="students"), y=alt.Y("subject:N", title=None),
                tooltip=["subject", "groups", "students"]).properties(
                height=120, width="container", title="Students in small groups by subject")))
        parts += [readonly(table), "### Students whose tutoring could not be scheduled",
                  readonly(unserved) if not unserved.empty else safe.markdown("Every tutoring request was met.")]
        return pn.Column(*parts, sizing_mode="stretch_width")


# ---- Budget page ---------------------------------------------------------------------------------
def money_table(figures) -> pd.DataFrame:
    """The design's money figures, one a row, headline first (`workbench.plan.money.Money.lines`)."""
    return pd.DataFrame([{"figure": label.strip(), "amount": amount} for label, amount in figures.lines()
                         if not label.startswith("Balance in year")])


def budget_view(wb: Workbench, result) -> pn.viewable.Viewable:
    """The Budget page of one design: the money as `workbench.plan.money` defines it, headline first."""
    if result is None:
        return no_result(wb)
    scenario = wb.made_from.get(result.summary.get("label"), wb.scenario)
    figures = money_of(result, scenario)
    budget = result.budget.copy()
    budget["amount"] = budget["amount"].astype(float)
    by_need = tables.revenue_by_need(scenario)
    by_cat = budget.groupby(["kind", "category"], as_index=False)["amount"].sum()
    need_chart = alt.Chart(by_need).mark_bar().encode(
        x=alt.X("amount:Q", title="$ a year", axis=alt.Axis(format="$,.0f")),
        y=alt.Y("part:N", sort="-x", title=None, axis=alt.Axis(labelLimit=135)),
        tooltip=["part", alt.Tooltip("amount", format="$,.0f")]).properties(
        height=200, width=200, title="Revenue by need")   # fixed: its long labels keep their room
    cat_chart = alt.Chart(by_cat[by_cat["kind"] == "expense"]).mark_bar(color="#c0504d").encode(
        x=alt.X("amount:Q", title="$ a year", axis=alt.Axis(format="$,.0f")),
        y=alt.Y("category:N", sort="-x", title=None),
        tooltip=["category", alt.Tooltip("amount", format="$,.0f")]).properties(
        height=200, width="container", title="Expenses by category")
    parts = [safe.markdown(f"## Budget\nRecurring balance **{dollars(figures.recurring_balance)}** a year "
                           f"(without one-time money). This year's balance {dollars(figures.this_year_balance)}"
                           f": revenue {dollars(figures.revenue)} (of which {dollars(figures.one_time_revenue)}"
                           f" one-time), expenses {dollars(figures.expenses)} (of which "
                           f"{dollars(figures.one_time_expenses)} one-time).", css_classes=["wb-balance"]),
             readonly(money_table(figures), pagination=None, layout="fit_columns",
                      titles={"figure": "Figure", "amount": "Amount"}, widths={"figure": "70%"},
                      formatters={"amount": dict(MONEY_FORMAT), "figure": {"type": "textarea"}}),
             flow(pn.Column(vega(need_chart), styles={"flex": "1 1 380px", "min-width": "0"}),
                  pn.Column(vega(cat_chart), styles={"flex": "1 1 380px", "min-width": "0"}))]
    parts += ["### Three years at today's prices (one-time money in year 1 only)",
              readonly(figures.three_years(), pagination=None)]
    parts += ["### Every line", readonly(budget)]
    return pn.Column(*parts, sizing_mode="stretch_width")


class BudgetPage(ResultPage):
    """The design's money as `workbench.plan.money` defines it (`budget_view`)."""

    title = "Budget"

    def view(self, result) -> pn.viewable.Viewable:
        return budget_view(self.wb, result)


# ---- Students page -------------------------------------------------------------------------------
class StudentsPage(ResultPage):
    """Every student's goals, met or not and why, searchable; a click opens one student's whole plan.

    Drawn once per solved design; a goals what-if (`wb.judged`) updates the same widgets in place, so the
    browser redraws one table page, one chart and one line of text instead of the whole page."""

    title = "Students"

    search = param.String(default="", doc="text a goal's row must contain: a student ID, a goal, a reason")
    show = param.Selector(default="all", objects=["all", "met", "not met"], doc="which goals the table lists")
    student = param.String(default="", doc="the student whose whole plan is open below the table")
    goals = param.DataFrame(default=None, allow_None=True, doc="the design's goals as last judged (met: 0 or 1)")

    def for_design(self, result) -> pn.viewable.Viewable:
        s = self.wb.scenario
        self.param.update(search="", show="all", student="")
        search = self.linked(pn.widgets.TextInput(label="Search students", placeholder="student ID, goal or reason"),
                             "search")
        which = self.linked(pn.widgets.RadioButtonGroup(label="Show", options=self.param.show.objects), "show")
        table = safe.table(pd.DataFrame(), disabled=True, selectable=1, titles=dict(COLUMN_LABELS), **TABLE_OPTS)
        plan = pn.Column(safe.markdown("Click a student's row to see their whole plan."), sizing_mode="stretch_width")
        intro = safe.markdown("", sizing_mode="stretch_width")
        chart = pn.pane.Vega(None, sizing_mode="stretch_width")

        def refilter(*_):
            g = tables.goal_rows(self.goals, self.show, self.search)
            if table.value is None or not g.equals(table.value):   # typing, then Enter: draw the rows once
                table.value = g

        def refresh(*_):
            self.goals = judged_goals(self.wb.result)
            chart.object = goals_chart(self.goals).to_dict(validate=False)
            intro.object = students_intro(self.goals, self.wb.result)
            refilter()

        def show_plan(_event):
            if self.student:
                plan[:] = self.plan(s, self.student)

        def pick(student_id: str):   # a second click on the same student draws their plan again
            with param.parameterized.discard_events(self):
                self.student = student_id
            self.param.trigger("student")

        self.follow(self, refilter, "search", "show")
        search.param.watch(refilter, "value_input")
        self.follow(self, show_plan, "student")
        table.on_click(lambda e: pick(str(table.value.iloc[e.row]["student_id"])))
        refresh()
        self.follow(self.wb, refresh, "judged")   # until the next design: an older page no longer follows
        return pn.Column(intro, chart, pn.Row(search, which), table, plan, sizing_mode="stretch_width")

    def plan(self, s, student_id: str) -> list:
        """One student's plan (`workbench.goals.students.student_plan`) as the page shows it."""
        p = student_plan(s, self.wb.result, student_id)
        co_taught = student_co_taught(self.wb.result, student_id)
        return [safe.markdown(f"### Plan for {student_needs(s, student_id)}"),
                *([safe.markdown(f"Sits {safe.md_line(co_taught)}.")] if co_taught else []),
                "**Week**", readonly(p["timetable"], pagination=None),
                "**Goals**", readonly(p["goals"], pagination=None),
                "**Supports funded**", readonly(p["supports"], pagination=None),
                "**Course requests**", readonly(p["requests"], pagination=None)]


def judged_goals(result) -> pd.DataFrame:
    """The design's student goals as last judged, `met` as 0 or 1."""
    goals = result.student_goals.copy()
    goals["met"] = goals["met"].astype(int)
    return goals


def goals_chart(goals: pd.DataFrame) -> alt.Chart:
    """Goals met and not met, by kind of goal."""
    met_by_kind = goals.groupby("goal", as_index=False)["met"].agg(["sum", "count"])
    met_by_kind.columns = ["goal", "met", "goals"]
    met_by_kind["not met"] = met_by_kind["goals"] - met_by_kind["met"]
    long = met_by_kind.melt(id_vars="goal", value_vars=["met", "not met"], var_name="outcome", value_name="count")
    return alt.Chart(long).mark_bar().encode(
        x=alt.X("count:Q", title="goals"), y=alt.Y("goal:N", title=None),
        color=alt.Color("outcome:N", scale=alt.Scale(domain=["met", "not met"], range=["#4c9f70", "#c0504d"])),
        tooltip=["goal", "outcome", alt.Tooltip("count", title="goals")]).properties(
        height=150, width="container", title="Student goals met, by kind")


def students_intro(goals: pd.DataFrame, result) -> str:
    """The Students page's first lines: goals met, and how many students have none met."""
    zero = goals.groupby("student_id")["met"].sum()
    m = result.summary.get("metrics", {})
    return (f"## Students\n{int(goals['met'].sum())} of {len(goals)} goals met ({m.get('goals_met_pct', 0):.1f}%); "
            f"{int((zero == 0).sum())} student(s) with goals have none met.")


# ---- Compare page --------------------------------------------------------------------------------
class ComparePage(Page):
    """Designs side by side, student by student: who gains, who loses, what each extra goal met costs."""

    title = "Compare"
    follows = "results"

    designs = param.List(default=[], item_type=str, doc="the designs compared, by label; the first is the baseline")

    def view(self, results) -> pn.viewable.Viewable:
        wb = self.wb
        labels = list(results)
        self.designs = labels[-2:] if len(labels) >= 2 else labels
        pick = self.linked(pn.widgets.MultiChoice(label="Designs to compare (the first is the baseline)",
                                                  options=safe.choices(labels), width=520), "designs")
        folder = pn.widgets.AutocompleteInput(
            label="Add a result folder (inside the folders this workbench serves)", options=wb.result_folders(),
            restrict=False, min_characters=0, case_sensitive=False, search_strategy="includes",
            placeholder="e.g. riverside-middle/result", width=360)
        add = pn.widgets.Button(label="Add", width=80)
        add.on_click(lambda _: wb.add_result_folder(folder.value_input or folder.value or ""))
        shown = pn.Column(self.compared(), sizing_mode="stretch_width")
        self.follow(self, lambda _e: shown.__setitem__(slice(None), [self.compared()]), "designs")
        return pn.Column("## Compare designs", pn.Row(pick, folder, pn.Column(pn.Spacer(height=18), add)),
                         shown, sizing_mode="stretch_width")

    def compared(self) -> pn.viewable.Viewable:
        if len(self.designs) < 2:
            return safe.alert("Pick two or more designs: solve, change a setting, solve again.", alert_type="info")
        try:
            return comparison(self.wb, [(label, self.wb.results[label]) for label in self.designs])
        except Exception as exc:  # noqa: BLE001 — shown on the page, never a traceback
            return safe.alert("These designs could not be compared: "
                              + safe.md_line(f"{type(exc).__name__}: {exc}"), alert_type="danger")


def comparison(wb: Workbench, chosen: list[tuple[str, object]]) -> pn.Column:
    """Who gains, who loses, cost per goal: workbench.goals.compare does the arithmetic."""
    from workbench.goals.compare import compare_results, outcomes_by_need_chart

    results = dict(chosen)
    scenarios = {label: wb.made_from.get(label, wb.scenario) for label in results}
    c = compare_results(scenarios[chosen[0][0]], results, scenarios)
    changed = []
    for label in c.designs:
        lines = wb.changes(label) if label in wb.made_from else []
        said = "; ".join(lines) if lines else "the scenario as its folder holds it"
        changed.append(f"- **{safe.md_line(label)}**: {safe.md_line(said)}")
    parts = [safe.markdown(f"Baseline: **{safe.md_line(c.designs[0])}**. Each design is judged by its own "
                           "students' goals."),
             safe.markdown("**What each design changed from the scenario folder**\n\n" + "\n".join(changed)),
             "### Designs: goals met, who is better or worse off, cost per additional goal met",
             readonly(c.designs_summary, pagination=None, formatters=money_formats_named(c.designs_summary)),
             "### What each design asks of the teachers",
             safe.markdown("Planning time: periods with no section, group or intervention duty, in minutes a week; "
                           "preps: distinct courses a teacher teaches. Teachers who teach no section are left out."),
             readonly(c.adults, pagination=None)]
    parts.append(vega(outcomes_by_need_chart(c)))
    left = getattr(c, "left_behind", None)
    if isinstance(left, pd.DataFrame) and not left.empty:
        parts += ["### Students a design leaves with no goal met", readonly(left)]
    parts += ["### Who gains and who loses which goal", readonly(c.changes),
              "### Every student", readonly(c.students)]
    return pn.Column(*parts, sizing_mode="stretch_width")


# ---- Review page ---------------------------------------------------------------------------------
class ReviewPage(Page):
    """The central office's read: a design against a district bar found in the served folders (or one
    uploaded), pass / fail / not measured per criterion and the students failing each; the verdict is
    `workbench.goals.review.overall`, the words `workbench review` prints."""

    title = "Review"
    follows = "results"

    bar = param.String(default="", doc="the district bar, by the name the page shows for its file")
    design = param.String(default="", doc="the design reviewed, by label")

    def view(self, results) -> pn.viewable.Viewable:
        bars = self.wb.bar_files()
        labels = list(results)
        if not labels:
            return no_result(self.wb)
        if not bars:
            return safe.alert("No district bar in the folders this workbench serves: put one (such as "
                              "district-bar.yaml) in a served folder, or serve its folder with --results.",
                              alert_type="info")
        self.param.update(bar=next(iter(bars)), design=labels[-1])
        bar = self.linked(pn.widgets.Select(name="District bar", options=list(bars), width=320), "bar")
        design = self.linked(pn.widgets.Select(name="Design", options=labels, width=320), "design")
        go = pn.widgets.Button(label="Review this design", color="primary", width=200)
        out = pn.Column(sizing_mode="stretch_width")

        def run(_=None):
            out[:] = [review_view(self.wb.review(self.bar, self.design))]

        go.on_click(run)
        run()
        return pn.Column("## Review against the district bar",
                         flow(bar, design, pn.Column(pn.Spacer(height=22), go)), out, sizing_mode="stretch_width")


def review_view(outcome) -> pn.Column:
    """One review on the page: the verdict, a row per criterion, and the students failing each."""
    if isinstance(outcome, str):
        return safe.alert(safe.md_line(outcome), alert_type="danger")
    bar, label, verdicts, verdict = outcome
    rows = pd.DataFrame([{"criterion": v.criterion, "what the district asks": c.description,
                          "result": v.status, "measured": v.value, "threshold": v.threshold,
                          "students failing": len(v.failing_students)}
                         for v, c in zip(verdicts, bar.criteria, strict=True)])
    colour = {"pass": "color: #1a7f37; font-weight: 600", "fail": "color: #b42318; font-weight: 600",
              "not measured": "color: #8a6d00; font-style: italic"}
    table = readonly(rows, pagination=None, layout="fit_columns", widths={"what the district asks": 320},
                     formatters={c: {"type": "textarea"} for c in ("criterion", "what the district asks", "measured")})
    table.style.apply(lambda f: pd.DataFrame(
        {c: (f["result"].map(colour).fillna("") if c == "result" else "") for c in f.columns}), axis=None)
    failing = pd.DataFrame([{"criterion": v.criterion, "student_id": s} for v in verdicts
                            for s in v.failing_students])
    kind = "success" if verdict == "passes" else "danger"
    parts = [safe.alert(f"**{safe.md_line(label)}** {safe.md_line(verdict)} of "
                        f"**{safe.md_line(bar.name)}**.", alert_type=kind, css_classes=["wb-verdict"]),
             table]
    unmeasured = [v for v in verdicts if not v.measured]
    if unmeasured:
        parts.append(safe.markdown("**Not measured** (the school has nothing this criterion can be judged on):\n\n"
                                   + "\n".join(f"- {safe.md_line(v.criterion)}: {safe.md_line(v.value)}"
                                                for v in unmeasured)))
    parts += ["### Students failing each criterion",
              readonly(failing) if not failing.empty else safe.markdown("No student fails a criterion.")]
    return pn.Column(*parts, sizing_mode="stretch_width")
