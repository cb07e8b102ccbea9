"""Master schedule and student sectioning (issue 3): a list of passes around one incumbent.

The problem is decomposed, as schools that schedule well do it (see SCHEDULING-NOTES): a 3-index
student × course × period model does not close, but each step below solves in seconds. `build_schedule` runs
the passes of `PASSES` in order on one shared `Context`; each pass is a small function of it. Every schedule a
pass makes is offered to the `Incumbent`, which measures it, keeps it when it is better (or, for a polishing
pass, when it loses nothing and the independent checker finds it breaks no rule) and records each pass's
phase and whether the time cap stopped it. Adding a pass is one line in `PASSES` and one function.

1. `teachers_pass`: named pre-checks, then sections per course and a teacher for each (`sections`, small MIP);
2. `greedy_pass`: the greedy spreadsheet method (`greedy`, exactly the benchmark's baseline, and once more on
   the optimised teacher plan); its result is the floor and the local search's first start, so the workbench
   never returns a schedule that places fewer requests than it;
3. `search_pass`: local search (`improve`) within a budget of work: student repair with ejection chains,
   section moves and swaps, each kept only when more requests are placed;
4. `rounds_pass`: MIP rounds while work remains: a period for each section against the course-conflict matrix
   (`periods`, re-weighted towards the pairs of courses that left students unplaced), rooms, then students into
   sections with sections fixed (`students`, MIP over aggregated groups), each round searched in turn;
5. `final_search_pass` on the best schedule with the work left, then `final_students_pass`: the student MIP on
   the best periods (where small) for students' goals and a bound;
6. `goals_pass`: an inclusion section per course for class-size goals (goal students re-timed in, classmates
   re-timed out), students re-seated per course for class-size and strong-teacher goals, sections moved to
   periods where an unmet class-size student is free, and students given the elective they named as a course
   goal where an alternate stood in for it (`goals`);
7. `handoff_pass`: a section that students who lack its course cannot reach goes to a certified teacher with
   room (fewer sections than they may teach, after a promotion say) in a period they are free: capacity the
   staffing step counted, handed to the schedule (`handoff`, issue 20); then `openings_pass`: sections are
   decisions (issue 17, field case c10b-no-alternates): one more section opened where a course's requesters are
   free, or of the singleton that keeps them from it, within teachers' section limits and free rooms (`openings`);
8. `balance_pass`: teachers' runs of more than 3 periods broken and section sizes balanced (UniTime's "sections
   off balance by 10%"), never at a request's or a goal's cost (`balance`);
9. `finish`: the school-wide bound (`bound`), the step's status and its stats.

Work stops as soon as every request is placed: small schools finish in about a second.

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
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from workbench.plan.rules import RULES
from workbench.plan.schedule.balance import polish
from workbench.plan.schedule.bound import requests_bound
from workbench.plan.schedule.common import Budget, placement_metrics, request_table, score
from workbench.plan.schedule.goals import goal_counts, improve_goals
from workbench.plan.schedule.greedy import SECTION_COLUMNS, greedy_schedule, greedy_students
from workbench.plan.schedule.handoff import hand_over_sections
from workbench.plan.schedule.improve import Placement
from workbench.plan.schedule.openings import open_sections
from workbench.plan.schedule.periods import assign_periods, assign_rooms, conflict_matrix
from workbench.plan.schedule.sections import Catalog, assign_teachers, build_catalog, run_prechecks
from workbench.plan.schedule.students import Goals, goals_met, place_students, schedule_goals, section_caps
from workbench.plan.solver import TIME_CAP, SolveOutcome, record_time_cap
from workbench.progress import SILENT, Reporter
from workbench.scenario.model import Scenario
from workbench.scenario.summary import overload_sentence, overloaded_students
from workbench.verify.result import Result
from workbench.verify.schedule import rule_names, schedule_breaches


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


class Incumbent:
    """The best schedule found so far (`sections`, `enrollments`, their `metrics` and `source`, the passes that
    made it, e.g. "greedy+search+goals+balance"), with the record of every pass: `phases` (label -> what the
    pass did, for the stats) and `capped` (passes and MIPs the time cap stopped: their result depends on the
    machine's load). Empty until the greedy pass offers the first schedule."""

    def __init__(self, scenario: Scenario, staffing: pd.DataFrame, catalog: Catalog, goals: Goals):
        self.scenario, self.staffing, self.catalog, self.goals = scenario, staffing, catalog, goals
        self.sections: pd.DataFrame | None = None
        self.enrollments: pd.DataFrame | None = None
        self.metrics: dict = {}
        self.score: tuple | None = None
        self.source = ""
        self.phases: dict[str, dict] = {}
        self.capped: list[str] = []

    def measure(self, sections: pd.DataFrame, enrollments: pd.DataFrame) -> dict:
        """Requests placed (all, required) and schedule goals met: what `score` ranks schedules by."""
        return {**placement_metrics(self.scenario, sections, enrollments),
                "schedule_goals_met": goals_met(sections, enrollments, self.catalog.teachers, self.goals)}

    @property
    def complete(self) -> bool:
        """Every request placed: no search pass can gain anything."""
        return self.metrics["requests_placed"] == self.metrics["requests"]

    def loses_nothing(self, metrics: dict, *keys: str) -> bool:
        """`metrics` at least the incumbent's on every one of `keys` (checked in order)."""
        return all(metrics[k] >= self.metrics[k] for k in keys)

    def consider(self, source: str, sections: pd.DataFrame, enrollments: pd.DataFrame, metrics: dict, *,
                 keep: Callable[[dict], bool] | None = None, guard: str | None = None) -> bool:
        """Take the schedule (its `metrics` from `measure`) as the incumbent, named `source`, when `keep(metrics)`
        holds, by default when it scores better (or is the first). With `guard` (the pass's label), the
        independent checker must also find no breach of the schedule's rules (`_keeps_rules`): a polishing pass
        whose bookkeeping went wrong is dropped, never shipped. Returns whether it was taken."""
        kept = (self.score is None or score(metrics) > self.score) if keep is None else keep(metrics)
        if kept and guard is not None:
            kept = _keeps_rules(self.scenario, self.staffing, sections, enrollments, self.phases, guard)
        if kept:
            self.score, self.sections, self.enrollments = score(metrics), sections, enrollments
            self.source, self.metrics = source, metrics
        return kept

    def note_cap(self, label: str, stopped_by: str | None) -> None:
        """Record `label` as stopped by the time cap when it was (a Budget's or a MIP's `stopped_by`)."""
        if stopped_by == TIME_CAP:
            self.capped.append(label)


@dataclass
class Context:
    """What the passes share: the scenario and the step's inputs, the school-wide facts the passes read, the
    work budgets and clock, the incumbent, and what one pass leaves for a later one (teacher plan, the request
    search's work left, the student MIP's bound, goal counts, the balance pass's record)."""

    scenario: Scenario
    staffing: pd.DataFrame
    catalog: Catalog
    goals: Goals
    reporter: Reporter
    incumbent: Incumbent
    start: float                  # perf_counter at the step's start
    limit: float                  # solver.time_limit_s: the safety cap on the whole step
    requests: pd.DataFrame
    course_goals: set[tuple[str, str]]
    has_goals: bool
    seed: int
    search_total: float           # the request search's work budget, shared by every search pass
    search_left: float
    plan: pd.DataFrame | None = None      # sections with teachers (teachers_pass)
    rounds: int = 0                       # MIP rounds allowed (greedy_pass, by the school's size)
    setup_s: float = 0.0                  # pre-checks, teacher MIP, both greedy schedules
    bound: float | None = None            # the student MIP's bound on weighted requests
    goal_stats: dict = field(default_factory=dict)
    balance: dict = field(default_factory=dict)

    @property
    def cap_at(self) -> float:
        return self.start + self.limit

    def seconds_left(self) -> float:
        return max(1.0, self.cap_at - time.perf_counter())

    def placement(self, sections: pd.DataFrame, enrollments: pd.DataFrame) -> Placement:
        """A local-search state on a schedule, with the scenario's seed and the step's cancel check."""
        return Placement(self.scenario, sections, enrollments, self.catalog, seed=self.seed,
                         tick=self.reporter.check_cancel)


def build_schedule(scenario: Scenario, staffing: pd.DataFrame, reporter: Reporter = SILENT) -> SchedulePlan:
    """Sections, teachers, periods, rooms and every student's classes, the best found within the time limit.

    Raises InfeasibleDesign (with sentences naming courses, teachers and rooms) when required sections
    cannot be staffed or housed, or pins clash. Unplaceable requests are not infeasible: they are reported
    in `stats` and, per student, by the goals step."""
    start = time.perf_counter()
    reporter.report("schedule", "Checking that teachers and rooms can cover the required sections", 0.0)
    catalog = build_catalog(scenario, staffing)
    run_prechecks(scenario, catalog)
    goals = schedule_goals(scenario)
    requests = request_table(scenario)
    search_total = SEARCH_WORK_BASE + SEARCH_WORK_PER_REQUEST * len(requests)
    ctx = Context(scenario, staffing, catalog, goals, reporter, Incumbent(scenario, staffing, catalog, goals),
                  start=start, limit=float(scenario.settings.solver.time_limit_s), requests=requests,
                  course_goals=_course_goal_pairs(scenario, requests),
                  has_goals=not (goals.max_size.empty and goals.strong.empty) or _has_course_goals(scenario),
                  seed=int(scenario.settings.solver.seed), search_total=search_total, search_left=search_total)
    for run in PASSES:
        run(ctx)
    return finish(ctx)


def teachers_pass(ctx: Context) -> None:
    """How many sections each course runs and who teaches them (the teacher MIP)."""
    ctx.reporter.report("schedule", "Deciding how many sections each course runs and who teaches them", 0.05)
    t0 = time.perf_counter()
    ctx.plan = assign_teachers(ctx.scenario, ctx.catalog, ctx.goals.strong, ctx.limit, ctx.goals.max_size)
    ctx.incumbent.phases["teachers"] = {"solve_s": round(time.perf_counter() - t0, 3), "sections": len(ctx.plan)}
    ctx.reporter.check_cancel()


def greedy_pass(ctx: Context) -> None:
    """The benchmark's baseline (greedy teachers too) and the greedy on the optimised teachers: the better one
    is the floor and the local search's starting point. Also decides whether MIP rounds may follow."""
    ctx.reporter.report("schedule", "Greedy baseline: course by course, student by student", 0.1)
    inc = ctx.incumbent
    greedy = [greedy_schedule(ctx.scenario, ctx.staffing, plan=p, catalog=ctx.catalog) for p in (None, ctx.plan)]
    g_sections, g_enroll, g_stats = max(greedy, key=lambda g: score(g[2]))
    g_stats = {**g_stats, **inc.measure(g_sections, g_enroll)}
    inc.phases["greedy"] = g_stats
    inc.consider("greedy", g_sections, g_enroll, g_stats)
    ctx.reporter.report("schedule", f"Greedy places {g_stats['requests_placed_pct']}% of requests", 0.15,
                        incumbent=g_stats["requests_placed"])
    ctx.reporter.check_cancel()
    # On large schools the period MIP does not close and gave worse starts than the greedy periods: the
    # work is better spent on the local search from the best schedule.
    ctx.rounds = MAX_ROUNDS if _student_mip_size(ctx.requests, g_sections) <= MAX_STUDENT_MIP_VARS else 0


def search_pass(ctx: Context) -> None:
    """The local search on the greedy schedule, with a share of the work when MIP rounds may follow."""
    ctx.reporter.report("schedule", "Moving students and sections to place what the greedy method left", 0.2)
    ctx.setup_s = time.perf_counter() - ctx.start
    inc = ctx.incumbent
    _search(ctx, "greedy+search", inc.sections, inc.enrollments,
            IMPROVE_SHARE * ctx.search_total if ctx.rounds else ctx.search_total)


def rounds_pass(ctx: Context) -> None:
    """Up to `ctx.rounds` MIP rounds while requests are unplaced and a quarter of the search's work is left:
    periods (each round re-weighted towards the students the last one left unplaced), rooms, students, then
    the local search on the round's schedule."""
    inc, requests = ctx.incumbent, ctx.requests
    conflicts = conflict_matrix(requests)
    previous = None
    for rnd in range(ctx.rounds):
        label = f"round{rnd + 1}"
        if inc.complete or ctx.search_left < ROUNDS_WHILE_LEFT * ctx.search_total:
            break
        if ctx.cap_at - time.perf_counter() < ROUNDS_WHILE_LEFT * ctx.limit:
            # the work allows another round but the clock is near its cap (a very busy machine): stop, and say so
            inc.capped.append(label)
            record_time_cap(f"schedule: {label}")
            break
        ctx.reporter.report("schedule", f"Round {rnd + 1}: giving each section a period", 0.3 + 0.2 * rnd)
        periods, p_out = assign_periods(ctx.scenario, ctx.catalog, ctx.plan, conflicts, ctx.seconds_left(), previous)
        inc.note_cap(f"{label}: periods", p_out.stopped_by)
        ctx.reporter.check_cancel()
        if periods is None:   # stopped before any periods were found: the schedule so far stands
            inc.phases[label] = {"periods": _mip_stats(p_out)}
            break
        sections = ctx.plan.assign(period=periods)
        sections["room_id"] = assign_rooms(sections, ctx.catalog)
        sections["cap"] = section_caps(sections, ctx.scenario)
        ctx.reporter.report("schedule", f"Round {rnd + 1}: placing students into sections", 0.35 + 0.2 * rnd)
        if _student_mip_size(requests, sections) <= MAX_STUDENT_MIP_VARS:
            enroll, s_out = place_students(ctx.scenario, sections, ctx.catalog.teachers, ctx.goals,
                                           ctx.seconds_left())
            inc.note_cap(f"{label}: students", s_out.stopped_by)
        else:
            # HiGHS was seen to overrun its time limit without a solution on models this size:
            # place students greedily on the optimised periods; the local search does the rest.
            t1 = time.perf_counter()
            enroll = greedy_students(ctx.scenario, sections)
            s_out = SolveOutcome("feasible", None, None, 0.0, time.perf_counter() - t1)
        ctx.reporter.check_cancel()
        inc.phases[label] = {
            "periods": _mip_stats(p_out),
            "students": {**_mip_stats(s_out), "objective": s_out.objective, "bound": s_out.bound},
        }
        if not s_out.has_design:
            enroll = greedy_students(ctx.scenario, sections)
        metrics = inc.measure(sections, enroll)
        inc.phases[label]["metrics"] = metrics
        if ctx.bound is None and s_out.bound is not None:
            ctx.bound = s_out.bound
        inc.consider(label, sections, enroll, metrics)
        ctx.reporter.report("schedule", f"Round {rnd + 1}: {metrics['requests_placed_pct']}% of requests placed",
                            0.4 + 0.2 * rnd, incumbent=inc.metrics["requests_placed"])
        if not inc.complete:
            _search(ctx, f"{label}+search", sections, enroll, 0.5 * ctx.search_left)
        previous = periods
        conflicts = conflict_matrix(requests, _boost_unplaced(requests, sections, enroll))


def final_search_pass(ctx: Context) -> None:
    """The local search on the best schedule with whatever work the earlier searches left."""
    inc = ctx.incumbent
    if not inc.complete and ctx.search_left > 0:
        _search(ctx, "final-search", inc.sections, inc.enrollments, ctx.search_left)


def final_students_pass(ctx: Context) -> None:
    """With the best sections fixed, the student MIP (where it is small enough) re-places students for their
    goals (class size, strong teacher) and proves how many requests these periods can hold at most. Skipped
    when the best schedule is a round's own MIP placement, unsearched."""
    inc = ctx.incumbent
    b_sections = inc.sections
    if inc.source.startswith("round") and not inc.source.endswith("search"):
        return
    if _student_mip_size(ctx.requests, b_sections) > FINAL_MIP_VARS:
        return
    ctx.reporter.report("schedule", "Placing students for their goals on the best periods", 0.95)
    enroll, s_out = place_students(ctx.scenario, b_sections, ctx.catalog.teachers, ctx.goals, ctx.seconds_left())
    inc.note_cap("final-students", s_out.stopped_by)
    inc.phases["final-students"] = {**_mip_stats(s_out), "objective": s_out.objective, "bound": s_out.bound}
    if s_out.status in ("optimal", "feasible"):
        ctx.bound = s_out.bound
        inc.consider(inc.source + "+students", b_sections, enroll, inc.measure(b_sections, enroll))


def goals_pass(ctx: Context) -> None:
    """With sections and every student's courses fixed, re-seat students within each course for their
    class-size and strong-teacher goals (one MIP per course) and give named electives. Requests placed cannot
    drop; judged on whole goals, as the goal table does: a class made small for a student whose goal covers
    every class (and stays unmet for PE) may go to a student whose goal it meets."""
    if not ctx.has_goals:
        return
    inc, teachers = ctx.incumbent, ctx.catalog.teachers
    ctx.reporter.report("schedule", "Seating students for their goals: class size, strong teacher, named courses",
                        0.97)
    t1 = time.perf_counter()
    state = ctx.placement(inc.sections, inc.enrollments)
    budget = Budget("goals", lambda s=state: s.work, GOAL_WORK_BASE + GOAL_WORK_PER_STUDENT * _students(ctx),
                    ctx.cap_at)
    goals_before = goal_counts(state, teachers, ctx.goals)
    info = improve_goals(state, teachers, ctx.goals, ctx.scenario, budget, tick=ctx.reporter.check_cancel)
    inc.note_cap("goals", budget.stopped_by)
    goals_after = goal_counts(state, teachers, ctx.goals)
    before_placed = inc.metrics["requests_placed"]
    g_sec, g_enr = state.result()
    g_metrics = inc.measure(g_sec, g_enr)
    kept = inc.consider(inc.source + "+goals", g_sec, g_enr, g_metrics, guard="goals", keep=lambda m: (
        inc.loses_nothing(m, "requests_placed", "required_placed")
        and _goals_total(goals_after) >= _goals_total(goals_before)))
    if not kept:
        goals_after = goals_before
    inc.phases["goals"] = {**info, "kept": kept, "requests_placed_before": before_placed,
                           "requests_placed_after": g_metrics["requests_placed"],
                           "goals_after_pass": goals_after, "total_s": round(time.perf_counter() - t1, 3)}
    ctx.goal_stats = {"goals_before": goals_before, "goals_after": goals_after}


def handoff_pass(ctx: Context) -> None:
    """Capacity handed back, after the goal pass so that it starts from the seats that meet goals: a section
    nobody who lacks its course can reach goes to a certified teacher with room, in a period those students
    are free (handoff.py); kept only when a request or a goal is gained and nothing is lost."""
    inc = ctx.incumbent
    if _all_placed_directly(inc.sections, inc.enrollments, ctx.requests, ctx.course_goals):
        return
    t1 = time.perf_counter()
    state = ctx.placement(inc.sections, inc.enrollments)
    budget = Budget("handoff", lambda s=state: s.work, HANDOFF_WORK_BASE + HANDOFF_WORK_PER_STUDENT
                    * _students(ctx), ctx.cap_at)
    info = hand_over_sections(state, ctx.catalog.teachers, ctx.goals, budget, tick=ctx.reporter.check_cancel)
    inc.note_cap("handoff", budget.stopped_by)
    h_sec, h_enr = state.result()
    h_metrics = inc.measure(h_sec, h_enr)
    info["kept"] = bool(info["kept"]) and inc.consider(
        inc.source + "+handoff", h_sec, h_enr, h_metrics, guard="handoff",
        keep=lambda m: inc.loses_nothing(m, "requests_placed", "required_placed"))
    if info["kept"] and ctx.has_goals:
        ctx.goal_stats["goals_after"] = goal_counts(state, ctx.catalog.teachers, ctx.goals)
    inc.phases["handoff"] = {**info, "total_s": round(time.perf_counter() - t1, 3)}


def openings_pass(ctx: Context) -> None:
    """Sections are decisions (issue 17): one more section opened where a course's requesters, or the students
    another course keeps from it, are free (openings.py), within teachers' section limits and free rooms; kept
    only when more requests are placed, nothing required nor any goal is lost and no rule breaks. A school the
    pass does not change keeps its summary.json as it was (no phase recorded)."""
    inc = ctx.incumbent
    if inc.complete:
        return
    t1 = time.perf_counter()
    state = ctx.placement(inc.sections, inc.enrollments)
    budget = Budget("openings", lambda s=state: s.work, OPENINGS_WORK_BASE + OPENINGS_WORK_PER_STUDENT
                    * _students(ctx), ctx.cap_at)
    sizes = ctx.catalog.courses["max_size"].astype(int).to_dict()
    info = open_sections(state, sizes, budget, tick=ctx.reporter.check_cancel)
    inc.note_cap("openings", budget.stopped_by)
    o_sec, o_enr = state.result()
    goals_after = goal_counts(state, ctx.catalog.teachers, ctx.goals) if ctx.has_goals else {}

    def keep(metrics: dict) -> bool:
        return (metrics["requests_placed"] > inc.metrics["requests_placed"]
                and inc.loses_nothing(metrics, "required_placed", "schedule_goals_met")
                and (not ctx.has_goals or _goals_total(goals_after) >= _goals_total(ctx.goal_stats["goals_after"])))

    info["kept"] = bool(info["kept"]) and inc.consider(inc.source + "+openings", o_sec, o_enr,
                                                       inc.measure(o_sec, o_enr), keep=keep, guard="openings")
    if not info["kept"]:
        return
    inc.phases["openings"] = {**info, "total_s": round(time.perf_counter() - t1, 3)}
    if ctx.has_goals:
        ctx.goal_stats["goals_after"] = goals_after


def balance_pass(ctx: Context) -> None:
    """Softest: teachers' runs of classes broken up and section sizes balanced, never at a request's or a
    goal's cost (balance.py)."""
    inc, teachers = ctx.incumbent, ctx.catalog.teachers
    ctx.reporter.report("schedule", "Balancing class sizes and spreading teachers' classes over the day", 0.98)
    t1 = time.perf_counter()
    state = ctx.placement(inc.sections, inc.enrollments)
    budget = Budget("balance", lambda s=state: s.work, BALANCE_WORK_BASE + BALANCE_WORK_PER_STUDENT * _students(ctx),
                    ctx.cap_at)
    soft = polish(state, ctx.scenario, teachers, ctx.goals, budget)
    inc.note_cap("balance", budget.stopped_by)
    b_sec, b_enr = state.result()

    def keep(metrics: dict) -> bool:
        return (inc.loses_nothing(metrics, "requests_placed", "required_placed", "schedule_goals_met")
                and (not ctx.has_goals or _goals_total(goal_counts(state, teachers, ctx.goals))
                     >= _goals_total(ctx.goal_stats["goals_after"])))

    soft["kept"] = inc.consider(inc.source + "+balance", b_sec, b_enr, inc.measure(b_sec, b_enr), keep=keep,
                                guard="balance")
    if soft["kept"] and ctx.has_goals:
        ctx.goal_stats["goals_after"] = goal_counts(state, teachers, ctx.goals)
    soft["total_s"] = round(time.perf_counter() - t1, 3)
    inc.phases["balance"] = soft
    ctx.balance = soft


# The passes, in the order they run; each takes the shared Context.
PASSES: tuple[Callable[[Context], None], ...] = (
    teachers_pass,
    greedy_pass,
    search_pass,
    rounds_pass,
    final_search_pass,
    final_students_pass,
    goals_pass,
    handoff_pass,
    openings_pass,
    balance_pass,
)


def finish(ctx: Context) -> SchedulePlan:
    """The incumbent as the step's result: the bound over every timetable this staff could run (bound.py), the
    status and the stats. The passes are heuristics: the step proves its schedule optimal only when nothing is
    left to gain: every request placed, or placed up to that bound, every goal it serves (course, class size,
    strong teacher) met, and the clock, not the work, ended no pass. Anything short of that is a good design,
    not a proven one (issues 17 and 20)."""
    inc, scenario, soft, goal_stats = ctx.incumbent, ctx.scenario, ctx.balance, ctx.goal_stats
    phases, capped = inc.phases, inc.capped
    sections, enroll, source = inc.sections, inc.enrollments, inc.source
    metrics = {**inc.metrics, **goal_stats, "balance_before": soft["before"],
               "balance_after": soft["after"] if soft["kept"] else soft["before"]}
    school = requests_bound(scenario, ctx.catalog)
    phases["requests_bound"] = {"kind": school.kind, "per_student": school.per_student, "solve_s": school.solve_s}
    every_goal = all(v["met"] >= v["of"] for v in goal_stats.get("goals_after", {}).values())
    requests_done = inc.complete or metrics["requests_placed"] >= school.value
    status = "optimal" if requests_done and every_goal and not capped else "feasible"
    # An upper bound every placement on these periods obeys (seats ignored): conditional on this timetable.
    reachable = Placement(scenario, sections, enroll.iloc[:0], ctx.catalog).period_bound()
    stats = {**metrics, "source": source, "student_bound": ctx.bound, "phases": phases,
             "stopped_by_time_cap": capped, "requests_bound": school.value, "requests_bound_kind": school.kind,
             "requests_bound_on_these_periods": reachable,
             "requests_gap_pct": round(100.0 * (school.value - metrics["requests_placed"]) / max(1, school.value), 3),
             # build: everything before the first search (pre-checks, teacher MIP, greedy) plus MIP model builds
             "build_s": round(ctx.setup_s + sum(r.get("periods", {}).get("build_s", 0)
                                                + r.get("students", {}).get("build_s", 0)
                                                for r in phases.values() if isinstance(r, dict)), 3),
             "total_s": round(time.perf_counter() - ctx.start, 3)}
    if ctx.bound is not None:
        stats["bound_requests_weighted"] = ctx.bound
    ctx.reporter.report("schedule", f"Schedule ready: {metrics['requests_placed_pct']}% of requests, "
                        f"{metrics['required_placed_pct']}% of required courses placed", 1.0)
    sections, closed = close_empty_sections(scenario, sections, enroll)
    stats["closed_empty_sections"] = closed
    out_sections = sections[SECTION_COLUMNS].sort_values("section_id").reset_index(drop=True)
    out_sections["period"] = out_sections["period"].astype(int)
    return SchedulePlan(out_sections, enroll.sort_values(["student_id", "section_id"]).reset_index(drop=True),
                        status=status, stats=stats, extra={"unplaced_requests": unplaced_requests(
                            scenario, sections, enroll)})


def _search(ctx: Context, label: str, sections: pd.DataFrame, enroll: pd.DataFrame, units: float) -> None:
    """Student repair then section moves on one schedule, within `units` of the request search's work (taken
    from `ctx.search_left`); offered to the incumbent, kept if it scores better."""
    inc = ctx.incumbent
    t1 = time.perf_counter()
    state = ctx.placement(sections, enroll)
    budget = Budget(label, lambda s=state: s.work, units, ctx.cap_at)
    state.repair(budget)
    info = state.search(budget)
    ctx.search_left -= budget.used()
    inc.note_cap(label, budget.stopped_by)
    sections, enroll = state.result()
    metrics = inc.measure(sections, enroll)
    inc.phases[label] = {**info, **budget.info(), "solve_s": round(time.perf_counter() - t1, 3), "metrics": metrics}
    inc.consider(label, sections, enroll, metrics)
    ctx.reporter.report("schedule", f"Improved: {inc.metrics['requests_placed_pct']}% of requests placed",
                        None, incumbent=inc.metrics["requests_placed"])
    ctx.reporter.check_cancel()


def _student_mip_size(requests: pd.DataFrame, sections: pd.DataFrame) -> int:
    """Variables of the student MIP on these sections: (request, period its course meets in) pairs."""
    return int(requests.merge(sections[["course_id", "period"]].drop_duplicates(), on="course_id").shape[0])


def _students(ctx: Context) -> int:
    return len(ctx.scenario.students)


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
    """A belt-and-braces check of the schedule's hard rules (1-8 and 14) with the independent checker's rules
    (`workbench.verify.schedule`) after a polishing pass: a pass whose bookkeeping went wrong is dropped, never
    shipped. The breaches are kept in the stats so that the bug can be found."""
    result = Result(sections=sections[SECTION_COLUMNS], enrollments=enroll[["student_id", "section_id"]],
                    staffing=staffing)
    breaches = [str(b) for b in schedule_breaches(scenario, result, rule_names(RULES.values()))]
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
