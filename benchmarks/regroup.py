"""Benchmark the assessment cycle: regrouping summit-high (1,800 students) after each cycle of a rehearsed year.

Usage: `.venv/bin/python benchmarks/regroup.py [--repeat 3] [--cycles 4]`. The September plan is solved once and
kept under benchmarks/out/regroup/; the year's benchmark results come from `generate.assessment_cycles`
(the bundled scenario's own seed). Each cycle's regroup starts from the previous cycle's regrouped result, as
a school would. Measured per cycle: the median seconds of `regroup_result` plus writing the folder (the work
of `workbench regroup` after start-up; CPU seconds too, which a machine shared with other work
disturbs less), and students moved, exited on track and newly served. Target: at most
10 s a cycle on 2 cores. Speed is measured here, never asserted in a test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out" / "regroup"
sys.path.insert(0, str(ROOT))

from workbench.cycle import kept_files, regroup_result  # noqa: E402
from workbench.pipeline import solve_scenario  # noqa: E402
from workbench.results.check import check_result  # noqa: E402
from workbench.results.io import read_result, write_result  # noqa: E402
from workbench.scenario import load_scenario  # noqa: E402
from workbench.scenario.generate import BUNDLED, assessment_cycles  # noqa: E402
from workbench.scenario.model import write_scenario  # noqa: E402


def september_plan(scenario_dir: Path) -> Path:
    """The plan of `workbench solve`, made once and reused."""
    plan = OUT / "september"
    if not (plan / "summary.json").exists():
        write_result(solve_scenario(load_scenario(scenario_dir)), plan)
    return plan


def school_at(scenario_dir: Path, marks, cycle: int) -> Path:
    """The scenario as it stands after `cycle`: assessments of cycles 1..cycle."""
    scenario = load_scenario(scenario_dir)
    scenario.assessments = marks[marks["cycle"] <= cycle].reset_index(drop=True)
    return write_scenario(scenario, OUT / f"school-cycle{cycle}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cycles", type=int, default=4, help="cycles in the rehearsed year (cycle 1 = baseline)")
    args = parser.parse_args()
    source = ROOT / "scenarios" / "summit-high"
    OUT.mkdir(parents=True, exist_ok=True)
    plan = september_plan(source)
    base = load_scenario(source)
    seed = BUNDLED["summit-high"]["seed"]
    marks = assessment_cycles(base.students, base.goals, args.cycles, seed, base.settings.assessment.cycles_per_year)
    previous_dir, rows = plan, []
    for cycle in range(2, args.cycles + 1):
        folder = school_at(source, marks, cycle)
        scenario, previous = load_scenario(folder), read_result(previous_dir)
        out = OUT / f"cycle{cycle}"
        times, cpu = [], []
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            result = regroup_result(scenario, previous)
            write_result(result, out, verbatim=kept_files(previous))
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        s = result.summary
        breaches = check_result(scenario, read_result(out))
        rows.append({"cycle": cycle, "median_s": round(statistics.median(times), 2),
                     "runs_s": [round(t, 2) for t in times],
                     "median_cpu_s": round(statistics.median(cpu), 2), "model_variables": s["regroup"]["variables"],
                     "needs": s["regroup"]["needs"], "groups": s["regroup"]["groups"],
                     "students_moved": s["students_moved"], "students_exited_on_track": s["students_exited_on_track"],
                     "students_newly_served": s["students_newly_served"], "breaches": len(breaches),
                     "goals_met_pct": s["metrics"]["goals_met_pct"]})
        print(json.dumps(rows[-1]), flush=True)
        previous_dir = out
    print(json.dumps({"scenario": "summit-high", "students": len(base.students), "repeat": args.repeat,
                      "median_s_over_cycles": statistics.median(r["median_s"] for r in rows),
                      "target_s": 10}, indent=2))


if __name__ == "__main__":
    main()
