"""Benchmark the master schedule against the greedy spreadsheet method.

Usage: `.venv/bin/python benchmarks/schedule.py [--sizes 300 600 1800 5000] [--cbc-max 1800] [--full-load]`.
Schools are generated into benchmarks/out/ (gitignored); summit-high is read from scenarios/ when bundled.
For each school: build and solve time, % of all requests placed, % of required placed, % of students with a
complete schedule, for the workbench (HiGHS), the workbench (CBC) and the greedy baseline; then ratios.
The machine is shared: figures are indicative, run once.
"""

from __future__ import annotations

import argparse
import time

from common import bundled_or_generated, full_load, generated

from workbench.plan.schedule import build_schedule
from workbench.plan.schedule_greedy import greedy_schedule
from workbench.plan.staff_table import existing_staffing


def run_case(label, scenario, limit, with_cbc):
    rows = []
    staffing = existing_staffing(scenario)
    t0 = time.perf_counter()
    _, _, g = greedy_schedule(scenario, staffing)
    rows.append((label, "greedy", 0.0, time.perf_counter() - t0, g))
    for solver in ("highs", "cbc") if with_cbc else ("highs",):
        s = scenario.with_settings(**{"solver.name": solver, "solver.time_limit_s": limit})
        t0 = time.perf_counter()
        plan = build_schedule(s, staffing)
        rows.append((label, f"workbench-{solver}", plan.stats.get("build_s", 0.0), time.perf_counter() - t0,
                     plan.stats))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=[300, 600, 1800, 5000])
    ap.add_argument("--cbc-max", type=int, default=1800, help="run CBC only on schools up to this size")
    ap.add_argument("--full-load", action="store_true", help="also the full-load variant of each school")
    ap.add_argument("--no-summit", action="store_true")
    args = ap.parse_args()
    cases = []
    if not args.no_summit:
        cases.append(("summit-high", bundled_or_generated("summit-high", 1800, "high", 2), 1800))
    for n in args.sizes:
        cases.append((f"high-{n}", generated(n, "high"), n))
        if args.full_load:
            cases.append((f"high-{n}-full", full_load(generated(n, "high")), n))
    rows = []
    for label, scenario, n in cases:
        limit = 60 if n <= 2000 else 240
        rows += [(*r, n) for r in run_case(label, scenario, limit, n <= args.cbc_max)]
        print(f"done {label}", flush=True)
    print(f"\n{'school':18} {'method':16} {'build s':>8} {'total s':>8} {'req %':>7} {'required %':>10} "
          f"{'complete %':>10} {'s/1000 st':>9}")
    greedy = {}
    for label, method, build, total, st, n in rows:
        if method == "greedy":
            greedy[label] = (st, total)
        print(f"{label:18} {method:16} {build:8.1f} {total:8.1f} {st['requests_placed_pct']:7.2f} "
              f"{st['required_placed_pct']:10.2f} {st['students_fully_scheduled_pct']:10.2f} {1000 * total / n:9.1f}")
    print("\nratios workbench / greedy (placement, time):")
    for label, method, _, total, st, _ in rows:
        if method != "greedy":
            g, gt = greedy[label]
            print(f"{label:18} {method:16} placed x{st['requests_placed'] / max(1, g['requests_placed']):.4f} "
                  f"time x{total / max(1e-9, gt):.1f}")


if __name__ == "__main__":
    main()
