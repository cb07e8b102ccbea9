"""The central office's review fails a proposal on exactly the criteria it breaks, and names the students."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from handmade import design
from typer.testing import CliRunner

from workbench.batch import cluster_client
from workbench.cli import app
from workbench.goals.review import district_summary, load_bar, review_many, review_result
from workbench.pipeline import solve_scenario
from workbench.results.io import write_result
from workbench.scenario.generate import build_scenario
from workbench.scenario.model import write_scenario
from workbench.scenario.validate import load_scenario

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
    bad.write_text("criteria:\n  - kind: vibes\n")
    done = runner.invoke(app, ["review", str(a), "--bar", str(bad)])
    assert done.exit_code == 1
    assert "bar.yaml" in done.output and "kind" in done.output and "Traceback" not in done.output


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
