"""How a person drives the workbench in a browser: open a page, type into a cell, click until something shows."""

from __future__ import annotations

import time

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

SOLVE_TIMEOUT = 90_000


def open_page(page, name: str) -> None:
    page.locator(".bk-tab").get_by_text(name, exact=True).first.click()


def open_table(page, label: str) -> None:
    """A scenario table's tab (Students, Staff, …), named as the top-level pages may be: the last such tab."""
    page.locator(".bk-tab").get_by_text(label, exact=True).last.click()


def set_number(page, label: str, value) -> None:
    box = page.get_by_label(label)
    box.fill(str(value))
    box.press("Enter")


def solve(page, label: str) -> None:
    page.get_by_role("button", name="Solve", exact=True).click()
    expect(page.get_by_text(f"Solved {label}")).to_be_visible(timeout=SOLVE_TIMEOUT)


def edit_cell(cell, text: str) -> None:
    """Type into a table cell as a person would: click it, and click again if the table redrew under the
    first click (a table drawn moments ago can close the editor it just opened)."""
    for _ in range(5):
        cell.click()
        box = cell.locator("input")
        try:
            box.fill(text, timeout=3_000)
            box.press("Enter", timeout=3_000)
            return
        except PlaywrightTimeout:
            time.sleep(0.3)
    raise AssertionError(f"the cell would not open for editing to type {text!r}")


def click_until(target, shown, attempts: int = 4) -> None:
    """Click as a person would, again if nothing happened: a click that lands while the table is being
    redrawn reaches no row."""
    for _ in range(attempts):
        target.click()
        try:
            expect(shown).to_be_visible(timeout=5_000)
            return
        except AssertionError:
            continue
    expect(shown).to_be_visible(timeout=5_000)


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, "the app did not update in time"
        time.sleep(0.1)
