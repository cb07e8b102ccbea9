"""Step 5 of the schedule: local search on a complete schedule, within a budget of work.

A MIP over every student, course and period stops closing past a few hundred students, yet a schedule that is
already good is improved cheaply by the two moves a scheduler makes by hand (SCHEDULING-NOTES step 4):

* student repair: a student with an unplaced request gets their own timetable re-matched over every section
  with a seat (plus their current ones). Courses are matched to periods in priority order by augmenting paths
  (the courses a student can take at once form a transversal matroid, so this greedy is optimal for them),
  and a full section can still be entered by moving one of its students to another section of the same
  course that fits that student's timetable (an ejection chain of length one);
* section moves: a section goes to another period its teacher is free in (swapping with the teacher's
  section there), with its room or another free room that seats the class; only the students affected are
  re-placed, and the move is kept only when more requests are placed.

Every change is journalled, so a move that does not pay is undone exactly. Hard rules are kept by
construction: seats, one class per period, the teacher's free periods, one section per room and period,
pins, and an alternate only in place of an elective that could not be placed.

The search is bounded by work, not time (`Placement.work` counts the courses matched into a timetable; a
`Budget` says how many a pass may match), and its random choices come from the scenario's seed, so the same
schedule is found on an idle or a loaded machine.
"""

from __future__ import annotations

import random

import pandas as pd

from workbench.plan.schedule.common import Budget, request_table
from workbench.scenario.model import Scenario

# Per-student score: a required course outweighs any number of electives; an elective placed directly
# counts a little more than an alternate standing in for it.
S_REQUIRED = 1000
S_CREDIT = 10
S_DIRECT = 1


def augment(edges: dict[str, list[tuple]], match: dict[int, tuple], c: str, seen: set) -> bool:
    """One augmenting path for course c in a student's course-to-period matching. `edges[c]` lists
    (period, section, ...) options; `match` maps a period to (course, section, ...) and is updated."""
    for option in edges[c]:
        p = option[0]
        if p in seen:
            continue
        seen.add(p)
        if p not in match or augment(edges, match, match[p][0], seen):
            match[p] = (c, *option[1:])
            return True
    return False


class Placement:
    """Sections with periods and rooms, students in them, and the journal that lets any move be undone."""

    def __init__(self, scenario: Scenario, sections: pd.DataFrame, enrollments: pd.DataFrame, catalog,
                 seed: int = 0, tick=None):
        self.rng = random.Random(seed)
        # called between moves: the reporter's check_cancel, so that a long search can be cancelled
        self.tick = tick or (lambda: None)
        # the work meter the passes' budgets read: courses matched into a timetable, and small MIPs' sizes
        self.work = 0
        self.sections = sections.reset_index(drop=True).copy()
        sec = self.sections
        self.n = len(sec)
        self.sid = sec["section_id"].astype(str).tolist()
        self.course = sec["course_id"].astype(str).tolist()
        self.staff = sec["staff_id"].astype(str).tolist()
        self.room = sec["room_id"].astype(str).tolist()
        self.period = [int(p) for p in sec["period"]]
        self.cap = [int(c) for c in sec["cap"]]
        pin_p = sec["pin_period"] if "pin_period" in sec else pd.Series([None] * self.n)
        pin_r = sec["pin_room"] if "pin_room" in sec else pd.Series([None] * self.n)
        self.pinned_period = [p is not None and p == p and p is not pd.NA for p in pin_p]
        self.pinned_room = [r is not None and r == r and r is not pd.NA and str(r) != "" for r in pin_r]
        self.size = [0] * self.n
        self.members: list[set] = [set() for _ in range(self.n)]
        self.by_course: dict[str, list[int]] = {}
        for i, c in enumerate(self.course):
            self.by_course.setdefault(c, []).append(i)
        self.teacher_at = {(self.staff[i], self.period[i]): i for i in range(self.n)}
        self.room_at = {(self.room[i], self.period[i]): i for i in range(self.n)}
        self.available = {t: set(v) for t, v in catalog.teachers["available"].items()}
        courses = catalog.courses
        self.room_type = {c: courses.at[c, "room_type"] for c in courses.index}
        # what a hand-over to another teacher needs (`try_handoff`): who may teach what, and how much
        self.subject = courses["subject"].astype(str).to_dict()
        self.certified = catalog.teachers["subjects"].to_dict()
        self.capacity = catalog.teachers["capacity"].astype(int).to_dict()
        pins = scenario.pins
        self.pinned_courses = set() if pins is None or pins.empty else set(pins["course_id"].astype(str))
        rooms = catalog.rooms
        self.rooms = list(zip(rooms["room_id"].astype(str), rooms["room_type"], rooms["capacity"].astype(int),
                              strict=True))

        req = request_table(scenario).sort_values(["student_id", "priority", "course_id"])
        self.students = list(dict.fromkeys(req["student_id"]))
        index = {s: k for k, s in enumerate(self.students)}
        self.reqs: list[list[tuple[str, int]]] = [[] for _ in self.students]
        self.wanted: dict[str, list[int]] = {}
        for s, c, p in zip(req["student_id"], req["course_id"], req["priority"], strict=True):
            k = index[s]
            self.reqs[k].append((c, int(p)))
            if p < 3:
                self.wanted.setdefault(c, []).append(k)
        self.prio = [{c: p for c, p in r} for r in self.reqs]
        self.n_elec = [sum(1 for _, p in r if p == 2) for r in self.reqs]
        self.n_req = [sum(1 for _, p in r if p == 1) for r in self.reqs]
        self.assign: list[dict[str, int]] = [{} for _ in self.students]
        self.busy: list[dict[int, str]] = [{} for _ in self.students]
        self.count = [[0, 0, 0, 0] for _ in self.students]
        self.log: list[tuple] = []
        self.total = 0
        # sections opened by a pass (`open_section`), beyond those of `sections`
        self.opened: list[dict] = []
        # (student, course) seats no ejection or re-timing may take away (the goal pass's inclusion sections)
        self.keep: set[tuple[int, str]] = set()
        # answers that depend on fixed inputs only (whether a teacher meets a strong-teacher target)
        self.memo: dict = {}
        # students' `course` goals on a course they requested, one entry a goals.csv row (the goal pass's)
        self.course_goals: list[tuple[int, str]] = []
        goals = scenario.goals
        if goals is not None and not goals.empty and "goal" in goals:
            mine = goals[goals["goal"].astype(str).str.strip() == "course"]
            for s, c in zip(mine["student_id"].astype(str), mine["target"].astype(str).str.strip(), strict=True):
                if s in index and c in self.prio[index[s]]:
                    self.course_goals.append((index[s], c))
        sec_index = {s: i for i, s in enumerate(self.sid)}
        for s, sec_id in zip(enrollments["student_id"].astype(str), enrollments["section_id"].astype(str),
                             strict=True):
            if s in index and sec_id in sec_index and self.course[sec_index[sec_id]] in self.prio[index[s]]:
                self._seat(index[s], self.course[sec_index[sec_id]], sec_index[sec_id])
        self.log.clear()

    # ---- scores ------------------------------------------------------------------------------------------
    def student_score(self, k: int) -> int:
        _, r, e, a = self.count[k]
        return S_REQUIRED * r + S_CREDIT * min(self.n_elec[k], e + a) + S_DIRECT * e

    # ---- journalled primitives -----------------------------------------------------------------------------
    def _seat(self, k: int, c: str, new: int) -> None:
        """Put student k in section `new` of course c (-1: out of c), journalled."""
        old = self.assign[k].get(c, -1)
        if old == new:
            return
        before = self.student_score(k)
        prio = self.prio[k][c]
        if old >= 0:
            self.size[old] -= 1
            self.members[old].discard(k)
            del self.busy[k][self.period[old]]
            del self.assign[k][c]
            self.count[k][prio] -= 1
        if new >= 0:
            self.size[new] += 1
            self.members[new].add(k)
            self.busy[k][self.period[new]] = c
            self.assign[k][c] = new
            self.count[k][prio] += 1
        self.total += self.student_score(k) - before
        self.log.append(("seat", k, c, old))

    def _move(self, i: int, period: int, room: str, staff: str | None = None) -> None:
        """Section i to another period and room (and, given `staff`, to another teacher: a hand-over); its
        students must have been taken out first, unless only the teacher changes."""
        assert not self.members[i] or (period == self.period[i] and room == self.room[i])
        old_p, old_r, old_t = self.period[i], self.room[i], self.staff[i]
        if self.teacher_at.get((old_t, old_p)) == i:
            del self.teacher_at[old_t, old_p]
        if self.room_at.get((old_r, old_p)) == i:
            del self.room_at[old_r, old_p]
        self.period[i], self.room[i] = period, room
        self.staff[i] = old_t if staff is None else staff
        self.teacher_at[self.staff[i], period] = i
        self.room_at[room, period] = i
        self.log.append(("move", i, old_p, old_r, old_t))

    def reseat(self, c: str, choice: dict[int, int]) -> int:
        """Seat each student k of `choice` in section choice[k] of course c; the number who changed seats."""
        moved = 0
        for k, i in choice.items():
            if self.assign[k][c] != i:
                self._seat(k, c, i)
                moved += 1
        return moved

    def open_section(self, sid: str, course: str, staff: str, period: int, room: str, cap: int) -> int:
        """One more section of `course`, empty, taught by `staff` in `period` and `room` (journalled: `undo`
        closes it again). The caller has checked that the teacher and the room are free then. Returns its
        index."""
        i = self.n
        self.n += 1
        for values, value in ((self.sid, sid), (self.course, course), (self.staff, staff), (self.room, room),
                              (self.period, int(period)), (self.cap, int(cap)), (self.pinned_period, False),
                              (self.pinned_room, False), (self.size, 0), (self.members, set())):
            values.append(value)
        self.by_course.setdefault(course, []).append(i)
        self.teacher_at[staff, int(period)] = i
        self.room_at[room, int(period)] = i
        self.opened.append({"section_id": sid, "course_id": course, "cap": int(cap)})
        self.log.append(("open", i))
        return i

    def _close_opened(self, i: int) -> None:
        """Undo of `open_section`: the section opened last (empty again by now) is gone."""
        assert i == self.n - 1 and not self.members[i]
        if self.teacher_at.get((self.staff[i], self.period[i])) == i:
            del self.teacher_at[self.staff[i], self.period[i]]
        if self.room_at.get((self.room[i], self.period[i])) == i:
            del self.room_at[self.room[i], self.period[i]]
        self.by_course[self.course[i]].pop()
        for values in (self.sid, self.course, self.staff, self.room, self.period, self.cap, self.pinned_period,
                       self.pinned_room, self.size, self.members):
            values.pop()
        self.opened.pop()
        self.n -= 1

    def undo(self, mark: int) -> None:
        while len(self.log) > mark:
            entry = self.log.pop()
            if entry[0] == "seat":
                _, k, c, old = entry
                self._seat(k, c, old)
            elif entry[0] == "open":
                self._close_opened(entry[1])
                continue
            else:
                _, i, old_p, old_r, old_t = entry
                self._move(i, old_p, old_r, old_t)
            self.log.pop()

    # ---- student repair ------------------------------------------------------------------------------------
    def missing(self, k: int) -> bool:
        """Whether student k has a required or elective request that is not (yet) covered."""
        _, r, e, a = self.count[k]
        return r < self.n_req[k] or e + a < self.n_elec[k]

    def _options(self, k: int, c: str) -> list[tuple[int, int]]:
        """(period, section) where student k could sit in course c: their current section, then open ones."""
        cur = self.assign[k].get(c, -1)
        out = [(self.period[cur], cur)] if cur >= 0 else []
        open_ = [i for i in self.by_course.get(c, ()) if i != cur and self.size[i] < self.cap[i]]
        open_.sort(key=lambda i: self.size[i] / max(1, self.cap[i]))
        seen = {p for p, _ in out}
        for i in open_:
            if self.period[i] not in seen:
                seen.add(self.period[i])
                out.append((self.period[i], i))
        return out

    def _ejections(self, k: int, c: str, taken: set) -> list[tuple[int, int]]:
        """(period, section) of full sections of c where one student could move to another section of c."""
        out = []
        for i in self.by_course.get(c, ()):
            p = self.period[i]
            if p in taken or self.size[i] < self.cap[i]:
                continue
            if self._ejectable(i, k) is not None:
                out.append((p, i))
                taken.add(p)
        return out

    def _ejectable(self, i: int, k: int):
        c = self.course[i]
        others = [j for j in self.by_course[c] if j != i and self.size[j] < self.cap[j]
                  and self.period[j] != self.period[i]]
        if not others:
            return None
        for o in self.members[i]:
            if o == k or (o, c) in self.keep:
                continue
            busy = self.busy[o]
            for j in others:
                if self.period[j] not in busy:
                    return o, j
        return None

    def _match(self, k: int, c: str, edges: dict, match: dict, eject: bool) -> bool:
        """Match course c of student k into `match` by an augmenting path; failing that (and when `eject`),
        also through full sections one of whose students can move to another section (an ejection)."""
        self.work += 1
        if augment(edges, match, c, set()):
            return True
        if not eject:
            return False
        extra = [(p, i, True) for p, i in self._ejections(k, c, {q for q, _, _ in edges[c]})]
        if not extra:
            return False
        edges[c] = edges[c] + extra
        return augment(edges, match, c, set())

    def improve_student(self, k: int, eject: bool = True) -> bool:
        """Re-match student k's courses to periods; apply and return True only if their score rises."""
        reqs = self.reqs[k]
        edges: dict[str, list[tuple[int, int, bool]]] = {}
        for c, _ in reqs:
            edges[c] = [(p, i, False) for p, i in self._options(k, c)]
        match: dict[int, tuple[str, int, bool]] = {}   # period -> (course, section, by ejection)
        placed_elec = 0
        for c, prio in reqs:
            if prio == 3 and placed_elec >= self.n_elec[k]:
                continue
            ok = self._match(k, c, edges, match, eject=eject and prio < 3)
            if ok and prio >= 2:
                placed_elec += 1
        new = {c: (i, ej) for _p, (c, i, ej) in match.items()}
        counts = [0, 0, 0, 0]
        for c in new:
            counts[self.prio[k][c]] += 1
        _, r, e, a = counts
        score = S_REQUIRED * r + S_CREDIT * min(self.n_elec[k], e + a) + S_DIRECT * e
        if score <= self.student_score(k):
            return False
        mark = len(self.log)
        before = self.total
        self._apply(k, new)
        if self.total <= before:
            self.undo(mark)
            return False
        return True

    def _apply(self, k: int, new: dict[str, tuple[int, bool]]) -> None:
        """Seat student k as `new` says (course -> (section, by ejection)), journalled: courses left out are
        dropped; a full section is entered by moving one of its students to another section of the course."""
        for c in list(self.assign[k]):
            if c not in new or new[c][0] != self.assign[k][c]:
                self._seat(k, c, -1)
        for c, (i, ej) in new.items():
            if self.assign[k].get(c) == i:
                continue
            if self.size[i] >= self.cap[i]:
                move = self._ejectable(i, k) if ej else None
                if move is None:
                    continue
                o, j = move
                self._seat(o, c, j)
            self._seat(k, c, i)

    def retime(self, k: int, only: dict[str, list[int]], dry: bool = False) -> bool:
        """Re-match student k's placed courses to periods with each course of `only` limited to the sections
        given (k's own, or one with a seat): the goal pass's way to put a student into, or out of, one section
        of a course by moving their other classes to other periods. The student's other courses go to their own
        section or an open one, or into a full one by an ejection chain of length one; seats in `keep` stay.
        Applied (journalled) only when every course the student has stays placed; `dry` only says whether
        it would be (seats of the `only` sections ignored)."""
        courses = list(self.assign[k])
        edges: dict[str, list[tuple[int, int, bool]]] = {}
        for c in courses:
            cur = self.assign[k][c]
            if c in only:
                edges[c] = [(self.period[i], i, False) for i in only[c]
                            if dry or i == cur or self.size[i] < self.cap[i]]
            elif (k, c) in self.keep:
                edges[c] = [(self.period[cur], cur, False)]
            else:
                edges[c] = [(p, i, False) for p, i in self._options(k, c)]
        match: dict[int, tuple[str, int, bool]] = {}
        for c in sorted(courses, key=lambda c: (c not in only, len(edges[c]))):
            if not self._match(k, c, edges, match, eject=c not in only and (k, c) not in self.keep):
                return False
        if dry:
            return True
        new = {c: (i, ej) for _p, (c, i, ej) in match.items()}
        mark = len(self.log)
        before = self.total
        self._apply(k, new)
        if self.total < before or set(self.assign[k]) != set(courses) or any(
                self.assign[k][c] not in only[c] for c in only if c in self.assign[k]):
            self.undo(mark)
            return False
        return True

    def place(self, k: int, c: str, dry: bool = False) -> bool:
        """Re-match student k's whole timetable so that course c, which they requested and do not have, is
        placed: c first, then their required courses, electives, and alternates standing in for electives
        still missing. Each course goes to the student's own section, an open one, or a full one by an
        ejection chain of length one; seats in `keep` stay. An alternate placed in c's stead gives way.
        Applied (journalled) only when c is placed, no required course is lost and the student's requests
        placed do not drop; `dry` only says whether it would be."""
        prio = self.prio[k]
        if c in self.assign[k] or c not in prio or (prio[c] == 3 and self.n_elec[k] == 0):
            return False
        edges: dict[str, list[tuple[int, int, bool]]] = {}
        for d, _ in self.reqs[k]:
            if (k, d) in self.keep and d in self.assign[k]:
                edges[d] = [(self.period[self.assign[k][d]], self.assign[k][d], False)]
            else:
                edges[d] = [(p, i, False) for p, i in self._options(k, d)]
        match: dict[int, tuple[str, int, bool]] = {}

        def add(d: str) -> bool:
            return self._match(k, d, edges, match, eject=not ((k, d) in self.keep and d in self.assign[k]))

        if not add(c):
            return False
        _, r, e, a = self.count[k]
        credit = min(self.n_elec[k], e + a)
        placed_elec = int(prio[c] >= 2)
        for d, p in self.reqs[k]:
            if d == c or (p >= 2 and placed_elec >= self.n_elec[k]):
                continue
            if add(d):
                placed_elec += p >= 2
            elif p == 1 and d in self.assign[k]:
                return False
        new = {d: (i, ej) for _p, (d, i, ej) in match.items()}
        counts = [0, 0, 0, 0]
        for d in new:
            counts[prio[d]] += 1
        if counts[1] < r or min(self.n_elec[k], counts[2] + counts[3]) < credit:
            return False
        if dry:
            return True
        mark = len(self.log)
        self._apply(k, new)
        _, r2, e2, a2 = self.count[k]
        if c not in self.assign[k] or r2 < r or min(self.n_elec[k], e2 + a2) < credit or e2 + a2 > max(
                self.n_elec[k], e + a):
            self.undo(mark)
            return False
        return True

    def repair(self, budget: Budget, rounds: int = 3) -> int:
        """Student repair over everyone with an unplaced request, a few passes or until the budget is spent."""
        gained = 0
        for _ in range(rounds):
            changed = False
            self.tick()
            for k in range(len(self.students)):
                if budget.spent():
                    return gained
                if self.missing(k) and self.improve_student(k):
                    changed = True
                    gained += 1
            if not changed:
                break
        return gained

    # ---- section moves -------------------------------------------------------------------------------------
    def _free_room(self, i: int, period: int, vacating: set) -> str | None:
        """i's own room when free in `period`, else the smallest free room of its type that seats its class."""
        def free(r):
            at = self.room_at.get((r, period))
            return at is None or at in vacating
        if free(self.room[i]):
            return self.room[i]
        if self.pinned_room[i]:
            return None
        kind = self.room_type.get(self.course[i], "")
        fits = [(cap, r) for r, t, cap in self.rooms if t == kind and cap >= self.cap[i] and free(r)]
        return min(fits)[1] if fits else None

    def try_move(self, i: int, period: int, sideways: bool = False) -> bool:
        """Move section i to `period` (swapping with its teacher's section there); keep it only if it pays
        (or, `sideways`, if it costs nothing: a plateau move that lets the search leave a local optimum)."""
        if self.pinned_period[i] or period == self.period[i] or period not in self.available.get(self.staff[i], ()):
            return False
        old = self.period[i]
        j = self.teacher_at.get((self.staff[i], period))
        if j is not None and (self.pinned_period[j] or old not in self.available.get(self.staff[j], ())):
            return False
        moving = {i} if j is None else {i, j}
        room_i = self._free_room(i, period, moving)
        if room_i is None:
            return False
        room_j = None
        if j is not None:
            room_j = self._free_room(j, old, moving)
            if room_j is None:
                return False
        mark = len(self.log)
        before = self.total
        displaced = []
        for s in moving:
            for k in list(self.members[s]):
                self._seat(k, self.course[s], -1)
                displaced.append((k, s))
        # free both slots first, then place: a swap must not collide with itself
        for s in moving:
            key_t, key_r = (self.staff[s], self.period[s]), (self.room[s], self.period[s])
            if self.teacher_at.get(key_t) == s:
                del self.teacher_at[key_t]
            if self.room_at.get(key_r) == s:
                del self.room_at[key_r]
        self._move(i, period, room_i)
        if j is not None:
            self._move(j, old, room_j)
        redo = []
        for k, s in displaced:
            if self.period[s] not in self.busy[k]:
                self._seat(k, self.course[s], s)
            else:
                redo.append(k)
        for k in redo:
            self.improve_student(k)
        for s in moving:
            for k in self.wanted.get(self.course[s], ()):
                if self.course[s] not in self.assign[k]:
                    self.improve_student(k)
        if self.total < before or (self.total == before and not sideways):
            self.undo(mark)
            self._reindex()
            return False
        return True

    def load(self, teacher: str) -> int:
        """Sections teacher teaches now."""
        return sum(1 for t in self.staff if t == teacher)

    def may_teach(self, i: int, teacher: str, period: int) -> bool:
        """Whether `teacher` may ever teach section i in `period`: it is not pinned (nor its course), the
        teacher is certified in its subject and not unavailable then (busy or full or not)."""
        c = self.course[i]
        if self.pinned_period[i] or c in self.pinned_courses or period not in self.available.get(teacher, ()):
            return False
        return self.subject.get(c) in self.certified.get(teacher, ())

    def can_take(self, i: int, teacher: str, period: int) -> bool:
        """Whether section i could go to `teacher` in `period` as it stands: `may_teach`, the teacher free then,
        and (another teacher) below the sections they may teach."""
        if not self.may_teach(i, teacher, period) or self.teacher_at.get((teacher, period), i) != i:
            return False
        return teacher == self.staff[i] or self.load(teacher) < self.capacity.get(teacher, 0)

    def hand_in_place(self, i: int, teacher: str) -> None:
        """Section i to another teacher in its own period and room, its students staying (journalled)."""
        self._move(i, self.period[i], self.room[i], teacher)

    def try_handoff(self, i: int, teacher: str, period: int) -> bool:
        """Hand section i to `teacher` (another one with room, or its own) in a `period` they are free, with its
        room or another free one that seats the class; its students re-seated, then the students who requested
        its course and lack it re-matched. Kept only if more requests are placed (an elective placed directly
        where an alternate stood in counts); otherwise undone exactly. Hard rules hold by construction."""
        if not self.can_take(i, teacher, period):
            return False
        room = self._free_room(i, period, {i})
        if room is None:
            return False
        mark, before = len(self.log), self.total
        displaced = list(self.members[i])
        for k in displaced:
            self._seat(k, self.course[i], -1)
        self._move(i, period, room, teacher)
        for k in displaced:
            if period not in self.busy[k]:
                self._seat(k, self.course[i], i)
            else:
                self.improve_student(k)
        for k in self.wanted.get(self.course[i], ()):
            if self.course[i] not in self.assign[k]:
                self.improve_student(k)
        if self.total <= before:
            self.undo(mark)
            self._reindex()
            return False
        return True

    def _reindex(self) -> None:
        self.teacher_at = {(self.staff[i], self.period[i]): i for i in range(self.n)}
        self.room_at = {(self.room[i], self.period[i]): i for i in range(self.n)}

    def search(self, budget: Budget, max_tries: int | None = None, patience: int = 20) -> dict:
        """Section moves aimed at unplaced requests until the budget is spent, nothing is left to place, or
        `patience` passes in a row gain nothing. Once improving moves run out, moves that cost nothing are
        accepted too (the score never falls, so the current state is always the best found)."""
        tries = kept = 0
        stale = 0
        sideways = False
        while not budget.spent() and (max_tries is None or tries < max_tries):
            targets = [(k, c) for k in range(len(self.students)) if self.missing(k)
                       for c, p in self.reqs[k] if p < 3 and c not in self.assign[k]]
            if not targets:
                break
            self.rng.shuffle(targets)
            before = self.total
            for k, c in targets:
                self.tick()
                if budget.spent() or (max_tries is not None and tries >= max_tries):
                    break
                if c in self.assign[k]:
                    continue
                secs = list(self.by_course.get(c, ()))
                self.rng.shuffle(secs)
                done = False
                for i in secs:
                    periods = [p for p in self.available.get(self.staff[i], ()) if p != self.period[i]]
                    self.rng.shuffle(periods)
                    for p in periods:
                        tries += 1
                        if self.try_move(i, p, sideways):
                            kept += 1
                            done = True
                            break
                    if done or budget.spent():
                        break
                if done:
                    self.repair(budget, rounds=1)
            if self.total > before:
                stale = 0
            else:
                stale += 1
                sideways = True
                if stale >= patience:
                    break
        return {"moves_tried": tries, "moves_kept": kept}

    def period_bound(self) -> int:
        """An upper bound on requests placed with these periods, seats ignored: per student, the most of
        their courses that can meet in distinct periods (a matching), capped at their required + electives.
        Equal to the placed count, it proves the placement optimal for the periods."""
        total = 0
        periods_of: dict[str, set] = {}
        for i, c in enumerate(self.course):
            periods_of.setdefault(c, set()).add(self.period[i])
        for k, reqs in enumerate(self.reqs):
            match: dict[int, str] = {}

            def augment(c, seen, match=match) -> bool:
                for p in periods_of.get(c, ()):
                    if p not in seen:
                        seen.add(p)
                        if p not in match or augment(match[p], seen):
                            match[p] = c
                            return True
                return False
            for c, _ in reqs:
                augment(c, set())
            total += min(len(match), self.n_req[k] + self.n_elec[k])
        return total

    # ---- results -------------------------------------------------------------------------------------------
    def result(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        sections = self.sections.copy()
        if self.opened:
            sections = pd.concat([sections, pd.DataFrame(self.opened)], ignore_index=True)
        sections["staff_id"] = self.staff
        sections["period"] = self.period
        sections["room_id"] = self.room
        rows = [(self.students[k], self.sid[i]) for k in range(len(self.students)) for i in self.assign[k].values()]
        return sections, pd.DataFrame(rows, columns=["student_id", "section_id"])
