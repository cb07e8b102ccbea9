"""Master schedule and student sectioning (issue 3).

The problem is decomposed, as schools that schedule well do it (see SCHEDULING-NOTES): a 3-index
student × course × period model does not close, but each step below solves in seconds.

1. `sections`: named pre-checks, then sections per course and a teacher for each (small MIP);
2. `periods`: a period for each section against the course-conflict matrix (MIP), then rooms;
3. `students`: students into sections with sections fixed (MIP over aggregated groups);
4. `improve`: local search within a budget of work: student repair with ejection chains, section
   moves and swaps, each kept only when more requests are placed;
5. `goals`: an inclusion section per course for class-size goals (goal students re-timed in,
   classmates re-timed out), students re-seated per course for class-size and strong-teacher goals,
   sections moved to periods where an unmet class-size student is free, and students given the elective they
   named as a course goal where an alternate stood in for it;
   then `handoff`: a section that students who lack its course cannot reach goes to a certified teacher
   with room (fewer sections than they may teach, after a promotion say) in a period they are free: capacity
   the staffing step counted, handed to the schedule (issue 20); then `openings`: one more section of a course
   opened where its requesters are free, or of the singleton that keeps them from it (sections are decisions,
   issue 17, field case c10b-no-alternates), within teachers' section limits and free rooms;
6. `balance`: teachers' runs of more than 3 periods broken and section sizes balanced (UniTime's
   "sections off balance by 10%"), never at a request's or a goal's cost.

The greedy spreadsheet method (`greedy`, exactly the benchmark's baseline, and once more on the
optimised teacher plan) runs first; its result is the floor and the local search's first start, so the
workbench never returns a schedule that places fewer requests than it. The MIP rounds (periods re-weighted
towards the pairs of courses that left students unplaced) give further starts while work remains. Work stops
as soon as every request is placed: small schools finish in about a second.

Every pass is bounded by work, never by the clock (issue 11: the same scenario gave different designs on a
busy machine): the local search, goal and balance passes by a `Budget` that grows with the school (courses
matched into timetables per request or per student), each MIP by its node or solution limit, and every random
choice comes from the scenario's seed. The same scenario and seed therefore give the same schedule on an idle or
a loaded machine. `solver.time_limit_s` is only a safety cap on the whole step: a pass or MIP stopped by it says
so in the stats (`stopped_by: "time cap"`), the step's status is then `feasible`, and the cap is listed in
summary.json `stopped_by_time_cap`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd

from workbench.plan.schedule.balance import polish
from workbench.plan.schedule.bound import requests_bound
from workbench.plan.schedule.common import Budget, placement_metrics, request_table, score
from workbench.plan.schedule.goals import goal_counts, improve_goals
from workbench.plan.schedule.greedy import SECTION_COLUMNS, greedy_schedule, greedy_students
from workbench.plan.schedule.handoff import hand_over_sections
from workbench.plan.schedule.improve import Placement
from workbench.plan.schedule.openings import open_sections
from workbench.plan.schedule.periods import assign_periods, assign_rooms, conflict_matrix
from workbench.plan.schedule.sections import assign_teachers, build_catalog, run_prechecks
from workbench.plan.schedule.students import goals_met, place_students, schedule_goals, section_caps
from workbench.plan.solver import TIME_CAP, SolveOutcome, record_time_cap
from workbench.progress import SILENT, Reporter
from workbench.scenario.model import Scenario
from workbench.scenario.summary import overload_sentence, overloaded_students


@dataclass
class SchedulePlan:
    sections: pd.DataFrame       # SPEC sections.csv
    enrollments: pd.DataFrame    # SPEC enrollments.csv
    status: str = "optimal"
    stats: dict = field(default_factory=dict)   # requests placed, bound / gap, phase timings
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)


MAX_ROUNDS = 3
MAX_STUDENT_MIP_VARS = 15_000
# The goal-polishing student MIP on the final periods only where it solves in seconds (small schools).
FINAL_MIP_VARS = 4_000
# Work budgets, in courses matched into a student's timetable (`Placement.work`; a small MIP counts its
# variables), growing with the school: a base plus so much per request or per student. Measured with
# benchmarks/determinism.py: the bundled schools' request search ends (every request placed) within 10,000;
# a 600-student full-load school with tight seats ends by patience after 2.1 million, a 1,200-student one
# after 1.9 million (each about 30 s); on a 5,000-student school the goal pass ends by itself after about 40
# per student and the balance pass after about 20. The budgets leave room above all of these, so they bind
# only on a school harder than any measured, and there they stop it at the same point on every machine.
SEARCH_WORK_BASE = 2_000_000
SEARCH_WORK_PER_REQUEST = 60
# Share of the request search's work the first search (on the greedy schedule) may use when MIP rounds may
# follow; the rounds run while a quarter of it is left.
IMPROVE_SHARE = 0.4
ROUNDS_WHILE_LEFT = 0.25
GOAL_WORK_BASE, GOAL_WORK_PER_STUDENT = 20_000, 100
BALANCE_WORK_BASE, BALANCE_WORK_PER_STUDENT = 20_000, 60
HANDOFF_WORK_BASE, HANDOFF_WORK_PER_STUDENT = 20_000, 40
OPENINGS_WORK_BASE, OPENINGS_WORK_PER_STUDENT = 20_000, 40


def build_schedule(scenario: Scenario, staffing: pd.DataFrame, reporter: Reporter = SILENT) -> SchedulePlan:
    """Sections, teachers, periods, rooms and every student's classes, the best found within the time limit.

    Raises InfeasibleDesign (with sentences naming courses, teachers and rooms) when required sections
    cannot be staffed or housed, or pins clash. Unplaceable requests are not infeasible: they are reported
    in `stats` and, per student, by the goals step."""
    start = time.perf_counter()
    limit = float(scenario.settings.solver.time_limit_s)
    phases: dict[str, dict] = {}
    reporter.report("schedule", "Checking that teachers and rooms can cover the required sections", 0.0)
    catalog = build_catalog(scenario, staffing)
    run_prechecks(scenario, catalog)
    goals = schedule_goals(scenario)

    reporter.report("schedule", "Deciding how many sections each course runs and who teaches them", 0.05)
    cap_at = start + limit   # the safety cap on the whole step; the passes below stop on work long before
    capped: list[str] = []   # passes and MIPs the cap stopped (their result depends on the machine's load)
    t0 = time.perf_counter()
    plan = assign_teachers(scenario, catalog, goals.strong, limit, goals.max_size)
    phases["teachers"] = {"solve_s": round(time.perf_counter() - t0, 3), "sections": len(plan)}
    reporter.check_cancel()

    reporter.report("schedule", "Greedy baseline: course by course, student by student", 0.1)
    # The benchmark's baseline (greedy teachers too) and the greedy on the optimised teachers: the better
    # one is the floor and the local search's starting point.
    def measure(sections, enroll) -> dict:
        return {**placement_metrics(scenario, sections, enroll),
                "schedule_goals_met": goals_met(sections, enroll, catalog.teachers, goals)}

    greedy = [greedy_schedule(scenario, staffing, plan=p, catalog=catalog) for p in (None, plan)]
    g_sections, g_enroll, g_stats = max(greedy, key=lambda g: score(g[2]))
    g_stats = {**g_stats, **measure(g_sections, g_enroll)}
    phases["greedy"] = g_stats
    best = (score(g_stats), g_sections, g_enroll, "greedy", g_stats)
    reporter.report("schedule", f"Greedy places {g_stats['requests_placed_pct']}% of requests", 0.15,
                    incumbent=g_stats["requests_placed"])
    reporter.check_cancel()
    has_goals = not (goals.max_size.empty and goals.strong.empty) or _has_course_goals(scenario)
    seed = int(scenario.settings.solver.seed)
    requests = request_table(scenario)
    course_goals = _course_goal_pairs(scenario, requests)
    search_total = SEARCH_WORK_BASE + SEARCH_WORK_PER_REQUEST * len(requests)
    search_left = search_total
    g_size = int(requests.merge(g_sections[["course_id", "period"]].drop_duplicates(), on="course_id").shape[0])
    # On large schools the period MIP does not close and gave worse starts than the greedy periods: the
    # work is better spent on the local search from the best schedule.
    rounds = MAX_ROUNDS if g_size <= MAX_STUDENT_MIP_VARS else 0

    def seconds_left() -> float:
        return max(1.0, cap_at - time.perf_counter())

    def note_mip(label: str, outcome: SolveOutcome) -> None:
        if outcome.stopped_by == TIME_CAP:
            capped.append(label)

    def improve(label, sections, enroll, units):
        """Student repair then section moves on one schedule, within `units` of the request search's work;
        keep it if it beats the best so far."""
        nonlocal best, search_left
        t1 = time.perf_counter()
        state = Placement(scenario, sections, enroll, catalog, seed=seed, tick=reporter.check_cancel)
        budget = Budget(label, lambda s=state: s.work, units, cap_at)
        state.repair(budget)
        info = state.search(budget)
        search_left -= budget.used()
        if budget.stopped_by == TIME_CAP:
            capped.append(label)
        sections, enroll = state.result()
        metrics = measure(sections, enroll)
        phases[label] = {**info, **budget.info(), "solve_s": round(time.perf_counter() - t1, 3),
                         "metrics": metrics}
        if score(metrics) > best[0]:
            best = (score(metrics), sections, enroll, label, metrics)
        reporter.report("schedule", f"Improved: {best[4]['requests_placed_pct']}% of requests placed",
                        None, incumbent=best[4]["requests_placed"])
        reporter.check_cancel()

    def complete() -> bool:
        return best[4]["requests_placed"] == best[4]["requests"]

    reporter.report("schedule", "Moving students and sections to place what the greedy method left", 0.2)
    setup_s = time.perf_counter() - start   # pre-checks, teacher MIP, both greedy schedules
    improve("greedy+search", g_sections, g_enroll, IMPROVE_SHARE * search_total if rounds else search_total)

    conflicts = conflict_matrix(requests)
    previous = None
    bound = None
    for rnd in range(rounds):
        if complete() or search_left < ROUNDS_WHILE_LEFT * search_total:
            break
        if cap_at - time.perf_counter() < ROUNDS_WHILE_LEFT * limit:
            # the work allows another round but the clock is near its cap (a very busy machine): stop, and say so
            capped.append(f"round{rnd + 1}")
            record_time_cap(f"schedule: round{rnd + 1}")
            break
        reporter.report("schedule", f"Round {rnd + 1}: giving each section a period", 0.3 + 0.2 * rnd)
        periods, p_out = assign_periods(scenario, catalog, plan, conflicts, seconds_left(), previous)
        note_mip(f"round{rnd + 1}: periods", p_out)
        reporter.check_cancel()
        if periods is None:   # stopped before any periods were found: the schedule so far stands
            phases[f"round{rnd + 1}"] = {"periods": _mip_stats(p_out)}
            break
        sections = plan.assign(period=periods)
        sections["room_id"] = assign_rooms(sections, catalog)
        sections["cap"] = section_caps(sections, scenario)
        reporter.report("schedule", f"Round {rnd + 1}: placing students into sections", 0.35 + 0.2 * rnd)
        size = int(requests.merge(sections[["course_id", "period"]].drop_duplicates(), on="course_id").shape[0])
        if size <= MAX_STUDENT_MIP_VARS:
            enroll, s_out = place_students(scenario, sections, catalog.teachers, goals, seconds_left())
            note_mip(f"round{rnd + 1}: students", s_out)
        else:
            # HiGHS was seen to overrun its time limit without a solution on models this size:
            # place students greedily on the optimised periods; the local search does the rest.
            t1 = time.perf_counter()
            enroll = greedy_students(scenario, sections)
            s_out = SolveOutcome("feasible", None, None, 0.0, time.perf_counter() - t1)
        reporter.check_cancel()
        phases[f"round{rnd + 1}"] = {
            "periods": _mip_stats(p_out),
            "students": {**_mip_stats(s_out), "objective": s_out.objective, "bound": s_out.bound},
        }
        if not s_out.has_design:
            enroll = greedy_students(scenario, sections)
        metrics = measure(sections, enroll)
        phases[f"round{rnd + 1}"]["metrics"] = metrics
        if bound is None and s_out.bound is not None:
            bound = s_out.bound
        if score(metrics) > best[0]:
            best = (score(metrics), sections, enroll, f"round{rnd + 1}", metrics)
        reporter.report("schedule", f"Round {rnd + 1}: {metrics['requests_placed_pct']}% of requests placed",
                        0.4 + 0.2 * rnd, incumbent=best[4]["requests_placed"])
        if not complete():
            improve(f"round{rnd + 1}+search", sections, enroll, 0.5 * search_left)
        previous = periods
        conflicts = conflict_matrix(requests, _boost_unplaced(requests, sections, enroll))

    if not complete() and search_left > 0:
        improve("final-search", best[1], best[2], search_left)

    # With the best sections fixed, the student MIP (where it is small enough) re-places students for their
    # goals (class size, strong teacher) and proves how many requests these periods can hold at most.
    b_sections = best[1]
    size = int(requests.merge(b_sections[["course_id", "period"]].drop_duplicates(), on="course_id").shape[0])
    if not best[3].startswith("round") or best[3].endswith("search"):
        if size <= FINAL_MIP_VARS:
            reporter.report("schedule", "Placing students for their goals on the best periods", 0.95)
            enroll, s_out = place_students(scenario, b_sections, catalog.teachers, goals, seconds_left())
            note_mip("final-students", s_out)
            phases["final-students"] = {**_mip_stats(s_out), "objective": s_out.objective, "bound": s_out.bound}
            if s_out.status in ("optimal", "feasible"):
                bound = s_out.bound
                metrics = measure(b_sections, enroll)
                if score(metrics) > best[0]:
                    best = (score(metrics), b_sections, enroll, best[3] + "+students", metrics)

    # Goal pass: with sections and every student's courses fixed, re-seat students within each course for
    # their class-size and strong-teacher goals (one MIP per course). Requests placed cannot drop.
    n_students = len(scenario.students)
    if has_goals:
        reporter.report("schedule", "Seating students for their goals: class size, strong teacher, named courses", 0.97)
        t1 = time.perf_counter()
        state = Placement(scenario, best[1], best[2], catalog, seed=seed, tick=reporter.check_cancel)
        budget = Budget("goals", lambda s=state: s.work, GOAL_WORK_BASE + GOAL_WORK_PER_STUDENT * n_students, cap_at)
        goals_before = goal_counts(state, catalog.teachers, goals)
        info = improve_goals(state, catalog.teachers, goals, scenario, budget, tick=reporter.check_cancel)
        if budget.stopped_by == TIME_CAP:
            capped.append("goals")
        goals_after = goal_counts(state, catalog.teachers, goals)
        before_placed = best[4]["requests_placed"]
        g_sec, g_enr = state.result()
        g_metrics = measure(g_sec, g_enr)
        # judged on whole goals, as the goal table does: a class made small for a student whose goal covers
        # every class (and stays unmet for PE) may go to a student whose goal it meets
        kept = (g_metrics["requests_placed"] >= best[4]["requests_placed"]
                and g_metrics["required_placed"] >= best[4]["required_placed"]
                and _goals_total(goals_after) >= _goals_total(goals_before)
                and _keeps_rules(scenario, staffing, g_sec, g_enr, phases, "goals"))
        if kept:
            best = (score(g_metrics), g_sec, g_enr, best[3] + "+goals", g_metrics)
        else:
            goals_after = goals_before
        phases["goals"] = {**info, "kept": kept, "requests_placed_before": before_placed,
                           "requests_placed_after": g_metrics["requests_placed"],
                           "goals_after_pass": goals_after, "total_s": round(time.perf_counter() - t1, 3)}
        goal_stats = {"goals_before": goals_before, "goals_after": goals_after}
    else:
        goal_stats = {}

    # Capacity handed back, after the goal pass so that it starts from the seats that meet goals: a section
    # nobody who lacks its course can reach goes to a certified teacher with room, in a period those students
    # are free (handoff.py); kept only when a request or a goal is gained and nothing is lost.
    if not _all_placed_directly(best[1], best[2], requests, course_goals):
        t1 = time.perf_counter()
        state = Placement(scenario, best[1], best[2], catalog, seed=seed, tick=reporter.check_cancel)
        budget = Budget("handoff", lambda s=state: s.work, HANDOFF_WORK_BASE + HANDOFF_WORK_PER_STUDENT
                        * n_students, cap_at)
        info = hand_over_sections(state, catalog.teachers, goals, budget, tick=reporter.check_cancel)
        if budget.stopped_by == TIME_CAP:
            capped.append("handoff")
        h_sec, h_enr = state.result()
        h_metrics = measure(h_sec, h_enr)
        info["kept"] = bool(info["kept"]) and (
            h_metrics["requests_placed"] >= best[4]["requests_placed"]
            and h_metrics["required_placed"] >= best[4]["required_placed"]
            and _keeps_rules(scenario, staffing, h_sec, h_enr, phases, "handoff"))
        if info["kept"]:
            best = (score(h_metrics), h_sec, h_enr, best[3] + "+handoff", h_metrics)
            if has_goals:
                goal_stats["goals_after"] = goal_counts(state, catalog.teachers, goals)
        phases["handoff"] = {**info, "total_s": round(time.perf_counter() - t1, 3)}

    # Sections are decisions: one more section opened where a course's requesters, or the students another
    # course keeps from it, are free (openings.py); kept only when more requests are placed and no rule breaks.
    if not complete():
        best = _open_sections(scenario, staffing, catalog, best, phases, capped, cap_at, seed, reporter,
                              has_goals, goal_stats, goals, measure)

    # Softest: teachers' runs of classes broken up and section sizes balanced, never at a request's or a
    # goal's cost (balance.py).
    reporter.report("schedule", "Balancing class sizes and spreading teachers' classes over the day", 0.98)
    t1 = time.perf_counter()
    state = Placement(scenario, best[1], best[2], catalog, seed=seed, tick=reporter.check_cancel)
    budget = Budget("balance", lambda s=state: s.work, BALANCE_WORK_BASE + BALANCE_WORK_PER_STUDENT * n_students,
                    cap_at)
    soft = polish(state, scenario, catalog.teachers, goals, budget)
    if budget.stopped_by == TIME_CAP:
        capped.append("balance")
    b_sec, b_enr = state.result()
    b_metrics = measure(b_sec, b_enr)
    soft["kept"] = (b_metrics["requests_placed"] >= best[4]["requests_placed"]
                    and b_metrics["required_placed"] >= best[4]["required_placed"]
                    and b_metrics["schedule_goals_met"] >= best[4]["schedule_goals_met"]
                    and (not has_goals or _goals_total(goal_counts(state, catalog.teachers, goals))
                         >= _goals_total(goal_stats["goals_after"]))
                    and _keeps_rules(scenario, staffing, b_sec, b_enr, phases, "balance"))
    if soft["kept"]:
        best = (score(b_metrics), b_sec, b_enr, best[3] + "+balance", b_metrics)
        if has_goals:
            goal_stats["goals_after"] = goal_counts(state, catalog.teachers, goals)
    soft["total_s"] = round(time.perf_counter() - t1, 3)
    phases["balance"] = soft

    _, sections, enroll, source, metrics = best
    metrics = {**metrics, **goal_stats, "balance_before": soft["before"],
               "balance_after": soft["after"] if soft["kept"] else soft["before"]}
    # The bound over every timetable this staff could run (bound.py). The passes are heuristics: the step
    # proves its schedule optimal only when nothing is left to gain: every request placed, or placed up to that
    # bound, every goal it serves (course, class size, strong teacher) met, and the clock, not the work, ended
    # no pass. Anything short of that is a good design, not a proven one (issues 17 and 20).
    school = requests_bound(scenario, catalog)
    phases["requests_bound"] = {"kind": school.kind, "per_student": school.per_student, "solve_s": school.solve_s}
    every_goal = all(v["met"] >= v["of"] for v in goal_stats.get("goals_after", {}).values())
    requests_done = complete() or metrics["requests_placed"] >= school.value
    status = "optimal" if requests_done and every_goal and not capped else "feasible"
    # An upper bound every placement on these periods obeys (seats ignored): conditional on this timetable.
    reachable = Placement(scenario, sections, enroll.iloc[:0], catalog).period_bound()
    stats = {**metrics, "source": source, "student_bound": bound, "phases": phases,
             "stopped_by_time_cap": capped, "requests_bound": school.value, "requests_bound_kind": school.kind,
             "requests_bound_on_these_periods": reachable,
             "requests_gap_pct": round(100.0 * (school.value - metrics["requests_placed"]) / max(1, school.value), 3),
             # build: everything before the first search (pre-checks, teacher MIP, greedy) plus MIP model builds
             "build_s": round(setup_s + sum(r.get("periods", {}).get("build_s", 0)
                                            + r.get("students", {}).get("build_s", 0)
                                            for r in phases.values() if isinstance(r, dict)), 3),
             "total_s": round(time.perf_counter() - start, 3)}
    if bound is not None:
        stats["bound_requests_weighted"] = bound
    reporter.report("schedule", f"Schedule ready: {metrics['requests_placed_pct']}% of requests, "
                    f"{metrics['required_placed_pct']}% of required courses placed", 1.0)
    sections, closed = close_empty_sections(scenario, sections, enroll)
    stats["closed_empty_sections"] = closed
    out_sections = sections[SECTION_COLUMNS].sort_values("section_id").reset_index(drop=True)
    out_sections["period"] = out_sections["period"].astype(int)
    return SchedulePlan(out_sections, enroll.sort_values(["student_id", "section_id"]).reset_index(drop=True),
                        status=status, stats=stats, extra={"unplaced_requests": unplaced_requests(
                            scenario, sections, enroll)})


def _open_sections(scenario, staffing, catalog, best, phases, capped, cap_at, seed, reporter, has_goals,
                   goal_stats, goals, measure) -> tuple:
    """The openings pass on the best schedule (openings.py): its result when it places more requests, loses no
    required course or schedule goal and the independent checker finds no breach; else `best` unchanged."""
    t1 = time.perf_counter()
    state = Placement(scenario, best[1], best[2], catalog, seed=seed, tick=reporter.check_cancel)
    budget = Budget("openings", lambda s=state: s.work, OPENINGS_WORK_BASE + OPENINGS_WORK_PER_STUDENT
                    * len(scenario.students), cap_at)
    sizes = catalog.courses["max_size"].astype(int).to_dict()
    info = open_sections(state, sizes, budget, tick=reporter.check_cancel)
    if budget.stopped_by == TIME_CAP:
        capped.append("openings")
    o_sec, o_enr = state.result()
    o_metrics = measure(o_sec, o_enr)
    goals_after = goal_counts(state, catalog.teachers, goals) if has_goals else {}
    info["kept"] = bool(info["kept"]) and (
        o_metrics["requests_placed"] > best[4]["requests_placed"]
        and o_metrics["required_placed"] >= best[4]["required_placed"]
        and o_metrics["schedule_goals_met"] >= best[4]["schedule_goals_met"]
        and (not has_goals or _goals_total(goals_after) >= _goals_total(goal_stats["goals_after"]))
        and _keeps_rules(scenario, staffing, o_sec, o_enr, phases, "openings"))
    if not info["kept"]:
        return best   # nothing to say in the stats: a school the pass does not change keeps its summary.json
    phases["openings"] = {**info, "total_s": round(time.perf_counter() - t1, 3)}
    if has_goals:
        goal_stats["goals_after"] = goals_after
    return (score(o_metrics), o_sec, o_enr, best[3] + "+openings", o_metrics)


def _mip_stats(outcome: SolveOutcome) -> dict:
    """A MIP's outcome for the stats: status, times, gap, nodes and, when a limit stopped it, which."""
    out = {"status": outcome.status, "build_s": round(outcome.build_s, 3), "solve_s": round(outcome.solve_s, 3),
           "gap": outcome.gap, "nodes": outcome.nodes}
    if outcome.stopped_by is not None:
        out["stopped_by"] = outcome.stopped_by
    return out


def _course_goal_pairs(scenario: Scenario, requests: pd.DataFrame) -> set[tuple[str, str]]:
    """(student, course) of every course goal on a course the student requested."""
    goals = scenario.goals
    if goals is None or goals.empty or "goal" not in goals:
        return set()
    named = goals[goals["goal"].astype(str).str.strip() == "course"]
    pairs = set(zip(named["student_id"].astype(str), named["target"].astype(str).str.strip(), strict=True))
    return pairs & set(zip(requests["student_id"].astype(str), requests["course_id"].astype(str), strict=True))


def _placed_pairs(sections: pd.DataFrame, enroll: pd.DataFrame) -> set[tuple[str, str]]:
    course_of = dict(zip(sections["section_id"].astype(str), sections["course_id"].astype(str), strict=True))
    return set(zip(enroll["student_id"].astype(str), enroll["section_id"].astype(str).map(course_of), strict=True))


def _all_placed_directly(sections: pd.DataFrame, enroll: pd.DataFrame, requests: pd.DataFrame,
                         course_goals: set[tuple[str, str]]) -> bool:
    """Every required and elective request, and every course goal, has its own course (no alternate standing
    in): then no section needs handing to another teacher."""
    wanted = requests[requests["priority"] < 3]
    pairs = set(zip(wanted["student_id"].astype(str), wanted["course_id"].astype(str), strict=True))
    return (pairs | course_goals) <= _placed_pairs(sections, enroll)


def _has_course_goals(scenario: Scenario) -> bool:
    goals = scenario.goals
    return goals is not None and "goal" in goals and bool((goals["goal"].astype(str).str.strip() == "course").any())


def _goals_total(counts: dict) -> int:
    return sum(v["met"] for v in counts.values())


def _keeps_rules(scenario: Scenario, staffing: pd.DataFrame, sections: pd.DataFrame, enroll: pd.DataFrame,
                 phases: dict, label: str) -> bool:
    """A belt-and-braces check of the schedule's hard rules (1-8) with the independent checker after a
    polishing pass: a pass whose bookkeeping went wrong is dropped, never shipped. The breaches are kept
    in the stats so that the bug can be found."""
    from workbench.plan.result import Result
    from workbench.results.check import schedule_breaches

    result = Result(sections=sections[SECTION_COLUMNS], enrollments=enroll[["student_id", "section_id"]],
                    staffing=staffing)
    breaches = [str(b) for b in schedule_breaches(scenario, result)]
    if breaches:
        phases.setdefault("rejected_passes", {})[label] = breaches[:10]
    return not breaches


def _boost_unplaced(requests: pd.DataFrame, sections: pd.DataFrame, enroll: pd.DataFrame) -> pd.DataFrame:
    """Students with an unplaced request weigh three times as much in the next round's conflict matrix."""
    placed = enroll.merge(sections[["section_id", "course_id"]], on="section_id")[["student_id", "course_id"]]
    merged = requests[requests["priority"] < 3].merge(placed.assign(ok=1), how="left",
                                                      on=["student_id", "course_id"])
    missing = merged.loc[merged["ok"].isna(), "student_id"].unique()
    return pd.DataFrame({"student_id": missing, "boost": 3.0})


def close_empty_sections(scenario: Scenario, sections: pd.DataFrame,
                         enroll: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """A section nobody sits in (say a second elective section that landed in the period of a singleton all
    its requesters take) is closed, giving its teacher, room and period back. Every pin of pins.csv keeps a
    section that matches it (its course and whichever of section_id, staff_id, period and room_id it names),
    seated or not. Returns the sections kept and the IDs closed."""
    seated = set(enroll["section_id"].astype(str))
    keep = sections["section_id"].astype(str).isin(seated).to_numpy().copy()
    for pin in scenario.pins.to_dict("records"):
        match = sections["course_id"].astype(str) == str(pin["course_id"])
        for column in ("section_id", "staff_id", "period", "room_id"):
            value = pin.get(column)
            if value is not None and not pd.isna(value) and str(value).strip() != "":
                cells = sections[column].astype(int) if column == "period" else sections[column].astype(str)
                match &= cells == (int(value) if column == "period" else str(value))
        if match.any() and not (keep & match.to_numpy()).any():
            keep[match.to_numpy().nonzero()[0][0]] = True
    return sections[keep], sorted(sections.loc[~keep, "section_id"].astype(str))


def unplaced_requests(scenario: Scenario, sections: pd.DataFrame, enroll: pd.DataFrame) -> pd.DataFrame:
    """One row per required or elective request left unplaced, with a reason a counsellor can act on: the
    periods the course meets in and, for each, what stands in the way (the class the student has then, or
    the section full), e.g. "APLIT meets only in period 1, where the student has APCHEM"."""
    requests = request_table(scenario)
    placed = enroll.merge(sections[["section_id", "course_id", "period"]], on="section_id")
    merged = requests[requests["priority"] < 3].merge(placed[["student_id", "course_id"]].assign(ok=1), how="left",
                                                      on=["student_id", "course_id"])
    missing = merged[merged["ok"].isna()][["student_id", "course_id", "priority"]].copy()
    overloaded = {row.student_id: overload_sentence(row) for row in overloaded_students(scenario).itertuples()}
    why = _WhyUnplaced(scenario, sections, placed)
    missing["reason"] = [overloaded.get(s) or why(s, c)
                         for s, c in zip(missing["student_id"], missing["course_id"], strict=True)]
    return missing.reset_index(drop=True)


class _WhyUnplaced:
    """For an unplaced request, each period its course meets in and what the student has then, or that every
    section then is full (seats taken of seats). Lookups are built once for the whole school."""

    def __init__(self, scenario: Scenario, sections: pd.DataFrame, placed: pd.DataFrame):
        secs = sections[["section_id", "course_id", "room_id", "period"]].astype(
            {"section_id": str, "course_id": str}).copy()
        secs["period"] = secs["period"].astype(int)
        secs["cap"] = section_caps(secs, scenario).to_numpy() if len(secs) else []
        secs["seated"] = secs["section_id"].map(placed["section_id"].astype(str).value_counts()).fillna(0).astype(int)
        self.periods: dict[str, dict[int, list[tuple[int, int]]]] = {}
        for c, p, n, cap in zip(secs["course_id"], secs["period"], secs["seated"], secs["cap"], strict=True):
            self.periods.setdefault(c, {}).setdefault(int(p), []).append((int(n), int(cap)))
        self.busy: dict[str, dict[int, str]] = {}
        for s, c, p in zip(placed["student_id"].astype(str), placed["course_id"].astype(str),
                           placed["period"].astype(int), strict=True):
            self.busy.setdefault(s, {})[int(p)] = c

    def __call__(self, student: str, course: str) -> str:
        periods = self.periods.get(course)
        if not periods:
            return "no section of this course runs (no certified teacher free)"
        busy = self.busy.get(student, {})
        parts = []
        for p in sorted(periods):
            seats = periods[p]
            if p in busy:
                parts.append((p, f"where the student has {busy[p]}"))
            elif all(n >= cap for n, cap in seats):
                taken = sum(n for n, _ in seats)
                parts.append((p, f"full ({taken} of {sum(cap for _, cap in seats)} seats taken)"))
            else:
                parts.append((p, "with a free seat, but the student's day has no room for it without losing "
                                 "another of their requests"))
        if len(parts) == 1:
            return f"{course} meets only in period {parts[0][0]}, {parts[0][1]}"
        return f"{course} meets in periods {_and([str(p) for p, _ in parts])}: " + "; ".join(
            f"period {p} {what}" for p, what in parts)


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
