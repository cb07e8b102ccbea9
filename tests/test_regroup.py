"""The assessment cycle (issue 16): six weeks after the plan, new benchmark results come in and the small groups
are re-formed from them. Students who are now on track leave, students who fell behind join, nobody else
moves, and the master schedule is not touched."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from workbench.cli import app
from workbench.results.check import check_result
from workbench.results.io import read_result
from workbench.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "scenarios" / "tutorial"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def september(tmp_path_factory):
    """Tutorial Middle planned in September: every tutoring goal is served (12 seats in 7 groups)."""
    base = tmp_path_factory.mktemp("cycle")
    school = base / "school"
    shutil.copytree(TUTORIAL, school)
    plan = base / "september"
    outcome = run("solve", school, "--out", plan)
    assert outcome.exit_code == 0, outcome.output
    return school, plan


def level_of(scenario, student_id: str, subject: str) -> float:
    row = scenario.students.set_index("student_id").loc[student_id]
    return float(row["math_level"] if subject == "math" else row["reading_level"])


def october_results(school: Path, plan: Path, out: Path):
    """Cycle 1 is September's levels; in cycle 2 ten tutored students grew half a grade level (on track) and
    eight untutored students scored 5.3 twice, below grade level with no growth (fallen behind). Everyone else
    in a group kept her level. Nobody else was assessed. Returns (scenario folder, leavers, joiners, stayers)."""
    folder = out / "school-october"
    shutil.copytree(school, folder)
    scenario = load_scenario(folder)
    members = read_result(plan).group_members.merge(read_result(plan).groups, on="group_id")
    seated = sorted(zip(members["student_id"], members["subject"], strict=True))
    leavers, stayers = seated[:10], seated[10:]
    goals = scenario.goals[scenario.goals["goal"] == "tutoring_minutes"]
    with_goal = set(zip(goals["student_id"], goals["subject"], strict=True))
    students = scenario.students.sort_values("student_id")
    untutored = [s for s in students["student_id"] if s not in {t for t, _ in seated}
                 and not any((s, subject) in with_goal for subject in ("math", "ela"))]
    # one subject each: a student free only in the intervention period can sit in one group a week
    joiners = [(s, "math" if n % 2 else "ela") for n, s in enumerate(untutored[:8])]
    rows = []
    for s, subject in leavers:
        start = level_of(scenario, s, subject)
        rows += [(s, subject, 1, start), (s, subject, 2, start + 0.5)]
    for s, subject in stayers:
        start = level_of(scenario, s, subject)
        rows += [(s, subject, 1, start), (s, subject, 2, start)]
    for s, subject in joiners:   # the same low level for all, so they fit groups of one band
        rows += [(s, subject, 1, 5.3), (s, subject, 2, 5.3)]
    pd.DataFrame(rows, columns=["student_id", "subject", "cycle", "level"]).to_csv(folder / "assessments.csv",
                                                                                   index=False)
    return folder, leavers, joiners, stayers


@pytest.fixture(scope="module")
def october(september, tmp_path_factory):
    school, plan = september
    out = tmp_path_factory.mktemp("october")
    folder, leavers, joiners, stayers = october_results(school, plan, out)
    regrouped = out / "october"
    outcome = run("regroup", folder, plan, "--out", regrouped)
    assert outcome.exit_code == 0, outcome.output
    return folder, plan, regrouped, leavers, joiners, stayers


def test_ten_on_track_students_leave_eight_who_fell_behind_join_and_nobody_else_moves(october):
    folder, plan, regrouped, leavers, joiners, stayers = october
    changes = pd.read_csv(regrouped / "group_changes.csv", dtype=str, keep_default_na=False)
    left = changes[(changes["old_group_id"] != "") & (changes["new_group_id"] == "")]
    joined = changes[(changes["old_group_id"] == "") & (changes["new_group_id"] != "")]
    assert sorted(zip(left["student_id"], left["subject"], strict=True)) == sorted(leavers)
    assert sorted(zip(joined["student_id"], joined["subject"], strict=True)) == sorted(joiners)
    assert len(changes) == 18, "nobody else moves"
    assert left["why"].str.startswith("on track").all()
    assert joined["why"].str.contains("fell behind").all()

    before = read_result(plan)
    after = read_result(regrouped)
    def seat(result):
        members = result.group_members.merge(result.groups, on="group_id")
        return {(s, subj): (g, staff) for s, subj, g, staff in
                zip(members["student_id"], members["subject"], members["group_id"], members["staff_id"], strict=True)}
    kept_before, kept_after = seat(before), seat(after)
    for key in stayers:
        assert kept_after[key] == kept_before[key], f"{key} keeps her group and tutor"

    summary = json.loads((regrouped / "summary.json").read_text())
    assert summary["cycle"] == 2
    assert summary["students_moved"] == 0
    assert summary["students_exited_on_track"] == len({s for s, _ in leavers})
    assert summary["students_newly_served"] == len({s for s, _ in joiners})


def test_the_master_schedule_enrolments_and_staffing_are_byte_identical(october):
    _, plan, regrouped, *_ = october
    for name in ("sections.csv", "enrollments.csv", "staffing.csv", "budget.csv", "student_supports.csv"):
        assert (regrouped / name).read_bytes() == (plan / name).read_bytes(), name


def test_every_hard_rule_holds_in_the_regrouped_result(october):
    folder, _, regrouped, *_ = october
    assert check_result(load_scenario(folder), read_result(regrouped)) == []
    outcome = run("check", folder, regrouped)
    assert outcome.exit_code == 0, outcome.output


def test_each_students_progress_says_whether_she_is_on_track(october):
    folder, plan, regrouped, leavers, joiners, _ = october
    progress = pd.read_csv(regrouped / "student_progress.csv", dtype={"student_id": str})
    assert len(progress) == len(pd.read_csv(folder / "assessments.csv"))
    latest = progress[progress["cycle"] == 2].set_index(["student_id", "subject"])
    assert (latest.loc[leavers, "on_track"] == 1).all()
    assert (latest.loc[leavers, "change_since_first"] == 0.5).all()
    assert (latest.loc[joiners, "on_track"] == 0).all()
    # six weeks (36 weeks / 6 cycles) of the September groups: 90 minutes a week for a tutored student
    assert (latest.loc[leavers, "tutoring_minutes_to_date"] >= 6 * 90).all()
    assert (latest.loc[joiners, "tutoring_minutes_to_date"] == 0).all()
    goals = pd.read_csv(regrouped / "student_goals.csv", dtype=str, keep_default_na=False)
    left_goals = goals[(goals["goal"] == "tutoring_minutes")
                       & goals[["student_id", "subject"]].apply(tuple, axis=1).isin(leavers)]
    assert left_goals["reason"].str.contains("on track: no seat needed").all()


def test_a_second_regroup_keeps_counting_tutoring_minutes(october, tmp_path):
    folder, _, regrouped, _, joiners, _ = october
    marks = pd.read_csv(folder / "assessments.csv")
    third = marks[marks["cycle"] == 2].assign(cycle=3)
    pd.concat([marks, third]).to_csv(folder / "assessments.csv", index=False)
    try:
        outcome = run("regroup", folder, regrouped, "--out", tmp_path / "november")
        assert outcome.exit_code == 0, outcome.output
    finally:
        marks.to_csv(folder / "assessments.csv", index=False)
    progress = pd.read_csv(tmp_path / "november" / "student_progress.csv", dtype={"student_id": str})
    at3 = progress[progress["cycle"] == 3].set_index(["student_id", "subject"])
    # joiners sat in October's groups for one cycle: at least the standard's 90 minutes a week for 6 weeks
    assert (at3.loc[joiners, "tutoring_minutes_to_date"] >= 6 * 90).all()
    assert check_result(load_scenario(folder), read_result(tmp_path / "november")) == []


def test_bad_assessments_give_one_line_per_problem_and_exit_1(september, tmp_path):
    school, plan = september
    folder = tmp_path / "school"
    shutil.copytree(school, folder)
    (folder / "assessments.csv").write_text(
        "student_id,subject,cycle,level\n"
        "S0001,math,1,4.5\n"
        "S0001,math,2,four\n"        # not a number
        "S9999,math,1,4.0\n"         # unknown student
        "S0002,maths,1,4.0\n"        # unknown subject
        "S0003,math,0,4.0\n"         # cycle 0
        "S0003,math,1.5,4.0\n"       # not a whole cycle
        "S0001,math,1,4.6\n")        # a second level for one cycle
    outcome = run("regroup", folder, plan, "--out", tmp_path / "out")
    assert outcome.exit_code == 1
    problems = [line for line in outcome.output.splitlines() if line.startswith("assessments.csv:")]
    assert [p.split(":")[1:3] for p in problems] == [["3", "level"], ["4", "student_id"], ["5", "subject"],
                                                      ["6", "cycle"], ["7", "cycle"], ["8", "cycle"]]
    assert "Traceback" not in outcome.output
    assert not (tmp_path / "out").exists()


def test_a_scenario_without_assessments_has_nothing_to_regroup(september, tmp_path):
    school, plan = september
    outcome = run("regroup", school, plan, "--out", tmp_path / "out")
    assert outcome.exit_code == 1
    assert "has no assessments.csv" in outcome.output
    assert not (tmp_path / "out").exists()


def test_regroup_never_writes_over_the_input_result_or_a_folder_it_did_not_make(october, tmp_path):
    folder, plan, regrouped, *_ = october
    before = {p.name: p.read_bytes() for p in plan.iterdir()}
    outcome = run("regroup", folder, plan, "--out", plan)
    assert outcome.exit_code == 1 and "the result being regrouped" in outcome.output
    assert {p.name: p.read_bytes() for p in plan.iterdir()} == before
    mine = tmp_path / "my-notes"
    mine.mkdir()
    (mine / "notes.txt").write_text("do not lose me")
    outcome = run("regroup", folder, plan, "--out", mine)
    assert outcome.exit_code == 1
    assert (mine / "notes.txt").read_text() == "do not lose me"
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


def test_generated_cycles_are_seeded_leave_the_school_as_it_was_and_tutoring_speeds_growth(tmp_path):
    from workbench.scenario.generate import generate_scenario

    plain = generate_scenario(students=400, seed=7, level="middle", out=tmp_path / "plain")
    year = generate_scenario(students=400, seed=7, level="middle", out=tmp_path / "year", cycles=3)
    again = generate_scenario(students=400, seed=7, level="middle", out=tmp_path / "again", cycles=3)
    assert sorted(p.name for p in year.iterdir()) == sorted([*(p.name for p in plain.iterdir()), "assessments.csv"])
    for p in plain.iterdir():
        assert (year / p.name).read_bytes() == p.read_bytes(), f"{p.name} changed when cycles were added"
    assert (year / "assessments.csv").read_bytes() == (again / "assessments.csv").read_bytes()

    scenario = load_scenario(year)
    marks = scenario.assessments.pivot_table(index=["student_id", "subject"], columns="cycle", values="level")
    assert len(marks) == 2 * len(scenario.students) and list(marks.columns) == [1, 2, 3]
    growth = (marks[3] - marks[1]).rename("growth").reset_index()
    goals = scenario.goals[scenario.goals["goal"] == "tutoring_minutes"]
    tutored = growth.set_index(["student_id", "subject"]).index.isin(
        list(zip(goals["student_id"], goals["subject"], strict=True)))
    # two cycles of six a year: a year's growth is 0.33; tutoring adds about 0.9 of a year's
    assert 0.25 < growth.loc[~tutored, "growth"].mean() < 0.42
    assert growth.loc[tutored, "growth"].mean() > growth.loc[~tutored, "growth"].mean() + 0.15


def test_the_same_results_regroup_the_same_way_byte_for_byte(october, tmp_path):
    folder, plan, regrouped, *_ = october
    outcome = run("regroup", folder, plan, "--out", tmp_path / "again")
    assert outcome.exit_code == 0, outcome.output
    for name in ("groups.csv", "group_sessions.csv", "group_members.csv", "group_changes.csv",
                 "student_progress.csv", "student_goals.csv", "unserved_tutoring.csv"):
        assert (tmp_path / "again" / name).read_bytes() == (regrouped / name).read_bytes(), name
