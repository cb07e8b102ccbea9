"""A scenario in memory: typed settings plus one pandas table per CSV file.

Loading then writing then loading gives identical tables (see `write_scenario`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import yaml

from workbench.atomic import claim_folder
from workbench.scenario.schema import TABLES, TableSpec, split_list
from workbench.scenario.settings import Settings


def _no_assessments() -> pd.DataFrame:
    """The assessments table of a scenario without assessments.csv: no cycle yet."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in TABLES["assessments"].columns})


@dataclass
class Scenario:
    settings: Settings
    students: pd.DataFrame
    courses: pd.DataFrame
    requests: pd.DataFrame
    staff: pd.DataFrame
    roles: pd.DataFrame
    rooms: pd.DataFrame
    goals: pd.DataFrame
    supports: pd.DataFrame
    pins: pd.DataFrame
    assessments: pd.DataFrame = field(default_factory=lambda: _no_assessments())   # optional (SPEC §5)
    path: Path | None = None
    raw_settings: dict = field(default_factory=dict)   # scenario.yaml as written, for round trips

    # ---- convenience views used by several planning steps -------------------------------------
    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def periods(self) -> list[int]:
        return list(range(1, self.settings.school.periods_per_day + 1))

    @property
    def days(self) -> list[int]:
        return list(range(1, self.settings.school.days + 1))

    @property
    def teaching_periods(self) -> list[int]:
        """Periods in which sections may meet (all but the intervention periods)."""
        blocked = set(self.settings.school.intervention_periods)
        return [p for p in self.periods if p not in blocked]

    def table(self, name: str) -> pd.DataFrame:
        return getattr(self, name)

    def copy(self) -> Scenario:
        """A deep copy, for what-ifs that must not touch the original."""
        tables = {name: self.table(name).copy() for name in TABLES}
        return replace(self, settings=self.settings.model_copy(deep=True),
                       raw_settings=copy.deepcopy(self.raw_settings), **tables)

    def with_settings(self, **changes) -> Scenario:
        """A copy with settings changed by dotted paths: `with_settings(**{"funding.base_per_pupil": 9000})`."""
        raw = copy.deepcopy(self.settings.model_dump(mode="python"))
        for dotted, value in changes.items():
            node = raw
            *parents, last = dotted.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[last] = value
        out = self.copy()
        out.settings = Settings.model_validate(raw)
        out.raw_settings = raw
        return out

    def staff_subjects(self) -> dict[str, list[str]]:
        return {row.staff_id: split_list(row.subjects) for row in self.staff.itertuples()}


def settings_to_yaml(scenario: Scenario) -> str:
    data = scenario.raw_settings or scenario.settings.model_dump(mode="python")
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _format_cell(value, kind: str):
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if kind == "flag":
        return int(value)
    if kind == "float" and float(value).is_integer():
        return repr(float(value))
    return value


def write_table(frame: pd.DataFrame, spec: TableSpec, path: Path) -> None:
    """One table as its CSV file, cells written so that reading them back gives the same typed table."""
    out = frame.copy()
    for column, kind in spec.columns.items():
        if column in out.columns:
            out[column] = [_format_cell(v, kind) for v in out[column]]
    out.to_csv(path, index=False)


SCENARIO_FILES = frozenset({"scenario.yaml", "README.md", *(spec.file for spec in TABLES.values())})


def not_a_scenario_folder(folder: Path) -> str | None:
    """Why a scenario must not be written over `folder` (a phrase completing "<folder> ..."), or None: only
    an empty folder, or one holding nothing but a scenario's own files, may be replaced."""
    foreign = sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir() if p.name not in SCENARIO_FILES)
    if not foreign:
        return None
    shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
    return f"holds {shown}, which the workbench did not write: give a new or empty folder"


def write_scenario_files(scenario: Scenario, folder: Path) -> None:
    """scenario.yaml and every table of `scenario` into an existing (new, empty) folder; an optional file
    whose table is empty is left out."""
    (folder / "scenario.yaml").write_text(settings_to_yaml(scenario), encoding="utf-8")
    for spec in TABLES.values():
        frame = scenario.table(spec.name)
        if spec.optional_file and frame.empty:
            continue
        write_table(frame, spec, folder / spec.file)


def write_scenario(scenario: Scenario, folder: str | Path) -> Path:
    """Write the scenario as a folder, atomically: a failure leaves any existing folder untouched. Replaces
    only an empty folder or an earlier scenario folder, never the working folder or one holding it; raises
    `FolderRefused` (a plain sentence) otherwise."""
    folder = Path(folder)
    protect = [(Path.cwd(), "the folder you are working in")]
    with claim_folder(folder, not_a_scenario_folder, protect) as claim, claim.write() as tmp:
        write_scenario_files(scenario, tmp)
        if scenario.path is not None:
            readme = Path(scenario.path) / "README.md"
            if readme.exists():
                (tmp / "README.md").write_text(readme.read_text(encoding="utf-8"), encoding="utf-8")
    return folder
