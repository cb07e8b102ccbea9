"""Serve the workbench in a thread and drive it with Debian's Chromium (Playwright's download does not
work here). Under CI=true a missing Chromium fails the run instead of skipping it."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import panel as pn
import pytest

from workbench.scenario import load_scenario, write_scenario

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: run `make browser`"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


@pytest.fixture(autouse=True)
def _stop_servers():
    yield
    pn.state.kill_all_servers()


@pytest.fixture
def tutorial_copy(tmp_path) -> Path:
    """The bundled tutorial school with a short solver time limit, so a solve takes seconds."""
    scenario = load_scenario(ROOT / "scenarios" / "tutorial").with_settings(**{"solver.time_limit_s": 5})
    return write_scenario(scenario, tmp_path / "scenarios" / "tutorial")


@pytest.fixture
def serve_workbench():
    """Start the workbench on a free port; returns (url, sessions) where sessions collects each browser
    session's app, so a test can hand its result to the independent checker. `results` are the folders of
    result folders the Compare page may open (serve's --results)."""
    from workbench.app.serve import build_app

    def start(*scenario_paths, results=()):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        sessions = []

        def factory():
            app = build_app(list(scenario_paths), list(results))
            sessions.append(app.workbench)
            return app

        pn.serve(factory, port=port, address="127.0.0.1", threaded=True, show=False,
                 websocket_origin=f"127.0.0.1:{port}")
        deadline = time.time() + 20
        while time.time() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        return f"http://127.0.0.1:{port}/", sessions

    return start


@pytest.fixture
def shoot():
    ARTIFACTS.mkdir(exist_ok=True)

    def save(page, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return save
