"""What the guided notebooks share (workbench.notebook): tables a leader reads, the bundled schools found
from any working folder, and a what-if that re-plans when its control moves."""

from __future__ import annotations

import asyncio
import concurrent.futures

import pandas as pd
import panel as pn
import pytest

from workbench import notebook as wn
from workbench.scenario import load_scenario


def _run(coroutine):
    """Run a what-if's handler to the end in a thread of its own: a browser test earlier in the same worker
    (Playwright's sync API) may have left an event loop running in this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_a_budget_table_reads_as_dollars_percentages_and_yes_no_with_no_index():
    designs = pd.DataFrame({"design": ["today", "MCL <b>teams</b>"], "fits": [True, False],
                            "balance": [27477.96, -194.68], "goals_met_pct": [100.0, 78.69]},
                           index=[7, 8])
    html = wn.table(designs, {"design": "Design", "fits": "Fits the budget", "balance": "Balance",
                              "goals_met_pct": "Goals met"},
                    dollars=["balance"], percents=["goals_met_pct"], yes_no_columns=["fits"]).to_html()
    for shown in ("Fits the budget", "$27,478", "-$195", "78.7%", "100%", ">yes<", ">no<"):
        assert shown in html
    assert "MCL &lt;b&gt;teams&lt;/b&gt;" in html, "text from a scenario file is escaped"
    assert ">7<" not in html and ">8<" not in html, "no index column"
    assert "dtype" not in html


def test_the_bundled_schools_are_found_from_any_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_scenario(wn.bundled("tutorial")).name.startswith("Tutorial")
    assert wn.bundled("district-bar.yaml").is_file()
    with pytest.raises(FileNotFoundError, match="no bundled 'nowhere-high'"):
        wn.bundled("nowhere-high")


def test_a_what_if_replans_when_its_control_changes_and_says_so_when_it_cannot():
    school = load_scenario(wn.bundled("tutorial"))
    size = pn.widgets.IntSlider(label="Largest group", start=1, end=5, value=4)

    def plan(largest):
        if largest == 1:
            raise ValueError("a group of one is not a group")
        return school.with_settings(**{"tutoring.max_group_size": largest}).settings.tutoring.max_group_size

    what_if = wn.WhatIf(plan, lambda largest: wn.sentence(f"groups of up to {largest}"), largest=size)
    assert what_if.result == 4 and "up to 4" in what_if.output[0].object
    size.value = 2
    _run(what_if._changed())
    assert what_if.result == 2 and "up to 2" in what_if.output[0].object
    size.value = 1
    _run(what_if._changed())
    assert what_if.result == 2, "a failed re-plan keeps the last result on the page"
    assert "a group of one is not a group" in what_if.status[0].object


def test_a_what_if_sends_no_stylesheet_link_to_the_internet_even_when_panel_skips_its_own_inlining(monkeypatch):
    """A busy machine once had a re-planned what-if ask cdn.holoviz.org for its panes' stylesheets: Panel
    inlines them after most updates, not on every path. Here its own inlining is switched off (a layout
    update nested in a batch skips it); the what-if still sends none."""
    from bokeh.models import ImportedStyleSheet, UIElement
    from panel.io.notebook import patch_inline_stylesheets
    from panel.layout.base import Panel
    from pyviz_comms import Comm

    size = pn.widgets.IntSlider(start=1, end=5, value=4)
    what_if = wn.WhatIf(lambda largest: largest, lambda largest: wn.sentence(f"groups of up to {largest}"),
                        largest=size)
    root = what_if.view.get_root(comm=Comm())
    for part in root.select({"type": UIElement}):   # as a notebook shows it (Panel's inline=True display)
        patch_inline_stylesheets(part)
    monkeypatch.setattr(Panel, "_batch_update", True)
    size.value = 2
    _run(what_if._changed())
    monkeypatch.undo()

    def links():
        return [sheet.url for part in root.select({"type": UIElement}) for sheet in part.stylesheets
                if isinstance(sheet, ImportedStyleSheet) and str(sheet.url).startswith("http")]
    assert "up to 2" in what_if.output[0].object
    assert links() == [], "what the re-plan added asks the internet for its stylesheets"
