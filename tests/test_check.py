"""The independent checker catches every kind of broken design, told as a school's story.

A valid design for the mini school is built by hand; each test breaks it the way a person editing
the CSVs (or a buggy planner) might, and expects the checker to name the rule.
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from workbench.cli import app
from workbench.goals.evaluate import evaluate_goals
from workbench.results.check import check_result, check_rules
from workbench.results.io import RESULT_TABLES, Result, read_result, write_result
from workbench.scenario import load_scenario
from workbench.scenario.funding import student_revenue
from workbench.scenario.staff_table import existing_staffing

MINI = Path(__file__).resolve().parent / "data" / "mini"

GRADE6 = ["S01", "S02", "S03", "S04", "S05", "S06"]
GRADE7 = ["S07", "S08", "S09", "S10", "S11", "S12"]


@pytest.fixture(scope="module")
def mini_once(mini_path):
    return load_scenario(mini_path)


@pytest.fixture
def mini(mini_once):
    """A fresh copy per test (tests edit it), loaded and validated once for the module."""
    return mini_once.copy()


@pytest.fixture(scope="module")
def mini_path():
    return MINI


def _frame(name: str, rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=RESULT_TABLES[name])


def build_valid(mini) -> Result:
    """Math and ELA per grade, one science, one art, one tutoring group in the intervention period."""
    sections = _frame("sections", [
        ("SEC-M6-1", "M6", "T01", "R1", 1), ("SEC-M7-1", "M7", "T01", "R1", 2),
        ("SEC-E6-1", "E6", "T02", "R2", 2), ("SEC-E7-1", "E7", "T02", "R2", 1),
        ("SEC-SCI-1", "SCI", "T03", "R3", 3), ("SEC-ART-1", "ART", "T04", "R4", 4),
    ])
    enrollments = _frame("enrollments",
                         [(s, sec) for s in GRADE6 for sec in ("SEC-M6-1", "SEC-E6-1", "SEC-SCI-1", "SEC-ART-1")]
                         + [(s, sec) for s in GRADE7 for sec in ("SEC-M7-1", "SEC-E7-1", "SEC-SCI-1", "SEC-ART-1")])
    groups = _frame("groups", [("G1", "P01", "math")])
    sessions = _frame("group_sessions", [("G1", day, 5, 30) for day in (1, 2, 3)])
    members = _frame("group_members", [("G1", "S01"), ("G1", "S03")])
    staffing = existing_staffing(mini)[RESULT_TABLES["staffing"]]
    supports = _frame("student_supports", [("S02", "vision screening", 40.0), ("S10", "mentoring", 600.0)])
    per_student = student_revenue(mini)["amount"].sum()
    budget_rows = [("revenue", "funding formula", "students", round(per_student, 2)),
                   ("revenue", "other", "other revenue", mini.settings.funding.other_revenue)]
    budget_rows += [("expense", "staffing", f"{role} staff", round(cost, 2))
                    for role, cost in staffing.groupby("role")["annual_cost"].sum().items()]
    budget_rows += [("expense", "supports", "student supports", 640.0)]
    result = Result(sections=sections, enrollments=enrollments, groups=groups, group_sessions=sessions,
                    group_members=members, staffing=staffing, student_supports=supports,
                    budget=_frame("budget", budget_rows),
                    summary={"status": "optimal", "metrics": {}})
    return result


@pytest.fixture
def valid(mini) -> Result:
    return build_valid(mini)


def rules_broken(scenario, result) -> set:
    return {b.rule for b in check_rules(scenario, result)}


def with_rows(frame: pd.DataFrame, rows: list[tuple]) -> pd.DataFrame:
    return pd.concat([frame, pd.DataFrame(rows, columns=frame.columns[:len(rows[0])])], ignore_index=True)


def test_a_hand_made_valid_design_has_no_breach(mini, valid):
    assert check_rules(mini, valid) == []


def test_a_teacher_booked_in_two_rooms_at_period_3_is_caught(mini, valid):
    valid.sections.loc[valid.sections["section_id"] == "SEC-M7-1", "period"] = 3
    valid.sections.loc[valid.sections["section_id"] == "SEC-M7-1", "staff_id"] = "T03"
    breaches = check_rules(mini, valid)
    assert any(b.rule == 1 and "T03" in str(b) and "period 3" in str(b) for b in breaches)
    line = next(str(b) for b in breaches if b.rule == 1)
    assert line.startswith("rule 1 (a teacher in two places at once): T03 teaches")


def test_a_tutor_teaching_and_tutoring_at_once_is_caught(mini, valid):
    valid.sections = with_rows(valid.sections, [("SEC-X", "M6", "P01", "R2", 5)])
    assert 1 in rules_broken(mini, valid)


def test_two_classes_in_one_room_at_once_are_caught(mini, valid):
    valid.sections.loc[valid.sections["section_id"] == "SEC-E6-1", "room_id"] = "R1"
    valid.sections.loc[valid.sections["section_id"] == "SEC-E6-1", "period"] = 1
    valid.sections.loc[valid.sections["section_id"] == "SEC-E6-1", "staff_id"] = "T03"
    breaches = [str(b) for b in check_rules(mini, valid) if b.rule == 2]
    assert breaches == ["rule 2 (a room booked twice): room R1 holds SEC-M6-1 and SEC-E6-1 in period 1"]


def test_a_student_in_two_classes_at_once_is_caught(mini, valid):
    # S07 (grade 7) also placed in Math 6, which meets in period 1 with their ELA 7
    valid.enrollments = with_rows(valid.enrollments, [("S07", "SEC-M6-1")])
    assert {3, 5} <= rules_broken(mini, valid)


def test_a_student_in_two_sections_of_one_course_is_caught(mini, valid):
    valid.sections = with_rows(valid.sections, [("SEC-ART-2", "ART", "T04", "R4", 3)])
    valid.enrollments = with_rows(valid.enrollments, [("S04", "SEC-ART-2")])
    breaches = [str(b) for b in check_rules(mini, valid)]
    assert any("S04 is in two sections of ART" in b for b in breaches)


def test_an_art_class_of_21_in_a_course_capped_at_20_is_caught(mini, valid):
    # nine more students, made up for the story, would overfill art; use the scenario's cap instead
    mini.courses.loc[mini.courses["course_id"] == "ART", "max_size"] = 11
    assert rules_broken(mini, valid) == {4}


def test_a_class_bigger_than_its_room_is_caught(mini, valid):
    mini.rooms.loc[mini.rooms["room_id"] == "R4", "capacity"] = 10
    assert rules_broken(mini, valid) == {4}


def test_science_outside_a_lab_is_caught(mini, valid):
    valid.sections.loc[valid.sections["section_id"] == "SEC-SCI-1", "room_id"] = "R2"
    breaches = [str(b) for b in check_rules(mini, valid) if b.rule == 4]
    assert breaches and "needs a lab room" in breaches[0]


def test_a_student_placed_in_a_course_they_never_asked_for_is_caught(mini, valid):
    mini.requests = mini.requests[~((mini.requests["student_id"] == "S05") & (mini.requests["course_id"] == "ART"))]
    breaches = [b for b in check_rules(mini, valid) if b.rule == 5]
    assert len(breaches) == 1 and "S05" in str(breaches[0])


def test_a_class_in_the_intervention_period_is_caught(mini, valid):
    valid.sections.loc[valid.sections["section_id"] == "SEC-ART-1", "period"] = 5
    assert 6 in rules_broken(mini, valid)


def test_a_teacher_scheduled_when_unavailable_is_caught(mini, valid):
    # T03 is unavailable in period 1
    valid.sections.loc[valid.sections["section_id"] == "SEC-SCI-1", "period"] = 1
    breaches = [str(b) for b in check_rules(mini, valid) if b.rule == 6]
    assert any("T03 is unavailable in period 1" in b for b in breaches)


def test_a_group_when_the_tutor_is_away_is_caught(mini, valid):
    # P01 works half time and is unavailable in periods 1 and 2
    valid.group_sessions.loc[0, "period"] = 2
    valid.group_sessions.loc[0, "day"] = 4
    assert 6 in rules_broken(mini, valid)


def test_an_art_teacher_teaching_math_is_caught(mini, valid):
    valid.sections.loc[valid.sections["section_id"] == "SEC-M6-1", "staff_id"] = "T04"
    valid.sections.loc[valid.sections["section_id"] == "SEC-M6-1", "period"] = 2
    breaches = [str(b) for b in check_rules(mini, valid) if b.rule == 7]
    assert any("T04" in b and "without holding math" in b for b in breaches)


def test_a_tutor_given_a_section_is_caught(mini, valid):
    mini.staff.loc[mini.staff["staff_id"] == "P01", "unavailable_periods"] = ""
    valid.sections.loc[valid.sections["section_id"] == "SEC-M6-1", "staff_id"] = "P01"
    breaches = [str(b) for b in check_rules(mini, valid) if b.rule == 7]
    assert any("does not teach sections" in b for b in breaches)


def test_a_teacher_over_their_section_limit_is_caught(mini, valid):
    mini.staff.loc[mini.staff["staff_id"] == "T01", "max_sections"] = 1
    breaches = [str(b) for b in check_rules(mini, valid)]
    assert breaches == ["rule 7 (a class taught by someone who cannot teach it): T01 teaches 2 sections; "
                        "at most 1 allowed"]


def test_a_pinned_singleton_moved_to_another_period_is_caught(mini, valid):
    mini.pins = pd.DataFrame({"course_id": ["SCI"], "section_id": ["SEC-SCI-1"], "staff_id": ["T03"],
                              "period": pd.array([4], dtype="Int64"), "room_id": ["R3"]})
    breaches = [str(b) for b in check_rules(mini, valid)]
    assert breaches == ["rule 8 (a fixed decision was not kept): pinned section SEC-SCI-1 has period 3 "
                        "instead of 4"]
    mini.pins.loc[0, "period"] = 3
    assert check_rules(mini, valid) == []


def test_a_pinned_section_that_vanished_is_caught(mini, valid):
    mini.pins = pd.DataFrame({"course_id": ["MUS"], "section_id": ["SEC-MUS-1"], "staff_id": [""],
                              "period": pd.array([pd.NA], dtype="Int64"), "room_id": [""]})
    assert rules_broken(mini, valid) == {8}


def test_a_group_of_five_over_the_standard_of_four_is_caught(mini, valid):
    valid.group_members = with_rows(valid.group_members,
                                    [("G1", "S02"), ("G1", "S04"), ("G1", "S05")])
    breaches = [str(b) for b in check_rules(mini, valid) if b.rule == 9]
    assert breaches == ["rule 9 (a small group that breaks the tutoring standard): group G1 has 5 members; "
                        "at most 4 allowed"]


def test_a_group_meeting_twice_a_week_for_20_minutes_is_caught(mini, valid):
    valid.group_sessions = valid.group_sessions.iloc[:2].copy()
    valid.group_sessions["minutes"] = 20
    breaches = [str(b) for b in check_rules(mini, valid) if b.rule == 9]
    assert any("meets 2 times a week" in b for b in breaches)
    assert sum("meets for 20 minutes" in b for b in breaches) == 2


def test_a_session_longer_than_a_period_is_caught(mini, valid):
    valid.group_sessions["minutes"] = 55
    assert rules_broken(mini, valid) == {9}


def test_a_group_pulling_a_student_out_of_class_is_caught(mini, valid):
    # S01 has science in period 3 every day
    valid.group_sessions.loc[1, "period"] = 3
    breaches = [str(b) for b in check_rules(mini, valid) if b.rule == 9]
    assert any("S01" in b and "SEC-SCI-1" in b for b in breaches)


def test_a_student_in_two_groups_at_once_is_caught(mini, valid):
    valid.groups = with_rows(valid.groups, [("G2", "P01", "ela")])
    valid.group_members = with_rows(valid.group_members, [("G2", "S01")])
    valid.group_sessions = with_rows(valid.group_sessions, [("G2", 1, 5, 30), ("G2", 4, 5, 30), ("G2", 5, 5, 30)])
    breaches = [str(b) for b in check_rules(mini, valid) if b.rule == 9]
    assert any("S01 is in groups G1 and G2 on day 1, period 5" in b for b in breaches)
    assert any("P01 leads groups G1 and G2 on day 1, period 5" in b for b in breaches)


def test_a_group_led_by_a_role_that_does_not_tutor_is_caught(mini, valid):
    mini.roles.loc[mini.roles["role"] == "tutor", "tutors"] = 0
    assert rules_broken(mini, valid) == {9}


def test_a_discounted_teacher_salary_is_caught(mini, valid):
    valid.staffing.loc[valid.staffing["staff_id"] == "T02", "annual_cost"] = 90000.0
    assert {10, 11} == rules_broken(mini, valid)


def test_a_half_time_tutor_must_cost_half(mini, valid):
    valid.staffing.loc[valid.staffing["staff_id"] == "P01", "annual_cost"] = 45000.0
    breaches = [str(b) for b in check_rules(mini, valid) if b.rule == 10]
    assert breaches and "P01" in breaches[0] and "22,500.00" in breaches[0]


def test_a_promotion_is_costed_at_the_new_role(mini, valid):
    """T01 promoted to multi-classroom leader, leading T02 and T03: costs follow staffing.csv's role."""
    staffing = valid.staffing
    staffing.loc[staffing["staff_id"] == "T01", ["role", "annual_cost"]] = ["mcl", 125640.0]
    staffing.loc[staffing["staff_id"].isin(["T02", "T03"]), "leader_id"] = "T01"
    expense = valid.budget["kind"] == "expense"
    valid.budget.loc[expense & (valid.budget["item"] == "teacher staff"), "amount"] -= 107100.0
    valid.budget = with_rows(valid.budget, [("expense", "staffing", "mcl staff", 125640.0)])
    assert check_rules(mini, valid) == []
    # the mcl's role allows 3 sections; a team beyond reach 4 is caught
    mini.roles.loc[mini.roles["role"] == "mcl", "reach"] = 1
    breaches = [str(b) for b in check_rules(mini, valid)]
    assert breaches == ["rule 10 (staff costs, hires or teams out of bounds): T01 leads 2 teachers (T02, T03); "
                        "the role's reach is 1"]


def test_hiring_beyond_max_new_hires_is_caught(mini, valid):
    hires = pd.DataFrame([(f"NEW-{i}", "mcl", 1, 125640.0, "", "math", 3.0) for i in (1, 2)],
                         columns=RESULT_TABLES["staffing"])
    valid.staffing = pd.concat([valid.staffing, hires], ignore_index=True)
    valid.budget = with_rows(valid.budget, [("expense", "staffing", "new mcls", 251280.0)])
    mini.settings.funding.allow_deficit = True
    breaches = [str(b) for b in check_rules(mini, valid)]
    assert breaches == ["rule 10 (staff costs, hires or teams out of bounds): 2 new mcl hires; at most 1 allowed"]


def test_a_teacher_naming_a_non_leader_as_leader_is_caught(mini, valid):
    valid.staffing.loc[valid.staffing["staff_id"] == "T02", "leader_id"] = "T04"
    assert rules_broken(mini, valid) == {10}


def test_a_budget_that_forgets_the_supports_is_caught(mini, valid):
    valid.budget = valid.budget[valid.budget["category"] != "supports"]
    breaches = [str(b) for b in check_rules(mini, valid)]
    assert len(breaches) == 1 and breaches[0].startswith("rule 11 (the budget does not add up): budget.csv expenses")


def test_inflated_revenue_is_caught(mini, valid):
    valid.budget.loc[valid.budget["item"] == "other revenue", "amount"] += 5.0
    breaches = [str(b) for b in check_rules(mini, valid)]
    assert len(breaches) == 1 and "funding formula" in breaches[0]


def test_a_deficit_is_caught_unless_allowed(mini, valid):
    mini.settings.funding.other_revenue = 0.0
    valid.budget.loc[valid.budget["item"] == "other revenue", "amount"] = 0.0
    assert rules_broken(mini, valid) == {11}
    assert any("does not allow a deficit" in str(b) for b in check_rules(mini, valid))
    mini.settings.funding.allow_deficit = True
    assert check_rules(mini, valid) == []


def test_supports_charged_wrongly_or_beyond_capacity_are_caught(mini, valid):
    valid.student_supports.loc[valid.student_supports["student_id"] == "S10", "cost"] = 500.0
    valid.budget.loc[valid.budget["category"] == "supports", "amount"] = 540.0
    assert rules_broken(mini, valid) == {11}
    mini.supports.loc[mini.supports["support"] == "vision screening", "capacity"] = 0
    assert any("capacity is 0" in str(b) for b in check_rules(mini, valid))


def test_ids_that_point_nowhere_are_caught(mini, valid):
    valid.enrollments = with_rows(valid.enrollments, [("S99", "SEC-M6-1"), ("S01", "SEC-NOPE")])
    valid.sections = with_rows(valid.sections, [("SEC-Z", "ZOO", "T09", "R9", pd.NA)])
    valid.group_members = with_rows(valid.group_members, [("G9", "S02")])
    lines = [str(b) for b in check_rules(mini, valid) if b.rule == "structure"]
    text = "\n".join(lines)
    for needle in ("unknown student S99", "unknown section SEC-NOPE", "unknown course ZOO", "T09", "room R9",
                   "section SEC-Z has no period", "unknown group G9"):
        assert needle in text, needle


def test_staffing_must_list_every_existing_staff_member_once(mini, valid):
    staffing = valid.staffing
    valid.staffing = pd.concat([staffing[staffing["staff_id"] != "T04"], staffing.iloc[[0]]], ignore_index=True)
    text = "\n".join(str(b) for b in check_rules(mini, valid) if b.rule == "structure")
    assert "leaves out existing staff member T04" in text and "lists T01 2 times" in text


def test_a_new_hire_who_teaches_needs_subjects_and_effectiveness(mini, valid):
    hire = pd.DataFrame([("NEW-1", "teacher", 1, 107100.0, "", "", None)], columns=RESULT_TABLES["staffing"])
    valid.staffing = pd.concat([valid.staffing, hire], ignore_index=True)
    valid.sections.loc[valid.sections["section_id"] == "SEC-M7-1", "staff_id"] = "NEW-1"
    valid.budget = with_rows(valid.budget, [("expense", "staffing", "new teacher", 107100.0)])
    text = "\n".join(str(b) for b in check_rules(mini, valid))
    assert "NEW-1 teaches but has no subjects" in text and "NEW-1 teaches but has no effectiveness" in text


def test_a_result_read_back_from_disk_checks_the_same(mini, valid, tmp_path):
    """Planners add their own columns (fte, students per section): they change nothing."""
    valid.staffing["fte"] = 1.0
    valid.sections["students"] = 12
    assert check_rules(mini, valid) == []
    write_result(valid, tmp_path / "result")
    assert check_rules(mini, read_result(tmp_path / "result")) == []


def test_breach_is_a_one_line_frozen_record(mini, valid):
    valid.sections.loc[valid.sections["section_id"] == "SEC-ART-1", "period"] = 5
    breach = check_rules(mini, valid)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        breach.rule = 2
    assert "\n" not in str(breach)


def test_an_1800_student_result_of_150_copies_of_the_mini_school_checks_clean(mini):
    """Blow the mini design up to 1,800 students in 150 parallel copies of the school: every rule still holds
    (IDs tagged per copy never collide). How long the check takes is measured in benchmarks/goals.py."""
    copies = 150
    base = build_valid(mini)
    big = mini.copy()

    def tag(frame, columns, i):
        out = frame.copy()
        for c in columns:
            out[c] = out[c].astype(str) + f"-{i}"
        return out

    big.students = pd.concat([tag(mini.students, ["student_id"], i) for i in range(copies)], ignore_index=True)
    big.requests = pd.concat([tag(mini.requests, ["student_id"], i) for i in range(copies)], ignore_index=True)
    big.staff = pd.concat([tag(mini.staff, ["staff_id"], i) for i in range(copies)], ignore_index=True)
    big.rooms = pd.concat([tag(mini.rooms, ["room_id"], i) for i in range(copies)], ignore_index=True)
    big.goals = big.goals.iloc[0:0]
    big.supports["capacity"] = pd.array([None] * len(big.supports), dtype="Int64")
    big.roles["max_new_hires"] = pd.array([None] * len(big.roles), dtype="Int64")
    result = Result(
        sections=pd.concat([tag(base.sections, ["section_id", "staff_id", "room_id"], i) for i in range(copies)]),
        enrollments=pd.concat([tag(base.enrollments, ["student_id", "section_id"], i) for i in range(copies)]),
        groups=pd.concat([tag(base.groups, ["group_id", "staff_id"], i) for i in range(copies)]),
        group_sessions=pd.concat([tag(base.group_sessions, ["group_id"], i) for i in range(copies)]),
        group_members=pd.concat([tag(base.group_members, ["group_id", "student_id"], i) for i in range(copies)]),
        staffing=pd.concat([tag(base.staffing, ["staff_id"], i) for i in range(copies)]),
        student_supports=pd.concat([tag(base.student_supports, ["student_id"], i) for i in range(copies)]),
    )
    revenue = sum(r for r in [big.settings.funding.other_revenue]) + student_revenue(big)["amount"].sum()
    result.budget = _frame("budget", [
        ("revenue", "formula", "all", round(revenue, 2)),
        ("expense", "staff", "all", round(result.staffing["annual_cost"].sum(), 2)),
        ("expense", "supports", "all", round(result.student_supports["cost"].sum(), 2))])
    big.settings.funding.allow_deficit = True
    assert check_rules(big, result) == []


def test_cli_check_prints_one_line_per_breach_and_exits_1(mini, mini_path, valid, tmp_path):
    valid.student_goals = evaluate_goals(mini, valid)
    write_result(valid, tmp_path / "good")
    runner = CliRunner()
    ok = runner.invoke(app, ["check", str(mini_path), str(tmp_path / "good")])
    assert ok.exit_code == 0, ok.output
    valid.sections.loc[valid.sections["section_id"] == "SEC-SCI-1", "period"] = 1   # T03 away at period 1
    valid.group_sessions.loc[0, "minutes"] = 10
    write_result(valid, tmp_path / "bad")
    bad = runner.invoke(app, ["check", str(mini_path), str(tmp_path / "bad")])
    assert bad.exit_code == 1
    lines = [line for line in bad.output.splitlines() if line.startswith("rule ")]
    assert any(line.startswith("rule 6 ") for line in lines)
    assert any(line.startswith("rule 9 ") for line in lines)
    assert all("Traceback" not in line for line in bad.output.splitlines())


def test_goal_flags_are_checked_against_a_recomputation(mini, valid):
    valid.student_goals = evaluate_goals(mini, valid)
    assert check_result(mini, valid) == []
    # S04 asked for Art and got it: marking that goal unmet is a false report
    row = (valid.student_goals["student_id"] == "S04") & (valid.student_goals["goal"] == "course")
    valid.student_goals.loc[row, "met"] = 0
    lines = [str(b) for b in check_result(mini, valid)]
    assert lines == ["goal: S04 course ART: marked unmet, but it is met"]
    # S07 wants every math class taught at effectiveness 3+, but T01 (3.5) is swapped for T03 (2.5)
    valid.student_goals.loc[row, "met"] = 1
    valid.sections.loc[valid.sections["section_id"] == "SEC-M7-1", "staff_id"] = "T03"
    lines = [str(b) for b in check_result(mini, valid)]
    assert len(lines) == 1 and lines[0].startswith("goal: S07 strong_teacher math 3: marked met, but it is not")


def test_a_result_garbled_by_hand_gets_plain_lines_not_a_traceback(mini, mini_path, valid, tmp_path):
    """A word where a number belongs is named like `workbench validate` names it, and the rules wait for the fix."""
    valid.student_goals = evaluate_goals(mini, valid)
    write_result(valid, tmp_path / "garbled")
    edit(tmp_path / "garbled" / "sections.csv", "ART,T04,R4,4", "ART,T04,R4,soon")
    edit(tmp_path / "garbled" / "budget.csv", "640.0", "n/a")
    run = CliRunner().invoke(app, ["check", str(mini_path), str(tmp_path / "garbled")])
    assert run.exit_code == 1
    assert run.exception is None or isinstance(run.exception, SystemExit)
    assert run.output.splitlines() == ["sections.csv:7:period: 'soon' is not a whole number — write a whole number",
                                       "budget.csv:6:amount: 'n/a' is not a number — write a number"]


# ---- a result edited by hand, read back from its files: one line per problem, naming file, row and column ----

def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def check_lines(mini_path: Path, folder: Path) -> list[str]:
    """`workbench check` on a folder: its output lines, after asserting it failed plainly."""
    run = CliRunner().invoke(app, ["check", str(mini_path), str(folder)])
    assert run.exit_code == 1, run.output
    assert run.exception is None or isinstance(run.exception, SystemExit), run.exception
    return run.output.splitlines()


@pytest.fixture
def on_disk(mini, valid, tmp_path) -> Path:
    """The valid design with its goals, written as `workbench solve` writes a result; it checks clean."""
    valid.student_goals = evaluate_goals(mini, valid)
    write_result(valid, tmp_path / "result")
    return tmp_path / "result"


@pytest.mark.parametrize(("file", "old", "new", "column"), [
    ("sections.csv", "SEC-M6-1,M6,T01,R1,1", "SEC-M6-1,M6,T01,R1,1.5", "period"),
    ("sections.csv", "SEC-M6-1,M6,T01,R1,1", "SEC-M6-1,M6,T01,R1,1e300", "period"),
    ("group_sessions.csv", "G1,1,5,30", "G1,1.5,5,30", "day"),
    ("group_sessions.csv", "G1,1,5,30", "G1,1,5e300,30", "period"),
    ("group_sessions.csv", "G1,1,5,30", "G1,1,5,half an hour", "minutes"),
    ("staffing.csv", "T01,teacher,0,", "T01,teacher,0.5,", "new_hire"),
    ("staffing.csv", "T01,teacher,0,107100.0", "T01,teacher,0,lots", "annual_cost"),
    ("student_goals.csv", "90 minutes a week,1,", "90 minutes a week,2,", "met"),
])
def test_a_number_that_is_not_one_is_one_line_naming_file_row_and_column(mini_path, on_disk, file, old, new,
                                                                        column):
    edit(on_disk / file, old, new)
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # nor a pandas warning on the way (1e300 once overflowed a cast)
        lines = check_lines(mini_path, on_disk)
    assert len(lines) == 1 and lines[0].startswith(f"{file}:2:{column}: "), lines


@pytest.mark.parametrize("file", ["sections.csv", "enrollments.csv"])
def test_a_row_with_a_stray_extra_field_is_one_line_not_a_cascade(mini_path, on_disk, file):
    path = on_disk / file
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], lines[1] + ",extra", *lines[2:]]) + "\n", encoding="utf-8")
    fields = len(lines[0].split(","))
    assert check_lines(mini_path, on_disk) == [
        f"{file}:2: has {fields + 1} cells but the header has {fields} — check for a stray comma or a missing value"]


@pytest.mark.parametrize(("old", "new", "column"), [("room_id,period", "period,period", "period"),
                                                    ("room_id,period", "room_id,room_id", "room_id")])
def test_a_column_named_twice_is_named_as_validate_names_it(mini_path, on_disk, old, new, column):
    edit(on_disk / "sections.csv", old, new)
    assert check_lines(mini_path, on_disk) == [f"sections.csv:1:{column}: column appears twice — keep one of them"]


def test_ids_that_point_nowhere_are_named_at_their_row(mini_path, on_disk):
    """A leader retyping the schedule by hand: each slip is named where it is, the rule breaches after it."""
    edit(on_disk / "sections.csv", "SEC-M6-1,M6,T01,R1,1", "SEC-M6-1,M66,T01,R1,")
    edit(on_disk / "sections.csv", "SEC-E6-1,E6,T02,R2,2", "SEC-E6-1,E6,T02,R9,2")
    edit(on_disk / "enrollments.csv", "S01,SEC-E6-1", "S99,SEC-E6-1")
    edit(on_disk / "group_sessions.csv", "G1,2,5,30", "G1,7,5,30")
    with open(on_disk / "sections.csv", "a", encoding="utf-8") as sections:
        sections.write("SEC-M7-1,M7,T01,R1,2\n")
    lines = [line for line in check_lines(mini_path, on_disk) if line.split(":")[0].endswith(".csv")]
    assert lines[:6] == [
        "sections.csv:8:section_id: section SEC-M7-1 is listed again (first on line 3)",
        "sections.csv:2:course_id: unknown course M66 (section SEC-M6-1)",
        "sections.csv:4:room_id: unknown room R9 (section SEC-E6-1)",
        "sections.csv:2:period: section SEC-M6-1 has no period between 1 and 5",
        "enrollments.csv:3:student_id: unknown student S99 (section SEC-E6-1)",
        "group_sessions.csv:3:day: group G1 has a session outside the week (day 7, period 5)",
    ]


def test_a_wrong_goal_flag_is_counted_apart_from_the_hard_rules(mini_path, on_disk):
    edit(on_disk / "student_goals.csv", "S01,tutoring_minutes,math,90,90 minutes a week,1,",
         "S01,tutoring_minutes,math,90,90 minutes a week,0,")
    assert check_lines(mini_path, on_disk) == ["goal: S01 tutoring_minutes math 90: marked unmet, but it is met",
                                               "1 goal marked wrong"]
    edit(on_disk / "group_sessions.csv", "G1,1,5,30", "G1,1,5,10")
    edit(on_disk / "group_sessions.csv", "G1,2,5,30", "G1,2,5,10")
    assert check_lines(mini_path, on_disk)[-2:] == ["2 breaches of the hard rules", "1 goal marked wrong"]
