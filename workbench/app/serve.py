"""`workbench serve`: the Panel workbench. `build_app` is called once per browser session, so every
session gets its own `Workbench` state and nobody sees another person's edits."""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from pathlib import Path

import panel as pn

from workbench.app import pages, views
from workbench.app.login import PasswordOnly
from workbench.app.state import Workbench


def order_scenarios(paths: list[str | Path]) -> list[Path]:
    """Put the quick tutorial first, so a workshop opens on a school that solves in seconds."""
    paths = [Path(p) for p in paths]
    return sorted(paths, key=lambda p: 0 if p.name == "tutorial" else 1)


def build_app(scenario_paths: list[str | Path], result_roots: list[str | Path] = ()) -> pn.template.BaseTemplate:
    """One session's workbench: state, header with Solve/Cancel/progress, and one tab per page.
    `result_roots` are the --results folders the Compare page may open results from (besides the scenarios)."""
    pn.extension("tabulator", "vega", notifications=False)
    wb = Workbench(order_scenarios(scenario_paths), result_roots=list(result_roots))
    keep_session(wb, [Path(r) for r in result_roots])   # before the pages: they show what a reload restores
    tabs = pn.Tabs(*[(page.title, page(wb=wb)) for page in pages.PAGES], dynamic=True, sizing_mode="stretch_width")
    # No template busy spinner: Panel keeps those in one process-wide list and flips every session's spinner
    # on any session's event, touching other sessions' documents without their lock (a RuntimeError that
    # dropped table edits when several people worked at once). The header's progress bar shows solving.
    template = pn.template.BootstrapTemplate(title="School design workbench", header_background="#2f4f6f",
                                             main=[views.header(wb), tabs], busy_indicator=None)
    template.workbench = wb   # tests and benchmarks reach the session's state through the template
    return template


def keep_session(wb: Workbench, result_roots: list[Path]) -> None:
    """Find this browser's saved work (its random token in a cookie) and keep saving it every few seconds
    after a change, so a reload finds the session as it was. A browser without the cookie gets a new token,
    set by the page; its first save starts a new folder."""
    from bokeh.models import CustomJS

    from workbench.app import keep

    cookies = getattr(pn.state, "cookies", None) or {}
    token = keep.valid_token(cookies.get(keep.COOKIE))
    if token is None:
        token = keep.new_token()   # 64 hex digits: nothing in it can break out of the script
        if pn.state.curdoc is not None:
            pn.state.curdoc.js_on_event("document_ready", CustomJS(
                code=f"document.cookie = '{keep.COOKIE}={token}; path=/; SameSite=Strict; max-age=2592000';"))
    folder = keep.store_folder(token, result_roots)
    keep.restore(wb, folder)
    changed = {"dirty": False}

    def mark(*_):
        changed["dirty"] = True

    def flush():
        if changed["dirty"] and not wb.solving:
            changed["dirty"] = False
            try:
                keep.save(wb, folder)
            except Exception as exc:  # noqa: BLE001 — a full disk must not break the page; say it once
                wb.status = f"This session's work could not be kept on the server: {type(exc).__name__}: {exc}"

    wb.param.watch(mark, ["results", "edits", "scenario_name", "design_name", "result"])
    if pn.state.curdoc is not None:
        pn.state.add_periodic_callback(flush, period=2000)
    wb.keep_folder = folder


class ServeRefused(Exception):
    """`workbench serve` options that would expose the workbench; the message says why and what to do."""


@dataclass(frozen=True)
class ServeOptions:
    """What `serve_app` listens on, which browser origins may open a session, and the workshop password."""

    address: str
    port: int
    origins: list[str]
    password: str | None


WILDCARDS = {"0.0.0.0", "::", "", "*"}


def is_local(address: str) -> bool:
    """Whether only this machine can reach the address (a loopback address or `localhost`)."""
    if address.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def read_password(basic_auth: str) -> str:
    """The workshop password: the text given, or the first line of the file it names. Raises
    `ServeRefused` for an empty password or an unreadable file."""
    path = Path(basic_auth)
    if path.is_file():
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ServeRefused(f"--basic-auth: cannot read the password file {path} ({exc})") from exc
        password = lines[0].strip() if lines else ""
        if not password:
            raise ServeRefused(f"--basic-auth: the password file {path} is empty; write the password on its "
                               "first line")
        return password
    if not basic_auth.strip():
        raise ServeRefused("--basic-auth: the password is empty")
    return basic_auth


def serve_options(address: str = "127.0.0.1", port: int = 5006, basic_auth: str | None = None,
                  insecure: bool = False, origins: list[str] = ()) -> ServeOptions:
    """Check `workbench serve`'s options before anything listens; raises `ServeRefused` with the reason.

    On this machine alone (127.0.0.1, the default) no password is needed. On any other address anyone on
    the network could open the workbench, read the scenarios and results it serves and keep its CPU busy,
    so a password (--basic-auth) is required unless --insecure says the network is trusted. Browsers may
    open a session only from the address served (host:port) and the --origin names given: a page on
    another site cannot drive the workbench through a visitor's browser. Listening on every network
    (0.0.0.0) needs --origin, since the name people will type cannot be guessed safely."""
    if not 0 < port < 65536:
        raise ServeRefused(f"--port {port} is not a port number (1-65535)")
    address = address.strip()
    password = read_password(basic_auth) if basic_auth is not None else None
    extra = [origin.strip() for origin in origins if origin.strip()]
    for origin in extra:
        if "/" in origin or "*" in origin:
            raise ServeRefused(f"--origin {origin}: give a host:port as the browser shows it, e.g. "
                               f"192.168.1.20:{port}, without http:// and without wildcards")
    if is_local(address):
        allowed = [f"{address}:{port}"] if ":" not in address else []
        allowed += [f"127.0.0.1:{port}", f"localhost:{port}"]
        return ServeOptions(address, port, list(dict.fromkeys(allowed + extra)), password)
    if password is None and not insecure:
        raise ServeRefused(f"refusing to listen on {address or 'every network'}: anyone who can reach this "
                           "machine could open the workbench and read the scenarios and results it serves. "
                           "Give --basic-auth PASSWORD (or a file holding it) for a shared workshop, or "
                           "--insecure if every machine on this network is trusted.")
    if address in WILDCARDS or ":" in address:   # every network, or IPv6 (Bokeh checks origins by host name)
        if not extra:
            raise ServeRefused(f"--address {address or '(empty)'} needs --origin: say which host:port the "
                               f"workshop's browsers will use, e.g. --origin 192.168.1.20:{port} or "
                               f"--origin workshop.local:{port} (repeat --origin for each name)")
        return ServeOptions(address, port, extra, password)
    return ServeOptions(address, port, list(dict.fromkeys([f"{address}:{port}"] + extra)), password)


def serve_app(scenarios: list[Path], address: str = "127.0.0.1", port: int = 5006,
              basic_auth: str | None = None, show: bool = True, threaded: bool = False,
              insecure: bool = False, origins: list[str] = (), results: list[Path] = ()):
    """Serve the workbench on the options `serve_options` accepts (raises `ServeRefused` otherwise).
    `basic_auth` is a password (or a file holding one) for a shared workshop; `results` are folders of
    result folders the Compare page may open."""
    missing = [str(p) for p in [*scenarios, *results] if not Path(p).is_dir()]
    if missing:
        raise ServeRefused(f"not a folder: {', '.join(missing)}")
    options = serve_options(address, port, basic_auth, insecure, origins)
    paths = [Path(p).resolve() for p in scenarios]
    roots = [Path(p).resolve() for p in results]
    kwargs = {}
    if options.password is not None:
        kwargs["auth_provider"] = PasswordOnly(options.password)
        kwargs["cookie_secret"] = secrets.token_hex(32)
    return pn.serve(lambda: build_app(paths, roots), address=options.address, port=options.port, show=show,
                    websocket_origin=options.origins, threaded=threaded, title="School design workbench",
                    **kwargs)
