"""The spreadsheet baseline: sections course by course, then students one by one, never revisiting.

It serves twice: as the yardstick the optimiser is benchmarked against, and as the floor the optimiser
must never fall below (the workbench keeps the better of the two).
"""

from __future__ import annotations

import time

import pandas as pd

from workbench.plan.schedule.common import placement_metrics, request_table
from workbench.plan.schedule.periods import allowed_periods, assign_rooms, conflict_matrix
from workbench.plan.schedule.sections import Catalog, build_catalog, qualified, run_prechecks
from workbench.plan.schedule.students import section_caps
from workbench.scenario.model import Scenario

SECTION_COLUMNS = ["section_id", "course_id", "staff_id", "room_id", "period"]


def greedy_teachers(catalog: Catalog, scenario: Scenario) -> pd.DataFrame:
    """Course by course (fewest certified teachers first), each wanted section to the certified teacher with
    the most free capacity left. Pins come first, exactly as pinned."""
    from workbench.plan.schedule.sections import _is_blank, finish_plan
    left = {t: int(c) for t, c in catalog.teachers["capacity"].items()}   # a dict: read in the inner loop
    certified: dict[str, list[str]] = {}

    def qualified_for(subject: str) -> list[str]:
        if subject not in certified:
            certified[subject] = qualified(catalog, subject)
        return certified[subject]
    rows = []
    pins = scenario.pins if scenario.pins is not None else pd.DataFrame(columns=["course_id"])
    per_course = {}
    for pin in pins.itertuples():
        staff = None if _is_blank(getattr(pin, "staff_id", None)) else str(pin.staff_id)
        cid = str(pin.course_id)
        if staff is None:
            who = [t for t in qualified_for(catalog.courses.at[cid, "subject"]) if left[t] > 0]
            staff = max(who, key=lambda t: left[t]) if who else None
        if staff is not None:
            left[staff] -= 1
        per_course[cid] = per_course.get(cid, 0) + 1
        rows.append({"course_id": cid, "staff_id": staff,
                     "pin_section": None if _is_blank(getattr(pin, "section_id", None)) else str(pin.section_id),
                     "pin_period": None if _is_blank(getattr(pin, "period", None)) else int(pin.period),
                     "pin_room": None if _is_blank(getattr(pin, "room_id", None)) else str(pin.room_id)})
    courses = catalog.courses
    order = sorted(courses.index, key=lambda c: (len(qualified_for(courses.at[c, "subject"])), c))
    for cid in order:
        for _ in range(int(courses.at[cid, "want"]) - per_course.get(cid, 0)):
            who = [t for t in qualified_for(courses.at[cid, "subject"]) if left[t] > 0]
            if not who:
                break
            t = max(who, key=lambda t: (left[t], t))
            left[t] -= 1
            rows.append({"course_id": cid, "staff_id": t, "pin_section": None, "pin_period": None,
                         "pin_room": None})
    return finish_plan(rows)


def greedy_periods(catalog: Catalog, plan: pd.DataFrame, conflicts: pd.DataFrame) -> pd.Series:
    """Smallest courses first; each section to the free period where it clashes least with what is placed."""
    allowed = allowed_periods(plan, catalog)
    rtype = catalog.courses["room_type"].to_dict()
    rooms = catalog.rooms
    room_left = {(kind, p): int((rooms["room_type"] == kind).sum()) for kind in set(rtype.values()) if kind
                 for p in catalog.periods}
    total_left = dict.fromkeys(catalog.periods, len(rooms))
    w = {}
    for a, b, wt in conflicts.itertuples(index=False):
        w.setdefault(a, {})[b] = wt
        w.setdefault(b, {})[a] = wt
    n_sec = plan.groupby("course_id").size().to_dict()   # a dict: looked up in the inner loop
    busy: set = set()
    at: dict = {}
    out = {}
    order = sorted(plan.index, key=lambda i: (plan.at[i, "pin_period"] is None, n_sec[plan.at[i, "course_id"]],
                                              plan.at[i, "course_id"]))
    for i in order:
        cid, t = plan.at[i, "course_id"], plan.at[i, "staff_id"]
        kind = rtype[cid]
        options = [p for p in allowed[i] if (t, p) not in busy and total_left[p] > 0
                   and (not kind or room_left[kind, p] > 0)]
        if not options:
            continue

        def cost(p, cid=cid):
            here = at.get(p, {})
            clash = sum(wt * here.get(b, 0) / n_sec[b] for b, wt in w.get(cid, {}).items() if b in here)
            return clash + 1000 * here.get(cid, 0), p
        p = min(options, key=cost) if plan.at[i, "pin_period"] is None else options[0]
        out[i] = p
        busy.add((t, p))
        at.setdefault(p, {})[cid] = at.get(p, {}).get(cid, 0) + 1
        total_left[p] -= 1
        if kind:
            room_left[kind, p] -= 1
    return pd.Series(out, dtype="Int64").reindex(plan.index)


def greedy_students(scenario: Scenario, sections: pd.DataFrame) -> pd.DataFrame:
    """Students in ID order, each request in priority order, into the emptiest section in a free period."""
    req = request_table(scenario).sort_values(["student_id", "priority", "course_id"])
    by_course: dict[str, list] = {}
    for sec, cid in zip(sections["section_id"], sections["course_id"], strict=True):
        by_course.setdefault(cid, []).append(sec)
    size = dict.fromkeys(sections["section_id"], 0)
    cap = dict(zip(sections["section_id"], sections["cap"], strict=True))
    period = dict(zip(sections["section_id"], sections["period"], strict=True))
    out = []
    current, busy, missed_electives = None, set(), 0
    # plain lists rather than a pandas groupby: the same order (student, priority, course), 20x faster
    for sid, cid, prio in zip(req["student_id"].tolist(), req["course_id"].tolist(), req["priority"].tolist(),
                              strict=True):
        if sid != current:
            current, busy, missed_electives = sid, set(), 0
        if prio == 3 and missed_electives <= 0:
            continue
        options = [s for s in by_course.get(cid, ()) if size[s] < cap[s] and period[s] not in busy]
        if not options:
            missed_electives += prio == 2
            continue
        pick = min(options, key=lambda s: (size[s] / max(1, cap[s]), s))
        size[pick] += 1
        busy.add(period[pick])
        out.append((sid, pick))
        missed_electives -= prio == 3
    return pd.DataFrame(out, columns=["student_id", "section_id"])


def greedy_schedule(scenario: Scenario, staffing: pd.DataFrame, plan: pd.DataFrame | None = None,
                    catalog: Catalog | None = None) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The whole baseline: returns sections (SPEC columns plus cap), enrollments and metrics/timings."""
    t0 = time.perf_counter()
    if catalog is None:
        catalog = build_catalog(scenario, staffing)
        run_prechecks(scenario, catalog)
    if plan is None:
        plan = greedy_teachers(catalog, scenario)
    conflicts = conflict_matrix(request_table(scenario))
    sections = plan.copy()
    sections["period"] = greedy_periods(catalog, plan, conflicts)
    sections = sections[sections["period"].notna()].copy()
    sections["period"] = sections["period"].astype(int)
    sections["room_id"] = assign_rooms(sections, catalog)
    sections["cap"] = section_caps(sections, scenario)
    enrollments = greedy_students(scenario, sections)
    stats = placement_metrics(scenario, sections, enrollments)
    stats["solve_s"] = round(time.perf_counter() - t0, 3)
    return sections, enrollments, stats
