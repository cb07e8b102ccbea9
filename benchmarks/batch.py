"""Benchmark: 8 riverside-middle variants solved one after another, then on the local Dask cluster.

Usage: `.venv/bin/python benchmarks/batch.py [--n 8] [--workers N] [--time-limit S] [--scenario DIR]`.
Prints the speed-up (serial wall time ÷ cluster wall time), the cluster's start-up time and the per-solve
overhead: (cluster wall time × workers − the solves' own seconds inside the workers) ÷ solves. With two
cores the speed-up can approach 2 only when nothing else is running on the machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workbench.batch import (  # noqa: E402
    cluster_client,
    default_workers,
    map_in_cluster,
    parse_vary,
    plan_jobs,
    solve_job,
    solve_limit,
    write_variants,
)
from workbench.scenario.validate import load_scenario  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "riverside-middle"))
    parser.add_argument("--n", type=int, default=8, help="variants: base_per_pupil, then $100 steps up")
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--time-limit", type=float, default=None, help="override solver.time_limit_s")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="batch-bench-") as tmp:
        tmp = Path(tmp)
        base = int(load_scenario(args.scenario).settings.funding.base_per_pupil)
        varies = [parse_vary(f"funding.base_per_pupil={base}:{base + 100 * (args.n - 1)}:100")]
        if args.time_limit is not None:
            varies.append(parse_vary(f"solver.time_limit_s={args.time_limit}"))
        folders = write_variants(args.scenario, varies, tmp / "variants")
        print(f"{len(folders)} variants of {Path(args.scenario).name}; {args.workers} worker(s)")

        jobs = plan_jobs(folders, tmp / "serial")
        start = time.perf_counter()
        serial = []
        for job in jobs:
            row = solve_job(job)
            serial.append(row)
            print(f"  serial {job.name}: {row['status']} in {row['seconds']:.1f} s, "
                  f"{row.get('breaches')} breach(es) of the hard rules")
        serial_wall = time.perf_counter() - start

        jobs = plan_jobs(folders, tmp / "cluster")
        start = time.perf_counter()
        with cluster_client(workers=args.workers, say=print) as client:
            up = time.perf_counter() - start
            t0 = time.perf_counter()
            outcomes = map_in_cluster(solve_job, jobs, client=client, timeout_s=lambda j: solve_limit(j) + 30)
            batch_wall = time.perf_counter() - t0
        total_wall = time.perf_counter() - start
        for outcome in outcomes:
            row = outcome.value or {}
            print(f"  cluster {outcome.item.name}: {row.get('status', outcome.error)} "
                  f"in {row.get('seconds', 0):.1f} s, {row.get('breaches')} breach(es) of the hard rules")

    inside = sum(o.seconds for o in outcomes)
    overhead = (batch_wall * args.workers - inside) / len(jobs)
    print(f"serial: {serial_wall:.1f} s for {len(jobs)} solves ({serial_wall / len(jobs):.1f} s each)")
    print(f"cluster: {total_wall:.1f} s including {up:.1f} s to start {args.workers} workers; "
          f"{batch_wall:.1f} s solving")
    print(f"speed-up: {serial_wall / total_wall:.2f}x including start-up, {serial_wall / batch_wall:.2f}x "
          f"excluding it")
    print(f"per-solve overhead on the cluster: {overhead:.2f} s (idle worker time and transfer, per solve)")
    statuses = {row["status"] for row in serial} | {(o.value or {}).get("status") for o in outcomes}
    print(f"statuses: {sorted(str(s) for s in statuses)}")


if __name__ == "__main__":
    main()
