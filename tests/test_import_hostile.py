"""Hostile or broken SIS files are handled like bad scenario input: one plain line per problem naming the file,
the row (CSV line or XML line) and the column or element, exit code 1, nothing written and no traceback. XML
that declares entities is refused before anything is expanded; a zip may not reach outside its folder or
unpack beyond a bound. And when an export does hold rosters (StudentEnrollment.xml, courseRequests.csv), they
are used instead of the stated rule."""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oneroster_fixture import EDFI, build_oneroster
from typer.testing import CliRunner

from workbench.cli import app
from workbench.interop import sources
from workbench.scenario.validate import load_scenario

HIGH_SCHOOL = "255901001"
runner = CliRunner()
BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<InterchangeEducationOrganization xmlns="http://ed-fi.org/5.2.0"><School>&lol3;</School>
</InterchangeEducationOrganization>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<InterchangeStudent xmlns="http://ed-fi.org/5.2.0"><Student><StudentUniqueId>&secret;</StudentUniqueId></Student>
</InterchangeStudent>
"""


@pytest.fixture(scope="module")
def clean_oneroster(tmp_path_factory) -> Path:
    return build_oneroster(tmp_path_factory.mktemp("fixture") / "oneroster")


@pytest.fixture
def edfi(tmp_path) -> Path:
    return Path(shutil.copytree(EDFI, tmp_path / "edfi"))


@pytest.fixture
def oneroster(tmp_path, clean_oneroster) -> Path:
    return Path(shutil.copytree(clean_oneroster, tmp_path / "oneroster"))


def refused(tmp_path, *args) -> list[str]:
    """Run an import that must fail: exit 1, nothing written, and the plain lines it printed."""
    out = tmp_path / "scenario"
    done = runner.invoke(app, [str(a) for a in args] + ["--out", str(out), "--key", str(tmp_path / "k.key")])
    assert done.exit_code == 1, done.output
    assert "Traceback" not in done.output and done.exception is None or isinstance(done.exception, SystemExit)
    assert not out.exists()
    return done.output.strip().splitlines()


def edit_csv(folder: Path, name: str, change) -> None:
    frame = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
    change(frame).to_csv(folder / name, index=False)


# ---- XML ------------------------------------------------------------------------------------------------
def test_an_entity_bomb_is_refused_before_any_expansion(tmp_path, edfi):
    (edfi / "EducationOrganization.xml").write_text(BOMB)
    lines = refused(tmp_path, "import", "edfi", edfi, "--school", HIGH_SCHOOL)
    assert lines == ["EducationOrganization.xml: declares XML entities, which an SIS export never needs: refused "
                     "(a way to attack a program reading it) — export the file again from the SIS"]


def test_an_external_entity_is_refused_and_no_file_is_read(tmp_path, edfi):
    (edfi / "Student.xml").write_text(EXTERNAL)
    lines = refused(tmp_path, "import", "edfi", edfi, "--school", HIGH_SCHOOL)
    assert len(lines) == 1 and lines[0].startswith("Student.xml: declares XML entities")
    assert "root:" not in "\n".join(lines)


def test_broken_xml_names_the_file_and_line(tmp_path, edfi):
    text = (edfi / "MasterSchedule.xml").read_text()
    (edfi / "MasterSchedule.xml").write_text(text.replace("</SectionName>", "</SectionNam>", 1))
    lines = refused(tmp_path, "import", "edfi", edfi, "--school", HIGH_SCHOOL)
    line = text[:text.index("</SectionName>")].count("\n") + 1
    assert lines == [f"MasterSchedule.xml:{line}: is not well-formed XML at character 26 (mismatched tag) — export "
                     "the file again from the SIS"]


def test_a_bad_value_in_xml_names_its_line_and_element(tmp_path, edfi):
    text = (edfi / "EducationOrganization.xml").read_text()
    room = text.index("<ClassroomIdentificationCode>120</ClassroomIdentificationCode>")   # a high-school room
    seats = "<MaximumNumberOfSeats>50</MaximumNumberOfSeats>"
    first = text.index(seats, room)
    broken = text[:first] + seats.replace("50", "lots") + text[first + len(seats):]
    (edfi / "EducationOrganization.xml").write_text(broken)
    location = text.rfind("<Location ", 0, first)
    lines = refused(tmp_path, "import", "edfi", edfi, "--school", HIGH_SCHOOL)
    assert lines == [f"EducationOrganization.xml:{text[:location].count(chr(10)) + 1}:MaximumNumberOfSeats: 'lots' "
                     "is not a number of seats — correct the room's seats in the SIS"]


def test_an_unknown_school_and_missing_files_are_named(tmp_path, edfi):
    lines = refused(tmp_path, "import", "edfi", edfi, "--school", "999")
    assert lines == ["EducationOrganization.xml:SchoolId: no school '999' in the export — give --school one of: "
                     "255901001, 255901044, 255901107"]
    (edfi / "MasterSchedule.xml").unlink()
    assert refused(tmp_path, "import", "edfi", edfi, "--school", HIGH_SCHOOL) == [
        "edfi: holds no MasterSchedule.xml — export the Ed-Fi interchange files of the school into one folder"]


# ---- zip ------------------------------------------------------------------------------------------------
def test_a_zip_reaching_outside_its_folder_is_refused(tmp_path, oneroster):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(oneroster.iterdir()):
            z.write(path, path.name)
        z.writestr("../../evil.csv", "x\n")
    assert refused(tmp_path, "import", "oneroster", archive, "--school", HIGH_SCHOOL) == [
        "export.zip:../../evil.csv: names a path outside the zip's folder: refused — make the zip again from the "
        "export's folder"]


def test_a_zip_bomb_is_refused_by_its_unpacked_size(tmp_path, oneroster, monkeypatch):
    monkeypatch.setattr(sources, "MAX_TOTAL_BYTES", 2_000_000)
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for path in sorted(oneroster.iterdir()):
            z.write(path, path.name)
        z.writestr("padding.csv", b"0" * 5_000_000)
    assert archive.stat().st_size < 500_000
    lines = refused(tmp_path, "import", "oneroster", archive, "--school", HIGH_SCHOOL)
    assert len(lines) == 1 and "more than 2,000,000: refused as a possible zip bomb" in lines[0]


def test_a_zip_whose_files_unpack_past_the_bound_while_read_is_stopped(tmp_path, oneroster, monkeypatch):
    """The bound holds on the bytes actually read, whatever the zip's headers declare."""
    archive = tmp_path / "export.zip"
    shutil.make_archive(str(archive.with_suffix("")), "zip", oneroster)
    source = sources.open_source(archive)
    monkeypatch.setattr(sources, "MAX_TOTAL_BYTES", 100_000)
    with pytest.raises(sources.ScenarioInvalid) as caught:
        for name in source.names:
            source.read(name)
    assert "refused as a possible zip bomb" in str(caught.value)
    source.close()


# ---- CSV ------------------------------------------------------------------------------------------------
def test_a_missing_column_is_named(tmp_path, oneroster):
    edit_csv(oneroster, "users.csv", lambda f: f.drop(columns=["role"]))
    assert refused(tmp_path, "import", "oneroster", oneroster, "--school", HIGH_SCHOOL) == [
        "users.csv:1:role: column is missing — add the role column (OneRoster 1.1)"]


def test_bad_values_give_one_line_each_with_file_row_and_column(tmp_path, oneroster):
    def student_in_prek(f):
        f.loc[f["sourcedId"] == "604822", "grades"] = "PK"
        return f

    def odd_flags(f):
        return pd.concat([f, pd.DataFrame([{"userSourcedId": "604823", "flag": "ell", "value": "yes"},
                                           {"userSourcedId": "604823", "flag": "First Name", "value": "1"}])])

    def lunch_period(f):
        f.loc[f["sourcedId"] == "25590100102Trad220ALG112011", "periods"] = "lunch"
        return f

    edit_csv(oneroster, "users.csv", student_in_prek)
    edit_csv(oneroster, "userFlags.csv", odd_flags)
    edit_csv(oneroster, "classes.csv", lunch_period)
    flags = len(pd.read_csv(oneroster / "userFlags.csv"))
    lines = refused(tmp_path, "import", "oneroster", oneroster, "--school", HIGH_SCHOOL)
    assert lines == [
        "classes.csv:2:periods: 'lunch' is not a period number (1 to 16) — write the class's period as a number",
        "users.csv:2:grades: student 604822 grade 'PK' is not one the workbench plans (KG, 01 to 12) — give the "
        "student's grade as a CEDS code (KG, 01 ... 12)",
        f"userFlags.csv:{flags}:value: 'yes' is not a value for ell — write 0 or 1 for ell, iep and frl; a "
        "grade-level equivalent (e.g. 7.5) for a level",
        f"userFlags.csv:{flags + 1}:flag: 'First Name' cannot be a student column — use ell, iep, frl, math_level, "
        "reading_level or a lowercase name such as homeless"]


def test_a_title_or_code_that_a_spreadsheet_would_run_is_refused(tmp_path, oneroster, edfi):
    def formula(f):
        f.loc[f["courseCode"] == "ALG-1", "title"] = '=HYPERLINK("http://x","Algebra")'
        return f

    edit_csv(oneroster, "courses.csv", formula)
    line = table_line(oneroster / "courses.csv", "courseCode", "ALG-1")
    assert refused(tmp_path, "import", "oneroster", oneroster, "--school", HIGH_SCHOOL) == [
        f"courses.csv:{line}:title: '=HYPERLINK(\"http://x' begins like a spreadsheet formula — rename it in the "
        "SIS: a spreadsheet opening the scenario would run it as a formula"]
    text = (edfi / "EducationOrganization.xml").read_text()
    (edfi / "EducationOrganization.xml").write_text(text.replace("<CourseTitle>Algebra I</CourseTitle>",
                                                                 "<CourseTitle>@SUM(A1)</CourseTitle>"))
    lines = refused(tmp_path, "import", "edfi", edfi, "--school", HIGH_SCHOOL)
    assert len(lines) == 1 and lines[0].startswith("EducationOrganization.xml:")
    assert ":CourseTitle: '@SUM(A1)' begins like a spreadsheet formula" in lines[0]


def table_line(path: Path, column: str, value: str) -> int:
    """The spreadsheet line of the first row whose `column` is `value` (header on line 1)."""
    return int(pd.read_csv(path, dtype=str, keep_default_na=False)[column].eq(value).to_numpy().argmax()) + 2


def test_text_that_is_not_utf8_or_not_csv_is_named_with_its_line(tmp_path, oneroster):
    data = (oneroster / "orgs.csv").read_bytes().splitlines(keepends=True)
    (oneroster / "orgs.csv").write_bytes(b"".join(data[:2] + [b"\xff\xfe broken\n"] + data[2:]))
    assert refused(tmp_path, "import", "oneroster", oneroster, "--school", HIGH_SCHOOL) == [
        "orgs.csv:3: is not UTF-8 text (byte 0xff) — export it again as UTF-8 CSV"]
    (oneroster / "orgs.csv").write_bytes(b"".join(data[:2] + [b'x,"unclosed,\n'] + data[2:]))
    lines = refused(tmp_path, "import", "oneroster", oneroster, "--school", HIGH_SCHOOL)
    assert len(lines) == 1 and lines[0].startswith("orgs.csv:") and "is not valid CSV" in lines[0]


def test_course_requests_with_a_bad_priority_or_a_repeat_are_named(tmp_path, oneroster):
    rows = [("r1", "604822", "course-255901001-ALG-1", "1", ""), ("r2", "604822", "course-255901001-BIO", "7", ""),
            ("r3", "604822", "course-255901001-ALG-1", "2", ""), ("r4", "604822", "no-such-course", "1", "")]
    pd.DataFrame(rows, columns=["sourcedId", "userSourcedId", "courseSourcedId", "priority",
                                "alternateForCourseSourcedId"]).to_csv(oneroster / "courseRequests.csv", index=False)
    assert refused(tmp_path, "import", "oneroster", oneroster, "--school", HIGH_SCHOOL) == [
        "courseRequests.csv:3:priority: '7' is not 1, 2 or 3 — write 1 (required), 2 (elective) or 3 (alternate)",
        "courseRequests.csv:4:courseSourcedId: the student asks for course 'course-255901001-ALG-1' again (first on "
        "line 2) — keep one request a course",
        "courseRequests.csv:5:courseSourcedId: course 'no-such-course' is not in courses.csv — export the course in "
        "courses.csv"]


# ---- real rosters are used when the export has them -----------------------------------------------------------
def test_course_requests_in_the_export_are_used_as_they_are(tmp_path, oneroster):
    rows = [("r1", "604822", "course-255901001-ALG-1", "1", ""), ("r2", "604822", "course-255901001-ART-1", "2", ""),
            ("r3", "604822", "course-255901001-SPAN-1", "", "course-255901001-ART-1"),
            ("r4", "605000", "course-255901001-SPAN-1", "", "")]
    pd.DataFrame(rows, columns=["sourcedId", "userSourcedId", "courseSourcedId", "priority",
                                "alternateForCourseSourcedId"]).to_csv(oneroster / "courseRequests.csv", index=False)
    out = tmp_path / "scenario"
    done = runner.invoke(app, ["import", "oneroster", str(oneroster), "--school", HIGH_SCHOOL, "--out", str(out),
                               "--key", str(tmp_path / "k.key")])
    assert done.exit_code == 0, done.output
    requests = load_scenario(out).requests
    assert sorted(zip(requests["course_id"], requests["priority"], strict=True)) == [
        ("ALG-1", 1), ("ART-1", 2), ("SPAN-1", 3)]                  # 605000 goes to the middle school: not here
    assert "Course requests come from the export (3 requests)." in (out / "IMPORT-REPORT.md").read_text()


def test_edfi_student_enrolment_gives_the_students_their_grades_and_rosters(tmp_path, edfi):
    """With StudentEnrollment.xml the school's students, grades and last year's rosters are the SIS's own."""
    section = "25590100102Trad220ALG112011"
    link = ("<StudentSectionAssociation><StudentReference><StudentIdentity><StudentUniqueId>{s}</StudentUniqueId>"
            "</StudentIdentity></StudentReference><SectionReference><SectionIdentity><SectionIdentifier>{sec}"
            "</SectionIdentifier><CourseOfferingReference><CourseOfferingIdentity><LocalCourseCode>ALG-1"
            "</LocalCourseCode><SchoolReference><SchoolIdentity><SchoolId>255901001</SchoolId></SchoolIdentity>"
            "</SchoolReference><SessionReference><SessionIdentity><SessionName>2021-2022 Fall Semester</SessionName>"
            "</SessionIdentity></SessionReference></CourseOfferingIdentity></CourseOfferingReference>"
            "</SectionIdentity></SectionReference></StudentSectionAssociation>")
    school = ("<StudentSchoolAssociation><StudentReference><StudentIdentity><StudentUniqueId>{s}</StudentUniqueId>"
              "</StudentIdentity></StudentReference><SchoolReference><SchoolIdentity><SchoolId>255901001</SchoolId>"
              "</SchoolIdentity></SchoolReference><EntryGradeLevel>uri://ed-fi.org/GradeLevelDescriptor#{g} grade"
              "</EntryGradeLevel>{exit}</StudentSchoolAssociation>")
    body = school.format(s="604821", g="Ninth", exit="") + school.format(s="604825", g="Twelfth", exit="") + \
        school.format(s="604826", g="Tenth", exit="<ExitWithdrawDate>2021-10-01</ExitWithdrawDate>") + \
        link.format(s="604821", sec=section) + link.format(s="604825", sec=section)
    (edfi / "StudentEnrollment.xml").write_text('<?xml version="1.0"?><InterchangeStudentEnrollment '
                                                f'xmlns="http://ed-fi.org/5.2.0">{body}</InterchangeStudentEnrollment>')
    out = tmp_path / "scenario"
    done = runner.invoke(app, ["import", "edfi", str(edfi), "--school", HIGH_SCHOOL, "--out", str(out),
                               "--key", str(tmp_path / "k.key")])
    assert done.exit_code == 0, done.output
    scenario = load_scenario(out)
    assert sorted(scenario.students["grade"]) == [9, 12]          # the student who left in October is not there
    assert list(scenario.requests["course_id"]) == ["ALG-1", "ALG-1"]
    report = (out / "IMPORT-REPORT.md").read_text()
    assert "Students and their grades come from StudentEnrollment.xml" in report
    assert "Student.xml was not read" in report and "birth year" not in report


# ---- whatever a cell holds, the answer is a scenario or plain problems ----------------------------------------
CELLS = {"users.csv": ["grades", "role", "orgSourcedIds", "sourcedId"], "classes.csv": ["periods", "termSourcedIds",
         "courseSourcedId", "location"], "enrollments.csv": ["role", "userSourcedId", "classSourcedId", "primary"],
         "courses.csv": ["grades", "courseCode", "subjects"], "userFlags.csv": ["flag", "value"],
         "academicSessions.csv": ["schoolYear", "type"], "orgs.csv": ["type", "parentSourcedId"]}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=st.sampled_from(sorted(CELLS)), row=st.integers(0, 400), data=st.data(),
       text=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12))
def test_any_cell_gives_a_scenario_or_plain_problems_never_a_crash(clean_oneroster, file, row, data, text):
    column = data.draw(st.sampled_from(CELLS[file]))
    with tempfile.TemporaryDirectory() as holder:
        folder = Path(shutil.copytree(clean_oneroster, Path(holder) / "sis"))
        frame = pd.read_csv(folder / file, dtype=str, keep_default_na=False)
        frame.loc[row % len(frame), column] = text
        frame.to_csv(folder / file, index=False)
        done = runner.invoke(app, ["import", "oneroster", str(folder), "--school", HIGH_SCHOOL, "--out",
                                   str(Path(holder) / "out"), "--key", str(Path(holder) / "k.key")])
        assert done.exit_code in (0, 1), done.output
        assert done.exception is None or isinstance(done.exception, SystemExit), repr(done.exception)
        if done.exit_code == 1:
            assert not (Path(holder) / "out").exists()
            assert all(re.match(r"^[\w.-]+(:\d+)?(:[\w .]+)?: ", line) for line in done.output.strip().splitlines()), \
                done.output
        else:
            load_scenario(Path(holder) / "out")
