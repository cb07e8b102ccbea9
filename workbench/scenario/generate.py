"""Realistic synthetic schools of any size, grounded in published figures (shared/PARAMETERS.md).

Why synthetic: real student records cannot be shared, yet the workbench must be tried on schools that
look like real ones (class sizes, needs, salaries, funding weights, singleton electives, labs). Every
number below names its source; everything is drawn from `numpy.random.default_rng(seed)` in a fixed
order, so the same seed writes the same folder byte for byte.

The generated school is solvable in principle: each subject has certified teacher capacity 10-15% above
the sections its requests need, each room type has ~10% more rooms than the sections it hosts per
period, the existing staff fit within revenue with a few percent to spare, and every goal can be met.

`python -m workbench.scenario.generate scenarios` rewrites the three bundled scenarios.
"""

from __future__ import annotations

import math
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.scenario.model import Scenario, write_scenario
from workbench.scenario.settings import Settings

# ---- published figures (shared/PARAMETERS.md) ---------------------------------------------------------
BENEFITS = 1.54                 # BLS employer costs: benefits are ~35% of total compensation -> wages × 1.54
TEACHER_SALARY = 69_544         # NEA 2022-23 average teacher salary
STARTING_SALARY = 44_530        # NEA 2022-23 starting salary
MCL_SUPPLEMENT = 12_040         # Opportunity Culture average multi-classroom leader supplement
RESIDENT_STIPEND = 24_000       # Opportunity Culture teacher residents $18,000-$24,000
SUPPORT_STAFF_SALARY = 33_756   # NEA education support staff
ASSISTANT_SALARY = 28_900       # BLS May 2020 teacher assistants median
FSF = "NYC Fair Student Funding FY2019"
GRADE_WEIGHT = {"middle": 1.08, "high": 1.03}                 # FSF grades 6-8 / 9-12
BELOW_GRADE_WEIGHT = {"middle": 0.35, "high": 0.25}           # FSF achievement "below standards"
NEED_WEIGHTS = {"ell": 0.40, "iep": 1.00, "frl": 0.12}        # FSF ENL 0.40; Boston WSF disability low 1.00;
                                                              # FSF poverty 0.12
STAFF_MARGIN = 0.06             # revenue exceeds existing staff cost by this share: room for hires and supports
SPARE_TEACHING = 1.12           # certified capacity over sections needed, per subject
SPARE_ROOMS = 1.10              # rooms over sections per period, per room type
# The assessment cycle (--cycles). A grade-level equivalent grows 1.0 a year by definition, so an untutored
# student's growth per cycle is drawn around 1 / cycles_per_year. High-dosage tutoring adds the pooled effect
# of Nickow, Oreopoulos & Quan (2020), "The Impressive Effects of Tutoring on PreK-12 Learning" (NBER w27476,
# 96 randomized trials): 0.37 SD, converted to grade levels with the typical annual gain of middle-school
# students, about 0.40 SD a year (Hill, Bloom, Black & Lipsey 2008, "Empirical Benchmarks for Interpreting
# Effect Sizes in Research"): 0.37 / 0.40 ≈ 0.9 more grade levels a year. The spread of one cycle's growth
# (screener measurement error and real differences) is an illustrative 0.15 grade levels.
TUTORING_EFFECT_SD = 0.37
ANNUAL_GAIN_SD = 0.40
GROWTH_SPREAD_PER_CYCLE = 0.15
ASSESSMENT_STREAM = 16          # a random stream of its own: adding cycles leaves every other table as it was


@dataclass(frozen=True)
class Course:
    course_id: str
    name: str
    subject: str
    max_size: int
    room_type: str
    grades: tuple[int, ...]


# ---- the course catalogue -----------------------------------------------------------------------------
MIDDLE_ELECTIVES = [   # course_id, name, subject, max_size, room_type, popularity
    ("ART", "Visual Art", "art", 28, "art", 0.22),
    ("BAND", "Band", "music", 35, "music", 0.14),
    ("CHOR", "Chorus", "music", 35, "music", 0.10),
    ("SPAN", "Spanish", "world_language", 28, "classroom", 0.22),
    ("TECH", "Computer Science Discoveries", "computer_science", 28, "computer", 0.16),
    ("DRAMA", "Drama", "art", 28, "classroom", 0.08),
    ("ROBO", "Robotics", "computer_science", 24, "computer", 0.05),
    ("JOUR", "Journalism", "ela", 24, "classroom", 0.03),
]

HIGH_ELECTIVES = [   # course_id, name, subject, max_size, room_type, popularity, grades, advanced
    ("ART1", "Studio Art", "art", 28, "art", 0.16, (9, 10, 11, 12), False),
    ("CERAM", "Ceramics", "art", 24, "art", 0.08, (10, 11, 12), False),
    ("BAND", "Concert Band", "music", 40, "music", 0.08, (9, 10, 11, 12), False),
    ("CHOIR", "Choir", "music", 40, "music", 0.06, (9, 10, 11, 12), False),
    ("SPAN1", "Spanish I", "world_language", 28, "classroom", 0.18, (9, 10), False),
    ("SPAN2", "Spanish II", "world_language", 28, "classroom", 0.16, (10, 11), False),
    ("SPAN3", "Spanish III", "world_language", 28, "classroom", 0.08, (11, 12), False),
    ("FREN1", "French I", "world_language", 28, "classroom", 0.06, (9, 10, 11), False),
    ("CS1", "Intro to Computer Science", "computer_science", 28, "computer", 0.10, (9, 10, 11, 12), False),
    ("APCSA", "AP Computer Science A", "computer_science", 28, "computer", 0.05, (11, 12), True),
    ("PSYCH", "Psychology", "social_studies", 30, "classroom", 0.08, (11, 12), False),
    ("APPSY", "AP Psychology", "social_studies", 30, "classroom", 0.03, (11, 12), True),
    ("JOUR", "Journalism", "ela", 24, "classroom", 0.04, (10, 11, 12), False),
    ("THEA", "Theater", "art", 28, "classroom", 0.05, (9, 10, 11, 12), False),
    ("ENGR", "Engineering Design", "science", 24, "lab", 0.04, (10, 11, 12), False),
    ("BUS", "Business and Personal Finance", "social_studies", 30, "classroom", 0.06, (11, 12), False),
]

ROOM_LABELS = {"classroom": "R", "lab": "LAB", "gym": "GYM", "art": "ART", "music": "MUS", "computer": "CL"}
SECOND_SUBJECT = {"math": "science", "science": "math", "ela": "social_studies", "social_studies": "ela",
                  "enl": "ela", "special_education": "ela", "art": "music", "music": "art",
                  "world_language": "ela", "computer_science": "math", "pe": "health", "health": "pe"}

PARTNERS = {"art": ["music", "social_studies"], "music": ["art", "ela"], "computer_science": ["math", "science"],
            "world_language": ["ela", "social_studies"], "enl": ["ela"], "special_education": ["ela", "math"],
            "health": ["pe", "science"], "pe": ["health", "science"], "science": ["math"],
            "social_studies": ["ela"], "math": ["science"], "ela": ["social_studies"]}


def _middle_courses(grades: list[int]) -> list[Course]:
    core = []
    for g in grades:
        core += [Course(f"ELA{g}", f"English Language Arts {g}", "ela", 28, "classroom", (g,)),
                 Course(f"MATH{g}", f"Math {g}", "math", 28, "classroom", (g,)),
                 Course(f"SCI{g}", f"Science {g}", "science", 24, "lab", (g,)),
                 Course(f"SS{g}", f"Social Studies {g}", "social_studies", 28, "classroom", (g,))]
    shared = tuple(grades)
    core.append(Course("PE", "Physical Education", "pe", 35, "gym", shared))
    core.append(Course("ENL", "English as a New Language", "enl", 15, "classroom", shared))
    core += [Course(c, n, s, m, r, shared) for c, n, s, m, r, _ in MIDDLE_ELECTIVES]
    return core


def _high_courses() -> list[Course]:
    all_grades = (9, 10, 11, 12)
    rows = [
        ("ENG9", "English 9", "ela", 28, "classroom", (9,)), ("ENG10", "English 10", "ela", 28, "classroom", (10,)),
        ("ENG11", "English 11", "ela", 28, "classroom", (11,)), ("ENG12", "English 12", "ela", 28, "classroom", (12,)),
        ("APLANG", "AP English Language", "ela", 28, "classroom", (11,)),
        ("APLIT", "AP English Literature", "ela", 28, "classroom", (12,)),
        ("ALG1", "Algebra I", "math", 28, "classroom", all_grades),
        ("GEOM", "Geometry", "math", 28, "classroom", all_grades),
        ("ALG2", "Algebra II", "math", 28, "classroom", (10, 11, 12)),
        ("PRECALC", "Precalculus", "math", 28, "classroom", (11, 12)),
        ("APCALC", "AP Calculus AB", "math", 28, "classroom", (11, 12)),
        ("BIO", "Biology", "science", 24, "lab", (9,)), ("CHEM", "Chemistry", "science", 24, "lab", (10,)),
        ("PHYS", "Physics", "science", 24, "lab", (11,)),
        ("ENVSCI", "Environmental Science", "science", 24, "lab", (12,)),
        ("APBIO", "AP Biology", "science", 24, "lab", (12,)),
        ("APPHYS", "AP Physics 1", "science", 24, "lab", (11, 12)),
        ("GLOB9", "Global History 9", "social_studies", 30, "classroom", (9,)),
        ("GLOB10", "Global History 10", "social_studies", 30, "classroom", (10,)),
        ("USHIST", "US History", "social_studies", 30, "classroom", (11,)),
        ("APUSH", "AP US History", "social_studies", 30, "classroom", (11,)),
        ("GOVECON", "Government and Economics", "social_studies", 30, "classroom", (12,)),
        ("PE", "Physical Education", "pe", 35, "gym", (9, 11, 12)),
        ("HEALTH", "Health", "health", 30, "classroom", (10,)),
        ("ENL", "English as a New Language", "enl", 15, "classroom", all_grades),
        ("LSTRAT", "Learning Strategies (special education)", "special_education", 15, "classroom", all_grades),
    ]
    courses = [Course(*row) for row in rows]
    courses += [Course(c, n, s, m, r, g) for c, n, s, m, r, _, g, _ in HIGH_ELECTIVES]
    return courses


# ---- students -----------------------------------------------------------------------------------------
def _exact_flags(rng: np.random.Generator, n: int, low: float, high: float) -> np.ndarray:
    """Exactly round(share × n) students flagged, share drawn in [low, high]: shares stay realistic even
    for a 30-student school."""
    flags = np.zeros(n, dtype=int)
    count = int(round(rng.uniform(low, high) * n))
    flags[rng.permutation(n)[:count]] = 1
    return flags


def _students(rng: np.random.Generator, n: int, grades: list[int], level: str) -> pd.DataFrame:
    grade = np.sort(rng.choice(grades, size=n))
    ell = _exact_flags(rng, n, 0.10, 0.15)
    iep = _exact_flags(rng, n, 0.13, 0.15)
    frl = _exact_flags(rng, n, 0.45, 0.55)
    # Levels are grade-level equivalents: grade + 0.5 is the middle of the student's own grade.
    common = rng.normal(0.0, 1.0, n)
    math_noise = 0.75 * common + 0.66 * rng.normal(0.0, 1.0, n)
    read_noise = 0.75 * common + 0.66 * rng.normal(0.0, 1.0, n)
    centre = grade + 0.5 - 0.9 * iep - 0.2 * frl
    math_level = centre - 0.4 * ell + 1.2 * math_noise
    reading_level = centre - 1.0 * ell + 1.2 * read_noise
    floor, ceiling = grade - 5.0, grade + 4.0
    math_level = np.round(np.clip(math_level, floor, ceiling), 1)
    reading_level = np.round(np.clip(reading_level, floor, ceiling), 1)
    width = len(str(n))
    return pd.DataFrame({
        "student_id": [f"S{i + 1:0{max(4, width)}d}" for i in range(n)],
        "grade": grade.astype("int64"),
        "ell": ell, "iep": iep, "frl": frl,
        "math_level": math_level, "reading_level": reading_level,
        # FSF funds achievement below standards: here more than half a grade below the middle of one's grade.
        "below_grade_math": (math_level < grade).astype(int),
        "below_grade_reading": (reading_level < grade).astype(int),
    })


# ---- requests -----------------------------------------------------------------------------------------
def _pick(rng: np.random.Generator, options: list[str], weights: list[float], k: int) -> list[str]:
    if not options or k <= 0:
        return []
    p = np.asarray(weights, dtype=float)
    p = p / p.sum()
    chosen = rng.choice(len(options), size=min(k, len(options)), replace=False, p=p)
    return [options[i] for i in chosen]


def _offered(electives: list[tuple], students: int, per: int, least: int) -> list[tuple]:
    """The most popular electives a school of this size can staff: a small school offers a handful."""
    keep = min(len(electives), max(least, students // per + least - 1))
    ranked = sorted(range(len(electives)), key=lambda i: -electives[i][5])[:keep]
    return [electives[i] for i in sorted(ranked)]


def _middle_requests(rng: np.random.Generator, students: pd.DataFrame, teaching: int) -> list[tuple[str, str, int]]:
    """Full load: the core courses of the student's grade plus one elective fill every teaching period."""
    offered = _offered(MIDDLE_ELECTIVES, len(students), per=75, least=3)
    ids = [e[0] for e in offered]
    pop = [e[5] for e in offered]
    rows = []
    for s in students.itertuples():
        core = [f"ELA{s.grade}", f"MATH{s.grade}", f"SCI{s.grade}", f"SS{s.grade}", "PE"][: teaching - 1]
        rows += [(s.student_id, c, 1) for c in core]
        if s.ell and s.reading_level < s.grade - 1.0:
            rows.append((s.student_id, "ENL", 1))          # newcomers take ENL in place of an elective
            continue
        first, alternate = _pick(rng, ids, pop, 2)
        rows += [(s.student_id, first, 2), (s.student_id, alternate, 3)]
    return rows


def _math_course(grade: int, level: float) -> str:
    ladder = ["ALG1", "GEOM", "ALG2", "PRECALC", "APCALC"]
    rung = sum(level >= cut for cut in (9.6, 10.6, 11.6, 12.8))
    return ladder[min(rung, grade - 8 if grade < 11 else 4)]


def _high_requests(rng: np.random.Generator, students: pd.DataFrame, teaching: int) -> list[tuple[str, str, int]]:
    """Four cores at the right level, PE or health, electives with alternates; AP courses come in bundles
    (AP Physics with AP Calculus, AP Computer Science with AP Calculus) so singletons collide."""
    offered = _offered(HIGH_ELECTIVES, len(students), per=100, least=5)
    rows = []
    for s in students.itertuples():
        g, m, r, sid = int(s.grade), float(s.math_level), float(s.reading_level), s.student_id
        math_course = _math_course(g, m)
        ela = {9: "ENG9", 10: "ENG10", 11: "ENG11", 12: "ENG12"}[g]
        if g == 11 and r >= 12.8:
            ela = "APLANG"
        elif g == 12 and r >= 13.4:
            ela = "APLIT"
        science = {9: "BIO", 10: "CHEM", 11: "PHYS", 12: "ENVSCI"}[g]
        if math_course == "APCALC" and rng.random() < 0.45:
            science = "APPHYS"
        elif g == 12 and r >= 13.2 and rng.random() < 0.4:
            science = "APBIO"
        social = {9: "GLOB9", 10: "GLOB10", 11: "USHIST", 12: "GOVECON"}[g]
        if g == 11 and r >= 12.6 and rng.random() < 0.5:
            social = "APUSH"
        required = [ela, math_course, science, social, "HEALTH" if g == 10 else "PE"]
        if s.ell and r < g - 1.0:
            required.append("ENL")
        if s.iep and r < g - 1.5:
            required.append("LSTRAT")
        rows += [(sid, c, 1) for c in required]
        options = [e for e in offered if g in e[6] and (not e[7] or m >= g + 1.0 or r >= g + 1.0)]
        ids = [e[0] for e in options]
        pop = [e[5] * (4.0 if e[0] == "APCSA" and math_course == "APCALC" else 1.0) for e in options]
        n_electives = max(0, min(teaching, 7) - len(required) - int(rng.random() < 0.35))
        n_alternates = 1 + int(rng.random() < 0.5)
        picked = _pick(rng, ids, pop, n_electives + n_alternates)
        rows += [(sid, c, 2) for c in picked[:n_electives]]
        rows += [(sid, c, 3) for c in picked[n_electives:]]
    return rows


# ---- sections, staff and rooms ------------------------------------------------------------------------
def sections_needed(courses: pd.DataFrame, requests: pd.DataFrame) -> pd.Series:
    """Sections a course needs for its required and elective requests at a realistic average size."""
    demand = requests[requests["priority"] <= 2].groupby("course_id").size()
    demand = demand.reindex(courses["course_id"]).fillna(0)
    target = courses["max_size"].to_numpy() * 0.9     # ~25 for a core class of 28 (NCES average 24.9 / 23.3)
    out = np.maximum(1, np.ceil(demand.to_numpy() / target)).astype(int)
    return pd.Series(out, index=courses["course_id"].to_numpy(), name="sections")


def _effectiveness(rng: np.random.Generator, n: int) -> np.ndarray:
    """Ratings 1-4 in a realistic spread: most teachers effective, about 15% highly effective."""
    return rng.choice([1.0, 2.0, 3.0, 4.0], size=n, p=[0.05, 0.25, 0.55, 0.15])


def _staff(rng: np.random.Generator, courses: pd.DataFrame, sections: pd.Series, level: str,
           teaching_periods: list[int], n_students: int, n_iep: int) -> pd.DataFrame:
    by_subject = courses.assign(sections=sections.to_numpy()).groupby("subject", sort=True)["sections"].sum()
    rows = []
    number = 0
    for department in _departments(by_subject):
        subject = department[0]
        needed = int(by_subject[list(department)].sum())
        capacity, target = 0, math.ceil(needed * SPARE_TEACHING)
        # The first teachers hired hold every subject of the department, until the small subjects are covered;
        # in a small school all of them do, so that any of them can take the lone elective at its period.
        cover = math.ceil(int(by_subject[list(department[1:])].sum()) * SPARE_TEACHING)
        if n_students < 200:
            cover = target
        while capacity < target:
            number += 1
            part_time = rng.random() < 0.06 and capacity > 0
            full = 5 if level == "middle" else int(rng.choice([5, 6], p=[0.4, 0.6]))
            max_sections = int(rng.choice([2, 3])) if part_time else full
            unavailable = ""
            if part_time:
                half = len(teaching_periods) // 2
                block = teaching_periods[:half] if rng.random() < 0.5 else teaching_periods[-half:]
                unavailable = ";".join(str(p) for p in block)
            elif rng.random() < 0.06:
                unavailable = str(int(rng.choice(teaching_periods)))
            subjects = list(department) if capacity < cover else [subject]
            if rng.random() < 0.15 and SECOND_SUBJECT.get(subject, subject) not in subjects:
                subjects.append(SECOND_SUBJECT[subject])
            rows.append({"staff_id": f"T{number:03d}", "role": "teacher", "subjects": ";".join(subjects),
                         "max_sections": max_sections, "fte": 0.5 if part_time else 1.0,
                         "unavailable_periods": unavailable})
            capacity += max_sections
    teachers = pd.DataFrame(rows)
    teachers["effectiveness"] = _effectiveness(rng, len(teachers))
    others = []
    small = n_students < 200                                   # a small school shares its support staff
    for prefix, role, count, subjects in [
        ("C", "counselor", math.ceil(n_students / 350), ""),   # ASCA recommends 250:1; many schools run 350:1
        ("P", "paraprofessional", math.ceil(n_iep / 40), ""),
        ("U", "tutor", math.ceil(n_students / 700), "math;ela"),
    ]:
        for i in range(max(1, count)):
            others.append({"staff_id": f"{prefix}{i + 1:02d}", "role": role, "subjects": subjects,
                           "max_sections": 0, "fte": 0.5 if small else 1.0})
    extra = pd.DataFrame(others).assign(unavailable_periods="", effectiveness=np.nan)
    return pd.concat([teachers, extra], ignore_index=True)


def _departments(by_subject: pd.Series) -> list[tuple[str, ...]]:
    """Subjects grouped into the departments one teacher covers. A subject with less than a teacher's
    load (a small school's science, a lone Spanish section) joins its partner subject, as small schools
    hire dual-certified teachers; the first subject of a department is its main one."""
    home = {subject: subject for subject in by_subject.index}
    for subject, _ in sorted(by_subject.items(), key=lambda kv: (kv[1], kv[0])):
        load = sum(by_subject[k] for k, v in home.items() if v == home[subject]) * SPARE_TEACHING
        partner = next((p for p in PARTNERS.get(subject, []) if p in home and home[p] != home[subject]), None)
        if load < 5 and partner is not None:
            old, new = home[subject], home[partner]
            for key, value in home.items():
                if value == old:
                    home[key] = new
    members: dict[str, list[str]] = {}
    for subject in by_subject.index:
        members.setdefault(home[subject], []).append(subject)
    return [tuple([main] + sorted(s for s in group if s != main)) for main, group in sorted(members.items())]


def _rooms(rng: np.random.Generator, courses: pd.DataFrame, sections: pd.Series, teaching: int) -> pd.DataFrame:
    frame = courses.assign(sections=sections.to_numpy())
    rows = []
    for room_type, group in frame.groupby("room_type", sort=True):
        per_period = math.ceil(group["sections"].sum() / teaching)
        count = max(1, math.ceil(per_period * SPARE_ROOMS))
        if room_type == "classroom":
            count += 1
        biggest = int(group["max_size"].max())
        for i in range(count):
            rows.append({"room_id": f"{ROOM_LABELS[room_type]}{i + 1:02d}",
                         "capacity": biggest + int(rng.integers(0, 3)), "room_type": room_type})
    return pd.DataFrame(rows)


# ---- catalogues of roles and supports -----------------------------------------------------------------
def _roles(level: str) -> pd.DataFrame:
    teacher = TEACHER_SALARY * BENEFITS
    rows = [
        ("teacher", teacher, 1, 1, 5 if level == "middle" else 6, 4, 4, 0,
         "Classroom teacher: NEA 2022-23 average salary $69,544 × 1.54 benefits (BLS employer costs)"),
        ("mcl", (TEACHER_SALARY + MCL_SUPPLEMENT) * BENEFITS, 1, 1, 2 if level == "middle" else 3, 4, 3, 5,
         "Multi-classroom leader: teaches part-time and leads a team of up to 5 teachers; average teacher "
         "salary + $12,040 supplement (Opportunity Culture) × 1.54"),
        ("team_teacher", STARTING_SALARY * BENEFITS, 1, 1, 5 if level == "middle" else 6, 4, 4, 0,
         "Team teacher on a leader's team, early career: NEA 2022-23 starting salary $44,530 × 1.54"),
        ("resident", RESIDENT_STIPEND * BENEFITS, 1, 1, 2, 4, 3, 0,
         "Teacher resident: co-teaches up to two sections; Opportunity Culture residents $18,000-$24,000 × 1.54"),
        ("tutor", SUPPORT_STAFF_SALARY * BENEFITS, 0, 1, 0, 4, 6, 0,
         "High-impact tutor: groups of at most 4, 3+ sessions a week (NSSA, Stanford); NEA education "
         "support staff $33,756 × 1.54"),
        ("paraprofessional", ASSISTANT_SALARY * BENEFITS, 0, 1, 0, 4, 4, 0,
         "Paraprofessional: supports students with IEPs and leads small groups; BLS May 2020 teacher "
         "assistants median $28,900 × 1.54"),
        ("counselor", TEACHER_SALARY * BENEFITS, 0, 0, 0, 0, 1, 0,
         "School counselor, paid on the teacher scale (assumed): $69,544 × 1.54"),
        ("coach", (TEACHER_SALARY + MCL_SUPPLEMENT / 2) * BENEFITS, 0, 1, 0, 4, 1, 0,
         "Instructional coach: average teacher salary + half an MCL supplement (assumed) × 1.54"),
    ]
    frame = pd.DataFrame(rows, columns=["role", "annual_cost", "teaches_sections", "tutors", "max_sections",
                                        "max_group_size", "max_new_hires", "reach", "description"])
    frame["annual_cost"] = frame["annual_cost"].round(2)
    return frame


SUPPORTS = [   # support, cost_per_student, recurring, description
    ("vision screening", 45.0, 1, "Vision screening with glasses when needed (illustrative cost, not a published "
     "figure)"),
    ("health screening", 30.0, 1, "Hearing, dental and general health screening (illustrative cost)"),
    ("mentoring", 600.0, 1, "A trained adult mentor meeting weekly for the school year (illustrative cost)"),
    ("after-school program", 1200.0, 1, "After-school academic and enrichment program, 3 days a week "
     "(illustrative cost)"),
    ("device", 350.0, 0, "A laptop the student keeps: a one-time purchase (illustrative cost)"),
    ("connectivity", 180.0, 1, "A home internet hotspot, paid every year (illustrative cost)"),
]


# ---- goals --------------------------------------------------------------------------------------------
def _goals(rng: np.random.Generator, students: pd.DataFrame, requests: pd.DataFrame,
           math_subject: str = "math", reading_subject: str = "ela") -> pd.DataFrame:
    """Each student's own plan, from their needs. A student far below in both subjects gets tutoring in
    the weaker one only: the intervention period holds one group a day, so 2 × 90 minutes cannot fit."""
    rows = []
    electives = requests[requests["priority"] == 2].groupby("student_id")["course_id"].first()
    ap_courses = requests[(requests["course_id"].str.startswith("AP")) & (requests["priority"] <= 2)]
    ap = ap_courses.groupby("student_id")["course_id"].first()
    for s in students.itertuples():
        sid, mid = s.student_id, s.grade + 0.5
        math_gap, read_gap = mid - s.math_level, mid - s.reading_level
        if max(math_gap, read_gap) >= 1.5:
            subject = math_subject if math_gap >= read_gap else reading_subject
            rows.append((sid, "tutoring_minutes", "90", subject))
        if s.iep and rng.random() < 0.55:
            rows.append((sid, "max_class_size", "20", "" if rng.random() < 0.35 else math_subject))
        if math_gap >= 2.0 and rng.random() < 0.45:
            rows.append((sid, "strong_teacher", "leader" if rng.random() < 0.3 else "3", math_subject))
        if sid in ap.index and rng.random() < 0.6:
            rows.append((sid, "course", ap[sid], ""))
        elif sid in electives.index and rng.random() < 0.45:
            rows.append((sid, "course", electives[sid], ""))
        if rng.random() < 0.15:
            rows.append((sid, "support", "vision screening", ""))
        if rng.random() < 0.08:
            rows.append((sid, "support", "health screening", ""))
        if rng.random() < 0.08:
            rows.append((sid, "support", "after-school program", ""))
        if s.frl:
            if rng.random() < 0.15:
                rows.append((sid, "support", "mentoring", ""))
            if rng.random() < 0.12:
                rows.append((sid, "support", "device", ""))
            if rng.random() < 0.12:
                rows.append((sid, "support", "connectivity", ""))
    return pd.DataFrame(rows, columns=["student_id", "goal", "target", "subject"])


def _supports(goals: pd.DataFrame, n_students: int) -> pd.DataFrame:
    wanted = goals[goals["goal"] == "support"].groupby("target").size()
    rows = []
    for support, cost, recurring, description in SUPPORTS:
        need = int(wanted.get(support, 0))
        capacity = max(5, int(math.ceil(need * 1.25 / 5.0) * 5), int(round(0.02 * n_students)))
        rows.append({"support": support, "cost_per_student": cost, "capacity": capacity,
                     "description": description, "recurring": recurring})
    return pd.DataFrame(rows)


# ---- funding ------------------------------------------------------------------------------------------
def _funding(students: pd.DataFrame, staff: pd.DataFrame, roles: pd.DataFrame, level: str,
             grades: list[int]) -> dict:
    """NYC FSF-style weights; the base per pupil is set so revenue covers the existing staff with
    STAFF_MARGIN to spare (the budget balances with allow_deficit: false)."""
    weights = dict(NEED_WEIGHTS)
    weights["below_grade_math"] = BELOW_GRADE_WEIGHT[level]
    weights["below_grade_reading"] = BELOW_GRADE_WEIGHT[level]
    grade_weights = {int(g): GRADE_WEIGHT[level] for g in grades}
    cost = roles.set_index("role")["annual_cost"].reindex(staff["role"]).to_numpy() * staff["fte"].to_numpy()
    staff_cost = float(cost.sum())
    n_frl = int(students["frl"].sum())
    title_one = 600 * n_frl                                            # Title I-style poverty funds (illustrative)
    grant = int(max(25_000, round(120 * len(students) / 5_000) * 5_000))   # a one-time grant ending this year
    other = float(title_one + grant)
    need = 1.0 + sum(w * students[c].astype(float) for c, w in weights.items())
    units = float((need * students["grade"].map(grade_weights)).sum())
    base = (staff_cost * (1 + STAFF_MARGIN) - other) / units
    base = float(math.ceil(base / 10.0) * 10)
    return {"base_per_pupil": base, "weights": weights, "grade_weights": grade_weights,
            "other_revenue": other, "one_time_revenue": float(grant), "allow_deficit": False}


# ---- the whole school ---------------------------------------------------------------------------------
def assessment_cycles(students: pd.DataFrame, goals: pd.DataFrame, cycles: int, seed: int,
                      cycles_per_year: int = 6) -> pd.DataFrame:
    """`cycles` benchmark results in math and ela for every student (assessments.csv rows): cycle 1 is the
    level in students.csv, and each later cycle adds a growth drawn around 1 grade level a year (faster, by
    TUTORING_EFFECT_SD / ANNUAL_GAIN_SD a year, for a student with a tutoring goal in that subject). Levels
    in grade-level equivalents, rounded to 0.01, never below 0. Seeded: the same arguments, the same rows."""
    if cycles <= 0:
        return pd.DataFrame(columns=["student_id", "subject", "cycle", "level"])
    rng = np.random.default_rng([seed, ASSESSMENT_STREAM])
    tutored = goals[goals["goal"] == "tutoring_minutes"]
    tutored = set(zip(tutored["student_id"], tutored["subject"], strict=True))
    frames = []
    for subject, column in (("math", "math_level"), ("ela", "reading_level")):
        ids = students["student_id"].astype(str).to_numpy()
        boost = np.array([(s, subject) in tutored for s in ids], dtype=float)
        rate = (1.0 + boost * TUTORING_EFFECT_SD / ANNUAL_GAIN_SD) / cycles_per_year
        level = students[column].astype(float).to_numpy()
        for cycle in range(1, cycles + 1):
            if cycle > 1:
                level = np.maximum(level + rng.normal(rate, GROWTH_SPREAD_PER_CYCLE), 0.0)
            frames.append(pd.DataFrame({"student_id": ids, "subject": subject, "cycle": cycle,
                                        "level": np.round(level, 2)}))
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["student_id", "subject", "cycle"], kind="stable").reset_index(drop=True)


CALENDARS = ("traditional", "ab-block", "4x4")
# A block school's day (SPEC §4): four 90-minute blocks and an intervention block; each block is taught twice
# (on A and B days, or in the fall and the spring), so a student takes eight courses in four blocks.
BLOCK_PERIODS, BLOCK_MINUTES = 5, 90
AB_DAYS = {"days": 10, "day_types": {"A": [1, 3, 5, 7, 9], "B": [2, 4, 6, 8, 10]}}
SEMESTERS = {"terms": ["fall", "spring"]}


def build_scenario(students: int, seed: int, level: str, name: str | None = None, cycles: int = 0,
                   calendar: str = "traditional") -> Scenario:
    """The synthetic school as a `Scenario` (not yet written). `cycles` > 0 adds that many assessment cycles
    (see `assessment_cycles`) without changing any other table. `calendar`: `traditional` (every course every
    day), `ab-block` (every course on A or B days of a two-week cycle) or `4x4` (every course for one of two
    terms); a block school has four 90-minute blocks and an intervention block a day."""
    if level not in ("middle", "high"):
        raise ValueError("level must be 'middle' or 'high'")
    if calendar not in CALENDARS:
        raise ValueError(f"calendar must be one of {', '.join(CALENDARS)}")
    if students < 1:
        raise ValueError("a school needs at least one student")
    rng = np.random.default_rng(seed)
    if level == "middle":
        grades = [6, 7, 8]
        periods = 7 if students >= 100 else 6            # a small school runs a shorter day
        minutes = 50
    else:
        grades, periods, minutes = [9, 10, 11, 12], 8, 47
    if calendar != "traditional":
        periods, minutes = BLOCK_PERIODS, BLOCK_MINUTES
    intervention = [periods]
    teaching_periods = [p for p in range(1, periods + 1) if p not in intervention]
    # course places in a year's timetable: each block twice in a block school
    teaching = len(teaching_periods) * (1 if calendar == "traditional" else 2)

    pupils = _students(rng, students, grades, level)
    catalogue = _middle_courses(grades) if level == "middle" else _high_courses()
    rows = (_middle_requests if level == "middle" else _high_requests)(rng, pupils, teaching)
    requests = pd.DataFrame(rows, columns=["student_id", "course_id", "priority"])
    # Keep only courses somebody needs a section of; alternates must point at such a course.
    demanded = set(requests.loc[requests["priority"] <= 2, "course_id"])
    requests = requests[requests["course_id"].isin(demanded)].reset_index(drop=True)
    courses = pd.DataFrame([
        {"course_id": c.course_id, "name": c.name, "subject": c.subject, "max_size": c.max_size,
         "room_type": c.room_type, "grades": ";".join(str(g) for g in c.grades)}
        for c in catalogue if c.course_id in demanded
    ])
    if calendar == "ab-block":
        courses["meets"] = "one_day_type"
    elif calendar == "4x4":
        courses["term_length"] = "term"
    sections = sections_needed(courses, requests)
    staff = _staff(rng, courses, sections, level, teaching_periods, students, int(pupils["iep"].sum()))
    rooms = _rooms(rng, courses, sections, teaching)
    roles = _roles(level)
    goals = _goals(rng, pupils, requests)
    supports = _supports(goals, students)
    funding = _funding(pupils, staff, roles, level, grades)

    school = "middle school" if level == "middle" else "high school"
    shape = {"traditional": "", "ab-block": ", A/B block", "4x4": ", 4x4 block"}[calendar]
    title = name or f"Generated {school} — {students} students (seed {seed}){shape}"
    raw = {
        "name": title,
        "description": (
            f"A synthetic {school} of {students} students in grades {grades[0]}-{grades[-1]}, generated with "
            f"seed {seed}. Figures from published sources: class sizes NCES NTPS 2017-18; salaries NEA "
            f"2022-23 and BLS × 1.54 benefits; funding weights {FSF} (grades {GRADE_WEIGHT[level]}, ELL 0.40, "
            f"poverty 0.12, below standards {BELOW_GRADE_WEIGHT[level]}) and Boston WSF FY16 (IEP 1.00); "
            f"tutoring standard NSSA (Stanford). No real student is described."),
        "school": {"grades": grades, "days": 5, "periods_per_day": periods, "minutes_per_period": minutes,
                   "intervention_periods": intervention,
                   **(AB_DAYS if calendar == "ab-block" else SEMESTERS if calendar == "4x4" else {})},
        "funding": funding,
        "tutoring": {"max_group_size": 4, "sessions_per_week": 3, "session_minutes": 30, "band_width": 1.0},
        "solver": {"name": "highs", "time_limit_s": 60 if students <= 800 else 120, "mip_gap": 0.01,
                   "seed": 0},
    }
    settings = Settings.model_validate(raw)
    return Scenario(settings=settings, students=pupils, courses=courses, requests=requests,
                    staff=staff[["staff_id", "role", "subjects", "max_sections", "fte", "unavailable_periods",
                                 "effectiveness"]],
                    roles=roles, rooms=rooms, goals=goals, supports=supports,
                    pins=pd.DataFrame(columns=["course_id", "section_id", "staff_id", "period", "room_id"]),
                    assessments=assessment_cycles(pupils, goals, cycles, seed,
                                                  settings.assessment.cycles_per_year),
                    raw_settings=raw)


def _calendar_line(scenario: Scenario, calendar: str) -> str:
    """The README's line on the bell schedule of a block school ("" for a traditional one)."""
    school = scenario.settings.school
    if calendar == "ab-block":
        return (f"- A/B block: a {school.days}-day cycle of A and B days, four {school.minutes_per_period}-minute "
                "blocks and an intervention block a day; every course meets on A days or on B days, so a "
                "student takes eight courses in four blocks\n")
    if calendar == "4x4":
        return (f"- 4x4 block: two terms ({', '.join(school.terms)}), four {school.minutes_per_period}-minute "
                "blocks and an intervention block a day; every course runs for one term, so a student takes "
                "four courses a term and eight a year\n")
    return ""


def _readme(scenario: Scenario, students: int, seed: int, level: str, about: str, key: str,
            calendar: str = "traditional") -> str:
    s = scenario
    flag = "" if calendar == "traditional" else f" --calendar {calendar}"
    call = "" if calendar == "traditional" else f", calendar=\"{calendar}\""
    return (
        f"# {s.settings.name}\n\n{about}\n\n"
        f"- {len(s.students)} students in grades {', '.join(map(str, s.settings.school.grades))}; "
        f"{s.settings.school.periods_per_day} periods a day, intervention period "
        f"{', '.join(map(str, s.settings.school.intervention_periods))}\n"
        f"{_calendar_line(s, calendar)}"
        f"- {len(s.courses)} courses, {len(s.requests)} course requests, {len(s.staff)} staff, "
        f"{len(s.rooms)} rooms, {len(s.goals)} student goals\n"
        f"- English learners {s.students['ell'].mean():.0%}, students with an IEP {s.students['iep'].mean():.0%}, "
        f"low income {s.students['frl'].mean():.0%}\n\n"
        "Class sizes (NCES), salaries (NEA, BLS, Opportunity Culture; × 1.54 benefits), funding weights (NYC "
        "Fair Student Funding, Boston WSF) and the tutoring standard (NSSA) are published figures from "
        "`shared/PARAMETERS.md`; support costs and the Title I-style part of other revenue are illustrative. "
        "The students are synthetic: no real person is described.\n\n"
        "## How it was generated\n\n"
        f"```\n.venv/bin/python -m workbench.scenario.generate scenarios {key}\n```\n\n"
        f"which calls `generate_scenario(students={students}, seed={seed}, level=\"{level}\", "
        f"name=\"{s.settings.name}\"{call})`. `workbench generate --students {students} --seed {seed} --level {level}"
        f"{flag} --out DIR` writes the same tables under a generic name.\n"
    )


def generate_scenario(students: int, seed: int, level: str, out: Path, name: str | None = None,
                      about: str | None = None, cycles: int = 0, calendar: str = "traditional") -> Path:
    """Write a synthetic school to `out` (atomically); the same arguments give the same bytes.

    `about`, when given, is written to README.md with the exact call that reproduces the folder. `cycles`:
    assessment cycles to add (assessments.csv), for rehearsing a year of regrouping; `calendar`: see
    `build_scenario`."""
    scenario = build_scenario(students, seed, level, name, cycles, calendar)
    out = Path(out)
    with tempfile.TemporaryDirectory() as holder:
        if about is not None:
            text = _readme(scenario, students, seed, level, about, out.name, calendar)
            (Path(holder) / "README.md").write_text(text, encoding="utf-8")
            scenario.path = Path(holder)
        return write_scenario(scenario, out)


BUNDLED = {
    "tutorial": dict(students=40, seed=3, level="middle",
                     name="Tutorial Middle — a 40-student school to learn the workbench",
                     about="A tiny middle school (grades 6-8, 6 periods) that solves in seconds: used by the "
                           "notebooks, the tutorial and the browser tests."),
    "riverside-middle": dict(students=600, seed=1, level="middle",
                             name="Riverside Middle — multi-classroom leader pilot",
                             about="A typical 600-student urban middle school (grades 6-8, 7 periods, full "
                                   "load of 6 courses) weighing a multi-classroom leader pilot and "
                                   "high-impact tutoring within its weighted-student-funding budget."),
    "summit-high": dict(students=1800, seed=2, level="high",
                        name="Summit High — singleton AP and tutoring redesign",
                        about="A 1,800-student comprehensive high school (grades 9-12, 8 periods) with "
                              "singleton and doubleton AP courses requested in bundles, labs, English-learner "
                              "and special-education sections: the hard case for the master schedule."),
    "eastside-ab-high": dict(students=1200, seed=4, level="high", calendar="ab-block",
                             name="Eastside High — A/B block schedule",
                             about="A 1,200-student high school (grades 9-12) on an A/B block schedule: four "
                                   "90-minute blocks a day, every course meeting on A days or on B days of a "
                                   "two-week cycle, so a student takes eight courses in four blocks. For leaders "
                                   "weighing a move from a traditional day to blocks."),
    "lakeview-4x4-high": dict(students=900, seed=5, level="high", calendar="4x4",
                              name="Lakeview High — 4x4 semester block",
                              about="A 900-student high school (grades 9-12) on a 4x4 block: four 90-minute "
                                    "blocks a day, every course running for the fall or the spring term, so a "
                                    "student takes four courses a term and eight a year."),
}


def regenerate_bundled(root: Path, which: list[str] | None = None) -> list[Path]:
    """Rewrite the bundled scenarios under `root` (normally `scenarios/`)."""
    return [generate_scenario(out=Path(root) / key, **BUNDLED[key]) for key in (which or list(BUNDLED))]


if __name__ == "__main__":
    for path in regenerate_bundled(Path(sys.argv[1] if len(sys.argv) > 1 else "scenarios"), sys.argv[2:] or None):
        print(f"wrote {path}")
