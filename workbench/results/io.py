"""A result in memory and on disk (SPEC §2). Written atomically; read back for check, compare and review."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from workbench.errors import Problem, ScenarioInvalid
from workbench.results.atomic import atomic_folder

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


def write_result(result: Result, folder: str | Path) -> Path:
    """Write every table and summary.json at once; an error leaves any previous result untouched."""
    folder = Path(folder)
    with atomic_folder(folder) as tmp:
        for name, columns in RESULT_TABLES.items():
            frame = result.table(name)
            extra_cols = [c for c in frame.columns if c not in columns]
            frame.reindex(columns=columns + extra_cols).to_csv(tmp / f"{name}.csv", index=False)
        for name, frame in result.extra.items():
            frame.to_csv(tmp / f"{name}.csv", index=False)
        (tmp / "summary.json").write_text(json.dumps(result.summary, indent=2, default=str) + "\n",
                                          encoding="utf-8")
    result.path = folder
    return folder


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


def read_result(folder: str | Path) -> Result:
    """Read a result folder (for instance one edited by hand). Raises `ScenarioInvalid` with one
    problem per unreadable file; missing optional tables are empty."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ScenarioInvalid([Problem(str(folder), None, None, "is not a result folder",
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
