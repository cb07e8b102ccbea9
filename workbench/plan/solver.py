"""Every MIP in the workbench is built into a solver here and run here, with the same options everywhere.

Why one module: a solver that did not run is not a fact about the school. HiGHS 1.16 keeps one thread
scheduler per process and refuses ("Not Solved") a solve whose `threads` differs from an earlier one; when
each step built its own solver, the staffing step used the default and the schedule step `threads=1`, and
the schedule step then explained a solver error as an impossible timetable. So:

- `make_solver` gives every step the same options: one thread, the scenario's seed and gap, and a limit on
  branch-and-bound nodes (work) with the time limit only as a safety cap.
- `run_solver` reads the solver's true answer and sorts it into four outcomes: **optimal**, **feasible**
  (a design, stopped by a limit), **limit** (stopped by a limit before any design was found) and
  **infeasible** (proven). Anything else (an error, "not solved", a crash) is a `SolverFailed`, carrying the
  solver's own words. When HiGHS fails, CBC is tried once and the switch is recorded (`solver_notes`).
- Only a proven **infeasible** outcome may be explained to a school leader as an impossible design.

Why work, not time: a MIP stopped by its clock returns whatever incumbent it had at that moment, which depends
on how busy the machine is, so the same scenario gave different designs (issue 11). A node limit stops a
one-thread, seeded solve at the same node on any machine. A solve that still runs into its time limit says
so (`stopped_by == TIME_CAP`, and `time_caps()` collects the step for summary.json).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import pulp

from workbench.errors import SolverFailed
from workbench.scenario.settings import Solver as SolverSettings

OPTIMAL, FEASIBLE, LIMIT, INFEASIBLE = "optimal", "feasible", "limit", "infeasible"
THREADS = 1   # the same in every solve of a process (HiGHS >= 1.16 refuses a change), and reproducible
# What stopped a solve or a pass before it finished: its deterministic work limit, or the wall-clock cap.
WORK_LIMIT, TIME_CAP = "work limit", "time cap"
# Branch-and-bound nodes a MIP may use unless its step says otherwise. Every MIP of the bundled scenarios, and of
# generated schools up to 5,000 students, closes at the root node; the limit keeps a harder one reproducible
# (a solve stopped by it is `feasible`, never `optimal`).
NODE_LIMIT = 1_000

_notes: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("solver_notes", default=None)
_caps: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("time_caps", default=None)
_banner_lock = threading.Lock()
_banner_done = False


def _swallow_highs_banner() -> None:
    """HiGHS (1.16) prints a two-line copyright banner on standard output when a process makes its first
    solver, whatever the options say. Make that first one here with the output file briefly pointed at
    /dev/null, so that the CLI's output and a notebook's cells hold only what the workbench says."""
    global _banner_done
    with _banner_lock:
        if _banner_done:
            return
        import highspy

        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 1)
                highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _banner_done = True


@dataclass
class SolveOutcome:
    """What one MIP solve gave. `status`: optimal | feasible | limit | infeasible; `objective` and `bound`
    are in the model's own units (None when there is no design); `solver` is the solver that answered
    (after a fallback, not the one asked for); times in seconds. `stopped_by` is WORK_LIMIT (its node
    limit: reproducible), TIME_CAP (its clock: the answer depends on the machine's load) or None (it
    finished); `nodes` the branch-and-bound nodes HiGHS used (None for CBC)."""

    status: str
    objective: float | None
    bound: float | None
    build_s: float
    solve_s: float
    solver: str = "highs"
    stopped_by: str | None = None
    nodes: int | None = None

    @property
    def has_design(self) -> bool:
        return self.status in (OPTIMAL, FEASIBLE)

    @property
    def stopped_by_limit(self) -> bool:
        return self.stopped_by is not None

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return abs(self.bound - self.objective) / max(1e-9, abs(self.objective))


def make_solver(settings: SolverSettings, time_limit_s: float | None = None, gap: float | None = None,
                name: str | None = None, log: deque | None = None, node_limit: int | None = NODE_LIMIT,
                solution_limit: int | None = None):
    """The PuLP solver for `settings` (scenario.yaml `solver:`): HiGHS in-process or the bundled CBC binary,
    one thread, the scenario's seed, relative gap `gap`, at most `node_limit` branch-and-bound nodes (None:
    no limit), at most `solution_limit` improving designs (None: no limit) and, as a safety cap,
    `time_limit_s` seconds (at least 1). `log`, when given, collects HiGHS's log lines (so that a failure
    can quote them)."""
    name = name or settings.name
    limit = max(1.0, float(settings.time_limit_s if time_limit_s is None else time_limit_s))
    gap = settings.mip_gap if gap is None else gap
    if name == "cbc":
        options = [f"randomSeed {int(settings.seed) % 2**31 + 1}"]
        if solution_limit is not None:
            options.append(f"maxSolutions {max(1, int(solution_limit))}")
        return pulp.PULP_CBC_CMD(msg=False, timeLimit=limit, gapRel=gap, threads=THREADS,
                                 maxNodes=None if node_limit is None else max(1, int(node_limit)), options=options)
    _swallow_highs_banner()
    params: dict = {}
    if node_limit is not None:
        params["mip_max_nodes"] = max(1, int(node_limit))
    if solution_limit is not None:
        params["mip_max_improving_sols"] = max(1, int(solution_limit))
    if log is not None:
        import highspy

        params |= {"output_flag": True, "log_to_console": False,
                   "callbackTuple": (lambda _t, message, *_: log.append(message.strip()), None),
                   "callbacksToActivate": [highspy.cb.HighsCallbackType.kCallbackLogging]}
    return _highs_class()(msg=False, timeLimit=limit, gapRel=gap, threads=THREADS,
                          random_seed=int(settings.seed), **params)


@functools.cache
def _highs_class():
    """PuLP's HiGHS, able to read a solve stopped by its node limit: PuLP's status table has no entry for
    HiGHS's kSolutionLimit and raises KeyError, which would turn a reproducible stop into a solver failure."""
    import highspy

    class NodeLimitedHiGHS(pulp.HiGHS):
        def findSolutionValues(self, lp):
            model = lp.solverModel
            if model.getModelStatus() != highspy.HighsModelStatus.kSolutionLimit:
                return super().findSolutionValues(lp)
            values = list(model.getSolution().col_value)
            for var in lp.variables():
                var.varValue = values[var.index]
            if model.getInfo().primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible:
                return pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible
            return pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound

    return NodeLimitedHiGHS


def run_solver(problem: pulp.LpProblem, settings: SolverSettings, *, step: str, time_limit_s: float | None = None,
               gap: float | None = None, build_s: float = 0.0, node_limit: int | None = NODE_LIMIT,
               solution_limit: int | None = None) -> SolveOutcome:
    """Solve `problem` with the scenario's solver and say honestly how it ended.

    The solve stops at `node_limit` branch-and-bound nodes or `solution_limit` improving designs (both
    reproducible: work, not time) or, as a safety cap, after
    `time_limit_s` seconds (default: the scenario's `solver.time_limit_s`); a solve stopped by the cap is
    recorded for summary.json (`time_caps`). Raises `SolverFailed` when the solver gave no answer (an error,
    "not solved", an exception), after one try with CBC when HiGHS was asked for; the switch to CBC is
    recorded in `solver_notes`. `step` names the planning step for messages ("staffing", "schedule: period
    assignment"…)."""
    if not problem.variables():
        return _empty_outcome(problem, build_s)
    first = settings.name
    try:
        outcome = _run_once(problem, settings, first, step, time_limit_s, gap, build_s, (node_limit, solution_limit))
    except SolverFailed as failure:
        if first != "highs" or not settings.fallback:
            raise
        record_note(f"{step}: HiGHS failed ({failure.reason}); solved with CBC instead")
        try:
            outcome = _run_once(problem, settings, "cbc", step, time_limit_s, gap, build_s,
                                (node_limit, solution_limit))
        except SolverFailed as second:
            raise SolverFailed(step, "HiGHS, then CBC",
                               f"HiGHS: {failure.reason}; CBC: {second.reason}") from second
    if outcome.stopped_by == TIME_CAP:
        record_time_cap(step)
    return outcome


def _run_once(problem, settings, name, step, time_limit_s, gap, build_s, work) -> SolveOutcome:
    log: deque[str] = deque(maxlen=40)
    node_limit, solution_limit = work
    solver = make_solver(settings, time_limit_s, gap, name=name, log=log, node_limit=node_limit,
                         solution_limit=solution_limit)
    limit = solver.timeLimit
    t0 = time.perf_counter()
    try:
        problem.solve(solver)
    except Exception as exc:   # noqa: BLE001 - any crash inside the solver is the solver's failure
        raise SolverFailed(step, name, f"{type(exc).__name__}: {exc}") from exc
    solve_s = time.perf_counter() - t0
    status = _classify(problem, name, solve_s, limit)
    if status is None:
        raise SolverFailed(step, name, _reason(problem, name, log))
    nodes = _nodes(problem, name)
    stopped_by = _stopped_by(problem, name, solve_s, limit) if status in (LIMIT, FEASIBLE) else None
    if status in (LIMIT, INFEASIBLE):
        return SolveOutcome(status, None, None, build_s, solve_s, name, stopped_by=stopped_by, nodes=nodes)
    objective = pulp.value(problem.objective)
    objective = float(objective) if objective is not None else 0.0
    bound = objective if status == OPTIMAL else _mip_bound(problem)
    return SolveOutcome(status, objective, bound, build_s, solve_s, name, stopped_by=stopped_by, nodes=nodes)


def _stopped_by(problem: pulp.LpProblem, name: str, solve_s: float, limit: float) -> str:
    """TIME_CAP when the clock stopped the solve, else WORK_LIMIT (its node or solution limit). HiGHS says
    which; CBC's answer through PuLP does not, so its clock decides."""
    if name == "highs":
        import highspy

        timed_out = problem.solverModel.getModelStatus() == highspy.HighsModelStatus.kTimeLimit
        return TIME_CAP if timed_out else WORK_LIMIT
    return TIME_CAP if solve_s >= 0.95 * limit else WORK_LIMIT


def _nodes(problem: pulp.LpProblem, name: str) -> int | None:
    if name != "highs":
        return None
    try:
        return int(problem.solverModel.getInfo().mip_node_count)
    except (AttributeError, ValueError):
        return None


def _classify(problem: pulp.LpProblem, name: str, solve_s: float, limit: float) -> str | None:
    """optimal / feasible / limit / infeasible from the solver's own status, or None for a failure.
    HiGHS can say 'Optimal' when it was stopped by its time limit, so its model status decides."""
    if name == "highs":
        import highspy

        model_status = problem.solverModel.getModelStatus()
        s = highspy.HighsModelStatus
        if model_status == s.kOptimal:
            return OPTIMAL
        if model_status in (s.kInfeasible, s.kUnboundedOrInfeasible):
            return INFEASIBLE
        if model_status in (s.kTimeLimit, s.kIterationLimit, s.kSolutionLimit, s.kObjectiveBound,
                            s.kObjectiveTarget):
            return FEASIBLE if problem.sol_status == pulp.LpSolutionIntegerFeasible else LIMIT
        return None
    if problem.sol_status == pulp.LpSolutionOptimal:
        return OPTIMAL
    if problem.sol_status == pulp.LpSolutionIntegerFeasible:
        return FEASIBLE
    if problem.status == pulp.LpStatusInfeasible or problem.sol_status == pulp.LpSolutionInfeasible:
        return INFEASIBLE
    # CBC says "Not Solved" both when its time ran out with no design and when it broke: the clock tells.
    return LIMIT if solve_s >= 0.95 * limit else None


def _mip_bound(problem: pulp.LpProblem) -> float | None:
    """HiGHS's dual bound in the model's sense (PuLP hands it a maximisation as a negated minimisation)."""
    model = getattr(problem, "solverModel", None)
    if model is None or not hasattr(model, "getInfo"):
        return None
    try:
        dual = float(model.getInfo().mip_dual_bound)
    except (AttributeError, ValueError):
        return None
    if abs(dual) >= 1e30:
        return None
    return -dual if problem.sense == pulp.LpMaximize else dual


def _reason(problem: pulp.LpProblem, name: str, log: deque) -> str:
    """The solver's own words for a failure: its status and its error lines."""
    if name == "highs":
        model = problem.solverModel
        status = model.modelStatusToString(model.getModelStatus())
        errors = [line.removeprefix("ERROR:").strip() for line in log if line.startswith(("ERROR", "WARNING"))]
        return f"status '{status}'" + (f": {' '.join(errors)}" if errors else "")
    return f"status '{pulp.LpStatus.get(problem.status, problem.status)}'"


def _empty_outcome(problem: pulp.LpProblem, build_s: float) -> SolveOutcome:
    """A model with no decisions left (everything fixed by the data): nothing for a solver to do."""
    if not all(constraint.valid() for constraint in problem.constraints.values()):
        return SolveOutcome(INFEASIBLE, None, None, build_s, 0.0, "none")
    objective = float(pulp.value(problem.objective) or 0.0) if problem.objective is not None else 0.0
    return SolveOutcome(OPTIMAL, objective, objective, build_s, 0.0, "none")


def record_note(note: str) -> None:
    """Remember something a solve had to do differently (shown in summary.json `solver_notes`)."""
    notes = _notes.get()
    if notes is not None and note not in notes:
        notes.append(note)


def record_time_cap(what: str) -> None:
    """Remember that a solve or a pass was stopped by its wall-clock cap, not by its work limit: its answer
    depends on the machine's load (summary.json `stopped_by_time_cap`; the design is then only `feasible`)."""
    caps = _caps.get()
    if caps is not None and what not in caps:
        caps.append(what)


@contextlib.contextmanager
def time_caps() -> Iterator[list[str]]:
    """Collect the solves and passes stopped by their time cap in this context (see `record_time_cap`)."""
    token = _caps.set([])
    try:
        yield _caps.get()
    finally:
        _caps.reset(token)


@contextlib.contextmanager
def solver_notes() -> Iterator[list[str]]:
    """Collect what the solvers had to do differently in this context (a fallback to CBC), for
    summary.json and the progress line. Each thread or task has its own list."""
    token = _notes.set([])
    try:
        yield _notes.get()
    finally:
        _notes.reset(token)


def require_design(outcome: SolveOutcome, step: str, time_limit_s: float) -> SolveOutcome:
    """For a step that must give a design: a solve stopped by its limit before finding one is the solver's
    failure (with a time limit to raise), not the school's. A proven infeasible outcome is returned for
    the step to explain."""
    if outcome.status == LIMIT and outcome.stopped_by == WORK_LIMIT:
        raise SolverFailed(step, outcome.solver, f"stopped by its work limit ({outcome.nodes or 'its'} "
                           "branch-and-bound nodes) before finding any design",
                           hint="please report the scenario: this model needs a larger node limit")
    if outcome.status == LIMIT:
        raise SolverFailed(step, outcome.solver, f"stopped by its time limit of {time_limit_s:.0f} s "
                           "before finding any design", hint="raise `solver: time_limit_s` in scenario.yaml")
    return outcome
