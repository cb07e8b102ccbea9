"""`workbench serve`: the Panel workbench. `build_app` is called once per browser session, so every
session gets its own `Workbench` state and nobody sees another person's edits."""

from __future__ import annotations

from pathlib import Path

import panel as pn

from workbench.app import views
from workbench.app.state import Workbench

PAGES = ["Scenario", "Staffing", "Schedule", "Small groups", "Budget", "Students", "Compare"]


def order_scenarios(paths: list[str | Path]) -> list[Path]:
    """Put the quick tutorial first, so a workshop opens on a school that solves in seconds."""
    paths = [Path(p) for p in paths]
    return sorted(paths, key=lambda p: 0 if p.name == "tutorial" else 1)


def build_app(scenario_paths: list[str | Path]) -> pn.template.BaseTemplate:
    """One session's workbench: state, header with Solve/Cancel/progress, and one tab per page."""
    pn.extension("tabulator", "vega", notifications=False)
    wb = Workbench(order_scenarios(scenario_paths))
    pages = {
        "Scenario": views.scenario_page, "Staffing": views.staffing_page, "Schedule": views.schedule_page,
        "Small groups": views.groups_page, "Budget": views.budget_page, "Students": views.students_page,
        "Compare": views.compare_page,
    }
    tabs = pn.Tabs(*[(name, pages[name](wb)) for name in PAGES], dynamic=True, sizing_mode="stretch_width")
    # No template busy spinner: Panel keeps those in one process-wide list and flips every session's spinner
    # on any session's event, touching other sessions' documents without their lock (a RuntimeError that
    # dropped table edits when several people worked at once). The header's progress bar shows solving.
    template = pn.template.BootstrapTemplate(title="School design workbench", header_background="#2f4f6f",
                                             main=[views.header(wb), tabs], busy_indicator=None)
    template.workbench = wb   # tests and benchmarks reach the session's state through the template
    return template


def serve_app(scenarios: list[Path], address: str = "127.0.0.1", port: int = 5006,
              basic_auth: str | None = None, show: bool = True, threaded: bool = False):
    """Serve the workbench. `basic_auth` is a password (or a file holding one) for a shared workshop."""
    missing = [str(p) for p in scenarios if not Path(p).is_dir()]
    if missing:
        import typer

        typer.echo(f"not a scenario folder: {', '.join(missing)}", err=True)
        raise typer.Exit(1)
    paths = [Path(p).resolve() for p in scenarios]
    kwargs = {}
    if basic_auth:
        kwargs["basic_auth"] = basic_auth
        kwargs["cookie_secret"] = __import__("secrets").token_hex(16)
    origin = [f"{address}:{port}", f"localhost:{port}"] if address in ("127.0.0.1", "localhost") else None
    return pn.serve(lambda: build_app(paths), address=address, port=port, show=show,
                    websocket_origin=origin or "*", threaded=threaded, title="School design workbench",
                    **kwargs)
