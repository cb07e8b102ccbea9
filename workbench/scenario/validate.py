"""Checks across the tables of a scenario: every problem one line naming file, row and column."""

from __future__ import annotations

from pathlib import Path

from workbench.errors import Problem, ScenarioInvalid
from workbench.scenario.load import read_scenario, strip_lines
from workbench.scenario.model import Scenario


def check_scenario(scenario: Scenario) -> list[Problem]:
    """Cross-table checks on a scenario whose files each read cleanly (tables still carry `__line__`)."""
    problems: list[Problem] = []
    # TODO(validation): references, duplicates, impossible values — filled in by the validation work.
    return problems


def validate_scenario(folder: str | Path) -> list[Problem]:
    """Every problem in the folder; an empty list means it can be planned."""
    scenario, problems = read_scenario(folder)
    if scenario is not None:
        problems += check_scenario(scenario)
    return problems


def load_scenario(folder: str | Path) -> Scenario:
    """The scenario, ready to plan; raises `ScenarioInvalid` listing every problem."""
    scenario, problems = read_scenario(folder)
    if scenario is not None:
        problems += check_scenario(scenario)
    if problems or scenario is None:
        raise ScenarioInvalid(problems)
    return strip_lines(scenario)
