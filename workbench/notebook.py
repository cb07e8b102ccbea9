"""What the guided notebooks share: one offline set-up for Panel and charts, the bundled schools found from
any working folder, tables formatted for people, and what-ifs as controls that re-plan in place.

The choice made once, here: Panel's JavaScript (Bokeh, Panel, Tabulator, Vega) comes from the kernel
(`inline=True`), never from a CDN, and every Altair chart is drawn by Panel's Vega pane (`chart`), because
JupyterLab 4 draws only Vega-Lite v3-v5 itself and Altair 6 falls back to loading vega@6 from jsdelivr.
The app serves the same JavaScript from its own server, so a chart looks the same in both."""

from __future__ import annotations

import asyncio
import contextlib
import html
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import panel as pn

EXTENSIONS = ("tabulator", "vega")
SCENARIOS_ENV = "WORKBENCH_SCENARIOS"
KEEP_JAVASCRIPT_ENV = "WORKBENCH_KEEP_JAVASCRIPT"
NO_SCRIPT = "data:text/javascript,"   # an empty script: what nbconvert's page would fetch from a CDN


def setup(keep_javascript: bool | None = None) -> None:
    """Load Panel's JavaScript from the kernel so widgets and charts work with no internet access.

    The JavaScript (about 4 MB) would otherwise be saved in the notebook with the set-up cell's output on
    every save; once the browser has run it, the output is cleared, so a saved notebook stays small. Pass
    `keep_javascript=True` for a notebook to be exported to HTML: the export then carries its JavaScript and
    needs no internet either. Sliders report their value when released (`throttled`), so a what-if re-plans
    once per move, not at every pixel. `keep_javascript=None` reads the `WORKBENCH_KEEP_JAVASCRIPT`
    environment variable ("1": keep), which `export_html` sets for the kernel it runs."""
    if keep_javascript is None:
        keep_javascript = os.environ.get(KEEP_JAVASCRIPT_ENV) == "1"
    pn.extension(*EXTENSIONS, inline=True, throttled=True)
    if keep_javascript:
        return
    from IPython import get_ipython
    from IPython.display import clear_output

    if get_ipython() is not None:
        clear_output()


@contextlib.contextmanager
def quiet_output() -> Iterator[None]:
    """Point file descriptor 1 (the process's standard output) at /dev/null for the block: what libraries
    print there (a solver's banner, worker processes started inside the block, for their whole life)
    stays out of the notebook. Python's own `print` and errors are not affected."""
    sys.stdout.flush()
    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(null)
        os.close(saved)


def scenarios_folder() -> Path:
    """The folder of bundled schools (`scenarios/` of this checkout), whatever the working folder is: the
    `WORKBENCH_SCENARIOS` environment variable if set, else the checkout the `workbench` package runs from.
    Raises FileNotFoundError, in a sentence, when neither exists (a copy of the package without them)."""
    candidates = [Path(os.environ[SCENARIOS_ENV])] if os.environ.get(SCENARIOS_ENV) else []
    candidates.append(Path(__file__).resolve().parents[1] / "scenarios")
    for folder in candidates:
        if (folder / "tutorial" / "scenario.yaml").exists():
            return folder
    raise FileNotFoundError(f"The bundled schools were not found at {' or '.join(map(str, candidates))}: set "
                            f"{SCENARIOS_ENV} to the scenarios folder of a workbench checkout.")


def bundled(name: str) -> Path:
    """A bundled school's folder (e.g. "tutorial", "riverside-middle") or file ("district-bar.yaml")."""
    path = scenarios_folder() / name
    if not path.exists():
        raise FileNotFoundError(f"There is no bundled {name!r} in {scenarios_folder()}.")
    return path


# ---- formatting for people ----------------------------------------------------------------------------------
def money(value: float) -> str:
    """$1,234 (whole dollars; a minus sign before the dollar sign)."""
    if pd.isna(value):
        return "–"
    return f"-${-value:,.0f}" if value < 0 else f"${value:,.0f}"


def percent(value: float) -> str:
    """A percentage given as 0-100, shown with one decimal at most: 98.4%, 100%."""
    return "–" if pd.isna(value) else f"{value:.1f}".removesuffix(".0") + "%"


def yes_no(value: Any) -> str:
    return "–" if pd.isna(value) else ("yes" if bool(value) else "no")


def table(frame: pd.DataFrame, headers: Mapping[str, str] | None = None, *, dollars: Iterable[str] = (),
          percents: Iterable[str] = (), yes_no_columns: Iterable[str] = ()) -> pd.io.formats.style.Styler:
    """A table to read: the columns in `headers` (renamed to its values, in its order; all columns if
    None), dollars as $1,234, percentages as 98.4%, flags as yes/no, whole numbers without decimals, no
    index column and no dtype footer. Every cell and header is HTML-escaped: names and reasons come from
    scenario files. Returns a pandas Styler (it renders in a notebook, in `pn.pane.HTML(...to_html())`
    and in an HTML export)."""
    shown = frame[list(headers)] if headers else frame
    shown = shown.reset_index(drop=True)
    formats: dict[str, Callable[[Any], str]] = {}
    formats |= {c: money for c in dollars if c in shown}
    formats |= {c: percent for c in percents if c in shown}
    formats |= {c: yes_no for c in yes_no_columns if c in shown}
    for column in shown.columns:
        if column not in formats:
            formats[column] = _number if pd.api.types.is_float_dtype(shown[column]) else _text
    if headers:
        shown = shown.rename(columns=dict(headers))
        formats = {headers.get(c, c): f for c, f in formats.items()}
    escaped = {c: (lambda v, f=f: html.escape(f(v))) for c, f in formats.items()}   # every cell, one formatter
    styler = shown.style.format(escaped).hide(axis="index")
    return styler.format_index(escape="html", axis=1).set_table_attributes('class="wb-table"')


def _text(value: Any) -> str:
    return "–" if value is None or (not isinstance(value, list | tuple) and pd.isna(value)) else str(value)


def _number(value: float) -> str:
    return "–" if pd.isna(value) else (f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}")


def html_table(styler: pd.io.formats.style.Styler) -> pn.pane.HTML:
    """A `table(...)` inside a Panel layout (a what-if's output)."""
    return pn.pane.HTML(styler.to_html(), sizing_mode="stretch_width")


def chart(altair_chart) -> pn.pane.Vega:
    """An Altair chart drawn by Panel's Vega pane from the kernel's JavaScript (see the module's note)."""
    return pn.pane.Vega(altair_chart.to_dict(validate=False))


def sentence(text: str) -> pn.pane.Markdown:
    """One plain sentence (or a few) under a result; `text` is Markdown written by the notebook."""
    return pn.pane.Markdown(text, sizing_mode="stretch_width")


def replace_offline(layout: pn.layout.ListLike, objects: list[Any]) -> None:
    """Put `objects` in `layout` (a Panel Column or Row shown in a notebook) with every stylesheet of the
    new parts inlined before the browser hears of them. Panel inlines them itself after most updates, but
    not on every path: on a busy machine a what-if once sent its panes' stylesheets as links to
    cdn.holoviz.org (a request to the internet, unstyled parts offline). The change is held, the new models
    are patched, then the change is sent."""
    from bokeh.models import UIElement
    from panel.io.notebook import patch_inline_stylesheets
    from panel.io.state import state

    with contextlib.ExitStack() as held:
        for ref, (model, _parent) in list(layout._models.items()):
            if model.document is not None:
                view = state._views.get(ref)
                held.enter_context(pn.io.hold(model.document, comm=view[3] if view else None))
        layout[:] = objects
        for model, _parent in list(layout._models.values()):
            for part in model.select({"type": UIElement}):
                patch_inline_stylesheets(part)


# ---- what-ifs as controls -----------------------------------------------------------------------------------
class WhatIf:
    """Controls (Panel widgets) and the output they drive: `compute(**values)` plans the what-if (it may
    take seconds: it runs in a worker thread, with a progress bar, while the page stays live), then
    `render(result)` draws it (a list of Panel objects or one). The first result is computed at once, so a
    notebook's checks can read `result`; a failure is shown in a sentence, never a traceback."""

    def __init__(self, compute: Callable[..., Any], render: Callable[[Any], Any], **controls: pn.widgets.Widget):
        self.compute, self.render, self.controls = compute, render, controls
        self.progress = pn.indicators.Progress(active=False, value=0, max=100, width=260, height=14,
                                               bar_color="primary")
        self.status = pn.Row()
        self.output = pn.Column(sizing_mode="stretch_width")
        self.result = compute(**self.values())
        self._draw(self.result)
        for widget in controls.values():
            widget.param.watch(self._changed, "value")
        self.view = pn.Column(pn.Row(*controls.values()), pn.Row(self.progress, self.status), self.output,
                              sizing_mode="stretch_width")

    def values(self) -> dict[str, Any]:
        return {name: widget.value for name, widget in self.controls.items()}

    def _draw(self, result: Any) -> None:
        """Show `render(result)` as new panes (new panes, not new text in the old ones: an updated pane's
        stylesheets would be re-sent as links)."""
        drawn = self.render(result)
        replace_offline(self.output, list(drawn) if isinstance(drawn, list | tuple) else [drawn])

    def _say(self, text: str) -> None:
        replace_offline(self.status, [pn.pane.HTML(f"<p>{html.escape(text)}</p>", margin=(0, 10))] if text else [])

    async def _changed(self, *_events) -> None:
        self.progress.active = True
        self._say("Re-planning…")
        try:
            result = await asyncio.to_thread(self.compute, **self.values())
            self._draw(result)
            self.result = result
            self._say("")
        except Exception as exc:  # noqa: BLE001 — said on the page, the controls stay usable
            self._say(f"This what-if could not be planned: {exc}")
        finally:
            self.progress.active = False

    def __panel__(self) -> pn.Column:
        return self.view

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.view._repr_mimebundle_(include, exclude)


# ---- a notebook as one HTML file ------------------------------------------------------------------------------
def export_html(notebook: str | Path, out: str | Path, timeout_s: int = 600) -> Path:
    """Run `notebook` top to bottom (a fresh kernel, in the notebook's folder, its JavaScript kept) and
    write it as one HTML file that loads nothing from the internet: Panel's and Vega's JavaScript is inside
    it, and nbconvert's page scripts from CDNs (require.js, MathJax) are replaced by empty ones. Charts and
    tables show as they were when run; controls do not re-plan without a kernel.

    Returns the path written. Raises FileExistsError, in a sentence, when `out` exists (an export never
    replaces a file), and nbclient's CellExecutionError when a cell fails."""
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    notebook, out = Path(notebook), Path(out)
    if out.exists():
        raise FileExistsError(f"{out} already exists: choose a new file name for the HTML export.")
    nb = nbformat.read(notebook, as_version=4)
    saved = os.environ.get(KEEP_JAVASCRIPT_ENV)
    os.environ[KEEP_JAVASCRIPT_ENV] = "1"   # the kernel inherits it
    try:
        NotebookClient(nb, timeout=timeout_s, kernel_name="python3",
                       resources={"metadata": {"path": str(notebook.resolve().parent)}}).execute()
    finally:
        if saved is None:
            os.environ.pop(KEEP_JAVASCRIPT_ENV, None)
        else:
            os.environ[KEEP_JAVASCRIPT_ENV] = saved
    exporter = HTMLExporter(template_name="lab", require_js_url=NO_SCRIPT, mathjax_url=NO_SCRIPT)
    body, _resources = exporter.from_notebook_node(nb)
    partial = out.with_name(f".{out.name}.partial")
    partial.write_text(body, encoding="utf-8")
    partial.replace(out)
    return out
