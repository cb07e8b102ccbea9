"""The one time model (SPEC §4): when a section or a small group meets, as (term, day, period) slots.

Why one module: a school on A/B days, 4x4 blocks or lunch waves breaks every shortcut of the form "period p,
every day". The planners, the independent checker, goal evaluation and the exports ask this module instead,
so the calendar is read in one place. A scenario that names no calendar gets one term (`year`), one day type
(`all`, every day) and no lunch rule, and every answer here is then what "period p, every day" said before.

It is pure data (pandas in, pandas out): no solver and no planning decision lives here.

Words used throughout:
- a **slot** is one (term, day, period) of the school year's cycle;
- a section's `term` cell names the term it runs in, blank for every term; its `day_type` cell names the day
  type it meets on, blank for every day; a course with `periods_per_meeting` 2 holds `period` and `period + 1`;
- a group session's `term` cell is blank for every term.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

ALL_DAYS = "all"            # the day type of a scenario that names none
DEFAULT_TERM = "year"       # the term of a scenario that names none
YEAR, TERM = "year", "term"                              # courses.csv term_length
EVERY_DAY, ONE_DAY_TYPE = "every_day", "one_day_type"    # courses.csv meets (or a day type's name)
SLOT = ["term", "day", "period"]


@dataclass(frozen=True)
class Calendar:
    """The school's cycle: terms, days, periods, day types and lunch. Periods and days count from 1."""

    days: int
    periods_per_day: int
    minutes_per_period: int
    intervention_periods: tuple[int, ...] = ()
    terms: tuple[str, ...] = (DEFAULT_TERM,)
    day_types: tuple[tuple[str, tuple[int, ...]], ...] = ()   # (name, days); empty: one type, every day
    lunch_periods: tuple[int, ...] = ()
    lunch_seats: int | None = None

    @property
    def day_list(self) -> list[int]:
        return list(range(1, self.days + 1))

    @property
    def periods(self) -> list[int]:
        return list(range(1, self.periods_per_day + 1))

    @property
    def types(self) -> dict[str, tuple[int, ...]]:
        """Day type name -> its days; `{"all": every day}` when the scenario names none."""
        return dict(self.day_types) if self.day_types else {ALL_DAYS: tuple(self.day_list)}

    @property
    def week_factor(self) -> float:
        """Multiplies a cycle's count into a week's (SPEC §4: a 10-day cycle counts half)."""
        return 5 / self.days

    @property
    def has_lunch(self) -> bool:
        return bool(self.lunch_periods)

    def days_of(self, day_type: str) -> tuple[int, ...]:
        """The days a section with this `day_type` cell meets on: blank is every day; an unknown name none."""
        if day_type == "":
            return tuple(self.day_list)
        return self.types.get(day_type, ())

    def terms_of(self, term: str) -> tuple[str, ...]:
        """The terms a row with this `term` cell runs in: blank is every term; an unknown name none."""
        if term == "":
            return self.terms
        return (term,) if term in self.terms else ()

    def slots(self) -> pd.DataFrame:
        """Every (term, day, period) of the cycle."""
        index = pd.MultiIndex.from_product([list(self.terms), self.day_list, self.periods], names=SLOT)
        return index.to_frame(index=False)

    def when(self, term: str, day: int) -> str:
        """'day 3', or 'fall, day 3' when the year has several terms: a slot's day in a sentence."""
        return f"day {day}" if len(self.terms) == 1 else f"{term}, day {day}"

    def describe(self, term_days: Iterable[tuple[str, int]]) -> str:
        """'' when the (term, day) pairs are the whole cycle; otherwise ' (fall, days 1, 3; spring, day 2)', a
        term's days said as ' (A days)' when they are exactly one day type's days.

        Lets a breach found slot by slot read as it did before calendars: once, for the period; and on an A/B
        school in the words the timetable uses."""
        pairs = sorted(set(term_days), key=lambda p: (self.terms.index(p[0]) if p[0] in self.terms else 99, p[1]))
        if len(pairs) == len(self.terms) * self.days:
            return ""
        parts = []
        for term in dict.fromkeys(t for t, _ in pairs):
            days = [d for t, d in pairs if t == term]
            said = "every day" if len(days) == self.days else self._days_words(days)
            parts.append(said if len(self.terms) == 1 else f"{term}, {said}")
        return f" ({'; '.join(parts)})"

    def _days_words(self, days: list[int]) -> str:
        """'A days' when `days` (sorted) are exactly a named day type's days, else 'days 1, 3' or 'day 2'."""
        named = next((name for name, of_type in self.day_types if sorted(of_type) == days), None)
        if named is not None:
            return f"{named} days"
        return f"day{'s' if len(days) > 1 else ''} {', '.join(map(str, days))}"


def calendar_of(scenario) -> Calendar:
    """The calendar of a scenario (its `school:` settings, with SPEC §4's defaults)."""
    school = scenario.settings.school
    lunch = school.lunch
    return Calendar(
        days=school.days, periods_per_day=school.periods_per_day, minutes_per_period=school.minutes_per_period,
        intervention_periods=tuple(school.intervention_periods), terms=tuple(school.terms),
        day_types=tuple((str(name), tuple(days)) for name, days in school.day_types.items()),
        lunch_periods=tuple(lunch.periods) if lunch else (), lunch_seats=lunch.seats if lunch else None)


# ---- what the courses ask for ----------------------------------------------------------------------------

def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as stripped strings, blanks (and a left-out column) as ""."""
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    col = frame[column]
    return col.astype(str).str.strip().mask(col.isna(), "")


def course_timing(courses: pd.DataFrame) -> pd.DataFrame:
    """course_id -> term_length (`year`|`term`), meets (`every_day`, `one_day_type` or a day type) and length
    (periods per meeting, 1 or 2), with SPEC §4's defaults for blank cells or left-out columns."""
    length = pd.to_numeric(courses["periods_per_meeting"], errors="coerce") if "periods_per_meeting" in courses \
        else pd.Series(1, index=courses.index)
    out = pd.DataFrame({"course_id": _text(courses, "course_id"),
                        "term_length": _text(courses, "term_length").replace("", YEAR),
                        "meets": _text(courses, "meets").replace("", EVERY_DAY),
                        "length": length.fillna(1).astype(int).clip(lower=1)})
    return out.drop_duplicates("course_id").set_index("course_id")


def uses_calendar(scenario) -> bool:
    """True when the scenario uses any of SPEC §4's calendar: several terms, a day type short of every day,
    lunch, or a course that runs for a term, meets on some days only or holds a double period. False: the
    classic week, planned and reported exactly as before calendars."""
    cal = calendar_of(scenario)
    every = tuple(cal.day_list)
    if len(cal.terms) > 1 or cal.has_lunch or any(days != every for days in cal.types.values()):
        return True
    timing = course_timing(scenario.courses)
    partial = timing["meets"].map(lambda m: m != EVERY_DAY and (m == ONE_DAY_TYPE or cal.days_of(m) != every))
    return bool((timing["term_length"] != YEAR).any() or (timing["length"] > 1).any() or partial.any())


def course_footprint(courses: pd.DataFrame, calendar: Calendar) -> pd.DataFrame:
    """course_id -> what one section of the course holds of a student's year: `terms` it runs in, `days` of the
    cycle it meets on, `periods` per meeting, and `slots` (their product: (term, day, period) slots). A `term`
    course runs in one term; a `one_day_type` course meets on one day type (counted as the shortest, the most a
    student could fit); an unknown day type counts as every day. Why: how many courses fit in a student's year
    is the cycle's slots divided by these, which is "one course a period" on a plain week and twice that on
    A/B days or 4x4 blocks."""
    timing = course_timing(courses)
    shortest = min(len(days) for days in calendar.types.values())
    out = pd.DataFrame({
        "terms": timing["term_length"].map(lambda t: 1 if t == TERM else len(calendar.terms)),
        "days": timing["meets"].map(lambda m: calendar.days if m == EVERY_DAY else shortest if m == ONE_DAY_TYPE
                                    else len(calendar.days_of(m)) or calendar.days),
        "periods": timing["length"]}, index=timing.index).astype(int)
    return out.assign(slots=out["terms"] * out["days"] * out["periods"])


# ---- meetings: the slots each section and each group session holds ---------------------------------------

def _expand_terms(frame: pd.DataFrame, calendar: Calendar) -> pd.DataFrame:
    """One row per term each row runs in (its `term` cell: blank = every term, unknown = none)."""
    key = pd.DataFrame([(t, t) for t in calendar.terms] + [("", t) for t in calendar.terms],
                       columns=["_term_cell", "term"])
    cells = frame.drop(columns=["term"]).assign(_term_cell=_text(frame, "term").to_numpy())
    return cells.merge(key, on="_term_cell", how="inner").drop(columns="_term_cell")


def _expand_days(frame: pd.DataFrame, calendar: Calendar) -> pd.DataFrame:
    """One row per day each row meets on (its `day_type` cell: blank = every day, unknown = none)."""
    pairs = [(name, d) for name, days in calendar.types.items() for d in days]
    key = pd.DataFrame(pairs + [("", d) for d in calendar.day_list], columns=["_type_cell", "day"])
    cells = frame.assign(_type_cell=_text(frame, "day_type").to_numpy())
    return cells.merge(key, on="_type_cell", how="inner").drop(columns="_type_cell")


def meetings(sections: pd.DataFrame, calendar: Calendar, courses: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every slot each section holds: DataFrame(section_id, term, day, period, start), `start` being the
    section's own period (a double period's second slot has period = start + 1).

    `sections` needs section_id and period, and may carry course_id, term and day_type (blank cells mean
    every term, every day); `courses` (courses.csv) gives each course's periods_per_meeting. A section with
    no period, an unknown term or an unknown day type holds no slot: the checker reports those itself.
    Rows come in the sections' order, then term, day and period. Strings for IDs, ints for the rest."""
    secs = pd.DataFrame({"section_id": _text(sections, "section_id").to_numpy(),
                         "start": pd.to_numeric(sections["period"], errors="coerce").to_numpy(),
                         "term": _text(sections, "term").to_numpy(),
                         "day_type": _text(sections, "day_type").to_numpy(),
                         "_order": range(len(sections))})
    length = pd.Series(1, index=sections.index)
    if courses is not None and "course_id" in sections.columns:
        length = _text(sections, "course_id").map(course_timing(courses)["length"]).fillna(1).astype(int)
    secs["_length"] = length.to_numpy()
    secs = secs.dropna(subset=["start"])
    secs["start"] = secs["start"].astype(int)
    held = secs.loc[secs.index.repeat(secs["_length"])].copy()
    held["period"] = held["start"] + held.groupby(level=0).cumcount()
    out = _expand_days(_expand_terms(held.reset_index(drop=True), calendar), calendar)
    out["_term_order"] = out["term"].map({t: i for i, t in enumerate(calendar.terms)})
    out = out.sort_values(["_order", "_term_order", "day", "period"], kind="stable")
    return out[["section_id", "term", "day", "period", "start"]].reset_index(drop=True)


def session_slots(sessions: pd.DataFrame, calendar: Calendar) -> pd.DataFrame:
    """Group sessions, one row per term each runs in: the sessions' columns with `term` filled in (a blank
    cell means every term; an unknown term name, none)."""
    frame = sessions.copy()
    if "term" not in frame.columns:
        frame["term"] = ""
    return _expand_terms(frame, calendar).reset_index(drop=True)


def sessions_per_cycle(per_week: int, calendar: Calendar) -> int:
    """A weekly count of sessions as a count in one cycle (SPEC §4: a 10-day cycle needs twice as many)."""
    return math.ceil(per_week * calendar.days / 5)


def weekly_minutes(sessions: pd.DataFrame, calendar: Calendar) -> pd.Series:
    """group_id -> minutes of small-group work a week, in the group's weakest term (SPEC §4: the cycle's total
    × 5 ÷ days). `sessions` holds group_id, minutes (blank: a whole period) and optionally term."""
    if sessions.empty:
        return pd.Series(dtype=float)
    frame = session_slots(sessions.assign(group_id=sessions["group_id"].astype(str)), calendar)
    frame["minutes"] = pd.to_numeric(frame["minutes"], errors="coerce").fillna(calendar.minutes_per_period)
    per_term = frame.groupby(["group_id", "term"])["minutes"].sum().unstack("term")
    per_term = per_term.reindex(columns=list(calendar.terms)).fillna(0)
    return per_term.min(axis=1) * 5 / calendar.days


# ---- figures a school leader reads off the calendar ------------------------------------------------------

def student_slots(enrollments: pd.DataFrame, section_meetings: pd.DataFrame, members: pd.DataFrame,
                  sessions: pd.DataFrame, calendar: Calendar) -> pd.DataFrame:
    """Every (student_id, term, day, period) a student spends in a section or a small group, once each.
    `section_meetings` is `meetings(...)`; `sessions` holds group_id, day, period (and optionally term)."""
    lessons = enrollments[["student_id", "section_id"]].astype(str).merge(
        section_meetings[["section_id", *SLOT]], on="section_id")
    groups = members[["group_id", "student_id"]].astype(str).merge(
        session_slots(sessions.assign(group_id=sessions["group_id"].astype(str)), calendar)[["group_id", *SLOT]],
        on="group_id")
    both = pd.concat([lessons[["student_id", *SLOT]], groups[["student_id", *SLOT]]], ignore_index=True)
    both["day"] = pd.to_numeric(both["day"], errors="coerce")
    both["period"] = pd.to_numeric(both["period"], errors="coerce")
    return both.dropna().astype({"day": int, "period": int}).drop_duplicates()


def lunch_ok(students: Iterable[str], busy: pd.DataFrame, calendar: Calendar) -> bool:
    """SPEC §4 rule 12 as one flag: every student has a lunch period free on every (term, day), and no lunch
    slot leaves more students free than the seats. True when the school names no lunch. `busy` is
    `student_slots(...)`."""
    if not calendar.has_lunch:
        return True
    everyone = set(map(str, students))
    waves = set(calendar.lunch_periods)
    at_lunch = busy[busy["period"].isin(waves) & busy["student_id"].isin(everyone)]
    if (at_lunch.groupby(["student_id", "term", "day"]).size() >= len(waves)).any():
        return False
    if calendar.lunch_seats is None:
        return True
    occupied = at_lunch.groupby(SLOT).size()
    every = calendar.slots()
    every = every[every["period"].isin(waves)]
    taken = occupied.reindex(pd.MultiIndex.from_frame(every)).fillna(0)
    return bool((len(everyone) - taken <= calendar.lunch_seats).all())


def planning_minutes(teachers: Iterable[str], section_meetings: pd.DataFrame, led_sessions: pd.DataFrame,
                     calendar: Calendar) -> pd.Series:
    """staff_id -> weekly planning minutes in the teacher's weakest term: periods with no section, no group
    and no intervention duty (intervention periods never count), × minutes_per_period, × 5 ÷ days.
    `section_meetings` holds staff_id with the `meetings(...)` columns; `led_sessions` holds staff_id, day,
    period (and optionally term) of the groups each staff member leads."""
    teachers = list(dict.fromkeys(map(str, teachers)))
    if not teachers:
        return pd.Series(dtype=float)
    open_periods = [p for p in calendar.periods if p not in set(calendar.intervention_periods)]
    sessions = session_slots(led_sessions, calendar) if len(led_sessions) else led_sessions.assign(term="")
    duty = pd.concat([section_meetings[["staff_id", *SLOT]], sessions[["staff_id", *SLOT]]], ignore_index=True)
    duty = duty.astype({"staff_id": str})
    duty = duty[duty["staff_id"].isin(teachers) & duty["period"].isin(open_periods)].drop_duplicates()
    busy = duty.groupby(["staff_id", "term"]).size().unstack("term").reindex(
        index=teachers, columns=list(calendar.terms)).fillna(0)
    free = len(open_periods) * calendar.days - busy
    return free.min(axis=1) * calendar.minutes_per_period * 5 / calendar.days


def meeting_words(sections: pd.DataFrame, courses: pd.DataFrame | None = None) -> pd.Series:
    """When each section meets, in a leader's words, index-aligned with `sections`: 'every day, period 3',
    'A days, period 3', 'fall, every day, periods 3-4' (a double period)."""
    length = pd.Series(1, index=sections.index)
    if courses is not None and "course_id" in sections.columns:
        length = _text(sections, "course_id").map(course_timing(courses)["length"]).fillna(1).astype(int)
    start = pd.to_numeric(sections["period"], errors="coerce")
    periods = ["period " + str(int(p)) if n == 1 else f"periods {int(p)}-{int(p) + n - 1}"
               for p, n in zip(start.fillna(0), length, strict=True)]
    term = _text(sections, "term")
    days = _text(sections, "day_type").map(lambda t: "every day" if t == "" else f"{t} days")
    words = (term.where(term == "", term + ", ") + days + ", " + pd.Series(periods, index=sections.index))
    return words.where(start.notna(), "no period")


def rotation_words(term: str = "", day_type: str = "") -> str:
    """' in the fall term', ' on A days', ' in the fall term on A days', or '' (every day of every term): what
    is said after a period in a reason, so that "period 2" names the one the school has ("period 2 on B days")."""
    return (f" in the {term} term" if term else "") + (f" on {day_type} days" if day_type else "")


def rotation_note(sections: pd.DataFrame) -> pd.Series:
    """' (fall, A days)', ' (A days)', ' (fall)' or '' for each section: its term and day type, for a grid cell
    that shows several sections in one period."""
    term, day_type = _text(sections, "term"), _text(sections, "day_type")
    parts = term + ((term != "") & (day_type != "")).map({True: ", ", False: ""}) + day_type.where(
        day_type == "", day_type + " days")
    return parts.where(parts == "", " (" + parts + ")")
