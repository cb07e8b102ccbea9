"""scenario.yaml as typed settings (pydantic), with the SPEC's defaults."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="allow")


class Lunch(_Strict):
    """SPEC §4: every student eats in one of `periods` on every day; `seats` bounds the students free for lunch
    in one (term, day, period); blank means no limit."""

    periods: list[int] = Field(min_length=1, description="the lunch periods (lunch waves)")
    seats: int | None = Field(None, ge=1, description="most students free for lunch in one slot; blank: no limit")


class School(_Strict):
    grades: list[int] = Field(min_length=1)
    days: int = Field(5, ge=1, le=20)   # one cycle: up to a four-week rotation
    periods_per_day: int = Field(ge=1, le=16)
    minutes_per_period: int = Field(50, ge=1, le=600)
    intervention_periods: list[int] = Field(default_factory=list)
    # SPEC §4, the calendar (all optional): read through workbench.scenario.calendar, never directly
    terms: list[str] = Field(default_factory=lambda: ["year"], min_length=1, max_length=12,
                             description="the school year's terms, e.g. [fall, spring]")
    day_types: dict[str, list[int]] = Field(default_factory=dict, max_length=20,
                                            description="named sets of the cycle's days, e.g. {A: [1, 3], B: [2, 4]}; "
                                                        "none: one type, every day")
    lunch: Lunch | None = Field(None, description="every student eats in one of these periods on every day")


class Funding(_Strict):
    base_per_pupil: float = Field(ge=0)
    weights: dict[str, float] = Field(default_factory=dict)
    grade_weights: dict[int, float] = Field(default_factory=dict)
    other_revenue: float = Field(0.0, ge=0)
    # the part of other_revenue that comes this year only (a one-time grant): at most other_revenue
    one_time_revenue: float = Field(0.0, ge=0)
    allow_deficit: bool = False


class Tutoring(_Strict):
    max_group_size: int = Field(4, ge=1)
    sessions_per_week: int = Field(3, ge=1)
    session_minutes: int = Field(30, ge=1)
    band_width: float = Field(1.0, gt=0)   # grade levels a group may span


class Solver(_Strict):
    name: Literal["highs", "cbc"] = "highs"
    time_limit_s: float = Field(60.0, gt=0)
    mip_gap: float = Field(0.01, ge=0, le=1)
    seed: int = 0
    fallback: bool = True   # when HiGHS gives no answer, try CBC once (and say so in summary.json)


class Assessment(_Strict):
    """The assessment cycle (SPEC §5): how often the school re-assesses, and the growth that counts as on track.
    Six cycles a year is the 6-week regrouping rhythm of intervention blocks in a 36-week year."""

    cycles_per_year: int = Field(6, ge=1, le=52, description="assessment cycles in a school year")
    weeks_per_year: int = Field(36, ge=1, le=52, description="teaching weeks in a school year")
    expected_growth_per_year: float = Field(1.0, gt=0, description="grade levels a year that count as on "
                                            "track (1 = a year's growth in a year)")

    @property
    def expected_growth_per_cycle(self) -> float:
        return self.expected_growth_per_year / self.cycles_per_year

    @property
    def weeks_per_cycle(self) -> float:
        return self.weeks_per_year / self.cycles_per_year


class Settings(_Strict):
    name: str = Field(min_length=1)
    description: str = ""
    school: School
    funding: Funding
    tutoring: Tutoring = Field(default_factory=Tutoring)
    solver: Solver = Field(default_factory=Solver)
    assessment: Assessment = Field(default_factory=Assessment)
