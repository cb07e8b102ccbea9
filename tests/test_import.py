"""Bringing a real school in: Grand Bend High School (the public Ed-Fi sample district) imported from its Ed-Fi
XML and from a OneRoster export of the same district makes a scenario that validates and solves with every hard
rule kept, in which nobody can be recognised: no name, email or birth date of the sample reaches the scenario or
the result, and people are keyed pseudonyms that line up from one import to the next."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pandas as pd
import pytest
from oneroster_fixture import EDFI, build_oneroster, people
from typer.testing import CliRunner

from workbench.cli import app
from workbench.interop import template
from workbench.results.check import check_result
from workbench.results.io import read_result
from workbench.scenario.validate import load_scenario

HIGH_SCHOOL, MIDDLE_SCHOOL = "255901001", "255901044"
runner = CliRunner()


def run(*args: str) -> str:
    done = runner.invoke(app, [str(a) for a in args])
    assert done.exit_code == 0, done.output
    return done.output


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("grand-bend")


@pytest.fixture(scope="module")
def key(work) -> Path:
    return work / "keys" / "grand-bend.key"


@pytest.fixture(scope="module")
def oneroster(work) -> Path:
    return build_oneroster(work / "oneroster")


@pytest.fixture(scope="module")
def edfi_school(work, key) -> Path:
    run("import", "edfi", EDFI, "--school", HIGH_SCHOOL, "--out", work / "edfi-high", "--key", key)
    return work / "edfi-high"


@pytest.fixture(scope="module")
def oneroster_school(work, key, oneroster) -> Path:
    run("import", "oneroster", oneroster, "--school", HIGH_SCHOOL, "--out", work / "oneroster-high", "--key", key)
    return work / "oneroster-high"


def solved(scenario: Path) -> Path:
    out = scenario.with_name(scenario.name + "-result")
    if not out.exists():
        run("solve", scenario, "--out", out)
    return out


# ---- a real school, planned ----------------------------------------------------------------------------------
def test_grand_bend_high_from_edfi_validates_and_solves_with_every_hard_rule_kept(edfi_school):
    school = load_scenario(edfi_school)
    assert len(school.students) == 321 and set(school.students["grade"]) == {9, 10, 11, 12}
    assert len(school.courses) == 26 and len(school.rooms) == 15
    assert sorted(school.staff["role"].value_counts().items()) == [("counselor", 1), ("teacher", 15)]
    assert school.students[["ell", "iep", "frl"]].sum().to_dict() == {"ell": 14, "iep": 11, "frl": 27}
    result = solved(edfi_school)
    assert check_result(school, read_result(result)) == []
    placed = read_result(result).enrollments.merge(read_result(result).sections, on="section_id")
    assert set(placed["student_id"]) <= set(school.students["student_id"])


def test_the_oneroster_export_of_the_same_district_gives_the_same_school_and_solves(edfi_school, oneroster_school):
    """Same key, same school: both importers give the same students (pseudonyms, grades, needs) and, built by
    the same stated rule, the same course requests."""
    ed, one = files(edfi_school), files(oneroster_school)
    assert one["students.csv"] == ed["students.csv"]
    assert one["requests.csv"] == ed["requests.csv"]
    school = load_scenario(oneroster_school)
    assert list(school.courses["course_id"]) == list(load_scenario(edfi_school).courses["course_id"])
    assert school.courses["sis_id"].str.startswith("course-255901001-").all()   # the SIS's own course IDs kept
    assert check_result(school, read_result(solved(oneroster_school))) == []


def test_last_years_sections_can_be_pinned_and_the_solve_keeps_them(work, key):
    out = work / "edfi-high-pinned"
    run("import", "edfi", EDFI, "--school", HIGH_SCHOOL, "--out", out, "--key", key, "--pin-current")
    school = load_scenario(out)
    assert len(school.pins) == 78                                  # the fall sections; spring repeats them
    assert school.pins["section_id"].str.startswith("255901001").all()
    result = read_result(solved(out))
    assert check_result(school, result) == []
    assert set(school.pins["section_id"]) <= set(result.sections["section_id"])


def test_a_school_with_assessment_results_gets_levels_from_them(work, key):
    out = work / "edfi-middle"
    run("import", "edfi", EDFI, "--school", MIDDLE_SCHOOL, "--out", out, "--key", key)
    students = load_scenario(out).students
    # Seven of the 8th graders have a state assessment result in each subject: in math four did not meet the
    # standard (half a grade below the tested grade) and two met it; in reading all six with a result met it.
    below = students[students["math_level"] < students["grade"]]
    assert len(below) == 4 and set(below["math_level"]) == {7.5}
    assert "12 math or reading levels come from the students' latest assessment" in \
        (out / "IMPORT-REPORT.md").read_text()


# ---- nobody can be recognised ----------------------------------------------------------------------------------
def _personal_strings() -> tuple[set[str], set[str]]:
    """Names (matched as whole words) and emails, logins and birth dates (matched anywhere) of the sample."""
    names, exact = set(), set()
    for person in people().values():
        names |= {person[k] for k in ("first", "middle", "last", "preferred_first", "preferred_last")
                  if len(person[k]) >= 2}
        exact |= {person[k] for k in ("email", "login", "birth") if person[k]}
    return names, exact


def test_no_name_email_or_birth_date_of_the_sample_reaches_a_scenario_or_a_result(edfi_school, oneroster_school):
    names, exact = _personal_strings()
    assert len(names) > 1000 and len(exact) > 1000
    # The workbench's own catalogue text (e.g. "BLS May 2020") is not the sample's: names that are words of it
    # cannot be told apart there, so they are left out of the word search.
    own = " ".join(list(template.roles("high")["description"]) + list(template.supports()["description"]))
    names = {n for n in names if not re.search(rf"\b{re.escape(n)}\b", own)}
    folders = [edfi_school, oneroster_school, solved(edfi_school), solved(oneroster_school)]
    for folder in folders:
        for name, data in files(folder).items():
            text = data.decode("utf-8")
            words = set(re.findall(r"[A-Za-z][A-Za-z'-]*", text))
            assert not names & words, f"{folder.name}/{name} holds a name: {sorted(names & words)[:5]}"
            leaked = [s for s in exact if s in text]
            assert not leaked, f"{folder.name}/{name} holds {leaked[:3]}"


def test_the_report_says_what_was_left_out_and_every_default_used(oneroster_school, edfi_school):
    report = (oneroster_school / "IMPORT-REPORT.md").read_text()
    for dropped in ("givenName", "familyName", "email", "username", "birthDate"):
        assert dropped in report
    for default in ("Class size cap (max_size)", "Capacity of 15 rooms", "Base funding per student",
                    "Cost of a teacher", "NEA 2022-23", "NYC Fair Student Funding FY2019", "Minutes per period"):
        assert default in report, default
    assert "built by a rule: each student asks for 6 courses" in report
    edfi_report = (edfi_school / "IMPORT-REPORT.md").read_text()
    assert "BirthData" in edfi_report and "grade from their birth year" in edfi_report
    assert "Staff left out (1 other, 1 principal, 1 school administrator)" in edfi_report


# ---- pseudonyms and the key ------------------------------------------------------------------------------------
def test_the_same_key_gives_byte_identical_files_and_another_key_other_pseudonyms(work, key, edfi_school):
    again = work / "edfi-high-again"
    run("import", "edfi", EDFI, "--school", HIGH_SCHOOL, "--out", again, "--key", key)
    assert files(again) == files(edfi_school)
    other = work / "edfi-high-other-key"
    run("import", "edfi", EDFI, "--school", HIGH_SCHOOL, "--out", other, "--key", work / "keys" / "other.key")
    first, second = (set(load_scenario(f).students["student_id"]) for f in (edfi_school, other))
    assert len(second) == 321 and not first & second
    staff = (set(load_scenario(f).staff["staff_id"]) for f in (edfi_school, other))
    assert not set.intersection(*staff)


def test_the_key_is_private_and_maps_each_pseudonym_back_to_its_sis_id(key, edfi_school):
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    table = pd.read_csv(key.with_name(key.name + ".ids.csv"), dtype=str)
    assert stat.S_IMODE(key.with_name(key.name + ".ids.csv").stat().st_mode) == 0o600
    students = set(load_scenario(edfi_school).students["student_id"])
    mapped = table[table["pseudonym"].isin(students)]
    assert len(mapped) == 321 and mapped["sis_id"].str.fullmatch(r"60\d{4}").all()
    assert re.fullmatch(r"S-[0-9a-f]{10}", sorted(students)[0])


def test_a_key_inside_the_scenario_is_refused(work):
    out = work / "keyed-inside"
    done = runner.invoke(app, ["import", "edfi", str(EDFI), "--school", HIGH_SCHOOL, "--out", str(out),
                               "--key", str(out / "district.key")])
    assert done.exit_code == 1
    assert "would sit inside" in done.output and "Traceback" not in done.output
    assert not out.exists()


def test_without_key_a_new_one_is_made_in_the_home_folder(work, monkeypatch):
    monkeypatch.setenv("HOME", str(work / "home"))
    output = run("import", "edfi", EDFI, "--school", HIGH_SCHOOL, "--out", work / "edfi-default-key")
    made = work / "home" / ".workbench" / "keys" / "255901.key"
    assert made.is_file() and f"made a new key {made}" in output
    assert stat.S_IMODE(made.parent.stat().st_mode) == 0o700


def test_an_import_never_overwrites_a_folder_it_did_not_write(work, key):
    mine = work / "my-folder"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    done = runner.invoke(app, ["import", "edfi", str(EDFI), "--school", HIGH_SCHOOL, "--out", str(mine),
                               "--key", str(key)])
    assert done.exit_code == 1 and "is not an earlier import" in done.output
    assert files(mine) == {"notes.txt": b"mine"}


def test_a_zipped_oneroster_export_imports_like_its_folder(work, key, oneroster, oneroster_school):
    import shutil

    archive = Path(shutil.make_archive(str(work / "oneroster-zip"), "zip", oneroster))
    out = work / "oneroster-from-zip"
    run("import", "oneroster", archive, "--school", HIGH_SCHOOL, "--out", out, "--key", key)
    assert files(out)["students.csv"] == files(oneroster_school)["students.csv"]
    assert files(out)["requests.csv"] == files(oneroster_school)["requests.csv"]


def test_a_district_export_needs_the_school_named(oneroster, work, key):
    done = runner.invoke(app, ["import", "oneroster", str(oneroster), "--out", str(work / "no-school"),
                               "--key", str(key)])
    assert done.exit_code == 1
    assert done.output.strip() == ("orgs.csv:type: the export holds 3 schools — choose one with --school: "
                                   "255901001, 255901044, 255901107")


def test_a_course_open_to_some_grades_is_asked_for_by_those_grades_only(work, key, oneroster):
    """When the export says a course's grades, the request rule keeps to them (English I for the 9th grade,
    English IV for the 12th); other courses stay open to every grade."""
    import shutil

    sis = Path(shutil.copytree(oneroster, work / "oneroster-graded"))
    courses = pd.read_csv(sis / "courses.csv", dtype=str, keep_default_na=False)
    for code, grade in (("ENG-1", "09"), ("ENG-2", "10"), ("ENG-3", "11"), ("ENG-4", "12")):
        courses.loc[courses["courseCode"] == code, "grades"] = grade
    courses.to_csv(sis / "courses.csv", index=False)
    out = work / "oneroster-graded-high"
    run("import", "oneroster", sis, "--school", HIGH_SCHOOL, "--out", out, "--key", key)
    school = load_scenario(out)
    asked = school.requests.merge(school.students, on="student_id")
    english = asked[asked["course_id"].str.startswith("ENG-")]
    assert set(zip(english["course_id"], english["grade"], strict=True)) <= {
        ("ENG-1", 9), ("ENG-2", 10), ("ENG-3", 11), ("ENG-4", 12)}
    assert len(english) > 150
    assert set(asked.loc[asked["course_id"] == "ALG-1", "grade"]) == {9, 10, 11, 12}
