"""A school leader who hands over a broken folder is told, one line per problem, what to fix and where.

The corpus in tests/broken/cases.yaml holds each corruption of the mini school and the exact lines that
`workbench validate` must print for it.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbench.cli import app
from workbench.errors import ScenarioInvalid
from workbench.scenario import load_scenario, validate_scenario
from workbench.scenario.validate import check_scenario

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("broken_materialise", ROOT / "tests" / "broken" / "materialise.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)
CASES = corpus.load_cases()


def test_the_corpus_is_broad():
    broken = [case for case in CASES if case["expect"]]
    assert len(broken) >= 25
    assert len({case["name"] for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_validate_prints_exactly_the_expected_lines(case, tmp_path):
    folder = corpus.materialise(case, tmp_path / "school")
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    lines = result.output.splitlines()
    if not case["expect"]:
        assert result.exit_code == 0, result.output
        assert lines[0].endswith(": valid")
        return
    assert result.exit_code == 1
    assert lines == case["expect"] + [f"{len(case['expect'])} problem(s) in {folder}"]


def test_the_real_command_exits_1_without_a_traceback(tmp_path):
    case = next(c for c in CASES if c["name"] == "several_problems_sorted_by_file_then_row")
    folder = corpus.materialise(case, tmp_path / "school")
    exe = Path(sys.executable).parent / "workbench"
    done = subprocess.run([str(exe), "validate", str(folder)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stderr.splitlines()[:-1] == case["expect"]


def test_a_valid_folder_prints_a_summary_and_exits_0(mini_path):
    result = CliRunner().invoke(app, ["validate", str(mini_path)])
    assert result.exit_code == 0
    assert "students      12" in result.output


def test_a_path_that_is_not_a_folder_is_one_plain_line(tmp_path):
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (f"{tmp_path / 'nowhere'}: is not a scenario folder — give the path of a "
                                             "folder holding scenario.yaml and the CSV tables")


def test_binary_garbage_in_every_file_is_reported_file_by_file(tmp_path):
    folder = shutil.copytree(ROOT / "tests" / "data" / "mini", tmp_path / "school")
    for path in folder.iterdir():
        path.write_bytes(bytes(range(256)) * 3)
    problems = validate_scenario(folder)
    assert sorted({p.file for p in problems}) == sorted(p.name for p in folder.iterdir())


def test_nul_bytes_in_a_utf8_csv_are_a_problem_not_a_crash(tmp_path):
    folder = shutil.copytree(ROOT / "tests" / "data" / "mini", tmp_path / "school")
    (folder / "rooms.csv").write_text("room_id,capacity,room_type\nR1,2\x008,\nR3,24,lab\n", encoding="utf-8")
    assert [(p.file, p.row, p.column) for p in validate_scenario(folder)] == [("rooms.csv", 2, "capacity")]


def test_a_file_nobody_may_read_is_a_problem(tmp_path, monkeypatch):
    folder = shutil.copytree(ROOT / "tests" / "data" / "mini", tmp_path / "school")
    real = Path.read_bytes

    def forbidden(path):
        if path.name == "staff.csv":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", forbidden)
    assert [str(p) for p in validate_scenario(folder)] == [
        "staff.csv: cannot be opened: permission denied — give your account read access to the file"]


def test_an_absurdly_large_number_is_refused_not_overflowed(tmp_path):
    folder = shutil.copytree(ROOT / "tests" / "data" / "mini", tmp_path / "school")
    path = folder / "courses.csv"
    huge = "1" + "0" * 30   # "1e30" is no whole number as a person writes one: tests/test_whole_numbers.py
    path.write_text(path.read_text().replace("ART,Art,art,20", f"ART,Art,art,{huge}"))
    assert [str(p) for p in validate_scenario(folder)] == [
        f"courses.csv:7:max_size: '{huge}' is far too large — write a realistic whole number"]


def test_load_scenario_lists_every_problem_and_drops_line_numbers(tmp_path, mini_path):
    case = next(c for c in CASES if c["name"] == "several_problems_sorted_by_file_then_row")
    with pytest.raises(ScenarioInvalid) as caught:
        load_scenario(corpus.materialise(case, tmp_path / "school"))
    assert [str(p) for p in caught.value.problems] == case["expect"]
    scenario = load_scenario(mini_path)
    assert "__line__" not in scenario.students.columns


def test_a_scenario_edited_in_memory_is_checked_too(mini):
    """The dashboard edits tables in memory; the same checks apply, counting rows from line 2."""
    edited = mini.copy()
    edited.requests.loc[0, "course_id"] = "ALG3"
    assert [str(p) for p in check_scenario(edited)] == [
        "requests.csv:2:course_id: unknown course 'ALG3' — add it to courses.csv or correct the ID"]
    assert check_scenario(mini) == []


def test_every_bundled_scenario_is_valid():
    """Validation takes about a second for the 1,800-student high school."""
    folders = sorted(p for p in (ROOT / "scenarios").glob("*") if (p / "scenario.yaml").is_file())
    for folder in folders:
        assert [str(p) for p in validate_scenario(folder)] == [], folder.name


def test_odd_values_typed_into_the_dashboard_give_problems_not_a_crash(mini):
    edited = mini.copy()
    edited.courses["max_size"] = edited.courses["max_size"].astype(object)
    edited.courses.loc[0, "max_size"] = "twenty"
    problems = check_scenario(edited)
    assert problems and all("\n" not in str(p) for p in problems)
