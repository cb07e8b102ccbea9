"""The synthetic school generator: reproducible, valid, realistic, and solvable in principle.

Capacity is checked here independently of the generator's own arithmetic: sections are the fewest a
course could run with (requests ÷ max_size), capacity is what certified teachers and rooms can give.
"""

from __future__ import annotations

import filecmp
import math
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from workbench.cli import app
from workbench.plan.calendar_fit import split_of
from workbench.scenario.funding import total_revenue
from workbench.scenario.generate import BUNDLED, generate_scenario
from workbench.scenario.schema import split_list
from workbench.scenario.staff_table import existing_staffing
from workbench.scenario.validate import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SIZES = [(30, "middle"), (120, "middle"), (30, "high"), (120, "high")]


@pytest.fixture(scope="module")
def schools(tmp_path_factory) -> dict[tuple[int, str], object]:
    """Tiny generated schools of both levels, loaded through the ordinary validation."""
    root = tmp_path_factory.mktemp("schools")
    out = {}
    for n, level in SIZES:
        folder = generate_scenario(students=n, seed=11, level=level, out=root / f"{level}-{n}")
        out[(n, level)] = load_scenario(folder)
    return out


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_the_same_seed_writes_the_same_folder_byte_for_byte(tmp_path):
    a = generate_scenario(students=80, seed=5, level="high", out=tmp_path / "a")
    b = generate_scenario(students=80, seed=5, level="high", out=tmp_path / "b")
    assert _files(a) == _files(b)
    match, mismatch, errors = filecmp.cmpfiles(a, b, _files(a), shallow=False)
    assert mismatch == [] and errors == []


def test_a_different_seed_gives_a_different_school(tmp_path):
    a = generate_scenario(students=80, seed=5, level="middle", out=tmp_path / "a")
    b = generate_scenario(students=80, seed=6, level="middle", out=tmp_path / "b")
    assert (a / "students.csv").read_bytes() != (b / "students.csv").read_bytes()
    assert (a / "requests.csv").read_bytes() != (b / "requests.csv").read_bytes()


@pytest.mark.parametrize(("n", "level"), SIZES)
def test_generated_schools_validate_with_the_right_shape(schools, n, level):
    s = schools[(n, level)]
    assert len(s.students) == n
    assert s.settings.school.grades == ([6, 7, 8] if level == "middle" else [9, 10, 11, 12])
    assert s.settings.school.intervention_periods == [s.settings.school.periods_per_day]
    assert s.settings.funding.allow_deficit is False
    assert 0 < s.settings.funding.one_time_revenue <= s.settings.funding.other_revenue
    requests = s.requests[s.requests["priority"] <= 2].groupby("student_id").size()
    if level == "middle":
        # a full load: as many courses as teaching periods, nothing to absorb a conflict
        assert (requests == len(s.teaching_periods)).all()
    else:
        assert requests.between(6, 7).all()
    assert set(s.requests["priority"]) == {1, 2, 3}


def test_a_high_school_asks_for_maths_at_each_students_level(schools):
    s = schools[(120, "high")]
    maths = s.requests.merge(s.courses, on="course_id").query("subject == 'math' and priority == 1")
    levels = maths.merge(s.students, on="student_id")
    calculus = levels[levels["course_id"] == "APCALC"]
    algebra = levels[levels["course_id"] == "ALG1"]
    assert (levels.groupby("student_id").size() == 1).all()
    assert calculus.empty or calculus["math_level"].min() > algebra["math_level"].max()


def test_english_learners_far_below_in_reading_take_english_as_a_new_language(schools):
    s = schools[(120, "middle")]
    newcomers = s.students[(s.students["ell"] == 1) & (s.students["reading_level"] < s.students["grade"] - 1.0)]
    enl = set(s.requests.loc[s.requests["course_id"] == "ENL", "student_id"])
    assert set(newcomers["student_id"]) == enl


def _bundled(name: str):
    folder = ROOT / "scenarios" / name
    if not (folder / "scenario.yaml").exists():
        pytest.skip(f"scenarios/{name} not generated yet")
    return load_scenario(folder)


def test_needs_are_as_common_as_in_real_schools(schools):
    for s in [*schools.values(), _bundled("riverside-middle")]:
        n = len(s.students)
        slack = 1 / n          # a share is a whole number of students
        assert 0.10 - slack <= s.students["ell"].mean() <= 0.15 + slack
        assert 0.13 - slack <= s.students["iep"].mean() <= 0.15 + slack
        assert 0.45 - slack <= s.students["frl"].mean() <= 0.55 + slack
        gap = s.students["grade"] + 0.5 - s.students["math_level"]
        assert abs(gap.mean()) < 1.0 and 0.8 < gap.std() < 1.8
        # students with an IEP are, on average, further below grade
        assert gap[s.students["iep"] == 1].mean() > gap[s.students["iep"] == 0].mean()


def _min_sections(s) -> pd.DataFrame:
    demand = s.requests[s.requests["priority"] <= 2].groupby("course_id").size().rename("demand")
    courses = s.courses.set_index("course_id").join(demand).fillna({"demand": 0})
    courses["sections"] = [math.ceil(d / m) for d, m in zip(courses["demand"], courses["max_size"], strict=True)]
    return courses


def _coverage_breaches(s) -> list[str]:
    courses = _min_sections(s)
    staffing = existing_staffing(s)
    teachers = staffing[staffing["teaches_sections"] == 1]
    teaching = set(s.teaching_periods)
    split = split_of(s)
    copies = split.copies if split else 1   # a block school teaches each block twice (A/B days, two terms)
    breaches = []
    for subject, sections in courses.groupby("subject")["sections"].sum().items():
        holders = teachers[[subject in split_list(x) for x in teachers["subjects"]]]
        capacity = sum(min(m, copies * len(teaching - {int(p) for p in split_list(u)}))
                       for m, u in zip(holders["max_sections"], holders["unavailable_periods"], strict=True))
        if capacity < sections:
            breaches.append(f"{subject}: {sections} sections, teachers can give {capacity}")
    if teachers["max_sections"].sum() < courses["sections"].sum():
        breaches.append("all teachers together cannot cover every section")
    for room_type, group in courses.groupby("room_type"):
        rooms = s.rooms[s.rooms["room_type"] == room_type]
        if len(rooms) * len(teaching) * copies < group["sections"].sum():
            breaches.append(f"{room_type}: {group['sections'].sum()} sections, {len(rooms)} rooms")
        if rooms.empty or rooms["capacity"].min() < group["max_size"].max():
            breaches.append(f"{room_type}: a room is smaller than a course it hosts")
    return breaches


def test_certified_teachers_and_rooms_can_cover_every_course(schools):
    for (n, level), s in schools.items():
        assert _coverage_breaches(s) == [], f"{level} school of {n}"


def test_existing_staff_fit_within_revenue_with_room_for_hires(schools):
    for s in schools.values():
        cost = existing_staffing(s)["annual_cost"].sum()
        revenue = total_revenue(s)
        assert cost * 1.03 <= revenue <= cost * 1.08


def test_every_goal_is_one_a_school_could_meet(schools):
    for s in schools.values():
        goals = s.goals
        requested = set(zip(s.requests["student_id"], s.requests["course_id"], strict=True))
        course_goals = goals[goals["goal"] == "course"]
        assert all((sid, c) in requested for sid, c in zip(course_goals["student_id"], course_goals["target"],
                                                           strict=True))
        assert set(goals.loc[goals["goal"] == "support", "target"]) <= set(s.supports["support"])
        wanted = goals[goals["goal"] == "support"].groupby("target").size()
        assert (wanted <= s.supports.set_index("support")["capacity"].reindex(wanted.index)).all()
        tutoring = goals[goals["goal"] == "tutoring_minutes"]
        assert set(tutoring["subject"]) <= set(s.courses["subject"])
        # one intervention period a day holds 5 sessions: room for one subject's 3 × 30 minutes
        assert not tutoring["student_id"].duplicated().any()
        assert 1.0 <= len(goals) / len(s.students) <= 2.2
        strong = goals[(goals["goal"] == "strong_teacher") & (goals["target"] != "leader")]
        for subject, target in zip(strong["subject"], strong["target"], strict=True):
            holders = s.staff[[subject in split_list(x) for x in s.staff["subjects"]]]
            assert (holders["effectiveness"] >= float(target)).any(), f"no {subject} teacher rated {target}+"


def test_students_far_below_in_maths_are_offered_maths_tutoring(schools):
    s = schools[(120, "middle")]
    merged = s.students.assign(gap=s.students["grade"] + 0.5 - s.students["math_level"],
                               rgap=s.students["grade"] + 0.5 - s.students["reading_level"])
    far = merged[(merged["gap"] >= 1.5) & (merged["gap"] >= merged["rgap"])]
    tutored = set(s.goals.query("goal == 'tutoring_minutes' and subject == 'math'")["student_id"])
    assert set(far["student_id"]) == tutored


def test_device_is_one_time_and_connectivity_recurring(schools):
    supports = schools[(30, "middle")].supports.set_index("support")
    assert supports.loc["device", "recurring"] in ("0", 0)
    assert supports.loc["connectivity", "recurring"] in ("1", 1)


def test_the_command_line_writes_a_valid_school(tmp_path):
    out = tmp_path / "cli-school"
    result = CliRunner().invoke(app, ["generate", "--students", "45", "--seed", "4", "--level", "middle",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(app, ["validate", str(out)]).exit_code == 0


@pytest.mark.parametrize("name", ["tutorial", "riverside-middle", "summit-high", "eastside-ab-high",
                                  "lakeview-4x4-high"])
def test_bundled_scenarios_are_exactly_what_the_generator_writes(tmp_path, name):
    bundled = ROOT / "scenarios" / name
    if not (bundled / "scenario.yaml").exists():
        pytest.skip(f"scenarios/{name} not generated yet")
    fresh = generate_scenario(out=tmp_path / name, **BUNDLED[name])
    assert _files(fresh) == _files(bundled)
    _, mismatch, errors = filecmp.cmpfiles(fresh, bundled, _files(fresh), shallow=False)
    assert mismatch == [] and errors == []
    s = load_scenario(bundled)
    assert _coverage_breaches(s) == []
    assert total_revenue(s) >= existing_staffing(s)["annual_cost"].sum() * 1.03
