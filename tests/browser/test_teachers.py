"""The Teachers page in a real browser, told as a principal's week of planning: the tutorial school's teachers
asked for at most two preps each, and one of them is an early-career team teacher. The principal solves,
opens Teachers, reads each teacher's load and the limits the design misses, then narrows the list to the team
teachers. The figures are `teacher_load`'s, recomputed here from the result the session holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from driving import open_page, solve
from playwright.sync_api import expect

from workbench.goals.teachers import soft_limit_misses, teacher_load
from workbench.scenario import load_scenario, write_scenario

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tutorial_with_limits(tmp_path) -> Path:
    """The tutorial school (short time limit) where T005 is a team teacher and teachers want two preps."""
    school = load_scenario(ROOT / "scenarios" / "tutorial").with_settings(**{"solver.time_limit_s": 5})
    school.staff.loc[school.staff["staff_id"] == "T005", "role"] = "team_teacher"
    school.roles["max_preps"] = school.roles["max_preps"].astype("Int64")
    school.roles.loc[school.roles["role"] == "teacher", "max_preps"] = 2
    return write_scenario(school, tmp_path / "scenarios" / "tutorial")


def test_a_principal_reads_each_teachers_load_and_narrows_it_to_one_role(page, serve_workbench,
                                                                         tutorial_with_limits, shoot):
    url, sessions = serve_workbench(tutorial_with_limits)
    page.goto(url)
    expect(page.get_by_text("Tutorial Middle").first).to_be_visible(timeout=30_000)
    solve(page, "tutorial #1")
    wb = sessions[0]
    load = teacher_load(wb.made_from["tutorial #1"], wb.result)
    assert "preps_over" in load.columns

    open_page(page, "Teachers")
    expect(page.get_by_text(f"{len(load)} teacher(s) shown")).to_be_visible(timeout=15_000)
    table = page.locator(".tabulator").last
    for staff_id in load["staff_id"]:
        expect(table.get_by_text(staff_id, exact=True)).to_be_visible()
    misses = soft_limit_misses(load)
    assert misses, "every teacher of the tutorial teaches three or more courses"
    expect(page.get_by_text("Soft limits missed")).to_be_visible()
    for line in misses:
        expect(page.get_by_text(line)).to_be_visible()
    shoot(page, "19-teachers")

    # only the team teachers: T005, and the miss lines of the others are gone
    team_teachers = load[load["role"] == "team_teacher"]
    assert list(team_teachers["staff_id"]) == ["T005"]
    page.get_by_label("Role", exact=True).select_option("team_teacher")
    expect(page.get_by_text("1 teacher(s) shown")).to_be_visible(timeout=15_000)
    expect(table.get_by_text("T005", exact=True)).to_be_visible()
    expect(table.get_by_text("T001", exact=True)).to_have_count(0)
    expect(page.get_by_text("Every soft limit (most preps, longest run) is kept.")).to_be_visible()

    # back to every role, then a narrow laptop: no sideways scroll
    page.get_by_label("Role", exact=True).select_option("all")
    expect(page.get_by_text(f"{len(load)} teacher(s) shown")).to_be_visible(timeout=15_000)
    page.set_viewport_size({"width": 820, "height": 1000})
    page.wait_for_timeout(400)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
