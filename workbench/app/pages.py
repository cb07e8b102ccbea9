"""The workbench's pages, in tab order: a new page is a `views.Page` subclass and one line here."""

from __future__ import annotations

from workbench.app.progress_page import ProgressPage
from workbench.app.teachers_page import TeachersPage
from workbench.app.views import (
                                 BudgetPage,
                                 ComparePage,
                                 GroupsPage,
                                 Page,
                                 ReviewPage,
                                 ScenarioPage,
                                 SchedulePage,
                                 StaffingPage,
                                 StudentsPage,
)

PAGES: list[type[Page]] = [ScenarioPage, StaffingPage, SchedulePage, TeachersPage, GroupsPage, BudgetPage,
                           StudentsPage, ProgressPage, ComparePage, ReviewPage]
