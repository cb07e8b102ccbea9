"""A bound that is a bound (issue 17). `requests_bound` holds for every timetable and section count the staff
could run, not only for the periods the solve chose; a schedule is `optimal` only when it reaches it (or
places everything). Field case c10b-no-alternates: 41 of 44 placed, and the bound says 44 may be possible
(two Band sections in different periods, a second Science section), so the solve is not called optimal."""

from __future__ import annotations

from pathlib import Path

from workbench.pipeline import solve_scenario
from workbench.plan.schedule.bound import ALL_TIMETABLES, requests_bound
from workbench.plan.schedule.sections import build_catalog
from workbench.plan.staffing import existing_staffing
from workbench.results.check import check_result
from workbench.scenario import load_scenario

C10B = Path(__file__).resolve().parent / "data" / "field-cases" / "c10b-no-alternates"


def _schedule_stats(result) -> dict:
    return result.summary["phases"]["schedule"]


def test_the_bound_covers_every_timetable_and_an_unproven_schedule_is_not_optimal():
    school = load_scenario(C10B)
    result = solve_scenario(school)
    stats = _schedule_stats(result)
    assert stats["requests_bound_kind"] == ALL_TIMETABLES
    assert stats["requests_bound"] == 44, "8 Band seats fit in two sections of the teacher's two"
    assert stats["requests_placed"] <= stats["requests_bound"]
    if stats["requests_placed"] < stats["requests_bound"]:
        assert result.summary["phase_status"]["schedule"] == "feasible"
        assert result.summary["status"] == "feasible"
        assert stats["requests_gap_pct"] > 0
    assert check_result(school, result) == []


def _band_teacher_limited(**fields):
    school = load_scenario(C10B)
    for column, value in fields.items():
        school.staff.loc[school.staff["staff_id"] == "T3", column] = value
    return school


def test_one_band_section_bounds_the_school_at_41_and_reaching_it_is_proven_optimal():
    """Band's only teacher may teach one section: 5 of 8 Band seats at most, in any timetable."""
    school = _band_teacher_limited(max_sections=1)
    result = solve_scenario(school)
    stats = _schedule_stats(result)
    assert stats["requests_bound"] == 36 + 5
    assert stats["requests_placed"] == 41 and stats["requests_gap_pct"] == 0.0
    assert result.summary["phase_status"]["schedule"] == "optimal"
    assert check_result(school, result) == []


def test_a_teacher_free_in_one_teaching_period_bounds_the_school_the_same_way():
    """A second example: the Band teacher is away in periods 1-3, so one section, whatever the timetable."""
    school = _band_teacher_limited(unavailable_periods="1;2;3")
    bound = requests_bound(school, build_catalog(school, existing_staffing(school)))
    assert (bound.value, bound.kind) == (41, ALL_TIMETABLES)
    assert bound.per_student == 44, "periods alone would allow every request"
