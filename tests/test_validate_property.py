"""Whatever a spreadsheet, an editor or a bad download does to a scenario folder, `workbench validate` answers
with plain lines and exit code 0 or 1, never a traceback.

Hypothesis corrupts the mini school at random: cells replaced by text, blanks, huge numbers or unicode;
columns dropped or renamed; files deleted, truncated or replaced by bytes; scenario.yaml garbled; rows repeated.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from workbench.cli import app
from workbench.scenario import validate_scenario

MINI = Path(__file__).resolve().parent / "data" / "mini"
ORIGINAL = {path.name: path.read_bytes() for path in sorted(MINI.iterdir())}
CSV_FILES = sorted(name for name in ORIGINAL if name.endswith(".csv"))
ALL_FILES = sorted(ORIGINAL) + ["pins.csv"]

odd_cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "-1", "0", "1e400", "99999999999999999999999", "nan", "inf", "-0", "3.5",
                     "leader", "1;2;99", ";;", '"', "S01", "M6", "teacher", "é", "\u202e", "0x10", "true"]),
    st.integers(min_value=-10**30, max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


@st.composite
def corruption(draw):
    """One random edit, as a function from the folder's files {name: bytes} to new files."""
    kind = draw(st.sampled_from(["cell", "cell", "cell", "drop_column", "rename_column", "delete", "truncate",
                                 "garble_yaml", "yaml_value", "duplicate_row", "bytes", "pins"]))
    name = draw(st.sampled_from(CSV_FILES))
    pick = draw(st.integers(min_value=0, max_value=10**6))
    pick2 = draw(st.integers(min_value=0, max_value=10**6))
    text = draw(odd_cells)
    blob = draw(st.binary(max_size=40))

    def apply(files: dict[str, bytes]) -> None:
        if kind == "delete":
            files.pop(ALL_FILES[pick % len(ALL_FILES)], None)
            return
        if kind in ("garble_yaml", "yaml_value"):
            data = files.get("scenario.yaml", b"")
            at = pick % (len(data) + 1)
            if kind == "garble_yaml":
                files["scenario.yaml"] = data[:at] + blob + data[at + pick2 % 5:]
            else:   # a value after some colon replaced by odd text
                colons = [i for i, b in enumerate(data) if b == ord(":")] or [0]
                start = colons[pick % len(colons)] + 1
                end = data.find(b"\n", start)
                rest = data[end:] if end >= 0 else b""
                files["scenario.yaml"] = data[:start] + b" " + text.encode("utf-8") + rest
            return
        if kind == "pins":
            files["pins.csv"] = _csv([["course_id", "section_id", "staff_id", "period", "room_id"],
                                      [["M6", "SCI", text][pick % 3], f"X{pick2 % 3}", ["T01", "T03", text][pick2 % 3],
                                       [str(pick % 7), text, ""][pick2 % 3], ["R1", "R3", text][pick % 3]]])
            return
        if name not in files:
            return
        data = files[name]
        if kind == "truncate":
            files[name] = data[: pick % (len(data) + 1)]
            return
        if kind == "bytes":
            files[name] = blob
            return
        try:
            rows = _rows(data)
        except (UnicodeDecodeError, csv.Error):
            return
        if not rows:
            return
        width = len(rows[0]) or 1
        col = pick2 % width
        if kind == "cell" and len(rows) > 1:
            row = rows[1 + pick % (len(rows) - 1)]
            if col < len(row):
                row[col] = text
        elif kind == "drop_column":
            rows = [[c for i, c in enumerate(row) if i != col] for row in rows]
        elif kind == "rename_column" and col < len(rows[0]):
            rows[0][col] = text
        elif kind == "duplicate_row" and len(rows) > 1:
            rows.append(list(rows[1 + pick % (len(rows) - 1)]))
        files[name] = _csv(rows)

    return apply


EXAMPLES = int(os.environ.get("VALIDATE_EXAMPLES", "100"))   # raise it for a longer hunt


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(corruption(), min_size=1, max_size=4))
def test_no_corruption_ever_gives_a_traceback(corruptions):
    files = dict(ORIGINAL)
    for apply in corruptions:
        apply(files)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "school"
        folder.mkdir()
        for name, data in files.items():
            (folder / name).write_bytes(data)
        result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    if result.exit_code == 1:   # every problem is one line, and the count says how many
        count = re.fullmatch(r"(\d+) problem\(s\) in .*", lines[-1])
        assert count and int(count.group(1)) == len(lines) - 1 >= 1, result.output
    else:
        assert lines[0].endswith(": valid")



@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), st.booleans(), st.booleans())
def test_harmless_changes_keep_a_valid_folder_valid(random, crlf, bom):
    """Rows in another order, spaces around cells, CRLF endings or a byte order mark change nothing."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "school"
        folder.mkdir()
        for name, data in ORIGINAL.items():
            if name.endswith(".csv"):
                header, *body = _rows(data)
                random.shuffle(body)
                data = _csv([[f"{' ' * random.randint(0, 2)}{cell}{' ' * random.randint(0, 2)}" for cell in row]
                             for row in [header, *body]])
            if crlf:
                data = data.replace(b"\n", b"\r\n")
            (folder / name).write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
        assert validate_scenario(folder) == []
