"""District-scale batch solving on Dask distributed: many schools (or many variants of one) at once.

Why Dask: one solve is single-threaded PuLP/HiGHS work, so a district's dozens of schools parallelise by
process. A `LocalCluster` (one single-threaded worker process per core) is the default; a remote scheduler
(`tcp://…`) spreads the same work over a central office's machines. Each solve runs
`workbench.pipeline.solve_scenario` in its own worker process under its own time limit and writes its own
result folder atomically; one broken, infeasible or failing school is reported in plain words and never
stops the others.

`map_in_cluster(fn, items)` is the general engine (the district review uses it too); `solve_batch` and
`sweep` are the two ways the CLI uses it.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from workbench.errors import Problem, ScenarioInvalid
from workbench.goals.review import Bar, ReviewOutcome, review_result, school_subjects

SUMMARY_FILE = "batch_summary.csv"
SUMMARY_COLUMNS = ["scenario", "status", "requests_placed_pct", "goals_met_pct", "balance", "reason",
                   "breaches", "seconds", "result"]
OK_STATUSES = ("optimal", "feasible")


# ---- the engine ------------------------------------------------------------------------------------------

@dataclass
class Mapped:
    """One item's outcome: `value` when fn returned, `error` (a plain sentence) when it raised."""

    item: object
    value: object = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class BatchProgress:
    """Counts at one moment of a batch, for a progress line."""

    done: int
    running: int
    failed: int
    total: int
    elapsed_s: float
    latest: Mapped | None = None

    def line(self) -> str:
        text = (f"[{self.elapsed_s:6.1f} s] done {self.done}/{self.total}, running {self.running}, "
                f"failed {self.failed}")
        return text


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


@contextmanager
def cluster_client(scheduler: str | None = None, workers: int | None = None,
                   dashboard_address: str | None = ":0", say: Callable[[str], None] | None = None
                   ) -> Iterator:
    """A Dask client: connected to `scheduler` when given, else on a fresh LocalCluster of single-threaded
    worker processes (one per core: the solvers are single-threaded). Always closed on the way out."""
    import dask
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        # saturation 1.0: a worker holds only the task it runs, so "running" counts and deadlines are true
        with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}):
            cluster = LocalCluster(n_workers=workers or default_workers(), threads_per_worker=1, processes=True,
                                   dashboard_address=dashboard_address, silence_logs=40)
        client = Client(cluster)
    try:
        if say is not None:
            link = client.dashboard_link if dashboard_address is not None or scheduler else None
            n = len(client.scheduler_info()["workers"])
            where = scheduler or f"a local cluster of {n} worker process{'es' if n != 1 else ''}"
            say(f"solving on {where}" + (f"; dashboard at {link}" if link else ""))
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _timed_call(fn: Callable, item: object) -> tuple[object, float]:
    """Runs on a worker: the value and the seconds it took there (so overhead can be measured)."""
    start = time.perf_counter()
    value = fn(item)
    return value, time.perf_counter() - start


def _plain_error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def map_in_cluster(fn: Callable, items: Sequence, *, client=None, scheduler: str | None = None,
                   workers: int | None = None, timeout_s: float | Callable[[object], float] | None = None,
                   on_progress: Callable[[BatchProgress], None] | None = None,
                   say: Callable[[str], None] | None = None) -> list[Mapped]:
    """Run `fn(item)` for every item in its own worker task; return one `Mapped` per item, in item order.

    An item whose fn raises, or that runs longer than `timeout_s` (seconds, or a function of the item)
    once a worker has started it, gets `error` instead of `value`; the others carry on. `fn` must be
    importable by the workers (a module-level function of an installed package). Without `client` a
    cluster is made (see `cluster_client`) and closed afterwards."""
    if client is None:
        with cluster_client(scheduler, workers, say=say) as made:
            return map_in_cluster(fn, items, client=made, timeout_s=timeout_s, on_progress=on_progress)
    from dask.distributed import as_completed

    start = time.perf_counter()
    out = [Mapped(item) for item in items]
    if not out:
        return out
    futures = {client.submit(_timed_call, fn, item, pure=False): i for i, item in enumerate(items)}
    limits = {i: (timeout_s(item) if callable(timeout_s) else timeout_s) for i, item in enumerate(items)}
    done = failed = 0
    lock = threading.Lock()

    try:
        slots = sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()) or len(out)
    except Exception:   # a scheduler that will not say: count what it reports
        slots = len(out)

    def running() -> int:
        return min(len(_running_keys(client)), slots, len(out) - done)

    def finish(i: int, value=None, error: str | None = None, seconds: float = 0.0) -> None:
        nonlocal done, failed
        with lock:
            out[i].value, out[i].error, out[i].seconds = value, error, seconds
            done += 1
            failed += error is not None
            if on_progress is not None:
                on_progress(BatchProgress(done, running(), failed, len(out), time.perf_counter() - start, out[i]))

    pending = dict(futures)
    watcher = as_completed(list(futures))
    started: dict[str, float] = {}     # future key -> when a worker was first seen running it
    while pending:
        try:
            batch = _next_or_none(watcher, 0.5)
        except StopIteration:
            break
        for future in batch:
            i = pending.pop(future, None)
            if i is None:
                continue
            if future.status == "finished":
                value, seconds = future.result()
                finish(i, value, None, seconds)
            elif future.status == "cancelled":
                finish(i, error="cancelled")
            else:
                finish(i, error=_plain_error(future.exception()))
        if any(limits.values()) and pending:
            now = time.perf_counter()
            for key in _running_keys(client):
                started.setdefault(key, now)
            for future, i in list(pending.items()):
                limit = limits[i]
                if limit and future.key in started and now - started[future.key] > limit:
                    pending.pop(future)
                    future.cancel()
                    finish(i, error=f"still running after {limit:.0f} s (its time limit plus margin), so it was "
                                    "given up")
    return out


def _running_keys(client) -> set:
    try:
        return {key for keys in client.processing().values() for key in keys}
    except Exception:   # a scheduler that will not say: no deadline rather than a failed batch
        return set()


def _next_or_none(watcher, wait_s: float) -> list:
    """Whatever finished within `wait_s` seconds (an empty list when nothing did), so deadlines get checked."""
    deadline = time.perf_counter() + wait_s
    while time.perf_counter() < deadline:
        if watcher.has_ready():
            return watcher.next_batch(block=False)
        if watcher.is_empty():
            raise StopIteration
        time.sleep(0.05)
    return []


# ---- solving one scenario on a worker ----------------------------------------------------------------------

@dataclass(frozen=True)
class SolveJob:
    """What a worker needs to solve one school: where to read, where to write, how long it may take."""

    scenario: str            # scenario folder
    out: str                 # result folder to write
    name: str                # label in the summary (the scenario folder's name)
    margin_s: float | None = None


def solve_limit(job: SolveJob) -> float:
    """The scenario's solver.time_limit_s plus a margin (default: as much again, at least 30 s) for the
    phases that run after the time-limited MIPs (groups, budget, goals)."""
    from workbench.scenario.yamlsafe import load_yaml_file

    try:
        raw = load_yaml_file(Path(job.scenario) / "scenario.yaml") or {}
        limit = float(((raw.get("solver") or {}).get("time_limit_s")) or 60.0)
    except Exception:   # unreadable: the worker will say why; give it the default time
        limit = 60.0
    margin = job.margin_s if job.margin_s is not None else max(30.0, limit)
    return limit + margin


def solve_job(job: SolveJob) -> dict:
    """Runs on a worker: load, solve, write, then re-check the written design with the independent checker
    (`breaches` counts what it finds). Never raises for a school's own problem: the outcome says it."""
    from workbench.errors import InfeasibleDesign, ScenarioInvalid, SolveCancelled, SolverFailed
    from workbench.pipeline import solve_scenario
    from workbench.results.check import check_result, tally
    from workbench.results.io import write_result
    from workbench.scenario.validate import load_scenario

    row = {"scenario": job.name, "status": "failed", "requests_placed_pct": None, "goals_met_pct": None,
           "balance": None, "reason": "", "breaches": None, "seconds": 0.0, "result": ""}
    start = time.perf_counter()
    try:
        scenario = load_scenario(job.scenario)
    except ScenarioInvalid as exc:
        return {**row, "status": "invalid", "reason": f"the scenario has problems: {exc.summary()}",
                "seconds": round(time.perf_counter() - start, 2)}
    cancel = threading.Event()
    timer = threading.Timer(solve_limit(job), cancel.set)
    timer.daemon = True
    timer.start()
    try:
        result = solve_scenario(scenario, cancel=cancel)
    except InfeasibleDesign as exc:
        return {**row, "status": "infeasible", "reason": "; ".join(exc.reasons) or "the hard rules clash",
                "seconds": round(time.perf_counter() - start, 2)}
    except SolverFailed as exc:
        return {**row, "status": "solver failed", "reason": str(exc),
                "seconds": round(time.perf_counter() - start, 2)}
    except SolveCancelled:
        return {**row, "status": "timed out",
                "reason": f"stopped after {solve_limit(job):.0f} s (time limit plus margin); raise "
                          "solver.time_limit_s or simplify the scenario",
                "seconds": round(time.perf_counter() - start, 2)}
    except NotImplementedError as exc:
        return {**row, "reason": f"a planning step is not built yet: {exc}",
                "seconds": round(time.perf_counter() - start, 2)}
    except Exception as exc:   # a bug in one school's solve must not stop the district's batch
        return {**row, "reason": f"the solve failed unexpectedly ({_plain_error(exc)})",
                "seconds": round(time.perf_counter() - start, 2)}
    finally:
        timer.cancel()
    write_result(result, job.out)
    breaches = check_result(scenario, result)
    metrics = result.summary.get("metrics", {})
    warned = result.summary.get("warnings") or []
    if breaches:
        row["reason"] = f"{'; '.join(tally(breaches))}, first: {breaches[0]}"
    elif warned:   # what the design falls short of (a co-taught section without its co-teacher), as solve says it
        row["reason"] = f"{len(warned)} warning{'s' if len(warned) != 1 else ''}: " + "; ".join(warned)
    return {**row, "status": result.summary.get("status", "feasible"), "breaches": len(breaches),
            "requests_placed_pct": metrics.get("requests_fulfilled_pct"),
            "goals_met_pct": metrics.get("goals_met_pct"), "balance": metrics.get("budget_balance"),
            "seconds": round(time.perf_counter() - start, 2), "result": str(job.out)}


# ---- many scenarios ---------------------------------------------------------------------------------------

def expand_scenarios(paths: Iterable[str | Path]) -> list[Path]:
    """Each path is a scenario folder (it holds scenario.yaml) or a folder of them; a folder holding neither
    is kept, so that its solve reports it as broken input rather than it silently vanishing."""
    found: list[Path] = []
    for path in map(Path, paths):
        if (path / "scenario.yaml").exists() or not path.is_dir():
            found.append(path)
            continue
        children = sorted(p for p in path.iterdir() if p.is_dir() and (p / "scenario.yaml").exists())
        found.extend(children or [path])
    return found


def plan_jobs(scenarios: Sequence[Path], out_dir: Path, margin_s: float | None = None) -> list[SolveJob]:
    """One job per scenario; results go to out_dir/<scenario folder name> (made unique when names repeat)."""
    jobs, seen = [], set()
    for path in scenarios:
        name = path.name or "scenario"
        label, n = name, 2
        while label in seen:
            label, n = f"{name}-{n}", n + 1
        seen.add(label)
        jobs.append(SolveJob(str(path), str(Path(out_dir) / label), label, margin_s))
    return jobs


def summary_table(rows: Sequence[dict]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=SUMMARY_COLUMNS)


def write_summary(summary: pd.DataFrame, out_dir: Path) -> Path:
    """batch_summary.csv, replaced in one step so a reader never sees half a table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / SUMMARY_FILE
    tmp = out_dir / f".{SUMMARY_FILE}.tmp"
    summary.to_csv(tmp, index=False)
    tmp.replace(path)
    return path


def solve_batch(scenarios: Sequence[str | Path], out_dir: str | Path, *, client=None, scheduler: str | None = None,
                workers: int | None = None, margin_s: float | None = None,
                say: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Solve every scenario (folders or folders of folders) on the cluster; write each result folder and
    out_dir/batch_summary.csv; return the summary (one row per scenario, failures included)."""
    out_dir = Path(out_dir)
    jobs = plan_jobs(expand_scenarios(scenarios), out_dir, margin_s)
    if say is not None:
        say(f"{len(jobs)} scenario(s) to solve into {out_dir}")

    unsolved = 0

    def progress(p: BatchProgress) -> None:
        """One line per finished school; `failed` counts every school without a design, whatever the cause."""
        nonlocal unsolved
        latest = p.latest
        what = ""
        if latest is not None:
            row = latest.value or {}
            status = row.get("status", "failed") if latest.ok else "failed"
            what = f" — {latest.item.name}: {status}"
            reason = row.get("reason") if latest.ok else latest.error
            if status not in OK_STATUSES:
                unsolved += 1
            if reason:
                what += f" ({reason})"
        p.failed = unsolved
        if say is not None:
            say(p.line() + what)

    outcomes = map_in_cluster(solve_job, jobs, client=client, scheduler=scheduler, workers=workers,
                              timeout_s=lambda job: solve_limit(job) + 30.0, on_progress=progress, say=say)
    rows = []
    for outcome in outcomes:
        job = outcome.item
        if outcome.ok:
            rows.append(outcome.value)
        else:
            rows.append({"scenario": job.name, "status": "failed", "reason": f"the worker failed: {outcome.error}",
                         "seconds": round(outcome.seconds, 2), "result": ""})
    summary = summary_table(rows)
    write_summary(summary, out_dir)
    return summary


# ---- sweeps -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Vary:
    """One setting to vary: a dotted path and the values it takes."""

    path: str
    values: tuple = field(default_factory=tuple)


def _number(text: str):
    text = text.strip()
    try:
        value = float(text)
    except ValueError:
        low = text.lower()
        return {"true": True, "false": False}.get(low, text)
    return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value


def parse_vary(spec: str) -> Vary:
    """`funding.base_per_pupil=7000:9000:500` (start:stop:step, stop included) or `solver.name=highs,cbc`."""
    if "=" not in spec:
        raise ValueError(f"--vary {spec!r} needs a setting and values, e.g. funding.base_per_pupil=7000:9000:500")
    path, _, values = spec.partition("=")
    path = path.strip()
    if not path or not values.strip():
        raise ValueError(f"--vary {spec!r} needs a setting and values, e.g. funding.base_per_pupil=7000:9000:500")
    if ":" in values:
        parts = values.split(":")
        if len(parts) != 3:
            raise ValueError(f"--vary {spec!r}: a range is start:stop:step, e.g. 7000:9000:500")
        try:
            start, stop, step = (float(p) for p in parts)
        except ValueError:
            raise ValueError(f"--vary {spec!r}: start, stop and step must be numbers") from None
        if step <= 0 or stop < start:
            raise ValueError(f"--vary {spec!r}: the step must be above 0 and stop at least start")
        count = int(round((stop - start) / step + 1e-9)) + 1
        if count > 1000:
            raise ValueError(f"--vary {spec!r} makes {count} variants; use a larger step")
        whole = all(float(p).is_integer() for p in parts)
        found = [start + k * step for k in range(count)]
        found = [int(round(v)) if whole else round(v, 10) for v in found]
        return Vary(path, tuple(found))
    return Vary(path, tuple(_number(v) for v in values.split(",") if v.strip()))


def _label(value) -> str:
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return "".join(c if c.isalnum() or c in ".-" else "-" for c in text)


def write_variants(scenario_path: str | Path, varies: Sequence[Vary], out_dir: str | Path) -> list[Path]:
    """Every combination of the varied settings as its own scenario folder under out_dir/scenarios/, named
    for what changed, so each result traces back to the exact scenario that made it. Raises ScenarioInvalid
    when the base scenario or a varied value is not valid."""
    from pydantic import ValidationError

    from workbench.errors import Problem, ScenarioInvalid
    from workbench.scenario.model import write_scenario
    from workbench.scenario.validate import load_scenario

    base = load_scenario(scenario_path)
    stem = Path(scenario_path).resolve().name
    folders = []
    for combo in itertools.product(*(v.values for v in varies)):
        changes = {v.path: value for v, value in zip(varies, combo, strict=True)}
        what = ", ".join(f"{path}={value}" for path, value in changes.items())
        label = stem + "".join(f"__{path.split('.')[-1]}-{_label(value)}" for path, value in changes.items())
        try:
            variant = base.with_settings(**changes, name=f"{base.name} [{what}]")
        except ValidationError as exc:
            detail = exc.errors()[0]
            raise ScenarioInvalid([Problem("scenario.yaml", None, ".".join(map(str, detail["loc"])),
                                           f"the sweep sets {what}: {detail['msg']}",
                                           "choose values the setting accepts")]) from None
        folders.append(write_scenario(variant, Path(out_dir) / "scenarios" / label))
    return folders


def sweep(scenario_path: str | Path, varies: Sequence[Vary], out_dir: str | Path, **batch) -> pd.DataFrame:
    """Write the variants, then solve them all as one batch; the summary names each variant's settings."""
    folders = write_variants(scenario_path, varies, out_dir)
    summary = solve_batch(folders, out_dir, **batch)
    return with_varied_settings(summary, varies, folders, Path(out_dir))


def with_varied_settings(summary: pd.DataFrame, varies: Sequence[Vary], folders: Sequence[Path],
                         out_dir: Path) -> pd.DataFrame:
    """Add one column per varied setting (its value in each variant) and rewrite batch_summary.csv."""
    combos = dict(zip((Path(f).name for f in folders), itertools.product(*(v.values for v in varies)),
                      strict=True))
    blank = (None,) * len(varies)
    for k, v in enumerate(varies):
        summary.insert(1 + k, v.path, summary["scenario"].map(lambda name, k=k: combos.get(name, blank)[k]))
    write_summary(summary, out_dir)
    return summary


def format_summary(summary: pd.DataFrame):
    """The summary as a rich table for the terminal."""
    from rich.table import Table

    table = Table(title="batch summary")
    for column, justify in (("scenario", "left"), ("status", "left"), ("requests placed %", "right"),
                            ("goals met %", "right"), ("balance", "right"), ("reason", "left")):
        table.add_column(column, justify=justify, overflow="fold")
    for row in summary.itertuples():
        def pct(v):
            return "" if pd.isna(v) else f"{v:.1f}"
        balance = "" if pd.isna(row.balance) else f"${row.balance:,.0f}"
        table.add_row(str(row.scenario), str(row.status), pct(row.requests_placed_pct), pct(row.goals_met_pct),
                      balance, "" if pd.isna(row.reason) else str(row.reason))
    return table


# ---- the command line ------------------------------------------------------------------------------------

def is_single_scenario(paths: Sequence[Path]) -> bool:
    """`workbench solve` keeps its one-school behaviour for one path, unless it is a folder of scenarios."""
    if len(paths) != 1:
        return False
    path = Path(paths[0])
    return not path.is_dir() or (path / "scenario.yaml").exists() or expand_scenarios([path]) == [path]


def _finish_cli(summary: pd.DataFrame, out_dir: Path, started: float) -> None:
    import typer
    from rich.console import Console

    Console(width=160).print(format_summary(summary))
    bad = summary[~summary["status"].isin(OK_STATUSES)]
    typer.echo(f"{len(summary) - len(bad)} of {len(summary)} solved in {time.perf_counter() - started:.1f} s; "
               f"summary in {Path(out_dir) / SUMMARY_FILE}")
    if len(bad):
        typer.echo(f"{len(bad)} scenario(s) not solved: see the reason column", err=True)
        raise typer.Exit(1)


def run_batch_cli(scenarios: Sequence[Path], out: Path, scheduler: str | None = None,
                  workers: int | None = None) -> None:
    """`workbench solve A B C --out DIR`: progress lines, a summary table, exit 1 when any school failed."""
    import typer

    started = time.perf_counter()
    missing = [p for p in scenarios if not Path(p).exists()]
    if missing:
        typer.echo("\n".join(f"{p}: no such folder" for p in missing), err=True)
        raise typer.Exit(1)
    summary = solve_batch(scenarios, out, scheduler=scheduler, workers=workers,
                          say=lambda line: typer.echo(line, err=True))
    _finish_cli(summary, out, started)


def run_sweep_cli(scenario: Path, vary: Sequence[str], out: Path, scheduler: str | None = None,
                  workers: int | None = None) -> None:
    """`workbench sweep SCENARIO --vary a.b=1:3:1 --out DIR`: variants written, solved as one batch."""
    import typer

    from workbench.console import fail_with
    from workbench.errors import ScenarioInvalid

    started = time.perf_counter()
    if not vary:
        typer.echo("give at least one --vary, e.g. --vary funding.base_per_pupil=7000:9000:500", err=True)
        raise typer.Exit(2)
    try:
        varies = [parse_vary(v) for v in vary]
        folders = write_variants(scenario, varies, out)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    except ScenarioInvalid as exc:
        fail_with(exc)
    typer.echo(f"wrote {len(folders)} variant scenario(s) to {Path(out) / 'scenarios'}", err=True)
    summary = solve_batch(folders, out, scheduler=scheduler, workers=workers,
                          say=lambda line: typer.echo(line, err=True))
    summary = with_varied_settings(summary, varies, folders, Path(out))
    _finish_cli(summary, out, started)


# ---- a district's review of many results ---------------------------------------------------------------------

PARALLEL_FROM = 4          # below this many results a cluster costs more than it saves
RESULT_FILES = ("summary.json", "sections.csv", "enrollments.csv")


@dataclass(frozen=True)
class ReviewJob:
    """What a worker needs to review one result: where it is, its label, the bar and (optionally) the
    scenario to judge it by instead of the one its summary.json names."""

    result: str
    design: str
    bar: Bar
    scenario: str | None = None


def _is_result(path: Path) -> bool:
    return path.is_dir() and any((path / f).exists() for f in RESULT_FILES)


def expand_results(paths: Sequence[str | Path]) -> list[Path]:
    """Each path is a result folder or a folder of them (the --out of a batch solve); a folder holding
    neither is kept, so that it is reported as unreadable rather than silently vanishing."""
    found: list[Path] = []
    for path in map(Path, paths):
        if _is_result(path) or not path.is_dir():
            found.append(path)
            continue
        children = sorted(p for p in path.iterdir() if _is_result(p))
        found.extend(children or [path])
    return found


def plan_reviews(paths: Sequence[str | Path], bar: Bar, scenario: str | Path | None = None) -> list[ReviewJob]:
    """One job per result; the design is the folder name (with its parent's name when two share one)."""
    found = expand_results(paths)
    names = [p.name or str(p) for p in found]
    jobs, seen = [], set()
    for path, name in zip(found, names, strict=True):
        label = name if names.count(name) == 1 else f"{name} ({path.parent.name or path.parent})"
        base, n = label, 2
        while label in seen:
            label, n = f"{base}-{n}", n + 1
        seen.add(label)
        jobs.append(ReviewJob(str(path), label, bar, None if scenario is None else str(scenario)))
    return jobs


def review_job(job: ReviewJob, cache: dict | None = None) -> ReviewOutcome:
    """Runs on a worker (or in-process): read the result, load its scenario, judge it against the bar.
    Never raises for a result's own problem: the outcome says what is wrong in a leader's words."""
    from workbench.results.io import read_result
    from workbench.scenario.validate import load_scenario

    start = time.perf_counter()
    out = ReviewOutcome(job.design, job.result)
    try:
        result = read_result(job.result)
        where = job.scenario or result.summary.get("scenario_path")
        if not where:
            raise ScenarioInvalid([Problem(f"{job.result}/summary.json", None, "scenario_path",
                                           "does not say which scenario this result was made from",
                                           "pass --scenario <folder>")])
        key = str(Path(where).resolve())
        scenario = cache.get(key) if cache is not None else None
        if scenario is None:
            scenario = load_scenario(where)
            if cache is not None:
                cache[key] = scenario
        out.school = scenario.name
        out.subjects = sorted(school_subjects(scenario))
        out.verdicts = review_result(job.bar, scenario, result, job.design)
    except ScenarioInvalid as exc:
        out.error = exc.summary()
    except Exception as exc:   # one odd hand-edited result must not stop the district's review
        out.error = f"the review failed unexpectedly ({_plain_error(exc)})"
    out.seconds = round(time.perf_counter() - start, 2)
    return out


def review_many(paths: Sequence[str | Path], bar: Bar, scenario: str | Path | None = None, *, client=None,
                scheduler: str | None = None, workers: int | None = None, serial: bool | None = None,
                say: Callable[[str], None] | None = None) -> list[ReviewOutcome]:
    """Review every result (folders or folders of folders), one outcome each in order. In parallel on a
    Dask cluster when there are several results (PARALLEL_FROM or more), a client or a scheduler is given
    and `serial` is not set; otherwise in this process (scenarios shared between designs of one school)."""
    jobs = plan_reviews(paths, bar, scenario)
    parallel = (not serial) and (client is not None or scheduler is not None or len(jobs) >= PARALLEL_FROM)
    if say is not None:
        say(f"{len(jobs)} result(s) to review against {bar.name}")
    if not parallel:
        cache: dict = {}
        return [review_job(job, cache) for job in jobs]
    def progress(p: BatchProgress) -> None:
        if say is None or p.latest is None:
            return
        latest = p.latest
        ok = latest.ok and latest.value.ok
        what = "reviewed" if ok else f"not reviewed ({latest.error if not latest.ok else latest.value.error})"
        say(f"{p.line()} — {latest.item.design}: {what}")

    mapped = map_in_cluster(review_job, jobs, client=client, scheduler=scheduler, workers=workers,
                            on_progress=progress, say=say)
    return [m.value if m.ok else ReviewOutcome(m.item.design, m.item.result, error=f"the worker failed: {m.error}",
                                               seconds=round(m.seconds, 2))
            for m in mapped]
