"""Every user-supplied string on its way to the browser goes through here.

Scenario folders are made by other people: a description, a course name, a student ID or a column header
may hold `<iframe srcdoc="<script>…">` or `[link](javascript:…)`. Panel renders Markdown (and raw HTML
inside it), Tabulator puts column titles into the page as HTML, and Bokeh's MultiChoice (Choices.js) shows
its labels as HTML; none of them escapes by default. So text is escaped where it is put into a page,
by one of these helpers, and every Markdown pane the app draws refuses raw HTML as a second guard.
Table cells (Bokeh's StringFormatter, Tabulator's plaintext and textarea formatters) and Vega tooltips
already show text as text.
"""

from __future__ import annotations

import html

import pandas as pd
import panel as pn

# Markdown escaping lives with the goals' words, so notebooks escape a student's text as the app does.
from workbench.goals.words import md_line as md_line
from workbench.goals.words import md_text as md_text

# Raw HTML inside Markdown is shown as text, never parsed: the pane's own guard if an escape is ever missed.
MARKDOWN_OPTIONS = {"html": False}

# Tabulator sets a column's title with innerHTML unless a title formatter is named: "plaintext" escapes it.
TABLE_CONFIGURATION = {"columnDefaults": {"titleFormatter": "plaintext"}}


def markdown(text: object = "", **params) -> pn.pane.Markdown:
    """A Markdown pane that shows raw HTML as text. `text` is the app's own Markdown: pass every user
    value in it through `md_text` first."""
    return pn.pane.Markdown(text, renderer_options=MARKDOWN_OPTIONS, **params)


def alert(text: str, alert_type: str, **params) -> pn.pane.Alert:
    """An Alert (a Markdown pane) that shows raw HTML as text, like `markdown`."""
    return pn.pane.Alert(text, alert_type=alert_type, renderer_options=MARKDOWN_OPTIONS, **params)


def plain(value: object, **params) -> pn.pane.Markdown:
    """A user's text (or a message quoting one) shown literally."""
    return markdown(md_text(value), **params)


def html_text(value: object) -> str:
    """A user's text for an HTML context (a label a widget renders as HTML)."""
    return html.escape(str(value), quote=True)


def choices(labels: list[str]) -> dict[str, str]:
    """Options for a MultiChoice: shown label (escaped, since Choices.js renders labels as HTML) -> value."""
    return {html_text(label): label for label in labels}


def table(frame: pd.DataFrame, **params) -> pn.widgets.Tabulator:
    """A Tabulator whose column titles are shown as text (cells already are)."""
    configuration = {**TABLE_CONFIGURATION, **params.pop("configuration", {})}
    return pn.widgets.Tabulator(frame, configuration=configuration, **params)
