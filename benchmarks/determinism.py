"""Benchmark reproducibility: the same scenario solved N times gives the same design, and what the passes cost.

Usage: `.venv/bin/python benchmarks/determinism.py [scenario …] [--runs 3] [--busy 2] [--before DIR]
[--generated 5000 …]` (default: the four bundled scenarios). Each run is `workbench solve` in its own process
with its own PYTHONHASHSEED; every second run has `--busy` processes spinning on the CPU beside it. A scenario is
reproducible when every run's result folder is byte-identical to the first (summary.json without its timings).
`--before DIR` runs the same on another checkout of the code (e.g. `git worktree add DIR <commit>`) and prints
both, so that the passes' times with work limits can be set against the times before them (medians).
`--generated N` adds a synthetic high school of N students (benchmarks/out/, schedule step only, with the
existing staff), the size the work budgets must still finish in reasonable time.
Prints one table (with the schedule's requests placed, goals met and sections off balance, as a range when the
runs differ); the machine is shared by other engineers, so the times are pessimistic.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from workbench.results.io import design_summary  # noqa: E402

PASSES = ("search", "goals", "balance", "schedule", "solve")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=[str(ROOT / "scenarios" / n) for n in
                                                         ("tutorial", "riverside-middle", "riverside-middle-mcl",
                                                          "summit-high")])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--busy", type=int, default=2, help="processes spinning beside every second run")
    parser.add_argument("--before", type=Path, default=None, help="another checkout of the code to compare")
    parser.add_argument("--generated", type=int, nargs="*", default=[], help="sizes of synthetic high schools")
    parser.add_argument("--child", nargs=2, metavar=("SCENARIO", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return schedule_only(Path(args.child[0]), Path(args.child[1]))
    cases = [(Path(s).name, Path(s), "solve") for s in args.scenarios]
    cases += [(f"high-{n} (schedule)", generated(n), "schedule") for n in args.generated]
    codes = [("before", args.before.resolve())] if args.before else []
    codes.append(("after", ROOT))
    rows = []
    for label, folder, how in cases:
        for code_label, code in codes:
            rows.append(measure(label, folder, how, code_label, code, args.runs, args.busy))
            print(f"done {label} ({code_label})", file=sys.stderr, flush=True)
    report(rows, args.runs, args.busy)


def generated(students: int) -> Path:
    sys.path.insert(0, str(ROOT))
    from workbench.scenario.generate import generate_scenario

    folder = ROOT / "benchmarks" / "out" / f"high-{students}-s11"
    if not (folder / "scenario.yaml").exists():
        generate_scenario(students, 11, "high", folder)
    return folder


def measure(label: str, folder: Path, how: str, code_label: str, code: Path, runs: int, busy: int) -> dict:
    """`runs` solves of one scenario with one checkout: identical or not, and the passes' seconds."""
    times: dict[str, list[float]] = {p: [] for p in PASSES}
    digests, capped, status, quality = [], [], set(), []
    with tempfile.TemporaryDirectory(prefix="determinism-") as tmp:
        for run in range(runs):
            out = Path(tmp) / f"run{run}"
            with spinning(busy if run % 2 else 0):
                summary = run_once(folder, out, how, code, hash_seed=run + 1)
            digests.append(digest(out))
            capped.append(bool(summary.get("stopped_by_time_cap")))
            status.add(summary.get("status"))
            quality.append(schedule_quality(summary))
            for name, seconds in pass_seconds(summary).items():
                times[name].append(seconds)
    return {"case": label, "code": code_label, "identical": all(d == digests[0] for d in digests),
            "capped": sum(capped), "status": "/".join(sorted(s for s in status if s)),
            "quality": [f"{min(q)}" if min(q) == max(q) else f"{min(q)}-{max(q)}" for q in zip(*quality, strict=True)],
            "medians": {k: statistics.median(v) if v else None for k, v in times.items()}}


def run_once(folder: Path, out: Path, how: str, code: Path, hash_seed: int) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed), "PYTHONPATH": str(code)}
    if how == "solve":
        cmd = [sys.executable, "-m", "workbench.cli", "solve", str(folder), "--out", str(out)]
    else:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(folder), str(out)]
    done = subprocess.run(cmd, env=env, cwd=code, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout[-1500:]}{done.stderr[-1500:]}")
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def schedule_only(folder: Path, out: Path) -> None:
    """Child process: the schedule step alone (existing staff) with whichever code PYTHONPATH names; writes
    sections, enrollments and a summary.json shaped like a solve's."""
    import time

    from workbench.plan.schedule import build_schedule
    from workbench.scenario import load_scenario
    from workbench.scenario.staff_table import existing_staffing

    scenario = load_scenario(folder)
    start = time.perf_counter()
    plan = build_schedule(scenario, existing_staffing(scenario))
    seconds = time.perf_counter() - start
    out.mkdir(parents=True)
    plan.sections.to_csv(out / "sections.csv", index=False)
    plan.enrollments.to_csv(out / "enrollments.csv", index=False)
    summary = {"status": plan.status, "stopped_by_time_cap": plan.stats.get("stopped_by_time_cap", []),
               "phases": {"schedule": plan.stats}, "timings": {"phases": {"schedule": seconds}, "total_s": seconds}}
    (out / "summary.json").write_text(json.dumps(summary, default=str), encoding="utf-8")


def pass_seconds(summary: dict) -> dict[str, float]:
    """Seconds of the request search (every start), the goal pass, the balance pass, the schedule step and
    the whole solve, from summary.json."""
    phases = (summary.get("phases", {}).get("schedule") or {}).get("phases", {})
    search = sum(v.get("solve_s", 0.0) for k, v in phases.items() if k.endswith("search") and isinstance(v, dict))
    timings = summary.get("timings", {})
    return {"search": search, "goals": (phases.get("goals") or {}).get("total_s", 0.0),
            "balance": (phases.get("balance") or {}).get("total_s", 0.0),
            "schedule": timings.get("phases", {}).get("schedule", 0.0), "solve": timings.get("total_s", 0.0)}


def schedule_quality(summary: dict) -> tuple[int, int, int]:
    """Requests placed, schedule goals met (class size, strong teacher, named course) and sections 10% or
    more off their course's mean size, from the schedule's stats."""
    stats = summary.get("phases", {}).get("schedule") or {}
    goals = sum(v.get("met", 0) for v in (stats.get("goals_after") or {}).values())
    return (int(stats.get("requests_placed", 0)), int(goals),
            int((stats.get("balance_after") or {}).get("sections_off_balance", 0)))


def digest(folder: Path) -> str:
    """One hash of a result folder: every file's bytes, summary.json without its timings."""
    h = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        h.update(path.name.encode())
        if path.name == "summary.json":
            body = design_summary(json.loads(path.read_text(encoding="utf-8")))
            h.update(json.dumps(body, sort_keys=True).encode())
        else:
            h.update(path.read_bytes())
    return h.hexdigest()


@contextlib.contextmanager
def spinning(processes: int) -> Iterator[None]:
    """Other work on the machine while a run solves: processes spinning on the CPU, killed afterwards."""
    spin = "import time\nend = time.monotonic() + 1800\nwhile time.monotonic() < end:\n    pass\n"
    busy = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(processes)]
    try:
        yield
    finally:
        for p in busy:
            p.kill()
            p.wait()


def report(rows: list[dict], runs: int, busy: int) -> None:
    print(f"\n{runs} runs each, each in its own process and PYTHONHASHSEED; every second run beside {busy} "
          "spinning processes. Medians in seconds.")
    print(f"{'case':26} {'code':7} {'identical':9} {'capped':6} {'status':9} "
          + " ".join(f"{p + ' s':>10}" for p in PASSES) + f" {'placed':>13} {'goals met':>11} {'off-bal':>7}")
    for r in rows:
        cells = " ".join(f"{r['medians'][p]:10.2f}" if r["medians"][p] is not None else f"{'-':>10}"
                         for p in PASSES)
        placed, goals, off = r["quality"]
        print(f"{r['case']:26} {r['code']:7} {'yes' if r['identical'] else 'NO':9} {r['capped']:6d} "
              f"{r['status']:9} {cells} {placed:>13} {goals:>11} {off:>7}")
    before = {r["case"]: r for r in rows if r["code"] == "before"}
    if before:
        print("\nafter / before (median seconds):")
        for r in rows:
            if r["code"] == "after" and r["case"] in before:
                ratios = []
                for p in PASSES:
                    a, b = r["medians"][p], before[r["case"]]["medians"][p]
                    ratios.append(f"{p} x{a / b:.2f}" if a is not None and b else f"{p} -")
                print(f"{r['case']:26} " + ", ".join(ratios))


if __name__ == "__main__":
    main()
