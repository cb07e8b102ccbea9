"""The central office's review fails a proposal on exactly the criteria it breaks, and names the students."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from handmade import design
from typer.testing import CliRunner

from workbench.cli import app
from workbench.goals.review import load_bar, review_result
from workbench.results.io import write_result

ROOT = Path(__file__).resolve().parents[1]
BAR = ROOT / "scenarios" / "district-bar.yaml"
runner = CliRunner()


def verdicts(scenario, result):
    return {v.criterion: v for v in review_result(load_bar(BAR), scenario, result, "proposal")}


def test_baseline_fails_tutoring_budget_and_english_learner_support(mini):
    # the $400,000 grant in the mini school is two-year money: set it aside as one-time
    school = mini.with_settings(**{"funding.one_time_revenue": 400000})
    v = verdicts(school, design(school))
    failed = sorted(name for name, verdict in v.items() if not verdict.passed)
    assert failed == ["balanced-without-one-time-money", "english-learners-supported", "tutoring-delivered"]
    assert v["tutoring-delivered"].failing_students == ["S02", "S03"]
    assert v["english-learners-supported"].failing_students == ["S02", "S06", "S10"]
    assert v["complete-schedules"].failing_students == []


def test_recurring_money_covers_the_baseline_when_nothing_is_one_time(mini):
    assert verdicts(mini, design(mini))["balanced-without-one-time-money"].passed


def test_an_iep_student_in_an_oversized_class_fails_the_cap(mini):
    tight = mini.copy()
    tight.goals.loc[tight.goals["student_id"] == "S08", "target"] = "5"
    v = verdicts(tight, design(tight))
    assert not v["iep-class-size"].passed
    assert v["iep-class-size"].failing_students == ["S08"]


def test_a_missing_required_course_names_the_student(mini):
    result = design(mini)
    result.enrollments = result.enrollments[~((result.enrollments["student_id"] == "S12")
                                              & (result.enrollments["section_id"] == "SCI-02"))]
    v = verdicts(mini, result)
    assert not v["complete-schedules"].passed
    assert v["complete-schedules"].failing_students == ["S12"]


def test_review_command_summarises_several_proposals(mini, tmp_path):
    a, b = write_result(design(mini), tmp_path / "east"), write_result(design(mini, "B"), tmp_path / "west")
    done = runner.invoke(app, ["review", str(a), str(b), "--bar", str(BAR), "--csv", str(tmp_path / "v.csv")])
    assert done.exit_code == 0, done.output
    assert "Summary" in done.output and "FAIL" in done.output
    table = pd.read_csv(tmp_path / "v.csv", dtype=str, keep_default_na=False)
    assert len(table) == 2 * len(load_bar(BAR).criteria)
    tutoring = table[table["criterion"] == "tutoring-delivered"].set_index("result")
    assert tutoring.loc["east", "failing_students"] == "S02;S03"
    assert tutoring.loc["west", "failing_students"] == "S02"


def test_a_broken_bar_file_is_a_plain_message(mini, tmp_path):
    a = write_result(design(mini), tmp_path / "east")
    bad = tmp_path / "bar.yaml"
    bad.write_text("criteria:\n  - kind: vibes\n")
    done = runner.invoke(app, ["review", str(a), "--bar", str(bad)])
    assert done.exit_code == 1
    assert "bar.yaml" in done.output and "kind" in done.output and "Traceback" not in done.output
