"""The central office's review fails a proposal on exactly the criteria it breaks, and names the students."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from handmade import design
from typer.testing import CliRunner

from workbench.batch import cluster_client, review_many
from workbench.cli import app
from workbench.errors import ScenarioInvalid
from workbench.goals.evaluate import summary_metrics
from workbench.goals.review import METRICS, district_summary, load_bar, review_result
from workbench.pipeline import solve_scenario
from workbench.results.io import write_result
from workbench.scenario.generate import build_scenario
from workbench.scenario.model import write_scenario
from workbench.scenario.validate import load_scenario

ROOT = Path(__file__).resolve().parents[1]
BAR = ROOT / "scenarios" / "district-bar.yaml"
TYPO = ROOT / "tests" / "data" / "field-cases" / "review-bar-typo" / "bar.yaml"
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
    done = runner.invoke(app, ["review", str(a), str(b), "--bar", str(BAR), "--csv", str(tmp_path / "v.csv"),
                               "--details"])
    assert done.exit_code == 0, done.output
    assert "District summary" in done.output and "FAIL" in done.output
    assert "east (Mini school" in done.output and "fails 2 of 6 criteria" in done.output   # --details
    table = pd.read_csv(tmp_path / "v.csv", dtype=str, keep_default_na=False).set_index("design")
    assert list(table.index) == ["east", "west"]
    assert table.loc["east", "tutoring-delivered"] == "fail"
    assert table.loc["east", "tutoring-delivered first"] == "S02;S03"
    assert table.loc["west", "tutoring-delivered first"] == "S02"
    assert table.loc["west", "criteria_failed"] == "3"      # west loses the budget too
    students = pd.read_csv(tmp_path / "v_students.csv", dtype=str)
    ell = students[(students["design"] == "east") & (students["criterion"] == "english-learners-supported")]
    assert ell["student_id"].tolist() == ["S02", "S06", "S10"]


def test_a_broken_bar_file_is_a_plain_message(mini, tmp_path):
    a = write_result(design(mini), tmp_path / "east")
    bad = tmp_path / "bar.yaml"
    bad.write_text("criteria:\n  - kind: goal_met\n")
    done = runner.invoke(app, ["review", str(a), "--bar", str(bad)])
    assert done.exit_code == 1 and "Traceback" not in done.output
    assert done.output.strip() == (f"{bad}:2:goal_met: kind 'goal_met' is not a kind of criterion — use one of "
                                   "required_courses, goals_met, class_size_cap, budget_balanced, support_minutes, "
                                   "metric (did you mean 'goals_met'?)")


# ---- a bar that cannot pass by measuring nothing --------------------------------------------------------------

def problems_of(text: str, tmp_path) -> list[str]:
    bar = tmp_path / "bar.yaml"
    bar.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioInvalid) as refused:
        load_bar(bar)
    return [str(p).removeprefix(f"{bar}:") for p in refused.value.problems]


def test_field_case_a_misspelt_goal_kind_is_refused_not_passed(mini, tmp_path):
    # the field case: `tutoring_minute` once passed with "100.0% of 0 tutoring_minute goals met"
    a = write_result(design(mini), tmp_path / "east")
    done = runner.invoke(app, ["review", str(a), "--bar", str(TYPO)])
    assert done.exit_code == 1, done.output
    assert done.output.strip().splitlines() == [
        f"{TYPO}:5:tutoring-delivered: goal 'tutoring_minute' is not a goal kind — use one of tutoring_minutes, "
        "course, max_class_size, support, strong_teacher (SPEC §1) (did you mean 'tutoring_minutes'?)"]


def test_every_fault_of_a_bar_is_one_line_with_its_yaml_line_and_criterion(tmp_path):
    lines = problems_of("""\
name: a bar written in a hurry
criteria:
  - id: teachers
    kind: goals_met
    goal: strong_teachers
  - id: tutoring
    kind: goals_met
    goal: tutoring_minutes
    threshold: 150
  - id: money
    kind: budget_balanced
    who: iep
    treshold: 0
  - id: placed
    kind: metric
    threshold: 95
  - id: goals-pct
    kind: metric
    metric: goals_met_pct
    threshold: 120
  - id: caps
    kind: class_size_cap
    threshold: 0.5
  - description: someone forgot the kind
  - id: ell-minutes
    kind: support_minutes
    min_minutes: 0
""", tmp_path)
    assert lines == [
        "5:teachers: goal 'strong_teachers' is not a goal kind — use one of tutoring_minutes, course, max_class_size, "
        "support, strong_teacher (SPEC §1) (did you mean 'strong_teacher'?)",
        "9:tutoring: threshold 150 is out of range: should be less than or equal to 100 — give the minimum % of "
        "goals met, from 0 to 100",
        "12:money: who is not a setting of a budget_balanced criterion — remove it, or use one of id, description, "
        "exclude_one_time, threshold",
        "13:money: treshold is not a setting of a budget_balanced criterion — remove it, or use one of id, "
        "description, exclude_one_time, threshold (did you mean 'threshold'?)",
        "14:placed: metric is missing — add metric: one of requests_fulfilled_pct, first_choice_pct, "
        "required_fulfilled_pct, "
        "students_fully_scheduled_pct, goals_met_pct, budget_balance, recurring_balance",
        "20:goals-pct: threshold 120 is out of range: goals_met_pct runs from 0 to 100 — give a threshold within the "
        "metric's range",
        "23:caps: threshold should be a valid integer, got a number with a fractional part (found 0.5) — give how "
        "many students may sit above their cap: a whole number, 0 or more",
        "24:criterion 7: kind is missing — add kind: one of required_courses, goals_met, class_size_cap, "
        "budget_balanced, support_minutes, metric",
        "27:ell-minutes: min_minutes 0 is out of range: should be greater than 0 — correct min_minutes; see "
        "scenarios/district-bar.yaml for the format",
    ]


def test_a_bar_without_criteria_or_with_two_of_one_name_is_refused(tmp_path):
    assert problems_of("name: empty\ncriteria: []\n", tmp_path) == [
        "2: criteria is empty: a bar with no criterion would pass every proposal — add criteria; see "
        "scenarios/district-bar.yaml for the format"]
    assert problems_of("criteria:\n  - kind: required_courses\n  - kind: required_courses\n    who: iep\n",
                       tmp_path) == ["3:required_courses: another criterion (line 2) has this name too — give each "
                                     "criterion its own id"]


def test_the_metrics_a_bar_may_name_are_the_ones_the_review_measures(mini):
    assert set(METRICS) == set(summary_metrics(mini, design(mini)))


def test_a_misspelt_subject_is_not_measured_and_the_bar_is_refused(mini, tmp_path):
    a = write_result(design(mini), tmp_path / "east")
    bar = tmp_path / "bar.yaml"
    bar.write_text("criteria:\n  - id: maths-tutoring\n    kind: goals_met\n    goal: tutoring_minutes\n"
                   "    subject: maths\n    threshold: 90\n")
    (verdict,) = review_result(load_bar(bar), mini, design(mini), "east")
    assert (verdict.status, verdict.passed) == ("not measured", False)
    assert "no subject 'maths'" in verdict.value and "did you mean 'math'?" in verdict.value
    done = runner.invoke(app, ["review", str(a), "--bar", str(bar)])
    assert done.exit_code == 1 and "NOT MEASURED" in done.output and "100.0%" not in done.output
    assert done.output.strip().endswith(
        f"{bar}:5:maths-tutoring: subject 'maths' is not a subject of any school reviewed — use one of art, ela, "
        "math, music, science (did you mean 'math'?)")
    # with the scenario at hand the bar is refused before any result is read
    early = runner.invoke(app, ["review", str(tmp_path / "never-solved"), "--bar", str(bar),
                                "--scenario", str(ROOT / "tests" / "data" / "mini")])
    assert early.exit_code == 1 and "result(s) to review" not in early.output
    assert "maths-tutoring: subject 'maths' is not a subject of Mini school" in early.output


def test_a_criterion_that_matches_no_student_is_not_measured_and_the_proposal_does_not_pass(mini, tmp_path):
    # no student with an IEP has a strong-teacher goal (S07 has one, and no IEP); no English learner has a
    # class-size goal: both criteria measure nothing in the mini school, so neither may pass
    bar = tmp_path / "bar.yaml"
    bar.write_text("name: IEP and ELL bar\ncriteria:\n"
                   "  - {id: iep-strong-teachers, kind: goals_met, goal: strong_teacher, who: iep}\n"
                   "  - {id: ell-class-size, kind: class_size_cap, who: ell}\n"
                   "  - {id: complete-schedules, kind: required_courses}\n")
    the_bar = load_bar(bar)
    v = {x.criterion: x for x in review_result(the_bar, mini, design(mini), "east")}
    assert [v[n].status for n in v] == ["not measured", "not measured", "pass"]
    assert v["iep-strong-teachers"].value == "no strong_teacher goals (iep) in this school's plans"
    assert v["ell-class-size"].value == "no student (ell) has a max_class_size goal"
    a = write_result(design(mini), tmp_path / "east")
    done = runner.invoke(app, ["review", str(a), "--bar", str(bar), "--csv", str(tmp_path / "v.csv")])
    assert done.exit_code == 0, done.output
    assert "does not pass; not measured: iep-strong-teachers, ell-class-size" in " ".join(done.output.split())
    row = pd.read_csv(tmp_path / "v.csv", dtype=str, keep_default_na=False).iloc[0]
    assert (row["passes"], row["criteria_failed"], row["criteria_not_measured"]) == ("0", "0", "2")
    assert (row["iep-strong-teachers"], row["ell-class-size"], row["complete-schedules"]) == (
        "not measured", "not measured", "pass")


def test_a_group_column_the_school_lacks_names_the_bar_line(mini, tmp_path):
    bar = tmp_path / "bar.yaml"
    bar.write_text("criteria:\n  - id: english-learners\n    kind: required_courses\n    who: elll\n")
    (outcome,) = review_many([write_result(design(mini), tmp_path / "east")], load_bar(bar))
    assert outcome.error.startswith(f"{bar}:4:english-learners: who 'elll' is not a column of students.csv in Mini")
    assert outcome.error.endswith("(did you mean 'ell'?)")


# ---- a district's many results, in this process and on a Dask cluster --------------------------------------

@pytest.fixture(scope="module")
def district(tmp_path_factory):
    """A batch --out folder: two small generated schools solved for real (2 s limit), the two hand-made mini
    designs, and one result whose summary.json was mangled by hand."""
    root = tmp_path_factory.mktemp("district")
    out = root / "proposals"
    for seed in (31, 32):
        school = build_scenario(30, seed, "middle", name=f"School {seed}").with_settings(
            **{"solver.time_limit_s": 2})
        folder = write_scenario(school, root / "schools" / f"school-{seed}")
        write_result(solve_scenario(load_scenario(folder)), out / f"school-{seed}")
    mini = load_scenario(ROOT / "tests" / "data" / "mini")
    write_result(design(mini), out / "mini-east")
    write_result(design(mini, "B"), out / "mini-west")
    broken = write_result(design(mini), out / "mini-broken")
    (broken / "summary.json").write_text("{ this is not json", encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def client():
    """One local cluster of two single-threaded worker processes for these tests, always closed."""
    with cluster_client(workers=2, dashboard_address=":0") as made:
        yield made


def as_verdicts(outcomes):
    return {o.design: (o.school, o.error, [(v.criterion, v.passed, v.value, v.threshold, v.failing_students)
                                           for v in o.verdicts]) for o in outcomes}


def test_the_cluster_gives_exactly_the_verdicts_of_the_serial_review(district, client):
    bar = load_bar(BAR)
    on_cluster = review_many([district], bar, client=client)
    in_process = review_many([district], bar, serial=True)
    assert [o.design for o in on_cluster] == ["mini-broken", "mini-east", "mini-west", "school-31", "school-32"]
    assert as_verdicts(on_cluster) == as_verdicts(in_process)
    assert [o.ok for o in on_cluster] == [False, True, True, True, True]
    assert [o.school for o in on_cluster[3:]] == ["School 31", "School 32"]
    assert all(len(o.verdicts) == len(bar.criteria) for o in on_cluster if o.ok)


def test_a_broken_result_is_reported_and_the_others_still_reviewed(district, tmp_path):
    missing = tmp_path / "never-solved"
    outcomes = {o.design: o for o in review_many([district / "mini-east", district / "mini-broken", missing],
                                                  load_bar(BAR))}
    assert outcomes["mini-east"].ok and len(outcomes["mini-east"].verdicts) == len(load_bar(BAR).criteria)
    assert "summary.json" in outcomes["mini-broken"].error and "not valid JSON" in outcomes["mini-broken"].error
    assert "is not a result folder" in outcomes["never-solved"].error


def test_the_district_summary_has_a_row_per_result_with_the_right_counts(district):
    bar = load_bar(BAR)
    outcomes = review_many([district], bar, serial=True)
    summary = district_summary(outcomes, bar).set_index("design")
    assert list(summary.index) == [o.design for o in outcomes]
    for o in outcomes:
        row = summary.loc[o.design]
        if not o.ok:
            assert row["reviewed"] == 0 and pd.isna(row["criteria_failed"]) and row["reason"] == o.error
            continue
        verdicts = [row[c.name] for c in bar.criteria]
        assert row["criteria_failed"] == verdicts.count("fail") == sum(not v.passed for v in o.verdicts)
        for v in o.verdicts:
            assert row[f"{v.criterion} students"] == len(v.failing_students)
            assert row[f"{v.criterion} first"] == ";".join(v.failing_students[:5])
    east = summary.loc["mini-east"]
    assert east["school"] == "Mini school — hand-made for unit tests"
    assert east["criteria_failed"] == 2
    assert [c.name for c in bar.criteria if east[c.name] == "fail"] == ["tutoring-delivered",
                                                                          "english-learners-supported"]
    west = summary.loc["mini-west"]      # the hire costs the recurring budget its balance
    assert west["criteria_failed"] == 3 and west["balanced-without-one-time-money"] == "fail"
    assert west["tutoring-delivered students"] == 1 and west["tutoring-delivered first"] == "S02"


def test_cli_reviews_a_batch_folder_on_a_scheduler_and_exits_1_for_the_broken_one(district, client, tmp_path):
    done = runner.invoke(app, ["review", str(district), "--bar", str(BAR), "--csv", str(tmp_path / "d.csv"),
                               "--scheduler", client.scheduler.address])
    assert done.exit_code == 1, done.output
    assert "mini-broken: not reviewed: summary.json" in done.output and "Traceback" not in done.output
    assert "done 5/5" in done.output
    table = pd.read_csv(tmp_path / "d.csv", dtype=str, keep_default_na=False)
    assert table["design"].tolist() == ["mini-broken", "mini-east", "mini-west", "school-31", "school-32"]
    assert table["reviewed"].tolist() == ["0", "1", "1", "1", "1"]
    serial = district_summary(review_many([district], load_bar(BAR), serial=True), load_bar(BAR))
    assert table["criteria_failed"].tolist() == ["" if pd.isna(n) else str(n) for n in serial["criteria_failed"]]
