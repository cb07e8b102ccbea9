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


def test_the_printed_report_carries_the_review_against_the_bar_with_the_commands_verdict(mini, tmp_path):
    """A principal's report, given the district's bar, says what `workbench review` says of the design."""
    from pathlib import Path

    from workbench.goals.review import load_bar, overall, review_result

    folder = write_result(design(mini), tmp_path / "design")
    bar = Path(__file__).resolve().parents[1] / "scenarios" / "district-bar.yaml"
    mini_folder = Path(__file__).resolve().parent / "data" / "mini"
    done = runner.invoke(app, ["export", str(folder), "--html", str(tmp_path / "d.html"), "--bar", str(bar),
                               "--scenario", str(mini_folder)])
    assert done.exit_code == 0, done.output
    page = (tmp_path / "d.html").read_text()
    the_bar = load_bar(bar)
    verdicts = review_result(the_bar, mini, design(mini))
    assert f"Review against the bar: {the_bar.name}" in page
    assert f"This design {overall(verdicts)}." in page
    for v in verdicts:
        assert f"<td>{v.criterion}</td>" in page and v.status in page
    assert "<script" not in page
