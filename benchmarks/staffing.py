"""Benchmark the staffing optimiser: solve time on a large school and goals met against budget.

Usage: `.venv/bin/python benchmarks/staffing.py [scenario] [--repeat 3] [--step 100000] [--levels 5]`
(default scenarios/summit-high). Prints the median of `repeat` staffing solves (target: 10 s or less on a
1,800-student school), then the curve of goals met at `levels` budgets `step` dollars apart, centred on
this year's revenue, as JSON lines a notebook can read back.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workbench.plan.staffing import plan_staffing  # noqa: E402
from workbench.plan.tradeoffs import marginal_value_of_budget  # noqa: E402
from workbench.scenario import load_scenario  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "summit-high"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--step", type=float, default=100_000)
    parser.add_argument("--levels", type=int, default=5)
    args = parser.parse_args()

    scenario = load_scenario(args.scenario)
    times, plan = [], None
    for _ in range(args.repeat):
        start = time.perf_counter()
        plan = plan_staffing(scenario)
        times.append(time.perf_counter() - start)
    stats = plan.stats
    print(json.dumps({
        "scenario": scenario.name, "students": len(scenario.students), "staff": len(scenario.staff),
        "goals": len(scenario.goals), "staffing_median_s": round(statistics.median(times), 2),
        "times_s": [round(t, 2) for t in times], "status": plan.status, "build_s": stats["build_s"],
        "goals_reachable": stats["goals_reachable"], "hires": stats["hires"], "leaders": stats["leaders"],
        "uncovered_sections": stats["uncovered_sections"], "cost": stats["cost"], "revenue": stats["revenue"],
    }))
    start = time.perf_counter()
    curve = marginal_value_of_budget(scenario, step=args.step, levels=args.levels)
    print(json.dumps({"budget_curve_s": round(time.perf_counter() - start, 2)}))
    for row in curve.to_dict(orient="records"):
        print(json.dumps({k: (None if v != v else v) for k, v in row.items()}, default=float))


if __name__ == "__main__":
    main()
