"""Reading an SIS export safely: a folder or a zip, CSV through pandas, XML through defusedxml.

Every file is treated as hostile. A zip may not name a path outside its folder (`../`, an absolute path,
a link) and may not unpack to more than MAX_TOTAL_BYTES, counted on the bytes actually read (a zip's
headers can lie). XML may not declare entities (the "billion laughs" and external-entity attacks).
Whatever is wrong becomes a `Problem` naming the file, the row (a CSV line as a spreadsheet shows it, or
an XML line) and the column or element: never a traceback.
"""

from __future__ import annotations

import csv
import io
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

import pandas as pd
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from workbench.errors import Problem, ScenarioInvalid

MAX_TOTAL_BYTES = 1 << 30          # 1 GiB unpacked: a 10,000-student district export is well under 100 MB
MAX_FILES = 2_000
LINE = "{workbench}line"           # the XML line of an element, kept as an attribute while reading


@dataclass
class Source:
    """The files of an export by name (`orgs.csv`), read from a folder or from a zip."""

    path: Path
    names: list[str] = field(default_factory=list)
    _zip: zipfile.ZipFile | None = None
    _members: dict[str, zipfile.ZipInfo] = field(default_factory=dict)
    _read: int = 0

    @property
    def label(self) -> str:
        return self.path.name

    def has(self, name: str) -> bool:
        return name in self.names

    def read(self, name: str) -> bytes:
        """The bytes of one file; the zip's unpacked total is bounded across all reads, a folder's files each."""
        if self._zip is None:
            path = self.path / name
            if path.stat().st_size > MAX_TOTAL_BYTES:
                raise ScenarioInvalid([Problem(name, None, None, f"is larger than {MAX_TOTAL_BYTES:,} bytes: refused",
                                               "export fewer schools at once")])
            return path.read_bytes()
        room = MAX_TOTAL_BYTES - self._read
        with self._zip.open(self._members[name]) as handle:
            data = handle.read(room + 1)
        self._read += len(data)
        if len(data) > room:
            raise ScenarioInvalid([Problem(self.label, None, None, f"unpacks to more than {MAX_TOTAL_BYTES:,} bytes "
                                           f"(reading {name}): refused as a possible zip bomb",
                                           "unzip it yourself and import the folder, or export fewer schools")])
        return data

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def open_source(path: Path) -> Source:
    """A folder or a zip of SIS files. Raises ScenarioInvalid for a missing path or an unsafe zip."""
    path = Path(path)
    if path.is_dir():
        return Source(path, sorted(p.name for p in path.iterdir() if p.is_file()))
    if not path.exists():
        raise ScenarioInvalid([Problem(str(path), None, None, "not found", "give the folder or zip of the export")])
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ScenarioInvalid([Problem(path.name, None, None, f"is neither a folder nor a readable zip ({exc})",
                                       "give the folder of the export, or the zip the SIS wrote")]) from None
    try:
        return _zip_source(path, archive)
    except ScenarioInvalid:
        archive.close()
        raise


def _zip_source(path: Path, archive: zipfile.ZipFile) -> Source:
    problems, members = [], {}
    infos = archive.infolist()
    if len(infos) > MAX_FILES:
        raise ScenarioInvalid([Problem(path.name, None, None, f"holds {len(infos):,} files, more than an export has",
                                       "import the folder of the export instead")])
    declared = 0
    for info in infos:
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        mode = info.external_attr >> 16
        if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
            problems.append(Problem(path.name, None, name, "names a path outside the zip's folder: refused",
                                    "make the zip again from the export's folder"))
            continue
        if stat.S_ISLNK(mode):
            problems.append(Problem(path.name, None, name, "is a link: refused", "make the zip again without links"))
            continue
        if info.is_dir():
            continue
        declared += info.file_size
        members.setdefault(parts[-1], info)
    if declared > MAX_TOTAL_BYTES:
        problems.append(Problem(path.name, None, None, f"would unpack to {declared:,} bytes, more than "
                                f"{MAX_TOTAL_BYTES:,}: refused as a possible zip bomb",
                                "unzip it yourself and import the folder, or export fewer schools"))
    if problems:
        raise ScenarioInvalid(problems)
    return Source(path, sorted(members), archive, members)


FORMULA_FIX = "rename it in the SIS: a spreadsheet opening the scenario would run it as a formula"


# ---- CSV ---------------------------------------------------------------------------------------------
def read_csv(source: Source, name: str, required: list[str]) -> pd.DataFrame:
    """A CSV file as text cells (trimmed, blanks as ""), with `line__` the spreadsheet line of each row.

    Raises ScenarioInvalid naming the file (and line, column) when it is not UTF-8, not CSV, or lacks a
    required column."""
    data = source.read(name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ScenarioInvalid([Problem(name, line, None, f"is not UTF-8 text (byte 0x{data[exc.start]:02x})",
                                       "export it again as UTF-8 CSV")]) from None
    if not text.strip():
        raise ScenarioInvalid([Problem(name, 1, None, "is empty", "export it again with its header row")])
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True)
    except pd.errors.ParserError as exc:
        raise ScenarioInvalid([Problem(name, _parser_line(str(exc)), None, f"is not valid CSV ({_first(exc)})",
                                       "check the quotes and commas on that line")]) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ScenarioInvalid([Problem(name, 1, c, "column is missing", f"add the {c} column (OneRoster 1.1)")
                               for c in missing])
    frame = frame.apply(lambda column: column.str.strip())
    frame["line__"] = _lines(text, len(frame))
    return frame


def _first(exc: Exception) -> str:
    return str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__


def _parser_line(message: str) -> int | None:
    """pandas says 'Expected 5 fields in line 7, saw 6': line 7 of the file."""
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def _lines(text: str, rows: int) -> list[int]:
    """The file line on which each data row starts (quoted cells may span lines; blank lines are skipped)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    lines, start = [], 1
    header = True
    try:
        for record in reader:
            if header:
                header = False
            elif record and any(cell.strip() for cell in record):
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error:
        return [None] * rows          # pandas read it; only the courtesy of line numbers is lost
    if len(lines) != rows:
        return [None] * rows
    return lines


# ---- XML ---------------------------------------------------------------------------------------------
class _LineParser(DefusedXMLParser):
    """defusedxml's parser (no entities, no external references) that also remembers each element's line,
    so a problem can name it."""

    def _start(self, tag, attr_list):
        element = super()._start(tag, attr_list)
        element.set(LINE, str(self.parser.CurrentLineNumber))
        return element


def parse_xml(source: Source, name: str) -> Element:
    """The root element of an XML file, namespaces dropped from tags (`{http://ed-fi.org/5.2.0}Section` ->
    `Section`), so every Ed-Fi version reads alike. Entity declarations are refused."""
    data = source.read(name)
    parser = _LineParser(target=TreeBuilder(), forbid_dtd=False, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException:
        raise ScenarioInvalid([Problem(name, None, None, "declares XML entities, which an SIS export never needs: "
                                       "refused (a way to attack a program reading it)",
                                       "export the file again from the SIS")]) from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        raise ScenarioInvalid([Problem(name, line, None, f"is not well-formed XML at character {column} "
                                       f"({str(exc).split(':')[0]})", "export the file again from the SIS")]) from None
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.rsplit("}", 1)[1]
    return root


def line_of(element: Element) -> int | None:
    value = element.get(LINE)
    return int(value) if value else None
