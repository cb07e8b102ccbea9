"""What a student's schedule goal means, said once (SPEC §1 goal table, issue 19).

Planning (the staffing model, the teacher assignment, student placement and the goal pass) and judging
(`workbench.goals.evaluate`, which the independent checker also runs) must agree on when a goal is met, or a
plan aims at one thing and is marked on another. So each meaning lives here, in the planning layer that both
may import, and nowhere else:

- a goal *about a subject* is about the student's courses in that subject, or all of them when it is blank;
- `max_class_size` N: every such class has at most N students;
- `strong_teacher` R: every such class is taught by a teacher rated at or above R (effectiveness, 1-5);
- `strong_teacher` `leader`: by a staff member whose role leads a team (reach above 0), or by a teacher whose
  leader_id names one (SPEC: "by a staff member whose role leads a team, or by a teacher whose leader_id names
  one").

The functions are small and take plain values so the MIP builders, the greedy passes and the vectorised
evaluator can all call them; `in_goal_subject` and `class_within` also take pandas Series element-wise.
"""

from __future__ import annotations

import pandas as pd

LEADER_TARGET = "leader"   # the strong_teacher target that asks for a leader or a leader's team


def wants_leader(target) -> bool:
    """True when a strong_teacher target asks for a leader's team (`leader`, any case, spaces ignored)."""
    return str(target).strip().lower() == LEADER_TARGET


def number_target(value) -> float | None:
    """A goal's target as a number (a class size in students, a rating, minutes per week), or None when it is
    blank, NaN or not a number."""
    try:
        out = float(str(value).strip())
    except ValueError:
        return None
    return out if out == out else None


def in_goal_subject(goal_subject, course_subject):
    """Whether a course counts for a goal: the goal's subject is blank (any course) or is the course's subject.
    Scalars give a bool; Series give a boolean Series (the goal's blank subject as "")."""
    return (goal_subject == "") | (course_subject == goal_subject)


def courses_for_goal(courses: list[str], course_subject: dict[str, str], goal_subject: str) -> list[str]:
    """The courses of `courses` (a student's course_ids) a goal in `goal_subject` is about, in order."""
    return [c for c in courses if in_goal_subject(goal_subject or "", course_subject[c])]


def class_within(size, cap):
    """A class of `size` students meets a max_class_size goal of `cap` students: at most that many.
    Scalars or Series (element-wise)."""
    return size <= cap


def rated_at_least(effectiveness, target) -> bool:
    """A teacher rated `effectiveness` (1-5; NaN: no rating) meets a numeric strong_teacher target. No rating
    meets no target, and a target that is not a number is met by nobody."""
    need = number_target(target)
    return need is not None and effectiveness == effectiveness and float(effectiveness) >= need


def teacher_meets(effectiveness, led: bool, target) -> bool:
    """Whether a section's teacher meets a student's strong_teacher `target`: `leader` asks that the teacher
    is `led` (see `led_staff`), a number asks for a rating at or above it."""
    if wants_leader(target):
        return bool(led)
    return rated_at_least(effectiveness, target)


def team_of(staff_id: pd.Series, reach: pd.Series, leader_id: pd.Series | None) -> pd.Series:
    """For each staff member (rows of a staffing table), the team she is on, named by its leader's staff_id: her
    own when her role leads a team (`reach`, teachers per team, above 0), her leader_id when it names a staff
    member whose role does, "" otherwise (a leader_id naming anyone else, a hand-edited table, is no team).
    Returns strings on the same index."""
    ids = staff_id.astype(str)
    leads = pd.to_numeric(reach, errors="coerce").fillna(0) > 0
    team = ids.where(leads, "")
    if leader_id is None:
        return team
    named = leader_id.fillna("").astype(str).str.strip()
    return team.where(leads, named.where(named.isin(set(ids[leads])), ""))


def led_staff(staff_id: pd.Series, reach: pd.Series, leader_id: pd.Series | None) -> pd.Series:
    """For each staff member (rows of a staffing table), whether a `leader` target counts them: on a leader's
    team, or a leader herself (`team_of`). Returns booleans on the same index."""
    return team_of(staff_id, reach, leader_id) != ""
