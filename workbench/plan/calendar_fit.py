"""The schedule step on the school's calendar (SPEC §4): which term and day type each section takes.

The period assignment and student placement (workbench.plan.schedule) know one kind of time, "period p, every
day". This module turns a calendar into that kind of time and back, so they need not change:

- **Split calendars become more periods.** When every course runs for one term (a 4x4 block) and/or every
  course meets on one day type (A/B block), each (term, day type, period) is a period of its own: a school
  of 4 periods on A and B days is planned as a day of 8 periods, and period 6 becomes (B, period 2). Two
  sections then share a slot exactly when they share a period of that day, so the plain planner's rules are
  the calendar's rules, and a student takes eight courses in four periods.
- **Mixed calendars get a pass after.** When only some courses run for a term or on one day type, the
  sections are placed as in a plain week and then each term course's section takes one term, each
  one_day_type section one day type, spread evenly per teacher and per course. That only frees slots, so it
  is always valid; it is not thrifty (no second course in a period).

- **Double periods and lunch waves** (rules 14 and 12) are given to the planner as pinned stand-in sections
  (workbench.plan.holds): a double section holds its two periods, every student a lunch period on each copy of
  the day. What the placement still misses, the pass after keeps sound: a student whose every lunch period is
  taken on some day leaves her lowest-priority class there (listed in unplaced_requests with the reason), and
  the small-group step is shown a stand-in section at each student's lunch, so no group takes it. Too few
  seats is said in words.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from workbench.errors import InfeasibleDesign
from workbench.plan import schedule as schedule_step
from workbench.plan.holds import plan_holds, with_holds, without_holds
from workbench.plan.schedule import SchedulePlan
from workbench.progress import SILENT, Reporter
from workbench.scenario.calendar import (
    EVERY_DAY,
    ONE_DAY_TYPE,
    TERM,
    YEAR,
    calendar_of,
    course_timing,
    meetings,
    rotation_words,
    uses_calendar,
)
from workbench.scenario.model import Scenario
from workbench.scenario.schema import split_list


def _balanced(frame: pd.DataFrame, choices: list[str]) -> pd.Series:
    """A choice for each section (in the frame's order): the one where its teacher has the fewest sections so
    far, then its course, then the school; ties go to the earlier choice. Keeps each teacher's and each
    course's load even across terms (or day types), so no term is left empty."""
    load: dict[tuple, int] = {}
    picked = []
    for staff_id, course_id in zip(frame["staff_id"].astype(str), frame["course_id"].astype(str), strict=True):
        best = min(choices, key=lambda c: (load.get(("staff", staff_id, c), 0), load.get(("course", course_id, c), 0),
                                           load.get(("all", c), 0), choices.index(c)))
        for key in (("staff", staff_id, best), ("course", course_id, best), ("all", best)):
            load[key] = load.get(key, 0) + 1
        picked.append(best)
    return pd.Series(picked, index=frame.index, dtype=object)


def place_in_calendar(scenario: Scenario, sections: pd.DataFrame) -> pd.DataFrame:
    """`sections` (section_id, course_id, staff_id, period...) with `term` and `day_type` columns for a scenario
    that uses the calendar; unchanged (no new column) for a plain week. A column already there (from a split
    calendar) is kept. Blank cells mean every term and every day; a term course's sections get one term each, a
    one_day_type course's one day type each (both balanced per teacher, then per course), a course meeting on a
    named day type that day type. Deterministic: sections are taken in section_id order."""
    if not uses_calendar(scenario):
        return sections
    cal = calendar_of(scenario)
    timing = course_timing(scenario.courses)
    out = sections.copy()
    order = out.sort_values("section_id", kind="stable")
    course = order["course_id"].astype(str)
    if "term" not in out.columns:
        terms = pd.Series("", index=order.index, dtype=object)
        if len(cal.terms) > 1:
            by_term = order[course.map(timing["term_length"]).fillna("") == TERM]
            terms.loc[by_term.index] = _balanced(by_term, list(cal.terms))
        out["term"] = terms.reindex(out.index)
    if "day_type" not in out.columns:
        meets = course.map(timing["meets"]).fillna(EVERY_DAY)
        day_types = pd.Series("", index=order.index, dtype=object)
        if len(cal.types) > 1:
            alternate = order[meets == ONE_DAY_TYPE]
            day_types.loc[alternate.index] = _balanced(alternate, list(cal.types))
        named = ~meets.isin([EVERY_DAY, ONE_DAY_TYPE])
        day_types.loc[named[named].index] = meets[named]
        out["day_type"] = day_types.reindex(out.index)
    return out


# ---- split calendars: each (term, day type, period) a period of its own ---------------------------------

@dataclass(frozen=True)
class Split:
    """How a split calendar maps onto one long day: the split terms and day types ((), when that axis is not
    split) and the real periods of a day. Period v of the long day is (term, day type, period) with
    v - 1 = (term index × day types + day type index) × periods + period - 1, so copy 0 keeps the real numbers
    (see `pins_on_long_day` for where a pinned period goes)."""

    terms: tuple[str, ...]
    types: tuple[str, ...]
    periods: int

    @property
    def copies(self) -> int:
        return max(1, len(self.terms)) * max(1, len(self.types))

    def long_periods(self, period: int) -> list[int]:
        """The periods of the long day that are copies of this real period."""
        return [copy * self.periods + period for copy in range(self.copies)]

    def period_words(self, period: int) -> str:
        """A period of the long day in a leader's words: 7 is "period 2 on B days" (a 5-period A/B day),
        "period 3 in the spring term", "period 1 in the fall term on A days" (`calendar.rotation_words`)."""
        copy, real = divmod(int(period) - 1, self.periods)
        n_types = max(1, len(self.types))
        return f"period {real + 1}" + rotation_words(self.terms[copy // n_types] if self.terms else "",
                                                      self.types[copy % n_types] if self.types else "")

    def unfold(self, sections: pd.DataFrame) -> pd.DataFrame:
        """Sections of the long day back on the calendar: real period, plus `term` and/or `day_type`."""
        out = sections.copy()
        long = out["period"].astype(int) - 1
        copy, out["period"] = long // self.periods, long % self.periods + 1
        n_types = max(1, len(self.types))
        if self.terms:
            out["term"] = (copy // n_types).map(dict(enumerate(self.terms)))
        if self.types:
            out["day_type"] = (copy % n_types).map(dict(enumerate(self.types)))
        return out


def split_of(scenario: Scenario) -> Split | None:
    """The split of a calendar every course of which runs for one term and/or meets on one day type, or None."""
    if not uses_calendar(scenario):
        return None
    cal = calendar_of(scenario)
    timing = course_timing(scenario.courses)
    terms = cal.terms if len(cal.terms) > 1 and (timing["term_length"] == TERM).all() else ()
    types = tuple(cal.types) if len(cal.types) > 1 and (timing["meets"] == ONE_DAY_TYPE).all() else ()
    if not terms and not types:
        return None
    return Split(terms, types, cal.periods_per_day)


def long_day(scenario: Scenario, split: Split) -> Scenario:
    """The scenario as the plain planner sees it: one long day of copies × periods (just the day, when nothing
    is split), every term and day type taken out of the settings and courses (the pass after puts back those
    not split), intervention and unavailable periods copied. Settings are set, not validated: a long day may
    hold more periods than a real one may."""
    out = scenario.copy()
    school = out.settings.school
    school.periods_per_day = split.periods * split.copies
    school.intervention_periods = [v for p in scenario.settings.school.intervention_periods
                                   for v in split.long_periods(p)]
    school.terms, school.day_types = [YEAR], {}
    out.courses["term_length"], out.courses["meets"] = YEAR, EVERY_DAY
    out.staff = _copied_unavailable(out.staff, split)
    out.pins = pins_on_long_day(out.pins, split)
    return out


def pins_on_long_day(pins: pd.DataFrame, split: Split) -> pd.DataFrame:
    """pins.csv with each pinned period moved to one copy of it on the long day: a pin names a period, not a
    term or a day type (SPEC §1), so the solve chooses those. In the pins' order, each pin takes the copy where
    its teacher and room have no other pin at that period, then where its course, then the school, has the
    fewest pins so far (first copy on a tie): two pinned sections of one course at period 3 go to fall and
    spring, or to A and B days."""
    if pins is None or pins.empty or "period" not in pins.columns or split.copies == 1:
        return pins
    out = pins.copy()
    taken: dict[tuple, int] = {}
    moved = []
    for row in out.to_dict("records"):
        period = row.get("period")
        if period is None or pd.isna(period) or str(period).strip() == "":
            moved.append(period)
            continue
        keys = {"staff": str(row.get("staff_id") or ""), "room": str(row.get("room_id") or ""),
                "course": str(row["course_id"])}
        options = split.long_periods(int(float(period)))

        def load(v, keys=keys):
            clash = sum(taken.get((kind, who, v), 0) for kind, who in keys.items() if kind != "course" and who)
            copy = (v - 1) // split.periods
            return clash, taken.get(("course", keys["course"], copy), 0), taken.get(("all", copy), 0), v

        best = min(options, key=load)
        copy = (best - 1) // split.periods
        for kind in ("staff", "room"):
            if keys[kind]:
                taken[(kind, keys[kind], best)] = taken.get((kind, keys[kind], best), 0) + 1
        for key in (("course", keys["course"], copy), ("all", copy)):
            taken[key] = taken.get(key, 0) + 1
        moved.append(best)
    out["period"] = pd.Series(moved, index=out.index).astype(pins["period"].dtype)
    return out


def _copied_unavailable(staff: pd.DataFrame, split: Split) -> pd.DataFrame:
    """A staff table whose unavailable periods name every copy of each period on the long day."""
    if "unavailable_periods" not in staff.columns:
        return staff
    out = staff.copy()
    out["unavailable_periods"] = [
        ";".join(str(v) for p in split_list(cell) if p.isdigit() for v in split.long_periods(int(p)))
        for cell in out["unavailable_periods"]]
    return out


def build_calendar_schedule(scenario: Scenario, staffing: pd.DataFrame, reporter: Reporter = SILENT) -> SchedulePlan:
    """The schedule step for any calendar (see the module docstring); a plain week is planned exactly as by
    `build_schedule`. Same errors as `build_schedule`."""
    if not uses_calendar(scenario):
        return schedule_step.build_schedule(scenario, staffing, reporter)
    split = split_of(scenario) or Split((), (), calendar_of(scenario).periods_per_day)
    long, long_staffing = long_day(scenario, split), _copied_unavailable(staffing, split)
    holds = plan_holds(scenario, long, long_staffing, split)
    held, held_staffing = with_holds(long, long_staffing, holds)
    plan = schedule_step.build_schedule(held, held_staffing, reporter)
    words = split.period_words if split.copies > 1 else None
    plan = without_holds(scenario, held, plan, holds, words)
    if holds.empty and words is not None:   # the step's reasons name long-day periods: say them as the school does
        plan = replace(plan, extra={**plan.extra, "unplaced_requests": schedule_step.unplaced_requests(
            long, plan.sections, plan.enrollments, words)})
    sections = place_in_calendar(scenario, split.unfold(plan.sections))
    calendar_columns = ["term", "day_type"]
    sections = sections[[c for c in sections.columns if c not in calendar_columns] + calendar_columns]
    stats = {**plan.stats, "calendar": {"long_day_periods": split.periods * split.copies,
                                        "split_terms": list(split.terms), "split_day_types": list(split.types)}}
    return make_room_for_lunch(scenario, replace(plan, sections=sections, stats=stats))


# ---- lunch (SPEC §4 rule 12) ------------------------------------------------------------------------------

LUNCH_SECTION = "lunch:"   # prefix of the stand-in sections that keep a student's lunch free from small groups
SECOND_PERIOD = "second:"   # prefix of the stand-ins of double periods' second periods
DROPPED_FOR_LUNCH = "dropped to leave the student a lunch period free on every day"


def _lunch_blocked(scenario: Scenario, sections: pd.DataFrame, enroll: pd.DataFrame) -> pd.DataFrame:
    """Each (student, term, day) with every lunch period taken by a section: the sections holding them,
    with the request's priority (rows: student_id, term, day, section_id, course_id, priority)."""
    cal = calendar_of(scenario)
    held = meetings(sections, cal, scenario.courses)
    held = held[held["period"].isin(cal.lunch_periods)]
    taken = enroll[["student_id", "section_id"]].astype(str).merge(held, on="section_id")
    waves = taken.groupby(["student_id", "term", "day"])["period"].transform("nunique")
    blocked = taken[waves >= len(set(cal.lunch_periods))]
    courses = sections[["section_id", "course_id"]].astype(str)
    requests = scenario.requests[["student_id", "course_id", "priority"]].astype({"student_id": str,
                                                                               "course_id": str})
    return blocked.merge(courses, on="section_id").merge(requests, on=["student_id", "course_id"], how="left")


def make_room_for_lunch(scenario: Scenario, plan: SchedulePlan) -> SchedulePlan:
    """Rule 12's first half on the student placement: a student whose every lunch period is taken on some day
    leaves the lowest-priority class among those (an alternate before an elective before a required course;
    then the later section), until every student has a lunch period free on every day of every term. Sound
    whatever the timetable; each class dropped is listed in unplaced_requests with the reason. Raises
    InfeasibleDesign, in words, when a lunch period would leave more students free than the seats."""
    cal = calendar_of(scenario)
    if not cal.has_lunch:
        return plan
    enroll = plan.enrollments.copy()
    dropped = []
    while True:
        blocked = _lunch_blocked(scenario, plan.sections, enroll)
        if blocked.empty:
            break
        order = blocked.sort_values(["student_id", "priority", "section_id"], ascending=[True, False, False],
                                    na_position="first")
        drop = order.drop_duplicates("student_id")[["student_id", "section_id", "course_id", "priority"]]
        dropped.append(drop)
        gone = set(zip(drop["student_id"], drop["section_id"], strict=True))
        keep = [(s, c) not in gone for s, c in zip(enroll["student_id"].astype(str),
                                                    enroll["section_id"].astype(str), strict=True)]
        enroll = enroll[keep].reset_index(drop=True)
    _seats_hold(scenario, plan.sections, enroll)
    if not dropped:
        return replace(plan, stats={**plan.stats, "lunch": {"dropped_for_lunch": 0}})
    lost = pd.concat(dropped, ignore_index=True)
    unplaced = plan.extra.get("unplaced_requests", pd.DataFrame(columns=["student_id", "course_id", "priority",
                                                                         "reason"]))
    unplaced = pd.concat([unplaced, lost[["student_id", "course_id", "priority"]].assign(reason=DROPPED_FOR_LUNCH)],
                         ignore_index=True)
    return replace(plan, enrollments=enroll, extra={**plan.extra, "unplaced_requests": unplaced},
                   stats={**plan.stats, "lunch": {"dropped_for_lunch": len(lost)}})


def _seats_hold(scenario: Scenario, sections: pd.DataFrame, enroll: pd.DataFrame) -> None:
    """Raises InfeasibleDesign when some (term, day, lunch period) leaves more students free than the seats."""
    cal = calendar_of(scenario)
    if cal.lunch_seats is None:
        return
    held = meetings(sections, cal, scenario.courses)
    busy = enroll[["student_id", "section_id"]].astype(str).merge(held[held["period"].isin(cal.lunch_periods)],
                                                                    on="section_id")
    in_class = busy.drop_duplicates(["student_id", "term", "day", "period"]).groupby(["term", "day", "period"]).size()
    every = cal.slots()
    every = every[every["period"].isin(cal.lunch_periods)]
    free = len(scenario.students) - in_class.reindex(pd.MultiIndex.from_frame(every)).fillna(0)
    over = free[free > cal.lunch_seats]
    if over.empty:
        return
    (term, day, period), most = over.idxmax(), int(over.max())
    raise InfeasibleDesign(
        [f"Lunch period {period} leaves {most} students free for lunch on {cal.when(term, day)}, but the "
         f"cafeteria seats {cal.lunch_seats}" + (f" ({len(over)} lunch slots are over)." if len(over) > 1 else "."),
         "Raise school.lunch.seats, add a lunch period, or give more students a class in that period."],
        phase="schedule")


def for_small_groups(scenario: Scenario, plan: SchedulePlan) -> SchedulePlan:
    """The plan as the small-group step must see it (it reads one period per section): each double period's
    second period as a section of its own, with the same teacher, room and students, and each student's lunch
    kept (`with_lunch_reserved`). Never part of a result."""
    return with_lunch_reserved(scenario, with_second_periods(scenario, plan))


def with_second_periods(scenario: Scenario, plan: SchedulePlan) -> SchedulePlan:
    """The plan plus a stand-in section at `period + 1` of every double-period section (same staff, room, term,
    day type and students), for steps that know one period per section."""
    length = plan.sections["course_id"].astype(str).map(course_timing(scenario.courses)["length"]).fillna(1)
    doubles = plan.sections[length.to_numpy() > 1]
    if doubles.empty:
        return plan
    second = doubles.assign(section_id=SECOND_PERIOD + doubles["section_id"].astype(str),
                            period=doubles["period"].astype(int) + 1)
    seated = plan.enrollments[plan.enrollments["section_id"].astype(str).isin(set(doubles["section_id"].astype(str)))]
    seated = seated.assign(section_id=SECOND_PERIOD + seated["section_id"].astype(str))
    return replace(plan, sections=pd.concat([plan.sections, second], ignore_index=True),
                   enrollments=pd.concat([plan.enrollments, seated], ignore_index=True))


def with_lunch_reserved(scenario: Scenario, plan: SchedulePlan) -> SchedulePlan:
    """The plan plus one stand-in section per student at a lunch period free for them on every day (or at every
    lunch period free for them, when no one is), so no group takes a student's lunch. Never part of a
    result."""
    cal = calendar_of(scenario)
    if not cal.has_lunch:
        return plan
    held = meetings(plan.sections, cal, scenario.courses)
    busy = plan.enrollments[["student_id", "section_id"]].astype(str).merge(
        held[held["period"].isin(cal.lunch_periods)], on="section_id")
    days = len(cal.terms) * cal.days
    taken = busy.drop_duplicates(["student_id", "term", "day", "period"]).groupby(["student_id", "period"]).size()
    rows = []
    for student in scenario.students["student_id"].astype(str):
        free = [p for p in sorted(set(cal.lunch_periods)) if taken.get((student, p), 0) == 0]
        some = [p for p in sorted(set(cal.lunch_periods)) if taken.get((student, p), 0) < days]
        rows += [(student, p) for p in (free[:1] or some)]
    reserved = pd.DataFrame(rows, columns=["student_id", "period"])
    stand_in = pd.DataFrame({"section_id": [f"{LUNCH_SECTION}{p}" for p in sorted(set(cal.lunch_periods))],
                             "course_id": "", "staff_id": "", "room_id": "",
                             "period": sorted(set(cal.lunch_periods))})
    enroll = reserved.assign(section_id=LUNCH_SECTION + reserved["period"].astype(str))[["student_id", "section_id"]]
    return replace(plan, sections=pd.concat([plan.sections, stand_in], ignore_index=True),
                   enrollments=pd.concat([plan.enrollments, enroll], ignore_index=True))
