"""Sections are decisions: one more section opened, or an empty one moved, with the timetable (issue 17).

The teacher plan (`sections.assign_teachers`) fixes how many sections each course runs before any period is
known. Field case c10b-no-alternates shows what that costs: eight students want Band (five seats a section),
English, Math and Science are singletons every student takes, and the only period the Band students are all
free holds the one music room. The second Band section lands in a singleton's period where none of its
requesters can sit, and three students lose Band although a design placing every request exists: a second
English section in the free period lets three Band students take English there and Band in English's period.
No move of a section within its own teacher's periods (`improve`) or to another teacher (`handoff`) finds it,
because the missing piece is a section that does not exist yet.

This pass adds it, as a scheduler would. For each course whose requesters go without it (most of them first),
and each of its sections with a seat (an empty one may first go to another period its teacher is free in),
the requesters busy in that section's period with another course B are the students it cannot reach. The pass
opens one more section of B (or of the course itself, where its requesters are free) in a period where a
certified teacher is free and below the sections they may teach, and a room of the right type is free; then
it re-matches those students' timetables (`Placement.place`). A change is kept only when more requests are
placed and no required course is lost; otherwise it is undone exactly (the section is closed again). Pinned
sections never move; a new section is never pinned. Seats, one class a period, teachers' free periods and
section limits, certification and rooms hold by construction, and `build` re-checks the result with the
independent checker before keeping it. A section nobody ends up in is closed afterwards
(`build.close_empty_sections`), giving its teacher's period back.

Bounded by a `Budget` of work (courses matched into timetables) and TRIES_PER_SECTION; no random choice.
"""

from __future__ import annotations

from collections import Counter

from workbench.plan.schedule.common import Budget
from workbench.plan.schedule.improve import Placement

TRIES_PER_SECTION = 6   # openings tried for one (section, period), the most promising first


def _requests(state: Placement) -> tuple[int, int]:
    """(required placed, requests placed): what a kept change must raise, the first never lower."""
    required = sum(n[1] for n in state.count)
    return required, required + sum(min(state.n_elec[k], n[2] + n[3]) for k, n in enumerate(state.count))


def _missing(state: Placement) -> dict[str, list[int]]:
    """course -> students short of a request who requested it (required or elective) and do not have it."""
    out: dict[str, list[int]] = {}
    for c, students in sorted(state.wanted.items()):
        lacking = [k for k in students if c not in state.assign[k] and state.missing(k)]
        if lacking:
            out[c] = lacking
    return out


def _free(state: Placement, k: int, p: int) -> bool:
    """Student k is free in period p, or sits there in an alternate that would give way."""
    there = state.busy[k].get(p)
    return there is None or state.prio[k].get(there) == 3


def _room_for(state: Placement, course: str, period: int, size: int) -> tuple[str, int] | None:
    """A free room in `period` for a new section of `course`: of its type (an untyped course prefers an
    untyped room), the smallest that seats the course's size, else the largest. (room, seats) or None."""
    kind = state.room_type.get(course, "")
    free = [(cap, r, t) for r, t, cap in state.rooms if (r, period) not in state.room_at]
    tiers = [[x for x in free if x[2] == kind]] if kind else [[x for x in free if x[2] == ""],
                                                             [x for x in free if x[2] != ""]]
    for tier in tiers:
        big = sorted(x for x in tier if x[0] >= size)
        if big:
            return big[0][1], min(size, big[0][0])
    fits = [x for tier in tiers for x in tier]
    if not fits:
        return None
    cap, room, _ = max(fits)
    return room, min(size, cap)


def _new_id(state: Placement, course: str) -> str:
    taken = set(state.sid)
    k = len(state.by_course.get(course, ())) + 1
    while f"{course}-{k:02d}" in taken:
        k += 1
    return f"{course}-{k:02d}"


def _openings(state: Placement, course: str, students: list[int], avoid: int | None,
              sizes: dict[str, int]) -> list[tuple[int, str, int, str, int]]:
    """(students free then, teacher, period, room, seats) where one more section of `course` could open for
    `students`: a certified teacher available and free then and below their section limit, a free room; the
    most students free first, a teacher who already teaches the course first. Never in period `avoid`."""
    subject = state.subject.get(course)
    teaching = {state.staff[i] for i in state.by_course.get(course, ())}
    load = Counter(state.staff)
    rooms: dict[int, tuple[str, int] | None] = {}
    out = []
    for t in sorted(state.capacity):
        if subject not in state.certified.get(t, ()) or load[t] >= state.capacity[t]:
            continue
        for p in sorted(state.available.get(t, ())):
            state.work += 1   # a (teacher, period) looked at: the budget bounds the search for openings too
            if p == avoid or (t, p) in state.teacher_at:
                continue
            free = sum(1 for k in students if _free(state, k, p))
            if free and p not in rooms:
                rooms[p] = _room_for(state, course, p, sizes[course])
            room = rooms.get(p) if free else None
            if room is not None:
                out.append((free, t, p, room[0], room[1]))
    out.sort(key=lambda x: (-x[0], x[1] not in teaching, x[2], x[1]))
    return out[:TRIES_PER_SECTION]


def _periods_for(state: Placement, i: int) -> list[int]:
    """The periods section i may be tried in: its own (if it has a seat) and, for an empty section that is
    not pinned, each other period its teacher is free in with a room for it."""
    out = [state.period[i]] if state.size[i] < state.cap[i] else []
    if state.size[i] == 0 and not state.pinned_period[i]:
        t = state.staff[i]
        out += [p for p in sorted(state.available.get(t, ())) if p != state.period[i]
                and (t, p) not in state.teacher_at and state._free_room(i, p, {i}) is not None]
    return out


def _attempt(state: Placement, i: int, p: int, course: str, opening: tuple, students: list[int]) -> bool:
    """Section i (empty when it moves) to period p, one more section of `course` where `opening` says, then
    `students` re-matched for section i's course. Kept when more requests are placed and no required course is
    lost; otherwise undone exactly."""
    mark, before = len(state.log), _requests(state)
    if p != state.period[i]:
        state._move(i, p, state._free_room(i, p, {i}))
    _free_count, t, q, room, seats = opening
    j = state.open_section(_new_id(state, course), course, t, q, room, seats)
    target = state.course[i]
    for k in students:
        if target not in state.assign[k]:
            state.place(k, target)
    for k in state.wanted.get(course, ()):
        if course not in state.assign[k] and state.missing(k):
            state.improve_student(k)
    after = _requests(state)
    if after[0] >= before[0] and after[1] > before[1] and state.size[j] > 0:
        return True
    state.undo(mark)
    state._reindex()
    return False


def open_sections(state: Placement, sizes: dict[str, int], budget: Budget, tick=None) -> dict:
    """Open one more section (of a course its requesters lack, or of the course that keeps them from it), or
    move an empty one, where that places more requests (module doc). `sizes`: course -> max_size. Changes
    `state` in place; returns what was tried and kept for the plan's stats: tried, kept, and per kept change
    "course: section opened ... for ..." ."""
    tick = tick or (lambda: None)
    out: dict = {"tried": 0, "kept": 0, "opened": []}
    missing = _missing(state)
    for c in sorted(missing, key=lambda c: (-len(missing[c]), c)):
        for i in list(state.by_course.get(c, ())):
            for p in _periods_for(state, i):
                students = [k for k in missing[c] if c not in state.assign[k]]
                if not students or budget.spent():
                    break
                if p not in _periods_for(state, i):
                    continue   # a change kept for an earlier period seated students in i, or filled it
                # who is kept from section i in period p, and by which course
                blocking: dict[str, list[int]] = {}
                for k in students:
                    there = state.busy[k].get(p)
                    blocking.setdefault(c if there is None or state.prio[k].get(there) == 3 else there,
                                        []).append(k)
                for b in sorted(blocking, key=lambda b: (-len(blocking[b]), b)):
                    if b == c and p != state.period[i]:
                        continue   # students free in p need no section moved there: one more of c, anywhere
                    if budget.spent():
                        break
                    kept = False
                    for opening in _openings(state, b, blocking[b], p if b != c else None, sizes):
                        tick()
                        if budget.spent():
                            break
                        out["tried"] += 1
                        was = (state.sid[i], state.period[i])
                        if _attempt(state, i, p, b, opening, blocking[b]):
                            out["kept"] += 1
                            moved = f", {was[0]} moved from period {was[1]} to {p}" if was[1] != p else ""
                            out["opened"].append(f"{state.sid[-1]}: {opening[1]} period {opening[2]} room "
                                                 f"{opening[3]}{moved}, for {c}")
                            kept = True
                            break
                    if kept:
                        break
    return {**out, **budget.info()}
