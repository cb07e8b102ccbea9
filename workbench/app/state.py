"""One browser session's workbench: the scenario being edited, its results, and the solve in progress.

Everything a session can change lives on a `Workbench` instance built per session (see
`workbench.app.serve.build_app`), never in module globals, so two people at a workshop never see each
other's edits. The class holds no planning logic: it calls the same public functions as the CLI.
"""

from __future__ import annotations

import csv
import re
import tempfile
import threading
from dataclasses import replace
from pathlib import Path

import pandas as pd
import param

from workbench.app.folders import OutsideServedFolders, confine, resolve_roots, result_folders, shown_name
from workbench.atomic import FolderRefused as WriteRefused
from workbench.errors import InfeasibleDesign, Problem, ScenarioInvalid, SolveCancelled, SolverFailed
from workbench.goals.words import plain_reason
from workbench.progress import ProgressEvent
from workbench.results.io import Result, read_result
from workbench.scenario.load import read_table, strip_lines
from workbench.scenario.model import Scenario, write_scenario, write_table
from workbench.scenario.schema import TABLES
from workbench.scenario.validate import broken_tables, check_scenario, load_scenario

PHASES = ["staffing", "schedule", "groups", "budget", "goals"]
EDITABLE_TABLES = ["students", "courses", "requests", "staff", "roles", "supports", "goals"]
MAX_UPLOAD_BYTES = 200 * 2**20   # a OneRoster zip of a large school is a few MB
FOLDER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$")


def _stamp(folder: Path) -> tuple:
    """What a folder's files look like now (name, size, modification time): a changed file is re-read."""
    try:
        return tuple(sorted((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in Path(folder).iterdir()
                            if f.is_file()))
    except OSError:
        return ()


_LOADED: dict[Path, tuple[tuple, object]] = {}   # folder -> (stamp, Scenario | ScenarioInvalid | Result)
_LOADED_LOCK = threading.Lock()


def _cached(folder: Path, read):
    """Read a folder once per server process while its files are unchanged. Every browser session of a
    workshop opens the same scenario: validating riverside-middle takes ~0.4 s (seconds on a busy machine),
    which every new session used to pay again before its first page appeared."""
    folder = Path(folder).resolve()
    stamp = _stamp(folder)
    with _LOADED_LOCK:
        hit = _LOADED.get(folder)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    try:
        value = read(folder)
    except ScenarioInvalid as exc:
        value = exc
    with _LOADED_LOCK:
        _LOADED[folder] = (stamp, value)
    return value


def cell_text(value) -> str:
    """A model value as its cell's text: what the table shows and what the CSV file would hold."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def type_cell(name: str, row: pd.Series, column: str, text: str, line: int) -> tuple[object, list[Problem]]:
    """One typed-in cell as `workbench validate` reads it: its typed value, or the problems validate would
    name (same file, column and words; `line` is the row's line in the file, header = line 1).

    validate.py reads whole files, so this writes the row (its other cells as the model holds them) to a
    one-row CSV and reads it back with the same public reader, `read_table`; only what it says of the edited
    column counts. A cell of a column the schema does not know is kept as written."""
    spec = TABLES[name]
    if column not in spec.columns:
        return str(text), []
    header = list(dict.fromkeys([*spec.required, column]))
    cells = [text if c == column else cell_text(row.get(c)) for c in header]
    with tempfile.TemporaryDirectory(prefix="workbench-cell-") as tmp:
        with open(Path(tmp) / spec.file, "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([header, cells])
        typed, problems = read_table(Path(tmp), spec)
    mine = [replace(p, row=line) for p in problems if p.column == column and p.row == 2]
    if mine:
        return None, mine
    if typed.empty:   # a row left wholly blank: validate skips such a line, the table cannot hold it
        return None, [Problem(spec.file, line, column, "would leave the whole row blank", "undo the edit")]
    value = typed[column].iloc[0]
    return (None if pd.isna(value) else value), []


def open_scenario(folder: Path) -> Scenario:
    """The validated scenario of a folder, as this session's own copy (edits never reach another session);
    raises `ScenarioInvalid` as `load_scenario` does."""
    loaded = _cached(folder, load_scenario)
    if isinstance(loaded, ScenarioInvalid):
        raise loaded
    copy = loaded.copy()
    copy.path = Path(folder)
    return copy


def existing_result(folder: Path) -> Result | None:
    """A result saved beside a scenario (`<scenario>/result/`), so a workshop can open on a solved design.
    Sessions share the tables (nothing edits a result in place: a re-judgement makes a new Result).
    A `result` that is, or holds, a link out of the scenario folder is not read: it would serve another
    folder than the one the server was started with."""
    try:
        candidate = confine(str(Path(folder) / "result"), resolve_roots([folder]))
    except OutsideServedFolders:
        return None
    if (candidate / "summary.json").exists():
        found = _cached(candidate, read_result)
        if isinstance(found, ScenarioInvalid):
            return None
        return replace(found, summary=dict(found.summary), extra=dict(found.extra))
    return None


def headline(scenario: Scenario, result: Result) -> str:
    """The status line's figures in plain words: goals met, requests placed (alternates said aloud), and
    the money as `workbench.plan.money` defines it (recurring balance first)."""
    from workbench.goals.words import percent, requests_placed_text
    from workbench.plan.money import money_of

    m = result.summary.get("metrics", {})
    return (f"{result.summary.get('status', '')}; goals met {percent(m.get('goals_met_pct', 0))}, requests "
            f"placed {requests_placed_text(scenario, result)}, {money_of(result, scenario).sentence()}")


def _settings_flat(scenario: Scenario) -> dict[str, object]:
    out: dict[str, object] = {}

    def walk(prefix: str, node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(f"{prefix}.{key}" if prefix else str(key), value)
        else:
            out[prefix] = node
    walk("", scenario.settings.model_dump())
    return out


def describe_changes(base: Scenario, scenario: Scenario) -> list[str]:
    """What `scenario` changed from `base`, one line each: a setting with its old and new value, a table
    with how many rows were changed, added or removed. Empty when nothing changed."""
    lines = []
    old, new = _settings_flat(base), _settings_flat(scenario)
    for key in sorted(set(old) | set(new)):
        if key != "name" and old.get(key) != new.get(key):
            lines.append(f"{key}: {old.get(key)} → {new.get(key)}")
    for name in EDITABLE_TABLES:
        a, b = base.table(name), scenario.table(name)
        if a.shape == b.shape and a.astype(str).reset_index(drop=True).equals(b.astype(str).reset_index(drop=True)):
            continue
        common = min(len(a), len(b))
        cols = [c for c in a.columns if c in b.columns]
        changed = int((a[cols].iloc[:common].astype(str).to_numpy() != b[cols].iloc[:common].astype(str).to_numpy())
                      .any(axis=1).sum()) if common and cols else 0
        parts = [f"{changed} row(s) changed"] if changed else []
        if len(b) > len(a):
            parts.append(f"{len(b) - len(a)} added")
        if len(a) > len(b):
            parts.append(f"{len(a) - len(b)} removed")
        lines.append(f"{TABLES[name].file}: " + (", ".join(parts) or "edited"))
    return lines


def _with_cell(table: pd.DataFrame, row: int, column: str, value) -> pd.DataFrame:
    """The table with one typed cell replaced, each column keeping its dtype where the value allows."""
    original = table[column].dtype
    cells = table[column].astype(object)
    if value is None:
        value = float("nan") if original.kind == "f" else (pd.NA if str(original) == "Int64" else "")
    cells.iloc[row] = value
    try:
        cells = cells.astype(original)
    except (TypeError, ValueError):
        pass
    out = table.copy()
    out[column] = cells
    return out


class Workbench(param.Parameterized):
    """The state of one session. Views depend on its parameters; buttons call its methods."""

    scenario_name = param.Selector(default=None, objects=[], doc="the scenario folder being worked on")
    scenario = param.Parameter(default=None, doc="the Scenario as edited in this session")
    result = param.Parameter(default=None, doc="the Result shown on the result pages")
    results = param.Dict(default={}, doc="every result of this session, by label, for Compare")
    problems = param.List(default=[], doc="Problems found by the last check of the edited scenario")
    status = param.String(default="Pick a scenario, then press Solve.")
    progress = param.Integer(default=0, bounds=(0, 100))
    solving = param.Boolean(default=False)
    edits = param.Integer(default=0, doc="bumped when a table or setting is edited")
    judged = param.Integer(default=0, doc="bumped when the goals are re-judged without a re-solve, so only "
                                          "the Students page redraws (the other pages do not read goals)")
    restored = param.Integer(default=0, doc="bumped by Undo and Reset: the editors show the scenario again")
    stale = param.Boolean(default=False, doc="the scenario was edited after the result shown was solved")
    design_name = param.String(default="", doc="the name the next solved design gets, e.g. 'MCL pilot, 22'")
    import_report = param.String(default="", doc="IMPORT-REPORT.md of the last school imported, shown as text")

    def __init__(self, scenario_paths: list[str | Path] | None = None, result_roots: list[str | Path] = (),
                 **params):
        """`scenario_paths` are the folders given to `workbench serve`; they and `result_roots` (its
        --results folders) are all this session may read a result from."""
        super().__init__(**params)
        self.paths: dict[str, Path] = {}
        for path in scenario_paths or []:
            path = Path(path)
            self.paths[path.name] = path
        self.roots: list[Path] = resolve_roots([*self.paths.values(), *result_roots])
        self.param.scenario_name.objects = list(self.paths)
        self._cancel: threading.Event | None = None
        self._thread: threading.Thread | None = None
        self._event: ProgressEvent | None = None
        self._outcome: tuple[str, object] | None = None
        self._runs = 0
        self._lock = threading.Lock()
        self._solving_scenario: Scenario | None = None
        self._breaches: list[str] = []
        self._tally: list[str] = []   # "2 breaches of the hard rules", "1 goal marked wrong"
        self._dirty: set[str] = set()   # tables edited since the last clean check: only these are re-read
        self._edit_lock = threading.RLock()   # a threaded server may run two edits of one session at once
        self.made_from: dict[str, Scenario] = {}   # result label -> the scenario it was solved from
        self.base: Scenario | None = None          # the scenario as its folder holds it, for "what changed"
        self.history: list[Scenario] = []          # the scenario before each edit, for Undo
        if self.paths:
            self.open(next(iter(self.paths)))

    # ---- opening and editing ------------------------------------------------------------------
    def add_path(self, path: str | Path) -> str:
        """A scenario folder this session made (Save as): it may be opened and read like the served ones."""
        path = Path(path)
        self.paths[path.name] = path
        self.roots = resolve_roots([*self.roots, path])
        self.param.scenario_name.objects = list(self.paths)
        return path.name

    def result_folders(self) -> list[str]:
        """The result folders inside the served folders, as the Compare page names them."""
        return result_folders(self.roots)

    def bar_files(self) -> dict[str, Path]:
        """District bars inside the served folders (YAML files with `criteria:`, scenario.yaml aside, at
        most two levels down), by the name the page shows; nothing outside the served folders is read."""
        found: dict[str, Path] = {}
        for root in self.roots:
            for path in sorted([*root.glob("*.yaml"), *root.glob("*/*.yaml"), *root.glob("*.yml")])[:200]:
                if path.name == "scenario.yaml" or path.is_symlink() or not path.is_file():
                    continue
                try:
                    inside = path.resolve()
                    name = shown_name(inside, self.roots)   # raises for a path leading outside
                    with open(inside, encoding="utf-8", errors="replace") as handle:
                        head = handle.read(20_000)
                except (OutsideServedFolders, OSError, RuntimeError):
                    continue
                if re.search(r"^criteria\s*:", head, re.MULTILINE):
                    found.setdefault(name, inside)
        return found

    def review(self, bar_name: str, label: str):
        """One design (by label) against a bar of `bar_files()`: (bar, label, verdicts, overall verdict in
        words), or a sentence saying why it could not be reviewed."""
        from workbench.goals.review import load_bar, overall, review_result

        path = self.bar_files().get(bar_name)
        result = self.results.get(label)
        if path is None or result is None:
            return "Pick a district bar and a design."
        try:
            bar = load_bar(path)
        except ScenarioInvalid as exc:
            return f"{bar_name} is not a district bar: " + "; ".join(str(p) for p in exc.problems[:5])
        scenario = self.made_from.get(label, self.scenario)
        try:
            verdicts = review_result(bar, scenario, result, label)
        except ScenarioInvalid as exc:
            return f"{bar_name} cannot judge this school: " + "; ".join(str(p) for p in exc.problems[:5])
        return bar, label, verdicts, overall(verdicts)

    def add_result_folder(self, typed: str) -> str | None:
        """Open a result folder a person typed, for Compare; only inside the served folders. Returns its
        label, or None with the reason in `status`."""
        try:
            folder = confine(typed, self.roots)
            loaded = read_result(folder)
        except OutsideServedFolders as exc:
            self.status = f"Not opened: {exc}."
            return None
        except ScenarioInvalid as exc:
            self.status = (f"Could not read {shown_name(folder, self.roots)}: "
                           + "; ".join(str(p) for p in exc.problems[:5]))
            return None
        except OSError as exc:
            self.status = f"Could not read {shown_name(folder, self.roots)}: {exc.strerror or exc}"
            return None
        label = f"{shown_name(folder, self.roots)} (folder)"
        self.results = {**self.results, label: loaded}
        self.status = f"Added {label} to the designs to compare."
        return label

    def open(self, name: str) -> bool:
        """Load a scenario folder; on bad input show its problems instead of a traceback."""
        path = self.paths[name]
        try:
            scenario = open_scenario(path)
        except ScenarioInvalid as exc:
            self.problems = exc.problems
            self.status = f"{name} cannot be planned as it stands: {len(exc.problems)} problem(s) listed below."
            with param.parameterized.discard_events(self):
                self.scenario_name = name
            return False
        self.problems = []
        self._dirty = set()
        self.base, self.history = scenario, []
        found = existing_result(path)
        with param.parameterized.batch_call_watchers(self):
            self.scenario_name = name
            self.scenario = scenario
            self.result = found
            self.stale = False
            if found is not None:
                self.made_from[f"{name} (saved)"] = scenario
                self.results = {**self.results, f"{name} (saved)": found}
            self.status = (f"Opened {scenario.name}: {len(scenario.students)} students, "
                           f"{len(scenario.staff)} staff. "
                           + ("Showing the saved result." if found is not None else "Press Solve to plan it."))
        return True

    @param.depends("scenario_name", watch=True)
    def _on_pick(self):
        if self.scenario_name is not None and (self.scenario is None or self.scenario.path is None
                                               or Path(self.scenario.path).name != self.scenario_name):
            self.open(self.scenario_name)

    def set_table(self, name: str, frame: pd.DataFrame) -> None:
        """Replace one table of the edited scenario (a what-if); the original folder is untouched."""
        if name not in EDITABLE_TABLES:
            raise ValueError(f"{name} is not an editable table")
        with self._edit_lock:
            self._remember()
            scenario = self.scenario.copy()
            setattr(scenario, name, frame.reset_index(drop=True).copy())
            self.scenario = scenario
            self._dirty.add(name)
        self._edited()

    def _remember(self) -> None:
        """Keep the scenario as it is before an edit, for Undo (the last 50 edits)."""
        self.history = [*self.history[-49:], self.scenario]

    def _edited(self) -> None:
        self.edits += 1
        if self.result is not None:
            self.stale = True

    def undo(self) -> bool:
        """Put back the scenario as it was before the last edit; False when there is nothing to undo."""
        with self._edit_lock:
            if not self.history:
                self.status = "Nothing to undo."
                return False
            previous = self.history[-1]
            self.history = self.history[:-1]
            self.scenario, self._dirty = previous, set(EDITABLE_TABLES)
            self.problems = []
        self._edited()
        self.restored += 1
        self.status = f"Undid the last edit ({len(self.history)} more to undo)."
        return True

    def reset(self) -> bool:
        """Put back the scenario as its folder holds it, dropping every edit (solved designs are kept)."""
        if self.base is None:
            return False
        with self._edit_lock:
            self._remember()
            self.scenario, self._dirty, self.problems = self.base.copy(), set(), []
            self.scenario.path = self.base.path
        self._edited()
        self.restored += 1
        self.status = "Every edit undone: the scenario is as its folder holds it. (Undo brings the edits back.)"
        return True

    def changes(self, label: str | None = None) -> list[str]:
        """What a design (by label; the scenario being edited when None) changed from its folder's scenario."""
        scenario = self.made_from.get(label) if label is not None else self.scenario
        if scenario is None or self.base is None:
            return []
        return describe_changes(self.base, scenario)

    def edit_cell(self, name: str, row: int, column: str, text: str) -> bool:
        """One cell typed into a table (row counted from 0), checked on entry as `workbench validate` checks
        it. A value its column cannot hold ("abc" in max_sections) is not kept: the model keeps the old value
        and `problems` names the cell. A value it can hold is kept, and the whole scenario is checked again
        at once, so a clash with another table (an unknown role) is named as soon as it is typed."""
        spec = TABLES[name]
        with self._edit_lock:
            table = self.scenario.table(name)
            if column not in table.columns or not 0 <= row < len(table):
                return False
            value, problems = type_cell(name, table.iloc[row], column, "" if text is None else str(text),
                                        line=row + 2)
            if problems:
                others = [p for p in self.problems if not (p.file == spec.file and p.row == row + 2
                                                           and p.column == column)]
                self.problems = problems + others
                self.status = f"Not kept: {problems[0]}"
                return False
            self.set_table(name, _with_cell(table, row, column, value))
            if self.check() is not None:
                self.status = f"Kept {spec.file} line {row + 2} {column} = {value if value is not None else '(blank)'}."
        return True

    def set_setting(self, dotted: str, value) -> bool:
        """Change one setting by its scenario.yaml path, e.g. `funding.base_per_pupil`; False (and the
        reason in `problems`) when the value is not allowed, and the setting keeps its value."""
        node = self.scenario.settings
        for part in dotted.split("."):
            node = getattr(node, part, None)
        if node is not None and node == value and type(node) is type(value):
            return True   # the same value again (a box sends it on Enter and on leaving): not an edit
        try:
            with self._edit_lock:
                before = self.scenario
                self.scenario = self.scenario.with_settings(**{dotted: value})
                self.history = [*self.history[-49:], before]
        except ValueError as exc:   # pydantic's ValidationError is a ValueError
            self.problems = [Problem("scenario.yaml", None, dotted, f"{value!r} is not allowed here",
                                     str(exc).splitlines()[-1].strip())]
            return False
        self._edited()
        return True

    def check(self) -> Scenario | None:
        """Validate the edited scenario as `workbench validate` would, naming the same file, row and column,
        and return the typed scenario when it can be planned.

        Only the tables edited since the last clean check are written out and read back (that is where a
        typed-in cell can be wrong: "abc" in a whole-number column); the untouched tables are already typed.
        The cross-table checks then run on the whole scenario in memory, so a goal naming an unknown
        student or a staff member with an unknown role is still caught. On riverside-middle this takes
        ~0.1 s where writing and re-reading the whole folder took ~0.3-0.9 s, which is what keeps a goals
        what-if under two seconds."""
        with self._edit_lock:
            return self._check()

    def _check(self) -> Scenario | None:
        candidate = self.scenario.copy()
        read_problems: list[Problem] = []
        if self._dirty:
            with tempfile.TemporaryDirectory(prefix="workbench-check-") as tmp:
                for name in sorted(self._dirty):
                    spec = TABLES[name]
                    frame = candidate.table(name)
                    try:
                        if not (spec.optional_file and frame.empty):
                            write_table(frame, spec, Path(tmp) / spec.file)
                    except (OSError, ValueError, TypeError) as exc:
                        self.problems = [Problem(spec.file, None, None, f"could not be written: {exc}",
                                                 "undo the last edit")]
                        return None
                    typed, problems = read_table(Path(tmp), spec)
                    setattr(candidate, name, typed)
                    read_problems += problems
        problems = sorted(read_problems + check_scenario(candidate, broken_tables(read_problems)),
                          key=lambda p: (p.file, p.row or 0))
        if problems:
            self.problems = problems
            self.status = f"{len(problems)} problem(s) in the edited scenario: see the tables."
            return None
        self.problems = []
        checked = strip_lines(candidate)
        checked.path = self.scenario.path
        with param.parameterized.discard_events(self):
            self.scenario = checked   # typed now: the next check need not read these tables again
        self._dirty = set()
        return checked

    def _new_folder(self, folder_name: str) -> Path | None:
        """A new scenario folder beside the served ones, named by the person; None (and why, in the status)
        for a name that is not a plain folder name or a folder that exists."""
        folder_name = folder_name.strip()
        if not FOLDER_NAME.match(folder_name):
            self.status = ("A new scenario needs a folder name of letters, digits, '-', '_' or '.', "
                           "for example riverside-mcl-pilot.")
            return None
        here = self.scenario.path if self.scenario is not None and self.scenario.path else None
        base = Path(here).parent if here else (next(iter(self.paths.values())).parent if self.paths else Path.cwd())
        target = base / folder_name
        if target.exists():
            self.status = f"{target} already exists: pick another name so nothing is overwritten."
            return None
        return target

    def _upload_fits(self, data: bytes, refused: str) -> bool:
        """An uploaded file is non-empty and at most MAX_UPLOAD_BYTES; otherwise the status says `refused`
        with the size allowed."""
        if data and len(data) <= MAX_UPLOAD_BYTES:
            return True
        self.status = f"{refused} of at most {MAX_UPLOAD_BYTES // 2**20} MB."
        return False

    def import_oneroster(self, data: bytes, folder_name: str, school: str | None = None,
                         key_path: Path | None = None) -> Path | None:
        """A school from a OneRoster 1.1 export (the zip's bytes, as uploaded) becomes a new scenario folder
        beside the served ones, with pseudonyms made by the district's key (see docs/import-export.md) and
        IMPORT-REPORT.md shown in `import_report`. Problems with the file are shown in the status, one line
        each, as `workbench import` prints them. Returns the folder, or None."""
        from workbench.interop.commands import import_school, read_school

        target = self._new_folder(folder_name)
        if target is None:
            return None
        if not self._upload_fits(data, "Not imported: give a OneRoster export as a .zip file"):
            return None
        with tempfile.TemporaryDirectory(prefix="workbench-import-") as holder:
            upload = Path(holder) / "oneroster.zip"
            upload.write_bytes(data)
            try:
                done = import_school(read_school("oneroster", upload, school or None), target, key_path, upload)
            except ScenarioInvalid as exc:
                self.status = "Not imported: " + "; ".join(str(p) for p in exc.problems[:5]) + (
                    f" (and {len(exc.problems) - 5} more)" if len(exc.problems) > 5 else "")
                return None
            except WriteRefused as exc:
                self.status = f"Not imported: {exc}."
                return None
        self.add_path(done.folder)
        self.import_report = (done.folder / "IMPORT-REPORT.md").read_text(encoding="utf-8")
        self.status = (f"Imported {done.folder.name}: pick it in the scenario list. Read the import report below: "
                       "it lists every default to check.")
        return done.folder

    def save_as(self, folder_name: str) -> Path | None:
        """Keep this design as a new scenario folder beside the original (written atomically)."""
        target = self._new_folder(folder_name)
        if target is None:
            return None
        if self.check() is None:
            return None
        try:
            write_scenario(self.scenario, target)
        except WriteRefused as exc:
            self.status = f"Not saved: {exc}."
            return None
        self.add_path(target)
        self.status = f"Saved this design as {target}."
        return target

    # ---- solving ------------------------------------------------------------------------------
    def start_solve(self) -> bool:
        """Check, then plan in a worker thread so the page stays responsive; `poll` reports progress."""
        if self.solving or self.scenario is None:
            return False
        checked = self.check()
        if checked is None:
            return False
        self._cancel = threading.Event()
        self._event, self._outcome = None, None
        self._solving_scenario = checked
        self.solving, self.progress = True, 0
        self.status = "Solving: starting…"
        self._thread = threading.Thread(target=self._work, args=(checked, self._cancel), daemon=True,
                                        name="workbench-solve")
        self._thread.start()
        return True

    def _work(self, scenario: Scenario, cancel: threading.Event) -> None:
        from workbench.pipeline import solve_scenario
        from workbench.results.check import check_result, tally

        def on_event(event: ProgressEvent) -> None:
            with self._lock:
                self._event = event

        try:
            result = solve_scenario(scenario, progress=on_event, cancel=cancel)
            on_event(ProgressEvent("goals", "re-checking every hard rule independently", 1.0))
            outcome = ("done", result)
            found = check_result(scenario, result)
            self._breaches, self._tally = [str(b) for b in found], tally(found)
        except InfeasibleDesign as exc:
            outcome = ("infeasible", exc.reasons)
        except SolverFailed as exc:
            outcome = ("error", str(exc))
        except SolveCancelled:
            outcome = ("cancelled", None)
        except NotImplementedError as exc:
            outcome = ("error", f"a planning step is not available yet ({exc})")
        except Exception as exc:  # noqa: BLE001 — shown to the person, never a traceback in the page
            outcome = ("error", f"{type(exc).__name__}: {exc}")
        with self._lock:
            self._outcome = outcome

    def cancel(self) -> None:
        if self._cancel is not None and self.solving:
            self._cancel.set()
            self.status = "Cancelling: the solver stops at its next check…"

    def poll(self) -> bool:
        """Copy the worker's latest progress into the parameters; called from the session's event loop.
        Returns True while the solve is still running."""
        if not self.solving:
            return False
        with self._lock:   # take the outcome once, so a failing view can never count a solve twice
            event, outcome = self._event, self._outcome
            self._event, self._outcome = None, None
        if event is not None:
            index = PHASES.index(event.phase) if event.phase in PHASES else 0
            within = event.fraction or 0.0
            self.progress = min(99, int(100 * (index + within) / len(PHASES)))
            text = f"Solving ({event.elapsed_s:.0f} s): {event.message}"
            if event.incumbent is not None:
                text += f" — best so far {event.incumbent:,.1f}"
            self.status = text
        if outcome is None:
            return True
        kind, payload = outcome
        self.solving = False
        if kind == "done":
            self._runs += 1
            label = self._label()
            payload.summary = {**payload.summary, "label": label}
            self.made_from[label] = self._solving_scenario
            with param.parameterized.batch_call_watchers(self):
                self.results = {**self.results, label: payload}
                self.result = payload
                self.stale = False
                self.progress = 100
                self.status = f"Solved {label}: {headline(self._solving_scenario, payload)}. "
                self.status += (f"Independent check: {'; '.join(self._tally)}: "
                                + "; ".join(self._breaches[:5]) if self._breaches
                                else "Independent check: every hard rule holds.")
        elif kind == "infeasible":
            self.progress = 0
            self.status = "This design cannot work as it stands: " + plain_reason(" ".join(payload))
        elif kind == "cancelled":
            self.progress = 0
            self.status = "Cancelled: the previous result is unchanged."
        else:
            self.progress = 0
            self.status = f"The solve stopped: {payload}"
        return False

    def _label(self) -> str:
        """The solved design's name: the one typed (made unique), else `<scenario> #<n>`."""
        typed = " ".join(self.design_name.split())[:80]
        label = typed or f"{self.scenario_name} #{self._runs}"
        n = 2
        while label in self.results:
            label, n = f"{typed or self.scenario_name} ({n})", n + 1
        return label

    def wait(self, timeout: float | None = None) -> None:
        """Block until the worker finishes (notebooks and benchmarks; the app polls instead)."""
        if self._thread is not None:
            self._thread.join(timeout)
        self.poll()

    # ---- what-ifs without a re-solve ----------------------------------------------------------
    def reevaluate(self) -> bool:
        """Judge every student's goals (as edited) against the current result, without re-solving."""
        from workbench.goals.evaluate import evaluate_goals, summary_metrics

        if self.result is None:
            self.status = "Solve first: there is no design to judge the goals against."
            return False
        checked = self.check()
        if checked is None:
            return False
        result = replace(self.result, extra=dict(self.result.extra))
        result.student_goals = evaluate_goals(checked, result)
        result.summary = {**result.summary, "metrics": summary_metrics(checked, result)}
        with param.parameterized.discard_events(self):
            self.result = result   # staffing, schedule, groups and budget are unchanged: no redraw there
        self.judged += 1
        met = result.student_goals["met"].astype(int)
        self.status = f"Goals re-checked without re-solving: {int(met.sum())} of {len(met)} met."
        return True

    # ---- the assessment cycle -----------------------------------------------------------------
    def regroup_from(self, data: bytes) -> bool:
        """"Regroup from new results": an uploaded assessments.csv (the CSV's bytes) re-forms the small groups
        of the result shown, as `workbench regroup` does (same code), and the regrouped design is shown and kept
        for Compare. Problems with the file are listed in the status, one per line as `workbench validate`
        words them; nothing changes then."""
        from workbench.cycle import RegroupRefused, regroup_result

        if self.result is None or self.solving:
            self.status = "Solve first: regrouping re-forms the small groups of a design."
            return False
        checked = self.check()
        if checked is None:
            return False
        if not self._upload_fits(data, "Not regrouped: give an assessments.csv (student_id, subject, cycle, level)"):
            return False
        spec = TABLES["assessments"]
        with tempfile.TemporaryDirectory(prefix="workbench-assessments-") as tmp:
            (Path(tmp) / spec.file).write_bytes(data)
            typed, problems = read_table(Path(tmp), spec)
        candidate = checked.copy()
        candidate.assessments = typed
        problems = sorted(problems + [p for p in check_scenario(candidate, broken_tables(problems))
                                      if p.file == spec.file], key=lambda p: p.row or 0)
        if problems or typed.empty:
            shown = [str(p) for p in problems[:8]] or [f"{spec.file}: holds no results"]
            more = f" (and {len(problems) - 8} more)" if len(problems) > 8 else ""
            self.status = "Not regrouped: " + "; ".join(shown) + more
            return False
        candidate = strip_lines(candidate)
        try:
            result = regroup_result(candidate, self.result)
        except RegroupRefused as exc:
            self.status = f"Not regrouped: {exc}"
            return False
        except (InfeasibleDesign, SolverFailed) as exc:
            self.status = f"Not regrouped: {plain_reason(str(exc))}"
            return False
        label = f"{self.result.summary.get('label', self.scenario_name)} → cycle {result.summary['cycle']}"
        result.summary = {**result.summary, "label": label}
        self.made_from[label] = candidate
        s = result.summary
        with param.parameterized.batch_call_watchers(self):
            self.results = {**self.results, label: result}
            self.result = result
            self.status = (f"Regrouped {label}: {s['students_moved']} moved, {s['students_exited_on_track']} left "
                           f"on track, {s['students_newly_served']} newly served. See who moves and why below.")
        return True
