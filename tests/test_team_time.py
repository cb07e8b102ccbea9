"""Team planning time and the staff co-teaching takes (SPEC §4 rule 13, issue 14).

Story: the mini school brings in Ms Lead (L01), a multi-classroom leader, and asks that her team keep one
period a day free together to plan (roles.csv `team_planning_periods: 1` on the mcl role). After the solve all
four teachers are on her team, the five of them share a free period on every day, the result says which one
(team_planning.csv), and `workbench check` agrees. A section slipped by hand into that period is caught. A
leader pinned into every teaching period cannot have the time, and the solve says so before planning, naming
her and each period. And when Math 6 becomes an inclusion course and nobody holds `sped`, staffing hires a
special-education teacher, who then co-teaches it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from workbench.cli import app
from workbench.errors import InfeasibleDesign
from workbench.pipeline import solve_scenario
from workbench.results.check import check_rules
from workbench.results.io import read_result, write_result
from workbench.scenario import load_scenario

MINI = Path(__file__).resolve().parent / "data" / "mini"
runner = CliRunner()


def school_with_a_team(folder: Path, pins: str = "") -> Path:
    """The mini school on disk with Ms Lead (L01, mcl) and one common planning period a day for her team."""
    shutil.copytree(MINI, folder)
    roles = pd.read_csv(folder / "roles.csv")
    roles["team_planning_periods"] = (roles["role"] == "mcl").astype(int)
    roles.to_csv(folder / "roles.csv", index=False)
    with open(folder / "staff.csv", "a", encoding="utf-8") as staff:
        staff.write("L01,mcl,math;ela,3,1,,4.5\n")
    yaml = (folder / "scenario.yaml").read_text(encoding="utf-8")
    (folder / "scenario.yaml").write_text(yaml.replace("other_revenue: 400000", "other_revenue: 700000"),
                                          encoding="utf-8")
    if pins:
        (folder / "pins.csv").write_text(pins, encoding="utf-8")
    return folder


def busy_periods(result, people: list[str]) -> pd.DataFrame:
    """(day, period) each of `people` teaches, co-teaches or leads a group, read straight off the result."""
    secs = result.sections
    teaching = secs[secs["staff_id"].isin(people) | secs.get("co_staff_id", pd.Series(dtype=str)).isin(people)]
    days = pd.DataFrame({"day": range(1, 6)})
    lessons = teaching[["period"]].merge(days, how="cross")
    led = result.groups.loc[result.groups["staff_id"].isin(people), "group_id"]
    groups = result.group_sessions.loc[result.group_sessions["group_id"].isin(led), ["day", "period"]]
    return pd.concat([lessons, groups], ignore_index=True).astype(int).drop_duplicates()


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    folder = school_with_a_team(tmp_path_factory.mktemp("team") / "school")
    out = folder.parent / "result"
    done = runner.invoke(app, ["solve", str(folder), "--out", str(out)])
    assert done.exit_code == 0, done.output
    return folder, out


def test_a_team_of_four_and_its_leader_share_a_free_period_every_day(solved):
    folder, out = solved
    result = read_result(out)
    team = result.staffing.loc[result.staffing["leader_id"] == "L01", "staff_id"].tolist()
    assert sorted(team) == ["T01", "T02", "T03", "T04"]
    everyone = ["L01", *team]
    busy = busy_periods(result, everyone)
    for day in range(1, 6):
        taken = set(busy.loc[busy["day"] == day, "period"])
        free = [p for p in (1, 2, 3, 4) if p not in taken]   # period 5 is the intervention period
        assert free, f"the team has no common free period on day {day}"
    planning = pd.read_csv(out / "team_planning.csv", dtype=str)
    assert sorted(planning["staff_id"]) == sorted(everyone)
    (period,) = set(planning["periods"])
    assert int(period) not in set(busy["period"])
    checked = runner.invoke(app, ["check", str(folder), str(out)])
    assert checked.exit_code == 0, checked.output


def test_a_section_put_into_the_teams_only_free_period_is_caught(solved, tmp_path):
    folder, out = solved
    result = read_result(out)
    planning = pd.read_csv(out / "team_planning.csv", dtype=str)
    period = int(planning["periods"].iloc[0])
    busy = busy_periods(result, planning["staff_id"].tolist())
    assert {p for p in (1, 2, 3, 4) if p not in set(busy["period"])} == {period}   # their only common free one
    moved = result.sections.index[result.sections["staff_id"] == "T01"][0]
    result.sections.loc[moved, "period"] = period
    write_result(result, tmp_path / "bad")
    bad = runner.invoke(app, ["check", str(folder), str(tmp_path / "bad")])
    assert bad.exit_code == 1
    lines = [line for line in bad.output.splitlines() if line.startswith("rule 13 ")]
    assert lines == ["rule 13 (a team without its common planning time): the team of L01 (L01, T01, T02, T03, "
                     "T04) has no common free period (needs 1)"]


def test_a_leader_pinned_into_every_teaching_period_is_told_before_the_solve(tmp_path):
    pins = "course_id,section_id,staff_id,period,room_id\n" + "".join(
        f"{c},PIN-{p},L01,{p},\n" for c, p in (("M6", 1), ("M7", 2), ("E6", 3), ("E7", 4)))
    folder = school_with_a_team(tmp_path / "school", pins)
    roles = pd.read_csv(folder / "roles.csv")
    roles.loc[roles["role"] == "mcl", "max_sections"] = 4
    roles.to_csv(folder / "roles.csv", index=False)
    staff = (folder / "staff.csv").read_text(encoding="utf-8").replace("L01,mcl,math;ela,3,", "L01,mcl,math;ela,4,")
    (folder / "staff.csv").write_text(staff, encoding="utf-8")
    with pytest.raises(InfeasibleDesign) as told:
        solve_scenario(load_scenario(folder))
    said = "\n".join(told.value.reasons)
    assert told.value.rules == ["13"]
    assert "The team of L01" in said and "needs 1 common planning period" in said
    assert "period 5 is an intervention period" in said and "L01 has M6 pinned" in said
    done = runner.invoke(app, ["solve", str(folder), "--out", str(tmp_path / "never")])
    assert done.exit_code == 1 and "The team of L01" in done.output
    assert not (tmp_path / "never").exists()


def test_an_inclusion_course_nobody_can_co_teach_gets_a_special_education_hire():
    school = load_scenario(MINI).with_settings(**{"funding.other_revenue": 600000})
    school.courses["co_teacher_subject"] = ""
    school.courses.loc[school.courses["course_id"] == "M6", "co_teacher_subject"] = "sped"
    result = solve_scenario(school)
    hires = result.staffing[(result.staffing["new_hire"] == 1) & (result.staffing["subjects"] == "sped")]
    assert len(hires) == 1
    math6 = result.sections[result.sections["course_id"] == "M6"]
    assert len(math6) >= 1 and (math6["co_staff_id"] == hires["staff_id"].iloc[0]).all()
    needs = result.extra["staffing_needs"].set_index("subject")
    assert needs.at["sped", "sections_needed"] == len(math6) and needs.at["sped", "by_new_hires"] == len(math6)
    assert check_rules(school, result) == []


def test_a_wrong_number_of_planning_periods_is_one_line_each_naming_file_row_and_column(tmp_path):
    from workbench.scenario import validate_scenario

    folder = tmp_path / "school"
    shutil.copytree(MINI, folder)
    roles = pd.read_csv(folder / "roles.csv", dtype=str)
    roles["team_planning_periods"] = ["-1", "5", "two"]   # the day has 4 teaching periods
    roles.to_csv(folder / "roles.csv", index=False)
    problems = [(p.file, p.row, p.column) for p in validate_scenario(folder)]
    assert problems == [("roles.csv", 2, "team_planning_periods"), ("roles.csv", 3, "team_planning_periods"),
                        ("roles.csv", 4, "team_planning_periods")]
    said = " ".join(str(p) for p in validate_scenario(folder))
    assert "cannot be -1" in said and "the day has 4 teaching periods" in said


def test_on_an_ab_rotation_the_breach_is_judged_day_by_day(solved):
    folder, out = solved
    school = load_scenario(folder).with_settings(**{"school.day_types": {"A": [1, 3, 5], "B": [2, 4]}})
    result = read_result(out)
    period = int(pd.read_csv(out / "team_planning.csv", dtype=str)["periods"].iloc[0])
    result.sections["day_type"] = ""
    moved = result.sections.index[result.sections["staff_id"] == "T01"][0]
    result.sections.loc[moved, ["period", "day_type"]] = [period, "A"]   # into the planning period, A days only
    lines = [str(b) for b in check_rules(school, result) if b.rule == 13]
    assert lines == ["rule 13 (a team without its common planning time): the team of L01 (L01, T01, T02, T03, "
                     "T04) has no common free period (needs 1) (A days)"]


def test_two_math_teams_plan_in_different_periods_so_math_is_taught_in_every_period(mini):
    from workbench.plan.teams import choose_team_periods, protected

    mini.roles["team_planning_periods"] = (mini.roles["role"] == "mcl").astype(int)
    staffing = pd.DataFrame(
        [("L01", "mcl", "", "math", 1, ""), ("T01", "teacher", "L01", "math", 1, ""),
         ("L02", "mcl", "", "math", 1, ""), ("T03", "teacher", "L02", "science;math", 1, "1")],
        columns=["staff_id", "role", "leader_id", "subjects", "teaches_sections", "unavailable_periods"])
    chosen = choose_team_periods(mini, staffing).set_index("staff_id")["periods"]
    assert chosen["L01"] == chosen["T01"] and chosen["L02"] == chosen["T03"]
    assert chosen["L01"] != chosen["L02"] and chosen["T03"] != "1"   # T03 is away in period 1
    seen = protected(staffing, chosen.reset_index().assign(leader_id=""))
    assert seen.set_index("staff_id").at["T03", "unavailable_periods"] == f"1;{chosen['T03']}"
    assert staffing.at[3, "unavailable_periods"] == "1", "the staffing table itself is never changed"


# ---- team_planning.csv, the periods the result says each team keeps, is checked too ----------------------

RULE_13 = "rule 13 (a team without its common planning time): "


def check_lines(folder: Path, result: Path) -> list[str]:
    run = runner.invoke(app, ["check", str(folder), str(result)])
    assert run.exit_code == 1, run.output
    assert run.exception is None or isinstance(run.exception, SystemExit), run.exception
    return run.output.splitlines()


@pytest.fixture
def copy_of(solved, tmp_path):
    """The solved team's result, copied for a hand edit; team_planning.csv's rows as text lines."""
    folder, out = solved
    shutil.copytree(out, tmp_path / "edited")
    planning = tmp_path / "edited" / "team_planning.csv"
    return folder, tmp_path / "edited", planning, planning.read_text(encoding="utf-8").splitlines()


def test_planning_moved_into_a_period_a_member_teaches_is_caught(copy_of):
    folder, edited, planning, rows = copy_of
    result = read_result(edited)
    period = rows[1].split(",")[2]
    busy = busy_periods(result, ["L01", "T01", "T02", "T03", "T04"])
    taught = int(busy.loc[busy["period"] != int(period), "period"].min())
    planning.write_text("\n".join([rows[0], *(r[: r.rindex(",")] + f",{taught}" for r in rows[1:])]) + "\n",
                        encoding="utf-8")
    lines = check_lines(folder, edited)
    assert len(lines) == 2 and lines[1] == "1 breach of the hard rules"
    assert lines[0].startswith(f"team_planning.csv:2:periods: the team of L01 plans in period {taught}, but then ")
    assert " teaches " in lines[0] or " leads group " in lines[0]


@pytest.mark.parametrize("written", ["abc", "²", "1.5", "6"])
def test_a_period_that_is_not_one_is_named_at_its_row(copy_of, written):
    folder, edited, planning, rows = copy_of
    rows[2] = rows[2][: rows[2].rindex(",")] + f",{written}"
    planning.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert check_lines(folder, edited) == [
        f"team_planning.csv:3:periods: '{written}' is not a period of the day (1 to 5)", "1 breach of the hard rules"]


def test_a_member_left_out_of_the_table_or_the_table_itself_missing_is_a_breach(copy_of):
    folder, edited, planning, rows = copy_of
    planning.write_text("\n".join(r for r in rows if not r.startswith("L01,T02,")) + "\n", encoding="utf-8")
    assert check_lines(folder, edited) == [
        RULE_13 + "team_planning.csv leaves out T02 of the team of L01 (L01, T01, T02, T03, T04) in staffing.csv",
        "1 breach of the hard rules"]
    planning.unlink()
    assert check_lines(folder, edited) == [
        RULE_13 + "team_planning.csv is missing, but roles.csv asks for team planning time (team_planning_periods): "
                  "the result must say each team's common planning periods", "1 breach of the hard rules"]


def test_a_period_a_member_is_away_still_counts_as_free(copy_of, tmp_path):
    """SPEC §4 rule 13: free means no section, no group, not intervention. The planner never picks a period a
    member is away, but a member later marked away in it leaves the team's planning time as good as it was."""
    folder, edited, planning, rows = copy_of
    period = rows[1].split(",")[2]
    away = tmp_path / "away"
    shutil.copytree(folder, away)
    staff = (away / "staff.csv").read_text(encoding="utf-8")
    staff = staff.replace("T04,teacher,art;music,4,1,,", f"T04,teacher,art;music,4,1,{period},")
    (away / "staff.csv").write_text(staff, encoding="utf-8")
    assert load_scenario(away).staff.set_index("staff_id").at["T04", "unavailable_periods"] == period
    run = runner.invoke(app, ["check", str(away), str(edited)])
    assert run.exit_code == 0, run.output
