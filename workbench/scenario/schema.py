"""The tables of a scenario folder (SPEC §1): required and optional columns and each column's kind.

Kinds: `id` (string, compared as written), `int`, `float`, `flag` (0/1 or true/false), `list`
(`;`-separated, kept as the written string; split with `split_list`), `str` (free text).

A blank cell of an optional column, or the column left out, means what SPEC §1 says, and the loader says it
once for every step: each optional number is declared with a `Blank` (`fte` blank is 1, `reach` blank is 0)
or as missing on purpose (`capacity` blank is "no limit", `effectiveness` blank is "unknown"), kept as a
nullable column (`Int64` with `<NA>`, `float64` with NaN). Blank text, id and list cells are "".
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Blank:
    """What a blank cell (or a left-out column) of an optional column means. `value` is filled in on reading;
    None keeps the cell missing (a nullable column), for a meaning no number can hold: no limit, unknown."""

    value: object
    means: str


@dataclass(frozen=True)
class TableSpec:
    name: str                      # attribute on Scenario, e.g. "students"
    file: str                      # file in the folder, e.g. "students.csv"
    required: dict[str, str]       # column -> kind, in SPEC order
    optional: dict[str, str] = field(default_factory=dict)
    key: tuple[str, ...] = ()      # columns whose values must be unique together
    optional_file: bool = False
    # every optional number: what its blank means; a required column named here must be there, but its cells
    # may be blank (a result's `period`: a section with no period, which the checker names)
    blanks: dict[str, Blank] = field(default_factory=dict)

    @property
    def columns(self) -> dict[str, str]:
        return {**self.required, **self.optional}


# A teacher's soft limits (issue 14): the schedule honours them as far as it can, the teacher load report lists
# the misses. In staff.csv for one teacher, in roles.csv as the default for everyone in the role.
SOFT_LIMITS = {"max_preps": "int", "max_consecutive": "int"}
SOFT_LIMIT_BLANKS = {
    "max_preps": Blank(None, "no limit on distinct courses (preps), or the role's max_preps (staff.csv)"),
    "max_consecutive": Blank(None, "no limit of her own: the schedule breaks runs of more than 3 periods, or "
                                   "the role's max_consecutive (staff.csv)"),
}

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in [
        TableSpec(
            "students", "students.csv",
            {"student_id": "id", "grade": "int", "ell": "flag", "iep": "flag", "frl": "flag",
             "math_level": "float", "reading_level": "float"},
            key=("student_id",),
        ),
        TableSpec(
            "courses", "courses.csv",
            {"course_id": "id", "name": "str", "subject": "id", "max_size": "int"},
            {"room_type": "id", "grades": "list", "term_length": "id", "meets": "id", "periods_per_meeting": "int",
             "co_teacher_subject": "id"},
            key=("course_id",),
            blanks={"periods_per_meeting": Blank(None, "a single period (1)")},
        ),
        TableSpec(
            "requests", "requests.csv",
            {"student_id": "id", "course_id": "id", "priority": "int"},
            key=("student_id", "course_id"),
        ),
        TableSpec(
            "staff", "staff.csv",
            {"staff_id": "id", "role": "id", "subjects": "list", "max_sections": "int"},
            {"fte": "float", "unavailable_periods": "list", "effectiveness": "float", **SOFT_LIMITS},
            key=("staff_id",),
            blanks={"fte": Blank(1.0, "a full-time post"),
                    "effectiveness": Blank(None, "no rating: meets no strong_teacher target"),
                    **SOFT_LIMIT_BLANKS},
        ),
        TableSpec(
            "roles", "roles.csv",
            {"role": "id", "annual_cost": "float", "teaches_sections": "flag", "tutors": "flag",
             "max_sections": "int", "max_group_size": "int"},
            {"max_new_hires": "int", "reach": "int", "description": "str", "team_planning_periods": "int",
             **SOFT_LIMITS},
            key=("role",),
            blanks={"max_new_hires": Blank(None, "no limit on new hires"), "reach": Blank(0, "leads no team"),
                    "team_planning_periods": Blank(None, "no common planning time for the leader's team (0)"),
                    **SOFT_LIMIT_BLANKS},
        ),
        TableSpec("rooms", "rooms.csv", {"room_id": "id", "capacity": "int"}, {"room_type": "id"},
                  key=("room_id",)),
        TableSpec("goals", "goals.csv", {"student_id": "id", "goal": "id", "target": "str"}, {"subject": "id"}),
        TableSpec(
            "supports", "supports.csv", {"support": "id", "cost_per_student": "float"},
            {"capacity": "int", "description": "str"}, key=("support",),
            blanks={"capacity": Blank(None, "no limit on the students funded")},
        ),
        TableSpec(
            "pins", "pins.csv", {"course_id": "id"},
            {"section_id": "id", "staff_id": "id", "period": "int", "room_id": "id"},
            optional_file=True,
            blanks={"period": Blank(None, "the solve chooses the period")},
        ),
        TableSpec(
            "assessments", "assessments.csv",
            {"student_id": "id", "subject": "id", "cycle": "int", "level": "float"},
            key=("student_id", "subject", "cycle"),
            optional_file=True,
        ),
    ]
}

GOAL_KINDS = ("tutoring_minutes", "course", "max_class_size", "support", "strong_teacher")

# Columns that identify a person: a scenario holding one in students.csv or staff.csv is refused.
PERSONAL_COLUMNS = frozenset({
    "name", "first_name", "last_name", "middle_name", "full_name", "surname", "given_name",
    "student_name", "staff_name", "teacher_name", "birth_date", "birthdate", "date_of_birth", "dob",
    "address", "street", "home_address", "email", "e_mail", "phone", "phone_number", "telephone",
    "mobile", "ssn", "social_security_number", "parent_name", "guardian_name",
})


def split_list(cell: object) -> list[str]:
    """`"math; science"` -> `["math", "science"]`; blank -> `[]`."""
    if cell is None or (isinstance(cell, float) and cell != cell):
        return []
    return [part.strip() for part in str(cell).split(";") if part.strip()]
