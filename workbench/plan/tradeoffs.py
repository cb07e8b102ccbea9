"""Trade-offs a school leader asks about, answered by re-solving the staffing model (issue 4).

Each function returns a tidy table the app draws and a notebook prints; none of them changes the
scenario it is given. Goals counted here are the staffing model's outlook (which goals the chosen staff
and budget make reachable), not a full timetable: fast enough to compare several designs in seconds.
"""

from __future__ import annotations

import pandas as pd

from workbench.errors import InfeasibleDesign
from workbench.plan.staffing import StaffingOptions, StaffingPlan, plan_staffing
from workbench.progress import SILENT, Reporter
from workbench.scenario.funding import total_revenue
from workbench.scenario.model import Scenario
from workbench.scenario.staff_table import existing_staffing

DESIGN_COLUMNS = ["design", "description", "fits", "cost", "extra_cost", "goals_met", "goals_total",
                  "goals_weighted", "tutoring_goals_met", "class_size_goals_met", "strong_teacher_goals_met",
                  "new_hires", "leaders", "uncovered_sections", "balance", "note"]


def _kind(plan: StaffingPlan, kind: str) -> int:
    return int(plan.stats["goals_by_kind"].get(kind, {}).get("reachable", 0))


def _design(name: str, description: str, plan: StaffingPlan | None, baseline: float | None,
            note: str = "") -> dict:
    if plan is None:
        return {"design": name, "description": description, "fits": False, "note": note}
    stats = plan.stats
    return {
        "design": name, "description": description, "fits": stats["uncovered_sections"] == 0,
        "cost": stats["cost"], "extra_cost": round(stats["cost"] - baseline, 2) if baseline is not None else 0.0,
        "goals_met": stats["goals_reachable"], "goals_total": stats["goals_total"],
        "goals_weighted": stats["goals_weighted"], "tutoring_goals_met": _kind(plan, "tutoring_minutes"),
        "class_size_goals_met": _kind(plan, "max_class_size"),
        "strong_teacher_goals_met": _kind(plan, "strong_teacher"),
        "new_hires": int(plan.staffing["new_hire"].sum()), "leaders": stats["leaders"],
        "uncovered_sections": stats["uncovered_sections"], "balance": stats["balance"], "note": note,
    }


def _try(scenario: Scenario, reporter: Reporter, options: StaffingOptions | None = None):
    try:
        return plan_staffing(scenario, reporter, options), ""
    except InfeasibleDesign as err:
        return None, " ".join(err.reasons)


def class_size_vs_mcl(scenario: Scenario, class_size: int = 20, mcl_teams: int = 2,
                      reporter: Reporter = SILENT) -> pd.DataFrame:
    """"What does lowering class size to 20 cost versus adding 2 MCL teams?" Three designs under the
    school's own budget: today's plan, every class capped at `class_size`, and at least `mcl_teams`
    multi-classroom leaders with their teams. Each row: cost, extra cost over today's plan, and goals
    reached; a design the money cannot staff shows its uncovered sections and lost goals."""
    base, note = _try(scenario, reporter)
    baseline = base.stats["cost"] if base is not None else None
    rows = [_design("today", "the staffing optimiser's plan for the school as it is", base, baseline, note)]

    smaller = scenario.copy()
    smaller.courses["max_size"] = smaller.courses["max_size"].clip(upper=class_size).astype("int64")
    plan, note = _try(smaller, reporter)
    if plan is not None and plan.stats["uncovered_sections"]:
        note = f"{plan.stats['uncovered_sections']} sections of {class_size} cannot be staffed within the budget"
    rows.append(_design("smaller classes", f"every class capped at {class_size} students", plan, baseline, note))

    plan, note = _try(scenario, reporter, StaffingOptions(min_leaders=mcl_teams))
    rows.append(_design("MCL teams", f"at least {mcl_teams} multi-classroom leaders, each leading a team",
                        plan, baseline, note))
    return pd.DataFrame(rows).reindex(columns=DESIGN_COLUMNS)


def marginal_value_of_budget(scenario: Scenario, step: float = 100_000, levels: int = 5,
                             start: str = "payroll", reporter: Reporter = SILENT) -> pd.DataFrame:
    """Goals met (and tutoring goals met) at `levels` budgets `step` dollars apart, and what each extra
    `step` buys. `start="payroll"` begins at what the existing staff already cost (the least any design
    can spend), so the curve shows what money beyond payroll buys; `start="revenue"` centres the levels
    on this year's revenue. A level below payroll is shown as not fitting. When deficits are allowed the
    budget does not bind, and the curve is flat."""
    revenue = total_revenue(scenario)
    if start == "payroll":
        payroll = float(existing_staffing(scenario)["annual_cost"].sum())
        deltas = [payroll + k * step - revenue for k in range(levels)]
    else:
        deltas = [(k - levels // 2) * step for k in range(levels)]
    rows = []
    for k, delta in enumerate(deltas):
        reporter.report("tradeoffs", f"budget of ${revenue + delta:,.0f}", k / levels)
        plan, note = _try(scenario, reporter, StaffingOptions(extra_budget=delta))
        row = {"extra_budget": round(delta, 2), "budget": round(revenue + delta, 2), "fits": plan is not None,
               "note": note}
        if plan is not None:
            row.update({"cost": plan.stats["cost"],
                        "goals_met": plan.stats["goals_reachable"], "goals_weighted": plan.stats["goals_weighted"],
                        "tutoring_goals_met": plan.stats["tutoring_goals_reachable"],
                        "uncovered_sections": plan.stats["uncovered_sections"]})
        rows.append(row)
    out = pd.DataFrame(rows).reindex(columns=["extra_budget", "budget", "fits", "cost", "goals_met", "goals_weighted",
                                              "tutoring_goals_met", "uncovered_sections", "note"])
    per = 100_000 / step
    out["goals_per_100k"] = (out["goals_met"].diff() * per).round(2)
    out["tutoring_goals_per_100k"] = (out["tutoring_goals_met"].diff() * per).round(2)
    return out
