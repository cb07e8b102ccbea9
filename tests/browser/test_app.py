"""The workbench in a real browser, told as a school leader's session: open the tutorial school, solve,
read every page, try a what-if, re-solve, compare, and keep the design. Hard rules of every design the
app produced are re-checked with the independent checker, not taken from the app's own claims."""

from __future__ import annotations

import shutil

import pytest
from driving import SOLVE_TIMEOUT, click_until, edit_cell, open_page, open_table, set_number, solve, wait_for
from playwright.sync_api import expect

from workbench.results.check import check_result
from workbench.scenario import load_scenario

pytestmark = pytest.mark.browser


def test_a_leader_solves_tries_a_what_if_and_compares(page, serve_workbench, tutorial_copy, mini_path, shoot):
    url, sessions = serve_workbench(mini_path, tutorial_copy)
    page.goto(url)
    # the tutorial school opens first (it solves in seconds), with nothing solved yet
    expect(page.get_by_text("Tutorial Middle").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Press Solve to plan it")).to_be_visible()
    shoot(page, "01-scenario")

    # a solve can be cancelled, and leaves no design behind
    page.get_by_role("button", name="Solve", exact=True).click()
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_text("Cancelled")).to_be_visible(timeout=SOLVE_TIMEOUT)
    wb = sessions[0]
    assert wb.result is None

    solve(page, "tutorial #1")
    first = wb.result
    assert check_result(wb.made_from["tutorial #1"], first) == []

    open_page(page, "Students")
    goals = first.student_goals
    expect(page.get_by_text(f"{int(goals['met'].sum())} of {len(goals)} goals met")).to_be_visible()
    unmet = goals[goals["met"].astype(int) == 0]
    student = str((unmet if not unmet.empty else goals).iloc[0]["student_id"])
    page.get_by_label("Search students").fill(student)
    page.get_by_label("Search students").press("Enter")
    # the search narrows the table to that student's goals, then a click on a row opens their plan
    rows = page.locator(".tabulator-row")
    expect(rows).to_have_count(min(15, int((goals["student_id"] == student).sum())), timeout=15_000)
    click_until(rows.first.locator(".tabulator-cell[tabulator-field='student_id']"),
                page.get_by_text(f"Plan for {student}"))
    shoot(page, "06-students")

    for name, marker, shot in [("Staffing", "Every staff member", "02-staffing"),
                               ("Schedule", "Period × teacher", "03-schedule"),
                               ("Small groups", "could not be scheduled", "04-small-groups"),
                               ("Budget", "Revenue by need", "05-budget")]:
        open_page(page, name)
        expect(page.get_by_text(marker).first).to_be_visible(timeout=15_000)
        shoot(page, shot)

    # what-if: a $150,000 grant, then re-solve; the first design is kept for comparison
    open_page(page, "Scenario")
    other = wb.scenario.settings.funding.other_revenue + 150_000
    set_number(page, "Other revenue ($/year)", int(other))
    wait_for(lambda: wb.scenario.settings.funding.other_revenue == other)
    solve(page, "tutorial #2")
    assert wb.made_from["tutorial #2"].settings.funding.other_revenue == other
    assert check_result(wb.made_from["tutorial #2"], wb.result) == []
    assert first is wb.results["tutorial #1"]

    open_page(page, "Compare")
    expect(page.get_by_text("Baseline: tutorial #1")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Who gains and who loses which goal")).to_be_visible()
    shoot(page, "07-compare")


# This test used to fail about 1 run in 8 under load: Panel's process-wide busy spinners made one session's
# event touch another session's document without its lock, and the RuntimeError dropped the table edit being
# processed. The app has no busy spinner since (see test_state.py); 10 runs in a row under two CPU burners
# passed. One rerun stays as a guard for a browser on a loaded CI machine; a real failure still fails twice.
@pytest.mark.flaky(reruns=1)
def test_a_broken_edit_is_named_next_to_its_table_and_a_good_one_is_kept(page, serve_workbench, mini_path,
                                                                         tmp_path, shoot):
    folder = shutil.copytree(mini_path, tmp_path / "mini")
    url, sessions = serve_workbench(folder)
    page.goto(url)
    expect(page.get_by_text("Check the edits")).to_be_visible(timeout=30_000)
    open_table(page, "Staff")
    cell = page.locator(".tabulator-cell[tabulator-field='role']").first
    edit_cell(cell, "wizard")
    wb = sessions[0]
    wait_for(lambda: wb.scenario.staff.loc[0, "role"] == "wizard")
    page.get_by_role("button", name="Check the edits").click()
    message = "staff.csv:2:role: unknown role 'wizard'"
    expect(page.get_by_text(message).first).to_be_visible(timeout=15_000)
    # the reason also sits on the row at fault, beside the highlighted cell, and on no other row
    bad_row = page.locator(".tabulator-row").filter(
        has=page.locator(".tabulator-cell[tabulator-field='role']", has_text="wizard"))
    expect(bad_row.locator(".tabulator-cell[tabulator-field='⚠ problem']")).to_contain_text(message)
    expect(page.locator(".tabulator-cell[tabulator-field='⚠ problem']", has_text="⚠")).to_have_count(1)
    shoot(page, "08-validation")

    edit_cell(cell, "teacher")
    wait_for(lambda: wb.scenario.staff.loc[0, "role"] == "teacher")
    set_number(page, "Base funding per pupil ($)", 9100)
    wait_for(lambda: wb.scenario.settings.funding.base_per_pupil == 9100)
    page.get_by_label("Keep this design as a new scenario folder").fill("mini-richer")
    page.get_by_role("button", name="Save as new scenario").click()
    expect(page.get_by_text("Saved this design")).to_be_visible(timeout=15_000)
    saved = load_scenario(tmp_path / "mini-richer")
    assert saved.settings.funding.base_per_pupil == 9100
    assert load_scenario(folder).settings.funding.base_per_pupil == 7800   # the original is untouched


def test_a_second_browser_does_not_see_the_first_ones_edit(browser, serve_workbench, mini_path):
    url, sessions = serve_workbench(mini_path)
    first = browser.new_context().new_page()
    first.goto(url)
    expect(first.get_by_text("Check the edits")).to_be_visible(timeout=30_000)
    set_number(first, "Base funding per pupil ($)", 9000)
    wait_for(lambda: sessions[0].scenario.settings.funding.base_per_pupil == 9000)

    second = browser.new_context().new_page()
    second.goto(url)
    expect(second.get_by_text("Check the edits")).to_be_visible(timeout=30_000)
    expect(second.get_by_label("Base funding per pupil ($)")).to_have_value("7800")
    assert sessions[1].scenario.settings.funding.base_per_pupil == 7800
    assert sessions[0].scenario.settings.funding.base_per_pupil == 9000


def test_student_data_never_leaves_this_machine(page, serve_workbench, tutorial_copy):
    """Privacy: every page of a solved design loads from 127.0.0.1 alone — no CDN, font or tracker sees
    that a school is planning (the student tables themselves travel only over the local websocket)."""
    url, _ = serve_workbench(tutorial_copy)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")) else None)
    page.goto(url)
    expect(page.get_by_text("Tutorial Middle").first).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Solve", exact=True).click()
    expect(page.get_by_text("Solved tutorial #1")).to_be_visible(timeout=SOLVE_TIMEOUT)
    for name in ("Staffing", "Schedule", "Small groups", "Budget", "Students", "Compare"):
        open_page(page, name)
        page.wait_for_timeout(500)
    page.wait_for_load_state("networkidle")
    assert outside == []
