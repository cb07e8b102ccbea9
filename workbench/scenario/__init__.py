"""Read, validate, write and generate scenario folders (SPEC §1)."""

from workbench.scenario.model import Scenario, write_scenario
from workbench.scenario.validate import load_scenario, validate_scenario

__all__ = ["Scenario", "load_scenario", "validate_scenario", "write_scenario"]
