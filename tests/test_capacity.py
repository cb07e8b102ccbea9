"""A promotion never throws goals away (issue 20, field case `mcl-capacity`).

Promoting a teacher to multi-classroom leader lowers the sections she may teach. Before, the schedule kept every
section with the teacher the staffing plan gave it, so the only Visual Art section of the tutorial landed with a
teacher whose free periods were all periods its students were busy: nobody sat in it, it was closed, seven
course goals were lost and the design was called "optimal", although another teacher had room in the one period
the students were free. Now the schedule hands such a section to a certified teacher with room, and a design is
called optimal only when every step proved its part."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from workbench.pipeline import solve_scenario
from workbench.plan.schedule import build_schedule
from workbench.plan.staffing import StaffingOptions, capacity_short_goals, plan_staffing
from workbench.results.check import check_rules
from workbench.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "tests" / "data" / "field-cases" / "mcl-capacity"
TUTORIAL = ROOT / "scenarios" / "tutorial"
BUNDLED = sorted(p for p in (ROOT / "scenarios").iterdir() if (p / "scenario.yaml").exists())
# what a reason says when a goal was lost because something ran out: seats, groups, sections, money
CAPACITY_WORDS = re.compile(r"full|capacity|no room|as many sections as|may teach|budget|hiring limit", re.I)


def leader_role(scenario) -> str:
    """The cheapest role that teaches and leads a team (reach above 0): what the staffing step promotes to."""
    roles = scenario.roles.set_index("role")
    leads = roles.index[(roles["reach"] > 0) & (roles["teaches_sections"] == 1)]
    return min(leads, key=lambda r: roles.at[r, "annual_cost"])


def promote(scenario, staff_id: str, funded: bool = False):
    """The scenario with one teacher made a team leader; `funded`: the district pays the leader's supplement
    (other_revenue rises by it), so that only the teacher's lower section limit changes."""
    out = scenario.copy()
    roles = out.roles.set_index("role")
    lead = leader_role(out)
    row = out.staff[out.staff["staff_id"] == staff_id].iloc[0]
    out.staff.loc[out.staff["staff_id"] == staff_id, "role"] = lead
    if funded:
        supplement = (roles.at[lead, "annual_cost"] - roles.at[row["role"], "annual_cost"]) * float(row["fte"])
        out = out.with_settings(**{"funding.other_revenue": out.settings.funding.other_revenue + supplement})
    return out


def strongest_teacher(scenario) -> str:
    """The most effective staff member who teaches sections and leads nobody (the first by ID on a tie)."""
    staff = scenario.staff.merge(scenario.roles[["role", "teaches_sections", "reach"]], on="role")
    staff = staff[(staff["teaches_sections"] == 1) & (staff["reach"] == 0)]
    rated = staff.assign(eff=pd.to_numeric(staff["effectiveness"], errors="coerce").fillna(0.0))
    return rated.sort_values(["eff", "staff_id"], ascending=[False, True])["staff_id"].iloc[0]


def sections_taught(result) -> dict[str, int]:
    return result.sections["staff_id"].astype(str).value_counts().to_dict()


@pytest.fixture(scope="module")
def field_case():
    scenario = load_scenario(CASE)
    return scenario, solve_scenario(scenario)


def test_the_tutorial_with_a_multi_classroom_leader_meets_every_goal(field_case):
    # EXPECTED.txt: every goal met, as in the base design, in a design that passes `workbench check`
    scenario, result = field_case
    assert check_rules(scenario, result) == []
    goals = result.student_goals
    assert goals["met"].all(), goals.loc[goals["met"] == 0, ["student_id", "target", "reason"]].to_string()
    assert result.summary["metrics"]["goals_met_pct"] == 100.0
    # the art students sit in Visual Art, taught by someone certified in art
    art = result.sections[result.sections["course_id"] == "ART"]
    assert len(art) == 1
    seated = result.enrollments[result.enrollments["section_id"].isin(art["section_id"])]
    assert len(seated) >= 7
    # at the same cost: nobody hired to make room, and the leader teaches no more than a leader may
    assert result.summary["phases"]["staffing"]["hires"] == {}
    assert sections_taught(result).get("T002", 0) <= 2
    # every step proved its part, so the claim of optimal is earned
    assert set(result.summary["phase_status"].values()) == {"optimal"}
    assert result.summary["status"] == "optimal"


@pytest.mark.parametrize("teacher, course, relieved", [("T003", "SPAN", False), ("T001", "SPAN", True)])
def test_another_promotion_hands_the_stranded_elective_to_a_teacher_with_room(teacher, course, relieved):
    # a second case of the kind: promote T003 instead, or T001, where the only teacher free in the students'
    # period has no room until one of her sections passes, where it is, to a teacher who has; before, seven
    # Spanish goals were lost in each
    base = load_scenario(TUTORIAL)
    school = promote(base, teacher)
    result = solve_scenario(school)
    assert check_rules(school, result) == []
    goals = result.student_goals
    named = goals[(goals["goal"] == "course") & (goals["target"] == course)]
    assert len(named) >= 7 and named["met"].all(), named[["student_id", "reason"]].to_string()
    assert goals["met"].all()
    cap = int(school.roles.set_index("role").at[leader_role(school), "max_sections"])
    assert sections_taught(result).get(teacher, 0) <= cap
    handed = result.summary["phases"]["schedule"]["phases"]["handoff"]
    moves = [h for h in handed["handed"] if h.startswith(f"{course}-")]
    assert handed["kept"] and moves
    assert ("in its period" in moves[0]) == relieved


def test_a_design_that_leaves_schedule_goals_unmet_is_never_called_optimal():
    # promoting T004 leaves the math and science teachers exactly the sections they must teach: the schedule's
    # heuristics place every required course but leave some named electives out, so nothing is proven
    school = promote(load_scenario(TUTORIAL), "T004")
    result = solve_scenario(school)
    assert check_rules(school, result) == []
    goals = result.student_goals
    unmet = goals[goals["goal"].isin(["course", "max_class_size", "strong_teacher"]) & (goals["met"] == 0)]
    assert len(unmet), "the story's premise: some named electives stay out (pick another example if not)"
    assert result.summary["metrics"]["required_fulfilled_pct"] == 100.0
    assert result.summary["phase_status"]["schedule"] == "feasible"
    assert result.summary["status"] == "feasible"
    # and the reason names the capacity where it ran out: computer science's two teachers are both at their limit
    tech = unmet[unmet["target"] == "TECH"]
    assert tech["reason"].str.contains("every teacher certified in computer_science teaches as many sections").all()
    # handed back to staffing, which finds no more room within the budget, and says so
    handback = result.summary["phases"]["capacity_handback"]
    assert handback["course_goals_short"] == len(tech) and not handback["kept"]
    assert "no more room fits the budget" in handback["summary"]


# Known and open (issue 13): on the A/B block school the promotion re-forms the leaders' teams, and one student
# (S1089) loses her `leader` math goal: no GEOM section is taught on a team any more, and her reason does not say
# it is a team's capacity. (The two students who lost CERAM keep it since staffing counts a block school's
# periods once per day type.) Strict: the day staffing or the schedule fixes it, this test says so.
A_B_LOSES_CERAM = pytest.mark.xfail(strict=True, reason="A/B block: promotion re-forms the teams (issue 13)")


@pytest.mark.slow
@pytest.mark.parametrize("folder", [pytest.param(p, marks=A_B_LOSES_CERAM) if p.name == "eastside-ab-high" else p
                                    for p in BUNDLED], ids=[p.name for p in BUNDLED])
def test_promoting_one_teacher_loses_no_goal_unless_a_capacity_ran_out(folder):
    # each bundled school: its strongest teacher made a team leader, the supplement funded by the district
    school = load_scenario(folder)
    before = solve_scenario(school)
    teacher = strongest_teacher(school)
    promoted = promote(school, teacher, funded=True)
    after = solve_scenario(promoted)
    assert check_rules(promoted, after) == []
    cap = int(school.roles.set_index("role").at[leader_role(school), "max_sections"])
    assert sections_taught(after).get(teacher, 0) <= cap
    was, now = before.student_goals, after.student_goals
    lost = now[(was["met"] == 1).to_numpy() & (now["met"] == 0).to_numpy()]
    unexplained = lost[~lost["reason"].astype(str).str.contains(CAPACITY_WORDS)]
    assert unexplained.empty, (f"promoting {teacher} lost goals the unpromoted design met, for no capacity:\n"
                               + unexplained[["student_id", "goal", "target", "reason"]].to_string())


@pytest.mark.parametrize("more_money, room", [(40000.0, True), (0.0, False)])
def test_the_schedule_hands_its_bottleneck_back_to_staffing(more_money, room):
    # with T004 leading a team, computer science's two teachers teach exactly the sections the school needs,
    # and the schedule loses two TECH goals for want of a teacher with room; told so, staffing finds a section of
    # room in computer science when the money allows (a science resident frees a science teacher), and says
    # plainly when it does not
    school = promote(load_scenario(TUTORIAL), "T004")
    school = school.with_settings(**{"funding.other_revenue": school.settings.funding.other_revenue + more_money})
    first = plan_staffing(school)
    schedule = build_schedule(school, first.staffing)
    short = capacity_short_goals(school, first.staffing, schedule.sections, schedule.enrollments)
    assert short and {course for _student, course in short} == {"TECH"}
    again = plan_staffing(school, options=StaffingOptions(capacity_short=short))
    needs = again.extra["staffing_needs"].set_index("subject").loc["computer_science"]
    staffed = int(needs["by_existing_staff"] + needs["by_new_hires"])
    outlook = again.extra["goal_outlook"]
    named = outlook[(outlook["goal"] == "course") & outlook["student_id"].isin([s for s, _c in short])
                    & (outlook["target"] == "TECH")]
    assert (staffed > int(needs["sections_needed"])) == room
    assert (named["reachable"] == int(room)).all()
    if room:
        assert again.stats["hires"] and again.stats["balance"] >= 0
    else:
        assert again.staffing.equals(first.staffing)
        assert named["note"].str.contains("every teacher certified in computer_science teaches as many").all()
