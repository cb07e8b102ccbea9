"""Comparing two hand-made designs of the mini school names exactly who gains and who loses."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from handmade import design
from typer.testing import CliRunner

from workbench.cli import app
from workbench.goals.compare import compare_results, cost_per_goal, cost_sentences, outcomes_by_need_chart
from workbench.goals.evaluate import evaluate_goals
from workbench.results.check import check_result
from workbench.results.io import read_result, write_result
from workbench.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def expenses_of(result) -> float:
    budget = result.budget
    return float(budget.loc[budget["kind"] == "expense", "amount"].astype(float).sum())


def idle_hire_without_s01s_group(scenario):
    """Design A plus a teacher nobody is scheduled with ($98,000), and S01's math group cancelled:
    more money, one goal fewer."""
    made = design(scenario)
    made.staffing = pd.concat([made.staffing, pd.DataFrame([{
        "staff_id": "H09", "role": "teacher", "new_hire": 1, "annual_cost": 98000.0, "leader_id": "",
        "subjects": "science", "effectiveness": 3.0}])], ignore_index=True)
    made.budget = pd.concat([made.budget, pd.DataFrame([{
        "kind": "expense", "category": "staff", "item": "H09 (teacher)", "amount": 98000.0}])], ignore_index=True)
    made.group_sessions = made.group_sessions[made.group_sessions["group_id"] != "G1"]
    made.group_members = made.group_members[made.group_members["group_id"] != "G1"]
    made.groups = made.groups[made.groups["group_id"] != "G1"]
    return made


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
    assert b["extra goals met"] == 2
    assert b["cost per extra goal met"] == 53530.0
    assert b["against the baseline"] == "costs $107,060 more and meets 2 more goals: $53,530 per extra goal met"


def test_each_design_costs_its_expenses_divided_by_the_goals_it_meets(mini):
    a, b = design(mini), design(mini, "B")
    c = compare_results(mini, {"A": a, "B": b})
    costs = c.costs.set_index("design")
    # A meets 4 goals (S01's tutoring, S03's and S08's class sizes, S02's screening); B meets 6
    assert costs["goals met"].tolist() == [4, 6]
    assert costs.loc["A", "cost per goal met"] == pytest.approx(expenses_of(a) / 4, abs=0.01)
    assert costs.loc["B", "cost per goal met"] == pytest.approx(expenses_of(b) / 6, abs=0.01)
    shown = c.designs_summary.set_index("design")       # the app and the notebooks read the same figures
    assert shown.loc["B", "cost per goal met"] == costs.loc["B", "cost per goal met"]


def test_a_design_that_costs_more_and_meets_fewer_goals_says_so(mini):
    c = compare_results(mini, {"A": design(mini), "idle hire": idle_hire_without_s01s_group(mini)})
    row = c.costs.set_index("design").loc["idle hire"]
    assert (row["extra cost"], row["extra goals met"]) == (98000.0, -1)
    assert pd.isna(row["cost per extra goal met"])      # no price for losing a goal
    assert row["against the baseline"] == "costs $98,000 more and meets 1 fewer goal"
    # the hire-design judged from the baseline that hired: less money, fewer goals, the saving per goal given up
    back = compare_results(mini, {"B": design(mini, "B"), "A": design(mini)}).costs.set_index("design").loc["A"]
    assert back["against the baseline"] == "costs $107,060 less and meets 2 fewer goals: it saves $53,530 per " \
                                           "goal given up"


def test_every_way_two_designs_can_differ_is_said_in_words():
    # the example, and the other corners: cheaper and better, same money, same goals, nothing met
    costs = cost_per_goal({"today": 1_000_000, "plan": 1_003_739, "lean": 996_000, "same": 1_000_000.2,
                           "swap": 1_050_000, "none": 10_000},
                          {"today": 100, "plan": 92, "lean": 103, "same": 101, "swap": 100, "none": 0})
    words = dict(zip(costs["design"], costs["against the baseline"], strict=True))
    assert words == {"today": "baseline",
                     "plan": "costs $3,739 more and meets 8 fewer goals",
                     "lean": "costs $4,000 less and meets 3 more goals",
                     "same": "costs the same and meets 1 more goal",
                     "swap": "costs $50,000 more and meets the same number of goals",
                     "none": "costs $990,000 less and meets 100 fewer goals: it saves $9,900 per goal given up"}
    per_goal = dict(zip(costs["design"], costs["cost per goal met"], strict=True))
    assert per_goal["today"] == 10_000.0 and per_goal["plan"] == pytest.approx(1_003_739 / 92, abs=0.01)
    assert pd.isna(per_goal["none"])
    extra = dict(zip(costs["design"], costs["cost per extra goal met"], strict=True))
    assert extra["same"] == 0.2 and all(pd.isna(extra[d]) for d in ("today", "plan", "lean", "swap", "none"))
    assert cost_sentences(costs)[-1] == ("none: no goal met ($10,000 a year for 0 goals met); against today it costs "
                                         "$990,000 less and meets 100 fewer goals: it saves $9,900 per goal given up.")


def test_views_by_need_show_who_is_left_with_nothing(mini):
    c = compare_results(mini, {"A": design(mini), "B": design(mini, "B")})
    ell = c.by_need[(c.by_need["group"] == "English learners")].set_index("design")
    # English learners with goals: S02 (tutoring + screening) and S10 (mentoring)
    assert ell.loc["A", "students with goals"] == 2
    assert ell.loc["A", "no goal met"] == 1          # S10
    assert ell.loc["B", "no goal met"] == 2          # S02 loses her screening too
    assert ell.loc["B", "worse off"] == 1



def test_the_chart_by_need_draws_each_groups_students_from_no_goal_met_to_all_met(mini):
    """One chart definition (the app's Compare page, the HTML comparison and notebook 4 draw it): English
    learners under design B are two students with no goal met, drawn in the order none, some, all."""
    c = compare_results(mini, {"A": design(mini), "B": design(mini, "B")})
    spec = outcomes_by_need_chart(c).to_dict()
    rows = pd.DataFrame(spec["datasets"][spec["data"]["name"]])
    ell_b = rows[(rows["group"] == "English learners") & (rows["design"] == "B")].sort_values("rank")
    assert list(ell_b["outcome"]) == ["no goal met", "some met", "all met"]
    assert list(ell_b["students"]) == [2, 0, 0]
    assert spec["encoding"]["x"]["stack"] == "normalize" and spec["encoding"]["y"]["sort"] == ["A", "B"]

def test_compare_command_writes_csv_and_a_self_contained_html(mini, tmp_path):
    a, b = write_result(design(mini), tmp_path / "a"), write_result(design(mini, "B"), tmp_path / "b")
    done = runner.invoke(app, ["compare", str(a), str(b), "--csv", str(tmp_path / "d.csv"),
                               "--html", str(tmp_path / "d.html")])
    assert done.exit_code == 0, done.output
    assert "Goals lost in b" in done.output and "S02" in done.output
    said = " ".join(done.output.split())
    assert "b: $" in said and "per goal met" in said
    assert "against a it costs $107,060 more and meets 2 more goals: $53,530 per extra goal met." in said
    diffs = pd.read_csv(tmp_path / "d.csv", dtype=str)
    assert set(diffs["student_id"]) == {"S02", "S03", "S04", "S07"}
    designs = pd.read_csv(tmp_path / "d_designs.csv", dtype=str, keep_default_na=False).set_index("design")
    assert designs.loc["b", "cost per extra goal met"] == "53530.0" and designs.loc["a", "extra cost"] == ""
    assert designs.loc["b", "better off"] == "3"
    page = (tmp_path / "d.html").read_text()
    assert "vegaEmbed(" in page and "English learners" in page and "S07" in page
    assert "Cost per goal met" in page and "$53,530 per extra goal met" in page


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


@pytest.mark.slow
def test_riverside_with_a_multi_classroom_leader_against_riverside_as_it_is(tmp_path):
    made = {}
    for name in ("riverside-middle", "riverside-middle-mcl"):
        done = runner.invoke(app, ["solve", str(ROOT / "scenarios" / name), "--out", str(tmp_path / name)])
        assert done.exit_code == 0, done.output
        school = load_scenario(ROOT / "scenarios" / name)
        made[name] = (school, read_result(tmp_path / name))
        assert check_result(*made[name]) == []
    done = runner.invoke(app, ["compare", str(tmp_path / "riverside-middle"), str(tmp_path / "riverside-middle-mcl")])
    assert done.exit_code == 0, done.output
    said = " ".join(done.output.split())
    met = {n: int(evaluate_goals(school, result)["met"].sum()) for n, (school, result) in made.items()}
    spent = {n: expenses_of(result) for n, (_, result) in made.items()}
    for name in made:
        assert f"{name}: ${spent[name] / met[name]:,.0f} per goal met" in said
    extra_cost = spent["riverside-middle-mcl"] - spent["riverside-middle"]
    extra = met["riverside-middle-mcl"] - met["riverside-middle"]
    costs = cost_per_goal(spent, met).set_index("design").loc["riverside-middle-mcl"]
    assert costs["extra goals met"] == extra and costs["extra cost"] == pytest.approx(extra_cost, abs=0.01)
    assert f"against riverside-middle it {costs['against the baseline']}." in said
    more_or_less = "the same" if round(extra_cost) == 0 else \
        f"${abs(round(extra_cost)):,} {'more' if extra_cost > 0 else 'less'}"
    assert costs["against the baseline"].startswith(f"costs {more_or_less} and meets ")


def test_a_report_given_a_folder_is_refused_in_a_sentence_and_the_folder_is_untouched(mini, tmp_path):
    import subprocess
    import sys

    a, b = write_result(design(mini), tmp_path / "a"), write_result(design(mini, "B"), tmp_path / "b")
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    for option in ("--csv", "--html"):
        done = subprocess.run([sys.executable, "-m", "workbench.cli", "compare", str(a), str(b), option, str(folder)],
                              capture_output=True, text=True)
        assert done.returncode == 1, done.stderr
        assert "is a folder" in done.stderr and "internal error" not in done.stderr
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_beside_the_students_each_design_shows_what_it_asks_of_the_teachers(mini):
    """Design A: T01 teaches period 1, T02 periods 1-2, T03 periods 2-4, T04 periods 3-4 (period 5 is the
    intervention period, a 50-minute period five days a week). Design B hands Math 7 to a new hire, H01, so
    T03 gains a free period; S04 joins Art."""
    c = compare_results(mini, {"A": design(mini), "B": design(mini, "B")})
    adults = c.adults.set_index("design")
    a, b = adults.loc["A"], adults.loc["B"]
    assert a["teachers teaching"] == 4 and b["teachers teaching"] == 5
    # free periods × 50 min × 5 days: A gives T03 one free period, B gives everyone at least two
    assert (a["least planning min/week"], a["median planning min/week"]) == (250.0, 500.0)
    assert (b["least planning min/week"], b["median planning min/week"]) == (500.0, 500.0)
    # distinct students: A 6, 12, 12, 11 (S04 is not in Art); B 6, 12, 12 (science), 12, 6 (H01's Math 7)
    assert a["mean students per teacher"] == round((6 + 12 + 12 + 11) / 4, 1)
    assert b["mean students per teacher"] == round((6 + 12 + 12 + 12 + 6) / 5, 1)
    assert a["most preps"] == 2 and b["most preps"] == 2


def test_compare_shows_the_teachers_view_for_results_written_before_teacher_load_existed(mini, tmp_path):
    a, b = write_result(design(mini), tmp_path / "a"), write_result(design(mini, "B"), tmp_path / "b")
    assert not (a / "teacher_load.csv").exists() and not (b / "teacher_load.csv").exists()
    done = runner.invoke(app, ["compare", str(a), str(b), "--csv", str(tmp_path / "d.csv"),
                               "--html", str(tmp_path / "d.html")])
    assert done.exit_code == 0, done.output
    said = " ".join(done.output.split())
    assert "What each design asks of the teachers" in said
    assert "a: 4 teachers; the least planning time is 250 minutes a week (median 500)" in said
    assert "b: 5 teachers; the least planning time is 500 minutes a week (median 500)" in said
    designs = pd.read_csv(tmp_path / "d_designs.csv", dtype=str, keep_default_na=False).set_index("design")
    assert designs.loc["a", "least planning min/week"] == "250.0" and designs.loc["b", "most preps"] == "2"
    page = (tmp_path / "d.html").read_text()
    assert "What each design asks of the teachers" in page and "median planning min/week" in page
