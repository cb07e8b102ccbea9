"""Last, softest pass of the schedule: balanced section sizes and teachers' sections spread over the day.

Schools judge a finished schedule on more than requests placed: Harts balances class sizes once students are
scheduled, UniTime reports "sections off balance by 10% or more", and a teacher given five classes back to
back with no break is a complaint on the first day. Both are soft: they come after requests and goals and
may never cost either, so every step here is checked against the request score and the goals met, and
undone through the Placement journal when it would lower them.

* teacher spread: a teacher whose sections form a run of more than MAX_RUN consecutive periods first trades
  one of them with a colleague teaching the same course in one of their free periods (no student moves),
  else gets one moved to a free period (the section-move machinery of the local search re-seats the
  students); either stands only when no request or goal is lost;
* soft limits (only when staff.csv or roles.csv gives `max_consecutive` / `max_preps`): a teacher's own
  max_consecutive replaces MAX_RUN for her runs; a teacher over her max_preps trades a section with a colleague
  teaching another course in the same period (no student moves), where the trade lowers her preps and puts
  the colleague over no limit of his own. The pass's other moves never change a teacher's courses, so they
  add no prep;
* balance: within each course with several sections, students are re-seated (same period: always free;
  another period: only when the student is free then) to bring every section within 10% of the course's
  mean. Students with a goal in the course stay put, and a section holding a class-size goal student never
  grows past that student's cap.

Both are bounded by a `Budget` of work on the `Placement`'s meter (section moves' re-matches, the balance
MIPs' sizes, the swaps tried), never by the clock, so the pass ends at the same point on any machine.
"""

from __future__ import annotations

import pandas as pd
import pulp

from workbench.plan.schedule.common import Budget, mip_work
from workbench.plan.schedule.goals import goal_counts
from workbench.plan.schedule.improve import Placement
from workbench.plan.schedule.students import Goals
from workbench.plan.solver import run_solver
from workbench.scenario.staff_table import soft_limits, uses_soft_limits

MAX_RUN = 3        # consecutive teaching periods a teacher may have before a break is wanted
OFF_BALANCE = 0.10  # UniTime's measure: a section 10% or more off its course's mean size
BALANCE_NODES = 200  # branch-and-bound nodes for one course's balance MIP (the bundled schools' close at the root)


def balance_measure(state: Placement) -> dict:
    """Sections (of courses running two or more) whose size is 10% or more off their course's mean."""
    off = total = 0
    for secs in state.by_course.values():
        if len(secs) < 2:
            continue
        mean = sum(state.size[i] for i in secs) / len(secs)
        total += len(secs)
        off += sum(1 for i in secs if mean > 0 and abs(state.size[i] - mean) >= OFF_BALANCE * mean)
    return {"sections_off_balance": off, "sections_in_multi_section_courses": total}


def _runs(periods: set[int], order: list[int]) -> list[int]:
    """Lengths of runs of consecutive periods (in the day's order) among `periods`."""
    runs, cur = [], 0
    for p in order:
        if p in periods:
            cur += 1
        elif cur:
            runs.append(cur)
            cur = 0
    if cur:
        runs.append(cur)
    return runs


def _excess(periods: set[int], order: list[int], limit: int = MAX_RUN) -> int:
    """Periods beyond `limit` in the teacher's runs of consecutive teaching periods."""
    return sum(max(0, r - limit) for r in _runs(periods, order))


def teacher_periods(state: Placement) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for i in range(state.n):
        out.setdefault(state.staff[i], set()).add(state.period[i])
    return out


def spread_measure(state: Placement, order: list[int]) -> dict:
    """Teachers with more than MAX_RUN consecutive teaching periods, and the periods over that run in all."""
    periods = teacher_periods(state)
    excess = {t: _excess(p, order) for t, p in periods.items()}
    return {"teachers_over_3_consecutive": sum(1 for e in excess.values() if e > 0),
            "consecutive_periods_over_3": sum(excess.values())}


def _protected(state: Placement, goals: Goals) -> tuple[set, dict]:
    """(student, course) pairs with a goal (never moved by balancing) and each student's smallest cap."""
    index = {s: k for k, s in enumerate(state.students)}
    keep, cap = set(), {}
    for frame in (goals.max_size, goals.strong):
        for g in frame.itertuples():
            k = index.get(g.student_id)
            if k is None:
                continue
            for c in g.courses:
                keep.add((k, c))
                if frame is goals.max_size:
                    cap[k, c] = min(int(g.target), cap.get((k, c), 10**9))
    return keep, cap


def spread_teachers(state: Placement, order: list[int], budget: Budget, guard,
                    run_limit: dict[str, int] | None = None) -> dict:
    """Move a section out of each over-long run to one of the teacher's free periods, where that costs no
    request and no goal (`guard()` says whether the state is still at least as good as before the pass). A run
    is over-long beyond the teacher's `run_limit` (staff_id -> her max_consecutive), MAX_RUN for the others."""
    tried = kept = 0
    limit = _limits(run_limit)
    periods = teacher_periods(state)
    for t in sorted(periods, key=lambda t: -_excess(periods[t], order, limit(t))):
        mine = teacher_periods(state).get(t, set())   # fresh: an earlier exchange may have changed t's day
        if _excess(mine, order, limit(t)) == 0:
            continue
        for _ in range(4):   # a few moves per teacher at most
            if budget.spent() or _excess(mine, order, limit(t)) == 0:
                break
            state.tick()
            free = [p for p in order if p not in mine and p in state.available.get(t, ())]
            if _swap_teachers(state, t, mine, free, order, guard, limit):
                kept += 1
                mine = teacher_periods(state).get(t, set())
                continue
            moved = False
            # every (old, new) pair that lowers the excess, best first, until one is accepted
            options = sorted(((_excess((mine - {a}) | {b}, order, limit(t)), a, b) for a in mine for b in free),
                             key=lambda x: x[0])
            for after, p_old, p_new in options:
                if after >= _excess(mine, order, limit(t)) or budget.spent():
                    break
                i = state.teacher_at.get((t, p_old))
                if i is None:
                    continue
                tried += 1
                mark = len(state.log)
                if state.try_move(i, p_new, sideways=True):
                    if guard():
                        kept += 1
                        moved = True
                        mine = (mine - {p_old}) | {p_new}
                        break
                    state.undo(mark)
                    state._reindex()
            if not moved:
                break
    return {"moves_tried": tried, "moves_kept": kept}


def _limits(run_limit: dict[str, int] | None):
    """staff_id -> the longest run she may teach: her own limit, else MAX_RUN."""
    given = run_limit or {}
    return lambda t: given.get(t, MAX_RUN)


def _swap_teachers(state: Placement, t: str, mine: set, free: list, order: list, guard, limit=None) -> bool:
    """Teachers of two sections of the same course at different periods exchange them: no student moves,
    so this is the free choice a full timetable leaves. Kept when t's runs shorten, the other teacher's do
    not lengthen, and `guard()` holds (a strong-teacher goal may depend on who teaches)."""
    limit = limit or _limits(None)
    current = _excess(mine, order, limit(t))
    for i in [state.teacher_at[t, p] for p in sorted(mine) if (t, p) in state.teacher_at]:
        if state.pinned_period[i] or state.pinned_room[i]:
            continue
        a = state.period[i]
        for j in state.by_course[state.course[i]]:
            u, b = state.staff[j], state.period[j]
            if u == t or b not in free or state.pinned_period[j] or state.pinned_room[j]:
                continue
            if (t, b) in state.teacher_at or (u, a) in state.teacher_at or a not in state.available.get(u, ()):
                continue
            theirs = {state.period[x] for x in range(state.n) if state.staff[x] == u}
            if _excess((mine - {a}) | {b}, order, limit(t)) >= current or \
                    _excess((theirs - {b}) | {a}, order, limit(u)) > _excess(theirs, order, limit(u)):
                continue
            _exchange(state, i, j)
            if guard():
                return True
            _exchange(state, i, j)
    return False


def _exchange(state: Placement, i: int, j: int) -> None:
    ti, tj = state.staff[i], state.staff[j]
    state.staff[i], state.staff[j] = tj, ti
    state.sections.loc[[i, j], "staff_id"] = [tj, ti]
    state.teacher_at[tj, state.period[i]] = i
    state.teacher_at[ti, state.period[j]] = j
    del state.teacher_at[ti, state.period[i]]
    del state.teacher_at[tj, state.period[j]]


def teacher_preps(state: Placement) -> dict[str, dict[str, int]]:
    """staff_id -> course -> how many of its sections she teaches (her preps are the courses)."""
    out: dict[str, dict[str, int]] = {}
    for i in range(state.n):
        mine = out.setdefault(state.staff[i], {})
        mine[state.course[i]] = mine.get(state.course[i], 0) + 1
    return out


def trade_preps(state: Placement, max_preps: dict[str, int], budget: Budget, guard) -> dict:
    """A teacher over her `max_preps` (staff_id -> limit) hands a section of one of her courses to a colleague
    teaching another course in the same period, and takes his: no student and no period moves, only who
    teaches. Kept when her preps fall, his stay within his own limit (or do not rise), both may teach the
    other's course (certified, not pinned) and `guard()` holds (a strong-teacher goal may depend on who
    teaches). Returns the trades tried and kept."""
    tried = kept = 0
    for t in sorted(max_preps):
        for _ in range(4):   # a few trades per teacher at most
            preps = teacher_preps(state)
            if budget.spent() or len(preps.get(t, {})) <= max_preps[t]:
                break
            state.tick()
            trade = _prep_trade(state, t, preps, max_preps, guard, budget)
            tried += trade[0]
            if not trade[1]:
                break
            kept += 1
    return {"trades_tried": tried, "trades_kept": kept}


def _prep_trade(state: Placement, t: str, preps: dict, max_preps: dict[str, int], guard,
                budget: Budget) -> tuple[int, bool]:
    """One trade for teacher t, her rarest course first: (trades tried, whether one was kept)."""
    mine = preps[t]
    tried = 0
    for i in sorted((i for i in range(state.n) if state.staff[i] == t),
                    key=lambda i: (mine[state.course[i]], state.course[i], state.period[i])):
        p, x = state.period[i], state.course[i]
        for j in range(state.n):
            u, y = state.staff[j], state.course[j]
            if state.period[j] != p or u == t or y == x or not state.may_teach(i, u, p) or \
                    not state.may_teach(j, t, p):
                continue
            theirs = preps.get(u, {})
            mine_after = len(mine) - (mine[x] == 1) + (y not in mine)
            theirs_after = len(theirs) - (theirs[y] == 1) + (x not in theirs)
            if mine_after >= len(mine) or (theirs_after > len(theirs)
                                           and theirs_after > max_preps.get(u, theirs_after)):
                continue
            if budget.spent():
                return tried, False
            tried += 1
            state.work += 1   # on the pass's budget, like a swap tried
            mark = len(state.log)
            state.hand_in_place(i, u)
            state.hand_in_place(j, t)
            if guard():
                return tried, True
            state.undo(mark)
            state._reindex()
    return tried, False


def soft_limit_measure(state: Placement, order: list[int], run_limit: dict[str, int],
                       max_preps: dict[str, int]) -> dict:
    """Teachers over their own max_consecutive and over their own max_preps (only teachers given one)."""
    periods, preps = teacher_periods(state), teacher_preps(state)
    return {"teachers_over_max_consecutive": sum(1 for t, limit in run_limit.items()
                                                 if _excess(periods.get(t, set()), order, limit) > 0),
            "teachers_over_max_preps": sum(1 for t, limit in max_preps.items() if len(preps.get(t, {})) > limit)}


def teacher_soft_limits(scenario, teachers: pd.DataFrame) -> tuple[dict[str, int], dict[str, int]]:
    """(staff_id -> max_consecutive, staff_id -> max_preps) for the teachers given one (`teachers`: the
    catalog's, indexed by staff_id with each one's role in this design)."""
    roles = teachers["role"] if "role" in teachers.columns else pd.Series("", index=teachers.index)
    limits = soft_limits(scenario, roles)
    return ({t: int(v) for t, v in limits["max_consecutive"].dropna().items()},
            {t: int(v) for t, v in limits["max_preps"].dropna().items()})


def balance_sections(state: Placement, goals: Goals, budget: Budget, scenario=None) -> int:
    """Re-seat the movable students of each course with several sections so that as few sections as possible
    are 10% or more off the course's mean; returns the number of students moved. A small MIP per course
    (students x sections they are free for), applied only when it is a complete answer; then swaps of two
    of a student's courses between periods, for students with no free period. Requests placed and goals met
    cannot change (see the module doc)."""
    keep, cap = _protected(state, goals)
    moved = 0
    for c in sorted(state.by_course, key=lambda c: -len(state.by_course[c])):
        secs = state.by_course[c]
        if len(secs) < 2 or budget.spent():
            continue
        state.tick()
        mean = sum(state.size[i] for i in secs) / len(secs)
        if all(abs(state.size[i] - mean) < OFF_BALANCE * mean for i in secs):
            continue
        moved += _balance_course(state, c, secs, mean, keep, cap, scenario, budget)
    return moved + _swap_periods(state, keep, cap, budget)


def _course_cost(state: Placement, c: str, change: dict[int, int]) -> float:
    """Sections off balance in course c (plus a little for the total distance from the mean), with the
    size changes `change` (section -> +/- students) applied."""
    secs = state.by_course[c]
    mean = sum(state.size[i] for i in secs) / len(secs)
    cost = 0.0
    for i in secs:
        dev = abs(state.size[i] + change.get(i, 0) - mean)
        cost += (dev >= OFF_BALANCE * mean) + 0.01 * dev
    return cost


def _swap_periods(state: Placement, keep, cap, budget: Budget) -> int:
    """A student with no free period can still change sections: course c moves from period a to a smaller
    section at period b while their course d moves from b to a section at a. Kept when the two courses
    together have fewer sections off balance (seats, caps and goal students respected)."""
    moved = 0
    for _ in range(3):
        changed = False
        for c, secs in state.by_course.items():
            if len(secs) < 2 or budget.spent():
                continue
            mean = sum(state.size[i] for i in secs) / len(secs)
            for i in sorted(secs, key=lambda i: -state.size[i]):
                if state.size[i] - mean < OFF_BALANCE * mean and mean - min(state.size[j] for j in secs) \
                        < OFF_BALANCE * mean:
                    break
                for j in sorted(secs, key=lambda j: state.size[j]):
                    if state.size[j] >= state.size[i] - 1 or not _room_for(state, j, c, cap):
                        continue
                    moved_here = _swap_into(state, c, i, j, keep, cap)
                    moved += moved_here
                    changed |= moved_here > 0
        if not changed:
            break
    return moved


def _room_for(state: Placement, j: int, c: str, cap) -> bool:
    limit = min([state.cap[j]] + [cap[m, c] for m in state.members[j] if (m, c) in cap])
    return state.size[j] + 1 <= limit


def _swap_into(state: Placement, c: str, i: int, j: int, keep, cap) -> int:
    """Move one student of c from section i to section j, their class in j's period going to i's period."""
    state.work += 1
    a, b = state.period[i], state.period[j]
    for k in sorted(state.members[i]):
        if (k, c) in keep or (k, c) in cap:
            continue
        d = state.busy[k].get(b)
        if d is None or (k, d) in keep or (k, d) in cap:
            if d is None and _course_cost(state, c, {i: -1, j: 1}) < _course_cost(state, c, {}):
                state._seat(k, c, j)
                return 1
            continue
        src = state.assign[k][d]
        for j2 in state.by_course[d]:
            if state.period[j2] != a or not _room_for(state, j2, d, cap):
                continue
            before = _course_cost(state, c, {}) + _course_cost(state, d, {})
            after = _course_cost(state, c, {i: -1, j: 1}) + _course_cost(state, d, {src: -1, j2: 1})
            if after < before - 1e-9:
                state._seat(k, c, -1)
                state._seat(k, d, j2)
                state._seat(k, c, j)
                return 1
    return 0


def _balance_course(state: Placement, c, secs, mean, keep, cap, scenario, budget: Budget) -> int:
    prob = pulp.LpProblem(f"balance_{c}", pulp.LpMinimize)
    fixed = {i: 0 for i in secs}
    load: dict[int, dict] = {i: {} for i in secs}
    x = {}
    terms: dict = {}
    movable = []
    for i in secs:
        for k in state.members[i]:
            if (k, c) in keep or (k, c) in cap:
                fixed[i] += 1
                continue
            movable.append((k, i))
    for k, cur in movable:
        row = {}
        for j in secs:
            if j == cur or state.period[j] == state.period[cur] or state.period[j] not in state.busy[k]:
                v = x[k, j] = pulp.LpVariable(f"x_{k}_{j}", cat="Binary")
                row[v] = 1.0
                load[j][v] = 1.0
                if j != cur:
                    terms[v] = 0.001
        prob += pulp.LpAffineExpression(row) == 1, f"one_{k}"
    tol = OFF_BALANCE * mean - 0.01
    for i in secs:
        size = pulp.LpAffineExpression(load[i]) + fixed[i]
        limit = min([state.cap[i]] + [cap[m, c] for m in state.members[i] if (m, c) in cap])
        prob += size <= max(limit, fixed[i]), f"seats_{i}"
        off = pulp.LpVariable(f"off_{i}", cat="Binary")
        dev = pulp.LpVariable(f"dev_{i}", lowBound=0)
        big = float(state.cap[i] + mean)
        prob += size - mean - tol <= big * off, f"hi_{i}"
        prob += mean - size - tol <= big * off, f"lo_{i}"
        prob += dev >= size - mean, f"dhi_{i}"
        prob += dev >= mean - size, f"dlo_{i}"
        terms[off] = 1.0
        terms[dev] = 0.01
    prob += pulp.LpAffineExpression(terms)
    state.work += mip_work(len(x))
    outcome = run_solver(prob, scenario.settings.solver, step="schedule: balancing class sizes",
                         time_limit_s=budget.seconds_left(), node_limit=BALANCE_NODES)
    if not outcome.has_design:
        return 0
    choice = {k: j for (k, j), v in x.items() if (v.value() or 0) > 0.5}
    if len(choice) != len(movable):
        return 0
    mark = len(state.log)
    moved = state.reseat(c, choice)
    ok = all(state.size[i] <= state.cap[i] for i in secs) and all(
        len({state.period[j] for j in state.assign[k].values()}) == len(state.assign[k]) for k, _ in movable)
    if not ok:
        state.undo(mark)
        return 0
    return moved


def polish(state: Placement, scenario, teachers, goals: Goals, budget: Budget) -> dict:
    """Teacher spread, then balance, on `state` in place, within `budget`; the measures before and after and
    the work done, for the stats."""
    order = list(scenario.periods)

    def goals_met() -> list[int]:
        return [v["met"] for v in goal_counts(state, teachers, goals).values()]

    def placed() -> tuple[int, int]:
        required = sum(c[1] for c in state.count)
        credit = sum(min(state.n_elec[k], c[2] + c[3]) for k, c in enumerate(state.count))
        return required, required + credit

    start_placed, start_goals = placed(), goals_met()

    def guard() -> bool:
        now = placed()
        return now[0] >= start_placed[0] and now[1] >= start_placed[1] and all(
            a >= b for a, b in zip(goals_met(), start_goals, strict=True))

    limited = uses_soft_limits(scenario)
    run_limit, max_preps = teacher_soft_limits(scenario, teachers) if limited else ({}, {})

    def measures() -> dict:
        soft = {"soft_limits": soft_limit_measure(state, order, run_limit, max_preps)} if limited else {}
        return {**balance_measure(state), **spread_measure(state, order), **soft}

    before = measures()

    def spread_guard() -> bool:
        # a section move re-seats students: it must not leave more sections off balance either
        return guard() and balance_measure(state)["sections_off_balance"] <= before["sections_off_balance"]

    trades = {"preps": trade_preps(state, max_preps, budget, guard)} if limited else {}
    spread = spread_teachers(state, order, budget, spread_guard, run_limit)
    moved = balance_sections(state, goals, budget, scenario)
    after = measures()
    return {"before": before, "after": after, "spread": spread, **trades, "students_rebalanced": moved,
            **budget.info()}
