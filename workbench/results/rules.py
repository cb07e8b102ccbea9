"""One registry of the hard rules (issue 17): each rule's ID, the sentence a school leader reads, the function of
the independent checker that proves it, the constraint families of the planning models that keep it, and
whether a what-if may switch it off.

Why one registry: the rules were named in three places (the checker's short names, the docs, the sentences of
each infeasibility message) and drifted. Now docs/generate.py renders the rules table from `RULES`, an
infeasible design is explained with the registry's sentences and the IDs of the rules whose families clash
(`explain_clash`), and `clashing_families` finds those families by re-solving with families switched off (a
deletion filter: an irreducible set of families, the family-level IIS).

The checker functions are referred to by object, never copied: `workbench.results.check` stays the only
place a rule is verified. A rule with no checker (`sections`) is one the design itself asks for (every
student's required courses run), not one a result can break.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from workbench.results import check

# Constraint families of the planning models, by the name each model gives them (model.family).
PRECHECK_TEACHERS = "pre-check.teacher_supply_per_subject"
PRECHECK_ACROSS = "pre-check.teacher_supply_across_subjects"
PRECHECK_ROOMS = "pre-check.room_supply_per_type"
PRECHECK_PINS = "pre-check.pins_consistent"
TEACHERS_REQUIRED = "teacher_assignment.required_sections"
TEACHERS_LOAD = "teacher_assignment.teacher_load"
PERIODS_ALLOWED = "section_periods.one_period"
PERIODS_TEACHER = "section_periods.teacher"
PERIODS_ROOMS = "section_periods.rooms"
STUDENTS_ONE_CLASS = "student_placement.one_class_per_period"
STUDENTS_SEATS = "student_placement.seats"


@dataclass(frozen=True)
class Rule:
    """`id`: "1"-"11" (SPEC §2), "structure" or "sections"; `name`: the short name a breach carries;
    `sentence`: the rule in a school leader's words; `checker`: the check.py function that proves it on a
    result (None for a rule of the design, not of a result); `families`: constraint families of the models
    that keep it; `switchable`: a what-if may switch it off (a rule the result's files depend on may not)."""

    id: str
    name: str
    sentence: str
    checker: Callable | None
    families: tuple[str, ...]
    switchable: bool = True


def _rule(id_: str, sentence: str, checker: Callable | None, families: Iterable[str] = (),
          switchable: bool = True, name: str | None = None) -> Rule:
    key: int | str = int(id_) if id_.isdigit() else id_
    return Rule(id_, name or check.RULE_NAMES[key], sentence, checker, tuple(families), switchable)


RULES: dict[str, Rule] = {r.id: r for r in (
    _rule("structure", "Everything a result names exists: each section, course, teacher, room, student and period.",
          check.result_structure, switchable=False),
    _rule("sections", "Every course runs enough sections for all the students who require it.", None,
          (TEACHERS_REQUIRED, PRECHECK_TEACHERS, PRECHECK_ACROSS, PRECHECK_ROOMS),
          name="a required course without enough sections"),
    _rule("1", "A teacher is in one place at a time: one class or one tutoring group in a period.",
          check.no_teacher_double_booking, (PERIODS_TEACHER,)),
    _rule("2", "A room holds one class at a time.", check.no_room_double_booking, (PERIODS_ROOMS, PRECHECK_ROOMS)),
    _rule("3", "A student is in one class at a time, and in one section of each course.",
          check.no_student_double_booking, (STUDENTS_ONE_CLASS,)),
    _rule("4", "No class has more students than the course allows or the room holds, and a class that needs a "
               "lab, a gym or a music room gets one.", check.section_size_and_room,
          (STUDENTS_SEATS, PERIODS_ROOMS, PRECHECK_ROOMS)),
    _rule("5", "Students sit only in courses they asked for.", check.only_requested_courses),
    _rule("6", "No class meets in an intervention period, and nobody teaches in a period they are away.",
          check.periods_allowed, (PERIODS_ALLOWED, PRECHECK_TEACHERS, PRECHECK_ACROSS)),
    _rule("7", "Every class is taught by a teacher who holds its subject, within the number of classes they "
               "may teach.", check.teacher_qualified, (TEACHERS_LOAD, PRECHECK_TEACHERS, PRECHECK_ACROSS)),
    _rule("8", "Every decision fixed by hand in pins.csv is kept.", check.pins_kept, (PRECHECK_PINS, PERIODS_ALLOWED)),
    _rule("9", "Tutoring groups are small, led by someone who tutors, meet often and long enough, and never "
               "clash with anyone's classes.", check.group_standard),
    _rule("10", "Staff cost what their role costs, hiring stays within each role's limit, and no leader leads "
                "more teachers than they can reach.", check.staff_costs_hires_teams),
    _rule("11", "The budget adds up: expenses match staffing and supports, revenue follows the funding formula, "
                "and there is no deficit unless the scenario allows one.", check.budget_balances,
          switchable=False),
    _rule("goal", "Each row of student_goals.csv is marked met exactly when the design meets that goal.",
          check.goals_marked_right, switchable=False),
)}


def rules_of(families: Iterable[str]) -> list[Rule]:
    """The rules a set of constraint families keeps, in the registry's order."""
    wanted = set(families)
    return [r for r in RULES.values() if wanted & set(r.families)]


def switchable(off: Iterable[str]) -> frozenset[str]:
    """The rule IDs of `off` a what-if may switch off. Raises ValueError naming an unknown ID or one that may
    not be switched off (structure, budget)."""
    off = frozenset(str(i) for i in off)
    unknown = sorted(off - set(RULES))
    if unknown:
        raise ValueError(f"no hard rule has the ID {', '.join(unknown)} (rules: {', '.join(RULES)})")
    fixed = sorted(i for i in off if not RULES[i].switchable)
    if fixed:
        raise ValueError(f"rule {', '.join(fixed)} cannot be switched off in a what-if")
    return off


def families_on(off: Iterable[str] = ()) -> frozenset[str]:
    """The constraint families a model keeps with the rules `off` switched off (a family shared with a rule
    still on stays on)."""
    off = switchable(off)
    return frozenset(f for r in RULES.values() if r.id not in off for f in r.families)


def breaches(scenario, result, off: Iterable[str] = ()) -> list:
    """The checker's breaches (`check.check_rules`) less those of the rules switched off for a what-if."""
    off = switchable(off)
    return [b for b in check.check_rules(scenario, result) if str(b.rule) not in off]


def explain_clash(rules: list[Rule], details: list[str]) -> list[str]:
    """An infeasible design in the registry's words: one sentence naming the clashing rules (`rules_of` the
    clashing families) by ID, then the details (the sentences naming courses, teachers and rooms)."""
    if not rules:
        return list(details)
    named = " ".join(f"[{r.id}] {r.sentence}" for r in rules)
    return [f"Hard rules that cannot all hold here: {named}", *details]


def clashing_families(families: list[str], feasible: Callable[[frozenset[str]], bool]) -> list[str]:
    """An irreducible set of constraint families that cannot hold together (the family-level IIS), by a
    deletion filter: each family in turn is switched off, and stays off when the rest is still infeasible.
    `feasible(on)` builds and solves the model with the families `on` and says whether it has a solution.
    Returns `families` whole when the model with all of them is feasible after all."""
    on = list(families)
    if feasible(frozenset(on)):
        return on
    for family in list(families):
        trial = [f for f in on if f != family]
        if not feasible(frozenset(trial)):
            on = trial
    return on
