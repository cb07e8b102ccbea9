"""A school leader's laptop holds other work: `--out` may only ever replace a previous result.

Each story first reproduced the fault (a thesis deleted, a scenario deleted, a working folder deleted, a file
hidden, strays left behind, a result missing after a kill, a false "unchanged") and now shows the behaviour.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import workbench.pipeline as pipeline_mod
from workbench.atomic import FolderBusy
from workbench.cli import app
from workbench.errors import ScenarioInvalid
from workbench.results.io import RESULT_FORMAT, claim_result_folder, read_result, write_result

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "scenarios" / "tutorial"
WORKBENCH = [sys.executable, "-m", "workbench.cli"]
runner = CliRunner()


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, Path]:
    """The tutorial school solved for real, kept as two results that differ only in a note: the one
    already on disk ("previous") and the one being written ("new"). `workbench check` passes both."""
    base = tmp_path_factory.mktemp("results")
    done = runner.invoke(app, ["solve", str(TUTORIAL), "--out", str(base / "solved")])
    assert done.exit_code == 0, done.output
    solved = read_result(base / "solved")
    for note in ("previous", "new"):
        solved.summary["note"] = note
        write_result(solved, base / note)
        checked = runner.invoke(app, ["check", str(TUTORIAL), str(base / note)])
        assert checked.exit_code == 0, checked.output
    return {"previous": base / "previous", "new": base / "new", "solved": base / "solved"}


@pytest.fixture
def solves(monkeypatch) -> list[str]:
    """Records every solve that starts (the real solve still runs): a refusal must come before it."""
    started: list[str] = []
    real = pipeline_mod.solve_scenario

    def recorded(scenario, *args, **kwargs):
        started.append(scenario.settings.name)
        return real(scenario, *args, **kwargs)

    monkeypatch.setattr(pipeline_mod, "solve_scenario", recorded)
    return started


def solve(*args: str | Path):
    return runner.invoke(app, ["solve", *map(str, args)])


# ---- what --out may replace --------------------------------------------------------------------------------

def test_a_thesis_in_the_folder_named_as_out_is_never_deleted(tmp_path, solves):
    thesis = tmp_path / "d" / "thesis.docx"
    thesis.parent.mkdir()
    thesis.write_bytes(b"three years of work")
    done = solve(TUTORIAL, "--out", thesis.parent)
    assert done.exit_code == 1
    assert "is not a workbench result" in done.output and "thesis.docx" in done.output
    assert "Traceback" not in done.output and len(done.output.strip().splitlines()) == 1
    assert solves == []                                           # refused before any solving
    assert thesis.read_bytes() == b"three years of work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]    # nothing hidden beside it


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_the_scenario_being_solved_and_the_folder_holding_it_are_never_replaced(tmp_path, solves, force):
    school = tmp_path / "schools" / "tutorial"
    school.parent.mkdir()
    shutil.copytree(TUTORIAL, school)
    before = contents(school)
    for out in (school, school.parent, tmp_path):
        done = solve(school, "--out", out, *force)
        assert done.exit_code == 1, done.output
        assert "the scenario being solved" in done.output and "never replaced" in done.output
    assert solves == []
    assert contents(school) == before and leftovers(tmp_path) == [] and leftovers(school.parent) == []


@pytest.mark.parametrize("out", [".", "..", "../.."])
def test_the_working_folder_and_the_folders_above_it_are_never_replaced(tmp_path, monkeypatch, solves, out):
    here = tmp_path / "work" / "empty"
    here.mkdir(parents=True)
    monkeypatch.chdir(here)
    done = solve(TUTORIAL, "--out", out, "--force")
    assert done.exit_code == 1, done.output
    assert "the folder you are working in" in done.output
    assert solves == [] and here.is_dir()
    assert leftovers(here) == leftovers(here.parent) == leftovers(tmp_path) == []     # no .writing-* (was EBUSY)


def test_a_file_named_as_out_is_left_where_it_is(tmp_path, solves):
    notes = tmp_path / "file.txt"
    notes.write_text("my notes")
    for out in (notes, notes / "result"):
        done = solve(TUTORIAL, "--out", out)
        assert done.exit_code == 1
        assert "is a file" in done.output and "Traceback" not in done.output
    assert solves == []
    assert notes.read_text() == "my notes" and sorted(os.listdir(tmp_path)) == ["file.txt"]   # no .file.txt.old-*


def test_a_previous_result_is_replaced_but_not_the_notes_a_leader_added_to_it(tmp_path, results, solves):
    out = tmp_path / "result"
    write_result(read_result(results["previous"]), out)
    (out / "notes.txt").write_text("ask the board about R2")
    done = solve(TUTORIAL, "--out", out)
    assert done.exit_code == 1 and "notes.txt" in done.output and "--force" in done.output
    assert solves == [] and (out / "notes.txt").read_text() == "ask the board about R2"
    (out / "notes.txt").unlink()
    assert solve(TUTORIAL, "--out", out).exit_code == 0
    assert json.loads((out / "summary.json").read_text())["format"] == RESULT_FORMAT
    assert runner.invoke(app, ["check", str(TUTORIAL), str(out)]).exit_code == 0


def test_force_replaces_a_folder_of_files_but_never_a_folder_of_folders(tmp_path, solves):
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / "old.txt").write_text("x")
    assert solve(TUTORIAL, "--out", loose, "--force").exit_code == 0
    assert not (loose / "old.txt").exists() and (loose / "summary.json").exists()
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    done = solve(TUTORIAL, "--out", home, "--force")
    assert done.exit_code == 1 and "Documents/" in done.output
    assert (home / "Documents").is_dir() and len(solves) == 1


def test_a_result_is_written_with_the_users_usual_permissions(tmp_path, results):
    previous = os.umask(0o027)
    try:
        folder = write_result(read_result(results["new"]), tmp_path / "a" / "b" / "result")
    finally:
        os.umask(previous)
    assert folder.stat().st_mode & 0o777 == 0o750                      # was 0700 from mkdtemp
    assert {p.stat().st_mode & 0o777 for p in folder.iterdir()} == {0o640}
    assert (tmp_path / "a" / "b").stat().st_mode & 0o777 == 0o750


# ---- checked before the solve, and the truth after it ------------------------------------------------------

def test_a_folder_that_cannot_be_made_is_refused_before_the_solve(tmp_path, solves):
    (tmp_path / "report.pdf").write_bytes(b"%PDF")
    done = solve(TUTORIAL, "--out", tmp_path / "report.pdf" / "2027" / "result")
    assert done.exit_code == 1 and "cannot create" in done.output and "report.pdf is a file" in done.output
    assert solves == [] and sorted(os.listdir(tmp_path)) == ["report.pdf"]


def test_a_folder_without_write_permission_is_refused_before_the_solve(tmp_path):
    """Root (as CI runs) may write anywhere, so the solve runs without the capability that lets it ignore
    permissions (util-linux setpriv), as an ordinary user would."""
    locked = tmp_path / "shared"
    locked.mkdir()
    locked.chmod(0o555)
    caps = "-dac_override,-dac_read_search"
    as_user = ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}"] if os.geteuid() == 0 else []
    try:
        done = subprocess.run([*as_user, sys.executable, "-m", "workbench.cli", "solve", str(TUTORIAL), "--out",
                               str(locked / "result")], capture_output=True, text=True, timeout=120)
    finally:
        locked.chmod(0o755)
    assert done.returncode == 1 and "permission denied" in done.stderr.lower(), done.stderr
    assert "staffing:" not in done.stderr, "refused before the solve started"
    assert os.listdir(locked) == []


def test_a_broken_scenario_leaves_no_new_folders_behind(tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(TUTORIAL, broken)
    (broken / "rooms.csv").write_text("room_id,capacity\nR1,lots\n")
    done = solve(broken, "--out", tmp_path / "proposals" / "2027" / "result")
    assert done.exit_code == 1 and "rooms.csv" in done.output
    assert sorted(os.listdir(tmp_path)) == ["broken"]


@pytest.mark.parametrize("before", ["empty", "result", "missing"])
def test_a_stopped_solve_says_truly_what_is_in_the_folder(tmp_path, monkeypatch, results, before):
    out = tmp_path / "out"
    if before == "empty":
        out.mkdir()
    elif before == "result":
        write_result(read_result(results["previous"]), out)
    state = contents(out) if out.exists() else None

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline_mod, "solve_scenario", stopped)
    done = solve(TUTORIAL, "--out", out)
    assert done.exit_code == 1
    said = {"empty": "the folder there is unchanged", "result": "the previous result there is unchanged",
            "missing": "no folder was created"}[before]
    assert said in done.output
    assert (contents(out) if out.exists() else None) == state and leftovers(tmp_path) == []


def test_a_second_solve_to_the_same_folder_says_another_solve_is_writing_there(tmp_path, results, solves):
    out = tmp_path / "result"
    write_result(read_result(results["previous"]), out)
    before = contents(out)
    with claim_result_folder(out):                    # the first solve holds the folder while it works
        done = solve(TUTORIAL, "--out", out)
        assert done.exit_code == 1
        assert "another solve is writing to" in done.output
        assert "unchanged" not in done.output and solves == []
        with pytest.raises(FolderBusy):
            write_result(read_result(results["new"]), out)
    assert contents(out) == before
    assert solve(TUTORIAL, "--out", out).exit_code == 0 and leftovers(tmp_path) == []


def test_what_killed_writes_left_behind_is_cleaned_by_the_next_one(tmp_path, results):
    out = tmp_path / "result"
    write_result(read_result(results["previous"]), out)
    for stray in (".result.writing-deadbeef", ".result.old-cafe0123", ".result.writing-tmp_x9k2"):
        (tmp_path / stray).mkdir()
        (tmp_path / stray / "sections.csv").write_text("half a table")
    (tmp_path / ".result.lock").write_text("")
    (tmp_path / ".result.writing-notes.txt").write_text("not ours: another name")
    write_result(read_result(results["new"]), out)
    assert leftovers(tmp_path) == [".result.writing-notes.txt"]
    assert contents(out) == contents(results["new"])


# ---- kills ---------------------------------------------------------------------------------------------------

def _kill_every_step(results: dict[str, Path], workdir: Path, *options: str) -> subprocess.Popen:
    args = [str(results["new"]), str(workdir)]
    if "--first" not in options:
        args.append(str(results["previous"]))
    return subprocess.Popen([sys.executable, str(Path(__file__).with_name("killpoints.py")), *args,
                             *[o for o in options if o != "--first"]], stdout=subprocess.PIPE, text=True)


def test_a_write_killed_at_any_step_leaves_a_complete_result_that_passes_the_check(tmp_path, results):
    """Every call a write makes into the file system, before and after it, is a place a `kill -9` can
    land. With RENAME_EXCHANGE the folder holds the whole previous or the whole new result at
    every one of them; with two renames (platforms without it) the next write finishes the journal."""
    previous, new = contents(results["previous"]), contents(results["new"])
    variants = {"exchange": (), "two-renames": ("--two-renames", "--from-swap"), "first": ("--first", "--from-swap")}
    running = {name: _kill_every_step(results, tmp_path / name, *opts) for name, opts in variants.items()}
    for name, process in running.items():
        out, _ = process.communicate(timeout=600)
        assert process.returncode == 0, f"{name}: the kill driver failed"
        steps, swap = map(int, out.split())
        assert steps > 60 and 0 < swap < steps, f"{name}: {steps} steps, the swap at {swap}"
        root = tmp_path / name
        assert contents(root / "dry" / "result") == new
        seen = set()
        for step in sorted(int(p.name) for p in root.iterdir() if p.name.isdigit()):
            target = root / str(step) / "result"
            now = contents(target) if target.exists() else None
            if name != "two-renames":                 # the folder is whole at the very moment of the kill
                assert now in ((previous, new) if name == "exchange" else (None, new)), f"{name}: step {step}"
            elif now is None:
                seen.add("missing until the next write")
            with claim_result_folder(target):         # what the next solve does first
                pass
            now = contents(target) if target.exists() else None
            expected = (previous, new) if name != "first" else (None, new)
            assert now in expected, f"{name}: step {step} left {sorted(now or [])}"
            seen.add("new" if now == new else "previous" if now == previous else "none")
            assert leftovers(target.parent) == [], f"{name}: step {step} left {leftovers(target.parent)}"
        assert seen == {"exchange": {"previous", "new"}, "first": {"none", "new"},
                        "two-renames": {"previous", "new", "missing until the next write"}}[name]


def test_a_solve_killed_at_any_moment_leaves_a_result_that_passes_workbench_check(tmp_path, results):
    """`workbench solve` itself, killed with SIGKILL at moments spread over its run (loading, solving,
    writing); afterwards `workbench check` passes on whatever the folder holds."""
    previous = contents(results["previous"])
    moments = [0.5, 1.5, 2.5, 3.5]
    runs = []
    for i, moment in enumerate(moments):
        out = tmp_path / f"run{i}" / "result"
        write_result(read_result(results["previous"]), out)
        runs.append((moment, out, subprocess.Popen([*WORKBENCH, "solve", str(TUTORIAL), "--out", str(out)],
                                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))
        time.sleep(0.1)
    start = time.monotonic()
    for moment, _, process in sorted(runs, key=lambda run: run[0]):
        time.sleep(max(0.0, moment - (time.monotonic() - start)))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait()
    for moment, out, _ in runs:
        assert out.is_dir(), f"killed at {moment} s: the result folder is missing"
        if contents(out) != previous:
            assert set(contents(out)) == set(contents(results["solved"])), f"killed at {moment} s"
        checked = runner.invoke(app, ["check", str(TUTORIAL), str(out)])
        assert checked.exit_code == 0, f"killed at {moment} s: {checked.output}"


# ---- reading ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("folder", ["/etc", "scenario", "missing", "empty"])
def test_check_refuses_what_is_not_a_result_folder_in_one_line(tmp_path, folder):
    path = {"/etc": Path("/etc"), "scenario": TUTORIAL, "missing": tmp_path / "nowhere",
            "empty": tmp_path}[folder]
    done = runner.invoke(app, ["check", str(TUTORIAL), str(path)])
    assert done.exit_code == 1
    lines = done.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}: is not a result folder"), lines
    with pytest.raises(ScenarioInvalid):
        read_result(path)


def test_a_result_written_before_the_format_marker_is_still_read_and_checked(tmp_path, results):
    old = tmp_path / "old"
    old.mkdir()
    for name, data in contents(results["solved"]).items():
        (old / name).write_bytes(data)
    summary = json.loads((old / "summary.json").read_text())
    del summary["format"]
    (old / "summary.json").write_text(json.dumps(summary))
    assert read_result(old).summary["status"] == summary["status"]
    assert runner.invoke(app, ["check", str(TUTORIAL), str(old)]).exit_code == 0
    (old / "groups.csv").unlink()                    # without the marker, the SPEC files say what it is
    assert runner.invoke(app, ["check", str(TUTORIAL), str(old)]).exit_code == 1


# ---- export ----------------------------------------------------------------------------------------------------

def test_export_refuses_to_write_over_a_folder_in_a_plain_sentence(tmp_path, results):
    folder = tmp_path / "reports"
    folder.mkdir()
    settings = tmp_path / "scenario.yaml"
    settings.write_text("name: my school\n")
    for option, name in (("--xlsx", "x.xlsx"), ("--html", "x.html")):
        for target in (folder, settings):
            done = runner.invoke(app, ["export", str(results["new"]), option, str(target)])
            assert done.exit_code == 1, done.output
            assert len(done.output.strip().splitlines()) == 1
            assert "internal error" not in done.output and "Traceback" not in done.output
        done = runner.invoke(app, ["export", str(results["new"]), option, str(folder / name)])
        assert done.exit_code == 0, done.output
    assert sorted(os.listdir(folder)) == ["x.html", "x.xlsx"]
    assert settings.read_text() == "name: my school\n"


def test_generate_never_replaces_a_folder_holding_the_users_own_files(tmp_path):
    """The same kind as --out for a result: `workbench generate --out d` wrote over d/thesis.docx."""
    def generate(out):
        return subprocess.run([sys.executable, "-m", "workbench.cli", "generate", "--students", "30", "--level",
                               "middle", "--out", str(out)], cwd=tmp_path, capture_output=True, text=True)

    mine = tmp_path / "d"
    mine.mkdir()
    (mine / "thesis.docx").write_text("four years of work")
    run = generate(mine)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "thesis.docx" in run.stderr and "did not write" in run.stderr
    assert (mine / "thesis.docx").read_text() == "four years of work"
    here = generate(".")
    assert here.returncode == 1 and "the folder you are working in" in here.stderr
    school = tmp_path / "school"
    for _ in range(2):   # a new folder, then an earlier scenario folder: both written
        done = generate(school)
        assert done.returncode == 0, done.stderr
    assert (school / "scenario.yaml").exists()
