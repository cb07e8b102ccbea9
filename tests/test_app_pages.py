"""The app's pages without a browser: each page is a Viewer whose choices (a search, a filter, the designs
compared) are its params, shown by its widgets both ways, and back to the defaults for each new design."""

from __future__ import annotations

import shutil
from pathlib import Path

import panel as pn
import pytest

from workbench.app import pages as app_pages
from workbench.app import views
from workbench.app.serve import build_app
from workbench.app.state import Workbench

MINI = Path(__file__).resolve().parent / "data" / "mini"


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """The mini school served to one session, every page drawn, then solved once."""
    wb = Workbench([shutil.copytree(MINI, tmp_path_factory.mktemp("served") / "mini")])
    pages = {page.title: page(wb=wb) for page in app_pages.PAGES}
    drawn = {title: pn.panel(page) for title, page in pages.items()}
    for panel in drawn.values():
        panel.get_root()
    assert wb.start_solve()
    wb.wait(120)
    assert wb.result is not None, wb.status
    return wb, pages, drawn


def widget(drawn, kind, name: str):
    return next(w for w in drawn.select(kind) if w.name == name)


def test_a_search_on_the_students_page_narrows_the_goals_and_a_click_opens_that_students_plan(session):
    wb, pages, drawn = session
    students, page = pages["Students"], drawn["Students"]
    box = widget(page, pn.widgets.TextInput, "Search students")
    box.value = "S02"   # typed, then Enter
    table = page.select(pn.widgets.Tabulator)[0]
    assert students.search == "S02" and set(table.value["student_id"]) == {"S02"}
    students.show = "not met"   # every goal of the mini school is met: an empty table, not an error
    assert table.value.empty and widget(page, pn.widgets.RadioButtonGroup, "Show").value == "not met"
    students.show = "all"
    students.student = "S02"
    plans = [m.object for m in page.select(pn.pane.Markdown) if "Plan for" in str(m.object)]
    assert plans == ["### Plan for **S02**, grade 6; math level 5.0, reading level 4.2; English learner, low income"]


def test_the_schedule_narrows_to_a_course_and_a_students_week(session):
    wb, pages, drawn = session
    schedule, page = pages["Schedule"], drawn["Schedule"]
    course = str(wb.result.sections["course_id"].iloc[0])
    widget(page, pn.widgets.Select, "Course").value = course
    sections = int((wb.result.sections["course_id"] == course).sum())
    assert schedule.course == course
    assert any(f"Period × teacher ({sections} sections)" in str(m.object) for m in page.select(pn.pane.Markdown))
    schedule.student = "S01"
    assert any("S01's week" in str(m.object) for m in page.select(pn.pane.Markdown))


def test_a_new_design_opens_every_page_unfiltered_and_compare_picks_the_last_two(session):
    wb, pages, drawn = session
    pages["Students"].search, pages["Schedule"].teacher = "S03", str(wb.result.sections["staff_id"].iloc[0])
    assert wb.start_solve()
    wb.wait(120)
    assert (pages["Students"].search, pages["Students"].student, pages["Schedule"].teacher) == ("", "", views.ALL)
    assert widget(drawn["Students"], pn.widgets.TextInput, "Search students").value == ""
    compare = pages["Compare"]
    assert compare.designs == list(wb.results)[-2:]
    compare.designs = compare.designs[:1]
    assert any("Pick two or more designs" in str(a.object) for a in drawn["Compare"].select(pn.pane.Alert))


def test_the_app_shows_one_tab_a_page_in_the_order_of_the_page_list(mini_path):
    tabs = next(o for o in build_app([mini_path]).main if isinstance(o, pn.Tabs))
    assert tabs._names == [page.title for page in app_pages.PAGES]
    assert tabs._names[:2] == ["Scenario", "Staffing"] and tabs._names[-1] == "Review"


def test_the_teachers_page_narrows_to_a_leaders_team_and_to_those_on_none(mini):
    """Hand-made design A with T01 promoted to multi-classroom leader and T02 and T03 on her team."""
    from types import SimpleNamespace

    from handmade import design

    from workbench.app.teachers_page import ALL, NO_TEAM, shown_rows, teachers_table, team_options

    made = design(mini)
    made.staffing.loc[made.staffing["staff_id"] == "T01", "role"] = "mcl"
    made.staffing.loc[made.staffing["staff_id"].isin(["T02", "T03"]), "leader_id"] = "T01"
    table = teachers_table(SimpleNamespace(made_from={}, scenario=mini), made)
    assert team_options(table) == {"every teacher": ALL, "T01's team": "T01", "teachers on no team": NO_TEAM}
    assert list(shown_rows(table, ALL, "T01")["staff_id"]) == ["T01", "T02", "T03"]
    assert list(shown_rows(table, ALL, NO_TEAM)["staff_id"]) == ["T04"]
    assert list(shown_rows(table, "mcl", ALL)["staff_id"]) == ["T01"]
    assert shown_rows(table, "mcl", NO_TEAM).empty


def test_the_compare_page_shows_what_each_design_asks_of_the_teachers_beside_the_students(session):
    wb, _, _ = session
    shown = views.comparison(wb, [("first", wb.result), ("again", wb.result)])
    assert any("What each design asks of the teachers" in str(m.object) for m in shown.select(pn.pane.Markdown))
    tables = [t.value for t in shown.select(pn.widgets.Tabulator)]
    adults = next(t for t in tables if "least planning min/week" in t.columns)
    assert list(adults["design"]) == ["first", "again"]
    assert adults["least planning min/week"].iloc[0] == adults["least planning min/week"].iloc[1] > 0
