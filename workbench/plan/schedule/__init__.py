"""Master schedule and student sectioning: the passes are in `build` (read its docstring first).

`build_schedule` is the step's one entry point; the modules beside it are its passes, in the order `build`
runs them: `sections` (pre-checks, section counts, teachers), `greedy` (the baseline), `periods`,
`students`, `improve` (local search), `goals`, `handoff`, `openings`, `balance`, and `bound` (the school-wide bound).
`common` holds what several passes share."""

from workbench.plan.schedule.build import SchedulePlan, build_schedule, close_empty_sections, unplaced_requests

__all__ = ["SchedulePlan", "build_schedule", "close_empty_sections", "unplaced_requests"]
