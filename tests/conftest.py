"""Shared fixtures: the hand-made mini school and the bundled scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "data" / "mini"
SCENARIOS = ROOT / "scenarios"


@pytest.fixture
def mini_path() -> Path:
    return MINI


@pytest.fixture
def mini():
    return load_scenario(MINI)
