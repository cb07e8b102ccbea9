"""Each student's progress across assessment cycles (SPEC §5 student_progress.csv).

Accountability built on each student's own progress: for every assessment, the level, the change since the
student's first assessment, the tutoring she has had so far, and whether her growth is on track (at least the
cycles elapsed × the expected growth per cycle; `assessment.expected_growth_per_year` ÷ `cycles_per_year`).

Tutoring minutes to date are counted from the groups that ran between cycles: the weekly minutes of the group
a student sat in, times the weeks in a cycle (`assessment.weeks_per_year` ÷ `cycles_per_year`), for every cycle
since the first. A regrouped result keeps its student_progress.csv, so the next regroup continues the count
from it; a result of `workbench solve` counts as the groups of every cycle up to the latest.
"""

from __future__ import annotations

import pandas as pd

from workbench.scenario.calendar import Calendar, calendar_of
from workbench.scenario.calendar import weekly_minutes as group_minutes
from workbench.scenario.model import Scenario

PROGRESS_COLUMNS = ["student_id", "subject", "cycle", "level", "change_since_first", "tutoring_minutes_to_date",
                    "on_track"]


def weekly_minutes(result, calendar: Calendar) -> dict[tuple[str, str], float]:
    """(student, subject) -> minutes a week of small-group tutoring in `result`'s groups, a week counted as the
    goals count it (`calendar.weekly_minutes`: the cycle's total × 5 ÷ days)."""
    sessions = result.group_sessions
    if sessions is None or sessions.empty or result.group_members.empty:
        return {}
    per_group = group_minutes(sessions, calendar)
    subject = result.groups.astype(str).set_index("group_id")["subject"]
    members = result.group_members[["group_id", "student_id"]].astype(str)
    members = members.assign(subject=members["group_id"].map(subject), minutes=members["group_id"].map(per_group))
    got = members.dropna(subset=["subject"]).groupby(["student_id", "subject"])["minutes"].sum()
    return {key: float(v) for key, v in got.items()}


def _earlier(previous) -> tuple[dict, int | None]:
    """Minutes to date already counted by a regrouped `previous` result, and the cycle it was regrouped at."""
    table = previous.extra.get("student_progress") if previous.extra else None
    cycle = previous.summary.get("cycle") if previous.summary else None
    if table is None or table.empty or cycle is None:
        return {}, None
    minutes = pd.to_numeric(table["tutoring_minutes_to_date"], errors="coerce").fillna(0)
    cycles = pd.to_numeric(table["cycle"], errors="coerce")
    keys = zip(table["student_id"].astype(str), table["subject"].astype(str), cycles, strict=True)
    return {key: float(m) for key, m in zip(keys, minutes, strict=True)}, int(cycle)


def student_progress(scenario: Scenario, previous) -> pd.DataFrame:
    """One row per row of assessments.csv, sorted by student, subject and cycle (PROGRESS_COLUMNS). `previous`
    is the result whose groups ran up to the latest cycle (a `Result`). Empty without assessments."""
    marks = scenario.assessments
    if marks is None or marks.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PROGRESS_COLUMNS})
    settings = scenario.settings.assessment
    marks = marks[["student_id", "subject", "cycle", "level"]].assign(
        cycle=pd.to_numeric(marks["cycle"]).astype(int), level=pd.to_numeric(marks["level"]).astype(float))
    marks = marks.sort_values(["student_id", "subject", "cycle"], kind="stable").reset_index(drop=True)
    first = marks.groupby(["student_id", "subject"])
    first_level, first_cycle = first["level"].transform("first"), first["cycle"].transform("first")
    change = (marks["level"] - first_level).round(2)
    expected = (marks["cycle"] - first_cycle) * settings.expected_growth_per_cycle
    counted, since = _earlier(previous)
    since = since if since is not None else int(marks["cycle"].min())
    weekly = weekly_minutes(previous, calendar_of(scenario))
    to_date = []
    for row in marks.itertuples():
        key = (str(row.student_id), str(row.subject))
        if row.cycle <= since:
            to_date.append(counted.get((*key, row.cycle), 0.0))
        else:
            to_date.append(counted.get((*key, since), 0.0)
                           + weekly.get(key, 0.0) * settings.weeks_per_cycle * (row.cycle - since))
    return pd.DataFrame({"student_id": marks["student_id"], "subject": marks["subject"], "cycle": marks["cycle"],
                         "level": marks["level"], "change_since_first": change,
                         "tutoring_minutes_to_date": pd.Series(to_date, dtype=float).round(1),
                         "on_track": (change >= expected.round(6) - 1e-9).astype(int)})
