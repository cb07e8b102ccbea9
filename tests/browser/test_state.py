"""One session's state without a browser: the quick what-if path must say exactly what `workbench validate`
says, re-judge goals without touching the other pages, and keep sessions apart even though they share
one reading of the scenario folder."""

from __future__ import annotations

import shutil

import pytest

from workbench.app.state import Workbench
from workbench.goals.evaluate import evaluate_goals
from workbench.scenario import write_scenario
from workbench.scenario.validate import validate_scenario


@pytest.fixture
def session(mini_path, tmp_path):
    return Workbench([shutil.copytree(mini_path, tmp_path / "mini")])


def test_a_typed_in_word_in_a_number_column_is_named_as_validate_names_it(session, tmp_path):
    students = session.scenario.students.astype({"grade": object})
    students.loc[2, "grade"] = "seventh"
    goals = session.scenario.goals.copy()
    goals.loc[0, "student_id"] = "S99"
    session.set_table("students", students)
    session.set_table("goals", goals)
    assert session.check() is None
    write_scenario(session.scenario, tmp_path / "written")
    assert [str(p) for p in session.problems] == [str(p) for p in validate_scenario(tmp_path / "written")]
    assert any(p.file == "students.csv" and p.row == 4 and p.column == "grade" for p in session.problems)
    assert any(p.file == "goals.csv" and p.row == 2 and "S99" in p.message for p in session.problems)


def test_a_goal_what_if_is_judged_again_and_only_the_students_page_hears_of_it(session):
    from workbench.pipeline import solve_scenario

    scenario = session.scenario.with_settings(**{"solver.time_limit_s": 5})
    session.scenario = scenario
    session.result = solve_scenario(scenario)
    heard = {"result": 0, "judged": 0}
    session.param.watch(lambda e: heard.__setitem__("result", heard["result"] + 1), "result")
    session.param.watch(lambda e: heard.__setitem__("judged", heard["judged"] + 1), "judged")

    goals = session.scenario.goals.copy()
    row = goals.index[goals["goal"] == "max_class_size"][0]
    goals.loc[row, "target"] = "1"   # no class is that small: this goal can no longer be met
    session.set_table("goals", goals)
    assert session.reevaluate()
    assert heard == {"result": 0, "judged": 1}
    judged = session.result.student_goals
    expected = evaluate_goals(session.scenario, session.result)
    assert judged["met"].astype(int).tolist() == expected["met"].astype(int).tolist()
    assert int(judged.loc[row, "met"]) == 0


def test_two_sessions_on_one_folder_do_not_share_edits(mini_path, tmp_path):
    folder = shutil.copytree(mini_path, tmp_path / "mini")
    first, second = Workbench([folder]), Workbench([folder])
    staff = first.scenario.staff.copy()
    staff.loc[0, "role"] = "wizard"
    first.set_table("staff", staff)
    first.scenario.students.loc[0, "grade"] = 7   # even an in-place change stays in its own session
    assert second.scenario.staff.loc[0, "role"] != "wizard"
    assert Workbench([folder]).scenario.students.loc[0, "grade"] == 6
    assert first.check() is None and second.check() is not None


def test_no_session_registers_anything_another_session_would_redraw(mini_path):
    """Panel flips every busy indicator it knows of on any session's event, across sessions and without their
    documents' locks; an app that registered one dropped other people's table edits in a workshop."""
    import panel as pn

    from workbench.app.serve import build_app

    apps = [build_app([mini_path]) for _ in range(2)]
    assert all(app.busy_indicator is None for app in apps)
    assert pn.state._indicators == []


def test_undo_and_reset_put_the_scenario_back_and_say_what_changed(session):
    base = session.scenario.settings.funding.other_revenue
    assert session.changes() == []
    session.set_setting("funding.other_revenue", base + 5000.0)
    session.set_setting("funding.other_revenue", base + 5000.0)   # the same value again is not a second edit
    students = session.scenario.students.copy()
    students.loc[0, "ell"] = 1 - int(students.loc[0, "ell"])
    session.set_table("students", students)
    assert session.changes() == [f"funding.other_revenue: {base} → {base + 5000.0}", "students.csv: 1 row(s) changed"]
    assert session.undo() and session.changes() == [f"funding.other_revenue: {base} → {base + 5000.0}"]
    assert session.undo() and session.changes() == []
    assert not session.undo()   # nothing left to undo
    session.set_setting("funding.other_revenue", base + 1.0)
    assert session.reset() and session.changes() == []
    assert session.check() is not None


def test_the_result_is_marked_out_of_date_after_an_edit_and_a_named_design_keeps_its_name(session):
    assert session.start_solve()
    session.design_name = "Mini, as it is"
    session.wait(120)
    assert "Mini, as it is" in session.results and not session.stale
    session.set_setting("tutoring.max_group_size", 2)
    assert session.stale
    session.design_name = "Mini, as it is"
    assert session.start_solve()
    session.wait(120)
    assert "Mini, as it is (2)" in session.results and not session.stale
    assert session.changes("Mini, as it is (2)") == ["tutoring.max_group_size: 4 → 2"]


def test_requests_placed_names_the_alternates_as_summary_json_counts_them(session):
    from workbench.goals.evaluate import summary_metrics
    from workbench.goals.words import alternates_used, requests_placed_text

    assert session.start_solve()
    session.wait(120)
    pct, by_alternate = alternates_used(session.scenario, session.result)
    assert pct == summary_metrics(session.scenario, session.result)["requests_fulfilled_pct"]
    text = requests_placed_text(session.scenario, session.result)
    assert text.endswith(f"({by_alternate} met by an alternate)") if by_alternate else "(" not in text
