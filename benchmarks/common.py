"""Shared helpers for the benchmarks: generated schools cached under benchmarks/out/ (gitignored) and a
"full-load" variant in which every student requests as many courses as there are teaching periods."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT))

from workbench.scenario import load_scenario  # noqa: E402
from workbench.scenario.generate import generate_scenario  # noqa: E402
from workbench.scenario.model import Scenario  # noqa: E402
from workbench.scenario.schema import split_list  # noqa: E402


def generated(students: int, level: str, seed: int = 11) -> Scenario:
    """A synthetic school of `students`, generated once into benchmarks/out/ and loaded from there after."""
    folder = OUT / f"{level}-{students}-s{seed}"
    if not (folder / "scenario.yaml").exists():
        generate_scenario(students, seed, level, folder)
    return load_scenario(folder)


def bundled_or_generated(name: str, students: int, level: str, seed: int) -> Scenario:
    folder = ROOT / "scenarios" / name
    if (folder / "scenario.yaml").exists():
        return load_scenario(folder)
    return generated(students, level, seed)


def full_load(scenario: Scenario, seed: int = 0) -> Scenario:
    """Every student asks for exactly as many courses (required + elective) as there are teaching periods:
    electives the student's grade may take are added by popularity, surplus electives dropped. There is
    then no free period to absorb a clash, the hardest case for a master schedule."""
    rng = np.random.default_rng(seed)
    out = scenario.copy()
    n = len(scenario.teaching_periods)
    req = scenario.requests.copy()
    grade = scenario.students.set_index("student_id")["grade"].astype(int)
    courses = scenario.courses
    popularity = req[req["priority"] == 2]["course_id"].value_counts()
    electives = courses[courses["course_id"].isin(popularity.index)]
    allowed = {int(g): [c for c, gs in zip(electives["course_id"], electives["grades"], strict=True)
                        if not split_list(gs) or str(g) in split_list(gs)] for g in grade.unique()}
    rows = []
    for sid, mine in req.groupby("student_id"):
        core = mine[mine["priority"] == 1]
        elec = mine[mine["priority"] == 2]
        alts = mine[mine["priority"] == 3]
        room = n - len(core)
        keep = elec.iloc[:max(0, room)]
        taken = set(mine["course_id"])
        options = [c for c in allowed.get(int(grade[sid]), []) if c not in taken]
        extra = max(0, room - len(keep))
        if extra and options:
            weights = popularity.reindex(options).fillna(1).to_numpy(dtype=float)
            picks = rng.choice(len(options), size=min(extra, len(options)), replace=False, p=weights / weights.sum())
            keep = pd.concat([keep, pd.DataFrame({"student_id": sid, "course_id": [options[i] for i in picks],
                                                  "priority": 2})])
        rows.append(pd.concat([core, keep, alts[~alts["course_id"].isin(set(keep["course_id"]))]]))
    out.requests = pd.concat(rows, ignore_index=True)[["student_id", "course_id", "priority"]]
    out.requests["priority"] = out.requests["priority"].astype("int64")
    out.settings.name = scenario.settings.name + " (full load)"
    return out


def tight(scenario: Scenario) -> Scenario:
    """Seats cut to demand: each course keeps its number of sections but its max_size drops to the smallest
    that still seats everyone who asked, plus one. Any clash then costs a request unless students move."""
    out = scenario.copy()
    req = scenario.requests[scenario.requests["priority"] < 3]
    demand = req["course_id"].value_counts()
    courses = out.courses.copy()
    sizes = []
    for cid, cap in zip(courses["course_id"], courses["max_size"], strict=True):
        d = int(demand.get(cid, 0))
        n = max(1, -(-d // int(cap)))
        sizes.append(min(int(cap), -(-d // n) + 1) if d else int(cap))
    courses["max_size"] = pd.Series(sizes, index=courses.index).astype("int64")
    out.courses = courses
    out.settings.name = scenario.settings.name + " (tight seats)"
    return out


def hard_full_load(scenario: Scenario, small_courses: int = 40, tracks: int = 24, share: float = 0.6,
                   bundle: int = 3, seed: int = 0) -> Scenario:
    """The issue's truly hard case: full load plus many singleton and doubleton electives (AP and advanced
    courses) requested in bundles by overlapping groups of students. `small_courses` courses are added in
    the subjects with the most certified teachers; `tracks` bundles of `bundle` of them are drawn (a course
    sits in several bundles, so groups overlap); a `share` of students in grades above the lowest join one
    track, the bundle replacing electives so that the load stays full. Demand per small course is then one
    or two sections' worth, and every clash between two of them costs students a request. Measured on the
    generated 1,200-student high school (seed 11): greedy places 93.5% of requests (the issue's ~94%)."""
    rng = np.random.default_rng(seed)
    base = full_load(scenario, seed)
    out = base.copy()
    staff = scenario.staff[scenario.staff["max_sections"].fillna(0).astype(int) > 0]
    counts: dict[str, int] = {}
    for subs in staff["subjects"]:
        for s in split_list(subs):
            counts[s] = counts.get(s, 0) + 1
    subjects = [s for s, _ in sorted(counts.items(), key=lambda kv: -kv[1])[:4]]
    new = pd.DataFrame({"course_id": [f"ADV{i:02d}" for i in range(small_courses)],
                        "name": [f"Advanced elective {i}" for i in range(small_courses)],
                        "subject": [subjects[i % len(subjects)] for i in range(small_courses)],
                        "max_size": 30, "room_type": "classroom", "grades": ""})
    courses = pd.concat([scenario.courses, new.astype({"max_size": "int64"})], ignore_index=True)
    for col in scenario.courses.columns:
        if col not in new.columns:
            courses[col] = courses[col].astype(scenario.courses[col].dtype) if col in scenario.courses else None
    out.courses = courses[scenario.courses.columns]
    bundles = [list(rng.choice(small_courses, size=bundle, replace=False)) for _ in range(tracks)]
    grade = scenario.students.set_index("student_id")["grade"].astype(int)
    lowest = grade.min()
    req = base.requests
    rows = []
    for sid, mine in req.groupby("student_id", sort=False):
        if grade[sid] > lowest and rng.random() < share:
            picks = [f"ADV{i:02d}" for i in bundles[rng.integers(tracks)]]
            elec = mine[mine["priority"] == 2]
            drop = set(elec["course_id"].iloc[:len(picks)])
            keep = mine[~mine["course_id"].isin(drop)]
            add = pd.DataFrame({"student_id": sid, "course_id": picks[:len(drop)], "priority": 2})
            mine = pd.concat([keep, add])
        rows.append(mine)
    out.requests = pd.concat(rows, ignore_index=True)[["student_id", "course_id", "priority"]]
    out.requests["priority"] = out.requests["priority"].astype("int64")
    out.settings.name = scenario.settings.name + " (hard full load)"
    return out
