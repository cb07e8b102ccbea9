"""The hard rules (`workbench.plan.rules.RULES`) paired with the function of the independent checker that
proves each one on a result. The checker functions are referred to by object, never copied: the checker
(`workbench.results.check`, with the master schedule's rules 1-8 and 14 in `workbench.verify.schedule`, a
layer below planning) stays the only place a rule is verified."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from workbench.plan.rules import RULES, switchable
from workbench.results import check
from workbench.verify import schedule

CHECKERS: dict[str, Callable] = {
    "structure": check.result_structure,
    "1": schedule.no_teacher_double_booking,
    "2": schedule.no_room_double_booking,
    "3": schedule.no_student_double_booking,
    "4": schedule.section_size_and_room,
    "5": schedule.only_requested_courses,
    "6": schedule.periods_allowed,
    "7": schedule.teacher_qualified,
    "8": schedule.pins_kept,
    "9": check.group_standard,
    "10": check.staff_costs_hires_teams,
    "11": check.budget_balances,
    "12": check.lunch_for_everyone,
    "13": check.team_planning_shared,
    "14": schedule.term_day_type_and_double_period,
    "goal": check.goals_marked_right,
}
assert set(CHECKERS) <= set(RULES), "every checker proves a rule of the registry"


def checker_of(rule_id: str) -> Callable | None:
    """The checker's function that proves rule `rule_id` on a result; None for a rule of the design
    (`sections`: every student's required courses run), which no result can break."""
    return CHECKERS.get(rule_id)


def breaches(scenario, result, off: Iterable[str] = ()) -> list:
    """The checker's breaches (`check.check_rules`) less those of the rules switched off for a what-if.
    Raises ValueError for an unknown rule ID or one that may not be switched off."""
    off = switchable(off)
    return [b for b in check.check_rules(scenario, result) if str(b.rule) not in off]
