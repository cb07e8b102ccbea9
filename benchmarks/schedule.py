"""Benchmark the master schedule against the greedy spreadsheet method (and, optionally, a CP-SAT reference).

Usage: `.venv/bin/python benchmarks/schedule.py [--sizes 300 600 1800 5000] [--full-load 600 1800]
[--tight 600 1800] [--hard 1200] [--limit S] [--no-cbc] [--cbc-max 1800] [--cp-max 1800] [--no-summit]`,
or `--quality` for issue 17's table: the workbench (HiGHS) alone on 600, 1,200 (hard), 1,800, 3,000 (hard) and
5,000 students, with % placed, first choices placed (alternates not counted), the bound over every timetable
(`requests_bound`, plan/schedule/bound.py), the gap to it and the time.
Schools are generated into benchmarks/out/ (gitignored); summit-high is read from scenarios/ when bundled.
For each school: greedy, workbench (HiGHS), workbench (CBC) and, when ortools is installed, the two-stage
CP-SAT reference (benchmarks/cp_reference.py) at the same time budget: build and total seconds, % of all
requests placed, % of required placed, % of students with a complete schedule, and the bound/gap proved.
Then ratios to greedy, seconds per 1,000 students and growth 600 → 5,000. The machine is shared by other
engineers: times are pessimistic; run once.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

from common import bundled_or_generated, full_load, generated, hard_full_load, tight

from workbench.plan.schedule import build_schedule
from workbench.plan.schedule.greedy import greedy_schedule
from workbench.scenario.staff_table import existing_staffing

HERE = Path(__file__).resolve().parent
HAVE_ORTOOLS = importlib.util.find_spec("ortools") is not None   # benchmark-only, optional


def cp_reference(label: str, limit: float) -> dict | None:
    """The CP-SAT reference in its own process (its bundled HiGHS clashes with highspy in one process)."""
    done = subprocess.run([sys.executable, str(HERE / "cp_reference.py"), label, str(limit)], cwd=HERE,
                          capture_output=True, text=True, timeout=limit * 3 + 120)
    if done.returncode != 0:
        print(f"CP reference failed on {label}: {done.stderr.strip().splitlines()[-1:]}", flush=True)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_case(label, scenario, limit, with_cbc, with_cp):
    rows = []
    staffing = existing_staffing(scenario)
    t0 = time.perf_counter()
    _, _, g = greedy_schedule(scenario, staffing)
    rows.append((label, "greedy", 0.0, time.perf_counter() - t0, g, ""))
    for solver in ("highs", "cbc") if with_cbc else ("highs",):
        s = scenario.with_settings(**{"solver.name": solver, "solver.time_limit_s": limit})
        t0 = time.perf_counter()
        plan = build_schedule(s, staffing)
        st = plan.stats
        bound = f"≤{st['requests_bound']} gap {st['requests_gap_pct']:.2f}%"
        rows.append((label, f"workbench-{solver}", st.get("build_s", 0.0), time.perf_counter() - t0, st, bound))
    st = cp_reference(label, limit) if with_cp and HAVE_ORTOOLS else None
    if st is not None:
        rows.append((label, "cp-sat-reference", 0.0, st["total_s"], st,
                     f"weighted gap {100 * st['gap']:.1f}%" if st.get("gap") is not None else "no solution"))
    return rows


def first_choice_pct(st: dict) -> float:
    """Required and elective requests placed as asked (an alternate standing in does not count)."""
    return round(100.0 * (st["required_placed"] + st["electives_placed_directly"]) / max(1, st["requests"]), 2)


QUALITY = [("high-600", 600, False), ("high-1200-hard", 1200, True), ("high-1800", 1800, False),
           ("high-3000-hard", 3000, True), ("high-5000", 5000, False)]


def quality(limit: float | None) -> None:
    """Issue 17's table: how close to the bound, and how fast, on plain and hard full-load schools."""
    print(f"{'school':16} {'students':>8} {'placed %':>8} {'first %':>8} {'placed':>7} {'bound':>7} {'kind':>14} "
          f"{'gap %':>6} {'status':>8} {'bound s':>7} {'total s':>7}", flush=True)
    for label, n, hard in QUALITY:
        scenario = hard_full_load(generated(n, "high")) if hard else generated(n, "high")
        scenario = scenario.with_settings(**{"solver.time_limit_s": limit or (60 if n <= 2000 else 300)})
        t0 = time.perf_counter()
        plan = build_schedule(scenario, existing_staffing(scenario))
        total, st = time.perf_counter() - t0, plan.stats
        bound_s = st["phases"]["requests_bound"]["solve_s"]
        print(f"{label:16} {n:8d} {st['requests_placed_pct']:8.2f} {first_choice_pct(st):8.2f} "
              f"{st['requests_placed']:7d} {st['requests_bound']:7d} {st['requests_bound_kind']:>14} "
              f"{st['requests_gap_pct']:6.3f} {plan.status:>8} {bound_s:7.1f} {total:7.1f}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quality", action="store_true", help="issue 17's table only (see the module's docstring)")
    ap.add_argument("--sizes", type=int, nargs="*", default=[300, 600, 1800, 5000])
    ap.add_argument("--full-load", type=int, nargs="*", default=[600, 1800],
                    help="sizes whose full-load variant (as many requests as periods) is also run")
    ap.add_argument("--tight", type=int, nargs="*", default=[600, 1800],
                    help="sizes whose full-load variant with seats cut to demand (+1 a section) is also run")
    ap.add_argument("--cbc-max", type=int, default=1800, help="run CBC only on schools up to this size")
    ap.add_argument("--cp-max", type=int, default=1800, help="run the CP-SAT reference up to this size")
    ap.add_argument("--hard", type=int, nargs="*", default=[1200],
                    help="sizes whose hard full-load variant (bundled singleton/doubleton electives) is run")
    ap.add_argument("--limit", type=float, default=None, help="time limit for every case (default 60 s, 300 s >2,000)")
    ap.add_argument("--no-cbc", action="store_true")
    ap.add_argument("--no-summit", action="store_true")
    args = ap.parse_args()
    if args.quality:
        quality(args.limit)
        return
    cases = []
    if not args.no_summit:
        cases.append(("summit-high", lambda: bundled_or_generated("summit-high", 1800, "high", 2), 1800))
    for n in args.sizes:
        cases.append((f"high-{n}", lambda n=n: generated(n, "high"), n))
        if n in args.full_load:
            cases.append((f"high-{n}-full", lambda n=n: full_load(generated(n, "high")), n))
        if n in args.tight:
            cases.append((f"high-{n}-full-tight", lambda n=n: tight(full_load(generated(n, "high"))), n))
    for n in args.hard:
        cases.append((f"high-{n}-hard", lambda n=n: hard_full_load(generated(n, "high")), n))
        if n in args.tight:
            cases.append((f"high-{n}-hard-tight", lambda n=n: tight(hard_full_load(generated(n, "high"))), n))
    rows = []
    for label, make, n in cases:
        limit = args.limit or (60 if n <= 2000 else 300)
        rows += [(*r, n) for r in run_case(label, make(), limit, n <= args.cbc_max and not args.no_cbc,
                                           n <= args.cp_max)]
        print(f"done {label}", flush=True)
    print(f"\n{'school':20} {'method':18} {'build s':>7} {'total s':>7} {'req %':>6} {'first %':>7} {'required %':>10} "
          f"{'complete %':>10} {'s/1000 st':>9}  bound / gap")
    greedy = {}
    for label, method, build, total, st, bound, n in rows:
        if method == "greedy":
            greedy[label] = (st, total)
        print(f"{label:20} {method:18} {build:7.1f} {total:7.1f} {st['requests_placed_pct']:6.2f} "
              f"{first_choice_pct(st) if 'electives_placed_directly' in st else float('nan'):7.2f} "
              f"{st['required_placed_pct']:10.2f} {st['students_fully_scheduled_pct']:10.2f} "
              f"{1000 * total / n:9.1f}  {bound}")
    print("\nratios to greedy (requests placed, time):")
    for label, method, _, total, st, _, _ in rows:
        if method != "greedy":
            g, gt = greedy[label]
            print(f"{label:20} {method:18} placed x{st['requests_placed'] / max(1, g['requests_placed']):.4f} "
                  f"time x{total / max(1e-9, gt):.1f}")
    times = {(label, method): total for label, method, _, total, _, _, _ in rows}
    for method in ("greedy", "workbench-highs"):
        if ("high-600", method) in times and ("high-5000", method) in times:
            growth = times["high-5000", method] / max(1e-9, times["high-600", method])
            print(f"growth 600 → 5,000 students ({method}): time x{growth:.1f} for x8.3 students")


if __name__ == "__main__":
    main()
