"""Benchmark block schedules (SPEC §4): the whole solve of an A/B block high school, bundled (1,200 students)
and generated (3,000), plus the 4x4 school; solve time, % of priority 1+2 and of required requests placed,
breaches found by the independent checker, and the growth in time from 1,200 to 3,000 students. With
`--labs-and-lunch`, also the bundled A/B school with its AP science labs as double periods and two lunch waves
(periods 2 and 3, 700 seats), a variant made in memory so that the bundled school stays as it is. (Every lab
course a double needs more lab-room time than its nine labs have: a double holds its room for two blocks.)

Usage: `.venv/bin/python benchmarks/block_schedules.py [--sizes 3000] [--no-4x4] [--labs-and-lunch]`. Generated
schools are cached in benchmarks/out/ (gitignored). Targets from issue 13: the 1,200-student A/B school within
60 s and the 3,000 one within 3 minutes on 2 cores. The machine is shared: times are pessimistic; run once.
"""

from __future__ import annotations

import argparse
import time

from common import OUT, ROOT

from workbench.pipeline import solve_scenario
from workbench.results.check import check_rules
from workbench.scenario import load_scenario
from workbench.scenario.generate import generate_scenario


def generated_block(students: int, calendar: str, seed: int = 11):
    folder = OUT / f"high-{students}-s{seed}-{calendar}"
    if not (folder / "scenario.yaml").exists():
        generate_scenario(students, seed, "high", folder, calendar=calendar)
    return load_scenario(folder)


def labs_and_lunch(scenario):
    """The school with its AP lab courses double periods and lunch in periods 2 or 3 for 700 at a time."""
    school = scenario.with_settings(**{"school.lunch": {"periods": [2, 3], "seats": 700}})
    ap_lab = (school.courses["room_type"] == "lab") & school.courses["course_id"].str.startswith("AP")
    school.courses["periods_per_meeting"] = ap_lab.map({True: 2, False: 1})
    return school


def run(label: str, scenario) -> dict:
    t0 = time.perf_counter()
    result = solve_scenario(scenario)
    seconds = time.perf_counter() - t0
    metrics = result.summary["metrics"]
    row = {"school": label, "students": len(scenario.students), "solve_s": round(seconds, 1),
           "placed_p12_pct": metrics["requests_fulfilled_pct"], "required_pct": metrics["required_fulfilled_pct"],
           "first_choice_pct": metrics["first_choice_pct"],
           "breaches": len(check_rules(scenario, result)), "lunch_ok": metrics.get("lunch_ok"),
           "planning_min": metrics.get("teacher_planning_minutes_min")}
    print(row, flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[3000])
    parser.add_argument("--no-4x4", action="store_true")
    parser.add_argument("--labs-and-lunch", action="store_true")
    args = parser.parse_args()
    eastside = load_scenario(ROOT / "scenarios" / "eastside-ab-high")
    rows = [run("eastside-ab-high", eastside)]
    if args.labs_and_lunch:
        rows.append(run("eastside-ab-high, labs double, lunch", labs_and_lunch(eastside)))
    rows += [run(f"generated A/B {n}", generated_block(n, "ab-block")) for n in args.sizes]
    if not args.no_4x4:
        rows.append(run("lakeview-4x4-high", load_scenario(ROOT / "scenarios" / "lakeview-4x4-high")))
    first, *rest = rows
    for row in rest:
        if row["school"].startswith("generated"):
            print(f"growth {first['students']} -> {row['students']} students: "
                  f"{row['solve_s'] / max(first['solve_s'], 0.1):.2f}x the time", flush=True)


if __name__ == "__main__":
    main()
