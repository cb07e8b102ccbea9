"""A blank optional cell means what SPEC §1 says, for every step: a support with no capacity has no limit, a
staff member with no fte is full time, a role with no reach leads no team, a teacher with no rating has an
unknown effectiveness. The loader says it once (`schema.Blank`), so no planning step meets a surprise.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from workbench.cli import app
from workbench.pipeline import solve_scenario
from workbench.results.check import check_result
from workbench.results.io import read_result, write_result
from workbench.scenario import load_scenario
from workbench.scenario.schema import TABLES

MINI = Path(__file__).resolve().parent / "data" / "mini"


def _edit(folder: Path, file: str, change) -> None:
    """Rewrite one CSV of the folder: `change(rows)` edits the list of rows (header first) in place."""
    path = folder / file
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    change(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _blank(column: str, where=lambda row: True):
    def change(rows):
        at = rows[0].index(column)
        for row in rows[1:]:
            if where(row):
                row[at] = ""
    return change


def _drop(column: str):
    def change(rows):
        at = rows[0].index(column)
        rows[:] = [row[:at] + row[at + 1:] for row in rows]
    return change


@pytest.fixture
def school(tmp_path) -> Path:
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    return folder


def _solved_and_checked(folder: Path, out: Path):
    scenario = load_scenario(folder)
    write_result(solve_scenario(scenario), out)
    result = read_result(out)
    assert check_result(scenario, result) == []
    return scenario, result


def test_a_support_with_a_blank_capacity_solves_and_passes_the_check(school, tmp_path):
    # the reported fault: mentoring's capacity left blank crashed the goal evaluation with
    # "TypeError: Invalid value 'inf' for dtype 'Int64'"
    _edit(school, "supports.csv", _blank("capacity", lambda row: row[0] == "mentoring"))
    out = tmp_path / "design"
    solved = CliRunner().invoke(app, ["solve", str(school), "--out", str(out)])
    assert solved.exit_code == 0, solved.output
    checked = CliRunner().invoke(app, ["check", str(school), str(out)])
    assert checked.exit_code == 0, checked.output
    assert "every hard rule holds" in checked.output


def test_a_blank_capacity_means_no_limit_every_student_who_needs_mentoring_gets_it(school, tmp_path):
    _edit(school, "supports.csv", _blank("capacity"))
    _edit(school, "goals.csv", lambda rows: rows.extend([["S11", "support", "mentoring", ""],
                                                         ["S12", "support", "mentoring", ""]]))
    _, result = _solved_and_checked(school, tmp_path / "design")
    mentored = set(result.student_supports.loc[result.student_supports["support"] == "mentoring", "student_id"])
    assert mentored == {"S10", "S11", "S12"}
    goals = result.student_goals[result.student_goals["goal"] == "support"]
    assert goals["met"].astype(int).all(), goals


def test_a_full_support_says_its_capacity_is_reached(school, tmp_path):
    # the same three students, but mentoring holds one: two are told why, in the capacity's own number
    _edit(school, "supports.csv", lambda rows: [row.__setitem__(2, "1") for row in rows[1:] if row[0] == "mentoring"])
    _edit(school, "goals.csv", lambda rows: rows.extend([["S11", "support", "mentoring", ""],
                                                         ["S12", "support", "mentoring", ""]]))
    _, result = _solved_and_checked(school, tmp_path / "design")
    goals = result.student_goals[(result.student_goals["goal"] == "support")
                                 & (result.student_goals["target"] == "mentoring")]
    assert goals["met"].astype(int).sum() == 1
    assert (goals.loc[goals["met"].astype(int) == 0, "reason"] == "mentoring not funded: capacity 1 reached").all()


def test_every_optional_number_says_what_its_blank_means():
    # a new optional numeric column cannot slip in without a meaning for its blank cells
    for spec in TABLES.values():
        for column, kind in spec.optional.items():
            if kind in ("int", "float", "flag"):
                assert column in spec.blanks, f"{spec.file}:{column} has no Blank"
                assert spec.blanks[column].means


@pytest.mark.parametrize("how", ["blank", "absent"])
def test_blank_optional_numbers_are_read_as_the_spec_says(school, how):
    edit = _blank if how == "blank" else _drop
    for file, column in [("staff.csv", "fte"), ("staff.csv", "effectiveness"), ("roles.csv", "reach"),
                         ("roles.csv", "max_new_hires"), ("supports.csv", "capacity")]:
        _edit(school, file, edit(column))
    scenario = load_scenario(school)
    assert scenario.staff["fte"].tolist() == [1.0] * 5                 # a full-time post
    assert scenario.staff["fte"].dtype == "float64"
    assert scenario.roles["reach"].tolist() == [0, 0, 0]                # no role leads a team
    assert scenario.roles["reach"].dtype == "int64"
    assert scenario.staff["effectiveness"].isna().all()                 # unknown
    assert scenario.roles["max_new_hires"].isna().all()                 # no limit
    assert scenario.supports["capacity"].isna().all()                   # no limit
    assert str(scenario.roles["max_new_hires"].dtype) == str(scenario.supports["capacity"].dtype) == "Int64"


NUMBERS = [("staff.csv", "fte"), ("staff.csv", "effectiveness"), ("roles.csv", "max_new_hires"),
           ("roles.csv", "reach"), ("supports.csv", "capacity")]


@pytest.mark.parametrize("how", ["blank", "absent"])
@pytest.mark.parametrize(("file", "column"), NUMBERS, ids=[c for _, c in NUMBERS])
def test_the_mini_school_solves_and_checks_with_an_optional_number_left_blank(school, tmp_path, file, column, how):
    _edit(school, file, (_blank if how == "blank" else _drop)(column))
    _solved_and_checked(school, tmp_path / "design")


@pytest.mark.parametrize("pins", [
    "course_id\nART\n",                                          # only the course: the solve picks the rest
    "course_id,period\nART,2\n",
    "course_id,section_id,staff_id,period,room_id\nART,,,,\n",   # every optional cell blank
    "course_id,section_id,staff_id,period,room_id\nART,ART-KEEP,T04,,R4\n",
])
def test_pins_with_their_optional_cells_left_out_or_blank_are_kept(school, tmp_path, pins):
    (school / "pins.csv").write_text(pins, encoding="utf-8")
    scenario, result = _solved_and_checked(school, tmp_path / "design")
    assert scenario.pins["period"].dtype == "Int64"
    art = result.sections[result.sections["course_id"] == "ART"]
    assert len(art) >= 1
    if "ART-KEEP" in pins:
        assert art.set_index("section_id").at["ART-KEEP", "staff_id"] == "T04"


def test_a_blank_cell_written_back_reads_the_same(school, tmp_path):
    """Saving a scenario from the app writes a blank's meaning (fte 1.0), which reads back identically."""
    from workbench.scenario import write_scenario

    _edit(school, "staff.csv", _blank("fte"))
    _edit(school, "supports.csv", _blank("capacity"))
    first = load_scenario(school)
    again = load_scenario(write_scenario(first, tmp_path / "again"))
    for name in TABLES:
        pd.testing.assert_frame_equal(first.table(name), again.table(name), check_dtype=True)
