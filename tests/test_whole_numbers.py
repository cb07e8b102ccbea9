"""A whole-number cell is read only as a person writes a whole number (issue 14).

Story: a coordinator types "1e2" for team_planning_periods; Python would read it as 100 common planning periods.
In every whole-number column of every table, such a cell is refused with the usual one line (file, row,
column, what to write), as are "1_0" and digits of other scripts; "5", "+5", "-1" and the "5.0" a spreadsheet
writes are read as before.
"""

from __future__ import annotations

import csv

import pytest

from workbench.scenario.load import read_table
from workbench.scenario.schema import TABLES

INT_COLUMNS = [(name, column) for name, spec in TABLES.items() for column, kind in spec.columns.items()
               if kind == "int"]


def table_with(tmp_path, spec, column: str, cell: str):
    """A one-row file of `spec` with every column filled in plainly and `column` holding `cell`."""
    plain = {"int": "1", "float": "1.5", "flag": "0", "list": "a", "id": "X1", "str": "text"}
    row = {c: (cell if c == column else plain[kind]) for c, kind in spec.columns.items()}
    with open(tmp_path / spec.file, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    return read_table(tmp_path, spec)


@pytest.mark.parametrize(("table", "column"), INT_COLUMNS)
@pytest.mark.parametrize("cell", ["1e2", "1E2", "1_0", "\u0661\u0662"])
def test_a_number_not_written_in_plain_digits_is_refused_in_one_line(tmp_path, table, column, cell):
    _, problems = table_with(tmp_path, TABLES[table], column, cell)
    assert [(p.file, p.row, p.column) for p in problems] == [(TABLES[table].file, 2, column)]
    assert str(problems[0]) == f"{TABLES[table].file}:2:{column}: {cell!r} is not a whole number — write a whole number"


@pytest.mark.parametrize(("cell", "value"), [("5", 5), ("+5", 5), ("-1", -1), ("5.0", 5), ("007", 7)])
def test_a_whole_number_as_people_write_it_is_read(tmp_path, cell, value):
    frame, problems = table_with(tmp_path, TABLES["roles"], "team_planning_periods", cell)
    assert problems == [] and frame.at[0, "team_planning_periods"] == value

