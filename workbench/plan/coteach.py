"""Co-taught (inclusion) sections (SPEC §4, issue 14): a pass after the schedule that gives each section of a
course with `co_teacher_subject` a second adult, then seats the students the co-teacher is there for in it.

Why a pass after the schedule, and why greedy: the schedule fixes when each section meets; a co-teacher only
has to be free then. Choosing co-teachers is a matching of co-taught sections to specialists, small (a few
dozen sections, a handful of specialists), so the most-constrained section is served first by the least-loaded
free specialist. A section that no specialist can take keeps a blank co_staff_id and is named, with its
subject, in plain words (an unmet outcome, never an error): the design is still valid, it only serves fewer
students in inclusion sections.

Students: a student with an IEP (for `sped` and any other co-teacher subject) or an English learner (for `enl`)
in a section of the course without a co-teacher moves to a section with one that meets at the very same
times, into a free seat or in a swap with a student who needs no co-teacher. Nobody's timetable changes.

A scenario whose courses name no co_teacher_subject is returned untouched (no co_staff_id column), so its
results stay byte-identical.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.scenario.calendar import SLOT, calendar_of, meetings
from workbench.scenario.model import Scenario
from workbench.scenario.schema import split_list

ELL_SUBJECT = "enl"   # SPEC §4: an English-as-a-new-language co-teacher serves English learners


def co_teacher_subjects(scenario: Scenario) -> dict[str, str]:
    """course_id -> the subject its co-teacher must hold, for the courses that name one."""
    courses = scenario.courses
    if "co_teacher_subject" not in courses.columns:
        return {}
    subject = courses["co_teacher_subject"].astype(str).str.strip().mask(courses["co_teacher_subject"].isna(), "")
    keep = subject != ""
    return dict(zip(courses.loc[keep, "course_id"].astype(str), subject[keep], strict=True))


def uses_coteaching(scenario: Scenario) -> bool:
    """True when some course asks for a co-teacher."""
    return bool(co_teacher_subjects(scenario))


@dataclass
class CoTeaching:
    """The pass's answer: sections with co_staff_id, enrollments after the inclusion moves, and `stats`
    (co_taught_sections, with_co_teacher, students_moved, unmet: one sentence per section left without one)."""

    sections: pd.DataFrame
    enrollments: pd.DataFrame
    stats: dict


def plan_coteachers(scenario: Scenario, staffing: pd.DataFrame, sections: pd.DataFrame,
                    enrollments: pd.DataFrame) -> CoTeaching:
    """Give every section of a co-taught course a co-teacher, then seat IEP / ELL students in those sections.

    `staffing` is the staffing step's table (staff_id, subjects, teaches_sections, max_sections,
    unavailable_periods); `sections` and `enrollments` the schedule's. Returns the scenario's tables unchanged
    (no co_staff_id column, empty stats) when no course names a co_teacher_subject. Raises nothing for a
    section that cannot be co-taught: it is listed in `stats["unmet"]`."""
    wanted = co_teacher_subjects(scenario)
    if not wanted:
        return CoTeaching(sections, enrollments, {})
    sections = sections.copy()
    sections["co_staff_id"] = ""
    held = _slots(scenario, sections)
    taught = sections[sections["course_id"].astype(str).isin(wanted)]
    specialists = _specialists(staffing, sections, held)
    unmet = []
    for section_id in _hardest_first(taught, wanted, specialists, held):
        row = taught.loc[taught["section_id"].astype(str) == section_id].iloc[0]
        subject = wanted[str(row["course_id"])]
        chosen = _free_specialist(specialists, subject, held[section_id], str(row["staff_id"]))
        if chosen is None:
            unmet.append(f"Section {section_id} ({row['course_id']}) has no co-teacher: "
                         + _why_none(specialists, subject, held[section_id], str(row["staff_id"])))
            continue
        specialists[chosen].take(held[section_id])
        sections.loc[sections["section_id"].astype(str) == section_id, "co_staff_id"] = chosen
    enrollments, moved = _seat_students_who_need_it(scenario, sections, enrollments, wanted)
    stats = {"co_taught_sections": int(len(taught)),
             "with_co_teacher": int((sections["co_staff_id"] != "").sum()),
             "students_moved": moved, "unmet": unmet}
    return CoTeaching(sections, enrollments, stats)


# ---- who can co-teach, and when they are free -------------------------------------------------------------

def _slots(scenario: Scenario, sections: pd.DataFrame) -> dict[str, frozenset]:
    """section_id -> the (term, day, period) slots it holds (the time model's answer)."""
    held = meetings(sections, calendar_of(scenario), scenario.courses)
    return {sid: frozenset(map(tuple, rows[SLOT].to_numpy().tolist()))
            for sid, rows in held.groupby("section_id", sort=False)}


@dataclass
class _Specialist:
    staff_id: str
    subjects: frozenset
    blocked_periods: frozenset
    room: int                 # sections she may still take (max_sections less those she teaches)
    busy: set

    def free_for(self, slots: frozenset) -> bool:
        return self.room > 0 and not (slots & self.busy) and not any(p in self.blocked_periods
                                                                     for _, _, p in slots)

    def take(self, slots: frozenset) -> None:
        self.room -= 1
        self.busy |= slots


def _specialists(staffing: pd.DataFrame, sections: pd.DataFrame, held: dict[str, frozenset]) -> dict:
    """staff_id -> _Specialist for every staff member whose role teaches sections, busy in her own sections."""
    own = sections.groupby(sections["staff_id"].astype(str))["section_id"].agg(lambda s: [str(x) for x in s])
    out = {}
    teaching = staffing[pd.to_numeric(staffing["teaches_sections"], errors="coerce").fillna(0).astype(int) == 1]
    for row in teaching.itertuples():
        sid = str(row.staff_id)
        mine = own.get(sid, [])
        busy = set().union(*(held.get(s, frozenset()) for s in mine)) if mine else set()
        blocked = frozenset(int(float(p)) for p in split_list(getattr(row, "unavailable_periods", "")))
        limit = pd.to_numeric(pd.Series([row.max_sections]), errors="coerce").fillna(0).iloc[0]
        out[sid] = _Specialist(sid, frozenset(split_list(row.subjects)), blocked, int(limit) - len(mine), busy)
    return out


def _hardest_first(taught: pd.DataFrame, wanted: dict[str, str], specialists: dict,
                   held: dict[str, frozenset]) -> list[str]:
    """Co-taught sections, those with the fewest possible co-teachers first (then by section_id): the
    most-constrained-first order of a greedy matching."""
    def options(row) -> int:
        slots = held.get(str(row.section_id), frozenset())
        return sum(wanted[str(row.course_id)] in s.subjects and s.free_for(slots) and s.staff_id != str(row.staff_id)
                   for s in specialists.values())
    order = sorted((options(r), str(r.section_id)) for r in taught.itertuples())
    return [sid for _, sid in order]


def _free_specialist(specialists: dict, subject: str, slots: frozenset, teacher: str) -> str | None:
    """The least-loaded specialist in `subject` free in every slot (ties: the lowest staff_id), or None."""
    fits = [s for s in specialists.values() if subject in s.subjects and s.staff_id != teacher and s.free_for(slots)]
    if not fits:
        return None
    return min(fits, key=lambda s: (-s.room, s.staff_id)).staff_id


def _why_none(specialists: dict, subject: str, slots: frozenset, teacher: str) -> str:
    """Why no specialist in `subject` can co-teach a section, naming each one who holds it."""
    holders = [s for s in specialists.values() if subject in s.subjects]
    if not holders:
        return f"no staff member who teaches sections holds {subject}; hire or certify one."
    said = []
    for s in sorted(holders, key=lambda h: h.staff_id):
        if s.staff_id == teacher:
            said.append(f"{s.staff_id} teaches it")
        elif s.room <= 0:
            said.append(f"{s.staff_id} has no room under max_sections")
        else:
            said.append(f"{s.staff_id} is busy or away when it meets")
    return f"of those who hold {subject}, {'; '.join(said)}."


# ---- students who need the co-teacher -----------------------------------------------------------------------

def needs_co_teacher(scenario: Scenario, subject: str) -> set[str]:
    """Students a co-teacher of `subject` serves (student_ids): English learners for enl, students with an IEP
    otherwise; empty when students.csv has no such flag."""
    flag = "ell" if subject == ELL_SUBJECT else "iep"
    students = scenario.students
    if flag not in students.columns:
        return set()
    on = pd.to_numeric(students[flag], errors="coerce").fillna(0) > 0
    return set(students.loc[on, "student_id"].astype(str))


def _seats(scenario: Scenario, sections: pd.DataFrame) -> dict[str, int]:
    """section_id -> seats: the smaller of the course's max_size and the room's capacity."""
    size = dict(zip(scenario.courses["course_id"].astype(str),
                    pd.to_numeric(scenario.courses["max_size"], errors="coerce"), strict=True))
    room = dict(zip(scenario.rooms["room_id"].astype(str),
                    pd.to_numeric(scenario.rooms["capacity"], errors="coerce"), strict=True))
    out = {}
    for r in sections.itertuples():
        caps = [c for c in (size.get(str(r.course_id)), room.get(str(r.room_id))) if c is not None and c == c]
        out[str(r.section_id)] = int(min(caps)) if caps else 0
    return out


def _seat_students_who_need_it(scenario: Scenario, sections: pd.DataFrame, enrollments: pd.DataFrame,
                               wanted: dict[str, str]) -> tuple[pd.DataFrame, int]:
    """Move each student who needs a co-teacher from a section without one to a section of the same course
    with one that meets at the same times (same period, term and day type), into a free seat or in a swap
    with a student who does not need one. Returns (enrollments, students moved)."""
    enroll = enrollments.copy()
    enroll["section_id"] = enroll["section_id"].astype(str)
    secs = sections.assign(section_id=sections["section_id"].astype(str), course_id=sections["course_id"].astype(str))
    timing = [c for c in ("period", "term", "day_type") if c in secs.columns]
    secs["_when"] = secs[timing].astype(str).agg("|".join, axis=1)
    seats = _seats(scenario, secs)
    moved = 0
    for (course, _), group in secs[secs["course_id"].isin(wanted)].groupby(["course_id", "_when"], sort=True):
        need = needs_co_teacher(scenario, wanted[course])
        with_co = [s for s, c in zip(group["section_id"], group["co_staff_id"], strict=True) if c != ""]
        without = [s for s, c in zip(group["section_id"], group["co_staff_id"], strict=True) if c == ""]
        for target in with_co:
            for source in without:
                moved += _move_into(enroll, source, target, need, seats[target])
    return enroll.reset_index(drop=True), moved


def _move_into(enroll: pd.DataFrame, source: str, target: str, need: set[str], seats: int) -> int:
    """Move `need` students of `source` into `target` (in place), while target has a seat or a student who
    does not need it to swap out. Returns how many moved."""
    moved = 0
    for student in sorted(set(enroll.loc[enroll["section_id"] == source, "student_id"].astype(str)) & need):
        in_target = enroll.loc[enroll["section_id"] == target, "student_id"].astype(str)
        if len(in_target) >= seats:
            others = sorted(set(in_target) - need)
            if not others:
                break
            enroll.loc[(enroll["section_id"] == target) & (enroll["student_id"].astype(str) == others[0]),
                       "section_id"] = source
        enroll.loc[(enroll["section_id"] == source) & (enroll["student_id"].astype(str) == student),
                   "section_id"] = target
        moved += 1
    return moved
