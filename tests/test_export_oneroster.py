"""Sending the plan back: Grand Bend High, imported from its OneRoster export and solved, goes back to the SIS as
OneRoster 1.1 classes and enrollments with the real IDs restored by the district's key; loaded back into the
SIS and imported again, every student and every section is still there. Without the key the files keep the
pseudonyms; the wrong key, or a folder that is not an earlier export, is refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from handmade import design
from oneroster_fixture import build_oneroster
from typer.testing import CliRunner

from workbench.cli import app
from workbench.interop.export import build_files
from workbench.interop.pseudonyms import read_key
from workbench.results.io import read_result, write_result
from workbench.scenario.validate import load_scenario

HIGH_SCHOOL = "255901001"
runner = CliRunner()


def run(*args) -> str:
    done = runner.invoke(app, [str(a) for a in args])
    assert done.exit_code == 0, done.output
    return done.output


def fails(*args) -> str:
    done = runner.invoke(app, [str(a) for a in args])
    assert done.exit_code == 1 and "Traceback" not in done.output, done.output
    return done.output.strip()


def table(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def school(tmp_path_factory) -> dict[str, Path]:
    """The district's OneRoster export, Grand Bend High imported from it, solved, and exported back."""
    work = tmp_path_factory.mktemp("send-back")
    paths = {"sis": build_oneroster(work / "sis"), "key": work / "keys" / "gbisd.key", "scenario": work / "scenario",
             "result": work / "result", "export": work / "to-sis"}
    run("import", "oneroster", paths["sis"], "--school", HIGH_SCHOOL, "--out", paths["scenario"], "--key", paths["key"])
    run("solve", paths["scenario"], "--out", paths["result"])
    paths["output"] = run("export", paths["result"], "--oneroster", paths["export"], "--key", paths["key"])
    return paths


def test_the_new_classes_and_enrollments_carry_the_real_sis_ids(school):
    result, sis, out = read_result(school["result"]), school["sis"], school["export"]
    assert sorted(p.name for p in out.iterdir()) == ["academicSessions.csv", "classes.csv", "courses.csv",
                                                     "enrollments.csv", "manifest.csv"]
    classes, enrollments = table(out, "classes.csv"), table(out, "enrollments.csv")
    assert len(classes) == len(result.sections)
    users = table(sis, "users.csv").set_index("sourcedId")
    students = enrollments[enrollments["role"] == "student"]
    assert len(students) == len(result.enrollments)
    assert set(students["userSourcedId"]) <= set(users.index)
    assert set(users.loc[students["userSourcedId"], "orgSourcedIds"]) == {HIGH_SCHOOL}
    teachers = enrollments[enrollments["role"] == "teacher"]
    assert len(teachers) == len(classes) and (users.loc[teachers["userSourcedId"], "role"] == "teacher").all()
    assert set(classes["courseSourcedId"]) <= set(table(sis, "courses.csv")["sourcedId"])
    assert set(classes["termSourcedIds"]) == {"SY2021-2022"} == set(table(out, "academicSessions.csv")["sourcedId"])
    assert "real SIS IDs restored with the key" in school["output"]
    manifest = dict(table(out, "manifest.csv").to_numpy())
    assert manifest["oneroster.version"] == "1.1" and manifest["file.classes"] == "delta"
    assert manifest["file.users"] == "absent"


def test_a_round_trip_keeps_every_student_and_section(school, tmp_path):
    """The SIS takes the new classes and enrollments; next import (same key, last year's classes pinned) holds the
    same students and exactly the design's sections, and each student asks for the courses they were placed in."""
    sis = Path(shutil.copytree(school["sis"], tmp_path / "sis-after"))
    for name in ("classes.csv", "enrollments.csv"):
        shutil.copy(school["export"] / name, sis / name)
    again = tmp_path / "next-import"
    run("import", "oneroster", sis, "--school", HIGH_SCHOOL, "--out", again, "--key", school["key"], "--pin-current")
    before, after = load_scenario(school["scenario"]), load_scenario(again)
    assert (again / "students.csv").read_bytes() == (school["scenario"] / "students.csv").read_bytes()
    result = read_result(school["result"])
    designed = result.sections.assign(section_id=HIGH_SCHOOL + "-" + result.sections["section_id"])
    pinned = after.pins.merge(designed, on="section_id", suffixes=("", "_design"))
    assert len(pinned) == len(after.pins) == len(result.sections)
    for column in ("course_id", "staff_id", "room_id", "period"):
        assert (pinned[column].astype(str) == pinned[f"{column}_design"].astype(str)).all(), column
    placed = result.enrollments.merge(result.sections, on="section_id")
    asked = {(r.student_id, r.course_id) for r in after.requests.itertuples()}
    assert asked == {(r.student_id, r.course_id) for r in placed.itertuples()}
    assert set(before.staff["staff_id"]) == set(after.staff["staff_id"])


def test_without_the_key_the_files_keep_the_pseudonyms(school, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))                 # no key at the default place either
    out = tmp_path / "pseudonymous"
    output = run("export", school["result"], "--oneroster", out)
    assert "IDs left as pseudonyms" in output
    users = set(table(out, "enrollments.csv")["userSourcedId"])
    assert users <= set(read_result(school["result"]).enrollments["student_id"]) | \
        set(read_result(school["result"]).sections["staff_id"])


def test_the_wrong_key_is_refused(school, tmp_path):
    other = tmp_path / "other.key"
    run("import", "oneroster", school["sis"], "--school", HIGH_SCHOOL, "--out", tmp_path / "s", "--key", other)
    output = fails("export", school["result"], "--oneroster", tmp_path / "x", "--key", other)
    assert not (tmp_path / "x").exists()
    key_id = load_scenario(school["scenario"]).raw_settings["sis"]["key_id"]
    assert output == (f"{other}: is key {read_key(other).key_id}, but the scenario was imported with key "
                                   f"{key_id} — give --key the key file the school was imported with")


def test_an_export_replaces_only_an_earlier_export(school, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "budget.xlsx").write_text("the user's")
    assert "is not an earlier OneRoster export" in fails("export", school["result"], "--oneroster", mine, "--key",
                                                         school["key"])
    assert [p.name for p in mine.iterdir()] == ["budget.xlsx"]
    earlier = Path(shutil.copytree(school["export"], tmp_path / "earlier"))
    run("export", school["result"], "--oneroster", earlier, "--key", school["key"])
    assert table(earlier, "classes.csv")["sourcedId"].tolist() == table(school["export"], "classes.csv")[
        "sourcedId"].tolist()
    (earlier / "notes.txt").write_text("added by hand")
    fails("export", school["result"], "--oneroster", earlier, "--key", school["key"])
    assert (earlier / "notes.txt").exists()


def test_a_scenario_that_was_not_imported_has_no_sis_ids_to_send_back(mini, mini_path, tmp_path):
    result = tmp_path / "result"
    write_result(design(mini, "A"), result)
    assert fails("export", result, "--oneroster", tmp_path / "x", "--scenario", mini_path) == (
        "scenario.yaml:sis: this scenario was not imported from a student information system, so there are no SIS "
        "IDs to send back — import the school with `workbench import`, or use --xlsx / --html")


def test_a_class_taught_by_a_new_hire_goes_without_a_teacher(school):
    """The SIS has no ID for someone not yet hired: their classes go back without a teacher enrolment."""
    scenario, result = load_scenario(school["scenario"]), read_result(school["result"])
    hired = result.sections["staff_id"].iloc[0]
    result.staffing.loc[result.staffing["staff_id"] == hired, "new_hire"] = 1
    files, done = build_files(scenario, result, read_key(school["key"]))
    taught = int((result.sections["staff_id"] == hired).sum())
    assert done.new_hire_sections == taught
    enrol = pd.read_csv(pd.io.common.StringIO(files["enrollments.csv"]), dtype=str)
    assert (enrol["role"] == "teacher").sum() == len(result.sections) - taught
