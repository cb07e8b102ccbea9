"""A result in memory and on disk (SPEC §2). Written atomically; read back for check, compare and review.

A result folder says what it is: summary.json carries `"format": "workbench-result/1"`. A folder is only
replaced by a new result when it is empty or holds a previous result and nothing else, and only a result
folder is read (folders written before the marker existed are recognised by their SPEC §2 files)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from workbench.atomic import Claim, claim_folder
from workbench.errors import Problem, ScenarioInvalid
from workbench.scenario.load import read_table
from workbench.scenario.schema import Blank, TableSpec
from workbench.verify.result import RESULT_TABLES, Result, empty_table

RESULT_FORMAT = "workbench-result/1"
# summary.json fields that measure the run (seconds), not the design: all that two solves may differ in
TIMING_FIELDS = frozenset({"build_s", "solve_s", "total_s", "solver_s", "timings", "seconds"})
# SPEC §2 columns that are not text: their kind (`workbench.scenario.schema`), and those whose cells may be blank
# (a section or a session with no period, a staff member with no rating), which the checker names as breaches
KINDS = {"period": "int", "day": "int", "minutes": "int", "new_hire": "flag", "met": "flag",
         "annual_cost": "float", "cost": "float", "amount": "float", "effectiveness": "float"}
MAY_BE_BLANK = {"period": Blank(None, "no period: a breach the checker names"),
                "day": Blank(None, "no day: a breach the checker names"),
                "minutes": Blank(None, "no length: a breach the checker names"),
                "effectiveness": Blank(None, "no rating")}
# tables a result may add (`Result.extra`) whose columns are known: read as strictly as the SPEC §2 tables
EXTRA_COLUMNS = {"team_planning": {"leader_id": "str", "staff_id": "str", "periods": "list"}}


def result_spec(name: str) -> TableSpec:
    """How `<name>.csv` of a result folder is read (`workbench.scenario.load.read_table`): a SPEC §2 table's
    columns typed by `KINDS` (any other column kept as text), a known extra table's columns, or (any other extra
    table) text columns whatever they are. Every file is optional: a missing one reads as empty."""
    columns = RESULT_TABLES.get(name)
    required = ({c: KINDS.get(c, "str") for c in columns} if columns is not None else EXTRA_COLUMNS.get(name, {}))
    return TableSpec(name, f"{name}.csv", required, optional_file=True,
                     blanks={c: b for c, b in MAY_BE_BLANK.items() if c in required})


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
                 protect: Iterable[tuple[str | Path, str]] = (), verbatim: dict[str, Path] | None = None) -> Path:
    """Write every table and summary.json (marked with RESULT_FORMAT) at once. `folder` is replaced only
    when it is empty or holds a previous result (any folder of files with `force`); otherwise, or while
    another write holds it, FolderRefused is raised and nothing changes. An error leaves any previous
    result untouched. `claim`: a claim already held on `folder` (see `claim_result_folder`). `verbatim`:
    file name -> a file copied byte for byte in place of that table (a regroup keeps the schedule so)."""
    verbatim = verbatim or {}
    with contextlib.ExitStack() as stack:
        if claim is None:
            claim = stack.enter_context(claim_result_folder(folder, force=force, protect=protect))
        with claim.write() as tmp:
            for name, columns in RESULT_TABLES.items():
                if f"{name}.csv" in verbatim:
                    continue
                frame = result.table(name)
                extra_cols = [c for c in frame.columns if c not in columns]
                frame.reindex(columns=columns + extra_cols).to_csv(tmp / f"{name}.csv", index=False)
            for name, frame in result.extra.items():
                if f"{name}.csv" not in verbatim:
                    frame.to_csv(tmp / f"{name}.csv", index=False)
            for name, source in verbatim.items():
                shutil.copyfile(source, tmp / name)
            summary = {"format": RESULT_FORMAT, **result.summary}
            (tmp / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    result.path = Path(folder)
    return Path(folder)


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
    lines: dict[str, tuple[pd.DataFrame, pd.Series]] = {}
    names = [*RESULT_TABLES, *(p.stem for p in sorted(folder.glob("*.csv")) if p.stem not in RESULT_TABLES)]
    for name in names:
        frame, found = read_table(folder, result_spec(name))
        problems += found
        if name in RESULT_TABLES and not (folder / f"{name}.csv").exists():
            frame = empty_table(name)
        else:
            lines[name] = (frame, frame.pop("__line__"))
        tables[name] = frame
    summary: dict = {}
    if (folder / "summary.json").exists():
        try:
            summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            problems.append(Problem("summary.json", getattr(exc, "lineno", None), None,
                                    "is not valid JSON", "rewrite it or solve again"))
        except OSError as exc:
            problems.append(Problem("summary.json", None, None, f"cannot be read ({exc.strerror or exc})",
                                    "give your account read access to the file"))
    if problems:
        raise ScenarioInvalid(problems)
    extra = {name: frame for name, frame in tables.items() if name not in RESULT_TABLES}
    return Result(**{name: tables[name] for name in RESULT_TABLES}, summary=summary, extra=extra, path=folder,
                  lines=lines)
