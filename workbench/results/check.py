"""The independent checker: every hard rule of SPEC §2 (and §4's calendar rules) re-verified on any result.

Why independent: a solver's own claims are not evidence. This module reads only the scenario, the result
tables, the funding formula, the roles catalogue and the time model (workbench.scenario.calendar, which
says which slots a section holds and decides nothing); it shares no code with the planning steps, so a bug
in a planner cannot hide itself here. The master schedule's rules (1-8 and 14) and the typing of the tables
are in `workbench.verify.schedule`, a layer below planning, because the schedule step's own guard runs them
too; they import nothing from planning either. Rules 1, 2, 3, 6 and 9 are judged slot by slot (term, day,
period); in a plain week (one term, every day) a breach reads as before: once, for its period. Everything is
vectorised (merges and group-bys), so an 1,800-student result checks in well under a second.

Each breach is one line a school leader can act on, naming the rule and the offending IDs, e.g.
`rule 1 (a teacher in two places at once): T07 teaches SEC-ALG1-2 and SEC-GEO-1 in period 3`.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from workbench.errors import debug_requested
from workbench.plan.rules import RULES
from workbench.results.team_time import planning_table_wrong, short_teams
from workbench.scenario.funding import total_revenue
from workbench.scenario.model import Scenario
from workbench.verify import schedule
from workbench.verify.result import Result
from workbench.verify.schedule import (
    Breach,
    _Found,
    _ids,
    _ints,
    _join,
    _placed,
    _prepare,
    _schedule_rules,
    _sessions_with_staff,
    _Tables,
    _teaching,
)

RULE_NAMES: dict[int | str, str] = schedule.rule_names(RULES.values())
CENT = 0.011     # per-row money tolerance: amounts are rounded to cents
DOLLAR = 1.0     # SPEC: totals agree within $1


# ---- structure: every ID names something that exists ----------------------------------------------------

NOUNS = {"section_id": "section", "student_id": "student", "group_id": "group", "staff_id": "staff member",
         "support": "support"}


def _dangling(found: _Found, t: _Tables, frame: pd.DataFrame, column: str, known: Iterable, table: str, what: str,
              key: str | None = None) -> None:
    """One breach per row of `table` whose `column` names nothing in `known`: `sections.csv:7:course_id: unknown
    course ZOO (section SEC-Z)` for a result read from files, else `sections.csv names unknown course ZOO (row for
    SEC-Z)`."""
    known_set = set(known)
    bad = frame[~frame[column].isin(known_set)]
    file = f"{table}.csv"
    for label, row in zip(bad.index, bad.itertuples(index=False), strict=True):
        value = getattr(row, column)
        whose = f" ({NOUNS[key]} {getattr(row, key)})" if key else ""
        plain_whose = f" (row for {getattr(row, key)})" if key else ""
        found.add_at("structure", [_at(
            t, table, label, column, (f"is blank: it names no {what}" if value == "" else f"unknown {what} {value}")
            + whose, (f"{file} names no {what}" if value == "" else f"{file} names unknown {what} {value}")
            + plain_whose)])


def _repeated(found: _Found, t: _Tables, frame: pd.DataFrame, table: str, column: str, what: str, plain) -> None:
    """A key listed twice: each repeat named at its own line, with the first one's, when the result was read from
    files (`sections.csv:9:section_id: section S1 is listed again (first on line 3)`), else `plain(value, count)`
    once per key."""
    again = frame[frame[column].duplicated()]
    lines = t.result.line_numbers(table) if t.result is not None else None
    if lines is not None and again.index.isin(lines.index).all():
        first = frame.drop_duplicates(column)
        first_line = dict(zip(first[column], lines[first.index], strict=True))
        found.add_at("structure", ((t.where(table, label, column),
                                    f"{what} {value} is listed again (first on line {first_line[value]})")
                                   for label, value in again[column].items()))
        return
    counts = frame[column].value_counts()
    found.add("structure", (plain(value, counts[value]) for value in again[column].unique()))


def _at(t: _Tables, table: str, label, column: str, text: str, plain: str | None = None) -> tuple[str, str]:
    """(where, message) for a breach about one row: `text` after `file:line:column` when the result was read
    from files, else `plain` (a message naming the file itself; `text` when it needs no file)."""
    where = t.where(table, label, column)
    return (where, text) if where else ("", plain or text)


def _staffing_row(t: _Tables, staff_id: str):
    """The index label of `staff_id`'s first row in staffing.csv (people are keyed by staff_id)."""
    return t.staffing.index[t.staffing["staff_id"] == staff_id][0]


def result_structure(found: _Found, scenario: Scenario, t: _Tables) -> None:
    """IDs that point nowhere, missing periods, staff missing from or repeated in staffing.csv; each named at its
    file, row and column when the result was read from files."""
    students = set(scenario.students["student_id"].astype(str))
    courses = set(scenario.courses["course_id"].astype(str))
    rooms = set(scenario.rooms["room_id"].astype(str))
    staff_ids = set(t.staffing["staff_id"])
    section_ids = set(t.sections["section_id"])
    group_ids = set(t.groups["group_id"])

    _repeated(found, t, t.sections, "sections", "section_id", "section",
              lambda s, _: f"sections.csv lists section {s} more than once")
    _dangling(found, t, t.sections, "course_id", courses, "sections", "course", "section_id")
    _dangling(found, t, t.sections, "staff_id", staff_ids, "sections", "staff member in staffing.csv", "section_id")
    _dangling(found, t, t.sections, "room_id", rooms, "sections", "room", "section_id")
    if "co_staff_id" in t.sections.columns:
        named = t.sections[t.sections["co_staff_id"] != ""]
        _dangling(found, t, named, "co_staff_id", staff_ids, "sections", "co-teacher in staffing.csv", "section_id")
    periods = set(scenario.periods)
    bad = t.sections[~t.sections["period"].isin(periods) | t.sections["period"].isna()]
    found.add_at("structure", ((t.where("sections", label, "period"),
                                f"section {section_id} has no period between 1 and {max(periods)}")
                               for label, section_id in bad["section_id"].items()))
    _dangling(found, t, t.enrollments, "student_id", students, "enrollments", "student", "section_id")
    _dangling(found, t, t.enrollments, "section_id", section_ids, "enrollments", "section", "student_id")
    _repeated(found, t, t.groups, "groups", "group_id", "group",
              lambda g, _: f"groups.csv lists group {g} more than once")
    _dangling(found, t, t.groups, "staff_id", staff_ids, "groups", "staff member in staffing.csv", "group_id")
    _dangling(found, t, t.members, "group_id", group_ids, "group_members", "group", "student_id")
    _dangling(found, t, t.members, "student_id", students, "group_members", "student", "group_id")
    _dangling(found, t, t.sessions, "group_id", group_ids, "group_sessions", "group")
    days = set(scenario.days)
    day_bad = ~t.sessions["day"].isin(days) | t.sessions["day"].isna()
    bad = t.sessions[day_bad | ~t.sessions["period"].isin(periods) | t.sessions["period"].isna()]
    found.add_at("structure", ((t.where("group_sessions", label, "day" if day_bad[label] else "period"),
                                f"group {r.group_id} has a session outside the week (day {r.day}, period {r.period})")
                               for label, r in zip(bad.index, bad.itertuples(), strict=True)))
    _dangling(found, t, t.supports, "student_id", students, "student_supports", "student", "support")
    _dangling(found, t, t.supports, "support", set(scenario.supports["support"].astype(str)),
              "student_supports", "support", "student_id")

    existing = scenario.staff["staff_id"].astype(str)
    missing = existing[~existing.isin(set(t.staffing["staff_id"]))]
    found.add("structure", (f"staffing.csv leaves out existing staff member {s} (they are paid all the same)"
                            for s in missing))
    _repeated(found, t, t.staffing, "staffing", "staff_id", "staff member",
              lambda s, n: f"staffing.csv lists {s} {n} times")
    _dangling(found, t, t.staffing, "role", t.roles.index, "staffing", "role", "staff_id")
    not_hired = t.people[~t.people["existing"] & (t.people["new_hire"] != 1)]
    found.add_at("structure", (_at(t, "staffing", _staffing_row(t, s), "new_hire",
                                   f"{s} is not in staff.csv and is not marked as a new hire",
                                   f"staffing.csv lists {s}, who is not in staff.csv and not marked as a new hire")
                               for s in not_hired["staff_id"]))
    teaching = set(t.sections["staff_id"]) | set(t.groups["staff_id"])
    hires = t.people[(t.people["new_hire"] == 1) & t.people["staff_id"].isin(teaching)]
    for column, lacking in (("subjects", hires["subjects"] == ""), ("effectiveness", hires["effectiveness"].isna())):
        found.add_at("structure", ((t.where("staffing", _staffing_row(t, s), column),
                                    f"new hire {s} teaches but has no {column} in staffing.csv")
                                   for s in hires.loc[lacking, "staff_id"]))
    kinds = t.budget[~t.budget["kind"].isin(["revenue", "expense"])]
    found.add_at("structure", (_at(t, "budget", label, "kind", f"kind '{r.kind}' (row '{r.item}') is not revenue or "
                                   "expense", f"budget.csv row '{r.item}' has kind '{r.kind}', not revenue or expense")
                               for label, r in zip(kinds.index, kinds.itertuples(), strict=True)))


# ---- the hard rules --------------------------------------------------------------------------------------

def group_standard(found: _Found, scenario: Scenario, t: _Tables, placed: pd.DataFrame) -> None:
    """Rule 9: small, led by a tutor-role, often and long enough, and never clashing with anyone's timetable."""
    tutoring = scenario.settings.tutoring
    minutes_per_period = scenario.settings.school.minutes_per_period
    groups = t.groups.merge(t.people[["staff_id", "role", "role_tutors", "role_max_group_size"]], on="staff_id",
                            how="left")
    size = t.members.drop_duplicates(["group_id", "student_id"]).groupby("group_id").size().rename("size")
    groups = groups.join(size, on="group_id").fillna({"size": 0})
    groups["cap"] = groups["role_max_group_size"].clip(upper=tutoring.max_group_size).fillna(
        tutoring.max_group_size)
    over = groups[groups["size"] > groups["cap"]]
    found.add(9, (f"group {r.group_id} has {r.size:.0f} members; at most {r.cap:.0f} allowed"
                  for r in over.itertuples()))
    known = groups[groups["role"].notna()]
    bad = known[known["role_tutors"].fillna(0) != 1]
    found.add(9, (f"group {r.group_id} is led by {r.staff_id}, a {r.role}, a role that does not tutor"
                  for r in bad.itertuples()))

    cal = t.calendar
    slots = t.session_slots[t.session_slots["group_id"].isin(set(t.groups["group_id"]))]
    twice = slots[slots.duplicated(["group_id", "term", "day", "period"])]
    found.add(9, (f"group {r.group_id} is listed twice at {cal.when(r.term, r.day)}, period {r.period}"
                  for r in twice.drop_duplicates(["group_id", "term", "day", "period"]).itertuples()))
    distinct = slots.drop_duplicates(["group_id", "term", "day", "period"])
    per_term = distinct.groupby(["group_id", "term"]).size().unstack("term").reindex(columns=list(cal.terms))
    count = per_term.fillna(0).min(axis=1).reindex(groups["group_id"]).fillna(0) * cal.week_factor
    few = count[count < tutoring.sessions_per_week]
    found.add(9, (f"group {g} meets {n:g} times a week; the standard is at least {tutoring.sessions_per_week}"
                  for g, n in few.items()))
    written = distinct.drop_duplicates(["group_id", "day", "period", "minutes"])   # each session once, not per term
    short = written[written["minutes"].isna() | (written["minutes"] < tutoring.session_minutes)]
    found.add(9, (f"group {r.group_id} meets for {r.minutes} minutes on day {r.day}, period {r.period}; "
                  f"the standard is at least {tutoring.session_minutes}" for r in short.itertuples()))
    long = written[written["minutes"] > minutes_per_period]
    found.add(9, (f"group {r.group_id} meets for {r.minutes} minutes on day {r.day}, period {r.period}; "
                  f"a period lasts {minutes_per_period}" for r in long.itertuples()))

    # clashes, slot by slot: a member's section, a member's other group, the leader's other group
    slot = ["term", "day", "period"]
    member_sessions = t.members.drop_duplicates().merge(distinct.drop(columns="staff_id"), on="group_id")
    lessons = placed.drop_duplicates(["student_id", "section_id"])[["student_id", "section_id"]].merge(
        t.meets[["section_id", *slot]], on="section_id")
    clash = member_sessions.merge(lessons, on=["student_id", *slot])
    found.add(9, (f"{r.student_id} is in group {r.group_id} on {cal.when(r.term, r.day)}, period {r.period}, "
                  f"while in {r.section_id}" for r in clash.itertuples()))
    both = member_sessions[member_sessions.duplicated(["student_id", *slot], keep=False)]
    for (student_id, term, day, period), rows in both.groupby(["student_id", *slot]):
        found.add(9, f"{student_id} is in groups {_join(rows['group_id'])} on {cal.when(term, day)}, period {period}")
    led = distinct.drop(columns="staff_id").merge(t.groups[["group_id", "staff_id"]], on="group_id")
    both = led[led.duplicated(["staff_id", *slot], keep=False)]
    for (staff_id, term, day, period), rows in both.groupby(["staff_id", *slot]):
        found.add(9, f"{staff_id} leads groups {_join(rows['group_id'])} on {cal.when(term, day)}, period {period}")


def lunch_for_everyone(found: _Found, scenario: Scenario, t: _Tables, placed: pd.DataFrame) -> None:
    """Rule 12 (SPEC §4): every student has a lunch period free on every day of every term, and no lunch slot
    leaves more students free than the cafeteria seats."""
    cal = t.calendar
    if not cal.has_lunch:
        return
    slot = ["term", "day", "period"]
    lessons = placed.drop_duplicates(["student_id", "section_id"])[["student_id", "section_id"]].merge(
        t.meets[["section_id", *slot]], on="section_id")
    groups = t.members.drop_duplicates().merge(t.session_slots[["group_id", *slot]], on="group_id")
    busy = pd.concat([lessons[["student_id", *slot]], groups[["student_id", *slot]]])
    busy = busy[busy["period"].isin(cal.lunch_periods)].drop_duplicates()
    students = scenario.students["student_id"].astype(str)
    waves = len(set(cal.lunch_periods))
    taken = busy.groupby(["student_id", "term", "day"]).size()
    none_free = taken[taken >= waves].reset_index()
    said = ", ".join(map(str, sorted(set(cal.lunch_periods))))
    for student_id, rows in none_free.groupby("student_id", sort=False):
        when = cal.describe(zip(rows["term"], rows["day"], strict=True)) or " (every day)"
        found.add(12, f"{student_id} has no lunch period free (period{'s' if waves > 1 else ''} {said}){when}")
    if cal.lunch_seats is None:
        return
    every = cal.slots()
    every = every[every["period"].isin(cal.lunch_periods)]
    occupied = busy[busy["student_id"].isin(set(students))].groupby(slot).size().rename("busy")
    free = every.join(occupied, on=slot).fillna({"busy": 0})
    free["free"] = len(set(students)) - free["busy"]
    over = free[free["free"] > cal.lunch_seats]
    for period, rows in over.groupby("period"):
        found.add(12, f"lunch period {period} leaves up to {rows['free'].max():.0f} students free for lunch"
                      f"{cal.describe(zip(rows['term'], rows['day'], strict=True))}; the cafeteria seats "
                      f"{cal.lunch_seats}")


def staff_costs_hires_teams(found: _Found, t: _Tables) -> None:
    """Rule 10: costs follow roles.csv, hires stay within max_new_hires, teams within the leader's reach."""
    people = t.staffing.merge(t.people[["staff_id", "existing", "fte", "role_annual_cost"]], on="staff_id")
    people["expected"] = people["role_annual_cost"] * people["fte"].where(people["new_hire"] != 1, 1.0)
    known = people[people["role_annual_cost"].notna()]
    wrong = known[(known["annual_cost"].isna()) | ((known["annual_cost"] - known["expected"]).abs() > CENT)]
    found.add(10, (f"{r.staff_id} ({r.role}{', new hire' if r.new_hire == 1 else f', fte {r.fte:g}'}) costs "
                   f"${r.annual_cost:,.2f}; the role's cost makes it ${r.expected:,.2f}" for r in wrong.itertuples()))
    hires = t.staffing[t.staffing["new_hire"] == 1].groupby("role").size().rename("hired")
    limits = t.roles.join(hires, how="inner")
    over = limits[limits["max_new_hires"].notna() & (limits["hired"] > limits["max_new_hires"])]
    found.add(10, (f"{r.hired} new {role} hires; at most {r.max_new_hires} allowed"
                   for role, r in zip(over.index, over.itertuples(), strict=True)))
    teams = t.staffing[t.staffing["leader_id"] != ""]
    leaders = t.people.set_index("staff_id")
    unknown = teams[~teams["leader_id"].isin(leaders.index)]
    found.add(10, (f"{r.staff_id} names {r.leader_id} as leader, who is not in staffing.csv"
                   for r in unknown.itertuples()))
    size = teams[teams["leader_id"].isin(leaders.index)].groupby("leader_id")["staff_id"].agg(list)
    for leader_id, team in size.items():
        reach = leaders.at[leader_id, "role_reach"]
        reach = 0 if pd.isna(reach) else int(reach)
        if reach <= 0:
            found.add(10, f"{_join(team)} name {leader_id} as leader, but {leader_id} "
                          f"({leaders.at[leader_id, 'role']}) does not lead a team")
        elif len(team) > reach:
            found.add(10, f"{leader_id} leads {len(team)} teachers ({', '.join(team)}); the role's reach is {reach}")


def budget_balances(found: _Found, scenario: Scenario, t: _Tables) -> None:
    """Rule 11 (and the supports behind it): the budget adds up, revenue follows the formula, no deficit."""
    supports = _ids(scenario.supports, ["support"]).set_index("support")
    funded = t.supports.merge(supports[["cost_per_student", "capacity"]].reset_index(), on="support")
    wrong = funded[(funded["cost"].isna()) | ((funded["cost"] - funded["cost_per_student"]).abs() > CENT)]
    found.add(11, (f"{r.student_id}'s {r.support} costs ${r.cost:,.2f}; it costs ${r.cost_per_student:,.2f} "
                   f"per student" for r in wrong.itertuples()))
    twice = funded[funded.duplicated(["student_id", "support"])].drop_duplicates(["student_id", "support"])
    found.add(11, (f"{r.student_id} is funded {r.support} more than once" for r in twice.itertuples()))
    count = funded.groupby("support").size().rename("funded")
    over = supports.join(count, how="inner")
    over = over[over["capacity"].notna() & (over["funded"] > over["capacity"])]
    found.add(11, (f"{name} is funded for {r.funded} students; its capacity is {r.capacity:.0f}"
                   for name, r in zip(over.index, over.itertuples(), strict=True)))

    bad = t.budget[t.budget["amount"].isna() | (t.budget["amount"] < 0)]
    found.add(11, (f"budget.csv row '{r.item}' has amount "
                   f"{'blank or not a number' if pd.isna(r.amount) else r.amount}, not a positive number of dollars"
                   for r in bad.itertuples()))
    expense = float(t.budget.loc[t.budget["kind"] == "expense", "amount"].sum())
    revenue = float(t.budget.loc[t.budget["kind"] == "revenue", "amount"].sum())
    owed = float(t.staffing["annual_cost"].fillna(0).sum() + t.supports["cost"].fillna(0).sum())
    if abs(expense - owed) > DOLLAR:
        found.add(11, f"budget.csv expenses total ${expense:,.2f}, but staffing.csv and student_supports.csv "
                      f"add up to ${owed:,.2f}")
    formula = total_revenue(scenario)
    if abs(revenue - formula) > DOLLAR:
        found.add(11, f"budget.csv revenue totals ${revenue:,.2f}, but the funding formula gives ${formula:,.2f}")
    if not scenario.settings.funding.allow_deficit and expense > revenue + 0.005:
        found.add(11, f"expenses ${expense:,.2f} exceed revenue ${revenue:,.2f} by ${expense - revenue:,.2f}, "
                      f"and this scenario does not allow a deficit")


def _sound_part(scenario: Scenario, result: Result) -> Result:
    """The result without rows the structure check refused (sections with no period, enrollments and group
    rows naming nothing), so goals are recomputed on what the design really provides."""
    from dataclasses import replace

    periods = set(scenario.periods)
    sections = result.sections[pd.to_numeric(result.sections["period"], errors="coerce").isin(periods)]
    ids = set(sections["section_id"].astype(str))
    enrollments = result.enrollments[result.enrollments["section_id"].astype(str).isin(ids)]
    sessions = result.group_sessions
    sessions = sessions[pd.to_numeric(sessions["day"], errors="coerce").isin(set(scenario.days))
                        & pd.to_numeric(sessions["period"], errors="coerce").isin(periods)]
    return replace(result, sections=sections, enrollments=enrollments, group_sessions=sessions)


def goals_marked_right(found: _Found, scenario: Scenario, result: Result) -> None:
    """Each student_goals.csv `met` flag agrees with an independent recomputation of the goal."""
    from workbench.goals.evaluate import evaluate_goals

    key = ["student_id", "goal", "subject", "target"]
    try:
        recomputed = evaluate_goals(scenario, _sound_part(scenario, result))
    except Exception as exc:   # a hand-edited result can break the evaluator: say so in one line, no traceback
        if debug_requested():
            raise
        found.add("goal", f"the goals could not be recomputed on this result ({type(exc).__name__}: {exc}); "
                          "fix the structure breaches above first")
        return
    expected = _ids(recomputed, key)
    claimed = _ids(result.student_goals, key, "student_goals")
    if len(claimed) != len(scenario.goals):
        found.add("goal", f"student_goals.csv has {len(claimed)} rows for {len(scenario.goals)} goals in goals.csv")
    for frame in (expected, claimed):
        frame["nth"] = frame.groupby(key).cumcount()
        frame["met"] = _ints(frame["met"]).fillna(0).astype(int)
    both = claimed.merge(expected[[*key, "nth", "met", "reason"]], on=[*key, "nth"], how="left",
                         suffixes=("", "_recomputed"))
    stray = both[both["met_recomputed"].isna()]
    found.add("goal", (f"{r.student_id} {r.goal} {r.subject} {r.target}: not a goal in goals.csv".replace("  ", " ")
                       for r in stray.itertuples()))
    wrong = both[both["met_recomputed"].notna() & (both["met"] != both["met_recomputed"])]
    found.add("goal", (f"{r.student_id} {r.goal} {r.subject} {r.target}".replace("  ", " ")
                       + (": marked met, but it is not" + (f" ({r.reason_recomputed})" if r.reason_recomputed
                                                           else "")
                          if r.met else ": marked unmet, but it is met")
                       for r in wrong.itertuples()))


def team_planning_shared(found: _Found, scenario: Scenario, t: _Tables) -> None:
    """Rule 13 (SPEC §4): each leader's team shares its common free periods every day
    (`workbench.results.team_time`), judged on every slot a member teaches, co-teaches or leads a group; and the
    result's team_planning.csv, when the roles ask for team time, names each team whole and periods that are
    free for every member (`team_time.planning_table_wrong`)."""
    slot = ["staff_id", "term", "day", "period"]
    lessons = _teaching(t)[[*slot, "section_id"]]
    sessions = _sessions_with_staff(t)[[*slot, "group_id"]]
    busy = pd.concat([lessons.assign(what="teaches " + lessons["section_id"].astype(str)),
                      sessions.assign(what="leads group " + sessions["group_id"].astype(str))],
                     ignore_index=True)[[*slot, "what"]]
    roles = _ids(scenario.roles, ["role"])
    short = short_teams(roles, t.staffing, busy, t.calendar)
    found.add(13, short.values())
    planning = t.result.extra.get("team_planning") if t.result is not None else None
    if planning is not None:
        planning = _ids(planning, ["leader_id", "staff_id", "periods"])
    found.add_at(13, planning_table_wrong(roles, t.staffing, busy, t.calendar, planning,
                                          lambda label, column: t.where("team_planning", label, column), short))


def schedule_breaches(scenario: Scenario, result: Result) -> list[Breach]:
    """Rules 1-8 and 14 alone, the master schedule's rules (`workbench.verify.schedule.schedule_breaches`),
    named as every breach of the checker is."""
    return schedule.schedule_breaches(scenario, result, RULE_NAMES)


def check_rules(scenario: Scenario, result: Result) -> list[Breach]:
    """Every breach of SPEC §2's hard rules (1-11), of SPEC §4's rules 12-14 (the calendar, team time) and of the
    result's structure; goal flags not included."""
    found = _Found(RULE_NAMES)
    t = _prepare(scenario, result)
    placed = _placed(t)
    result_structure(found, scenario, t)
    _schedule_rules(found, scenario, t, placed)
    group_standard(found, scenario, t, placed)
    staff_costs_hires_teams(found, t)
    budget_balances(found, scenario, t)
    lunch_for_everyone(found, scenario, t, placed)
    team_planning_shared(found, scenario, t)
    return list(found)


def check_result(scenario: Scenario, result: Result) -> list[Breach]:
    """Every breach of the hard rules and of the result's structure, then every wrongly marked goal."""
    found = _Found(RULE_NAMES, check_rules(scenario, result))
    goals_marked_right(found, scenario, result)
    return list(found)


def tally(breaches: Iterable[Breach]) -> list[str]:
    """The closing lines of a check that found something: "2 breaches of the hard rules" (the result's
    structure counted with them) and, apart, "1 goal marked wrong" (a goal flag is a report, not a rule)."""
    breaches = list(breaches)
    goals = sum(1 for b in breaches if b.rule == "goal")
    rules = len(breaches) - goals
    return ([f"{rules} breach{'es' if rules != 1 else ''} of the hard rules"] if rules else []) + \
        ([f"{goals} goal{'s' if goals != 1 else ''} marked wrong"] if goals else [])
