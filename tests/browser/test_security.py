"""The workbench against a stranger's files and a stranger on the network, in a real browser.

A workshop opens a scenario folder someone else made: its texts hold script, HTML and `javascript:` links.
Every page shows them as written and none of it runs. The Compare page opens result folders only from the
folders the workbench was started with. A shared workshop's login page asks only for the password and
loads nothing from the internet."""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

import pytest
from driving import click_until, edit_cell, open_page, open_table, solve, wait_for
from playwright.sync_api import expect

from workbench.pipeline import solve_scenario
from workbench.results.io import write_result
from workbench.scenario import load_scenario

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "data" / "hostile"
FOLDER_NAME = "<img src=x onerror=window.__xss=6>"   # a folder name is free text too
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")


def watch(page) -> dict:
    """Record what must never happen: a dialog (alert), a request beyond this machine."""
    seen = {"dialogs": [], "outside": []}
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("request", lambda r: seen["outside"].append(r.url) if not r.url.startswith(LOCAL) else None)
    return seen


def assert_nothing_ran(page, seen) -> None:
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert seen["dialogs"] == []
    # Playwright's CSS selectors reach into Panel's shadow roots: no element the texts describe exists
    for planted in ("iframe", "img[src='x']", "[onerror]", "[onload]", "a[href^='javascript' i]"):
        assert page.locator(planted).count() == 0, planted


def shows(page, text: str) -> None:
    expect(page.get_by_text(text, exact=False).first).to_be_visible(timeout=15_000)


def type_into(cell, text: str) -> None:
    """Type key by key, as a person does (a number box drops letters typed into it; `fill` would refuse)."""
    for _ in range(5):
        cell.click()
        if cell.locator("input").count():
            cell.locator("input").press("ControlOrMeta+a")
            cell.locator("input").press_sequentially(text)
            cell.locator("input").press("Enter")
            return
        time.sleep(0.3)
    raise AssertionError(f"the cell would not open for editing to type {text!r}")


def tooltips(page, chart, wanted: str) -> str:
    """Hover over a chart until a tooltip shows `wanted`; returns the tooltip's text ("" if none did)."""
    box = chart.bounding_box()
    tip = page.locator("#vg-tooltip-element")
    for y in range(5, int(box["height"]), 8):
        for x in range(5, int(box["width"]), 20):
            chart.hover(position={"x": x, "y": y})
            if tip.count() and tip.is_visible() and wanted in tip.inner_text():
                return tip.inner_text().replace("\t", "").replace("\n", "")
    return ""


@pytest.fixture
def hostile(tmp_path) -> Path:
    return Path(shutil.copytree(HOSTILE, tmp_path / FOLDER_NAME))


def test_a_strangers_scenario_is_shown_as_written_and_none_of_it_runs(page, serve_workbench, hostile):
    url, sessions = serve_workbench(hostile)
    seen = watch(page)
    page.goto(url)
    scenario = load_scenario(hostile)
    shows(page, scenario.settings.name)   # "Hostile mini <img …>" as a heading, tag and all
    shows(page, "[click me](javascript:window.__xss=1)")
    shows(page, "**not bold**")
    # the description's <a href="javascript:…"> is text: clicking it goes nowhere
    page.get_by_text('<a href="javascript:window.__xss=1">open</a>').first.click()
    assert_nothing_ran(page, seen)

    # every table of the scenario, including the column header a stranger named
    for tab, text in [("Students", "<img src=x onerror=alert(5)>"), ("Courses", "<iframe srcdoc="),
                      ("Staff", "<svg onload=alert(2)>"), ("Roles", 'onerror="window.__xss=1"'),
                      ("Supports", '<a href="javascript:window.__xss=1">open</a>'),
                      ("Goals", "<img src=x onerror=alert(3)>"), ("Course requests", "<img src=x onerror=alert(1)>")]:
        open_table(page, tab)
        shows(page, text)
    assert_nothing_ran(page, seen)

    solve(page, f"{FOLDER_NAME} #1")
    solve(page, f"{FOLDER_NAME} #2")
    for name, text in [("Staffing", "<svg onload=alert(2)>"), ("Schedule", "<script>window.__xss=4</script>"),
                       ("Teachers", "<svg onload=alert(2)>"),
                       ("Small groups", "Small groups"), ("Budget", "Revenue by need")]:
        open_page(page, name)
        shows(page, text)
        assert_nothing_ran(page, seen)

    open_page(page, "Schedule")
    student = "<img src=x onerror=alert(3)>"
    box = page.get_by_label("Student's own timetable")
    box.press_sequentially(student[:6])   # the suggestions list shows the IDs as text
    shows(page, student)
    box.fill(student)
    box.press("Enter")
    shows(page, f"{student}'s week")
    assert_nothing_ran(page, seen)

    open_page(page, "Students")
    page.get_by_label("Search students").fill("onerror=alert(3)")
    page.get_by_label("Search students").press("Enter")
    rows = page.locator(".tabulator-row")
    expect(rows).to_have_count(1, timeout=15_000)
    click_until(rows.first.locator(".tabulator-cell[tabulator-field='student_id']"),
                page.get_by_text(f"Plan for {student}"))
    assert_nothing_ran(page, seen)

    open_page(page, "Compare")
    shows(page, f"Baseline: {FOLDER_NAME} #1")
    shows(page, "Who gains and who loses which goal")
    page.get_by_text(f"{FOLDER_NAME} #2").first.click()   # a label in the designs picker
    # the chart's tooltip names the design: as text
    assert f"design{FOLDER_NAME} #1" in tooltips(page, page.locator(".vega-embed").first, f"{FOLDER_NAME} #1")
    assert_nothing_ran(page, seen)
    assert seen["outside"] == []
    assert sessions[0].result is not None


def test_a_word_typed_into_a_number_cell_is_refused_and_the_cell_shows_the_kept_value(page, serve_workbench, mini_path,
                                                                                     tmp_path):
    url, sessions = serve_workbench(shutil.copytree(mini_path, tmp_path / "mini"))
    page.goto(url)
    expect(page.get_by_text("Check the edits")).to_be_visible(timeout=30_000)
    open_table(page, "Staff")
    cell = page.locator(".tabulator-cell[tabulator-field='max_sections']").first
    expect(cell).to_have_text("4", timeout=15_000)
    type_into(cell, "abc")
    message = "staff.csv:2:max_sections: 'abc' is not a whole number — write a whole number"
    shows(page, message)
    expect(cell).to_have_text("4", timeout=15_000)   # the value the model holds, not "abc" and not 0
    row = page.locator(".tabulator-row").first
    expect(row.locator(".tabulator-cell[tabulator-field='⚠ problem']")).to_contain_text(message)
    wb = sessions[0]
    assert wb.scenario.staff.loc[0, "max_sections"] == 4
    page.get_by_role("button", name="Check the edits").click()
    shows(page, "The edited scenario is valid")

    edit_cell(cell, "3")
    wait_for(lambda: wb.scenario.staff.loc[0, "max_sections"] == 3)
    expect(cell).to_have_text("3")
    expect(page.get_by_text(message)).to_have_count(0)


def test_compare_opens_result_folders_only_from_the_served_folders(page, serve_workbench, mini_path, tmp_path):
    """Another school's result sits beside the served folders, and a link to it was planted in the results
    folder: typing its path, the link, /etc or ~/.ssh opens nothing; a served result opens by its name."""
    result = solve_scenario(load_scenario(mini_path).with_settings(**{"solver.time_limit_s": 10}))
    scenario = shutil.copytree(mini_path, tmp_path / "served" / "mini")
    results = tmp_path / "served" / "results"
    write_result(result, results / "pilot")
    other = write_result(result, tmp_path / "other-school" / "result")
    (results / "sneaky").symlink_to(other)
    url, sessions = serve_workbench(scenario, results=[results])
    page.goto(url)
    expect(page.get_by_text("Check the edits")).to_be_visible(timeout=30_000)
    open_page(page, "Compare")
    box = page.get_by_label("Add a result folder")
    wb = sessions[0]
    for typed in ("/etc", "/root/.ssh", str(other), "results/sneaky", "results/../../other-school/result"):
        box.fill(typed)
        page.get_by_role("button", name="Add", exact=True).click()
        shows(page, f"Not opened: {typed} is outside the folders this workbench serves (mini, results)")
        assert wb.results == {}

    box.fill("")
    box.press_sequentially("pil")   # the suggestions name only what is served
    shows(page, "results/pilot")
    expect(page.get_by_text("sneaky")).to_have_count(0)
    box.fill("results/pilot")
    page.get_by_role("button", name="Add", exact=True).click()
    shows(page, "Added results/pilot (folder) to the designs to compare")
    assert list(wb.results) == ["results/pilot (folder)"]
    assert wb.results["results/pilot (folder)"].path.resolve() == (results / "pilot").resolve()


def test_a_workshop_login_asks_only_for_the_password_and_loads_nothing_from_outside(page, mini_path, tmp_path):
    from workbench.app.serve import serve_app

    password_file = tmp_path / "password.txt"
    password_file.write_text("maple-syrup-42\n", encoding="utf-8")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    serve_app([mini_path], port=port, basic_auth=str(password_file), show=False, threaded=True)
    deadline = time.time() + 20
    while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
        assert time.time() < deadline, "the server did not start"
        time.sleep(0.1)
    seen = watch(page)
    page.goto(f"http://127.0.0.1:{port}/")
    expect(page.get_by_label("Workshop password")).to_be_visible(timeout=15_000)
    assert "/login" in page.url
    visible = page.locator("input:not([type=hidden])")
    expect(visible).to_have_count(1)
    expect(visible).to_have_attribute("type", "password")
    expect(page.locator("input[name=username]")).to_have_count(0)

    page.get_by_label("Workshop password").fill("maple-syrup-41")
    page.get_by_role("button", name="Open the workbench").click()
    shows(page, "That password is not right")
    assert "/login" in page.url
    expect(page.get_by_text("Check the edits")).to_have_count(0)

    page.get_by_label("Workshop password").fill("maple-syrup-42")
    page.get_by_role("button", name="Open the workbench").click()
    expect(page.get_by_text("Check the edits")).to_be_visible(timeout=30_000)
    page.wait_for_load_state("networkidle")

    page.goto(f"http://127.0.0.1:{port}/logout")
    shows(page, "You have left the workbench")
    page.goto(f"http://127.0.0.1:{port}/")
    expect(page.get_by_label("Workshop password")).to_be_visible(timeout=15_000)
    assert seen["outside"] == []
