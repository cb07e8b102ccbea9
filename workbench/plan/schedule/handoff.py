"""Capacity handed back: a section moves to a teacher who has room (issue 20, `mcl-capacity`).

The teacher plan (`sections.assign_teachers`) decides who teaches what before any period is known,
and every later pass moves a section only within its own teacher's free periods. When a teacher may teach
fewer sections (a promotion to multi-classroom leader lowers max_sections) the plan packs the remaining
sections onto the others, and the only section of an elective can land with a teacher whose free periods
are all periods its requesters are busy: nobody sits in it, it is closed, and the students' course goals
are lost although another certified teacher has room in the one period they are free. The aggregate
staffing step counted that room; no schedule pass could use it.

This pass gives the room back. For each course that students requested (or named as a course goal) and do
not have, most students first, each of its sections is offered to the certified teachers who are free in a
period those students have free and who teach fewer sections than they may (its own teacher included,
other periods), best period first (`Placement.try_handoff`). A teacher with no room (or busy then) may first
pass one of her sections, where it is, to another certified teacher with room (its students stay). A
hand-over is kept only when a request or a goal is gained and no required course, request or goal of any
kind is lost; otherwise it is undone exactly. Seats, one class a period, a teacher's free periods and
section limit, certification and rooms hold by construction; the schedule re-checks them with the
independent checker.

Bounded by a `Budget` of work (courses matched into timetables) and TRIES_PER_SECTION; no random choice.
"""

from __future__ import annotations

from workbench.plan.schedule.common import Budget
from workbench.plan.schedule.goals import goal_counts
from workbench.plan.schedule.improve import Placement
from workbench.plan.schedule.students import Goals

TRIES_PER_SECTION = 8   # (teacher, period) hand-overs tried for one section, the most promising first


def _missing(state: Placement) -> dict[str, list[int]]:
    """course -> students who requested it (required or elective) or named it as a course goal, without it."""
    out: dict[str, set[int]] = {}
    for c, students in state.wanted.items():
        for k in students:
            if c not in state.assign[k]:
                out.setdefault(c, set()).add(k)
    for k, c in state.course_goals:
        if c not in state.assign[k]:
            out.setdefault(c, set()).add(k)
    return {c: sorted(ks) for c, ks in out.items()}


def _candidates(state: Placement, i: int, students: list[int]) -> list[tuple[int, bool, str, int]]:
    """(students free then, relief needed, teacher, period) where section i could go, the most students free
    first and a teacher free and with room before one who must first be relieved of a section (`_relief`). A
    student in an alternate counts as free: it gives way."""
    out = []
    for t in sorted(state.capacity):
        for p in sorted(state.available.get(t, ())):
            if (t == state.staff[i] and p == state.period[i]) or not state.may_teach(i, t, p):
                continue
            free = sum(1 for k in students if _free_for(state, k, p))
            if free:
                out.append((free, not state.can_take(i, t, p), t, p))
    out.sort(key=lambda x: (-x[0], x[1], x[2] != state.staff[i], x[3], x[2]))
    return out[:TRIES_PER_SECTION]


def _relief(state: Placement, i: int, t: str, p: int) -> tuple[int, str] | None:
    """A section j of teacher t that another certified teacher u, free in j's period and below their section
    limit, can take where it is (its students stay): teacher t's section in period p when t is busy then,
    else any of t's sections, so that t has room for section i. None when nobody can take one."""
    mine = state.teacher_at.get((t, p))
    pool = [mine] if mine is not None else [j for j in range(state.n) if state.staff[j] == t and j != i]
    for j in pool:
        for u in sorted(state.capacity):
            if u != t and u != state.staff[i] and state.can_take(j, u, state.period[j]):
                return j, u
    return None


def _free_for(state: Placement, k: int, p: int) -> bool:
    """Student k is free in period p, or sits there in an alternate that would give way."""
    there = state.busy[k].get(p)
    return there is None or state.prio[k].get(there) == 3


def _requests(state: Placement) -> tuple[int, int]:
    required = sum(n[1] for n in state.count)
    return required, required + sum(min(state.n_elec[k], n[2] + n[3]) for k, n in enumerate(state.count))


def _goals(state: Placement, teachers, goals: Goals) -> int:
    return sum(v["met"] for v in goal_counts(state, teachers, goals).values())


def _better(before: tuple, after: tuple) -> bool:
    """No required course, request or goal lost, and a request or a goal gained. An elective placed directly
    where an alternate stood in, and nothing else, is not enough: a school's design is not reshuffled for it."""
    (req_b, goals_b), (req_a, goals_a) = before, after
    kept = all(a >= b for a, b in zip(req_a, req_b, strict=True)) and goals_a >= goals_b
    return kept and (goals_a > goals_b or req_a != req_b)


def hand_over_sections(state: Placement, teachers, goals: Goals, budget: Budget, tick=None) -> dict:
    """Hand sections to teachers with room where the students who lack their course are free (module doc).
    Changes `state` in place; returns what was tried and kept (for the plan's stats): tried, kept, and per kept
    hand-over "section: from teacher period p to teacher period q"."""
    tick = tick or (lambda: None)
    out: dict = {"tried": 0, "kept": 0, "handed": []}
    missing = _missing(state)
    for c in sorted(missing, key=lambda c: (-len(missing[c]), c)):
        for i in list(state.by_course.get(c, ())):
            students = [k for k in missing[c] if c not in state.assign[k]]
            if not students or budget.spent():
                break
            for _free, relieve, t, p in _candidates(state, i, students):
                tick()
                if budget.spent():
                    break
                out["tried"] += 1
                mark = len(state.log)
                before = (_requests(state), _goals(state, teachers, goals))
                was = (state.staff[i], state.period[i])
                relief = _relief(state, i, t, p) if relieve else None
                if relieve and relief is None:
                    continue
                if relief is not None:
                    state.hand_in_place(relief[0], relief[1])
                if not state.try_handoff(i, t, p):
                    state.undo(mark)
                    state._reindex()
                    continue
                after = (_requests(state), _goals(state, teachers, goals))
                if _better(before, after):
                    out["kept"] += 1
                    note = f"{state.sid[i]}: from {was[0]} period {was[1]} to {t} period {p}"
                    if relief is not None:
                        note += f" ({state.sid[relief[0]]} to {relief[1]} in its period)"
                    out["handed"].append(note)
                    break
                state.undo(mark)
                state._reindex()
    return {**out, **budget.info()}
