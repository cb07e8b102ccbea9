"""A result shared as a workbook and a page: every table readable, the schedule as a period × teacher grid."""

from __future__ import annotations

import pandas as pd
from handmade import design
from typer.testing import CliRunner

from workbench.cli import app
from workbench.results.io import write_result

runner = CliRunner()


def test_export_writes_a_workbook_with_a_schedule_grid_and_a_report(mini, tmp_path):
    folder = write_result(design(mini), tmp_path / "design")
    done = runner.invoke(app, ["export", str(folder), "--xlsx", str(tmp_path / "d.xlsx"),
                               "--html", str(tmp_path / "d.html")])
    assert done.exit_code == 0, done.output
    book = pd.read_excel(tmp_path / "d.xlsx", sheet_name=None, dtype=str)
    assert {"Summary", "Schedule grid", "Sections", "Student goals", "Budget"} <= set(book)
    assert list(book["Student goals"].columns) == ["Student ID", "Goal", "Subject", "Target", "Provided", "Met",
                                                   "Reason"]
    grid = book["Schedule grid"].set_index("Period")
    assert grid.loc["2", "T03"] == "M7-01 · R2 · 6 students"      # Math 7 with T03 in period 2
    assert grid.loc["5", "T01"] == "(intervention period)"
    assert len(book["Enrollments"]) == len(design(mini).enrollments)
    page = (tmp_path / "d.html").read_text()
    assert "Goals not met, and why" in page and "taught math by T03" in page


def test_export_needs_something_to_write(mini, tmp_path):
    folder = write_result(design(mini), tmp_path / "design")
    assert runner.invoke(app, ["export", str(folder)]).exit_code == 2
