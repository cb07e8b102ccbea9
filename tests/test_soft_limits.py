"""Teachers' soft limits (issue 14): `max_preps` (distinct courses) and `max_consecutive` (periods taught in a
row), for one teacher in staff.csv or for a whole role in roles.csv.

Story: the mini school's teachers tell the principal what makes a year bearable. Mr One (T01) wants one course
to prepare; Ms Three (T03) wants a break after two classes in a row. The schedule's last pass honours that
where it costs no student a request or a goal, the teacher load report lists what it could not, and a school
that says nothing of the kind gets exactly the schedule it got before.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from handmade import design
from typer.testing import CliRunner

from workbench.cli import app
from workbench.goals.teachers import soft_limit_misses, teacher_load
from workbench.plan.schedule.balance import polish
from workbench.plan.schedule.common import unlimited
from workbench.plan.schedule.improve import Placement
from workbench.plan.schedule.sections import build_catalog
from workbench.plan.schedule.students import schedule_goals
from workbench.results import check
from workbench.results.io import RESULT_TABLES, Result
from workbench.scenario import load_scenario
from workbench.scenario.staff_table import existing_staffing, soft_limits, uses_soft_limits

MINI = Path(__file__).resolve().parent / "data" / "mini"
runner = CliRunner()


def with_limits(school, staff: dict | None = None, roles: dict | None = None):
    """The school with soft limits: {staff_id or role: {column: value}} written into staff.csv / roles.csv."""
    out = school.copy()
    for table, key, given in (("staff", "staff_id", staff or {}), ("roles", "role", roles or {})):
        frame = getattr(out, table).copy()
        for who, limits in given.items():
            for column, value in limits.items():
                frame[column] = frame[column].astype("Int64")
                frame.loc[frame[key] == who, column] = value
        setattr(out, table, frame)
    return out


def sections(rows) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=["section_id", "course_id", "staff_id", "room_id", "period", "cap"])
    return out.assign(pin_section=None, pin_period=None, pin_room=None)


def polished(school, rows, enrollments):
    """The schedule's last pass on a hand-made timetable; the independent checker's schedule rules after it."""
    catalog = build_catalog(school, existing_staffing(school))
    state = Placement(school, sections(rows), enrollments, catalog)
    before = state.total
    info = polish(state, school, catalog.teachers, schedule_goals(school), unlimited(10))
    assert state.total >= before, "a soft limit must never cost a request"
    out_sections, out = state.result()
    staffing = existing_staffing(school)[RESULT_TABLES["staffing"]]
    result = Result(sections=out_sections[RESULT_TABLES["sections"]], enrollments=out, staffing=staffing)
    assert check.schedule_breaches(school, result) == []
    return out_sections, out, info


# ---- two courses each, for two teachers who could each keep one --------------------------------------------
def math_and_science(mini):
    """T01 and T03 both hold math and science. In period 2, T01 teaches Math 6 and T03 Science; in period 3
    the other way round. Ten students take both, half in each order: each teacher has two preps."""
    school = mini.copy()
    school.staff = school.staff.assign(subjects=school.staff["subjects"].mask(school.staff["staff_id"] == "T01",
                                                                              "math;science"))
    ids = [f"S{n:02d}" for n in range(1, 11)]
    school.requests = pd.DataFrame([(s, c, 1) for s in ids for c in ("M6", "SCI")],
                                   columns=["student_id", "course_id", "priority"])
    school.goals = school.goals.iloc[0:0]
    rows = [("M6-01", "M6", "T01", "R1", 2, 25), ("SCI-01", "SCI", "T03", "R3", 2, 24),
            ("SCI-02", "SCI", "T01", "R3", 3, 24), ("M6-02", "M6", "T03", "R1", 3, 25)]
    seats = [(s, "M6-01") for s in ids[:5]] + [(s, "SCI-02") for s in ids[:5]]
    seats += [(s, "SCI-01") for s in ids[5:]] + [(s, "M6-02") for s in ids[5:]]
    return school, rows, pd.DataFrame(seats, columns=["student_id", "section_id"])


def preps(out_sections: pd.DataFrame) -> dict[str, int]:
    return out_sections.groupby("staff_id")["course_id"].nunique().to_dict()


def test_a_teacher_who_wants_one_prep_trades_a_class_with_a_colleague_and_no_student_moves(mini):
    school, rows, enrollments = math_and_science(mini)
    limited = with_limits(school, staff={"T01": {"max_preps": 1}})
    out_sections, out, info = polished(limited, rows, enrollments)
    assert preps(out_sections) == {"T01": 1, "T03": 1}
    assert info["preps"]["trades_kept"] == 1
    assert info["before"]["soft_limits"]["teachers_over_max_preps"] == 1
    assert info["after"]["soft_limits"]["teachers_over_max_preps"] == 0
    # only who teaches changed: every class keeps its period, room and students
    same = ["section_id", "course_id", "room_id", "period"]
    assert out_sections[same].equals(sections(rows)[same])
    assert sorted(map(tuple, out.to_numpy())) == sorted(map(tuple, enrollments.to_numpy()))


def test_without_a_soft_limit_the_last_pass_leaves_the_teachers_as_they_were(mini):
    school, rows, enrollments = math_and_science(mini)
    assert not uses_soft_limits(school)
    out_sections, _, info = polished(school, rows, enrollments)
    assert preps(out_sections) == {"T01": 2, "T03": 2}
    assert "preps" not in info and "soft_limits" not in info["before"]


@pytest.mark.parametrize("his_limit", [None, 1])
def test_a_trade_that_would_put_the_colleague_over_his_own_limit_is_not_made(mini, his_limit):
    """T03 teaches only Math 6 (periods 2 and 3); T01 Math 6 in period 2 and Science in period 3. Handing
    Science to T03 gives T01 one prep, and T03 two: made when T03 set no limit, not when he asked for one."""
    school, _, _ = math_and_science(mini)
    rows = [("M6-01", "M6", "T01", "R1", 2, 25), ("M6-03", "M6", "T03", "R2", 2, 25),
            ("SCI-02", "SCI", "T01", "R3", 3, 24), ("M6-02", "M6", "T03", "R1", 3, 25)]
    ids = [f"S{n:02d}" for n in range(1, 11)]
    seats = [(s, "M6-01") for s in ids[:5]] + [(s, "M6-03") for s in ids[5:]] + [(s, "SCI-02") for s in ids]
    limits = {"T01": {"max_preps": 1}, **({"T03": {"max_preps": his_limit}} if his_limit else {})}
    out_sections, _, info = polished(with_limits(school, staff=limits), rows,
                                     pd.DataFrame(seats, columns=["student_id", "section_id"]))
    if his_limit:
        assert preps(out_sections) == {"T01": 2, "T03": 1} and info["preps"]["trades_kept"] == 0
    else:
        assert preps(out_sections) == {"T01": 1, "T03": 2} and info["preps"]["trades_kept"] == 1


# ---- runs of classes ------------------------------------------------------------------------------------
def three_in_a_row(mini):
    """A 7-period day: T01 teaches Math 6 in periods 1, 2 and 3 and is free in 4 to 6."""
    school = mini.copy().with_settings(**{"school.periods_per_day": 7, "school.intervention_periods": [7]})
    ids = [f"S{n:02d}" for n in range(1, 7)]
    school.requests = pd.DataFrame([(s, "M6", 1) for s in ids], columns=["student_id", "course_id", "priority"])
    school.goals = school.goals.iloc[0:0]
    rows = [(f"M6-0{p}", "M6", "T01", "R1", p, 25) for p in (1, 2, 3)]
    seats = pd.DataFrame({"student_id": ids, "section_id": [f"M6-0{1 + n % 3}" for n in range(6)]})
    return school, rows, seats


def longest_run(periods) -> int:
    periods, best, run = sorted(periods), 0, 0
    for a, b in zip([None, *periods], periods, strict=False):
        run = run + 1 if a is not None and b == a + 1 else 1
        best = max(best, run)
    return best


def test_a_teacher_who_wants_a_break_after_two_classes_gets_one(mini):
    school, rows, seats = three_in_a_row(mini)
    out_sections, out, info = polished(with_limits(school, staff={"T01": {"max_consecutive": 2}}), rows, seats)
    assert longest_run(out_sections["period"]) <= 2
    assert info["before"]["soft_limits"]["teachers_over_max_consecutive"] == 1
    assert info["after"]["soft_limits"]["teachers_over_max_consecutive"] == 0
    assert sorted(out["student_id"]) == sorted(seats["student_id"])


def test_three_in_a_row_stand_when_nobody_asked_for_less(mini):
    school, rows, seats = three_in_a_row(mini)
    out_sections, _, _ = polished(school, rows, seats)
    assert sorted(out_sections["period"]) == [1, 2, 3]


def test_a_role_default_applies_to_everyone_in_the_role_and_a_teachers_own_value_wins(mini):
    school = with_limits(mini, staff={"T04": {"max_preps": 3}}, roles={"teacher": {"max_preps": 1,
                                                                                   "max_consecutive": 2}})
    roles = existing_staffing(school).set_index("staff_id")["role"]
    limits = soft_limits(school, roles)
    assert limits.loc["T01", "max_preps"] == 1 and limits.loc["T04", "max_preps"] == 3
    assert limits.loc["T04", "max_consecutive"] == 2
    assert pd.isna(limits.loc["P01", "max_preps"])   # the tutor's role says nothing


# ---- the report of what was missed ----------------------------------------------------------------------
def test_the_teacher_load_lists_each_limit_the_design_misses(mini):
    """Hand-made design A: T02 teaches ELA 6 and 7, T03 Math 7 and Science in periods 2-4, T04 Art and Music.
    Every teacher was asked for one prep (T04 settled for two) and T03 for two periods in a row at most."""
    school = with_limits(mini, staff={"T04": {"max_preps": 2}, "T03": {"max_consecutive": 2}},
                         roles={"teacher": {"max_preps": 1}})
    load = teacher_load(school, design(school)).set_index("staff_id")
    assert load.loc["T02", "preps_over"] == 1 and load.loc["T03", "preps_over"] == 1
    assert load.loc["T04", "preps_over"] == 0 and load.loc["T01", "preps_over"] == 0
    assert load.loc["T03", "run_over"] == 1 and load.loc["T02", "run_over"] == 0   # T02 has no run limit
    assert soft_limit_misses(load.reset_index()) == [
        "T02 has 2 preps (distinct courses), 1 over the limit of 1",
        "T03 has 2 preps (distinct courses), 1 over the limit of 1",
        "T03 teaches 3 periods in a row, 1 over the limit of 2"]


def test_a_school_without_soft_limits_keeps_its_teacher_load_columns(mini):
    load = teacher_load(mini, design(mini))
    assert "preps_over" not in load.columns and soft_limit_misses(load) == []


def test_a_solved_school_with_soft_limits_writes_teacher_load_csv_with_the_misses(mini, tmp_path):
    school = mini_copy(tmp_path)
    staff = pd.read_csv(school / "staff.csv", dtype=str, keep_default_na=False)
    staff["max_preps"] = ["1", "1", "1", "1", ""]
    staff.to_csv(school / "staff.csv", index=False)
    done = runner.invoke(app, ["solve", str(school), "--out", str(tmp_path / "result")])
    assert done.exit_code == 0, done.output
    load = pd.read_csv(tmp_path / "result" / "teacher_load.csv", dtype=str, keep_default_na=False)
    assert {"max_preps", "preps_over", "run_over"} <= set(load.columns)
    done = runner.invoke(app, ["check", str(school), str(tmp_path / "result")])
    assert done.exit_code == 0, done.output


# ---- refusing what cannot be meant -----------------------------------------------------------------------
def mini_copy(tmp_path) -> Path:
    return Path(shutil.copytree(MINI, tmp_path / "mini"))


def test_a_soft_limit_below_one_or_not_whole_is_refused_line_by_line(tmp_path):
    school = mini_copy(tmp_path)
    staff = pd.read_csv(school / "staff.csv", dtype=str, keep_default_na=False)
    staff["max_preps"] = ["0", "2.5", "", "2", ""]
    staff["max_consecutive"] = ["", "", "-1", "3", ""]
    staff.to_csv(school / "staff.csv", index=False)
    roles = pd.read_csv(school / "roles.csv", dtype=str, keep_default_na=False)
    roles["max_consecutive"] = ["0", "", ""]
    roles.to_csv(school / "roles.csv", index=False)
    done = runner.invoke(app, ["validate", str(school)])
    assert done.exit_code == 1
    said = done.output
    assert "roles.csv:2:max_consecutive: a number of consecutive teaching periods cannot be 0" in said
    assert "staff.csv:2:max_preps: a number of distinct courses (preps) cannot be 0" in said
    assert "staff.csv:3:max_preps: '2.5' is not a whole number" in said
    assert "staff.csv:4:max_consecutive: a number of consecutive teaching periods cannot be -1" in said
    assert "staff.csv:5" not in said and "Traceback" not in said


def test_soft_limits_in_both_files_load_and_say_so(tmp_path):
    school = mini_copy(tmp_path)
    roles = pd.read_csv(school / "roles.csv", dtype=str, keep_default_na=False)
    roles["max_preps"] = ["2", "", ""]
    roles.to_csv(school / "roles.csv", index=False)
    loaded = load_scenario(school)
    assert uses_soft_limits(loaded) and not uses_soft_limits(load_scenario(MINI))


@pytest.mark.parametrize("holder", [None, "T02"])
def test_validate_warns_of_a_co_teacher_subject_nobody_holds_and_still_passes(tmp_path, holder):
    school = mini_copy(tmp_path)
    courses = pd.read_csv(school / "courses.csv", dtype=str, keep_default_na=False)
    courses["co_teacher_subject"] = ["sped" if c == "M6" else "" for c in courses["course_id"]]
    courses.to_csv(school / "courses.csv", index=False)
    if holder:
        staff = pd.read_csv(school / "staff.csv", dtype=str, keep_default_na=False)
        staff.loc[staff["staff_id"] == holder, "subjects"] += ";sped"
        staff.to_csv(school / "staff.csv", index=False)
    done = runner.invoke(app, ["validate", str(school)])
    assert done.exit_code == 0, done.output
    warned = "M6 is co-taught with a sped teacher, but no staff member in staff.csv holds sped"
    assert (warned in " ".join(done.output.split())) == (holder is None)
