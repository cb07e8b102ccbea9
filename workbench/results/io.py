"""A result in memory and on disk (SPEC §2). Written atomically; read back for check, compare and review.

A result folder says what it is: summary.json carries `"format": "workbench-result/1"`. A folder is only
replaced by a new result when it is empty or holds a previous result and nothing else, and only a result
folder is read (folders written before the marker existed are recognised by their SPEC §2 files)."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from workbench.errors import Problem, ScenarioInvalid
from workbench.results.atomic import Claim, claim_folder

# SPEC §2: file stem -> columns, in order.
RESULT_TABLES: dict[str, list[str]] = {
    "sections": ["section_id", "course_id", "staff_id", "room_id", "period"],
    "enrollments": ["student_id", "section_id"],
    "groups": ["group_id", "staff_id", "subject"],
    "group_sessions": ["group_id", "day", "period", "minutes"],
    "group_members": ["group_id", "student_id"],
    "staffing": ["staff_id", "role", "new_hire", "annual_cost", "leader_id", "subjects", "effectiveness"],
    "student_supports": ["student_id", "support", "cost"],
    "budget": ["kind", "category", "item", "amount"],
    "student_goals": ["student_id", "goal", "subject", "target", "provided", "met", "reason"],
}
# SPEC §4: optional result columns, written only by a design that uses the calendar (blank = every term/day)
OPTIONAL_RESULT_COLUMNS: dict[str, list[str]] = {
    "sections": ["term", "day_type", "co_staff_id"],
    "group_sessions": ["term"],
}
RESULT_FORMAT = "workbench-result/1"
# summary.json fields that measure the run (seconds), not the design: all that two solves may differ in
TIMING_FIELDS = frozenset({"build_s", "solve_s", "total_s", "solver_s", "timings", "seconds"})
INT_COLUMNS = {"period", "day", "minutes"}
FLOAT_COLUMNS = {"annual_cost", "cost", "amount", "effectiveness"}
FLAG_COLUMNS = {"new_hire", "met"}


def empty_table(name: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in RESULT_TABLES[name]})


@dataclass
class Result:
    """The tables of SPEC §2 plus summary.json; `extra` holds further tables written as `<name>.csv`
    (per-student revenue, the unserved-tutoring report, the three-year budget...)."""

    sections: pd.DataFrame = field(default_factory=lambda: empty_table("sections"))
    enrollments: pd.DataFrame = field(default_factory=lambda: empty_table("enrollments"))
    groups: pd.DataFrame = field(default_factory=lambda: empty_table("groups"))
    group_sessions: pd.DataFrame = field(default_factory=lambda: empty_table("group_sessions"))
    group_members: pd.DataFrame = field(default_factory=lambda: empty_table("group_members"))
    staffing: pd.DataFrame = field(default_factory=lambda: empty_table("staffing"))
    student_supports: pd.DataFrame = field(default_factory=lambda: empty_table("student_supports"))
    budget: pd.DataFrame = field(default_factory=lambda: empty_table("budget"))
    student_goals: pd.DataFrame = field(default_factory=lambda: empty_table("student_goals"))
    summary: dict = field(default_factory=dict)
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)
    path: Path | None = None

    def table(self, name: str) -> pd.DataFrame:
        return getattr(self, name)


def not_a_result(folder: str | Path) -> str | None:
    """Why `folder` is not a result folder (a phrase: "has no summary.json"), or None when it is one:
    summary.json names the result format, or (a result written before the marker) summary.json and every
    SPEC §2 table are there."""
    folder = Path(folder)
    if not folder.is_dir():
        return "does not exist" if not os.path.lexists(folder) else "is not a folder"
    summary = folder / "summary.json"
    if not summary.is_file():
        return "has no summary.json"
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(summary.read_text(encoding="utf-8"))
        if isinstance(data, dict) and str(data.get("format", "")).startswith("workbench-result/"):
            return None
    missing = [f"{name}.csv" for name in RESULT_TABLES if not (folder / f"{name}.csv").is_file()]
    if missing:
        return f"has no {', '.join(missing[:3])}{' …' if len(missing) > 3 else ''}"
    return None


def _not_ours(folder: Path) -> list[str]:
    """Entries a result never holds: anything but plain .csv files and summary.json."""
    return sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir()
                  if p.is_symlink() or not p.is_file() or not (p.suffix == ".csv" or p.name == "summary.json"))


def _listed(names: list[str]) -> str:
    return ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")


def may_replace(folder: Path, force: bool = False) -> str | None:
    """Why a new result must not replace the folder at `folder` (a phrase completing "<folder> ..."), or
    None: an empty folder or a previous result may be replaced; with `force`, any folder of loose files."""
    entries = list(folder.iterdir())
    if not entries:
        return None
    subfolders = [p.name + "/" for p in entries if p.is_dir() and not p.is_symlink()]
    if force:
        return (None if not subfolders else
                f"holds folders ({_listed(subfolders)}); even --force replaces only a folder of files")
    reason = not_a_result(folder)
    if reason is not None:
        return (f"is not a workbench result (it {reason}) and holds {_listed(sorted(p.name for p in entries))}: "
                "give a new or empty folder")
    foreign = _not_ours(folder)
    if foreign:
        return (f"holds a result and also {_listed(foreign)}, which the workbench did not write: move them, "
                "give another folder, or add --force to replace them all")
    return None


@contextlib.contextmanager
def claim_result_folder(folder: str | Path, *, force: bool = False,
                        protect: Iterable[tuple[str | Path, str]] = ()) -> Iterator[Claim]:
    """Hold `folder` for a result (checked, locked, tidied; see `atomic.claim_folder`) from before a solve
    until it is written. The working folder is always protected. Raises FolderRefused with a plain
    sentence when the folder may not be written."""
    kept = [*protect, (Path.cwd(), "the folder you are working in")]
    with claim_folder(folder, lambda path: may_replace(path, force), kept) as claim:
        yield claim


def write_result(result: Result, folder: str | Path, *, claim: Claim | None = None, force: bool = False,
                 protect: Iterable[tuple[str | Path, str]] = ()) -> Path:
    """Write every table and summary.json (marked with RESULT_FORMAT) at once. `folder` is replaced only
    when it is empty or holds a previous result (any folder of files with `force`); otherwise, or while
    another write holds it, FolderRefused is raised and nothing changes. An error leaves any previous
    result untouched. `claim`: a claim already held on `folder` (see `claim_result_folder`)."""
    with contextlib.ExitStack() as stack:
        if claim is None:
            claim = stack.enter_context(claim_result_folder(folder, force=force, protect=protect))
        with claim.write() as tmp:
            for name, columns in RESULT_TABLES.items():
                frame = result.table(name)
                extra_cols = [c for c in frame.columns if c not in columns]
                frame.reindex(columns=columns + extra_cols).to_csv(tmp / f"{name}.csv", index=False)
            for name, frame in result.extra.items():
                frame.to_csv(tmp / f"{name}.csv", index=False)
            summary = {"format": RESULT_FORMAT, **result.summary}
            (tmp / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    result.path = Path(folder)
    return Path(folder)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for column in frame.columns:
        if column in INT_COLUMNS:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
        elif column in FLOAT_COLUMNS:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
        elif column in FLAG_COLUMNS:
            frame[column] = frame[column].map(
                lambda v: 1 if str(v).strip().lower() in ("1", "true", "yes") else 0).astype("int64")
    return frame


def design_summary(value: object) -> object:
    """summary.json (or any part of it) without its timing fields: what two solves of one scenario and
    seed must agree on, on an idle or a busy machine."""
    if isinstance(value, dict):
        return {k: design_summary(v) for k, v in value.items() if k not in TIMING_FIELDS}
    if isinstance(value, list):
        return [design_summary(v) for v in value]
    return value


def read_result(folder: str | Path) -> Result:
    """Read a result folder (for instance one edited by hand). Raises `ScenarioInvalid` with one
    problem per unreadable file, or one problem when `folder` is not a result folder at all; missing
    optional tables are empty."""
    folder = Path(folder)
    reason = not_a_result(folder)
    if reason is not None:
        raise ScenarioInvalid([Problem(str(folder), None, None, f"is not a result folder (it {reason})",
                                       "give the --out folder of `workbench solve`")])
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    for name, columns in RESULT_TABLES.items():
        path = folder / f"{name}.csv"
        if not path.exists():
            tables[name] = empty_table(name)
            continue
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            problems.append(Problem(path.name, None, None, f"cannot be read: {exc}".splitlines()[0],
                                    "rewrite it as a CSV with a header row"))
            continue
        frame.columns = [c.strip() for c in frame.columns]
        frame = frame.apply(lambda s: s.str.strip())
        for column in columns:
            if column not in frame.columns:
                problems.append(Problem(path.name, 1, column, "required column is missing",
                                        f"add a {column} column"))
        tables[name] = _typed(frame)
    summary: dict = {}
    if (folder / "summary.json").exists():
        try:
            summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            problems.append(Problem("summary.json", getattr(exc, "lineno", None), None,
                                    "is not valid JSON", "rewrite it or solve again"))
    if problems:
        raise ScenarioInvalid(problems)
    extra = {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(folder.glob("*.csv"))
             if p.stem not in RESULT_TABLES}
    return Result(**tables, summary=summary, extra=extra, path=folder)
