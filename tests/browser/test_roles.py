"""The workbench for its three users, in a real browser on riverside-middle (600 students, solves in seconds):
a school leader names a design, tries an edit, undoes it and downloads the workbook and the report; the
central office reviews the design against the district bar and gets the verdict `workbench review` prints;
everything is usable on an 820 px screen without scrolling sideways."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from driving import SOLVE_TIMEOUT, open_page, set_number, solve, wait_for
from playwright.sync_api import expect
from typer.testing import CliRunner

from workbench.cli import app
from workbench.plan.money import dollars, money_of
from workbench.results.io import write_result

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
PAGES = ["Scenario", "Staffing", "Schedule", "Teachers", "Small groups", "Budget", "Students", "Progress", "Compare",
         "Review"]


@pytest.fixture
def riverside(tmp_path) -> Path:
    """riverside-middle and the district bar, in a folder served with --results (so the bar is served)."""
    folder = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios" / "riverside-middle", folder / "riverside-middle")
    shutil.copy(ROOT / "scenarios" / "district-bar.yaml", folder / "district-bar.yaml")
    return folder


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


def test_a_leader_names_downloads_and_the_district_reviews(page, serve_workbench, riverside, tmp_path, shoot):
    url, sessions = serve_workbench(riverside / "riverside-middle", results=[riverside])
    page.goto(url)
    expect(page.get_by_text("Check the edits")).to_be_visible(timeout=30_000)
    page.get_by_label("Name the next design (optional)").fill("Base plan")
    page.get_by_label("Name the next design (optional)").press("Enter")
    solve(page, "Base plan")
    wb = sessions[0]
    figures = money_of(wb.result, wb.made_from["Base plan"])
    # the status line leads with the recurring balance and says the alternates aloud
    expect(page.get_by_text(f"recurring balance {dollars(figures.recurring_balance)} a year")).to_be_visible()
    expect(page.get_by_text(re.compile(r"requests placed 100% \(\d+ met by an alternate\)"))).to_be_visible()

    open_page(page, "Budget")
    headline = page.locator(".wb-balance p").first
    expect(headline).to_contain_text("Recurring balance", timeout=15_000)
    text = headline.inner_text()
    shown = re.search(r"Recurring balance (−?\$[\d,]+)", text).group(1)
    assert shown == dollars(figures.recurring_balance)
    shoot(page, "10-budget-riverside")

    # the downloads open with openpyxl / as a page, and hold the balance the Budget page shows
    with page.expect_download() as excel:
        page.get_by_text("Download the Excel workbook").click()
    assert excel.value.suggested_filename == "Base-plan.xlsx"
    workbook = tmp_path / excel.value.suggested_filename
    excel.value.save_as(workbook)
    book = openpyxl.load_workbook(workbook)
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    balance = summary["Recurring balance (every year, without one-time money)"]
    assert dollars(balance) == shown
    assert not any("solve" in str(k).lower() or "(s)" in str(k) for k in summary)
    assert book["Budget"].auto_filter.ref is not None
    with page.expect_download() as report:
        page.get_by_text("Download the printable report").click()
    assert report.value.suggested_filename == "Base-plan-report.html"
    printed = tmp_path / report.value.suggested_filename
    report.value.save_as(printed)
    html = printed.read_text(encoding="utf-8")
    assert f"Recurring balance <strong>{shown}</strong>" in html
    assert "<script" not in html and "http" not in html.replace("http-equiv", "")

    # the central office: the Review page says what `workbench review` says of the same design
    open_page(page, "Review")
    verdict = page.locator(".wb-verdict p").first
    expect(verdict).to_contain_text("District quality bar", timeout=30_000)
    folder = write_result(wb.result, tmp_path / "base-plan")
    out = tmp_path / "review.csv"
    said = CliRunner().invoke(app, ["review", str(folder), "--bar", str(riverside / "district-bar.yaml"),
                                    "--scenario", str(riverside / "riverside-middle"), "--csv", str(out),
                                    "--serial"])
    assert said.exit_code == 0, said.output
    row = pd.read_csv(out).iloc[0]
    expect(verdict).to_contain_text(f"Base plan {row['verdict']}")
    for criterion in ("complete-schedules", "tutoring-delivered", "balanced-without-one-time-money",
                      "english-learners-supported", "requests-placed", "iep-class-size"):
        cells = page.locator(".tabulator-row").filter(
            has=page.locator(".tabulator-cell[tabulator-field='criterion']", has_text=criterion))
        expect(cells.locator(".tabulator-cell[tabulator-field='result']")).to_have_text(row[criterion])
    shoot(page, "11-review")

    # a named what-if: the result is marked out of date, the change is listed, undo puts it back
    open_page(page, "Scenario")
    grant = wb.scenario.settings.funding.other_revenue + 100_000
    set_number(page, "Other revenue ($/year)", int(grant))
    wait_for(lambda: wb.scenario.settings.funding.other_revenue == grant)
    expect(page.get_by_text("Result out of date").first).to_be_visible(timeout=10_000)
    expect(page.get_by_text(re.compile(r"funding\.other_revenue: .* → "))).to_be_visible(timeout=10_000)
    page.get_by_role("button", name="Undo the last edit").click()
    wait_for(lambda: wb.scenario.settings.funding.other_revenue == grant - 100_000)
    expect(page.get_by_label("Other revenue ($/year)")).to_have_value(str(int(grant - 100_000)))   # shown again
    set_number(page, "Other revenue ($/year)", int(grant))
    wait_for(lambda: wb.scenario.settings.funding.other_revenue == grant)
    page.get_by_label("Name the next design (optional)").fill("Bigger grant")
    page.get_by_label("Name the next design (optional)").press("Enter")
    solve(page, "Bigger grant")
    expect(page.get_by_text("Result out of date")).to_have_count(0)
    open_page(page, "Compare")
    expect(page.get_by_text(re.compile(r"Bigger grant: funding\.other_revenue"))).to_be_visible(timeout=20_000)
    shoot(page, "12-named-designs")

    # an 820 px laptop: every page without sideways scroll
    page.set_viewport_size({"width": 820, "height": 1000})
    for name in PAGES:
        open_page(page, name)
        page.wait_for_timeout(400)
        assert no_sideways_scroll(page), f"{name} scrolls sideways at 820 px"
    shoot(page, "13-review-820px")
    open_page(page, "Budget")
    page.wait_for_timeout(400)
    shoot(page, "14-budget-820px")

    # the report as printed on A4 (794 px at 96 dpi): no sideways scroll, the schedule's periods down
    page.set_viewport_size({"width": 794, "height": 1123})
    page.goto(printed.as_uri())
    expect(page.get_by_text("Master schedule (periods down, teachers across)")).to_be_visible()
    assert no_sideways_scroll(page)
    shoot(page, "16-report-a4")


def test_the_solve_is_timed_out_quietly_when_nothing_is_solved(page, serve_workbench, riverside):
    """Before a solve the download buttons are off and the Review page asks for a design."""
    url, _ = serve_workbench(riverside / "riverside-middle", results=[riverside])
    page.goto(url)
    expect(page.get_by_text("Check the edits")).to_be_visible(timeout=SOLVE_TIMEOUT)
    expect(page.get_by_text("Download the Excel workbook")).to_be_disabled()
    open_page(page, "Review")
    expect(page.get_by_text("No design yet").first).to_be_visible(timeout=15_000)


def test_a_reload_keeps_the_sessions_work_and_another_browser_does_not_see_it(browser, serve_workbench,
                                                                               tutorial_copy, tmp_path, shoot):
    results = tmp_path / "results"
    results.mkdir()
    url, sessions = serve_workbench(tutorial_copy, results=[results])
    page = browser.new_context(viewport={"width": 1024, "height": 900}).new_page()
    page.goto(url)
    expect(page.get_by_text("Check the edits")).to_be_visible(timeout=30_000)
    set_number(page, "Small group: most students", 3)
    wait_for(lambda: sessions[0].scenario.settings.tutoring.max_group_size == 3)
    page.get_by_label("Name the next design (optional)").fill("Groups of three")
    page.get_by_label("Name the next design (optional)").press("Enter")
    solve(page, "Groups of three")
    kept = sessions[0].keep_folder
    assert kept.is_relative_to(results / ".workbench-sessions")
    def design_kept() -> bool:
        """The design itself is on disk, not only its name (state.json also keeps the name typed for the
        next design, which is saved before the solve ends: waiting for the name alone raced a busy machine)."""
        try:
            state = json.loads((kept / "state.json").read_text())
        except (OSError, ValueError):
            return False
        return any(d.get("label") == "Groups of three" for d in state.get("designs", []))

    wait_for(design_kept, timeout=30)
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "workbench_session")
    assert token not in str(kept)   # the folder is named by a hash: reading it gives no one the token

    page.reload()
    expect(page.get_by_text("Welcome back").first).to_be_visible(timeout=30_000)
    again = sessions[1]
    assert "Groups of three" in again.results and again.result is not None
    assert again.scenario.settings.tutoring.max_group_size == 3
    expect(page.get_by_label("Small group: most students")).to_have_value("3")
    shoot(page, "15-reload-kept-1024px")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")

    other = browser.new_context().new_page()
    other.goto(url)
    expect(other.get_by_text("Check the edits")).to_be_visible(timeout=30_000)
    assert "Groups of three" not in sessions[2].results
    assert sessions[2].scenario.settings.tutoring.max_group_size != 3
    # nor can another session open the kept design through Compare's folder box
    assert not any(".workbench-sessions" in f for f in sessions[2].result_folders())
    assert sessions[2].add_result_folder(str(kept / "design-x")) is None
