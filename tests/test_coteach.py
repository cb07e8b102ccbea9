"""Inclusion sections with two teachers (SPEC §4, issue 14).

Story: the hand-made mini school hires Ms Five (T05), a special-education teacher, and makes Math 6 an
inclusion course: every section of it has a second adult who holds `sped`. The plan gives Math 6 its
co-teacher at a time she is free, seats the students with an IEP where she is, and the independent checker
holds her to the same rules as any teacher. A school that co-teaches nothing gets exactly what it got before.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.pipeline import solve_scenario
from workbench.plan.coteach import plan_coteachers
from workbench.results.check import check_rules
from workbench.scenario import load_scenario
from workbench.scenario.calendar import calendar_of, meetings

MINI = Path(__file__).resolve().parent / "data" / "mini"

SPED_TEACHER = ("T05", "teacher", "sped", 2, 1, "", 3.0)


def inclusion_school(mini, sped_teachers=(SPED_TEACHER,), math6_size=None):
    """The mini school with Math 6 co-taught by a sped teacher (and the money to pay her)."""
    school = mini.with_settings(**{"funding.other_revenue": 600000})
    school.courses["co_teacher_subject"] = ""
    school.courses.loc[school.courses["course_id"] == "M6", "co_teacher_subject"] = "sped"
    if math6_size is not None:
        school.courses.loc[school.courses["course_id"] == "M6", "max_size"] = math6_size
    extra = pd.DataFrame(list(sped_teachers), columns=school.staff.columns[:len(SPED_TEACHER)])
    school.staff = pd.concat([school.staff, extra], ignore_index=True)
    return school


@pytest.fixture(scope="module")
def solved():
    school = inclusion_school(load_scenario(MINI))
    return school, solve_scenario(school)


def test_an_inclusion_section_has_both_teachers_in_one_slot_and_nobody_double_booked(solved):
    school, result = solved
    math6 = result.sections[result.sections["course_id"] == "M6"]
    assert len(math6) >= 1 and (math6["co_staff_id"] == "T05").all()
    assert (math6["staff_id"] != "T05").all()
    assert check_rules(school, result) == []
    # Ms Five's inclusion sections and her own (none here) never share a slot
    held = meetings(result.sections, calendar_of(school), school.courses)
    hers = held[held["section_id"].isin(result.sections.loc[
        (result.sections["staff_id"] == "T05") | (result.sections["co_staff_id"] == "T05"), "section_id"])]
    assert not hers.duplicated(["term", "day", "period"]).any()
    assert result.summary["phases"]["schedule"]["coteaching"]["unmet"] == []


def test_students_with_an_iep_sit_in_the_co_taught_section(solved):
    school, result = solved
    iep = set(school.students.loc[(school.students["iep"] == 1) & (school.students["grade"] == 6), "student_id"])
    co_taught = set(result.sections.loc[result.sections["co_staff_id"] != "", "section_id"])
    seats = result.enrollments[result.enrollments["student_id"].isin(iep)]
    math6 = seats.merge(result.sections[["section_id", "course_id"]], on="section_id")
    assert len(math6[math6["course_id"] == "M6"]) == len(iep) > 0
    assert set(math6.loc[math6["course_id"] == "M6", "section_id"]) <= co_taught


def test_with_no_sped_teacher_the_design_still_holds_and_says_which_section_lacks_one(mini):
    school = inclusion_school(mini, sped_teachers=[])
    school.roles["max_new_hires"] = 0   # and none may be hired (staffing would hire one: tests/test_team_time.py)
    result = solve_scenario(school)
    assert check_rules(school, result) == []
    assert (result.sections["co_staff_id"] == "").all()
    unmet = result.summary["phases"]["schedule"]["coteaching"]["unmet"]
    math6 = result.sections.loc[result.sections["course_id"] == "M6", "section_id"]
    assert len(unmet) == len(math6) and all(u.endswith("no staff member who teaches sections holds sped; hire or "
                                                       "certify one.") for u in unmet)
    assert {u.split()[1] for u in unmet} == set(math6)


def test_a_school_that_co_teaches_nothing_gets_no_co_teacher_column(mini):
    sections = pd.DataFrame([("SEC-M6-1", "M6", "T01", "R1", 1)],
                            columns=["section_id", "course_id", "staff_id", "room_id", "period"])
    enrollments = pd.DataFrame([("S01", "SEC-M6-1")], columns=["student_id", "section_id"])
    plan = plan_coteachers(mini, staffing_of(mini), sections, enrollments)
    assert "co_staff_id" not in plan.sections.columns and plan.stats == {}
    assert plan.enrollments.equals(enrollments)


# ---- two Math 6 sections at one time, one sped teacher with room for one ---------------------------------

def staffing_of(school) -> pd.DataFrame:
    """The staffing step's table as the co-teacher pass reads it (every role here teaches but the tutor)."""
    staff = school.staff.copy()
    staff["teaches_sections"] = (staff["role"] != "tutor").astype(int)
    return staff


def two_math6_sections(school, in_first: list[str], in_second: list[str]):
    sections = pd.DataFrame([("M6-A", "M6", "T01", "R1", 3), ("M6-B", "M6", "T03", "R2", 3)],
                            columns=["section_id", "course_id", "staff_id", "room_id", "period"])
    enrollments = pd.DataFrame([(s, "M6-A") for s in in_first] + [(s, "M6-B") for s in in_second],
                               columns=["student_id", "section_id"])
    return sections, enrollments


def test_an_iep_student_moves_into_the_co_taught_section_at_the_same_time(mini):
    school = inclusion_school(mini, sped_teachers=[("T05", "teacher", "sped", 1, 1, "", 3.0)])
    sections, enrollments = two_math6_sections(school, ["S01", "S02"], ["S03", "S04"])   # S03 has an IEP
    plan = plan_coteachers(school, staffing_of(school), sections, enrollments)
    co = dict(zip(plan.sections["section_id"], plan.sections["co_staff_id"], strict=True))
    assert co == {"M6-A": "T05", "M6-B": ""}
    assert plan.enrollments.set_index("student_id").at["S03", "section_id"] == "M6-A"
    assert plan.stats["students_moved"] == 1
    assert plan.stats["unmet"] == ["Section M6-B (M6) has no co-teacher: of those who hold sped, T05 has no room "
                                   "under max_sections."]


def test_a_full_co_taught_section_swaps_in_the_iep_student(mini):
    school = inclusion_school(mini, sped_teachers=[("T05", "teacher", "sped", 1, 1, "", 3.0)], math6_size=2)
    sections, enrollments = two_math6_sections(school, ["S01", "S02"], ["S03", "S04"])
    plan = plan_coteachers(school, staffing_of(school), sections, enrollments)
    seats = plan.enrollments.groupby("section_id")["student_id"].apply(set).to_dict()
    assert "S03" in seats["M6-A"] and len(seats["M6-A"]) == 2 and len(seats["M6-B"]) == 2


def test_a_sped_teacher_busy_at_that_time_is_not_given_the_section(mini):
    school = inclusion_school(mini, sped_teachers=[("T05", "teacher", "sped", 3, 1, "3", 3.0)])   # away in 3
    sections, enrollments = two_math6_sections(school, ["S01"], ["S03"])
    plan = plan_coteachers(school, staffing_of(school), sections, enrollments)
    assert (plan.sections["co_staff_id"] == "").all()
    assert plan.stats["unmet"] == [f"Section {s} (M6) has no co-teacher: of those who hold sped, T05 is busy or "
                                   "away when it meets." for s in ("M6-A", "M6-B")]
    assert plan.stats["students_moved"] == 0


# ---- `workbench check` holds a co-teacher to rules 1, 6 and 7 ------------------------------------------------

@pytest.fixture
def on_disk(solved, tmp_path):
    """The inclusion school and its solved design as folders, for `workbench check`."""
    from workbench.results.io import write_result

    school, result = solved
    folder = tmp_path / "school"
    folder.mkdir()
    for name in ("students", "courses", "requests", "staff", "roles", "rooms", "goals", "supports"):
        school.table(name).to_csv(folder / f"{name}.csv", index=False)
    (folder / "scenario.yaml").write_text((MINI / "scenario.yaml").read_text().replace(
        "other_revenue: 400000", "other_revenue: 600000"), encoding="utf-8")
    return folder, write_result(result, tmp_path / "result")


def check_cli(scenario, result) -> tuple[int, str]:
    from typer.testing import CliRunner

    from workbench.cli import app

    done = CliRunner().invoke(app, ["check", str(scenario), str(result)])
    return done.exit_code, done.output


def edit_sections(result, **where_and_cells) -> None:
    path = result / "sections.csv"
    sections = pd.read_csv(path, dtype=str, keep_default_na=False)
    section_id = where_and_cells.pop("section_id")
    for column, value in where_and_cells.items():
        sections.loc[sections["section_id"] == section_id, column] = value
    sections.to_csv(path, index=False)


def test_the_solved_inclusion_design_passes_workbench_check(on_disk):
    code, output = check_cli(*on_disk)
    assert code == 0, output


def test_check_catches_a_co_teacher_who_does_not_hold_sped(on_disk):
    scenario, result = on_disk
    edit_sections(result, section_id="M6-01", co_staff_id="T04")   # the art teacher
    code, output = check_cli(scenario, result)
    assert code == 1 and "T04 co-teaches M6-01 (M6) without holding sped" in output


def test_check_catches_a_co_teacher_double_booked(on_disk):
    scenario, result = on_disk
    sections = pd.read_csv(result / "sections.csv", dtype=str, keep_default_na=False).set_index("section_id")
    # a careless edit: science moved to Math 6's time, with Ms Five written in as its co-teacher too
    edit_sections(result, section_id="SCI-01", period=sections.at["M6-01", "period"], co_staff_id="T05")
    code, output = check_cli(scenario, result)
    assert code == 1 and "rule 1" in output and "T05 teaches" in output


def test_check_catches_a_co_teacher_over_her_max_sections(on_disk):
    scenario, result = on_disk
    staff = pd.read_csv(scenario / "staff.csv", dtype=str, keep_default_na=False)
    staff.loc[staff["staff_id"] == "T05", "max_sections"] = "0"
    staff.to_csv(scenario / "staff.csv", index=False)
    code, output = check_cli(scenario, result)
    assert code == 1 and "T05 teaches 1 sections (1 as co-teacher); at most 0 allowed" in output


# ---- what the design asks of each teacher -------------------------------------------------------------------

def test_the_teacher_load_counts_co_taught_sections_and_planning_time(solved):
    school, result = solved
    load = result.extra["teacher_load"].set_index("staff_id")
    math6 = result.sections.loc[result.sections["course_id"] == "M6", "section_id"]
    pupils = result.enrollments["section_id"].isin(math6).sum()
    assert load.loc["T05", ["sections", "co_taught_sections", "preps", "students"]].tolist() == [
        len(math6), len(math6), 1, pupils]
    # five days of four teaching periods (period 5 is intervention), 50 minutes each, less her Math 6 periods
    assert load.at["T05", "planning_minutes_per_week"] == (20 - 5 * len(math6)) * 50
    assert "P01" not in load.index   # a tutor teaches no sections
    least = load.loc[load["sections"] > 0, "planning_minutes_per_week"].min()
    assert result.summary["metrics"]["teacher_planning_minutes_min"] == least


def test_a_hand_made_week_gives_each_teacher_her_runs_preps_and_planning(mini):
    from test_check import build_valid

    from workbench.goals.teachers import teacher_load

    load = teacher_load(mini, build_valid(mini)).set_index("staff_id")
    # T01 teaches Math 6 in period 1 and Math 7 in period 2: two preps, a run of two, twelve students
    assert load.loc["T01"].drop("role").tolist() == [2, 0, 2, 12, 2, (20 - 10) * 50]
    assert load.loc["T03"].drop("role").tolist() == [1, 0, 1, 12, 1, (20 - 5) * 50]
    assert load.at["T04", "planning_minutes_per_week"] == 750


def test_the_excel_workbook_has_a_teacher_load_sheet(solved, tmp_path):
    from openpyxl import load_workbook

    from workbench.results.export import to_excel

    school, result = solved
    book = load_workbook(to_excel(result, tmp_path / "design.xlsx", school), read_only=True)
    rows = list(book["Teacher load"].values)
    assert rows[0][0] == "Staff ID" and {r[0] for r in rows[1:]} == {"T01", "T02", "T03", "T04", "T05"}


def test_the_student_goal_report_and_plan_say_who_sits_in_a_co_taught_section(solved, tmp_path):
    from workbench.goals.evaluate import GOAL_COLUMNS, evaluate_goals
    from workbench.goals.students import student_co_taught, student_timetable
    from workbench.results.check import check_result
    from workbench.results.io import read_result, write_result

    school, result = solved
    goals = result.student_goals.set_index("student_id")
    # S03 has an IEP and sits in Math 6 with Ms Five; S07 is in grade 7, where no course is co-taught
    assert set(goals.loc[["S03"], "co_taught"]) == {"in a co-taught section (M6, with T05)"}
    assert set(goals.loc[["S07"], "co_taught"]) == {""}
    assert student_co_taught(result, "S03") == "in a co-taught section (M6, with T05)"
    assert student_co_taught(result, "S07") == ""
    week = student_timetable(school, result, "S03").set_index("what")
    assert week.loc["Math 6", "co-teacher"] == "T05" and week.loc["ELA 6", "co-teacher"] == ""
    # written and read back, the report keeps the column and the independent checker agrees with every flag
    folder = write_result(result, tmp_path / "result")
    back = read_result(folder)
    assert list(back.student_goals.columns) == [*GOAL_COLUMNS, "co_taught"]
    assert check_result(school, back) == []
    # a school that co-teaches nothing has the report it always had
    plain = load_scenario(MINI)
    assert list(evaluate_goals(plain, solve_scenario(plain)).columns) == GOAL_COLUMNS


# ---- a section left without its co-teacher is said where a leader looks ------------------------------------

@pytest.fixture(scope="module")
def no_sped_teacher(mini_module):
    """The inclusion school with nobody who holds sped and no hires allowed: Math 6 runs without its second
    adult."""
    school = inclusion_school(mini_module, sped_teachers=[])
    school.roles["max_new_hires"] = 0
    return school, solve_scenario(school)


@pytest.fixture(scope="module")
def mini_module():
    return load_scenario(MINI)


def test_a_missing_co_teacher_is_a_headline_figure_a_warning_and_not_optimal(no_sped_teacher):
    school, result = no_sped_teacher
    math6 = result.sections.loc[result.sections["course_id"] == "M6", "section_id"]
    metrics = result.summary["metrics"]
    assert metrics["co_taught_sections"] == len(math6) > 0
    assert metrics["co_taught_sections_without_co_teacher"] == len(math6)
    assert result.summary["warnings"] == result.summary["phases"]["schedule"]["coteaching"]["unmet"]
    assert len(result.summary["warnings"]) == len(math6)
    assert result.summary["phase_status"]["schedule"] == "feasible" and result.summary["status"] == "feasible"


def test_the_goal_report_says_an_iep_student_sits_without_the_co_teacher(no_sped_teacher):
    school, result = no_sped_teacher
    goals = result.student_goals.set_index("student_id")
    section = result.enrollments.set_index("student_id").loc["S03"]
    section = set(section["section_id"]) & set(result.sections.loc[result.sections["course_id"] == "M6", "section_id"])
    # S03 has an IEP and sits in Math 6, which has no sped teacher; S01 has no IEP: nothing is said of her seat
    assert set(goals.loc[["S03"], "co_taught"]) == {f"in {section.pop()} (M6) without the sped co-teacher its "
                                                    "course asks for"}
    assert set(goals.loc[["S01"], "co_taught"]) == {""}


def test_a_design_with_every_co_teacher_has_no_warning_and_counts_its_sections(solved):
    school, result = solved
    math6 = result.sections.loc[result.sections["course_id"] == "M6", "section_id"]
    assert result.summary["warnings"] == []
    assert result.summary["metrics"]["co_taught_sections"] == len(math6)
    assert result.summary["metrics"]["co_taught_sections_without_co_teacher"] == 0


def test_the_tutorial_with_an_enl_section_nobody_can_co_teach_ends_its_solve_saying_so(tmp_path):
    """The new user's tryout: Math 6 and ELA 7 co-taught by an enl teacher; the three who hold enl teach ELA,
    and at ELA 7's hour T001 teaches it while T002 and T003 are busy. The solve's last lines name the section
    and why, and summary.json's status is not `optimal`."""
    import json
    import shutil

    from typer.testing import CliRunner

    from workbench.cli import app

    school = tmp_path / "tutorial"
    shutil.copytree(Path(__file__).resolve().parents[1] / "scenarios" / "tutorial", school)
    courses = pd.read_csv(school / "courses.csv", dtype=str, keep_default_na=False)
    courses["co_teacher_subject"] = courses["course_id"].map({"MATH6": "enl", "ELA7": "enl"}).fillna("")
    courses.to_csv(school / "courses.csv", index=False)
    done = CliRunner().invoke(app, ["solve", str(school), "--out", str(tmp_path / "result")])
    assert done.exit_code == 0, done.output
    summary = json.loads((tmp_path / "result" / "summary.json").read_text(encoding="utf-8"))
    short = summary["metrics"]["co_taught_sections_without_co_teacher"]
    assert short == len(summary["warnings"]) > 0 and summary["status"] == "feasible"
    last = done.output.strip().splitlines()[-short:]
    assert last == [f"  - {w}" for w in summary["warnings"]]
    assert all(" has no co-teacher: of those who hold enl, " in w for w in summary["warnings"])
