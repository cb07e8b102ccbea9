"""A district solves many schools at once on Dask; one broken or impossible school never stops the others.

Tiny generated schools (30-40 students, 5 s solver limit) keep this quick; every result a batch writes is
re-checked with the independent checker.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from workbench.batch import (
    SUMMARY_FILE,
    SolveJob,
    cluster_client,
    expand_scenarios,
    is_single_scenario,
    map_in_cluster,
    parse_vary,
    plan_jobs,
    solve_batch,
    solve_job,
    sweep,
    write_variants,
)
from workbench.cli import app
from workbench.results.check import check_result
from workbench.results.io import read_result
from workbench.scenario.generate import build_scenario
from workbench.scenario.model import write_scenario
from workbench.scenario.validate import load_scenario

SCHOOLS = [(30, 11), (36, 12), (40, 13), (30, 14), (34, 15), (38, 16)]   # (students, seed)

pytestmark = pytest.mark.xdist_group("dask")


def tiny_school(folder: Path, students: int, seed: int) -> Path:
    scenario = build_scenario(students, seed, "middle", name=f"Tiny school {seed}")
    return write_scenario(scenario.with_settings(**{"solver.time_limit_s": 5}), folder)


def broken_school(folder: Path) -> Path:
    """A school whose students.csv lost its columns in a spreadsheet export."""
    tiny_school(folder, 30, 21)
    (folder / "students.csv").write_text("student_id,grade\nA1,6\n", encoding="utf-8")
    return folder


def impossible_school(folder: Path) -> Path:
    """Funding of $100 a pupil cannot pay the teachers already on staff, and deficits are not allowed."""
    scenario = build_scenario(30, 22, "middle", name="Underfunded school")
    return write_scenario(scenario.with_settings(**{"funding.base_per_pupil": 100, "funding.other_revenue": 0,
                                                    "funding.one_time_revenue": 0, "funding.allow_deficit": False,
                                                    "solver.time_limit_s": 5}), folder)


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("district")
    for students, seed in SCHOOLS:
        tiny_school(root / f"school-{seed}", students, seed)
    broken_school(root / "broken")
    impossible_school(root / "underfunded")
    return root


@pytest.fixture(scope="module")
def cluster_lines() -> list[str]:
    return []


@pytest.fixture(scope="module")
def client(cluster_lines):
    """One local cluster of two single-threaded worker processes for the whole module, always closed."""
    with cluster_client(workers=2, dashboard_address=":0", say=cluster_lines.append) as made:
        yield made


# ---- without a cluster ----------------------------------------------------------------------------------

def test_vary_reads_ranges_with_the_stop_included_and_lists():
    assert parse_vary("funding.base_per_pupil=7000:9000:500").values == (7000, 7500, 8000, 8500, 9000)
    assert parse_vary("tutoring.session_minutes=30,45").values == (30, 45)
    assert parse_vary("solver.name=highs,cbc").values == ("highs", "cbc")
    assert parse_vary("funding.weights.ell=0.2:0.4:0.1").values == (0.2, 0.3, 0.4)
    for bad in ("funding.base_per_pupil", "x=9:1:1", "x=1:2", "x=a:b:c", "=1,2"):
        with pytest.raises(ValueError):
            parse_vary(bad)


def test_a_folder_of_folders_expands_to_its_scenarios(district):
    found = expand_scenarios([district])
    assert [p.name for p in found] == sorted(["broken", "underfunded"] + [f"school-{s}" for _, s in SCHOOLS])
    assert not is_single_scenario([district])
    assert is_single_scenario([district / "school-11"])
    jobs = plan_jobs([district / "school-11", district / "school-11"], Path("/out"))
    assert [j.name for j in jobs] == ["school-11", "school-11-2"]


def test_variants_are_written_as_folders_that_trace_back(district, tmp_path):
    folders = write_variants(district / "school-11", [parse_vary("funding.base_per_pupil=8000:9000:1000"),
                                                      parse_vary("tutoring.max_group_size=3,4")], tmp_path)
    assert len(folders) == 4
    variant = load_scenario(tmp_path / "scenarios" / "school-11__base_per_pupil-9000__max_group_size-3")
    assert variant.settings.funding.base_per_pupil == 9000
    assert variant.settings.tutoring.max_group_size == 3
    assert "base_per_pupil=9000" in variant.name
    original = load_scenario(district / "school-11")
    pd.testing.assert_frame_equal(variant.students, original.students)


def test_a_broken_and_an_impossible_school_are_reported_in_plain_words(district, tmp_path):
    broken = solve_job(SolveJob(str(district / "broken"), str(tmp_path / "broken"), "broken"))
    assert broken["status"] == "invalid" and "students.csv" in broken["reason"]
    poor = solve_job(SolveJob(str(district / "underfunded"), str(tmp_path / "poor"), "underfunded"))
    assert poor["status"] == "infeasible" and "revenue" in poor["reason"]
    assert not (tmp_path / "broken").exists() and not (tmp_path / "poor").exists()


def test_a_solve_that_overruns_its_own_time_limit_is_stopped_and_writes_nothing(tmp_path):
    school = tiny_school(tmp_path / "slow", 30, 23)
    write_scenario(load_scenario(school).with_settings(**{"solver.time_limit_s": 0.01}), school)
    row = solve_job(SolveJob(str(school), str(tmp_path / "out"), "slow", margin_s=0))
    assert row["status"] == "timed out" and "time limit plus margin" in row["reason"]
    assert not (tmp_path / "out").exists()


# ---- on a local cluster of two worker processes ----------------------------------------------------------

def test_a_district_batch_solves_every_school_and_reports_the_two_that_cannot_be(district, client, tmp_path):
    out = tmp_path / "proposals"
    (out / "underfunded").mkdir(parents=True)
    (out / "underfunded" / "last-years-plan.txt").write_text("keep me", encoding="utf-8")
    lines: list[str] = []
    summary = solve_batch([district], out, client=client, say=lines.append)

    assert len(summary) == 8
    status = dict(zip(summary["scenario"], summary["status"], strict=True))
    assert status["broken"] == "invalid"
    assert status["underfunded"] == "infeasible"
    solved = summary[summary["status"].isin(["optimal", "feasible"])]
    assert sorted(solved["scenario"]) == sorted(f"school-{s}" for _, s in SCHOOLS)
    assert summary.set_index("scenario").loc["broken", "reason"].startswith("the scenario has problems")
    # an impossible design never touches an existing folder
    assert (out / "underfunded" / "last-years-plan.txt").read_text(encoding="utf-8") == "keep me"
    # every written result holds every hard rule, re-checked independently
    for row in solved.itertuples():
        result = read_result(out / row.scenario)
        assert check_result(load_scenario(district / row.scenario), result) == [], row.scenario
        assert 0 < row.requests_placed_pct <= 100
        assert row.breaches == 0
    on_disk = pd.read_csv(out / SUMMARY_FILE)
    assert list(on_disk["scenario"]) == list(summary["scenario"])
    assert any("done 8/8, running 0, failed 2" in line for line in lines)


def test_map_in_cluster_keeps_order_and_survives_a_failing_item(client):
    out = map_in_cluster(parse_vary, ["a=1:3:1", "no equals sign", "b=x,y"], client=client)
    assert [m.ok for m in out] == [True, False, True]
    assert out[0].value.values == (1, 2, 3) and out[2].value.values == ("x", "y")
    assert out[1].error.startswith("ValueError") and "needs a setting" in out[1].error


def test_a_solve_past_its_time_limit_is_given_up_and_the_rest_finish(client):
    start = time.perf_counter()
    out = map_in_cluster(time.sleep, [4, 0.1], client=client, timeout_s=lambda s: 1.0)
    assert "still running after 1 s" in out[0].error
    assert out[1].ok
    assert time.perf_counter() - start < 4


def test_a_sweep_writes_variants_and_names_the_varied_setting(district, client, tmp_path):
    summary = sweep(district / "underfunded", [parse_vary("funding.base_per_pupil=100:300:200")], tmp_path,
                    client=client)
    assert list(summary["funding.base_per_pupil"]) == [100, 300]
    assert set(summary["status"]) == {"infeasible"}
    assert (tmp_path / "scenarios" / "underfunded__base_per_pupil-300" / "scenario.yaml").exists()
    assert "funding.base_per_pupil" in pd.read_csv(tmp_path / SUMMARY_FILE).columns


# ---- the command line (each run makes and closes its own local cluster) ---------------------------------

def test_the_local_cluster_says_where_its_dashboard_is(client, cluster_lines):
    assert cluster_lines == [f"solving on a local cluster of 2 worker processes; dashboard at {client.dashboard_link}"]
    assert client.dashboard_link.startswith("http://127.0.0.1:")


def test_cli_solve_of_several_schools_prints_a_summary_and_exits_1_when_one_fails(district, client, tmp_path):
    run = CliRunner().invoke(app, ["solve", str(district / "broken"), str(district / "underfunded"),
                                   "--out", str(tmp_path / "out"), "--scheduler", client.scheduler.address])
    assert run.exit_code == 1, run.output
    assert f"solving on {client.scheduler.address}" in run.output
    assert "done 2/2, running 0, failed 2" in run.output
    assert "batch summary" in run.output and "underfunded" in run.output and "infeasible" in run.output
    assert "Traceback" not in run.output
    assert len(pd.read_csv(tmp_path / "out" / SUMMARY_FILE)) == 2


def test_cli_sweep_refuses_a_malformed_vary_without_starting_anything(district, tmp_path):
    run = CliRunner().invoke(app, ["sweep", str(district / "school-11"), "--vary", "funding.base_per_pupil=9:1:1",
                                   "--out", str(tmp_path / "sweep")])
    assert run.exit_code == 2
    assert "step must be above 0" in run.output
    assert not (tmp_path / "sweep").exists()
    run = CliRunner().invoke(app, ["sweep", str(district / "school-11"), "--vary", "funding.base_per_pupil=-5,1",
                                   "--out", str(tmp_path / "sweep")])
    assert run.exit_code == 1 and "base_per_pupil" in run.output and "Traceback" not in run.output


def test_a_school_short_of_a_co_teacher_says_why_in_the_batch_table(tmp_path):
    # the tutorial with Math 6 and ELA 7 co-taught by enl teachers, whose holders all teach ELA: the design is
    # written and feasible, and the district's table says which section goes without its second adult
    import shutil

    school = tmp_path / "tutorial"
    shutil.copytree(Path(__file__).resolve().parents[1] / "scenarios" / "tutorial", school)
    courses = pd.read_csv(school / "courses.csv", dtype=str, keep_default_na=False)
    courses["co_teacher_subject"] = courses["course_id"].map({"MATH6": "enl", "ELA7": "enl"}).fillna("")
    courses.to_csv(school / "courses.csv", index=False)
    row = solve_job(SolveJob(str(school), str(tmp_path / "out"), "tutorial"))
    assert row["status"] == "feasible" and row["breaches"] == 0
    assert row["reason"].startswith("1 warning: Section ELA7-01 (ELA7) has no co-teacher: of those who hold enl, ")
