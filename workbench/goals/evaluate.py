"""Judge a design by each student's own plan (SPEC §1 goal table), from the result's own tables only.

The same function serves the pipeline (which writes student_goals.csv) and the independent checker (which
re-derives every `met` flag from a result edited by hand), so it never trusts a solver's claims: it reads
sections, enrollments, groups, staffing and funded supports, and says in plain words why a goal is unmet.
Work is vectorised per goal kind; only the few unmet `course` goals get a per-row explanation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.goals.teachers import least_planning_minutes, teacher_load
from workbench.plan.coteach import co_teacher_subjects, needs_co_teacher, uses_coteaching
from workbench.plan.goal_meaning import class_within, in_goal_subject, led_staff, teacher_meets, wants_leader
from workbench.plan.money import money_of
from workbench.scenario.calendar import (
    Calendar,
    calendar_of,
    lunch_ok,
    meetings,
    rotation_words,
    session_slots,
    student_slots,
    uses_calendar,
    weekly_minutes,
)
from workbench.scenario.model import Scenario
from workbench.scenario.schema import split_list
from workbench.verify.result import Result

GOAL_COLUMNS = ["student_id", "goal", "subject", "target", "provided", "met", "reason"]
CO_TAUGHT = "co_taught"   # student_goals.csv's column of a design that co-teaches (`co_taught_words`)


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == ""


def _fmt(x: float) -> str:
    """15.0 -> "15", 2.5 -> "2.5": numbers as a school leader writes them."""
    return f"{x:g}"


def student_sections(scenario: Scenario, result: Result) -> pd.DataFrame:
    """One row per (student, section): course, subject, period, teacher, class size and the course cap."""
    sections = result.sections.astype({"section_id": str, "course_id": str, "staff_id": str})
    enroll = result.enrollments[["student_id", "section_id"]].astype(str)
    size = enroll.groupby("section_id").size().rename("size")
    courses = scenario.courses.set_index("course_id")[["subject", "max_size"]]
    out = enroll.merge(sections[["section_id", "course_id", "staff_id", "period"]], on="section_id", how="left")
    out = out.join(size, on="section_id").join(courses, on="course_id")
    return out


def co_taught_seats(result: Result) -> pd.DataFrame:
    """Each seat in a section with a co-teacher (SPEC §4 sections.csv co_staff_id): student_id, section_id,
    course_id, staff_id, co_staff_id, in enrollment order. Empty when the design co-teaches nothing."""
    columns = ["student_id", "section_id", "course_id", "staff_id", "co_staff_id"]
    if "co_staff_id" not in result.sections.columns:
        return pd.DataFrame(columns=columns)
    sections = result.sections.drop_duplicates("section_id")
    co = sections["co_staff_id"].astype(str).str.strip().mask(sections["co_staff_id"].isna(), "")
    taught = sections.assign(co_staff_id=co)[co != ""][["section_id", "course_id", "staff_id", "co_staff_id"]]
    taught = taught.astype(str)
    seats = result.enrollments[["student_id", "section_id"]].astype(str).merge(taught, on="section_id")
    return seats[columns]


def co_taught_words(result: Result) -> pd.Series:
    """student_id -> where she sits with two adults, in a family's words: "in a co-taught section (M6, with
    T05)", several joined by "; " (course, then the co-teacher). Only students in a co-taught section appear."""
    seats = co_taught_seats(result)
    words = "in a co-taught section (" + seats["course_id"] + ", with " + seats["co_staff_id"] + ")"
    return words.groupby(seats["student_id"].to_numpy()).agg("; ".join)


def sections_without_co_teacher(scenario: Scenario, result: Result) -> pd.DataFrame:
    """Sections of a course with a `co_teacher_subject` (SPEC §4) that have no co-teacher in the result:
    section_id, course_id and the subject wanted, in sections.csv order. Empty when nothing is co-taught."""
    wanted = co_teacher_subjects(scenario)
    sections = result.sections.drop_duplicates("section_id").astype({"section_id": str, "course_id": str})
    co = (sections["co_staff_id"].astype(str).str.strip().mask(sections["co_staff_id"].isna(), "")
          if "co_staff_id" in sections.columns else pd.Series("", index=sections.index))
    short = sections[sections["course_id"].isin(wanted) & (co == "")]
    return pd.DataFrame({"section_id": short["section_id"], "course_id": short["course_id"],
                         "subject": short["course_id"].map(wanted)}).reset_index(drop=True)


def without_co_teacher_words(scenario: Scenario, result: Result) -> pd.Series:
    """student_id -> where a student the co-teacher is there for (an IEP; an English learner, for `enl`) sits
    in a co-taught course's section that has no co-teacher: "in ELA7-01 (ELA7) without the enl co-teacher its
    course asks for", several joined by "; ". Why: the goal report must not let a missing second adult pass
    unseen; only the students she would serve are named."""
    short = sections_without_co_teacher(scenario, result)
    if short.empty:
        return pd.Series(dtype=object)
    seats = result.enrollments[["student_id", "section_id"]].astype(str).merge(short, on="section_id")
    needy = {subject: needs_co_teacher(scenario, subject) for subject in short["subject"].unique()}
    seats = seats[[s in needy[subject] for s, subject in zip(seats["student_id"], seats["subject"], strict=True)]]
    words = ("in " + seats["section_id"] + " (" + seats["course_id"] + ") without the " + seats["subject"]
             + " co-teacher its course asks for")
    return words.groupby(seats["student_id"].to_numpy()).agg("; ".join)


def co_taught_counts(scenario: Scenario, result: Result) -> dict[str, int]:
    """summary.json's co-teaching figures (issue 14): `co_taught_sections` (sections of a course with a
    co_teacher_subject) and `co_taught_sections_without_co_teacher` (of those, how many have none)."""
    wanted = co_teacher_subjects(scenario)
    planned = result.sections.drop_duplicates("section_id")["course_id"].astype(str).isin(wanted).sum()
    return {"co_taught_sections": int(planned),
            "co_taught_sections_without_co_teacher": len(sections_without_co_teacher(scenario, result))}


def _teachers(scenario: Scenario, result: Result) -> pd.DataFrame:
    """staff_id -> effectiveness and whether a `leader` target counts them (`goal_meaning.led_staff`)."""
    reach = scenario.roles.set_index("role")["reach"]
    staff = result.staffing.copy()
    if staff.empty:
        staff = scenario.staff[["staff_id", "role", "effectiveness"]].assign(leader_id="")
    staff = staff.astype({"staff_id": str, "role": str})
    eff = pd.to_numeric(staff["effectiveness"], errors="coerce")
    fallback = scenario.staff.set_index("staff_id")["effectiveness"]
    eff = eff.fillna(staff["staff_id"].map(fallback))
    led = led_staff(staff["staff_id"], staff["role"].map(reach), staff.get("leader_id"))
    return pd.DataFrame({"effectiveness": eff.to_numpy(), "led": led.to_numpy()}, index=staff["staff_id"].to_numpy())


def _tutoring(goals: pd.DataFrame, result: Result, calendar: Calendar) -> pd.DataFrame:
    per_group = weekly_minutes(result.group_sessions, calendar)
    members = result.group_members[["group_id", "student_id"]].astype(str)
    groups = result.groups[["group_id", "subject"]].astype(str).set_index("group_id")["subject"]
    members = members.assign(subject=members["group_id"].map(groups),
                             minutes=members["group_id"].map(per_group).fillna(0))
    got = members.groupby(["student_id", "subject"])["minutes"].sum()
    key = pd.MultiIndex.from_arrays([goals["student_id"], goals["subject"].fillna("")])
    provided = pd.Series(got.reindex(key).fillna(0).to_numpy(), index=goals.index)
    target = pd.to_numeric(goals["target"], errors="coerce")
    met = provided >= target
    subj = goals["subject"].fillna("any subject")
    text = provided.map(_fmt) + " minutes a week"
    reason = np.where(
        provided <= 0,
        "tutoring: no small group in " + subj + " (0 of " + target.map(_fmt) + " minutes a week)",
        "tutoring: " + provided.map(_fmt) + " of " + target.map(_fmt) + " minutes a week in " + subj)
    if "unserved_tutoring" in result.extra and not result.extra["unserved_tutoring"].empty:
        unserved = result.extra["unserved_tutoring"].astype(str)
        if {"student_id", "subject", "reason"} <= set(unserved.columns):
            why = unserved.drop_duplicates(["student_id", "subject"]).set_index(["student_id", "subject"])["reason"]
            extra = pd.Series(why.reindex(key).to_numpy(), index=goals.index)
            reason = np.where(extra.notna() & (extra != ""), reason + " — " + extra.fillna(""), reason)
    return pd.DataFrame({"provided": text, "met": met, "reason": reason}, index=goals.index)


def _sections_for(goals: pd.DataFrame, placed: pd.DataFrame) -> pd.DataFrame:
    """Each goal row joined to the student's sections in the goal's subject (all sections when blank)."""
    g = goals[["student_id", "subject"]].reset_index(names="row")
    g["subject"] = g["subject"].fillna("")
    joined = g.merge(placed, on="student_id", how="inner", suffixes=("", "_sec"))
    return joined[in_goal_subject(joined["subject"], joined["subject_sec"])]


def _max_class_size(goals: pd.DataFrame, placed: pd.DataFrame) -> pd.DataFrame:
    target = pd.to_numeric(goals["target"], errors="coerce")
    joined = _sections_for(goals, placed)
    biggest = joined.sort_values("size", ascending=False).drop_duplicates("row").set_index("row")
    size = biggest["size"].reindex(goals.index)
    sec = biggest["section_id"].reindex(goals.index)
    met = size.notna() & class_within(size, target)
    subj = goals["subject"].fillna("")
    where = np.where(subj == "", "a section", "a " + subj + " section")
    provided = np.where(size.isna(), "no section",
                        "largest class " + size.fillna(0).astype(int).astype(str) + " (" + sec.fillna("") + ")")
    reason = np.where(
        size.isna(), np.where(subj == "", "not placed in any section", "not placed in any " + subj + " section"),
        "in " + where + " of " + size.fillna(0).astype(int).astype(str) + " (cap " + target.map(_fmt)
        + "): " + sec.fillna(""))
    return pd.DataFrame({"provided": provided, "met": met, "reason": reason}, index=goals.index)


def _strong_teacher(goals: pd.DataFrame, placed: pd.DataFrame, teachers: pd.DataFrame) -> pd.DataFrame:
    target_raw = goals["target"].astype(str).str.strip()
    leader_wanted = target_raw.map(wants_leader)
    joined = _sections_for(goals, placed)
    joined = joined.join(teachers, on="staff_id")
    joined["want_leader"] = joined["row"].map(leader_wanted)
    joined["ok"] = [bool(teacher_meets(eff, led, target)) for eff, led, target in zip(
        joined["effectiveness"], joined["led"].fillna(False).astype(bool), joined["row"].map(target_raw),
        strict=True)]
    # the weakest section first: it decides the goal and names the teacher in the reason
    joined["score"] = np.where(joined["want_leader"], joined["ok"].astype(float), joined["effectiveness"].fillna(-1))
    worst = joined.sort_values(["ok", "score"]).drop_duplicates("row").set_index("row")
    has = pd.Series(goals.index.isin(worst.index), index=goals.index)
    all_ok = joined.groupby("row")["ok"].all().reindex(goals.index).fillna(False).astype(bool)
    met = has & all_ok
    staff = worst["staff_id"].reindex(goals.index).fillna("")
    eff = worst["effectiveness"].reindex(goals.index)
    eff_text = np.where(eff.isna(), "effectiveness unknown", "effectiveness " + eff.map(lambda v: f"{v:.1f}"))
    subj = goals["subject"].fillna("")
    subj_text = np.where(subj == "", "", " " + subj)
    provided = np.where(~has, "no section",
                        np.where(leader_wanted, np.where(met, "on a leader's team", "taught by " + staff),
                                 "lowest: " + staff + " (" + eff_text + ")"))
    reason = np.where(
        ~has, "not placed in any" + subj_text + " section",
        np.where(leader_wanted,
                 "taught" + subj_text + " by " + staff + ", who neither leads a team nor is on a leader's team",
                 "taught" + subj_text + " by " + staff + " (" + eff_text + ", needs " + target_raw + ")"))
    return pd.DataFrame({"provided": provided, "met": met, "reason": reason}, index=goals.index)


def _support(goals: pd.DataFrame, scenario: Scenario, result: Result) -> pd.DataFrame:
    funded = result.student_supports[["student_id", "support"]].astype(str)
    key = goals["student_id"] + "\x1f" + goals["target"].astype(str).str.strip()
    have = set(funded["student_id"] + "\x1f" + funded["support"])
    met = key.isin(have)
    support = goals["target"].astype(str).str.strip()
    catalogue = scenario.supports.set_index("support")
    limit = catalogue["capacity"] if "capacity" in catalogue else pd.Series(dtype=float)
    capacity = support.map(pd.to_numeric(limit, errors="coerce").astype(float))   # NaN: blank, no limit
    used = support.map(funded["support"].value_counts()).fillna(0).astype(int)
    known = support.isin(catalogue.index)
    full = used >= capacity   # never true against NaN
    reason = np.where(
        ~known, support + " is not in supports.csv",
        np.where(full, support + " not funded: capacity " + capacity.fillna(0).astype(int).astype(str) + " reached",
                 support + " not funded: the budget funds it for " + used.astype(str)
                 + used.map(lambda n: " student" if n == 1 else " students") + ", not this one"))
    provided = np.where(met, "funded", "not funded")
    return pd.DataFrame({"provided": provided, "met": met, "reason": reason}, index=goals.index)


def _course(goals: pd.DataFrame, scenario: Scenario, result: Result, placed: pd.DataFrame) -> pd.DataFrame:
    course = goals["target"].astype(str).str.strip()
    got = placed.drop_duplicates(["student_id", "course_id"]).set_index(["student_id", "course_id"])["section_id"]
    key = pd.MultiIndex.from_arrays([goals["student_id"], course])
    section = pd.Series(got.reindex(key).to_numpy(), index=goals.index)
    met = section.notna()
    provided = np.where(met, "enrolled in " + section.fillna(""), "not enrolled")
    reason = pd.Series("", index=goals.index, dtype=object)
    if (~met).any():
        why = _WhyNotPlaced(scenario, result, placed, set(goals.loc[~met, "student_id"]), set(course[~met]))
        reason[~met] = [why(sid, cid) for sid, cid in zip(goals.loc[~met, "student_id"], course[~met], strict=True)]
    return pd.DataFrame({"provided": provided, "met": met, "reason": reason}, index=goals.index)


class _WhyNotPlaced:
    """The most specific reason the tables allow for an unplaced course: not requested, no section, every
    section clashes with the student's other commitments, or every section that fits is full. Lookups are
    built once, so explaining hundreds of unmet goals costs milliseconds."""

    def __init__(self, scenario: Scenario, result: Result, placed: pd.DataFrame, students: set[str],
                 courses: set[str]):
        req = scenario.requests
        req = req[req["student_id"].isin(students) & req["course_id"].isin(courses)]
        self.requested = set(zip(req["student_id"].tolist(), req["course_id"].tolist(), strict=True))
        secs = result.sections.astype({"section_id": str, "course_id": str})
        secs = secs[secs["course_id"].isin(courses)].copy()
        secs["cap"] = _seat_caps(scenario, secs)
        secs["size"] = secs["section_id"].map(placed["section_id"].value_counts()).fillna(0).astype(int)
        # a hand-edited sections.csv may leave a period blank: such a section meets at no time, so it offers
        # no seat a student could be placed in and keeps no student busy
        period = pd.to_numeric(secs["period"], errors="coerce")
        self.untimed: dict[str, list[str]] = {}
        for cid, sec in zip(secs.loc[period.isna(), "course_id"].tolist(), secs.loc[period.isna(), "section_id"]
                            .tolist(), strict=True):
            self.untimed.setdefault(cid, []).append(sec)
        secs = secs.assign(period=period)[period.notna()]
        # when each section meets, slot by slot (term, day, period): sections of one period may not clash on
        # an A/B or term calendar
        cal = calendar_of(scenario)
        held = meetings(result.sections, cal, scenario.courses)
        self.slots: dict[str, list] = {sid: list(zip(g["term"], g["day"], g["period"], strict=True))
                                       for sid, g in held.groupby("section_id", sort=False)}
        self.rotation = dict(zip(secs["section_id"], _rotation_words(secs).tolist(), strict=True))
        self.sections: dict[str, list] = {}
        for row in zip(secs["course_id"].tolist(), secs["section_id"].tolist(), secs["period"].astype(int).tolist(),
                       secs["size"].tolist(), secs["cap"].tolist(), strict=True):
            self.sections.setdefault(row[0], []).append(row[1:])
        mine = placed[placed["student_id"].isin(students)]
        self.busy: dict[str, dict] = {}   # student -> {(term, day, period): the course or "small group" there}
        for sid, section, cid in zip(mine["student_id"].tolist(), mine["section_id"].astype(str).tolist(),
                                     mine["course_id"].tolist(), strict=True):
            for slot in self.slots.get(section, []):
                self.busy.setdefault(sid, {})[slot] = cid
        members = result.group_members.astype(str)
        members = members[members["student_id"].isin(students)]
        if not members.empty:
            sess = session_slots(members.merge(result.group_sessions.astype({"group_id": str}), on="group_id"), cal)
            sess = sess.assign(day=pd.to_numeric(sess["day"], errors="coerce"),
                               period=pd.to_numeric(sess["period"], errors="coerce")).dropna(subset=["day", "period"])
            for s, term, day, p in zip(sess["student_id"], sess["term"], sess["day"].astype(int),
                                       sess["period"].astype(int), strict=True):
                self.busy.setdefault(s, {}).setdefault((term, day, p), "small group")
        self.subject = scenario.courses.astype({"course_id": str}).set_index("course_id")["subject"].astype(str)
        self.at_limit = _teachers_at_limit(result)

    def _clash(self, busy: dict, section_id: str) -> str | None:
        """What keeps the student from this section (a course before a small group), or None when it fits."""
        found = [busy[slot] for slot in self.slots.get(section_id, []) if slot in busy]
        if not found:
            return None
        return next((what for what in found if what != "small group"), found[0])

    def _no_room(self, course: str) -> str:
        """When every teacher certified in the course's subject teaches as many sections as they may, no section
        could open (or move) to a period the student is free: the capacity that ran out, named."""
        subject = self.subject.get(course)
        if subject not in self.at_limit:
            return ""
        return f"; every teacher certified in {subject} teaches as many sections as they may ({self.at_limit[subject]})"

    def __call__(self, student: str, course: str) -> str:
        if (student, course) not in self.requested:
            return f"{student} did not request {course}"
        secs = self.sections.get(course, [])
        if not secs:
            untimed = self.untimed.get(course, [])
            if untimed:
                return (f"requested {course} but no section of it has a period in this design "
                        f"({', '.join(untimed)} has none)")
            return f"requested {course} but no section of it runs in this design" + self._no_room(course)
        busy = self.busy.get(student, {})
        clashes = {s[0]: self._clash(busy, s[0]) for s in secs}
        free = [s for s in secs if clashes[s[0]] is None]
        if not free:
            return (f"requested {course} but no section of it fits around {student}'s other commitments "
                    f"in {self._clash_words(secs, clashes)}" + self._no_room(course))
        if all(size >= cap for _, _, size, cap in free):
            listed = ", ".join(f"{sid} in period {int(p)}{self.rotation[sid]} ({n} of {cap:g})"
                               for sid, p, n, cap in free)
            return f"requested {course} but every section that fits is full: {listed}"
        return (f"requested {course}; a section with a free seat fits (period {int(free[0][1])}"
                f"{self.rotation[free[0][0]]}) but the design gave the seat to higher-priority requests")

    def _clash_words(self, secs: list, clashes: dict[str, str | None]) -> str:
        """'periods 2 (ENG9), 4 (ALG1)' on a plain week; 'period 2 on A days (ENG9), period 2 on B days (BIO)'
        where sections meet on one day type or in one term, so the reader knows which of them is meant."""
        when = sorted({(int(s[1]), self.rotation[s[0]]) for s in secs})
        by_when = {(int(s[1]), self.rotation[s[0]]): clashes[s[0]] for s in reversed(secs)}
        if all(rotation == "" for _, rotation in when):
            return f"period{'s' if len(when) > 1 else ''} " + ", ".join(f"{p} ({by_when[p, r]})" for p, r in when)
        return ", ".join(f"period {p}{r} ({by_when[p, r]})" for p, r in when)


def _rotation_words(sections: pd.DataFrame) -> pd.Series:
    """' on A days', ' in the fall term', ' in the fall term on A days' or '' (every day of every term) for each
    section, from its `term` and `day_type` cells: said after its period in a goal's reason."""
    def cell(column: str) -> pd.Series:
        if column not in sections.columns:
            return pd.Series("", index=sections.index)
        return sections[column].fillna("").astype(str).str.strip()

    return pd.Series([rotation_words(term, day_type) for term, day_type in zip(cell("term"), cell("day_type"),
                                                                                strict=True)],
                     index=sections.index, dtype=object)


def _teachers_at_limit(result: Result) -> dict[str, str]:
    """subject -> "T004 2 of 2, T005 5 of 5" for each subject whose certified teachers all teach as many sections
    as staffing.csv's max_sections allows (a result without that column: none)."""
    staff = result.staffing
    if staff is None or staff.empty or not {"staff_id", "subjects", "max_sections"} <= set(staff.columns):
        return {}
    load = result.sections["staff_id"].astype(str).value_counts() if len(result.sections) else pd.Series(dtype=int)
    by_subject: dict[str, list[tuple[str, int, int]]] = {}
    for sid, subjects, limit in zip(staff["staff_id"].astype(str), staff["subjects"].fillna("").astype(str),
                                    pd.to_numeric(staff["max_sections"], errors="coerce"), strict=True):
        if pd.isna(limit) or int(limit) <= 0:
            continue
        for subject in split_list(subjects):
            by_subject.setdefault(subject, []).append((sid, int(load.get(sid, 0)), int(limit)))
    return {subject: ", ".join(f"{t} {n} of {m}" for t, n, m in rows)
            for subject, rows in by_subject.items() if all(n >= m for _t, n, m in rows)}


def _seat_caps(scenario: Scenario, secs: pd.DataFrame) -> np.ndarray:
    max_size = secs["course_id"].astype(str).map(scenario.courses.set_index("course_id")["max_size"])
    room_cap = secs["room_id"].astype(str).map(scenario.rooms.set_index("room_id")["capacity"])
    return np.fmin(max_size.astype(float).to_numpy(), room_cap.astype(float).to_numpy())


def evaluate_goals(scenario: Scenario, result: Result) -> pd.DataFrame:
    """One row for each row of goals.csv, in order: what the design provides, whether the goal is met (0/1),
    and why not (GOAL_COLUMNS). A design that co-teaches (its sections carry co_staff_id) adds CO_TAUGHT:
    the student's `co_taught_words`, then, for a student with an IEP (or an English learner) in a co-taught
    course's section left without its co-teacher, `without_co_teacher_words`; blank for a student in neither."""
    goals = scenario.goals.reset_index(drop=True).copy()
    goals["student_id"] = goals["student_id"].astype(str)
    goals["goal"] = goals["goal"].astype(str).str.strip()
    subj = goals["subject"] if "subject" in goals else pd.Series(np.nan, index=goals.index)
    goals["subject"] = subj.where(~subj.map(_blank), np.nan)
    placed = student_sections(scenario, result)
    out = pd.DataFrame({"provided": "", "met": False, "reason": ""}, index=goals.index).astype(
        {"provided": object, "reason": object})
    kinds = {
        "tutoring_minutes": lambda g: _tutoring(g, result, calendar_of(scenario)),
        "course": lambda g: _course(g, scenario, result, placed),
        "max_class_size": lambda g: _max_class_size(g, placed),
        "support": lambda g: _support(g, scenario, result),
        "strong_teacher": lambda g: _strong_teacher(g, placed, _teachers(scenario, result)),
    }
    for kind, fn in kinds.items():
        mask = goals["goal"] == kind
        if mask.any():
            out.loc[mask, ["provided", "met", "reason"]] = fn(goals[mask])[["provided", "met", "reason"]]
    unknown = ~goals["goal"].isin(list(kinds))
    out.loc[unknown, "reason"] = "unknown goal kind " + goals.loc[unknown, "goal"]
    met = out["met"].astype(bool)
    judged = pd.DataFrame({
        "student_id": goals["student_id"],
        "goal": goals["goal"],
        "subject": goals["subject"].fillna(""),
        "target": goals["target"].astype(str),
        "provided": out["provided"].astype(str),
        "met": met.astype("int64"),
        "reason": np.where(met, "", out["reason"].astype(str)),
    })[GOAL_COLUMNS]
    if "co_staff_id" in result.sections.columns:
        words = co_taught_words(result).to_dict()
        missing = without_co_teacher_words(scenario, result).to_dict()
        judged[CO_TAUGHT] = ["; ".join(w for w in (words.get(student, ""), missing.get(student, "")) if w)
                             for student in judged["student_id"]]
    return judged


def placed_requests(scenario: Scenario, result: Result) -> pd.DataFrame:
    """requests.csv with a `placed` flag (the student sits in a section of that course)."""
    placed = student_sections(scenario, result)
    have = set(placed["student_id"] + "\x1f" + placed["course_id"].astype(str))
    req = scenario.requests[["student_id", "course_id", "priority"]].copy()
    req["placed"] = (req["student_id"].astype(str) + "\x1f" + req["course_id"].astype(str)).isin(have)
    return req


def _pct(part: float, whole: float) -> float:
    return round(100.0 * part / whole, 2) if whole else 100.0


def summary_metrics(scenario: Scenario, result: Result, student_goals: pd.DataFrame | None = None) -> dict:
    """SPEC §2 metrics, each 0-100, plus budget_balance (this year's, SPEC §2) and recurring_balance (without
    one-time money, the headline), both in dollars from `workbench.plan.money`. A placed alternate counts for
    an unplaced elective of the same student in requests_fulfilled_pct (SPEC); first_choice_pct counts only the
    priority-1 and priority-2 courses themselves, so that alternates standing in cannot hide a lost first
    choice. A scenario with a co-taught course adds `co_taught_counts` (plain scenarios keep their summary)."""
    req = placed_requests(scenario, result)
    p1 = req[req["priority"] == 1]
    by_student = req.assign(
        p2=req["priority"] == 2, p2_placed=(req["priority"] == 2) & req["placed"],
        p3_placed=(req["priority"] == 3) & req["placed"]).groupby("student_id")[["p2", "p2_placed", "p3_placed"]].sum()
    electives_placed = np.minimum(by_student["p2"], by_student["p2_placed"] + by_student["p3_placed"]).sum()
    wanted = len(p1) + int(by_student["p2"].sum())
    missing_required = set(p1.loc[~p1["placed"], "student_id"])
    students = scenario.students["student_id"].astype(str)
    if student_goals is None:
        student_goals = result.student_goals if len(result.student_goals) == len(scenario.goals) else None
    if student_goals is None or student_goals.empty and len(scenario.goals):
        student_goals = evaluate_goals(scenario, result)
    met = pd.to_numeric(student_goals["met"], errors="coerce").fillna(0).sum()
    figures = money_of(result, scenario)
    metrics = {
        "requests_fulfilled_pct": _pct(int(p1["placed"].sum()) + int(electives_placed), wanted),
        "required_fulfilled_pct": _pct(int(p1["placed"].sum()), len(p1)),
        "first_choice_pct": _pct(int(p1["placed"].sum()) + int(by_student["p2_placed"].sum()), wanted),
        "students_fully_scheduled_pct": _pct(int((~students.isin(missing_required)).sum()), len(students)),
        "goals_met_pct": _pct(float(met), len(student_goals)),
        "budget_balance": figures.this_year_balance,
        "recurring_balance": figures.recurring_balance,
    }
    if uses_calendar(scenario):   # SPEC §4's figures; a plain week's summary stays as it was
        metrics.update(calendar_metrics(scenario, result))
    elif uses_coteaching(scenario):
        metrics["teacher_planning_minutes_min"] = least_planning_minutes(teacher_load(scenario, result))
    if uses_coteaching(scenario):
        metrics.update(co_taught_counts(scenario, result))
    return metrics


def calendar_metrics(scenario: Scenario, result: Result) -> dict:
    """SPEC §4: `lunch_ok` (rule 12 holds) and `teacher_planning_minutes_min` (the smallest weekly planning
    time of any teacher who teaches or co-teaches a section, in minutes; None when nobody does)."""
    cal = calendar_of(scenario)
    sections = result.sections.astype({"section_id": str, "staff_id": str})
    held = meetings(sections, cal, scenario.courses).merge(sections[["section_id", "staff_id"]], on="section_id")
    busy = student_slots(result.enrollments, held, result.group_members, result.group_sessions, cal)
    return {"lunch_ok": lunch_ok(scenario.students["student_id"], busy, cal),
            "teacher_planning_minutes_min": least_planning_minutes(teacher_load(scenario, result))}
