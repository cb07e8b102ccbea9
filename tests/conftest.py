"""Shared fixtures: the hand-made mini school and the bundled scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.scenario import load_scenario

LONG_HUNT = pytest.mark.skip(reason="a long property-based hunt: run it with -m slow_property")

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "data" / "mini"
SCENARIOS = ROOT / "scenarios"


@pytest.fixture
def mini_path() -> Path:
    return MINI


@pytest.fixture
def mini():
    return load_scenario(MINI)


def pytest_collection_modifyitems(config, items):
    """`slow_property` tests run only when asked for by name (-m slow_property), never in `make test`."""
    if "slow_property" in (config.getoption("markexpr") or ""):
        return
    for item in items:
        if "slow_property" in item.keywords:
            item.add_marker(LONG_HUNT)
