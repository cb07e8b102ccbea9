"""Rules that can be named (issue 17): one registry of the hard rules (ID, a sentence in a school leader's
words, the checker function, the models' constraint families, a switch for what-ifs). The docs' rules table
comes from it, and an impossible design is explained with its sentences and the IDs of the rules that clash."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.errors import InfeasibleDesign
from workbench.pipeline import solve_scenario
from workbench.plan.rules import RULES, clashing_families, families_on, switchable
from workbench.plan.schedule.common import request_table
from workbench.plan.schedule.periods import assign_periods, conflict_matrix
from workbench.plan.schedule.sections import build_catalog, finish_plan
from workbench.results import check
from workbench.results.rules import breaches, checker_of
from workbench.scenario import load_scenario
from workbench.scenario.staff_table import existing_staffing
from workbench.verify import schedule

ROOT = Path(__file__).resolve().parents[1]
C02M = ROOT / "tests" / "data" / "field-cases" / "c02m"


def test_every_rule_a_result_can_break_is_proved_by_a_function_of_the_independent_checker():
    for rule in RULES.values():
        if rule.id == "sections":      # a rule of the design (required courses run), not of a result
            assert checker_of(rule.id) is None
            continue
        # the checker: results.check, and verify.schedule for the schedule's rules (a layer below planning)
        assert inspect.getmodule(checker_of(rule.id)) in (check, schedule), f"rule {rule.id} is proved by the checker"
        assert rule.sentence.endswith(".") and rule.sentence[0].isupper()
        assert check.RULE_NAMES[int(rule.id) if rule.id.isdigit() else rule.id] == rule.name


def test_the_docs_rules_table_carries_each_rule_in_a_leaders_words():
    page = (ROOT / "docs" / "rules.md").read_text()
    for rule in RULES.values():
        assert f"| {rule.id} | {rule.name} | {rule.sentence} |" in page


def test_a_student_in_two_classes_at_once_is_a_breach_unless_a_what_if_switches_rule_3_off(mini):
    result = solve_scenario(mini)
    assert breaches(mini, result) == []
    enrolled = result.enrollments.merge(result.sections, on="section_id")
    sections = result.sections
    student, clash = next((row.student_id, other) for row in enrolled.itertuples()
                          for other in sections.loc[(sections["period"] == row.period)
                                                    & (sections["section_id"] != row.section_id), "section_id"])
    result.enrollments.loc[len(result.enrollments)] = [student, clash]
    found = {str(b.rule) for b in breaches(mini, result)}
    assert "3" in found
    assert "3" not in {str(b.rule) for b in breaches(mini, result, off={"3"})}


def test_the_budget_and_the_structure_cannot_be_switched_off_and_unknown_ids_are_named():
    with pytest.raises(ValueError, match="rule 11 cannot be switched off"):
        switchable({"11"})
    with pytest.raises(ValueError, match="no hard rule has the ID 15"):
        switchable({"15"})
    assert "section_periods.teacher" not in families_on({"1"})
    assert "section_periods.rooms" in families_on({"2"}), "rule 4 keeps the room family on"


def test_the_only_teacher_of_math_and_science_free_in_one_period_names_rules_6_and_7(tmp_path):
    """Field case c02m: the pre-check's explanation leads with the registry's sentences of the clashing rules."""
    done = subprocess.run([sys.executable, "-m", "workbench.cli", "solve", str(C02M), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True)
    assert done.returncode == 1
    said = " ".join(done.stderr.split())
    assert f"Hard rules that cannot all hold here: [sections] {RULES['sections'].sentence}" in said
    assert f"[6] {RULES['6'].sentence} [7] {RULES['7'].sentence}" in said


def test_a_teacher_given_more_sections_than_free_periods_names_rules_1_and_6(mini):
    """A second example, inside the period model: T03 (away in period 1) is given four Math 7 sections for
    three free teaching periods. Re-solving with each family switched off finds the pair that clash: the
    section's allowed periods (rule 6) and one class at a time (rule 1); rooms are not involved."""
    catalog = build_catalog(mini, existing_staffing(mini))
    plan = finish_plan([{"course_id": "M7", "staff_id": "T03", "pin_section": None, "pin_period": None,
                         "pin_room": None} for _ in range(4)])
    with pytest.raises(InfeasibleDesign) as refused:
        assign_periods(mini, catalog, plan, conflict_matrix(request_table(mini)), 10.0)
    assert sorted(refused.value.rules) == ["1", "6"]
    assert refused.value.reasons[0] == (f"Hard rules that cannot all hold here: [1] {RULES['1'].sentence} "
                                        f"[6] {RULES['6'].sentence}")
    assert "T03 is given 4 sections but is free in only 3 teaching periods." in refused.value.reasons


def test_the_deletion_filter_keeps_only_families_that_clash():
    """Families a, b, c where a with c alone is already impossible: b is switched off for good."""
    assert clashing_families(["a", "b", "c"], lambda on: not {"a", "c"} <= on) == ["a", "c"]
    assert clashing_families(["a", "b"], lambda on: True) == ["a", "b"]


def test_a_what_if_with_rule_6_off_plans_t2_in_her_away_period_and_the_checker_leaves_only_that_out():
    """c02m asks "what if T2's unavailability did not bind?". With rule 6 switched off the models drop the
    staff-availability family: the design that was impossible now exists, T2 teaching in period 1. The
    checker, switched the same way, finds nothing; unswitched, it finds exactly that rule 6 breach, which
    summary.json lists beside the rules switched off, so the what-if is never taken for the school's design."""
    school = load_scenario(C02M)
    with pytest.raises(InfeasibleDesign):
        solve_scenario(school)
    result = solve_scenario(school, rules_off={"6"})
    assert sorted(result.sections["course_id"]) == ["MATH6", "SCI6"]
    assert sorted(result.sections["period"]) == [1, 2], "T2 teaches in period 1, when she is away"
    assert breaches(school, result, off={"6"}) == []
    found = [str(b) for b in breaches(school, result)]
    assert len(found) == 1 and found[0].startswith("rule 6") and "T2 is unavailable in period 1" in found[0]
    assert result.summary["rules_off"] == ["6"] and result.summary["switched_off_breaches"] == found
    assert list(school.staff["unavailable_periods"].astype(str)) == ["1"], "the school's own table is untouched"


def test_switching_off_a_rule_the_models_cannot_drop_changes_nothing_in_the_design(mini):
    """Rule 3 (one class at a time) is kept by the student placement's core constraint, which no model drops:
    the what-if's design is the school's design, and it still keeps rule 3."""
    plain, what_if = solve_scenario(mini), solve_scenario(mini, rules_off={"3"})
    assert plain.sections.equals(what_if.sections) and plain.enrollments.equals(what_if.enrollments)
    assert what_if.summary["switched_off_breaches"] == []
    assert "rules_off" not in plain.summary
