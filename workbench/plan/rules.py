"""One registry of the hard rules (issue 17): each rule's ID, its short name, the sentence a school leader reads,
the constraint families of the planning models that keep it, and whether a what-if may switch it off. The
function of the independent checker that proves each rule is paired with it in `workbench.results.rules`
(the checker is a layer above planning, so planning can name a rule without importing it).

Why one registry: the rules were named in three places (the checker's short names, the docs, the sentences of
each infeasibility message) and drifted. Now docs/generate.py renders the rules table from `RULES`, an
infeasible design is explained with the registry's sentences and the IDs of the rules whose families clash
(`explain_clash`), and `clashing_families` finds those families by re-solving with families switched off (a
deletion filter: an irreducible set of families, the family-level IIS).

A what-if may switch rules off (`switchable`): the checker then leaves their breaches out
(`workbench.results.rules.breaches`), and the planning models drop the families only those rules keep
(`planning_scenario`), so that the what-if's design may use what the rule forbade.

A rule with no checker (`sections`) is one the design itself asks for (every student's required courses
run), not one a result can break.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

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
# Staff's unavailable periods, as every planning model reads them (staffing, teachers, periods, groups,
# co-teachers): rule 6's alone, so a what-if that switches rule 6 off drops it (`planning_scenario`).
STAFF_AWAY = "staff.unavailable_periods"


@dataclass(frozen=True)
class Rule:
    """`id`: "1"-"11" (SPEC §2), "12"-"14" (SPEC §4: lunch, team planning time, the calendar), "structure",
    "sections" or "goal";
    `name`: the short name a breach carries;
    `sentence`: the rule in a school leader's words; `families`: constraint families of the models that keep
    it; `switchable`: a what-if may switch it off (a rule the result's files depend on may not)."""

    id: str
    name: str
    sentence: str
    families: tuple[str, ...]
    switchable: bool = True


def _rule(id_: str, name: str, sentence: str, families: Iterable[str] = (), switchable: bool = True) -> Rule:
    return Rule(id_, name, sentence, tuple(families), switchable)


RULES: dict[str, Rule] = {r.id: r for r in (
    _rule("structure", "the result refers to something that does not exist",
          "Everything a result names exists: each section, course, teacher, room, student and period.",
          switchable=False),
    _rule("sections", "a required course without enough sections",
          "Every course runs enough sections for all the students who require it.",
          (TEACHERS_REQUIRED, PRECHECK_TEACHERS, PRECHECK_ACROSS, PRECHECK_ROOMS)),
    _rule("1", "a teacher in two places at once",
          "A teacher is in one place at a time: one class or one tutoring group in a period.", (PERIODS_TEACHER,)),
    _rule("2", "a room booked twice", "A room holds one class at a time.", (PERIODS_ROOMS, PRECHECK_ROOMS)),
    _rule("3", "a student in two places at once",
          "A student is in one class at a time, and in one section of each course.", (STUDENTS_ONE_CLASS,)),
    _rule("4", "a class over its size limit or in the wrong room",
          "No class has more students than the course allows or the room holds, and a class that needs a lab, "
          "a gym or a music room gets one.", (STUDENTS_SEATS, PERIODS_ROOMS, PRECHECK_ROOMS)),
    _rule("5", "a student placed in a course they did not ask for", "Students sit only in courses they asked for."),
    _rule("6", "a class at a time it cannot meet",
          "No class meets in an intervention period, and nobody teaches in a period they are away.",
          (PERIODS_ALLOWED, PRECHECK_TEACHERS, PRECHECK_ACROSS, STAFF_AWAY)),
    _rule("7", "a class taught by someone who cannot teach it",
          "Every class is taught by a teacher who holds its subject, and an inclusion class's co-teacher holds "
          "the co-teaching subject, each within the number of classes they may teach (co-taught ones "
          "included).", (TEACHERS_LOAD, PRECHECK_TEACHERS, PRECHECK_ACROSS)),
    _rule("8", "a fixed decision was not kept", "Every decision fixed by hand in pins.csv is kept.",
          (PRECHECK_PINS, PERIODS_ALLOWED)),
    _rule("9", "a small group that breaks the tutoring standard",
          "Tutoring groups are small, led by someone who tutors, meet often and long enough, and never clash "
          "with anyone's classes."),
    _rule("10", "staff costs, hires or teams out of bounds",
          "Staff cost what their role costs, hiring stays within each role's limit, and no leader leads more "
          "teachers than they can reach."),
    _rule("11", "the budget does not add up",
          "The budget adds up: expenses match staffing and supports, revenue follows the funding formula, and "
          "there is no deficit unless the scenario allows one.", switchable=False),
    _rule("12", "a student with no time for lunch, or a cafeteria over its seats",
          "Where the school has lunch waves, every student has a lunch period free on every day of every term, "
          "and no lunch period leaves more students free than the cafeteria seats."),
    _rule("13", "a team without its common planning time",
          "A team leader and every teacher on her team share the planning periods their role asks for "
          "(team_planning_periods): free for all of them, outside intervention, on every day."),
    _rule("14", "a class at odds with its course's term, days or double period",
          "A class runs in the term and on the days its course asks for: one term for a term course, one day "
          "type for an A/B course, and both periods of a double period inside the day and outside intervention.",
          switchable=False),
    _rule("goal", "a student's goal is marked wrongly",
          "Each row of student_goals.csv is marked met exactly when the design meets that goal.", switchable=False),
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


def planning_scenario(scenario, off: Iterable[str] = ()):
    """The scenario the planning models see in a what-if with the rules `off` switched off: each constraint
    family no rule still on keeps is dropped from the models where a model can drop it. Today that is
    `STAFF_AWAY` (rule 6 off: staff are planned as if free in every teaching period; classes still keep out
    of intervention periods, which define the teaching periods). Families a model cannot drop stay on, so
    the design keeps those rules anyway. Returns `scenario` itself when nothing is dropped, else a copy."""
    on = families_on(off)
    if STAFF_AWAY in on or "unavailable_periods" not in scenario.staff.columns:
        return scenario
    planned = scenario.copy()
    planned.staff["unavailable_periods"] = ""
    return planned


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
