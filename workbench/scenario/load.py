"""Read a scenario folder into a `Scenario`, turning every problem into a `Problem` line (never a traceback).

`read_scenario` checks each file on its own (presence, YAML syntax and settings, columns, cell types);
`workbench.scenario.validate` adds the checks across tables (references, duplicates, impossible values).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import yaml
from pydantic import ValidationError

from workbench.errors import Problem, debug_requested
from workbench.scenario.model import Scenario
from workbench.scenario.schema import PERSONAL_COLUMNS, TABLES, TableSpec
from workbench.scenario.settings import Settings
from workbench.scenario.yamlsafe import YamlRefused, parse_yaml

YAML_FILE = "scenario.yaml"
TRUE = {"1", "true", "yes", "y", "t"}
FALSE = {"0", "false", "no", "n", "f"}
INT_LIMIT = 10**15   # beyond this no count, cost or size is meant, and int64 would overflow
# A whole number as a person writes one in a cell: ASCII digits, a sign, and the ".0" a spreadsheet may add.
# Python's float() also takes "1e2", "1_0" and other scripts' digits; a count of periods written "1e2" is a
# slip, not 100, so such a cell is refused like any other non-number.
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.0*)?")


def _yaml_line_of(root: yaml.Node | None, loc: tuple) -> int | None:
    """The line of the YAML node at pydantic location `loc` (or of its nearest existing parent)."""
    node, line = root, (root.start_mark.line + 1 if root is not None else None)
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if str(k.value) == str(part)), None)
            if match is None:
                break
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line


def yaml_line(folder: Path | None, loc: tuple) -> int | None:
    """The line of the setting at `loc` (e.g. `("school", "intervention_periods", 0)`) in scenario.yaml."""
    if folder is None:
        return None
    try:
        return _yaml_line_of(yaml.compose((Path(folder) / YAML_FILE).read_text(encoding="utf-8-sig")), loc)
    except Exception:   # noqa: BLE001 - a line number is a courtesy; the message stands without it
        return None


def read_settings(folder: Path) -> tuple[Settings | None, dict, list[Problem]]:
    """scenario.yaml as typed settings; any failure, however odd, becomes a Problem."""
    try:
        return _read_settings(folder)
    except PermissionError:
        return None, {}, [Problem(YAML_FILE, None, None, "cannot be opened: permission denied",
                                  "give your account read access to the file")]
    except Exception as exc:   # noqa: BLE001 - bad input must never reach the user as a traceback
        if debug_requested():
            raise
        return None, {}, [Problem(YAML_FILE, None, None, f"cannot be read ({exc.__class__.__name__}: {exc})",
                                  "save it again as plain UTF-8 text, starting from scenarios/tutorial")]


def _read_settings(folder: Path) -> tuple[Settings | None, dict, list[Problem]]:
    path = folder / YAML_FILE
    if path.is_dir():
        return None, {}, [Problem(YAML_FILE, None, None, "is a folder, not a file",
                                  "replace it with the scenario.yaml file")]
    if not path.is_file():
        return None, {}, [Problem(YAML_FILE, None, None, "file is missing",
                                  "add scenario.yaml with name, school and funding (see SPEC §1)")]
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, {}, [Problem(YAML_FILE, data[:exc.start].count(b"\n") + 1, None,
                                  f"is not UTF-8 text (byte 0x{data[exc.start]:02x} on this line)",
                                  "save it as UTF-8 text")]
    try:
        root, raw = parse_yaml(text)
    except YamlRefused as exc:
        return None, {}, [Problem(YAML_FILE, exc.line, None, exc.message, exc.fix)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, {}, [Problem(YAML_FILE, line, None, f"malformed YAML: {what}",
                                  "fix the indentation or punctuation on that line")]
    if not isinstance(raw, dict):
        return None, {}, [Problem(YAML_FILE, 1, None, "must be a mapping of settings (name:, school:, funding:)",
                                  "start from scenarios/tutorial/scenario.yaml")]
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(part for part in err["loc"] if part != "[key]")
            column = ".".join(str(p) for p in loc)
            given = err.get("input")
            message = err["msg"].replace("Input should be", "should be").replace("Field required", "is missing")
            if err["type"] != "missing" and not isinstance(given, dict | list):
                message = f"{message} (found {given!r})"
            fix = f"add {column} (see SPEC §1 scenario.yaml)" if err["type"] == "missing" else \
                "correct this setting (see SPEC §1 scenario.yaml)"
            problems.append(Problem(YAML_FILE, _yaml_line_of(root, loc), column, message, fix))
        return None, raw, problems
    return settings, raw, []


def _read_csv(path: Path, spec: TableSpec) -> tuple[pd.DataFrame | None, list[Problem]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return None, [Problem(spec.file, line, None, f"is not UTF-8 text (byte 0x{data[exc.start]:02x} on this line)",
                              "save it as CSV UTF-8 from your spreadsheet")]
    try:
        rows = list(csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n"))))
    except csv.Error as exc:   # NUL bytes, a cell longer than the csv module allows
        return None, [Problem(spec.file, None, None, f"is not a readable CSV file ({exc})",
                              "save it again as CSV UTF-8 from your spreadsheet")]
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        return None, [Problem(spec.file, 1, None, "file is empty", "add a header row: " + ", ".join(spec.required))]
    header = [h.strip() for h in rows[0]]
    for separator, called in ((";", "semicolons"), ("\t", "tabs")):
        if len(header) == 1 and separator in header[0]:   # a spreadsheet saved with a European or TSV setting
            return None, [Problem(spec.file, 1, None, f"columns are separated by {called}, not commas",
                                  "save it again as CSV (comma delimited)")]
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, name in enumerate(header):
        if not name:
            problems.append(Problem(spec.file, 1, f"column {i + 1}", "header is blank", "name the column or delete it"))
        elif name in seen:
            problems.append(Problem(spec.file, 1, name, "column appears twice", "keep one of them"))
        seen.add(name)
    if problems:
        return None, problems
    lengths = {len(row) for row in rows[1:] if any(cell.strip() for cell in row)}
    if len(rows) > 2 and len(lengths) == 1 and lengths != {len(header)}:
        # one root cause, one line: the header, not every row, is what is off
        return None, [Problem(spec.file, 1, None, f"the header has {len(header)} columns but every row has "
                              f"{lengths.pop()} cells", "check the header for a missing or extra column name")]
    body = []
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue   # blank lines are skipped, but line numbers still count them
        if len(row) != len(header):
            problems.append(Problem(spec.file, line_no, None,
                                    f"has {len(row)} cells but the header has {len(header)}",
                                    "check for a stray comma or a missing value"))
            continue
        body.append([line_no] + [cell.strip() for cell in row])
    frame = pd.DataFrame(body, columns=["__line__", *header], dtype=object)
    return frame, problems


def _coerce(frame: pd.DataFrame, spec: TableSpec) -> tuple[pd.DataFrame, list[Problem]]:
    """Turn string cells into each column's kind; blank optional cells become missing."""
    problems: list[Problem] = []
    out = frame.copy()
    for column, kind in spec.columns.items():
        if column not in out.columns:
            continue
        required = column in spec.required
        values = []
        for line, cell in zip(out["__line__"], out[column], strict=True):
            if cell == "":
                if required and kind not in ("list", "str") and column not in spec.blanks:
                    problems.append(Problem(spec.file, line, column, "is empty", f"fill in {column}"))
                values.append(None)
                continue
            try:
                if kind == "int":
                    if not WHOLE_NUMBER.fullmatch(cell):
                        raise ValueError
                    number = float(cell)
                    if abs(number) > INT_LIMIT:
                        problems.append(Problem(spec.file, line, column, f"{cell!r} is far too large",
                                                "write a realistic whole number"))
                        values.append(None)
                        continue
                    values.append(int(number))
                elif kind == "float":
                    number = float(cell)
                    if number != number or number in (float("inf"), float("-inf")):
                        raise ValueError
                    values.append(number)
                elif kind == "flag":
                    low = cell.lower()
                    if low not in TRUE | FALSE:
                        raise ValueError
                    values.append(1 if low in TRUE else 0)
                else:
                    values.append(cell)
            except ValueError:
                expected = {"int": "a whole number", "float": "a number", "flag": "0 or 1 (or true/false)"}[kind]
                problems.append(Problem(spec.file, line, column, f"{cell!r} is not {expected}",
                                        f"write {expected}"))
                values.append(None)
        if kind in ("int", "flag"):
            series = pd.Series(values, index=out.index, dtype="Int64" if not required else object)
            if required and not any(v is None for v in values):
                series = series.astype("int64")
            elif required:
                series = series.astype("Int64")
        elif kind == "float":
            series = pd.Series([float("nan") if v is None else v for v in values], index=out.index, dtype="float64")
        else:
            series = pd.Series(["" if v is None else v for v in values], index=out.index, dtype=object)
        out[column] = series if required and column not in spec.blanks else _blank_means(spec, column, series)
    return out, problems


def _missing(kind: str, index: pd.Index) -> pd.Series:
    """A left-out optional column: every cell blank, in the column's type."""
    if kind == "float":
        return pd.Series(float("nan"), index=index, dtype="float64")
    if kind in ("int", "flag"):
        return pd.Series(pd.NA, index=index, dtype="Int64")
    return pd.Series("", index=index, dtype=object)


def _blank_means(spec: TableSpec, column: str, series: pd.Series) -> pd.Series:
    """An optional column (or a required one whose cells may be blank) with its blanks read as SPEC §1 says
    (`schema.Blank`): a default filled in, so no step has to know it (`fte` 1, `reach` 0), or kept missing in a
    nullable column (`capacity`: no limit)."""
    blank = spec.blanks.get(column)
    if blank is None or blank.value is None:
        return series
    return series.fillna(blank.value).astype("int64" if spec.columns[column] in ("int", "flag") else "float64")


def _empty(spec: TableSpec) -> pd.DataFrame:
    return pd.DataFrame({"__line__": pd.Series(dtype="int64"), **{c: pd.Series(dtype=object) for c in spec.columns}})


def read_table(folder: Path, spec: TableSpec) -> tuple[pd.DataFrame, list[Problem]]:
    """One table, typed, with a `__line__` column (the CSV line of each row) for later messages.

    Any failure, however odd (binary garbage, a folder where the file should be, no permission), becomes a
    Problem: a school leader should never see a traceback.
    """
    try:
        return _read_table(folder, spec)
    except PermissionError:
        return _empty(spec), [Problem(spec.file, None, None, "cannot be opened: permission denied",
                                      "give your account read access to the file")]
    except Exception as exc:   # noqa: BLE001
        if debug_requested():
            raise
        return _empty(spec), [Problem(spec.file, None, None, f"cannot be read ({exc.__class__.__name__}: {exc})",
                                      "save it again as CSV UTF-8 from your spreadsheet")]


def _read_table(folder: Path, spec: TableSpec) -> tuple[pd.DataFrame, list[Problem]]:
    path = folder / spec.file
    if path.is_dir():
        return _empty(spec), [Problem(spec.file, None, None, "is a folder, not a file", "replace it with the CSV file")]
    if not path.is_file():
        if spec.optional_file:
            return _empty(spec), []
        return _empty(spec), [Problem(spec.file, None, None, "file is missing",
                               "add it with the columns " + ", ".join(spec.required))]
    frame, problems = _read_csv(path, spec)
    if frame is None:
        return _empty(spec), problems
    missing = [c for c in spec.required if c not in frame.columns]
    for column in missing:
        problems.append(Problem(spec.file, 1, column, "required column is missing", f"add a {column} column"))
    if spec.name in ("students", "staff"):
        for column in frame.columns:
            if column.lower().replace(" ", "_").replace("-", "_") in PERSONAL_COLUMNS:
                problems.append(Problem(spec.file, 1, column, "this column identifies a person",
                                        "delete it: scenarios hold pseudonymous IDs only"))
    if missing:
        return _empty(spec), problems
    typed, type_problems = _coerce(frame, spec)
    for column, kind in spec.optional.items():
        if column not in typed.columns:
            typed[column] = _blank_means(spec, column, _missing(kind, typed.index))
    return typed.reset_index(drop=True), problems + type_problems


def read_parts(folder: str | Path) -> tuple[Settings | None, dict, dict[str, pd.DataFrame], list[Problem]]:
    """Settings (None when scenario.yaml is unusable), raw YAML, every table, and all problems found.

    Tables are read even when the settings are not, so that one run shows every problem in the folder.
    """
    folder = Path(folder)
    try:
        is_folder = folder.is_dir()
    except OSError:
        is_folder = False
    if not is_folder:
        return None, {}, {}, [Problem(str(folder), None, None, "is not a scenario folder",
                                      "give the path of a folder holding scenario.yaml and the CSV tables")]
    settings, raw, problems = read_settings(folder)
    tables = {}
    for spec in TABLES.values():
        tables[spec.name], table_problems = read_table(folder, spec)
        problems += table_problems
    return settings, raw, tables, problems


def read_scenario(folder: str | Path) -> tuple[Scenario | None, list[Problem]]:
    """Read every file; return the scenario (None when it cannot be built) and all problems found."""
    folder = Path(folder)
    settings, raw, tables, problems = read_parts(folder)
    if settings is None:
        return None, problems
    scenario = Scenario(settings=settings, path=folder, raw_settings=raw, **tables)
    return scenario, problems


def strip_lines(scenario: Scenario) -> Scenario:
    """Drop the `__line__` bookkeeping column once validation no longer needs it. A table whose rows are not
    on lines 2, 3, … (a blank line in the file) keeps its lines in `attrs["csv_lines"]`, for `csv_line`."""
    for spec in TABLES.values():
        frame = scenario.table(spec.name)
        if "__line__" in frame.columns:
            lines = [int(n) for n in frame["__line__"]]
            stripped = frame.drop(columns="__line__")
            if lines != list(range(2, len(lines) + 2)):
                stripped.attrs["csv_lines"] = lines
            setattr(scenario, spec.name, stripped)
    return scenario


def csv_line(frame: pd.DataFrame, position: int) -> int:
    """The line of the CSV file that the row at `position` (0-based) was read from: from `__line__` while
    validating, from `strip_lines`' record after, else counted from line 2 (a table made in memory)."""
    if "__line__" in frame.columns:
        return int(frame["__line__"].iloc[position])
    lines = frame.attrs.get("csv_lines")
    if lines is not None and len(lines) == len(frame):
        return int(lines[position])
    return position + 2
