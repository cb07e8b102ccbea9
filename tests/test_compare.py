"""Comparing two hand-made designs of the mini school names exactly who gains and who loses."""

from __future__ import annotations

import pandas as pd
from handmade import design
from typer.testing import CliRunner

from workbench.cli import app
from workbench.goals.compare import compare_results
from workbench.results.io import write_result

runner = CliRunner()


def test_exactly_the_students_who_gain_and_lose(mini):
    c = compare_results(mini, {"A": design(mini), "B": design(mini, "B")})
    gained = c.changes[c.changes["change"] == "gained"]
    lost = c.changes[c.changes["change"] == "lost"]
    assert sorted(zip(gained["student_id"], gained["goal"], strict=True)) == [
        ("S03", "tutoring_minutes"), ("S04", "course"), ("S07", "strong_teacher")]
    assert list(zip(lost["student_id"], lost["goal"], strict=True)) == [("S02", "support")]
    assert "vision screening not funded" in lost["reason"].iloc[0]
    b = c.designs_summary.set_index("design").loc["B"]
    assert (b["better off"], b["worse off"], b["unchanged"]) == (3, 1, 3)   # 7 students hold goals
    # B pays for a teacher ($107,100) and saves a $40 screening, for 2 more goals met
    assert b["extra cost"] == 107060.0
    assert b["cost per additional goal met"] == 53530.0


def test_views_by_need_show_who_is_left_with_nothing(mini):
    c = compare_results(mini, {"A": design(mini), "B": design(mini, "B")})
    ell = c.by_need[(c.by_need["group"] == "English learners")].set_index("design")
    # English learners with goals: S02 (tutoring + screening) and S10 (mentoring)
    assert ell.loc["A", "students with goals"] == 2
    assert ell.loc["A", "no goal met"] == 1          # S10
    assert ell.loc["B", "no goal met"] == 2          # S02 loses her screening too
    assert ell.loc["B", "worse off"] == 1


def test_compare_command_writes_csv_and_a_self_contained_html(mini, tmp_path):
    a, b = write_result(design(mini), tmp_path / "a"), write_result(design(mini, "B"), tmp_path / "b")
    done = runner.invoke(app, ["compare", str(a), str(b), "--csv", str(tmp_path / "d.csv"),
                               "--html", str(tmp_path / "d.html")])
    assert done.exit_code == 0, done.output
    assert "Goals lost in b" in done.output and "S02" in done.output
    diffs = pd.read_csv(tmp_path / "d.csv", dtype=str)
    assert set(diffs["student_id"]) == {"S02", "S03", "S04", "S07"}
    page = (tmp_path / "d.html").read_text()
    assert "vegaEmbed(" in page and "English learners" in page and "S07" in page


def test_compare_without_a_scenario_path_says_what_to_do(mini, tmp_path):
    made = design(mini)
    made.summary = {"status": "optimal"}
    a, b = write_result(made, tmp_path / "a"), write_result(made, tmp_path / "b")
    done = runner.invoke(app, ["compare", str(a), str(b)])
    assert done.exit_code == 1
    assert "--scenario" in done.output and "Traceback" not in done.output


def test_students_left_with_no_goal_met_are_named(mini):
    c = compare_results(mini, {"A": design(mini), "B": design(mini, "B")})
    b = c.left_behind[c.left_behind["design"] == "B"].set_index("student_id")
    assert sorted(b.index) == ["S02", "S10"]              # S02 lost her screening; S10 is never mentored
    assert b.loc["S02", "met in A"] == 1
    assert "English learners" in b.loc["S02", "needs"]
