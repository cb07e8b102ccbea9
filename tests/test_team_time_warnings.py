"""Team planning time that does nothing, or leaves nothing to teach, is a warning before the solve (issue 14).

Story: the mini school's coordinator fills in roles.csv `team_planning_periods` for every role. The teacher role
leads no team (reach 0), so its "1" does nothing; the multi-classroom leader asks for 4 periods, every teaching
period of the mini school's day, so her team could teach nothing. Both are allowed (exit 0), and `workbench
validate` says so in plain words, one line per role, naming roles.csv's row and column. A slip like "1e2" in a
whole-number column is refused, not read as 100 (tests/test_whole_numbers.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from workbench.cli import app
from workbench.scenario import load_scenario
from workbench.scenario.summary import warnings

MINI = Path(__file__).resolve().parent / "data" / "mini"


def school_with_team_time(tmp_path, periods: list[str], blank_line: bool = False) -> Path:
    """The mini school with roles.csv team_planning_periods set per role (teacher, mcl, tutor)."""
    folder = tmp_path / "school"
    shutil.copytree(MINI, folder)
    roles = pd.read_csv(folder / "roles.csv", dtype=str, keep_default_na=False)
    roles["team_planning_periods"] = periods
    text = roles.to_csv(index=False)
    if blank_line:   # a blank line after the header: the rows are then on lines 3, 4 and 5
        header, rest = text.split("\n", 1)
        text = header + "\n\n" + rest
    (folder / "roles.csv").write_text(text, encoding="utf-8")
    return folder


def test_team_time_on_a_role_without_a_team_or_filling_the_day_is_a_warning_naming_row_and_column(tmp_path):
    folder = school_with_team_time(tmp_path, ["1", "4", ""])   # the day has 4 teaching periods (5 is intervention)
    done = CliRunner().invoke(app, ["validate", str(folder)])
    assert done.exit_code == 0, done.output
    said = [line.strip() for line in done.output.splitlines() if "team_planning_periods" in line]
    assert said == [
        "roles.csv row 2, column team_planning_periods: role teacher asks for 1 common planning period a day, "
        "but its reach is 0, so it leads no team and the periods are ignored (give the role a reach, or leave "
        "team_planning_periods blank)",
        "roles.csv row 3, column team_planning_periods: role mcl asks for 4 common planning periods a day, every "
        "teaching period of the day, so its leaders and their teams could teach no section (ask for fewer periods)",
    ]


def test_the_warning_names_the_line_the_role_is_on_in_the_file(tmp_path):
    folder = school_with_team_time(tmp_path, ["", "", "2"], blank_line=True)   # the tutor: reach 0
    lines = [w for w in warnings(load_scenario(folder)) if "team_planning_periods" in w]
    assert len(lines) == 1 and lines[0].startswith("roles.csv row 5, column team_planning_periods: role tutor ")


def test_team_time_that_leaves_periods_to_teach_is_no_warning(tmp_path):
    folder = school_with_team_time(tmp_path, ["", "1", ""])   # the mcl's team plans in one of four periods
    assert not [w for w in warnings(load_scenario(folder)) if "team_planning_periods" in w]
    assert not [w for w in warnings(load_scenario(MINI)) if "team_planning_periods" in w]
