"""The Progress page in a real browser, told as a school leader's October: the September plan is solved, the
first benchmark results come back, the leader uploads them, regroups, reads who moves and why, and follows
each student's levels across cycles, filtered by need and grade. The regrouped design is re-checked by the
independent checker, not taken from the app's word."""

from __future__ import annotations

import io

import pytest
from driving import open_page, solve, wait_for
from playwright.sync_api import expect

from workbench.results.check import check_result
from workbench.scenario.generate import assessment_cycles

pytestmark = pytest.mark.browser


def csv_bytes(frame) -> bytes:
    out = io.StringIO()
    frame.to_csv(out, index=False)
    return out.getvalue().encode()


def upload(page, name: str, data: bytes) -> None:
    page.locator("input[type=file][accept='.csv']").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": data}])


def test_a_leader_regroups_from_new_results_and_follows_each_student(page, serve_workbench, tutorial_copy, shoot):
    url, sessions = serve_workbench(tutorial_copy)
    page.goto(url)
    expect(page.get_by_text("Tutorial Middle").first).to_be_visible(timeout=30_000)
    solve(page, "tutorial #1")
    wb = sessions[0]
    september = wb.result

    open_page(page, "Progress")
    expect(page.get_by_text("No assessment results yet")).to_be_visible(timeout=15_000)

    # a file with a typing slip is refused in the words of `workbench validate`, and nothing changes
    upload(page, "assessments.csv", b"student_id,subject,cycle,level\nS0001,math,1,five\n")
    page.get_by_role("button", name="Regroup from new results").click()
    expect(page.get_by_text("assessments.csv:2:level: 'five' is not a number")).to_be_visible(timeout=15_000)
    assert wb.result is september

    # two cycles of results for every student (tutored students grew faster)
    scenario = wb.scenario
    marks = assessment_cycles(scenario.students, scenario.goals, 2, seed=3)
    upload(page, "assessments.csv", csv_bytes(marks))
    page.get_by_role("button", name="Regroup from new results").click()
    label = "tutorial #1 → cycle 2"
    expect(page.get_by_text(f"Regrouped {label}")).to_be_visible(timeout=60_000)
    regrouped = wb.results[label]
    assert regrouped is wb.result and regrouped.summary["cycle"] == 2
    assert check_result(wb.made_from[label], regrouped) == []
    assert regrouped.sections is september.sections and regrouped.enrollments is september.enrollments

    changes = regrouped.extra["group_changes"]
    assert not changes.empty
    expect(page.get_by_role("heading", name="Who moves and why")).to_be_visible(timeout=15_000)
    expect(page.get_by_text(changes.iloc[0]["why"][:40]).first).to_be_visible()
    every = marks["student_id"].nunique()
    expect(page.get_by_text(f"{every} student(s) shown")).to_be_visible()
    shoot(page, "17-progress")
    page.get_by_label("Grade", exact=True).scroll_into_view_if_needed()
    shoot(page, "18-progress-chart")

    # filters: grade 7 only, then English learners of grade 7
    students = wb.made_from[label].students
    grade7 = students[students["grade"] == 7]
    page.get_by_label("Grade", exact=True).select_option("7")
    expect(page.get_by_text(f"{len(grade7)} student(s) shown")).to_be_visible(timeout=15_000)
    page.get_by_label("Need", exact=True).select_option("English learners")
    ell7 = int((grade7["ell"] == 1).sum())
    shown = f"{ell7} student(s) shown" if ell7 else "No student matches these filters."
    expect(page.get_by_text(shown)).to_be_visible(timeout=15_000)

    # the regrouped design is kept beside September's for Compare
    wait_for(lambda: set(wb.results) == {"tutorial #1", label})
    page.set_viewport_size({"width": 820, "height": 1000})
    page.wait_for_timeout(400)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
