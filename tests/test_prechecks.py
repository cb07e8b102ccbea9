"""An impossible design is explained by the cause that binds: when the only teacher of two courses is free in
fewer periods than their required sections, the message names that teacher's unavailable periods, not their
certification (field case c02m)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from workbench.errors import InfeasibleDesign
from workbench.plan.schedule import build_schedule
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
