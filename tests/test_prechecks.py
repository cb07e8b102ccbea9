"""An impossible design is explained by the cause that binds: when the only teacher of two courses is free in
fewer periods than their required sections, the message names that teacher's unavailable periods, not their
certification (field case c02m)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from workbench.errors import InfeasibleDesign
from workbench.plan.schedule import build_schedule
from workbench.scenario import load_scenario
from workbench.scenario.staff_table import existing_staffing

CASE = Path(__file__).resolve().parent / "data" / "field-cases" / "c02m"


def test_the_only_teacher_of_math_and_science_free_in_one_period_is_named_with_her_unavailability(tmp_path):
    done = subprocess.run([sys.executable, "-m", "workbench.cli", "solve", str(CASE), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True)
    assert done.returncode == 1
    said = " ".join(done.stderr.split())
    assert "Math 6 (MATH6), Science 6 (SCI6) need 2 required section(s) between them" in said
    assert "T2, have only 1 free teaching period(s)" in said
    assert "unavailable in period 1" in said
    assert "needed in more than one at once" not in said, "the old message blamed certification"
    assert not (tmp_path / "o").exists()


def test_two_teachers_sharing_math_and_science_cannot_stretch_past_their_free_periods(mini):
    """A second example of the kind: each subject alone fits, the two together do not."""
    school = mini.copy()
    staff = school.staff.set_index("staff_id")
    staff.loc["T01", "unavailable_periods"] = "1;2;3;4"   # the math teacher is free in no teaching period
    staff.loc["T03", "unavailable_periods"] = "1;2"       # science and math: free in periods 3 and 4
    school.staff = staff.reset_index()
    with pytest.raises(InfeasibleDesign) as refused:
        build_schedule(school, existing_staffing(school))
    said = " ".join(" ".join(refused.value.reasons).split())
    assert "need 3 required section(s) between them" in said
    assert "certified in math or science, T01 and T03, have only 2 free teaching period(s)" in said
    assert "T01 can teach 0" in said and "unavailable in periods 1, 2, 3, 4" in said
    assert "T03 can teach 2" in said and "unavailable in periods 1, 2)" in said


def _refusal(school) -> InfeasibleDesign:
    with pytest.raises(InfeasibleDesign) as refused:
        build_schedule(school, existing_staffing(school))
    return refused.value


def test_the_c02m_sentence_names_rules_6_and_7_the_teacher_and_both_courses():
    """Field case c02m: availability (rule 6) binds, since T2 may teach five sections but is free in one period."""
    refused = _refusal(load_scenario(CASE))
    assert "Rule 6 and rule 7: T2 is free in 1 teaching period but must teach MATH6 and SCI6." in " ".join(
        refused.reasons)
    assert refused.rules == ["sections", "6", "7"]


def test_a_teacher_who_may_teach_one_section_is_explained_by_rule_7_not_by_her_availability():
    """The same two courses and teacher, now free in both periods but allowed one section: the section limit
    binds, so rule 6 (availability) is not named."""
    school = load_scenario(CASE)
    school.staff["unavailable_periods"] = ""
    school.staff["max_sections"] = 1
    refused = _refusal(school)
    assert "Rule 7: T2 may teach 1 section but must teach MATH6 and SCI6." in " ".join(refused.reasons)
    assert refused.rules == ["sections", "7"]


def test_a_science_teacher_pinned_to_every_math_7_section_leaves_science_untaught_rules_6_7_and_8(mini):
    """A hand-made case the pre-checks pass (math and science together have teachers enough) but the teacher
    plan cannot staff: pins.csv gives T03, the only science teacher (away in period 1), three Math 7 sections,
    all her free periods. The explanation names the pins (rule 8), her availability (rule 6) and her subjects
    and section limit (rule 7), and the course left without a teacher."""
    school = mini.copy()
    school.pins = pd.DataFrame({"course_id": ["M7"] * 3, "staff_id": ["T03"] * 3})
    refused = _refusal(school)
    said = " ".join(refused.reasons)
    assert ("Rule 6, rule 7 and rule 8: T03 is free in 3 teaching periods and is pinned to 3 sections already, "
            "but must also teach SCI.") in said
    assert refused.rules == ["sections", "6", "7", "8"]
    assert said.startswith("Hard rules that cannot all hold here: [sections]")
