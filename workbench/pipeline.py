"""The whole chain, the same for the CLI, the notebooks and the app:
validate → staffing → schedule → groups → budget → per-student goals."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path

from workbench.progress import ProgressFn, Reporter
from workbench.scenario.model import Scenario
from workbench.verify.result import Result


def solve_scenario(scenario: Scenario, progress: ProgressFn | None = None,
                   cancel: threading.Event | None = None, *, staffing_options=None,
                   tutoring_rounds: int | None = None, rules_off: Iterable[str] = ()) -> Result:
    """Plan a (validated) scenario end to end. Raises `InfeasibleDesign` with a plain explanation when
    the hard rules cannot all hold (proven by the solver), `SolverFailed` when a solver gave no answer,
    `SolveCancelled` when `cancel` is set. Writes nothing. A switch from HiGHS to CBC is reported in the
    progress and listed in summary.json `solver_notes`.

    Every pass and MIP is bounded by work with the scenario's seed, so the same scenario gives the same design
    on an idle or a loaded machine; the time limit is only a safety cap. The passes and MIPs the cap stopped
    are listed in summary.json `stopped_by_time_cap` (empty when the design is reproducible), and the status
    is then `feasible`, never `optimal`.

    `staffing_options` (a `StaffingOptions`) are the staffing what-if levers; `tutoring_rounds` caps the
    rounds of tutor hiring after the small-group step (0 switches the loop off, to compare).

    `rules_off` (IDs of `workbench.plan.rules.RULES`) is the hard-rule what-if: "what if rule 6 did not bind?".
    The planning models drop the families only those rules keep (`rules.planning_scenario`: with rule 6 off,
    staff are planned as if free in every teaching period), the independent checker proves every other rule
    on the school as it is, and summary.json lists the rules switched off (`rules_off`) and what the design
    breaks of them (`switched_off_breaches`), so a what-if's design is never taken for one that keeps every
    rule. Raises ValueError for an unknown ID or one that may not be switched off (structure, budget)."""
    from workbench.plan.rules import planning_scenario, switchable
    from workbench.plan.solver import solver_notes, time_caps

    off = switchable(rules_off)
    with solver_notes() as notes, time_caps() as caps:
        result = _solve_chain(planning_scenario(scenario, off), Reporter(progress, cancel), notes,
                              staffing_options, tutoring_rounds, caps, checked=scenario, off=off)
    if off:
        result.summary["rules_off"] = sorted(off)
        result.summary["switched_off_breaches"] = _switched_off_breaches(scenario, result, off)
    result.summary["solver_notes"] = list(notes)
    result.summary["stopped_by_time_cap"] = list(caps)
    if caps:
        result.summary["status"] = "feasible"
    return result


def _solve_chain(scenario: Scenario, reporter: Reporter, notes: list[str], staffing_options,
                 tutoring_rounds: int | None, caps: list[str], checked: Scenario | None = None,
                 off: frozenset[str] = frozenset()) -> Result:
    """The chain on `scenario` (the planning models' view of it); the independent checker proves the rules
    not `off` on `checked` (the school as it is; `scenario` itself by default)."""
    from workbench.goals.evaluate import evaluate_goals, summary_metrics
    from workbench.goals.teachers import reports_teacher_load, teacher_load
    from workbench.plan.budget import build_budget
    from workbench.plan.calendar_fit import build_calendar_schedule, for_small_groups
    from workbench.plan.groups import plan_groups
    from workbench.plan.staffing import plan_staffing
    from workbench.plan.teams import leaders_have_time, uses_team_planning

    timings: dict[str, float] = {}
    told: list[str] = []
    start = time.perf_counter()

    def timed(phase, fn, *args):
        reporter.report(phase, f"{phase}: starting")
        t0 = time.perf_counter()
        out = fn(*args, reporter)
        timings[phase] = round(time.perf_counter() - t0, 3)
        while len(told) < len(notes):
            told.append(notes[len(told)])
            reporter.report(phase, told[-1])
        reporter.report(phase, f"{phase}: done in {timings[phase]:.1f} s", 1.0)
        return out

    leaders_have_time(scenario)
    staffing = timed("staffing", lambda sc, rep: plan_staffing(sc, rep) if staffing_options is None
                     else plan_staffing(sc, rep, staffing_options), scenario)
    seen, team_planning = team_view(scenario, staffing.staffing)   # the teams' common periods held back
    schedule = timed("schedule", build_calendar_schedule, scenario, seen)
    t0 = time.perf_counter()
    staffing, schedule, handback = hand_back_capacity(scenario, staffing, schedule, reporter, staffing_options,
                                                      seen)
    if handback:
        timings["capacity_handback"] = round(time.perf_counter() - t0, 3)
    if handback.get("kept"):   # a new staff: its teams and their periods again
        seen, team_planning = team_view(scenario, staffing.staffing)
    schedule = _with_coteachers(scenario, seen, schedule, reporter)
    around = for_small_groups(scenario, schedule)   # what small groups must leave free (lunch, double periods)
    groups = timed("groups", plan_groups, scenario, seen, around.sections, around.enrollments)
    budget = timed("budget", build_budget, scenario, staffing.staffing, staffing.student_supports)
    t0 = time.perf_counter()
    rounds = MAX_TUTORING_ROUNDS if tutoring_rounds is None else tutoring_rounds
    staffing, groups, budget, loop = close_tutoring_loop(scenario, staffing, around, groups, budget, reporter,
                                                         rounds)
    timings["tutoring_loop"] = round(time.perf_counter() - t0, 3)

    spec_staffing = staffing.staffing
    result = Result(
        sections=schedule.sections, enrollments=schedule.enrollments,
        groups=groups.groups, group_sessions=groups.group_sessions, group_members=groups.group_members,
        staffing=spec_staffing, student_supports=budget.student_supports, budget=budget.budget,
        extra={**staffing.extra, **schedule.extra, **budget.extra, "unserved_tutoring": groups.unserved},
    )
    if uses_team_planning(scenario):
        result.extra["team_planning"] = team_planning
    reporter.report("goals", "goals: evaluating every student's plan")
    result.student_goals = evaluate_goals(scenario, result)
    if reports_teacher_load(scenario):
        result.extra["teacher_load"] = teacher_load(scenario, result)
    reporter.report("goals", "checking every hard rule with the independent checker")
    _refuse_breaches(scenario if checked is None else checked, result, off)
    if caps:
        reporter.report("goals", f"stopped by the time limit, not by its work limit: {', '.join(caps)} (this "
                        "design may differ on a less busy machine; raise solver.time_limit_s)")
    reporter.report("goals", "goals: done", 1.0)
    phase_stats = {"staffing": staffing.stats, "schedule": schedule.stats, "groups": groups.stats,
                   "budget": budget.stats, "tutoring_loop": loop}
    if handback:
        phase_stats["capacity_handback"] = handback
    statuses = {"staffing": staffing.status, "schedule": schedule.status, "groups": groups.status}
    result.summary = {
        "status": "optimal" if all(s == "optimal" for s in statuses.values()) else "feasible",
        "solver": scenario.settings.solver.name,
        "scenario": scenario.name,
        "scenario_path": str(Path(scenario.path).resolve()) if scenario.path is not None else None,
        "timings": _timings(timings, phase_stats, time.perf_counter() - start),
        "metrics": summary_metrics(scenario, result, result.student_goals),
        "phase_status": statuses,
        "phases": phase_stats,
    }
    if "coteaching" in schedule.stats:   # a plain scenario keeps the summary it had
        result.summary["warnings"] = list(schedule.stats["coteaching"]["unmet"])
    return result


MAX_TUTORING_ROUNDS = 2


def team_view(scenario: Scenario, staffing):
    """(the staffing table the schedule, co-teaching and small-group steps see, team_planning table): each
    leader's team's common planning periods (SPEC §4 rule 13, `workbench.plan.teams`) held back as unavailable
    periods of its members. The staffing table itself, and an empty table, when no role asks for planning time.
    Raises `InfeasibleDesign` naming a team that has too few open periods."""
    from workbench.plan.teams import choose_team_periods, protected

    chosen = choose_team_periods(scenario, staffing)
    return protected(staffing, chosen), chosen


def _with_coteachers(scenario: Scenario, staffing, schedule, reporter: Reporter):
    """The schedule with a co-teacher on each co-taught section (SPEC §4, `workbench.plan.coteach`); the
    schedule untouched when no course asks for one. Sections left without one are said in the progress and
    kept in the schedule's stats (`coteaching.unmet`), which summary.json carries (and its `warnings`); the
    schedule step is then `feasible`, never `optimal`: an inclusion section without its second adult is a
    design short of what the school asked, whatever the requests placed say."""
    from dataclasses import replace

    from workbench.plan.coteach import plan_coteachers

    co = plan_coteachers(scenario, staffing, schedule.sections, schedule.enrollments)
    if not co.stats:
        return schedule
    reporter.report("schedule", f"co-teaching: {co.stats['with_co_teacher']} of {co.stats['co_taught_sections']} "
                    f"co-taught sections have a co-teacher; {co.stats['students_moved']} students moved into them", 1.0)
    for sentence in co.stats["unmet"]:
        reporter.report("schedule", sentence, 1.0)   # 1.0: the console keeps the line
    return replace(schedule, sections=co.sections, enrollments=co.enrollments,
                   status="feasible" if co.stats["unmet"] else schedule.status,
                   stats={**schedule.stats, "coteaching": co.stats})


def hand_back_capacity(scenario: Scenario, staffing, schedule, reporter: Reporter, options, seen):
    """The schedule hands its bottleneck back to staffing (issue 20). The staffing model counts sections per
    subject, never periods, so it may leave a subject's teachers exactly the sections it needs (a promotion
    lowers one teacher's limit); the schedule then finds no teacher with room in the period a student is free,
    and her course goal is lost. When that happened (`capacity_short_goals`), staffing is planned once more
    with those goals met only by a section of room beyond the need, weighed against every other goal within
    the budget; if that changes the staff, the schedule is made again on it. The new pair is kept only when it
    places no fewer requests and meets more goals (staffing's supports and tutoring, the schedule's course,
    class-size and strong-teacher goals). `seen` is the staffing table the schedule was planned on (the teams'
    planning periods held back: `team_view`). Returns (staffing, schedule, stats);
    stats empty when there was nothing to hand back."""
    from dataclasses import replace

    from workbench.plan.calendar_fit import build_calendar_schedule
    from workbench.plan.staffing import StaffingOptions, capacity_short_goals, plan_staffing

    short = capacity_short_goals(scenario, seen, schedule.sections, schedule.enrollments)
    if not short:
        return staffing, schedule, {}
    stats = {"course_goals_short": len(short), "kept": False}
    reporter.report("staffing", f"staffing: {len(short)} course goals lost for want of a teacher with room; "
                    "planning the staff again with room for them", 0.5)
    trial = plan_staffing(scenario, reporter, replace(options or StaffingOptions(), capacity_short=short))
    if trial.staffing.equals(staffing.staffing):
        stats["summary"] = (f"{len(short)} course goals lost for want of a teacher with room; no more room fits "
                            "the budget and the hiring limits")
        return staffing, schedule, stats
    trial_schedule = build_calendar_schedule(scenario, team_view(scenario, trial.staffing)[0], reporter)
    before, after = _handback_score(staffing, schedule), _handback_score(trial, trial_schedule)
    stats.update({"goals_before": before[2], "goals_after": after[2],
                  "kept": after[0] >= before[0] and after[1] >= before[1] and after[2] > before[2]})
    stats["summary"] = (f"{len(short)} course goals lost for want of a teacher with room: staff planned again, "
                        f"{after[2] - before[2]:+d} goals met" + ("" if stats["kept"] else "; not kept"))
    reporter.report("staffing", stats["summary"])
    if stats["kept"]:
        return trial, trial_schedule, stats
    return staffing, schedule, stats


def _handback_score(staffing, schedule) -> tuple[int, int, int]:
    """(required placed, requests placed, goals met): staffing's supports and tutoring reachable, the
    schedule's course, class-size and strong-teacher goals met."""
    by_kind = staffing.stats.get("goals_by_kind", {})
    planned = sum(v["reachable"] for k, v in by_kind.items() if k in ("support", "tutoring_minutes"))
    seated = sum(v["met"] for v in schedule.stats.get("goals_after", {}).values())
    return (int(schedule.stats.get("required_placed", 0)), int(schedule.stats.get("requests_placed", 0)),
            int(planned + seated))


def _refuse_breaches(scenario: Scenario, result: Result, off: frozenset[str] = frozenset()) -> None:
    """The last word before anything is written: the independent checker (SPEC §2 rules 1-11), less the
    rules a what-if switched `off`. A planning step that produced a rule-breaking design is a bug; the person
    gets a plain message, never the design."""
    from workbench.errors import InfeasibleDesign
    from workbench.results.rules import breaches as rule_breaches

    breaches = rule_breaches(scenario, result, off)
    if breaches:
        raise InfeasibleDesign(
            ["The planner produced a design that breaks the school's hard rules, so it was not kept "
             "(this is a bug in the workbench; please report it with the scenario):"]
            + [f"  {b}" for b in breaches[:20]], phase="check")


def _switched_off_breaches(scenario: Scenario, result: Result, off: frozenset[str]) -> list[str]:
    """What a what-if's design breaks of the rules it switched off, on the school as it is (at most 50)."""
    from workbench.results.check import check_rules

    return [str(b) for b in check_rules(scenario, result) if str(b.rule) in off][:50]


def tutoring_need_met(scenario: Scenario, groups) -> float:
    """Tutoring goals met, each weighted by how far behind its student is (the small-group step's weights)."""
    from workbench.plan.groups import tutoring_demand

    demand = tutoring_demand(scenario)
    unserved = groups.unserved
    short = set(zip(unserved["student_id"], unserved["subject"], strict=True)) \
        if {"student_id", "subject"} <= set(unserved.columns) else set()
    met = [(s, subj) not in short for s, subj in zip(demand["student_id"], demand["subject"], strict=True)]
    return round(float(demand.loc[met, "weight"].sum()), 3)


def close_tutoring_loop(scenario: Scenario, staffing, schedule, groups, budget, reporter: Reporter,
                        max_rounds: int = MAX_TUTORING_ROUNDS):
    """The staffing step can only estimate tutoring time; the small-group step measures it. When students
    are still waiting and money is left, hire tutors (roles that teach no sections, so the schedule stays
    valid) for the shortfall and re-plan only the groups and the budget. At most two rounds; a round is
    kept only when it meets more need-weighted tutoring goals within the budget."""
    from workbench.plan.budget import build_budget
    from workbench.plan.groups import plan_groups
    from workbench.plan.staffing import plan_extra_tutors

    score = tutoring_need_met(scenario, groups)
    rounds: list[dict] = []
    first_unserved = len(groups.unserved)
    for n in range(1, min(max_rounds, MAX_TUTORING_ROUNDS) + 1):
        reporter.check_cancel()
        waiting = len(groups.unserved)
        if not waiting:
            break
        extra = plan_extra_tutors(scenario, staffing, groups.unserved, schedule.sections,
                                  schedule.enrollments, reporter)
        if extra is None:
            rounds.append({"round": n, "kept": False, "note": f"{waiting} tutoring goals still unmet, but no "
                           "tutor or paraprofessional can be hired within the budget and hiring limits"})
            break
        trial_groups = plan_groups(scenario, team_view(scenario, extra.staffing)[0], schedule.sections,
                                   schedule.enrollments, reporter)
        trial_budget = build_budget(scenario, extra.staffing, extra.student_supports, reporter)
        trial_score = tutoring_need_met(scenario, trial_groups)
        hired = _hired_words(extra.stats.get("extra_tutoring_hires", {}))
        met_before, met_after = groups.stats.get("goals_met", 0), trial_groups.stats.get("goals_met", 0)
        kept = trial_score > score
        note = (f"hired {hired} after the {_ordinal(n)} pass left {waiting} tutoring goals unmet: "
                f"{met_after - met_before:+d} goals met")
        if not kept:
            note += "; not kept, it served no more students"
        rounds.append({"round": n, "kept": kept, "hires": extra.stats.get("extra_tutoring_hires", {}),
                       "goals_met_before": met_before, "goals_met_after": met_after,
                       "need_met_before": score, "need_met_after": trial_score,
                       "balance_after": trial_budget.stats.get("balance"), "note": note})
        reporter.report("groups", note)
        if not kept:
            break
        staffing, groups, budget, score = extra, trial_groups, trial_budget, trial_score
    kept_notes = [r["note"] for r in rounds if r["kept"]]
    if kept_notes:
        summary = "; ".join(kept_notes)
    elif rounds:
        summary = rounds[-1]["note"]
    elif len(groups.unserved):
        summary = f"{len(groups.unserved)} tutoring goals unmet; hiring more tutors after the groups was switched off"
    else:
        summary = "every tutoring goal met by the first pass"
    return staffing, groups, budget, {"rounds": rounds, "first_pass_unmet": first_unserved,
                                      "final_unmet": len(groups.unserved), "summary": summary}


def _hired_words(by_subject: dict[str, dict[str, int]]) -> str:
    parts = []
    for subject, roles in by_subject.items():
        for role, n in roles.items():
            parts.append(f"{n} {role}{'s' if n != 1 else ''} for {subject}")
    return ", ".join(parts) or "nobody"


def _ordinal(n: int) -> str:
    return {1: "first", 2: "second"}.get(n, f"{n}th")


def _timings(wall: dict[str, float], stats: dict[str, dict], total: float) -> dict:
    """build_s is model building as the steps measured it; solve_s is the rest of the planning steps' time
    (solver calls, heuristics, repairs), so build_s + solve_s is the planning time and nothing is hidden;
    solver_s is the part the steps report as time inside a solver."""
    build = solver = 0.0
    for phase in wall:
        own = stats.get(phase) or {}
        if isinstance(own.get("build_s"), int | float):
            build += float(own["build_s"])
        if isinstance(own.get("solve_s"), int | float):
            solver += float(own["solve_s"])
    planning = sum(wall.values())
    build = min(build, planning)
    return {"build_s": round(build, 3), "solve_s": round(planning - build, 3), "total_s": round(total, 3),
            "solver_s": round(solver, 3), "phases": wall}
