"""The reports schedulers run before the solve, where a leader looks: the app's Scenario page and the Excel
workbook carry the warnings, the singleton/doubleton report and the course conflict matrix (c01m's kind: two
singletons pinned to period 1 that all 12 grade-6 students need)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import panel as pn
import pytest

from workbench.app.views import presolve_reports
from workbench.pipeline import solve_scenario
from workbench.results.export import to_excel
from workbench.scenario import load_scenario

C08 = Path(__file__).resolve().parent / "data" / "field-cases" / "c08-overloaded-student"


@pytest.fixture
def pinned_together(tmp_path):
    case = tmp_path / "pinned"
    shutil.copytree(C08, case)
    (case / "pins.csv").write_text("course_id,section_id,staff_id,period,room_id\n"
                                   "ELA6,ELA6-01,,1,\nMATH6,MATH6-01,,1,\n")
    return load_scenario(case)


def _tables(column: pn.Column) -> list[pd.DataFrame]:
    return [obj.value for obj in column.objects if isinstance(obj, pn.widgets.Tabulator)]


def _text(column: pn.Column) -> str:
    """The page's words as a reader sees them (Markdown's escapes of the scenario's text taken out)."""
    shown = " ".join(str(obj.object) for obj in column.objects if isinstance(obj, pn.pane.Markdown))
    return " ".join(shown.replace("\\", "").split())


def test_the_scenario_page_shows_the_warnings_the_small_course_report_and_the_conflict_matrix(pinned_together):
    page = presolve_reports(pinned_together)
    said = _text(page)
    assert "S01: the student requested 6 required courses but the day has only 4 teaching periods" in said
    assert "ELA6 and MATH6 are both pinned to period 1 only and 12 students request both" in said
    small, matrix = _tables(page)
    both = small[(small["Course ID"] == "ELA6") & (small["Other course ID"] == "MATH6")]
    assert both[["Sections", "Its sections", "Students requesting both"]].values.tolist() == [[1, 1, 12]]
    assert matrix["Students requesting both"].is_monotonic_decreasing
    asked = pinned_together.requests
    pair = set(asked.loc[asked["course_id"] == "ELA6", "student_id"]) & set(
        asked.loc[asked["course_id"] == "MATH6", "student_id"])
    row = matrix[(matrix["Course ID"] == "ELA6") & (matrix["Other course ID"] == "MATH6")]
    assert row["Students requesting both"].tolist() == [len(pair)]


def test_a_school_without_warnings_says_so(mini):
    assert "No warnings" in _text(presolve_reports(mini))


def test_the_workbook_has_a_sheet_for_each_report_before_the_solve(pinned_together, tmp_path):
    result = solve_scenario(pinned_together)
    to_excel(result, tmp_path / "school.xlsx", pinned_together)
    book = pd.read_excel(tmp_path / "school.xlsx", sheet_name=None, dtype=str)
    warned = book["Before the solve"]["Warning"].tolist()
    assert any(w.startswith("S01: the student requested 6 required courses") for w in warned)
    assert any(w.startswith("ELA6 and MATH6 are both pinned to period 1 only") for w in warned)
    small = book["Small courses together"]
    assert list(small.columns) == ["Course ID", "Sections", "Other course ID", "Its sections",
                                   "Students requesting both"]
    conflicts = book["Course conflicts"]
    expected = presolve_reports(pinned_together)
    assert len(conflicts) == len(_tables(expected)[1]), "the whole matrix (the page shows the first 200 pairs)"
    row = conflicts[(conflicts["Course ID"] == "ELA6") & (conflicts["Other course ID"] == "MATH6")]
    assert row["Students requesting both"].tolist() == ["12"]
    summary = book["Summary"].set_index("Measure")["Value"]
    assert float(summary["First choices placed"]) == result.summary["metrics"]["first_choice_pct"]
