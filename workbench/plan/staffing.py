"""Staffing: which roles to hire and which teachers lead teams, under the budget (issue 4).

The model is deliberately aggregate — counts of sections, seats and tutoring slots per subject and per
staff member, never a timetable — so a 1,800-student school solves in seconds. The master schedule and
the small-group planner then work with the staff chosen here.

Order, as in PyPSA's optimiser: `sanity_check` (plain refusals), data preparation, variables, one
function per family of constraints, objective, a lexicographic solve (first the most goals, weighted
towards the students furthest behind; then the cheapest design that keeps them), and `assign_solution`
turning solver values back into the staffing table and the funded supports.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import pandas as pd
import pulp

from workbench.errors import InfeasibleDesign, SolverFailed
from workbench.plan.calendar_fit import split_of
from workbench.plan.goal_meaning import (
    class_within,
    courses_for_goal,
    number_target,
    rated_at_least,
    wants_leader,
)
from workbench.plan.groups import (
    covers,
    free_periods_before_schedule,
    group_rules,
    tutoring_demand,
    tutoring_staff,
)
from workbench.plan.solver import record_note, require_design, run_solver
from workbench.plan.teams import open_periods, planning_periods_by_role
from workbench.progress import SILENT, Reporter
from workbench.scenario.funding import total_revenue
from workbench.scenario.model import Scenario
from workbench.scenario.schema import split_list
from workbench.scenario.staff_table import STAFFING_COLUMNS, existing_staffing, role_table

NEW_TEACHER_EFFECTIVENESS = 2.5   # a new hire is rated as a developing teacher
NEW_LEADER_EFFECTIVENESS = 4.0    # a hired multi-classroom leader is hired for being strong
MAX_GAP_WEIGHT = 4.0              # grade levels behind beyond which a student weighs no more
READING_SUBJECTS = {"ela", "english", "reading", "literacy", "language arts"}


@dataclass
class StaffingPlan:
    """The staffing step's answer, read by the schedule, the small-group step and the budget.

    `staffing`: one row a staff member (all existing staff, then new hires named NEW-<ROLE>-nn): the SPEC
    staffing.csv columns (annual_cost in dollars per year, effectiveness 1-5, leader_id blank or a leader's
    staff_id), plus `STAFFING_COLUMNS`' extras for the later steps: max_sections (sections a week, the smaller of
    the staff member's and the role's), unavailable_periods (";"-list), fte, teaches_sections / tutors (0/1),
    max_group_size (students), reach (teachers a leader may have on the team).
    `student_supports`: student_id, support, cost (dollars per year per student) of each funded support.
    `stats`: counts and money for summary.json (goals reachable by kind, hires by role, promotions, leaders,
    cost / revenue / balance in dollars per year, build_s / solve_s in seconds).
    `extra`: staffing_needs (sections per subject and who covers them) and goal_outlook (each goal row: weight,
    reachable 0/1, note) as result tables."""

    staffing: pd.DataFrame
    student_supports: pd.DataFrame            # student_id, support, cost (funded supports)
    status: str = "optimal"                   # optimal | feasible
    stats: dict = field(default_factory=dict)
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)


@dataclass(frozen=True)
class StaffingOptions:
    """What-if levers the trade-off views pull; the defaults are the plain plan."""

    min_leaders: int = 0          # at least this many team leaders (existing, promoted or hired)
    extra_budget: float = 0.0     # dollars added to (or, negative, taken from) this year's revenue
    # (student_id, course_id) course goals the schedule could not meet because every teacher certified in the
    # course's subject already taught as many sections as she may (`capacity_short_goals`): each is met here
    # only with one section of room beyond the subject's need (a hire, or a promotion not made)
    capacity_short: tuple[tuple[str, str], ...] = ()


def money(amount: float) -> str:
    """$4.31M or $812,400: how a budget (`amount` in dollars) is said aloud."""
    return f"${amount / 1e6:,.2f}M" if abs(amount) >= 1e6 else f"${amount:,.0f}"


# ---- data preparation -----------------------------------------------------------------------------

@dataclass
class _Data:
    """Everything the model needs, as plain Python containers."""

    scenario: Scenario
    roles: pd.DataFrame
    staff: pd.DataFrame                                   # existing_staffing
    revenue: float                                         # dollars per year (the funding formula)
    fixed_cost: float                                      # existing staff, dollars per year
    course_subject: dict[str, str]
    course_size: dict[str, int]                            # course max_size, students
    base_sections: dict[str, int]                          # sections each wanted course needs
    demand: dict[str, int]                                 # students wanting each course
    subjects: list[str]                                    # subjects with sections to staff
    seat: dict[str, float]                                 # typical section size in a subject
    student_courses: dict[str, list[str]]                  # priority 1-2 requests (and course goals)
    goals: pd.DataFrame                                    # goals.csv + weight, kind-specific fields
    leader_role: str | None
    teach_roles: list[str]                                 # hireable roles that teach, reach 0
    lead_roles: list[str]                                  # hireable roles that teach and lead
    tutor_roles: list[str]                                 # hireable roles that only tutor
    # SPEC §4, only when a scenario uses them (empty otherwise: the model is the one it always was)
    co_taught: dict[str, list[str]] = field(default_factory=dict)   # co_teacher_subject -> co-taught courses
    team_time: dict[str, int] = field(default_factory=dict)         # role -> team planning periods a day


def _level_gaps(students: pd.DataFrame, goals: pd.DataFrame) -> pd.Series:
    """Grade levels each goal's student is below where they should be mid-year (a level of 4.5 = middle
    of grade 4), in the goal's subject: math by math_level, reading subjects by reading_level, any other
    by the wider gap. Capped, so no single student outweighs a whole group."""
    facts = students.set_index("student_id").reindex(goals["student_id"])
    expected = facts["grade"].astype(float) + 0.5
    gap = {c: (expected - pd.to_numeric(facts.get(c), errors="coerce")).clip(lower=0).fillna(0.0).to_numpy()
           for c in ("math_level", "reading_level")}
    subject = goals["subject"].str.lower().to_numpy()
    out = pd.Series([m if s == "math" else r if s in READING_SUBJECTS else max(m, r)
                     for s, m, r in zip(subject, gap["math_level"], gap["reading_level"], strict=True)],
                    index=goals.index)
    return out.clip(upper=MAX_GAP_WEIGHT)


def _prepare(scenario: Scenario) -> _Data:
    roles = role_table(scenario)
    staff = existing_staffing(scenario)
    courses = scenario.courses.set_index("course_id")
    course_subject = courses["subject"].astype(str).to_dict()
    course_size = courses["max_size"].astype(int).to_dict()

    requests = scenario.requests
    wanted = requests[requests["priority"].astype(int) <= 2][["student_id", "course_id"]]
    goals = scenario.goals.copy().reset_index(drop=True)
    goals["subject"] = goals["subject"].fillna("").astype(str) if "subject" in goals else ""
    # a course goal on an alternate still needs a seat: count it as wanted
    course_goals = goals.loc[goals["goal"] == "course", ["student_id", "target"]].rename(
        columns={"target": "course_id"})
    wanted = pd.concat([wanted, course_goals[course_goals["course_id"].isin(course_subject)]]).drop_duplicates()
    demand = wanted.groupby("course_id").size().to_dict()
    base_sections = {c: math.ceil(n / course_size[c]) for c, n in demand.items() if n > 0}
    co_taught = _co_taught_courses(courses, base_sections)
    subjects = sorted({course_subject[c] for c in base_sections} | set(co_taught))
    seat = {}
    for s in subjects:
        sizes = [course_size[c] for c in base_sections if course_subject[c] == s] or \
            [course_size[c] for c in co_taught[s]]
        seat[s] = sum(sizes) / len(sizes)
    student_courses = wanted.groupby("student_id")["course_id"].apply(list).to_dict()

    goals["weight"] = 1.0 + _level_gaps(scenario.students, goals)

    teaching = roles[roles["teaches_sections"] == 1]
    lead_roles = sorted(teaching.index[teaching["reach"] > 0], key=lambda r: roles.at[r, "annual_cost"])
    teach_roles = list(teaching.index[teaching["reach"] == 0])
    tutor_roles = list(roles.index[(roles["tutors"] == 1) & (roles["teaches_sections"] == 0)])

    return _Data(scenario=scenario, roles=roles, staff=staff, revenue=total_revenue(scenario),
                 fixed_cost=float(staff["annual_cost"].sum()), course_subject=course_subject,
                 course_size=course_size, base_sections=base_sections, demand=demand, subjects=subjects,
                 seat=seat, student_courses=student_courses, goals=goals,
                 leader_role=lead_roles[0] if lead_roles else None, teach_roles=teach_roles,
                 lead_roles=lead_roles, tutor_roles=tutor_roles, co_taught=co_taught,
                 team_time=planning_periods_by_role(scenario))


def _co_taught_courses(courses: pd.DataFrame, base_sections: dict[str, int]) -> dict[str, list[str]]:
    """co_teacher_subject -> the wanted courses whose every section needs a co-teacher holding it (SPEC §4):
    co-teaching takes that subject's holders' sections as surely as teaching does."""
    if "co_teacher_subject" not in courses.columns:
        return {}
    out: dict[str, list[str]] = {}
    for course_id, cell in courses["co_teacher_subject"].items():
        subject = "" if pd.isna(cell) else str(cell).strip()
        if subject and course_id in base_sections:
            out.setdefault(subject, []).append(str(course_id))
    return out


def sanity_check(data: _Data) -> None:
    """Refuse, in plain words, a school whose existing staff already cost more than it can spend.

    Raises `InfeasibleDesign` (phase "staffing") when existing staff cost (dollars per year, roles.csv
    annual_cost × fte) exceeds revenue (the funding formula) and deficits are not allowed."""
    funding = data.scenario.settings.funding
    if not funding.allow_deficit and data.fixed_cost > data.revenue + 0.5:
        raise InfeasibleDesign(
            f"existing staff cost {money(data.fixed_cost)} but revenue is {money(data.revenue)} and deficits "
            "are not allowed: raise revenue, reduce staff fte, or set funding.allow_deficit: true",
            phase="staffing")


# ---- the model ----------------------------------------------------------------------------------------

class _Model:
    """Variables and constraint families of the aggregate staffing model.

    Decision variables (dicts of PuLP variables; the name in brackets is the variable's name in an LP dump, kept
    as it was so that the solver sees the very same model):

    - `sections_taught[staff_id, subject]` [x_n]: sections an existing teacher teaches in a subject (integer,
      0 .. `section_limit`);
    - `new_hires[role, subject]` [hire_n]: people hired in a role for a subject (integer);
    - `new_hire_sections[role, subject]` [xn_n]: sections those hires teach (integer);
    - `promoted[staff_id]` [promote_n]: an effective teacher promoted to lead a team (0/1);
    - `on_team[staff_id]` [team_n]: a teacher who joins a leader's team (0/1);
    - `team_sections[staff_id, subject]` [xl_n]: those of a teacher's sections that count for `leader` goals,
      which only a teacher on a team (or promoted) may have (continuous);
    - `course_sections[course_id]` [sections_<course>]: sections of a course, fixed at the need unless a class-size
      goal may ask for more; `small_sections` [small_<course>] of them kept small;
    - `groups_intervention` / `groups_teaching[subject, band]` [groups_int_n / groups_teach_n]: tutoring groups
      opened in intervention and in teaching periods; `tutor_groups[staff, subject, "int" | "teach"]`
      [z_*, zt_*, zn_*, znt_*]: the groups a tutor (an existing staff_id, or "new:<role>" for hires) leads there;
    - `shortfall[subject]` [short_n]: sections no certified teacher covers; `spare_section[subject]` [spare_n]: a
      section of room beyond the need (for `StaffingOptions.capacity_short`);
    - `met[goal row]` [met_<row>]: the goal is reachable in this design (0/1).

    Money is in dollars per year (`cost`, `data.revenue`); sections are sections per week-long timetable.
    """

    def __init__(self, data: _Data, options: StaffingOptions):
        self.data = data
        self.options = options
        self.prob = pulp.LpProblem("staffing", pulp.LpMaximize)
        self.goal_notes: dict[int, str] = {}      # goal row -> why it cannot be reached, when fixed
        self.reachable: dict[int, float] = {}      # goal row -> 1.0 when reachable whatever we decide
        self.met: dict[int, pulp.LpVariable] = {}
        school = data.scenario.settings.school
        self.days = school.days
        self.n_periods = school.periods_per_day
        self.teaching_periods = set(data.scenario.teaching_periods)
        # a block school's timetable holds each period once per term and day type (calendar_fit's long day): a
        # teacher may teach a section in each, up to max_sections
        split = split_of(data.scenario)
        self.copies = split.copies if split is not None else 1
        self.tutoring = data.scenario.settings.tutoring

    # variables -----------------------------------------------------------------------------------------
    def define_variables(self) -> None:
        data, staff = self.data, self.data.staff
        self.tutor_subjects = sorted(set(data.goals.loc[data.goals["goal"] == "tutoring_minutes", "subject"]))
        self.hire_subjects = sorted(set(data.subjects) | {s for s in self.tutor_subjects if s})
        self.section_limit: dict[str, int] = {}   # staff_id -> sections a week they may teach
        self.open_periods: dict[str, int] = {}    # staff_id -> teaching slots open (per term, day type)
        self.sections_taught: dict[tuple[str, str], pulp.LpVariable] = {}
        for row in staff.itertuples():
            blocked = {int(p) for p in split_list(row.unavailable_periods) if p.isdigit()}
            if row.teaches_sections:
                # in the calendar's slots: a teaching period counts once per term and day type it repeats in
                open_periods = self.open_periods[row.staff_id] = len(self.teaching_periods - blocked) * self.copies
                open_periods -= self.team_slots(row.role)   # an existing leader keeps her team's periods
                limit = self.section_limit[row.staff_id] = min(int(row.max_sections), max(0, open_periods))
                for subject in split_list(row.subjects):
                    if subject in data.subjects:
                        self.sections_taught[row.staff_id, subject] = self.prob.add_variable(
                            f"x_{len(self.sections_taught)}", 0, limit, cat="Integer")
        teachers = staff[(staff["teaches_sections"] == 1) & (staff["reach"] == 0)]
        self.existing_leaders = list(staff.loc[(staff["teaches_sections"] == 1) & (staff["reach"] > 0),
                                               "staff_id"])
        self.promoted: dict[str, pulp.LpVariable] = {}
        if data.leader_role is not None:
            # the most effective quarter of rated teachers (more when a what-if asks for more leaders)
            rated = teachers.dropna(subset=["effectiveness"]).sort_values("effectiveness", ascending=False)
            if len(rated):
                count = max(math.ceil(len(rated) / 4), self.options.min_leaders)
                bar = rated["effectiveness"].iloc[min(count, len(rated)) - 1]
                for sid in rated.loc[rated["effectiveness"] >= bar, "staff_id"]:
                    self.promoted[sid] = self.prob.add_variable(f"promote_{len(self.promoted)}", cat="Binary")
        self.on_team = {sid: self.prob.add_variable(f"team_{i}", cat="Binary")
                        for i, sid in enumerate(teachers["staff_id"])} if data.lead_roles else {}
        self.new_hires: dict[tuple[str, str], pulp.LpVariable] = {}
        self.new_hire_sections: dict[tuple[str, str], pulp.LpVariable] = {}
        for role in data.teach_roles + data.lead_roles:
            role_limit = min(int(data.roles.at[role, "max_sections"]),
                             len(self.teaching_periods) * self.copies - self.team_slots(role))
            for subject in self.hire_subjects:
                hired = self.new_hires[role, subject] = self.prob.add_variable(
                    f"hire_{len(self.new_hires)}", 0, None, cat="Integer")
                if subject in data.subjects:
                    taught = self.new_hire_sections[role, subject] = self.prob.add_variable(
                        f"xn_{len(self.new_hire_sections)}", 0, None, cat="Integer")
                    self.prob += taught <= role_limit * hired
        for role in data.tutor_roles:
            for subject in self.tutor_subjects:
                self.new_hires[role, subject] = self.prob.add_variable(f"hire_{len(self.new_hires)}", 0, None,
                                                                       cat="Integer")
        self.shortfall = {s: self.prob.add_variable(f"short_{i}", 0) for i, s in enumerate(data.subjects)}
        # sections per course: fixed at need unless a class-size goal may ask for more
        self.course_sections: dict[str, pulp.LpAffineExpression | int] = dict(data.base_sections)
        # one section of room beyond the need, in a subject where the schedule ran out of teachers with room
        short_subjects = sorted({data.course_subject[c] for _s, c in self.options.capacity_short
                                 if c in data.course_subject} & set(data.subjects))
        self.spare_section = {s: self.prob.add_variable(f"spare_{i}", cat="Binary")
                              for i, s in enumerate(short_subjects)}

    def team_slots(self, role: str) -> int:
        """Slots of the cycle a leader in `role` and her team keep for common planning: the role's
        team_planning_periods a day, in every term and day type the day repeats in (0 without team time)."""
        return self.data.team_time.get(role, 0) * self.copies

    def _promoted_capacity_loss(self, sid: str) -> int:
        lead_max = int(self.data.roles.at[self.data.leader_role, "max_sections"])
        if self.data.leader_role in self.data.team_time:   # a leader keeps her team's planning periods
            lead_max = min(lead_max, self.open_periods[sid] - self.team_slots(self.data.leader_role))
        return max(0, self.section_limit[sid] - min(self.section_limit[sid], max(0, lead_max)))

    def _team_capacity_loss(self, sid: str) -> int:
        """Sections a teacher gives up by joining a team that keeps common planning periods (SPEC §4 rule 13):
        0 unless a role asks for team planning time."""
        need = max((self.data.team_time.get(r, 0) for r in [*self.data.lead_roles,
                    *self.data.staff.loc[self.data.staff["staff_id"].isin(self.existing_leaders), "role"]]),
                   default=0) * self.copies
        if not need:
            return 0
        return max(0, self.section_limit[sid] - max(0, self.open_periods[sid] - need))

    # constraint families --------------------------------------------------------------------------------
    def teaching_load(self) -> None:
        """A teacher teaches no more sections than they may (fewer once promoted to lead a team)."""
        by_staff: dict[str, list] = {}
        for (sid, _s), var in self.sections_taught.items():
            by_staff.setdefault(sid, []).append(var)
        for sid, vars_ in by_staff.items():
            loss = self._promoted_capacity_loss(sid) * self.promoted[sid] if sid in self.promoted else 0
            team_loss = self._team_capacity_loss(sid) if sid in self.on_team else 0
            if team_loss:
                loss = loss + team_loss * self.on_team[sid]
            self.prob += pulp.lpSum(vars_) <= self.section_limit[sid] - loss, f"load_{sid}"

    def hiring_limits(self) -> None:
        """No role hires more than its max_new_hires."""
        for r in self.data.roles.index:
            limit = self.data.roles.at[r, "max_new_hires"]
            vars_ = [v for (role, _s), v in self.new_hires.items() if role == r]
            if vars_ and not pd.isna(limit):
                self.prob += pulp.lpSum(vars_) <= int(limit), f"max_hires_{r}"

    def team_reach(self) -> None:
        """No leader has more teachers on the team than the role's reach; nobody both leads and joins."""
        data = self.data
        if not data.lead_roles:
            return
        promoted_reach = int(data.roles.at[data.leader_role, "reach"])   # teachers per promoted leader's team
        existing = sum(int(data.staff.loc[data.staff["staff_id"] == sid, "reach"].iloc[0])
                       for sid in self.existing_leaders)
        hired = pulp.lpSum(int(data.roles.at[role, "reach"]) * v for (role, _s), v in self.new_hires.items()
                           if role in data.lead_roles)
        self.prob += pulp.lpSum(self.on_team.values()) <= \
            existing + promoted_reach * pulp.lpSum(self.promoted.values()) + hired, "team_reach"
        for sid, var in self.promoted.items():
            self.prob += var + self.on_team[sid] <= 1, f"lead_or_join_{sid}"
        self.leaders = len(self.existing_leaders) + pulp.lpSum(self.promoted.values()) + pulp.lpSum(
            v for (r, _s), v in self.new_hires.items() if r in data.lead_roles)
        if self.options.min_leaders:
            hireable = sum(_limit(data.roles.at[r, "max_new_hires"], 10**6) for r in data.lead_roles)
            possible = len(self.existing_leaders) + len(self.promoted) + hireable
            if possible < self.options.min_leaders:
                raise InfeasibleDesign(
                    f"{self.options.min_leaders} team leaders were asked for but at most {possible} are possible "
                    f"({len(self.existing_leaders)} leading now, {len(self.promoted)} teachers effective enough to "
                    f"promote, {hireable} new hires allowed): allow more hires of {data.leader_role} in roles.csv",
                    phase="staffing")
            self.prob += self.leaders >= self.options.min_leaders, "min_leaders"

    def class_size(self) -> None:
        """A student capped at n per class needs sections of at most n in that subject; smaller sections
        mean more sections to staff."""
        data = self.data
        goals = data.goals[data.goals["goal"] == "max_class_size"]
        self.small_sections: dict[str, pulp.LpVariable] = {}
        per_course: dict[str, list[tuple[int, float]]] = {}
        for i, row in goals.to_dict("index").items():
            target = number_target(row["target"])
            courses = self._courses_in(row["student_id"], row["subject"])
            if target is None or target < 1:
                self.goal_notes[i] = "the class-size target is not a number of students"
                continue
            if not courses:
                self.goal_notes[i] = "the student requested no course" + _in_subject(row["subject"])
                continue
            tight = [c for c in courses if not class_within(data.course_size[c], target)]
            if not tight:
                self.reachable[i] = 1.0
                continue
            self.met[i] = self.prob.add_variable(f"met_{i}", cat="Binary")
            for c in tight:
                per_course.setdefault(c, []).append((i, target))
        for c, rows in per_course.items():
            n = int(min(t for _i, t in rows))
            size, need = data.course_size[c], data.demand[c]
            sections = self.prob.add_variable(f"sections_{c}", data.base_sections[c], None, cat="Integer")
            small = self.prob.add_variable(f"small_{c}", 0, None, cat="Integer")
            self.prob += small <= sections, f"small_le_sections_{c}"
            self.prob += need <= size * sections - (size - n) * small, f"seats_{c}"
            self.prob += pulp.lpSum(self.met[i] for i, _t in rows) <= n * small, f"small_seats_{c}"
            self.course_sections[c] = sections
            self.small_sections[c] = small

    def section_cover(self) -> None:
        """Every section a subject needs has a teacher certified in it (or counts as a shortfall)."""
        data = self.data
        for s in data.subjects:
            need = pulp.lpSum(self.course_sections[c] for c in data.base_sections if data.course_subject[c] == s)
            if s in data.co_taught:   # each section of a co-taught course takes one of this subject's sections
                need += pulp.lpSum(self.course_sections[c] for c in data.co_taught[s])
            have = pulp.lpSum(v for (_sid, subj), v in self.sections_taught.items() if subj == s) + pulp.lpSum(
                v for (_r, subj), v in self.new_hire_sections.items() if subj == s)
            self.prob += have + self.shortfall[s] >= need + self.spare_section.get(s, 0), f"cover_{s}"

    def strong_teachers(self) -> None:
        """Students promised a strong teacher take seats in sections of teachers rated at or above their
        target; students promised a leader take seats with leaders and their teams."""
        data = self.data
        goals = data.goals[data.goals["goal"] == "strong_teacher"]
        numeric: dict[str, list[tuple[int, float, int]]] = {}
        leader: dict[str, list[tuple[int, int]]] = {}
        for i, row in goals.to_dict("index").items():
            courses = self._courses_in(row["student_id"], row["subject"])
            if not courses:
                self.goal_notes[i] = "the student requested no course" + _in_subject(row["subject"])
                continue
            counts = pd.Series([data.course_subject[c] for c in courses]).value_counts().to_dict()
            leader_wanted = wants_leader(row["target"])
            target = None if leader_wanted else number_target(row["target"])
            if not leader_wanted and target is None:
                self.goal_notes[i] = "the strong-teacher target is neither a rating nor 'leader'"
                continue
            if leader_wanted and not data.lead_roles and not self.existing_leaders:
                self.goal_notes[i] = "no role in roles.csv leads a team (reach above 0)"
                continue
            self.met[i] = self.prob.add_variable(f"met_{i}", cat="Binary")
            for s, n in counts.items():
                if leader_wanted:
                    leader.setdefault(s, []).append((i, n))
                else:
                    numeric.setdefault(s, []).append((i, target, n))
        eff = self.data.staff.set_index("staff_id")["effectiveness"]
        for s, rows in numeric.items():
            for rating in sorted({t for _i, t, _n in rows}):
                seats = pulp.lpSum(self.met[i] * n for i, t, n in rows if t >= rating)
                strong = [v for (sid, subj), v in self.sections_taught.items()
                          if subj == s and rated_at_least(eff.get(sid, float("nan")), rating)]
                strong += [v for (role, subj), v in self.new_hire_sections.items()
                           if subj == s and rated_at_least(_hire_effectiveness(data, role), rating)]
                self.prob += seats <= data.seat[s] * pulp.lpSum(strong), f"strong_{s}_{rating}"
        self.team_sections: dict[tuple[str, str], pulp.LpVariable] = {}
        led_by: dict[str, list] = {}
        for s, rows in leader.items():
            led = []
            for (sid, subj), var in self.sections_taught.items():
                if subj != s:
                    continue
                if sid in self.existing_leaders:
                    led.append(var)
                elif sid in self.on_team:
                    counted = self.team_sections[sid, s] = self.prob.add_variable(
                        f"xl_{len(self.team_sections)}", 0)
                    self.prob += counted <= var
                    led_by.setdefault(sid, []).append(counted)
                    led.append(counted)
            led += [v for (role, subj), v in self.new_hire_sections.items() if subj == s and role in data.lead_roles]
            self.prob += pulp.lpSum(self.met[i] * n for i, n in rows) <= data.seat[s] * pulp.lpSum(led), \
                f"leader_{s}"
        for sid, vars_ in led_by.items():
            leads_or_joins = self.on_team[sid] + (self.promoted[sid] if sid in self.promoted else 0)
            self.prob += pulp.lpSum(vars_) <= self.section_limit[sid] * leads_or_joins, f"led_only_on_team_{sid}"

    def tutoring_capacity(self) -> None:
        """Small groups need time when tutor and students are both free. Before a timetable exists a student
        is sure to be free in the intervention periods and in as many teaching periods as their requests
        leave open; a tutor leads at most floor(days / sessions_per_week) groups in a period they are free;
        a group holds one level band of one subject; teachers tutor only their own subjects. The counting
        rules are the small-group step's own (`workbench.plan.groups`), so the two steps agree."""
        data = self.data
        rules = group_rules(data.scenario)
        cap = int(self.tutoring.max_group_size)
        goals = data.goals[data.goals["goal"] == "tutoring_minutes"]
        demand = tutoring_demand(data.scenario).set_index(["student_id", "subject"])
        free = free_periods_before_schedule(data.scenario).set_index("student_id")
        self.tutoring_goal_groups: dict[int, int] = {}
        seen: dict[tuple[str, str], int] = {}
        by_student: dict[str, list[tuple[int, int]]] = {}
        cells: dict[tuple[str, float], list[tuple[int, int, bool]]] = {}
        for i, row in goals.to_dict("index").items():
            target = number_target(row["target"])
            if target is None:
                self.goal_notes[i] = "the tutoring target is not a number of minutes"
                continue
            if target <= 0:
                self.reachable[i] = 1.0
                continue
            key = (row["student_id"], row["subject"])
            if key in seen:          # two rows for one subject are met by the same groups
                self.met[i] = self.met[seen[key]]
                continue
            if not rules.standard_fits:
                self.goal_notes[i] = "the tutoring standard cannot fit in a period"
                continue
            if key not in demand.index or row["student_id"] not in free.index:
                self.goal_notes[i] = "the student is not in students.csv"
                continue
            facts, room = demand.loc[key], free.loc[row["student_id"]]
            groups = math.ceil(float(facts["target"]) / rules.group_minutes)
            if groups > room["intervention"] + room["teaching"]:
                self.goal_notes[i] = "the student has no free period for a group: a full course load and " \
                    "no intervention period"
                continue
            seen[key] = i
            self.met[i] = self.prob.add_variable(f"met_{i}", cat="Binary")
            self.tutoring_goal_groups[i] = groups
            by_student.setdefault(row["student_id"], []).append((i, groups))
            cells.setdefault((row["subject"], float(facts["band"])), []).append(
                (i, groups, room["teaching"] == 0))
        for sid, rows in by_student.items():
            room = free.loc[sid]
            if sum(g for _i, g in rows) > room["intervention"] + room["teaching"]:
                self.prob += pulp.lpSum(self.met[i] * g for i, g in rows) <= \
                    int(room["intervention"] + room["teaching"]), f"one_group_a_period_{sid}"
        subjects = sorted({s for s, _b in cells})
        # groups opened per (subject, band), in intervention periods and in teaching periods
        self.groups_intervention = {c: self.prob.add_variable(f"groups_int_{n}", 0, None, cat="Integer")
                                    for n, c in enumerate(sorted(cells))}
        self.groups_teaching = {c: self.prob.add_variable(f"groups_teach_{n}", 0, None, cat="Integer")
                                for n, c in enumerate(sorted(cells))}
        for c, rows in cells.items():
            tag = f"{c[0] or 'any'}_{c[1]:g}"
            only_int = [(i, g) for i, g, full in rows if full]
            if only_int:   # a student on a full load is free only in the intervention periods
                self.prob += pulp.lpSum(self.met[i] * g for i, g in only_int) <= \
                    cap * self.groups_intervention[c], f"band_seats_intervention_{tag}"
            self.prob += pulp.lpSum(self.met[i] * g for i, g, _f in rows) <= \
                cap * (self.groups_intervention[c] + self.groups_teaching[c]), f"band_seats_{tag}"
        supply_int: dict[str, list] = {s: [] for s in subjects}
        supply_teach: dict[str, list] = {s: [] for s in subjects}
        interventions = set(data.scenario.periods) - self.teaching_periods
        tutors = tutoring_staff(data.scenario, data.staff).set_index("staff_id")
        self.tutor_groups: dict[tuple[str, str, str], pulp.LpVariable] = {}
        for sid, row in tutors.iterrows():
            mine = [s for s in subjects if covers(row["subjects"], s)]
            if not mine:
                continue
            share = float(row["size"]) / cap
            number = len(self.tutor_groups)
            in_intervention = {s: self.prob.add_variable(f"z_{number}_{n}", 0) for n, s in enumerate(mine)}
            in_teaching = {s: self.prob.add_variable(f"zt_{number}_{n}", 0) for n, s in enumerate(mine)}
            self.tutor_groups.update({(sid, s, "int"): v for s, v in in_intervention.items()})
            self.tutor_groups.update({(sid, s, "teach"): v for s, v in in_teaching.items()})
            open_int = len(interventions - row["unavailable"])
            open_teach = len(self.teaching_periods - row["unavailable"])
            teaching = pulp.lpSum(v for (x_sid, _s), v in self.sections_taught.items() if x_sid == sid)
            self.prob += pulp.lpSum(in_intervention.values()) <= rules.per_slot * open_int, f"tutor_time_int_{sid}"
            self.prob += pulp.lpSum(in_teaching.values()) <= rules.per_slot * (open_teach - teaching), \
                f"tutor_time_teach_{sid}"
            for s in mine:
                supply_int[s].append(share * in_intervention[s])
                supply_teach[s].append(share * in_teaching[s])
        for (role, s), hired in self.new_hires.items():
            if s not in supply_int or not data.roles.at[role, "tutors"]:
                continue
            share = min(cap, int(data.roles.at[role, "max_group_size"])) / cap
            if share <= 0:
                continue
            in_intervention = self.tutor_groups[f"new:{role}", s, "int"] = self.prob.add_variable(
                f"zn_{len(self.tutor_groups)}", 0)
            in_teaching = self.tutor_groups[f"new:{role}", s, "teach"] = self.prob.add_variable(
                f"znt_{len(self.tutor_groups)}", 0)
            teaching = self.new_hire_sections.get((role, s), 0) if data.roles.at[role, "teaches_sections"] else 0
            self.prob += in_intervention <= rules.per_slot * len(interventions) * hired
            self.prob += in_teaching <= rules.per_slot * (len(self.teaching_periods) * hired - teaching)
            supply_int[s].append(share * in_intervention)
            supply_teach[s].append(share * in_teaching)
        for s in subjects:
            tag = s or "any"
            self.prob += pulp.lpSum(v for (subj, _b), v in self.groups_intervention.items() if subj == s) <= \
                pulp.lpSum(supply_int[s]), f"tutoring_groups_intervention_{tag}"
            self.prob += pulp.lpSum(v for (subj, _b), v in self.groups_teaching.items() if subj == s) <= \
                pulp.lpSum(supply_teach[s]), f"tutoring_groups_teaching_{tag}"

    def supports(self) -> None:
        """A support reaches no more students than its capacity; each student's plan names what they need."""
        data = self.data
        catalogue = data.scenario.supports.set_index("support")
        goals = data.goals[data.goals["goal"] == "support"]
        self.support_cost: dict[int, float] = {}
        self.support_of: dict[int, str] = {}
        by_support: dict[str, list] = {}
        seen: dict[tuple[str, str], int] = {}
        for i, row in goals.to_dict("index").items():
            name = str(row["target"]).strip()
            if name not in catalogue.index:
                self.goal_notes[i] = f"'{name}' is not in supports.csv"
                continue
            key = (row["student_id"], name)
            if key in seen:          # the same support named twice is funded once
                self.met[i] = self.met[seen[key]]
                continue
            seen[key] = i
            self.met[i] = self.prob.add_variable(f"met_{i}", cat="Binary")
            self.support_cost[i] = float(catalogue.at[name, "cost_per_student"])
            self.support_of[i] = name
            by_support.setdefault(name, []).append(self.met[i])
        for name, vars_ in by_support.items():
            capacity = catalogue.at[name, "capacity"] if "capacity" in catalogue else None
            if capacity is not None and not pd.isna(capacity):
                self.prob += pulp.lpSum(vars_) <= int(capacity), f"capacity_{name}"

    def course_goals(self) -> None:
        """A requested course is reachable when its subject is fully staffed (the schedule places it); one the
        schedule could not place for want of a teacher with room (`capacity_short`) needs a section of room
        beyond the subject's need."""
        data = self.data
        short = set(self.options.capacity_short)
        for i, row in data.goals[data.goals["goal"] == "course"].to_dict("index").items():
            course = str(row["target"])
            if course not in data.course_subject:
                self.goal_notes[i] = f"course {row['target']} is not in courses.csv"
            elif (str(row["student_id"]), course) in short and data.course_subject[course] in self.spare_section:
                self.met[i] = self.prob.add_variable(f"met_{i}", cat="Binary")
                self.prob += self.met[i] <= self.spare_section[data.course_subject[course]], f"room_for_{i}"
            else:
                self.reachable[i] = 1.0

    def budget(self) -> None:
        """Staff costs plus funded supports (dollars per year) stay within revenue unless deficits are allowed."""
        data = self.data
        lead_cost = float(data.roles.at[data.leader_role, "annual_cost"]) if data.leader_role else 0.0
        staff = data.staff.set_index("staff_id")
        promotions = pulp.lpSum(round(lead_cost * staff.at[sid, "fte"] - staff.at[sid, "annual_cost"], 2) * v
                                for sid, v in self.promoted.items())
        hires = pulp.lpSum(float(data.roles.at[r, "annual_cost"]) * v for (r, _s), v in self.new_hires.items())
        supports = pulp.lpSum(self.support_cost[i] * self.met[i] for i in self.support_cost)
        self.cost = data.fixed_cost + promotions + hires + supports
        if not data.scenario.settings.funding.allow_deficit:
            self.prob += self.cost <= data.revenue, "balanced_budget"

    # helpers ----------------------------------------------------------------------------------------------
    def _courses_in(self, student_id: str, subject: str) -> list[str]:
        """The student's wanted courses a goal in `subject` is about (`goal_meaning.courses_for_goal`)."""
        return courses_for_goal(self.data.student_courses.get(student_id, []), self.data.course_subject, subject)

    def build(self) -> None:
        self.define_variables()
        self.teaching_load()
        self.hiring_limits()
        self.team_reach()
        self.class_size()
        self.section_cover()
        self.strong_teachers()
        self.tutoring_capacity()
        self.supports()
        self.course_goals()
        self.budget()


def _limit(value, unlimited: int) -> int:
    """max_new_hires as a number: blank means no limit."""
    return unlimited if value is None or pd.isna(value) else int(value)


def _in_subject(subject: str) -> str:
    return f" in {subject}" if subject else ""


def _hire_effectiveness(data: _Data, role: str) -> float:
    return NEW_LEADER_EFFECTIVENESS if role in data.lead_roles else NEW_TEACHER_EFFECTIVENESS


# ---- solving ----------------------------------------------------------------------------------------------

def _solve(prob: pulp.LpProblem, scenario: Scenario, time_limit: float, options: StaffingOptions) -> str:
    """'optimal' or 'feasible'; `InfeasibleDesign` only when the solver proved that no design fits,
    `SolverFailed` when it gave no answer."""
    outcome = require_design(run_solver(prob, scenario.settings.solver, step="staffing", time_limit_s=time_limit),
                             "staffing", time_limit)
    if outcome.has_design:
        return outcome.status
    design = f"staffing design with at least {options.min_leaders} team leaders" if options.min_leaders \
        else "staffing design"
    raise InfeasibleDesign(
        f"no {design} fits the budget and the hiring limits: raise revenue, allow more hires in "
        "roles.csv, or set funding.allow_deficit: true", phase="staffing")


def plan_staffing(scenario: Scenario, reporter: Reporter = SILENT,
                  options: StaffingOptions | None = None) -> StaffingPlan:
    """Choose hires, promotions, teams and funded supports that serve the most students' goals — the
    students furthest behind counting most — and, among designs serving them equally, the cheapest.

    Two solves of one model (see the module doc): most weighted goals first (a goal weighs 1 plus the student's
    grade levels behind in its subject, at most `MAX_GAP_WEIGHT`; one uncovered section outweighs all goals),
    then the lowest cost in dollars per year that keeps them. Figures come from the scenario: salaries plus
    benefits from roles.csv annual_cost, revenue from the funding formula (`settings.funding`, plus
    `options.extra_budget` dollars), existing staff and their ratings from staff.csv; a new hire is rated
    `NEW_TEACHER_EFFECTIVENESS` (a hired leader `NEW_LEADER_EFFECTIVENESS`), the project's assumption, not a
    measured figure. Each solve stops at the solver's node limit (work), with half of
    `settings.solver.time_limit_s` seconds as a safety cap.

    Returns a `StaffingPlan` (status "optimal" only when both solves proved optimality). Raises
    `InfeasibleDesign` when existing staff already cost more than the revenue, when `options.min_leaders`
    leaders are impossible, or when the solver proves no design fits the budget and hiring limits;
    `SolverFailed` when the first solve gives no answer (a failed cost pass keeps the first design)."""
    options = options or StaffingOptions()
    t0 = time.perf_counter()
    data = _prepare(scenario)
    data.revenue += options.extra_budget
    sanity_check(data)
    reporter.report("staffing", "staffing: building the staffing model", 0.1)
    model = _Model(data, options)
    model.build()
    weights = data.goals["weight"]
    goal_value = pulp.lpSum(float(weights[i]) * v for i, v in model.met.items())
    penalty = float(weights.sum()) + 1.0   # one uncovered section outweighs every goal
    shortfall = pulp.lpSum(model.shortfall.values())
    build_s = time.perf_counter() - t0
    # each of the two solves stops at its node limit (work: the same design on any machine); the clock, half
    # the scenario's time limit each, is only a safety cap
    limit = max(2.0, scenario.settings.solver.time_limit_s * 0.5)

    reporter.report("staffing", "staffing: finding the design that reaches the most goals", 0.3)
    model.prob.setObjective(goal_value - penalty * shortfall)
    status1 = _solve(model.prob, scenario, limit, options)
    best = pulp.value(model.prob.objective) or 0.0
    reporter.check_cancel()

    reporter.report("staffing", "staffing: finding the cheapest design that reaches them", 0.6, incumbent=best)
    first = {v.name: v.varValue for v in model.prob.variables()}
    # a quarter of the lightest goal's weight: room for solver tolerances, none for dropping a goal
    model.prob += goal_value - penalty * shortfall >= best - 0.25, "keep_goals"
    effective = pulp.lpSum(float(data.staff.set_index("staff_id").at[sid, "effectiveness"]) * v
                           for sid, v in model.promoted.items())
    model.prob.sense = pulp.LpMinimize
    sections = pulp.lpSum(model.sections_taught.values()) + pulp.lpSum(model.new_hire_sections.values())
    model.prob.setObjective(model.cost - 1e-3 * effective + 1e-3 * sections)
    try:
        status2 = _solve(model.prob, scenario, limit, options)
    except (InfeasibleDesign, SolverFailed) as trouble:   # the cost pass only polishes: keep the first design
        record_note(f"staffing: the cheapest-design pass gave no answer, the first design is kept ({trouble})")
        for v in model.prob.variables():
            v.varValue = first.get(v.name)
        status2 = "feasible"
    solve_s = time.perf_counter() - t0 - build_s
    plan = assign_solution(data, model, options)
    plan.status = "optimal" if status1 == status2 == "optimal" else "feasible"
    plan.stats.update({"build_s": round(build_s, 3), "solve_s": round(solve_s, 3), "status": plan.status})
    return plan


# ---- turning the solution back into tables ------------------------------------------------------------------

def _val(v) -> float:
    return float(pulp.value(v) or 0.0) if not isinstance(v, int | float) else float(v)


def assign_solution(data: _Data, model: _Model, options: StaffingOptions) -> StaffingPlan:
    """Turn a solved model's values into tables: promoted teachers take the leader role (its annual_cost × fte,
    its max_sections), hires become NEW-<ROLE>-nn rows, teams are formed (`_form_teams`), funded supports
    listed, and each goal row's outlook (reachable or why not) and the plan's stats filled in (money in dollars
    per year). Status is left "optimal"; the caller sets it from the solves."""
    roles = data.roles
    staff = data.staff.copy()
    promoted = [sid for sid, v in model.promoted.items() if _val(v) > 0.5]
    if promoted:
        lead = roles.loc[data.leader_role]
        mask = staff["staff_id"].isin(promoted)
        staff.loc[mask, "role"] = data.leader_role
        staff.loc[mask, "annual_cost"] = (lead["annual_cost"] * staff.loc[mask, "fte"]).round(2)
        staff.loc[mask, "max_sections"] = staff.loc[mask, "max_sections"].clip(upper=int(lead["max_sections"]))
        for col in ("teaches_sections", "tutors", "max_group_size", "reach"):
            staff.loc[mask, col] = lead[col]

    hires = []
    counter: dict[str, int] = {}
    for (role, subject), hired in sorted(model.new_hires.items()):
        for _ in range(round(_val(hired))):
            counter[role] = counter.get(role, 0) + 1
            hires.append(_hire_row(roles, role, subject, counter[role], _hire_effectiveness(data, role)))
    if hires:
        staff = pd.concat([staff, pd.DataFrame(hires)], ignore_index=True)
    chosen = {sid for sid, v in model.on_team.items() if _val(v) > 0.5}
    staff = _form_teams(staff, chosen, _team_fit(data, model, staff) if data.team_time else None)
    staff = staff[STAFFING_COLUMNS].reset_index(drop=True)

    supports = pd.DataFrame(
        [{"student_id": data.goals.at[i, "student_id"], "support": model.support_of[i],
          "cost": model.support_cost[i]} for i in model.support_cost if _val(model.met[i]) > 0.5],
        columns=["student_id", "support", "cost"])

    needs = []
    for s in data.subjects:
        need = sum(_val(model.course_sections[c]) for c in data.base_sections if data.course_subject[c] == s)
        need += sum(_val(model.course_sections[c]) for c in data.co_taught.get(s, []))
        existing = sum(_val(v) for (_sid, subj), v in model.sections_taught.items() if subj == s)
        new = sum(_val(v) for (_r, subj), v in model.new_hire_sections.items() if subj == s)
        needs.append({"subject": s, "sections_needed": round(need), "by_existing_staff": round(existing),
                      "by_new_hires": round(new), "shortfall": round(_val(model.shortfall[s]))})
    needs = pd.DataFrame(needs, columns=["subject", "sections_needed", "by_existing_staff", "by_new_hires",
                                         "shortfall"])
    short_subjects = set(needs.loc[needs["shortfall"] > 0, "subject"])

    goals = data.goals
    reachable, notes = [], []
    for i, row in goals.to_dict("index").items():
        if i in model.met:
            ok = _val(model.met[i]) > 0.5
            note = "" if ok else _unreached_note(row, data)
        elif i in model.reachable:
            subj = data.course_subject.get(str(row["target"]), row["subject"]) if row["goal"] == "course" \
                else row["subject"]
            ok = subj not in short_subjects
            note = "" if ok else f"{subj} is short of certified teachers"
        else:
            ok, note = False, model.goal_notes.get(i, "")
        reachable.append(int(ok))
        notes.append(note)
    outlook = pd.DataFrame({"student_id": goals["student_id"], "goal": goals["goal"], "subject": goals["subject"],
                            "target": goals["target"], "weight": goals["weight"].round(2),
                            "reachable": reachable, "note": notes})

    cost = float(staff["annual_cost"].sum() + supports["cost"].sum())
    by_kind = outlook.groupby("goal")["reachable"].agg(["sum", "count"])
    stats = {
        "goals_total": int(len(outlook)), "goals_reachable": int(outlook["reachable"].sum()),
        "goals_weighted": round(float((outlook["weight"] * outlook["reachable"]).sum()), 2),
        "goals_by_kind": {k: {"reachable": int(r["sum"]), "total": int(r["count"])}
                          for k, r in by_kind.to_dict("index").items()},
        "tutoring_goals_reachable": int(outlook.loc[outlook["goal"] == "tutoring_minutes", "reachable"].sum()),
        "hires": {r: n for r, n in counter.items()}, "promotions": promoted,
        "leaders": int((staff["reach"] > 0).sum()), "uncovered_sections": int(needs["shortfall"].sum()),
        "cost": round(cost, 2), "revenue": round(data.revenue, 2), "balance": round(data.revenue - cost, 2),
    }
    return StaffingPlan(staffing=staff, student_supports=supports, stats=stats,
                        extra={"staffing_needs": needs, "goal_outlook": outlook})


def _unreached_note(row: pd.Series, data: _Data) -> str:
    kind, subj = row["goal"], _in_subject(row["subject"])
    return {
        "tutoring_minutes": f"not enough tutoring time{subj} within the budget",
        "max_class_size": f"not enough teachers{subj} for sections of {row['target']} within the budget",
        "strong_teacher": f"not enough seats with teachers rated {row['target']}{subj}",
        "support": f"'{row['target']}' is full or does not fit the budget",
        "course": f"every teacher certified in {data.course_subject.get(str(row['target']), 'its subject')} "
                  "teaches as many sections as she may, and no more room fits the budget",
    }.get(kind, "not reachable within the budget")


def _team_fit(data: _Data, model: _Model, staff: pd.DataFrame):
    """fits(leader_id, team so far, staff_id): may this teacher join the team and still leave it its common
    planning periods (SPEC §4 rule 13)? Her sections in the plan must fit the teaching periods left to her, and
    enough periods must stay open (no one away, no one pinned) to the team with her."""
    loads = {sid: sum(_val(v) for (x_sid, _s), v in model.sections_taught.items() if x_sid == sid)
             for sid in staff["staff_id"]}
    for (role, subject), taught in model.new_hire_sections.items():
        hired = round(_val(model.new_hires[role, subject]))
        for sid in staff.loc[(staff["new_hire"] == 1) & (staff["role"] == role) & (staff["subjects"] == subject),
                             "staff_id"]:
            loads[sid] = math.ceil(_val(taught) / max(1, hired))
    need = {row.staff_id: data.team_time.get(row.role, 0) for row in staff.itertuples()}

    def fits(leader_id: str, team: list[str], sid: str) -> bool:
        k = need.get(leader_id, 0)
        if not k:
            return True
        mine = open_periods(data.scenario, staff, [sid])
        together = open_periods(data.scenario, staff, [leader_id, *team, sid])
        return loads.get(sid, 0) <= len(mine) - k and len(together) >= k

    return fits


def _form_teams(staff: pd.DataFrame, chosen: set[str], fits=None) -> pd.DataFrame:
    """Name each team teacher's leader: chosen teachers first, then (cost-free) the least experienced
    teachers, sharing a subject with their leader where possible. Never more than reach per leader; with
    team planning time (`fits`, from `_team_fit`), only where the teacher leaves the team its common periods."""
    staff = staff.copy()
    staff["leader_id"] = ""
    leaders = staff[(staff["reach"] > 0) & (staff["teaches_sections"] == 1)]
    if leaders.empty:
        return staff
    room = {row.staff_id: int(row.reach) for row in leaders.itertuples()}
    subjects = {row.staff_id: set(split_list(row.subjects)) for row in staff.itertuples()}
    members = staff[(staff["teaches_sections"] == 1) & (staff["reach"] == 0)]
    order = members.assign(later=~members["staff_id"].isin(chosen),
                           eff=members["effectiveness"].fillna(NEW_TEACHER_EFFECTIVENESS))
    order = order.sort_values(["later", "eff", "staff_id"])
    teams: dict[str, list[str]] = {lid: [] for lid in room}
    for row in order.itertuples():
        open_leaders = [lid for lid, n in room.items() if n > 0]
        if not open_leaders:
            break
        if fits is not None:
            open_leaders = [lid for lid in open_leaders if fits(lid, teams[lid], row.staff_id)]
            if not open_leaders:
                continue
        lid = max(open_leaders, key=lambda lid: (len(subjects[lid] & subjects[row.staff_id]), room[lid]))
        staff.loc[staff["staff_id"] == row.staff_id, "leader_id"] = lid
        teams[lid].append(row.staff_id)
        room[lid] -= 1
    return staff


# ---- closing the loop with the small-group step ----------------------------------------------------------

def plan_extra_tutors(scenario: Scenario, plan: StaffingPlan, unserved: pd.DataFrame, sections: pd.DataFrame,
                      enrollments: pd.DataFrame, reporter: Reporter = SILENT) -> StaffingPlan | None:
    """After the small-group step has measured who is still unserved, hire the tutors and paraprofessionals
    (roles that tutor but teach no sections, so the master schedule stays valid) that the money left over
    and the hiring limits allow, where those students are really free. None when nobody can be hired.

    A small model: groups per (subject, level band, period) hold at most a group's worth of the unserved
    students free in that period; a hire for a subject leads floor(days / sessions_per_week) groups a
    period; the students furthest behind count most; among equal plans the cheapest.

    `unserved`: the small-group step's unserved_tutoring table (student_id, subject, reason); `sections` and
    `enrollments`: the schedule, which says when each student is busy. Money: roles.csv annual_cost (dollars per
    year) against what the revenue leaves after `plan`'s costs (no limit when deficits are allowed). Returns a
    new `StaffingPlan` (the hires appended as NEW-<ROLE>-nn rows, cost and balance updated, "optimal" only when
    `plan` and this model both are), or None. Raises `SolverFailed` when the solver stops before any answer
    (hiring nobody always fits, so no `InfeasibleDesign` is expected)."""
    if unserved is None or unserved.empty or not {"student_id", "subject", "reason"} <= set(unserved.columns):
        return None
    roles = role_table(scenario)
    rules = group_rules(scenario)
    cap = int(scenario.settings.tutoring.max_group_size)
    if not rules.per_slot:
        return None
    staffing = plan.staffing
    candidates = {}
    for r in roles.index[(roles["tutors"] == 1) & (roles["teaches_sections"] == 0)]:
        size = min(cap, int(roles.at[r, "max_group_size"]))
        hired = int(((staffing["role"] == r) & (staffing["new_hire"] == 1)).sum())
        room = _limit(roles.at[r, "max_new_hires"], 10**6) - hired
        if size > 0 and room > 0:
            candidates[r] = (size, room, float(roles.at[r, "annual_cost"]))
    revenue = total_revenue(scenario)
    cost = float(staffing["annual_cost"].sum() + plan.student_supports["cost"].sum())
    allow_deficit = scenario.settings.funding.allow_deficit
    spare = math.inf if allow_deficit else revenue - cost
    candidates = {r: c for r, c in candidates.items() if c[2] <= spare}
    if not candidates:
        return None

    demand = tutoring_demand(scenario).set_index(["student_id", "subject"])
    busy = _student_periods(sections, enrollments)
    waiting = unserved[unserved["reason"] != "the tutoring standard cannot fit in a period"]
    cells: dict[tuple[str, float], list[tuple[float, list[int]]]] = {}
    for row in waiting.itertuples():
        key = (row.student_id, row.subject)
        if key not in demand.index:
            continue
        free = [p for p in scenario.periods if p not in busy.get(row.student_id, set())]
        if free:
            cells.setdefault((row.subject, float(demand.at[key, "band"])), []).append(
                (float(demand.at[key, "weight"]), free))
    if not cells:
        return None
    size = min(c[0] for c in candidates.values())
    subjects = sorted({s for s, _b in cells})
    prob = pulp.LpProblem("extra_tutors", pulp.LpMaximize)
    hire = {(r, s): prob.add_variable(f"hire_{n}", 0, candidates[r][1], cat="Integer")
            for n, (r, s) in enumerate((r, s) for r in sorted(candidates) for s in subjects)}
    groups, served, value = {}, {}, []
    for (s, b), students in sorted(cells.items()):
        weight = sum(w for w, _f in students) / len(students)
        periods = sorted({p for _w, f in students for p in f})
        for p in periods:
            free_here = sum(1 for _w, f in students if p in f)
            groups[s, b, p] = prob.add_variable(f"groups_{len(groups)}", 0, None, cat="Integer")
            served[s, b, p] = prob.add_variable(f"served_{len(served)}", 0, free_here)
            prob += served[s, b, p] <= size * groups[s, b, p]
            value.append(weight * served[s, b, p])
        prob += pulp.lpSum(served[s, b, p] for p in periods) <= len(students), f"waiting_{s or 'any'}_{b:g}"
    for s in subjects:
        for p in scenario.periods:
            here = [v for (subj, _b, period), v in groups.items() if subj == s and period == p]
            if here:
                prob += pulp.lpSum(here) <= rules.per_slot * pulp.lpSum(
                    v for (_r, subj), v in hire.items() if subj == s), f"tutor_time_{s or 'any'}_{p}"
    for r, (_size, room, _cost) in candidates.items():
        prob += pulp.lpSum(v for (role, _s), v in hire.items() if role == r) <= room, f"max_hires_{r}"
    spend = pulp.lpSum(candidates[r][2] * v for (r, _s), v in hire.items())
    if not allow_deficit:
        prob += spend <= spare, "balanced_budget"
    # a whisker per dollar: never hire someone who serves nobody, and prefer the cheaper role
    prob += pulp.lpSum(value) - 1e-7 * spend
    reporter.report("staffing", "staffing: hiring tutors for the students the groups left unserved", 0.5)
    hired_status = _solve(prob, scenario, max(2.0, scenario.settings.solver.time_limit_s * 0.5), StaffingOptions())
    chosen = {key: round(_val(v)) for key, v in hire.items() if _val(v) > 0.5}
    if not chosen:
        return None

    counter = {r: int(((staffing["role"] == r) & (staffing["new_hire"] == 1)).sum()) for r in candidates}
    rows = []
    for (r, s), n in sorted(chosen.items()):
        for _ in range(n):
            counter[r] += 1
            rows.append(_hire_row(roles, r, s, counter[r], NEW_TEACHER_EFFECTIVENESS))
    new_staffing = pd.concat([staffing, pd.DataFrame(rows)], ignore_index=True)[STAFFING_COLUMNS]
    added = float(sum(row["annual_cost"] for row in rows))
    by_subject: dict[str, dict[str, int]] = {}
    for (r, s), n in chosen.items():
        by_subject.setdefault(s, {})[r] = by_subject.get(s, {}).get(r, 0) + n
    stats = dict(plan.stats)
    hires = dict(stats.get("hires", {}))
    for (r, _s), n in chosen.items():
        hires[r] = hires.get(r, 0) + n
    stats.update({"hires": hires, "cost": round(cost + added, 2), "revenue": round(revenue, 2),
                  "balance": round(revenue - cost - added, 2),
                  "extra_tutoring_hires": {s or "any subject": h for s, h in sorted(by_subject.items())}})
    # the chain is optimal only when this hiring model proved its plan too
    status = "optimal" if plan.status == hired_status == "optimal" else "feasible"
    return StaffingPlan(staffing=new_staffing, student_supports=plan.student_supports, status=status,
                        stats=stats, extra=plan.extra)


def capacity_short_goals(scenario: Scenario, staffing: pd.DataFrame, sections: pd.DataFrame,
                         enrollments: pd.DataFrame) -> tuple[tuple[str, str], ...]:
    """(student_id, course_id) of each course goal the schedule left unmet in a subject whose certified teachers
    all teach as many sections as they may (max_sections, or their free teaching periods): the bottleneck the
    schedule hands back to staffing (`StaffingOptions.capacity_short`). Sorted; empty when there is none, or
    when `staffing` lacks the section-limit columns (a hand-written staffing.csv).

    `staffing`: a `StaffingPlan.staffing` table; `sections`: section_id, course_id, staff_id; `enrollments`:
    student_id, section_id. A teacher's room is min(max_sections, teaching periods she is free) sections."""
    goals = scenario.goals
    needed = {"staff_id", "subjects", "max_sections", "teaches_sections", "unavailable_periods"}
    if goals is None or goals.empty or sections is None or sections.empty or not needed <= set(staffing.columns):
        return ()   # a staffing table without section limits (one written by hand) says nothing about room
    named = goals[goals["goal"].astype(str).str.strip() == "course"]
    subject = scenario.courses.astype({"course_id": str}).set_index("course_id")["subject"].astype(str)
    course_of = dict(zip(sections["section_id"].astype(str), sections["course_id"].astype(str), strict=True))
    placed = set(zip(enrollments["student_id"].astype(str), enrollments["section_id"].astype(str).map(course_of),
                     strict=True))
    unmet = {(str(st), str(c).strip()) for st, c in zip(named["student_id"], named["target"], strict=True)}
    unmet = {(st, c) for st, c in unmet - placed if c in subject.index}
    if not unmet:
        return ()
    load = sections["staff_id"].astype(str).value_counts()
    teaching = set(scenario.teaching_periods)
    room: dict[str, bool] = {}
    for row in staffing[staffing["teaches_sections"].astype(int) == 1].itertuples():
        blocked = {int(p) for p in split_list(row.unavailable_periods) if p.isdigit()}
        limit = min(int(row.max_sections), len(teaching - blocked))
        for subj in split_list(row.subjects):
            room[subj] = room.get(subj, False) or int(load.get(str(row.staff_id), 0)) < limit
    return tuple(sorted((st, c) for st, c in unmet if subject[c] in room and not room[subject[c]]))


def _student_periods(sections: pd.DataFrame, enrollments: pd.DataFrame) -> dict[str, set[int]]:
    """Periods each student spends in sections (a section meets at its period every day)."""
    if sections is None or sections.empty or enrollments is None or enrollments.empty:
        return {}
    sec = sections[["section_id", "period"]].astype({"section_id": str})
    enr = enrollments[["student_id", "section_id"]].astype(str).merge(sec, on="section_id")
    return {sid: {int(p) for p in periods} for sid, periods in enr.groupby("student_id")["period"]}


def _hire_row(roles: pd.DataFrame, r: str, subject: str, number: int, effectiveness: float) -> dict:
    """One new hire as a staffing row (effectiveness is required of every hire who teaches or tutors)."""
    role = roles.loc[r]
    works_with_students = bool(role["teaches_sections"]) or bool(role["tutors"])
    return {"staff_id": f"NEW-{r.upper().replace(' ', '-')}-{number:02d}", "role": r, "new_hire": 1,
            "annual_cost": float(role["annual_cost"]), "leader_id": "", "subjects": subject,
            "effectiveness": effectiveness if works_with_students else float("nan"),
            "max_sections": int(role["max_sections"]), "unavailable_periods": "", "fte": 1.0,
            "teaches_sections": int(role["teaches_sections"]), "tutors": int(role["tutors"]),
            "max_group_size": int(role["max_group_size"]), "reach": int(role["reach"])}
