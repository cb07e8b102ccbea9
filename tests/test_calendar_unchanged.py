"""A school that uses no calendar feature (SPEC §4) gets the very same design as before calendars existed.

Story: a principal solved her school last spring; the workbench then learned A/B days, terms and lunch waves.
Solving the same school again must give the same result folder, byte for byte (summary.json apart from its
timings), so nothing she already showed her staff changes under her feet.

How the reference was made: `tests/data/plain_results.json` holds a SHA-256 of every file of each bundled
scenario's result, solved with the code of main just before the time model (commit 0717604) by
`python tests/test_calendar_unchanged.py record <folder holding one result folder per scenario>`. A change
that means to alter these designs (a better schedule step) records them again in the same commit and says so.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from workbench.pipeline import solve_scenario
from workbench.results.check import check_result
from workbench.results.io import design_summary, write_result
from workbench.scenario import load_scenario
from workbench.scenario.calendar import calendar_of, meetings, uses_calendar

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "data" / "plain_results.json"
SCHOOLS = ["tutorial", "riverside-middle", "riverside-middle-mcl", "summit-high"]


def fingerprint(folder: Path) -> dict[str, str]:
    """file name -> SHA-256 of its bytes; summary.json hashed without its timing fields and the scenario's
    path on this machine."""
    out = {}
    for path in sorted(folder.iterdir()):
        data = path.read_bytes()
        if path.name == "summary.json":
            summary = design_summary(json.loads(data))
            summary.pop("scenario_path", None)
            data = json.dumps(summary, sort_keys=True).encode()
        out[path.name] = hashlib.sha256(data).hexdigest()
    return out


def test_no_bundled_school_uses_the_calendar_so_each_is_a_plain_week():
    for school in SCHOOLS:
        scenario = load_scenario(ROOT / "scenarios" / school)
        assert not uses_calendar(scenario), school
        cal = calendar_of(scenario)
        assert cal.terms == ("year",) and list(cal.types) == ["all"] and not cal.has_lunch


def test_in_a_plain_week_a_section_meets_at_its_period_on_every_day():
    scenario = load_scenario(ROOT / "scenarios" / "tutorial")
    sections = scenario.courses[["course_id"]].head(3).assign(section_id=lambda f: f["course_id"] + "-1",
                                                               period=[1, 2, 3])
    slots = meetings(sections, calendar_of(scenario), scenario.courses)
    assert len(slots) == 3 * scenario.settings.school.days
    assert (slots.groupby("section_id")["period"].nunique() == 1).all()
    assert set(slots["term"]) == {"year"}
    assert sorted(slots.loc[slots["section_id"] == sections["section_id"].iloc[0], "day"]) == scenario.days


@pytest.mark.slow
@pytest.mark.parametrize("school", SCHOOLS)
def test_a_bundled_school_solves_to_the_same_result_files_as_before_the_time_model(school, tmp_path):
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))[school]
    scenario = load_scenario(ROOT / "scenarios" / school)
    result = solve_scenario(scenario)
    assert check_result(scenario, result) == []
    out = write_result(result, tmp_path / school)
    now = fingerprint(out)
    changed = sorted(name for name in set(now) | set(reference) if now.get(name) != reference.get(name))
    assert changed == [], f"{school}: these result files differ from the design before calendars: {changed}"


def record(results_root: Path) -> None:
    """Write the reference from result folders solved by the code before the time model."""
    data = {school: fingerprint(results_root / school) for school in SCHOOLS}
    REFERENCE.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "record":
        sys.exit("usage: python tests/test_calendar_unchanged.py record <folder of result folders>")
    record(Path(sys.argv[2]))
