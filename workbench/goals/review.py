"""A central office's review: each school's proposal checked against a district quality bar, criterion by
criterion, naming the students who fall short of each one.

The bar is a YAML file (see scenarios/district-bar.yaml):

    name: District quality bar
    criteria:
      - id: complete-schedules            # optional; defaults to the kind
        kind: required_courses             # students with every required (priority-1) course placed
        threshold: 100                     # minimum % of students (default 100)
      - kind: goals_met                    # share of goals met, optionally of one goal kind / subject / group
        goal: tutoring_minutes
        threshold: 90
      - kind: class_size_cap               # no student of the group in a section above their own
        who: iep                           # max_class_size goal (or above `cap` when given)
      - kind: budget_balanced              # revenue minus one-time money still covers expenses
        exclude_one_time: true             # one-time money: funding.one_time_revenue in scenario.yaml
      - kind: support_minutes              # every student of the group gets small-group minutes
        who: ell
        min_minutes: 1
      - kind: metric                       # any summary.json metric at or above a threshold
        metric: requests_fulfilled_pct
        threshold: 95

`who` names a 0/1 column of students.csv (ell, iep, frl...) or `all` (the default).

A bar is validated like a scenario: each criterion kind has its own settings (pydantic models, one per kind),
and every problem is one line naming the file, the YAML line and the criterion, with what would fix it — an
unknown kind, goal kind or metric, a threshold out of range, a setting the kind does not have, a missing one.
A subject is free text in a scenario, so it is checked against the subjects a school's courses and goals use:
before the review when --scenario is given, after it against every school reviewed otherwise.

A criterion that matches nothing in a school (no goal of that kind, no student of that group, a subject the
school does not teach) is "not measured": never a pass, and a proposal with one does not pass the bar.

A district reviews many proposals at once (`workbench.batch.review_many`): result folders, or folders of
them such as the --out of a batch solve, in parallel on the same Dask engine as the batch solve, so one
unreadable result is reported with its reason (a `ReviewOutcome`) and never stops the others.
`district_summary` turns the outcomes into one table with a row per school and design.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from workbench.errors import Problem, ScenarioInvalid
from workbench.goals.evaluate import evaluate_goals, placed_requests, student_sections, summary_metrics
from workbench.plan.money import dollars, money_of
from workbench.scenario.calendar import calendar_of, weekly_minutes
from workbench.scenario.model import Scenario
from workbench.scenario.schema import GOAL_KINDS
from workbench.scenario.yamlsafe import YamlRefused, read_yaml_file
from workbench.verify.result import Result

FORMAT = "see scenarios/district-bar.yaml for the format"
# summary_metrics' names, each with the range a threshold on it may take (None: no bound)
METRICS: dict[str, tuple[float | None, float | None]] = {
    "requests_fulfilled_pct": (0, 100), "first_choice_pct": (0, 100), "required_fulfilled_pct": (0, 100),
    "students_fully_scheduled_pct": (0, 100), "goals_met_pct": (0, 100), "budget_balance": (None, None),
    "recurring_balance": (None, None),
}

Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
Dollars = Annotated[float, Field(allow_inf_nan=False)]
Subject = Annotated[str, Field(min_length=1)]


class _Criterion(BaseModel):
    """What every criterion has: an id (its column in the district summary), a kind and a description."""

    model_config = ConfigDict(extra="forbid")
    id: str = ""
    description: str = ""

    @property
    def name(self) -> str:
        return self.id or self.kind


class _OfGroup(_Criterion):
    who: str = Field("all", min_length=1)   # a 0/1 column of students.csv, or all


class RequiredCourses(_OfGroup):
    """Students of the group with every required (priority-1) course placed: threshold % of them."""

    kind: Literal["required_courses"]
    threshold: Percent = 100


class GoalsMet(_OfGroup):
    """Goals met (of one goal kind and/or subject when given): threshold % of them."""

    kind: Literal["goals_met"]
    goal: Literal[GOAL_KINDS] | None = None
    subject: Subject | None = None
    threshold: Percent = 100


class ClassSizeCap(_OfGroup):
    """Students of the group above their own max_class_size goal (or above `cap`): at most threshold of them."""

    kind: Literal["class_size_cap"]
    cap: int | None = Field(None, ge=1)
    subject: Subject | None = None
    threshold: int = Field(0, ge=0)


class BudgetBalanced(_Criterion):
    """Revenue (less one-time money) minus expenses: at least threshold dollars."""

    kind: Literal["budget_balanced"]
    exclude_one_time: bool = True
    threshold: Dollars = 0


class SupportMinutes(_OfGroup):
    """Students of the group with at least min_minutes of small-group work a week: threshold % of them."""

    kind: Literal["support_minutes"]
    subject: Subject | None = None
    min_minutes: float = Field(1, gt=0, le=7 * 24 * 60, allow_inf_nan=False)
    threshold: Percent = 100


class Metric(_Criterion):
    """A summary.json metric at or above threshold."""

    kind: Literal["metric"]
    metric: Literal[tuple(METRICS)]
    threshold: Dollars = 0

    @field_validator("threshold")
    @classmethod
    def _in_the_metric_range(cls, value: float, info: ValidationInfo) -> float:
        low, high = METRICS.get(info.data.get("metric"), (None, None))
        if (low is not None and value < low) or (high is not None and value > high):
            raise PydanticCustomError("metric_range", "{metric} runs from {low} to {high}",
                                      {"metric": info.data["metric"], "low": f"{low:g}", "high": f"{high:g}"})
        return value


CRITERIA = (RequiredCourses, GoalsMet, ClassSizeCap, BudgetBalanced, SupportMinutes, Metric)
KINDS = tuple(c.model_fields["kind"].annotation.__args__[0] for c in CRITERIA)
Criterion = Annotated[RequiredCourses | GoalsMet | ClassSizeCap | BudgetBalanced | SupportMinutes | Metric,
                      Field(discriminator="kind")]


class Bar(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = "District quality bar"
    description: str = ""
    criteria: list[Criterion] = Field(min_length=1)
    _source: str = PrivateAttr("bar")
    _lines: dict[tuple, int] = PrivateAttr(default_factory=dict)

    def where(self, index: int, key: str | None = None) -> tuple[str, int | None]:
        """The file and YAML line of criterion `index` (of its `key` when given), for a Problem."""
        return self._source, self._lines.get((index, key), self._lines.get((index, None)))


@dataclass
class Verdict:
    """One criterion on one result. `measured` is False when the criterion matched nothing in the school (no
    goal of its kind, no student of its group, a subject not taught): such a verdict never passes."""

    result: str
    criterion: str
    passed: bool
    value: str
    threshold: str
    failing_students: list[str] = field(default_factory=list)
    note: str = ""
    measured: bool = True

    @property
    def status(self) -> str:
        return "not measured" if not self.measured else ("pass" if self.passed else "fail")


# ---- reading and validating a bar ---------------------------------------------------------------------------

def _suggest(value: object, known: Iterable[str]) -> str:
    match = difflib.get_close_matches(str(value), sorted(known), n=1, cutoff=0.75)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _node_lines(root: yaml.Node | None) -> dict[tuple, int]:
    """(criterion index, key) -> YAML line, with (index, None) the criterion's first line and (-1, key) the
    top-level keys. Read from the node tree, which shares aliased nodes rather than expanding them."""
    lines: dict[tuple, int] = {}
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key, value in root.value:
        lines[(-1, str(key.value))] = key.start_mark.line + 1
        if str(key.value) == "criteria" and isinstance(value, yaml.SequenceNode):
            for i, item in enumerate(value.value):
                lines[(i, None)] = item.start_mark.line + 1
                if isinstance(item, yaml.MappingNode):
                    lines.update({(i, str(k.value)): k.start_mark.line + 1 for k, _ in item.value})
    return lines


def _label(raw: object, index: int) -> str:
    """How a criterion is named in a problem line: its id, else its kind, else its position."""
    if isinstance(raw, dict):
        for key in ("id", "kind"):
            if isinstance(raw.get(key), str) and raw[key]:
                return raw[key]
    return f"criterion {index + 1}"


THRESHOLD_FIX = {
    "required_courses": "give the minimum % of students with every required course, from 0 to 100",
    "goals_met": "give the minimum % of goals met, from 0 to 100",
    "support_minutes": "give the minimum % of students with the minutes, from 0 to 100",
    "class_size_cap": "give how many students may sit above their cap: a whole number, 0 or more",
    "budget_balanced": "give the smallest balance allowed, in dollars",
    "metric": "give a threshold within the metric's range",
}


def _explain(err: dict, key: str | None, kind: object) -> tuple[str, str]:
    """A pydantic error as (what is wrong, what would fix it) in a district reviewer's words."""
    kind_name = kind if isinstance(kind, str) else "criterion"
    given = err.get("input")
    typ = err["type"]
    if typ == "union_tag_invalid":
        return f"kind {err['ctx']['tag']!r} is not a kind of criterion", \
            f"use one of {', '.join(KINDS)}{_suggest(err['ctx']['tag'], KINDS)}"
    if typ == "union_tag_not_found" and isinstance(given, dict):
        return "kind is missing", f"add kind: one of {', '.join(KINDS)}"
    if typ in ("union_tag_not_found", "model_attributes_type"):
        return f"is not a mapping of settings (found {given!r})", f"write it as `- kind: ...`; {FORMAT}"
    if typ == "literal_error" and key == "goal":
        return f"goal {given!r} is not a goal kind", \
            f"use one of {', '.join(GOAL_KINDS)} (SPEC §1){_suggest(given, GOAL_KINDS)}"
    if typ == "literal_error" and key == "metric":
        return f"metric {given!r} is not a metric", f"use one of {', '.join(METRICS)}{_suggest(given, METRICS)}"
    if typ == "missing":
        return f"{key} is missing", (f"add metric: one of {', '.join(METRICS)}" if key == "metric" else
                                     f"add {key}; {FORMAT}")
    if typ == "extra_forbidden":
        allowed = [f for c in CRITERIA if c.model_fields["kind"].annotation.__args__[0] == kind
                   for f in c.model_fields if f != "kind"] or ["name", "description", "criteria"]
        return f"{key} is not a setting of a {kind_name} criterion" if kind else f"{key} is not a setting of a bar", \
            f"remove it, or use one of {', '.join(allowed)}{_suggest(key, allowed)}"
    if typ == "too_short" and key == "criteria":
        return "criteria is empty: a bar with no criterion would pass every proposal", f"add criteria; {FORMAT}"
    message = err["msg"].replace("Input should be", "should be")
    fix = THRESHOLD_FIX.get(kind_name, FORMAT) if key == "threshold" else f"correct {key or 'it'}; {FORMAT}"
    if typ in ("less_than_equal", "greater_than_equal", "greater_than", "metric_range"):
        return f"{key} {given!r} is out of range: {message}", fix
    return f"{key or 'the bar'} {message} (found {given!r})", fix


def _schema_problems(exc: ValidationError, data: object, source: str, lines: dict[tuple, int]) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = err["loc"]
        if len(loc) >= 2 and loc[0] == "criteria" and isinstance(loc[1], int):
            index = loc[1]
            raw = data["criteria"][index]
            key = str(loc[3]) if len(loc) > 3 else ("kind" if err["type"].startswith("union_tag") else None)
            kind = raw.get("kind") if isinstance(raw, dict) else None
            what, fix = _explain(err, key, kind)
            line = lines.get((index, key), lines.get((index, None)))
            problems.append(Problem(source, line, _label(raw, index), what, fix))
        else:
            key = str(loc[0]) if loc else None
            what, fix = _explain(err, key, None)
            if not loc:
                what, fix = "must be a mapping with name, description and criteria", FORMAT
            problems.append(Problem(source, lines.get((-1, key), 1), None, what, fix))
    return problems


def _duplicate_names(bar: Bar) -> list[Problem]:
    """Two criteria with one name would share a column of the district summary."""
    first: dict[str, int] = {}
    problems = []
    for i, c in enumerate(bar.criteria):
        if c.name in first:
            source, line = bar.where(i, "id")
            problems.append(Problem(source, line, c.name, f"another criterion (line {bar.where(first[c.name])[1]}) "
                                    "has this name too", "give each criterion its own id"))
        first.setdefault(c.name, i)
    return problems


def load_bar(path: str | Path) -> Bar:
    """Read and validate a bar file. Raises ScenarioInvalid listing every problem, each naming the file,
    the YAML line and the criterion."""
    source = str(path)
    path = Path(path)
    try:
        root, data = read_yaml_file(path)
        lines = _node_lines(root)
    except FileNotFoundError:
        raise ScenarioInvalid([Problem(source, None, None, "does not exist",
                                       "give the path of a bar YAML file")]) from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise ScenarioInvalid([Problem(source, None, None, f"cannot be read ({exc.__class__.__name__})",
                                       "give a readable UTF-8 YAML file")]) from None
    except YamlRefused as exc:
        raise ScenarioInvalid([Problem(source, exc.line, None, exc.message, exc.fix)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        what = getattr(exc, "problem", None) or "is not valid YAML"
        raise ScenarioInvalid([Problem(source, None if mark is None else mark.line + 1, None,
                                       f"malformed YAML: {what}", "fix the indentation or quoting")]) from None
    try:
        bar = Bar.model_validate(data)
    except ValidationError as exc:
        raise ScenarioInvalid(_schema_problems(exc, data, source, lines)) from None
    bar._source, bar._lines = source, lines
    problems = _duplicate_names(bar)
    if problems:
        raise ScenarioInvalid(problems)
    return bar


def school_subjects(scenario: Scenario) -> set[str]:
    """The subjects a school's courses and goals use: what a bar's `subject` may name for this school."""
    found = set(scenario.courses["subject"].dropna().astype(str).str.strip())
    if "subject" in scenario.goals:
        found |= set(scenario.goals["subject"].dropna().astype(str).str.strip())
    return found - {""}


def subject_problems(bar: Bar, subjects: set[str], whose: str) -> list[Problem]:
    """One Problem for each criterion naming a subject that is not in `subjects` (those of `whose`)."""
    problems = []
    for i, c in enumerate(bar.criteria):
        subject = getattr(c, "subject", None)
        if subject is not None and subject not in subjects:
            source, line = bar.where(i, "subject")
            problems.append(Problem(source, line, c.name, f"subject {subject!r} is not a subject of {whose}",
                                    f"use one of {', '.join(sorted(subjects))}{_suggest(subject, subjects)}"))
    return problems


# ---- judging one result ---------------------------------------------------------------------------------------

def _group(bar: Bar, index: int, scenario: Scenario, who: str) -> set[str]:
    s = scenario.students
    if who == "all":
        return set(s["student_id"].astype(str))
    if who not in s.columns:
        source, line = bar.where(index, "who")
        raise ScenarioInvalid([Problem(source, line, bar.criteria[index].name,
                                       f"who {who!r} is not a column of students.csv in {scenario.name}",
                                       "use all, ell, iep, frl or another 0/1 column of students.csv"
                                       f"{_suggest(who, s.columns)}")])
    return set(s.loc[pd.to_numeric(s[who], errors="coerce").fillna(0) > 0, "student_id"].astype(str))


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 100.0


def _not_measured(c, why: str, threshold: str) -> Verdict:
    return Verdict("", c.name, False, why, threshold, measured=False)


def _group_text(c) -> str:
    return "" if c.who == "all" else f" ({c.who})"


def _required_courses(c: RequiredCourses, who: set[str], scenario: Scenario, result: Result, goals) -> Verdict:
    req = placed_requests(scenario, result)
    req = req[(req["priority"] == 1) & req["student_id"].astype(str).isin(who)]
    need = f"≥ {c.threshold:g}%"
    if req.empty:
        return _not_measured(c, f"no student{_group_text(c)} has a required course", need)
    failing = sorted(set(req.loc[~req["placed"], "student_id"].astype(str)))
    value = _pct(len(who) - len(failing), len(who))
    return Verdict("", c.name, value >= c.threshold, f"{value}% of students{_group_text(c)} complete", need, failing)


def _goals_met(c: GoalsMet, who: set[str], scenario: Scenario, result: Result, goals: pd.DataFrame) -> Verdict:
    g = goals[goals["student_id"].isin(who)]
    if c.goal:
        g = g[g["goal"] == c.goal]
    if c.subject:
        g = g[g["subject"].astype(str) == c.subject]
    label = f"{c.goal or 'all'} goals" + (f" in {c.subject}" if c.subject else "") + _group_text(c)
    need = f"≥ {c.threshold:g}%"
    if g.empty:
        return _not_measured(c, f"no {label} in this school's plans", need)
    value = _pct(int(g["met"].sum()), len(g))
    failing = sorted(set(g.loc[g["met"] == 0, "student_id"]))
    return Verdict("", c.name, value >= c.threshold, f"{value}% of {len(g)} {label} met", need, failing)


def _class_size_cap(c: ClassSizeCap, who: set[str], scenario: Scenario, result: Result,
                    goals: pd.DataFrame) -> Verdict:
    need = f"≤ {c.threshold} breaches"
    in_subject = f" in {c.subject}" if c.subject else ""
    if c.cap is not None:
        placed = student_sections(scenario, result)
        placed = placed[placed["student_id"].isin(who)]
        if c.subject:
            placed = placed[placed["subject"] == c.subject]
        if placed.empty:
            return _not_measured(c, f"no student{_group_text(c)} sits in a section{in_subject}", need)
        failing = sorted(set(placed.loc[placed["size"] > c.cap, "student_id"]))
        value = f"{len(failing)} students{_group_text(c)} in a section{in_subject} above {c.cap}"
    else:
        g = goals[(goals["goal"] == "max_class_size") & goals["student_id"].isin(who)]
        if c.subject:
            g = g[g["subject"].astype(str) == c.subject]
        if g.empty:
            return _not_measured(c, f"no student{_group_text(c)} has a max_class_size goal{in_subject}", need)
        failing = sorted(set(g.loc[g["met"] == 0, "student_id"]))
        value = f"{len(failing)} of {g['student_id'].nunique()} students{_group_text(c)} above their class-size cap"
    return Verdict("", c.name, len(failing) <= c.threshold, value, need, failing)


def _budget_balanced(c: BudgetBalanced, who: set[str], scenario: Scenario, result: Result, goals) -> Verdict:
    figures = money_of(result, scenario)
    if c.exclude_one_time:
        balance, shown = figures.recurring_balance, f"recurring balance {dollars(figures.recurring_balance)}"
        if figures.one_time_revenue or figures.one_time_expenses:
            shown += (f" (without {dollars(figures.one_time_revenue)} of one-time revenue and "
                      f"{dollars(figures.one_time_expenses)} of one-time expenses)")
    else:
        balance, shown = figures.this_year_balance, f"this year's balance {dollars(figures.this_year_balance)}"
    return Verdict("", c.name, balance >= c.threshold, shown, f"≥ {dollars(c.threshold)}")


def _support_minutes(c: SupportMinutes, who: set[str], scenario: Scenario, result: Result, goals) -> Verdict:
    need = f"≥ {c.threshold:g}%"
    if not who:
        return _not_measured(c, f"no student{_group_text(c)} in this school", need)
    per_group = weekly_minutes(result.group_sessions, calendar_of(scenario))   # what goals count: × 5 ÷ days
    members = result.group_members.astype(str)
    if c.subject:
        subjects = result.groups.astype(str).set_index("group_id")["subject"]
        members = members[members["group_id"].map(subjects) == c.subject]
    minutes = members["group_id"].map(per_group).fillna(0).groupby(members["student_id"]).sum()
    got = pd.Series(sorted(who), dtype=str).map(minutes).fillna(0)
    failing = sorted(pd.Series(sorted(who), dtype=str)[got < c.min_minutes])
    value = _pct(len(who) - len(failing), len(who))
    in_subject = f" in {c.subject}" if c.subject else ""
    return Verdict("", c.name, value >= c.threshold,
                   f"{value}% of students{_group_text(c)} get ≥ {c.min_minutes:g} small-group minutes{in_subject} "
                   "a week", need, failing)


def _metric(c: Metric, who: set[str], scenario: Scenario, result: Result, goals: pd.DataFrame) -> Verdict:
    metrics = summary_metrics(scenario, result, goals)   # recomputed: a hand-edited result may be stale
    value = float(metrics[c.metric])
    return Verdict("", c.name, value >= c.threshold, f"{c.metric} = {value:g}", f"≥ {c.threshold:g}")


JUDGES = {"required_courses": _required_courses, "goals_met": _goals_met, "class_size_cap": _class_size_cap,
          "budget_balanced": _budget_balanced, "support_minutes": _support_minutes, "metric": _metric}


def check_criterion(bar: Bar, index: int, scenario: Scenario, result: Result, goals: pd.DataFrame) -> Verdict:
    """Criterion `index` of the bar on one result: pass, fail or not measured, the measured value, and the
    students who fall short. Raises ScenarioInvalid when `who` names no column of students.csv."""
    c = bar.criteria[index]
    subject = getattr(c, "subject", None)
    if subject is not None and subject not in school_subjects(scenario):
        return _not_measured(c, f"{scenario.name} has no subject {subject!r} in its courses or goals"
                                f"{_suggest(subject, school_subjects(scenario))}", "")
    who = _group(bar, index, scenario, c.who) if isinstance(c, _OfGroup) else set()
    return JUDGES[c.kind](c, who, scenario, result, goals)


def review_result(bar: Bar, scenario: Scenario, result: Result, name: str = "") -> list[Verdict]:
    """Every criterion of the bar on one result, in the bar's order."""
    goals = evaluate_goals(scenario, result)
    verdicts = [check_criterion(bar, i, scenario, result, goals) for i in range(len(bar.criteria))]
    for v in verdicts:
        v.result = name or (result.path.name if result.path else "design")
    return verdicts


def verdicts_table(verdicts: list[Verdict]) -> pd.DataFrame:
    """One row per (result, criterion); `passed` is 0 for a criterion not measured, `status` says which."""
    return pd.DataFrame([{"result": v.result, "criterion": v.criterion, "status": v.status,
                          "passed": int(v.passed), "value": v.value, "threshold": v.threshold,
                          "students failing": len(v.failing_students),
                          "failing_students": ";".join(v.failing_students)} for v in verdicts])


# ---- many results at once (read and run by workbench.batch.review_many) ------------------------------------

FIRST_IDS = 5              # failing students named in the summary; the _students file lists every one


@dataclass
class ReviewOutcome:
    """One result's review: its verdicts, or the plain reason it could not be reviewed."""

    design: str
    result: str
    school: str = ""
    verdicts: list[Verdict] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    subjects: list[str] = field(default_factory=list)   # the school's, to tell a misspelt subject in the bar

    @property
    def ok(self) -> bool:
        return self.error is None


def overall(verdicts: Sequence[Verdict]) -> str:
    """A result's verdict on the whole bar in words: it passes only when every criterion was measured and
    passed; otherwise how many failed and which were not measured."""
    failed = sum(v.status == "fail" for v in verdicts)
    unmeasured = [v.criterion for v in verdicts if not v.measured]
    if not failed and not unmeasured:
        return "passes"
    parts = [f"fails {failed} of {len(verdicts)} criteria"] if failed else ["does not pass"]
    if unmeasured:
        parts.append(f"not measured: {', '.join(unmeasured)}")
    return "; ".join(parts)


def district_summary(outcomes: Sequence[ReviewOutcome], bar: Bar) -> pd.DataFrame:
    """One row per school and design: the verdict on the whole bar (`passes` 1 only when every criterion was
    measured and passed), pass / fail / not measured per criterion, the numbers failed and not measured,
    and per criterion how many students fall short and the first of them. A result that could not be
    reviewed keeps its row, with its reason and blank verdicts."""
    rows = []
    for o in outcomes:
        row: dict = {"school": o.school, "design": o.design, "reviewed": int(o.ok),
                     "passes": int(all(v.passed for v in o.verdicts)) if o.ok else None,
                     "verdict": overall(o.verdicts) if o.ok else "not reviewed",
                     "criteria_failed": sum(v.status == "fail" for v in o.verdicts) if o.ok else None,
                     "criteria_not_measured": sum(not v.measured for v in o.verdicts) if o.ok else None}
        by_name = {v.criterion: v for v in o.verdicts}
        for c in bar.criteria:
            v = by_name.get(c.name)
            row[c.name] = "" if v is None else v.status
            row[f"{c.name} students"] = None if v is None else len(v.failing_students)
            row[f"{c.name} first"] = "" if v is None else ";".join(v.failing_students[:FIRST_IDS])
        row["reason"] = o.error or ""
        row["result"] = o.result
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in ["passes", "criteria_failed", "criteria_not_measured",
                   *(f"{c.name} students" for c in bar.criteria)]:
        if column in frame:
            frame[column] = frame[column].astype("Int64")
    return frame


def failing_students_table(outcomes: Sequence[ReviewOutcome]) -> pd.DataFrame:
    """Long form: one row per (school, design, criterion, student who falls short)."""
    rows = [(o.school, o.design, v.criterion, sid) for o in outcomes for v in o.verdicts
            for sid in v.failing_students]
    return pd.DataFrame(rows, columns=["school", "design", "criterion", "student_id"])
