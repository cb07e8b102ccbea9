"""The two ways a design can fail, each carrying a message a school leader can act on."""

from __future__ import annotations

import os
from dataclasses import dataclass


def debug_requested() -> bool:
    """WORKBENCH_DEBUG=1: a developer wants the traceback of an internal error, where a school leader gets
    one plain line. Every place that turns an unexpected exception into a sentence asks this first."""
    return bool(os.environ.get("WORKBENCH_DEBUG"))


@dataclass(frozen=True)
class Problem:
    """One problem in a scenario folder: `file:row:column: what is wrong — what would fix it`.

    `row` is the line number in the file as an editor or spreadsheet shows it (the header is line 1,
    the first student is line 2); for scenario.yaml it is the YAML line.
    """

    file: str
    row: int | None
    column: str | None
    message: str
    fix: str = ""

    def __str__(self) -> str:
        where = ":".join(str(part) for part in (self.file, self.row, self.column) if part not in (None, ""))
        text = f"{where}: {self.message}"
        return f"{text} — {self.fix}" if self.fix else text


class ScenarioInvalid(Exception):
    """A scenario folder that cannot be planned; `problems` lists every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def summary(self) -> str:
        """The first problem and how many more: one line for a batch or district table."""
        first = str(self.problems[0]) if self.problems else "unreadable"
        more = f" (and {len(self.problems) - 1} more problem(s))" if len(self.problems) > 1 else ""
        return f"{first}{more}"


class InfeasibleDesign(Exception):
    """The hard rules cannot all hold. `reasons` are sentences saying which rules clash and why; `rules` the IDs
    of the clashing rules in `workbench.plan.rules.RULES` (empty when not known)."""

    def __init__(self, reasons: list[str] | str, phase: str = "", rules: list[str] | None = None):
        self.reasons = [reasons] if isinstance(reasons, str) else list(reasons)
        self.phase = phase
        self.rules = list(rules or [])
        super().__init__("\n".join(self.reasons))


class SolveCancelled(Exception):
    """The person asked the solve to stop; nothing was written."""


class SolverFailed(Exception):
    """The solver gave no answer (an error, "not solved", a crash, or no design before its time limit). It
    says nothing about the school, so it is never explained as an impossible design. `reason` quotes the
    solver; `hint` says what to try."""

    def __init__(self, step: str, solver: str, reason: str, hint: str = ""):
        solver = {"highs": "HiGHS", "cbc": "CBC"}.get(solver, solver)
        self.step, self.solver, self.reason = step, solver, reason
        self.hint = hint or {"HiGHS": "try the solve again, or set `solver: name: cbc` in scenario.yaml",
                             "CBC": "try the solve again, or set `solver: name: highs` in scenario.yaml"
                             }.get(solver, "try the solve again; if it fails again, please report it")
        super().__init__(
            f"The {solver} solver failed in the {step} step and gave no answer ({reason}). This is a failure "
            f"of the solver, not a problem with the school's design: {self.hint}.")
