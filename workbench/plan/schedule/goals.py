"""Goal pass of the schedule: students' max_class_size, strong_teacher and course goals, after requests (issue 3).

The local search that places requests at scale is blind to goals, and the goal-aware student MIP only fits
small schools. The pass works in the order a scheduler would:

1. Inclusion sections. The class-size students of a course are usually spread over its periods, and their other
   classes keep them there, so no re-seating within the course gathers them. Instead one section of the course
   is chosen (the one most of them can reach) and its seats are lowered to their cap; each goal student is
   brought in by re-timing their other classes (`Placement.retime`: their other courses re-matched to periods,
   into open sections or by an ejection chain), and classmates without the goal are re-timed out to the
   course's other sections, by turns, so that a seat freed by a student coming in takes the next one going
   out. Tried on several sections and undone; the best is kept. A course whose other sections cannot seat the
   students sent out (too few spare seats) gets none: that needs another section, not a better timetable.
2. A MIP per course (students × sections, each student's other classes fixed) then re-seats students within
   the course, for strong-teacher goals and any class-size goals left:
   * every student enrolled in the course stays enrolled in it (requests placed never drop);
   * a student may only go to a section whose period they have free (or the period they already use for it);
   * seats: a section never exceeds its cap (an inclusion section: its lowered cap); a section chosen as small
     holds at most the target;
   * a max_class_size student counts as met only in a section of at most their target; a strong_teacher
     student only in a section whose teacher meets their target (effectiveness, or a leader's team);
   * goals met first, then as few moves as possible (a schedule people already saw changes little).
3. Students still unmet are re-timed one by one into a section that meets their goal (where it is full, or a
   full class of theirs is in the way, by a swap: the student one seat over, then a classmate without a goal
   re-timed out, into the seat she left or another); then sections move to a period where an unmet class-size
   student is free.
4. Course goals: the local search counts an alternate standing in for an elective as a placed request, so a
   student may sit in her alternate while the elective she named as her goal stayed out. Her timetable is
   re-matched around that course (`Placement.place`: the alternate gives way, other classes are re-timed, a
   classmate moves to another section of a full class), or a classmate without a goal is re-timed out of the
   full section that blocks it, to a section with room or, where every other one is full too, to the seat
   the student left (a swap of two students). Seats that meet class-size and strong-teacher goals stay put and
   classes that meet a class-size goal take nobody more meanwhile. Last, so that the steps above are not
   disturbed; they count course goals among the goals they must not lose.

Each step is kept only when no request is lost and more goals are met. Teachers and rooms do not change and
periods only by the local search's own section move, so the hard rules the search kept still hold (and the
schedule re-checks them with the independent checker).

The pass is bounded by a `Budget` of work (courses matched into timetables and the course MIPs' sizes, on the
`Placement`'s meter), not by the clock, so it ends at the same point on any machine; each course MIP stops at
COURSE_NODES branch-and-bound nodes.
"""

from __future__ import annotations

import pulp

from workbench.plan.goal_meaning import class_within, teacher_meets
from workbench.plan.schedule.common import Budget, mip_work
from workbench.plan.schedule.improve import Placement
from workbench.plan.schedule.students import Goals
from workbench.plan.solver import run_solver
from workbench.scenario.model import Scenario

W_MOVE = 0.001        # per student moved: far below one goal
COURSE_NODES = 500    # branch-and-bound nodes for one course's MIP (those of the bundled schools close at the root)
LATE_SHARE = 0.3      # share of the pass's work kept from the course MIPs for the steps after them
# A course MIP over more (student, section) pairs than this is not tried: on a 5,000-student school ALG1 has
# 1,238 students in 47 sections, and its MIP ran to the time limit without moving anyone (summit-high's largest
# math course has 7,395 pairs and solves in 0.2 s).
MIP_MAX_PAIRS = 30_000
# A class-size goal over more courses than this (a blank subject: every class) is left to the goal table: it
# is met only when every one of the student's classes is small, and trying costs a MIP on every course.
MAX_CAP_COURSES = 2


def goal_counts(state: Placement, teachers, goals: Goals) -> dict:
    """Goals met by kind on the current placement, judged as the goal table does: every requested course of
    the goal's subject placed in a section that meets it, and at least one placed."""
    out = {kind: {"met": 0, "of": len(frame)} for kind, frame in _seat_goals(goals)}
    for kind, _target, _k, _courses in _goals_met(state, teachers, goals):
        out[kind]["met"] += 1
    if state.course_goals:
        out["course"] = {"met": sum(c in state.assign[k] for k, c in state.course_goals),
                         "of": len(state.course_goals)}
    return out


def _seat_goals(goals: Goals) -> tuple:
    return (("max_class_size", goals.max_size), ("strong_teacher", goals.strong))


def _goals_met(state: Placement, teachers, goals: Goals, kinds=("max_class_size", "strong_teacher")):
    """(kind, target, student, courses placed) for each class-size or strong-teacher goal met now: at least
    one of its courses placed, and every placed one in a section that meets it."""
    index = {s: k for k, s in enumerate(state.students)}
    for kind, frame in _seat_goals(goals):
        if kind not in kinds:
            continue
        for g in frame.itertuples():
            k = index.get(g.student_id)
            if k is None:
                continue
            mine = [c for c in g.courses if c in state.assign[k]]
            if mine and all(_meets(state, teachers, kind, g.target, state.assign[k][c]) for c in mine):
                yield kind, g.target, k, mine


def _meets(state: Placement, teachers, kind: str, target, i: int) -> bool:
    """Whether section `i` meets one student's goal of `kind` now (`goal_meaning`: class size or teacher)."""
    if kind == "max_class_size":
        return class_within(state.size[i], int(target))
    t = state.staff[i]
    key = (t, str(target))
    if key not in state.memo:   # a teacher's rating never changes: the pandas look-up once per target
        state.memo[key] = t in teachers.index and teacher_meets(teachers.at[t, "effectiveness"],
                                                                teachers.at[t, "led"], str(target))
    return state.memo[key]


def improve_goals(state: Placement, teachers, goals: Goals, scenario: Scenario, budget: Budget,
                  tick=None) -> dict:
    """Inclusion sections, then one MIP per course that has goal students, then single students re-timed and
    sections moved (see the module doc), within `budget`. Changes `state` in place (its seats as they
    were); returns what was done (for the plan's stats)."""
    tick = tick or (lambda: None)
    index = {s: k for k, s in enumerate(state.students)}
    cap_goal: dict[tuple[int, str], int] = {}
    strong_goal: dict[tuple[int, str], list[str]] = {}
    for g in goals.max_size.itertuples():
        if len(g.courses) > MAX_CAP_COURSES:
            continue
        k = index.get(g.student_id)
        for c in g.courses if k is not None else ():
            if c in state.assign[k]:
                cap_goal[k, c] = min(int(g.target), cap_goal.get((k, c), 10**9))
    for g in goals.strong.itertuples():
        k = index.get(g.student_id)
        for c in g.courses if k is not None else ():
            if c in state.assign[k]:
                strong_goal.setdefault((k, c), []).append(str(g.target))
    per_course: dict[str, int] = {}
    for _k, c in list(cap_goal) + list(strong_goal):
        per_course[c] = per_course.get(c, 0) + 1
    done = {"courses": 0, "moved": 0, "skipped_for_work": 0, "solve_s": 0.0}
    # Inclusion sections first (cheap): a section of a course made small for its class-size students, who are
    # brought in (and classmates without the goal sent out) by re-timing their other classes. The course
    # MIPs then keep those sections small (their seats stay lowered until the pass ends).
    lowered: dict[int, int] = {}
    done["inclusion"] = _inclusion_sections(state, teachers, cap_goal, strong_goal, lowered, budget, tick)
    # the course MIPs (and section moves, which re-solve one) may use the work left but a share: on a large
    # school they can move nobody, and the course goals after them are cheap per student
    mips = budget.part("course MIPs", (1 - LATE_SHARE) * budget.left())
    for c in sorted(per_course, key=lambda c: (-per_course[c], c)):
        tick()
        if mips.spent():
            done["skipped_for_work"] += 1
            continue
        if len(state.by_course.get(c, ())) < 2:
            continue
        if not _mip_fits(state, c):
            done["too_large"] = done.get("too_large", 0) + 1
            continue
        moved, seconds = _solve_course(state, teachers, c, cap_goal, strong_goal, scenario, mips)
        done["courses"] += 1
        done["moved"] += moved
        done["solve_s"] += seconds
    # Students whose free periods reach no small or strong section: re-match their whole timetable around a
    # section that meets their goal (as the student repair does), then let the course MIPs tidy up again.
    done["rematched"] = 0
    for (k, c) in sorted(set(cap_goal) | set(strong_goal)):
        if budget.spent():
            break
        if c in state.assign[k] and not _goal_ok(state, teachers, k, c, cap_goal, strong_goal):
            done["rematched"] += _rematch(state, teachers, k, c, cap_goal, strong_goal)
    if done["rematched"]:
        for c in sorted(per_course, key=lambda c: (-per_course[c], c)):
            if mips.spent() or len(state.by_course.get(c, ())) < 2:
                continue
            moved, seconds = _solve_course(state, teachers, c, cap_goal, strong_goal, scenario, mips)
            done["moved"] += moved
            done["solve_s"] += seconds
    done["section_moves"] = _move_for_caps(state, teachers, cap_goal, strong_goal, scenario, mips, tick)
    # Course goals last, around the seats that now meet class-size and strong-teacher goals (kept in place) and
    # the inclusion sections (their caps still lowered); the steps before count course goals among the goals
    # they must not lose.
    done["course_goals"] = _place_course_goals(state, teachers, goals, cap_goal, strong_goal, budget, tick)
    for i, cap in lowered.items():
        state.cap[i] = cap
    state.keep.clear()
    done["solve_s"] = round(done["solve_s"], 3)
    done["course_mips"] = mips.info()
    return {**done, **budget.info()}


CLASSMATES_TRIED = 4   # classmates re-timed out of one full section to seat a course-goal student, at most


def _place_course_goals(state: Placement, teachers, goals: Goals, cap_goal, strong_goal, budget: Budget,
                        tick) -> dict:
    """Course goals on a requested course the student does not have (an alternate usually stands in for the
    elective they named). The student's timetable is re-matched around the course (`Placement.place`: their
    other classes re-timed, the alternate giving way, a classmate moved to another section of a full class
    by an ejection); failing that, a classmate without a goal there is re-timed out of a full section that
    blocks it (of the course, or of one of the student's other courses: `Placement.retime`) and the student
    re-matched again. Seats that meet a class-size
    or strong-teacher goal stay put (`keep`) meanwhile; each placement stands only when no required course
    or request is lost and more goals are met in all (as `goal_counts` counts them); otherwise it is undone."""
    out = {"tried": 0, "placed": 0, "classmates_retimed": 0}
    unmet = [(k, c) for k, c in dict.fromkeys(state.course_goals) if c not in state.assign[k]]
    if not unmet:
        return out
    protect = _goal_seats(state, teachers, goals) - state.keep
    state.keep |= protect
    # a class that meets a student's class-size goal takes nobody more (its seats lowered meanwhile)
    small = _small_classes(state, teachers, goals)
    seats = {i: state.cap[i] for i in small}
    for i, cap in small.items():
        state.cap[i] = min(state.cap[i], cap)

    def met() -> int:
        return sum(v["met"] for v in goal_counts(state, teachers, goals).values())

    try:
        for k, c in unmet + unmet:   # twice: a student placed later may open the way for one tried before
            tick()
            if budget.spent():
                break
            if c in state.assign[k]:
                continue
            out["tried"] += 1
            mark, before, placed = len(state.log), met(), _requests(state)

            def better(before=before, placed=placed) -> bool:
                return all(a >= b for a, b in zip(_requests(state), placed, strict=True)) and met() > before

            if state.place(k, c) and better():
                out["placed"] += 1
                continue
            state.undo(mark)
            blocking = _blocking_sections(state, k, c)
            if any(_retime_classmate_out(state, k, c, i, cap_goal, strong_goal, better, mark) for i in blocking):
                out["placed"] += 1
                out["classmates_retimed"] += 1
                continue
            # both sections full: k into the blocking one, a classmate from it into the seat k left
            if any(_swap_in(state, k, [i], lambda k=k, c=c: state.place(k, c), cap_goal, strong_goal, better)
                   for i in blocking):
                out["placed"] += 1
                out["swapped"] = out.get("swapped", 0) + 1
    finally:
        state.keep -= protect
        for i, cap in seats.items():
            state.cap[i] = cap
    return out


def _small_classes(state: Placement, teachers, goals: Goals) -> dict[int, int]:
    """Sections that meet a student's class-size goal now, with the smallest such target among their students."""
    out: dict[int, int] = {}
    for _kind, target, k, mine in _goals_met(state, teachers, goals, kinds=("max_class_size",)):
        for c in mine:
            i = state.assign[k][c]
            out[i] = min(out.get(i, state.cap[i]), int(target))
    return out


BLOCKING_SECTIONS = 6   # full sections tried per course-goal student, whose classmates might be re-timed out


def _blocking_sections(state: Placement, k: int, c: str) -> list[int]:
    """Full sections of c or of student k's other courses that, with one more seat, would let k have c."""
    out = []
    for d, _ in state.reqs[k]:
        for i in state.by_course.get(d, ()):
            if len(out) >= BLOCKING_SECTIONS:
                return out
            if state.size[i] < state.cap[i] or state.assign[k].get(d) == i or (k, d) in state.keep:
                continue
            state.cap[i] += 1   # as if one classmate had left: only asked, nothing is seated
            fits = state.place(k, c, dry=True)
            state.cap[i] -= 1
            if fits:
                out.append(i)
    return out


def _retime_classmate_out(state: Placement, k: int, c: str, i: int, cap_goal, strong_goal, better,
                          mark: int) -> bool:
    """A classmate in section i without a goal in its course re-timed to another section of it (their other
    classes moving as needed), then k placed in c; undone to `mark` unless `better()` holds."""
    d = state.course[i]
    others = [j for j in state.by_course[d] if j != i]
    movable = [o for o in sorted(state.members[i]) if (o, d) not in state.keep
               and (o, d) not in cap_goal and (o, d) not in strong_goal]
    for o in movable[:CLASSMATES_TRIED]:
        if state.retime(o, {d: others}) and state.place(k, c) and better():
            return True
        state.undo(mark)
    return False


def _goal_seats(state: Placement, teachers, goals: Goals) -> set[tuple[int, str]]:
    """(student, course) seats that meet a class-size or strong-teacher goal now (the goal met as a whole)."""
    return {(k, c) for _kind, _target, k, mine in _goals_met(state, teachers, goals) for c in mine}


def _requests(state: Placement) -> tuple[int, int]:
    """Required courses placed, and requests placed (an alternate standing in for a missing elective)."""
    required = sum(n[1] for n in state.count)
    credit = sum(min(state.n_elec[k], n[2] + n[3]) for k, n in enumerate(state.count))
    return required, required + credit


INCLUSION_CANDIDATES = 6   # sections of a course tried as its inclusion section, the most promising first
INCLUSION_PER_COURSE = 3   # inclusion sections made in one course at most


def _inclusion_sections(state: Placement, teachers, cap_goal, strong_goal, lowered: dict, budget: Budget,
                        tick) -> dict:
    """An inclusion section per course for the students whose class-size goal is still unmet: a section whose
    seats are lowered to their cap, the goal students re-timed into it and classmates without a goal re-timed
    out of it (`_fill_inclusion`). The candidate sections are ranked by how many goal students could reach
    them; each is tried and undone, and the one that meets most goals is made again and kept (its lowered
    seats and its goal students' seats stay for the rest of the pass). Never at a request's cost."""
    out = {"made": 0, "tried": 0}
    wanting: dict[str, list[int]] = {}
    for k, c in sorted(cap_goal):
        wanting.setdefault(c, []).append(k)
    for c in sorted(wanting, key=lambda c: (-len(wanting[c]), c)):
        for _ in range(INCLUSION_PER_COURSE):
            tick()
            if budget.spent():
                return out
            unmet = [k for k in wanting[c] if c in state.assign[k]
                     and not _goal_ok(state, teachers, k, c, cap_goal, strong_goal)]
            if not unmet:
                break
            target = min(cap_goal[k, c] for k in unmet)
            unmet = [k for k in unmet if cap_goal[k, c] >= target]
            ranked = []
            spare = _spare_seats(state, c)
            # a dry re-time ignores the seats of the section tried, so whether a student can reach a section
            # depends on its period alone: asked once per period, not once per section (large schools run
            # dozens of sections of a course in a handful of periods)
            can_reach: dict[tuple[int, int], bool] = {}
            for i in state.by_course[c]:
                if i not in lowered and (state.cap[i] <= target or spare < state.cap[i] - target):
                    continue   # small anyway, or the course's other sections cannot seat the students sent out
                if budget.spent():
                    break
                reach = []
                for k in unmet:
                    if state.assign[k][c] == i:
                        reach.append(k)
                        continue
                    key = (k, state.period[i])
                    if key not in can_reach:
                        can_reach[key] = state.retime(k, {c: [i]}, dry=True)
                    if can_reach[key]:
                        reach.append(k)
                ranked.append((-min(len(reach), target), max(0, state.size[i] + len(reach) - target), i))
            best = None
            for _, _, i in sorted(ranked)[:INCLUSION_CANDIDATES]:
                if budget.spent():
                    break
                out["tried"] += 1
                gain = _try_inclusion(state, teachers, c, i, unmet, target, cap_goal, strong_goal, undo=True)
                if gain > 0 and (best is None or gain > best[0]):
                    best = (gain, i)
            if best is None or _try_inclusion(state, teachers, c, best[1], unmet, target, cap_goal, strong_goal,
                                              undo=False) <= 0:
                break
            i = best[1]
            lowered.setdefault(i, state.cap[i])
            state.cap[i] = min(state.cap[i], target)
            state.keep.update((k, c) for k in state.members[i] if (k, c) in cap_goal)
            out["made"] += 1
    return out


def _spare_seats(state: Placement, c: str) -> int:
    """Empty seats over all sections of course c (an inclusion section's lowered seats counted)."""
    return sum(state.cap[i] - state.size[i] for i in state.by_course[c])


def _try_inclusion(state: Placement, teachers, c: str, i: int, unmet: list[int], target: int, cap_goal,
                   strong_goal, undo: bool) -> int:
    """Make section i of course c an inclusion section for `unmet` (cap `target`); the goals gained. Undone
    when `undo`, or when it gains nothing or loses a request."""
    mark, total, goals = len(state.log), state.total, _all_goals(state, teachers, cap_goal, strong_goal)
    cap = state.cap[i]
    state.cap[i] = min(cap, target)
    _fill_inclusion(state, c, i, unmet, cap_goal, strong_goal)
    kept = state.total >= total and state.size[i] <= state.cap[i]
    gain = _all_goals(state, teachers, cap_goal, strong_goal) - goals if kept else -1
    state.cap[i] = cap
    if undo or gain <= 0:
        state.undo(mark)
    return gain


def _fill_inclusion(state: Placement, c: str, i: int, unmet: list[int], cap_goal, strong_goal) -> None:
    """With section i's seats lowered to its goal students' cap: send out as many classmates without a goal
    in c as the goal students who can come in need (each re-timed to another section of c), then bring the
    goal students in (each re-timed to section i)."""
    others = [j for j in state.by_course[c] if j != i]
    coming = [k for k in unmet if state.assign[k][c] != i and state.retime(k, {c: [i]}, dry=True)]
    coming = coming[:max(0, state.cap[i] - sum(1 for k in state.members[i] if (k, c) in cap_goal))]
    movable = [o for o in sorted(state.members[i]) if (o, c) not in cap_goal and (o, c) not in strong_goal
               and (o, c) not in state.keep]
    # students free when another section of c meets move without touching their other classes: first
    movable.sort(key=lambda o: all(state.period[j] in state.busy[o] for j in others), reverse=True)
    # Out and in by turns: a goal student coming in frees a seat in their old section for the next one out.
    while coming or state.size[i] > state.cap[i]:
        if coming and state.size[i] < state.cap[i]:
            state.retime(coming.pop(), {c: [i]})
            continue
        while movable and not state.retime(movable.pop(), {c: others}):
            pass
        if not movable and state.size[i] >= state.cap[i]:
            break


MOVES_PER_GOAL = 6   # section moves tried for one unmet class-size goal


def _move_for_caps(state: Placement, teachers, cap_goal, strong_goal, scenario, budget: Budget, tick) -> dict:
    """Class-size goals still unmet because every other section of the course meets when the student is
    busy: move one of those sections (the local search's section move, its students re-seated) to a period
    the student has free, or to the period of the student's own section, then re-seat the course for goals.
    Kept only when no request is lost and more goals are met in all; otherwise undone exactly."""
    out = {"tried": 0, "kept": 0}
    total_goals = _all_goals(state, teachers, cap_goal, strong_goal)
    for (k, c) in sorted(cap_goal):
        if budget.spent():
            break
        if c not in state.assign[k] or _goal_ok(state, teachers, k, c, cap_goal, strong_goal):
            continue
        cur = state.assign[k][c]
        free = [p for p in sorted(state.available.get(state.staff[cur], ()) | {state.period[cur]})
                if p not in state.busy[k] or p == state.period[cur]]
        spare = _spare_seats(state, c)
        # only a section that has a seat under the cap, or that the course's other sections leave room to shrink
        tries = [(j, p) for j in state.by_course[c] if j != cur and (
            state.size[j] < cap_goal[k, c] or spare >= state.cap[j] - cap_goal[k, c])
            for p in free if p != state.period[j]]
        state.rng.shuffle(tries)
        # a second section in the student's own period first: the class can then split in two
        tries.sort(key=lambda jp: jp[1] != state.period[cur])
        for j, p in tries[:MOVES_PER_GOAL]:
            tick()
            if budget.spent():
                break
            out["tried"] += 1
            mark, before = len(state.log), state.total
            if not state.try_move(j, p, sideways=True):
                continue
            _solve_course(state, teachers, c, cap_goal, strong_goal, scenario, budget)
            now = _all_goals(state, teachers, cap_goal, strong_goal)
            if state.total >= before and now > total_goals:
                total_goals = now
                out["kept"] += 1
                break
            state.undo(mark)
            state._reindex()
    return out


def _all_goals(state, teachers, cap_goal, strong_goal) -> int:
    """Class-size and strong-teacher goals met course by course, and course goals met."""
    return sum(_goal_ok(state, teachers, k, c, cap_goal, strong_goal)
               for (k, c) in set(cap_goal) | set(strong_goal) if c in state.assign[k]) + sum(
        c in state.assign[k] for k, c in state.course_goals)


def _goal_ok(state, teachers, k, c, cap_goal, strong_goal) -> bool:
    i = state.assign[k][c]
    if (k, c) in cap_goal and state.size[i] > cap_goal[k, c]:
        return False
    return all(_meets(state, teachers, "strong_teacher", t, i) for t in strong_goal.get((k, c), ()))


def _rematch(state: Placement, teachers, k: int, c: str, cap_goal, strong_goal) -> int:
    """Put student k in a section of c that meets their goal, re-timing their other classes
    (`Placement.retime`); where that section is at its seats or at k's cap, or a full section of k's other
    courses is in the way, by a swap (`_swap_in`: a classmate without a goal re-timed out, the seat k left among
    those open to them). Kept only when no request is lost and more goals are met in all."""
    cur = state.assign[k][c]
    cap = cap_goal.get((k, c))
    targets = [i for i in state.by_course[c] if i != cur and state.size[i] < state.cap[i]
               and (cap is None or state.size[i] + 1 <= cap)
               and all(_meets(state, teachers, "strong_teacher", t, i) for t in strong_goal.get((k, c), ()))]
    before = _all_goals(state, teachers, cap_goal, strong_goal)
    for i in targets:
        mark = len(state.log)
        if state.retime(k, {c: [i]}):
            if _all_goals(state, teachers, cap_goal, strong_goal) > before:
                return 1
            state.undo(mark)
    # No seat under the goal: k in one over, then a classmate without a goal in c out (into k's old seat or
    # any other with room): a swap, as a scheduler trades two students between sections.
    full = [i for i in state.by_course[c] if i != cur and i not in targets
            and (cap is None or state.size[i] <= cap)
            and all(_meets(state, teachers, "strong_teacher", t, i) for t in strong_goal.get((k, c), ()))]

    def gained() -> bool:
        return _all_goals(state, teachers, cap_goal, strong_goal) > before

    seats = {i: state.cap[i] for i in full}
    try:
        for i in full:   # a class at the student's cap counts as full meanwhile: the classmate must leave it
            state.cap[i] = min(state.cap[i], max(cap or 0, state.size[i]))
        if any(_swap_in(state, k, [i], lambda i=i: state.retime(k, {c: [i]}), cap_goal, strong_goal, gained)
               for i in full):
            return 1
        # k's other classes cannot make way for it either: a full section one of them would move into, a
        # classmate of it swapped into k's old seat (re-timed), as well
        for t in targets + full:
            raised = [] if t in targets else [t]
            if any(_swap_in(state, k, raised + [i], lambda t=t: state.retime(k, {c: [t]}), cap_goal, strong_goal,
                            gained) for i in _blocking_for_retime(state, k, c, t)):
                return 1
    finally:
        for i, n in seats.items():
            state.cap[i] = n
    return 0


def _blocking_for_retime(state: Placement, k: int, c: str, t: int) -> list[int]:
    """Full sections of student k's other courses that, with one more seat, would let k be re-timed into
    section t of course c (at most BLOCKING_SECTIONS, in section order)."""
    out = []
    for d, i0 in sorted(state.assign[k].items()):
        if d == c or (k, d) in state.keep:
            continue
        for i in state.by_course[d]:
            if i == i0 or state.size[i] < state.cap[i]:
                continue
            state.cap[i] += 1   # as if one classmate had left: only asked, nothing is seated
            fits = state.retime(k, {c: [t]}, dry=True)
            state.cap[i] -= 1
            if fits:
                out.append(i)
                if len(out) >= BLOCKING_SECTIONS:
                    return out
    return out


def _swap_in(state: Placement, k: int, raised: list[int], enter, cap_goal, strong_goal, gained) -> bool:
    """Student k moved with the sections of `raised` one seat over (`enter()`: a re-timing or placement of k,
    those seats raised by one meanwhile), then from each section left over its seats a classmate without a goal
    in its course re-timed out to another section of it (the seat k left, among them): a swap of two students.
    Kept only when every section is back within its seats, the student total did not fall and `gained()`
    holds; otherwise undone exactly. Tries CLASSMATES_TRIED classmates per section (deterministic order)."""
    mark, total = len(state.log), state.total
    for i in raised:
        state.cap[i] += 1
    try:
        entered = enter()
    finally:
        for i in raised:
            state.cap[i] -= 1
    if entered and _send_out(state, k, [i for i in raised if state.size[i] > state.cap[i]], cap_goal,
                             strong_goal, lambda: state.total >= total and gained()):
        return True
    state.undo(mark)
    return False


def _send_out(state: Placement, k: int, over: list[int], cap_goal, strong_goal, done) -> bool:
    """One classmate (not k, no goal in the course, seat not kept) re-timed out of each section of `over` to
    another section of its course, then `done()`; tried depth first, each failed branch undone."""
    if not over:
        return done()
    i, c = over[0], state.course[over[0]]
    others = [j for j in state.by_course[c] if j != i]
    movable = [o for o in sorted(state.members[i]) if o != k and (o, c) not in state.keep
               and (o, c) not in cap_goal and (o, c) not in strong_goal]
    # classmates free when a section of c with room meets first: they move without touching other classes
    room = [state.period[j] for j in others if state.size[j] < state.cap[j]]
    movable.sort(key=lambda o: all(p in state.busy[o] and p != state.period[i] for p in room))
    mark = len(state.log)
    for o in movable[:CLASSMATES_TRIED]:
        if state.retime(o, {c: others}) and state.size[i] <= state.cap[i] and _send_out(
                state, k, [j for j in over[1:] if state.size[j] > state.cap[j]], cap_goal, strong_goal, done):
            return True
        state.undo(mark)
    return False


def _solve_course(state: Placement, teachers, c: str, cap_goal: dict, strong_goal: dict, scenario: Scenario,
                  budget: Budget) -> tuple[int, float]:
    """One course's MIP; applies the answer only when it is a solution and meets at least as many goals.
    Its size goes on the work meter; it stops at COURSE_NODES nodes or, as a safety cap, at `budget`'s cap.
    Returns (students moved, seconds in the solver)."""
    if not _mip_fits(state, c):
        return 0, 0.0
    secs = state.by_course[c]
    students = sorted({k for i in secs for k in state.members[i]})
    prob = pulp.LpProblem(f"goals_{c}", pulp.LpMaximize)
    x: dict[tuple[int, int], pulp.LpVariable] = {}
    in_sec: dict[int, list] = {i: [] for i in secs}
    terms: dict = {}
    for k in students:
        cur = state.assign[k][c]
        busy = state.busy[k]
        opts = [i for i in secs if i == cur or state.period[i] == state.period[cur] or state.period[i] not in busy]
        row = {}
        for i in opts:
            v = pulp.LpVariable(f"x_{k}_{i}", cat="Binary")
            x[k, i] = v
            row[v] = 1.0
            in_sec[i].append(v)
            if i != cur:
                terms[v] = terms.get(v, 0.0) - W_MOVE
        prob += pulp.LpAffineExpression(row) == 1, f"stay_{k}"
    for i in secs:
        if len(in_sec[i]) > state.cap[i]:
            prob += pulp.LpAffineExpression({v: 1.0 for v in in_sec[i]}) <= state.cap[i], f"seats_{i}"
    small: dict[tuple[int, int], pulp.LpVariable] = {}
    for k in students:
        target = cap_goal.get((k, c))
        if target is not None:
            met = pulp.LpVariable(f"small_met_{k}", cat="Binary")
            terms[met] = terms.get(met, 0.0) + 1.0
            for i in secs:
                if (k, i) not in x:
                    continue
                if state.cap[i] <= target:
                    continue
                if (i, target) not in small:
                    z = small[i, target] = pulp.LpVariable(f"small_{i}_{target}", cat="Binary")
                    big = state.cap[i] - target
                    # size <= target + big * (1 - z)
                    expr = pulp.LpAffineExpression({v: 1.0 for v in in_sec[i]})
                    expr.addInPlace(pulp.LpAffineExpression({z: float(big)}))
                    prob += expr <= target + big, f"small_size_{i}_{target}"
                prob += pulp.LpAffineExpression({x[k, i]: 1.0, met: 1.0, small[i, target]: -1.0}) <= 1, \
                    f"small_goal_{k}_{i}"
        for target in strong_goal.get((k, c), ()):
            for i in secs:
                if (k, i) in x and _meets(state, teachers, "strong_teacher", target, i):
                    terms[x[k, i]] = terms.get(x[k, i], 0.0) + 1.0
    prob += pulp.LpAffineExpression(terms)
    before = _course_goals(state, teachers, c, students, cap_goal, strong_goal)
    state.work += mip_work(len(x))
    outcome = run_solver(prob, scenario.settings.solver, step="schedule: seating students for their goals",
                         time_limit_s=budget.seconds_left(), gap=0.0, node_limit=COURSE_NODES)
    seconds = outcome.solve_s
    if not outcome.has_design:
        return 0, seconds
    choice = {}
    for (k, i), v in x.items():
        if (v.value() or 0) > 0.5:
            choice[k] = i
    if len(choice) != len(students):
        return 0, seconds
    mark = len(state.log)
    moved = state.reseat(c, choice)
    if not _valid(state, secs, students, c) or \
            _course_goals(state, teachers, c, students, cap_goal, strong_goal) < before:
        state.undo(mark)
        return 0, seconds
    return moved, seconds


def _mip_fits(state: Placement, c: str) -> bool:
    secs = state.by_course.get(c, ())
    return sum(state.size[i] for i in secs) * len(secs) <= MIP_MAX_PAIRS


def _course_goals(state, teachers, c, students, cap_goal, strong_goal) -> int:
    met = 0
    for k in students:
        i = state.assign[k][c]
        if (k, c) in cap_goal and state.size[i] <= cap_goal[k, c]:
            met += 1
        met += sum(_meets(state, teachers, "strong_teacher", t, i) for t in strong_goal.get((k, c), ()))
    return met


def _valid(state: Placement, secs, students, c) -> bool:
    """Seats and one class per period, re-read from the state after the moves (belt and braces)."""
    if any(state.size[i] > state.cap[i] for i in secs):
        return False
    for k in students:
        periods = [state.period[i] for i in state.assign[k].values()]
        if len(periods) != len(set(periods)) or c not in state.assign[k]:
            return False
    return True
