"""The assessment cycle end to end, the same for the CLI, the notebooks and the app (SPEC §5, issue 16):
a previous result and new assessments in, a regrouped result out.

Only the small groups change. Every other file of the previous result (sections, enrolments, staffing,
supports, budget and the reports made from them) is copied byte for byte; groups.csv, group_sessions.csv,
group_members.csv, student_goals.csv and unserved_tutoring.csv are made anew, and group_changes.csv and
student_progress.csv are added. The independent checker has the last word, as after a solve.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pandas as pd

from workbench.progress import ProgressFn, Reporter
from workbench.scenario.model import Scenario
from workbench.verify.result import Result

# Files a regroup makes anew; every other file of the previous result is kept byte for byte.
REMADE = frozenset({"groups.csv", "group_sessions.csv", "group_members.csv", "student_goals.csv",
                    "unserved_tutoring.csv", "group_changes.csv", "student_progress.csv", "summary.json",
                    "teacher_load.csv"})   # teachers' planning time moves with their groups


class RegroupRefused(ValueError):
    """Nothing to regroup: the scenario has no assessments.csv, or the result breaks the hard rules already."""


def regroup_result(scenario: Scenario, previous: Result, progress: ProgressFn | None = None,
                   cancel: threading.Event | None = None) -> Result:
    """`previous` with its small groups re-formed from the scenario's latest assessment cycle (see
    `plan.regroup`), goals re-evaluated and summary.json gaining cycle, students_moved,
    students_exited_on_track and students_newly_served. Writes nothing. Raises RegroupRefused without
    assessments or when `previous` breaks a hard rule, `InfeasibleDesign` when the regrouped design breaks
    one (a bug, never written), `SolverFailed` when no solver answers."""
    from workbench.goals.evaluate import evaluate_goals, summary_metrics
    from workbench.goals.progress import student_progress
    from workbench.goals.teachers import reports_teacher_load, teacher_load
    from workbench.plan.regroup import regroup
    from workbench.plan.solver import solver_notes, time_caps

    if scenario.assessments is None or scenario.assessments.empty:
        raise RegroupRefused(f"{scenario.name} has no assessments.csv: add each student's levels of the "
                               "latest cycle (student_id, subject, cycle, level) to regroup from them")
    from workbench.errors import InfeasibleDesign
    from workbench.results.check import check_rules

    breaches = check_rules(scenario, previous)
    if breaches:
        raise RegroupRefused(f"the result to regroup breaks {len(breaches)} hard rule(s) for this scenario (first: "
                             f"{breaches[0]}); run `workbench check` on it, or regroup a result of this scenario")
    start = time.perf_counter()
    reporter = Reporter(progress, cancel)
    with solver_notes() as notes, time_caps() as caps:
        plan = regroup(scenario, previous, reporter)
    result = Result(sections=previous.sections, enrollments=previous.enrollments, groups=plan.groups,
                    group_sessions=plan.group_sessions, group_members=plan.group_members,
                    staffing=previous.staffing, student_supports=previous.student_supports, budget=previous.budget,
                    extra={**{k: v for k, v in previous.extra.items() if f"{k}.csv" not in REMADE},
                           "unserved_tutoring": plan.unserved, "group_changes": plan.changes,
                           "student_progress": student_progress(scenario, previous)})
    result.student_goals = evaluate_goals(scenario, result)
    if reports_teacher_load(scenario):
        result.extra["teacher_load"] = teacher_load(scenario, result)
    breaches = check_rules(scenario, result)
    if breaches:   # a bug in the regroup step: the person gets a plain message, never the design
        raise InfeasibleDesign(["The regrouped design breaks the school's hard rules, so it was not kept (this is "
                                "a bug in the workbench; please report it with the scenario):"]
                               + [f"  {b}" for b in breaches[:20]], phase="regroup")
    result.summary = _summary(scenario, previous, result, plan, notes, caps, time.perf_counter() - start)
    result.summary["metrics"] = {**previous.summary.get("metrics", {}),
                                 **summary_metrics(scenario, result, result.student_goals)}
    return result


def _counts(changes: pd.DataFrame) -> dict[str, int]:
    """Students moved (from one group to another), exited on track, and newly served (no group before)."""
    old, new = changes["old_group_id"].astype(str) != "", changes["new_group_id"].astype(str) != ""
    on_track = changes["why"].astype(str).str.startswith("on track")
    return {"students_moved": int(changes.loc[old & new, "student_id"].nunique()),
            "students_exited_on_track": int(changes.loc[old & ~new & on_track, "student_id"].nunique()),
            "students_newly_served": int(changes.loc[~old & new, "student_id"].nunique())}


def _summary(scenario: Scenario, previous: Result, result: Result, plan, notes, caps, total_s: float) -> dict:
    """The previous summary, with this cycle's status, timings and counts."""
    summary = {k: v for k, v in previous.summary.items() if k not in ("format", "timings")}
    summary.update({
        "status": "feasible" if caps or plan.status != "optimal" else summary.get("status", plan.status),
        "timings": {"build_s": plan.stats.get("build_s", 0.0),
                    "solve_s": round(total_s - plan.stats.get("build_s", 0.0), 3), "total_s": round(total_s, 3)},
        "cycle": plan.cycle,
        **_counts(plan.changes),
        "regrouped_from": str(Path(previous.path).resolve()) if previous.path is not None else None,
        "regroup": {**plan.stats, "solver_notes": list(notes), "stopped_by_time_cap": list(caps)},
    })
    return summary


def kept_files(previous: Result) -> dict[str, Path]:
    """The previous result's files a regroup keeps byte for byte (name -> path)."""
    if previous.path is None:
        return {}
    return {p.name: p for p in sorted(Path(previous.path).glob("*.csv")) if p.name not in REMADE}
