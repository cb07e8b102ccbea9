"""The guided notebooks in a real JupyterLab, offline, as a leader uses them: open each notebook copied to a
folder of its own (not the checkout), Run → Run All Cells, read the page, move a control.

Each test asserts that no request leaves 127.0.0.1, that Panel and Vega load (no "Unable to run Panel code",
no "Error loading script" in the page or the console), that no cell fails, that every Panel output is drawn
(not blank), and, where a notebook has controls, that using one changes what is shown. Screenshots go to
test-artifacts/jupyterlab-*.png. The server (and with it every kernel) is stopped in teardown, whatever
happened; every wait has a timeout."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from driving import click_until
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "test-artifacts"
START_TIMEOUT = 90
RUN_TIMEOUT = 240
FAILURES = ("Unable to run Panel code", "Bokeh or Panel library is missing", "Error loading script",
            "Traceback (most recent call last)", "Javascript Error", "Failed to load")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Lab:
    """A JupyterLab server on 127.0.0.1 serving a copy of the notebooks, with its own settings and
    runtime folders (nothing of the user's configuration is read or written)."""

    def __init__(self, home: Path):
        self.port, self.token = _free_port(), secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        self.work = home / "work"
        shutil.copytree(NOTEBOOKS, self.work, ignore=shutil.ignore_patterns("_generate.py", ".*"))
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
               "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
               "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"), "IPYTHONDIR": str(home / "ipython")}
        news = home / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
        news.parent.mkdir(parents=True)
        news.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))   # no news toast to ask
        self.log = (home / "jupyterlab.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--allow-root", "--no-browser", "--ip=127.0.0.1",
             f"--port={self.port}", f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.work}",
             "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
            cwd=self.work, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + START_TIMEOUT
        while True:
            try:
                self.api("status")
                return
            except OSError:
                if self.process.poll() is not None or time.time() > deadline:
                    self.stop()
                    raise AssertionError(f"JupyterLab did not start: see {home / 'jupyterlab.log'}") from None
                time.sleep(0.5)

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(f"{self.base}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def url(self, notebook: str, workspace: str) -> str:
        return f"{self.base}/lab/workspaces/{workspace}/tree/{notebook}?token={self.token}&reset"

    def shut_down_kernels(self) -> None:
        for kernel in self.api("kernels"):
            self.api(f"kernels/{kernel['id']}", method="DELETE")

    def stop(self) -> None:
        """Stop the server and its kernels: ask politely, then kill the whole process group."""
        if self.process.poll() is None:
            try:
                self.shut_down_kernels()
            except OSError:
                pass
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=15)
        self.log.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    server = Lab(tmp_path_factory.mktemp("jupyterlab"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def watched(page, lab):
    """The page, with every request to a host other than 127.0.0.1 and every console error collected."""
    outside, console = [], []

    def on_request(request):
        host = urlparse(request.url).hostname
        if request.url.startswith(("http:", "https:", "ws:", "wss:")) and host != "127.0.0.1":
            outside.append(request.url)

    page.context.on("request", on_request)
    page.on("websocket", lambda ws: on_request(ws))
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    yield page, outside, console
    try:
        lab.shut_down_kernels()
    except OSError:
        pass


def run_all(page, lab, notebook: str) -> None:
    """Open the notebook in a fresh workspace, Run → Run All Cells, and wait until every cell has run."""
    page.goto(lab.url(notebook, notebook.split("-")[0] + secrets.token_hex(3)))
    expect(page.locator(".jp-NotebookPanel .jp-Cell").first).to_be_visible(timeout=60_000)
    expect(page.locator("#jp-main-statusbar").get_by_text("Idle")).to_be_visible(timeout=60_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    cells = json.loads((NOTEBOOKS / notebook).read_text())["cells"]
    shown = sum(c["cell_type"] == "code" and not c["metadata"].get("jupyter", {}).get("source_hidden")
                for c in cells)
    idle = page.locator("#jp-main-statusbar").get_by_text("Idle")
    deadline, settled = time.time() + RUN_TIMEOUT, 0
    while settled < 3:   # every shown cell numbered, and the kernel idle for three looks in a row
        prompts = page.evaluate("""() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                                    .map(p => p.textContent.trim()).filter(p => p)""")
        numbered = [p for p in prompts if p[1:-2].isdigit()]
        settled = settled + 1 if len(numbered) == len(prompts) == shown and idle.count() else 0
        assert time.time() < deadline, f"{notebook} did not finish within {RUN_TIMEOUT} s: prompts {prompts}"
        time.sleep(1)
    page.wait_for_timeout(1500)   # the last outputs' JavaScript draws


def panel_outputs(page):
    """Each cell output Panel drew (its HTML carries a Bokeh root)."""
    return page.locator(".jp-OutputArea-output:has([data-root-id])")


def assert_clean(page, outside: list[str], console: list[str], notebook: str, panels: int) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"jupyterlab-{notebook.removesuffix('.ipynb')}.png"))
    assert outside == [], f"requests left the machine: {sorted(set(outside))}"
    text = page.locator(".jp-NotebookPanel").inner_text()
    logged = "\n".join(console)
    for failure in FAILURES:
        assert failure not in text, f"{failure!r} shown in {notebook}"
        assert failure not in logged, f"{failure!r} in the console: {logged[-2000:]}"
    outputs = panel_outputs(page)
    expect(outputs).to_have_count(panels)
    for i in range(panels):
        box = outputs.nth(i).bounding_box()
        assert box is not None and box["height"] > 40, f"Panel output {i} of {notebook} is blank"
    assert "Running HiGHS" not in text, "the solver's banner is shown in the notebook"


def test_the_tour_searches_students_and_opens_a_plan_in_place(watched, lab):
    page, outside, console = watched
    run_all(page, lab, "01-tour.ipynb")
    assert_clean(page, outside, console, "01-tour.ipynb", panels=1)
    students = panel_outputs(page).first
    expect(students.get_by_text("61 of 61 goals met")).to_be_visible(timeout=20_000)
    rows = students.locator(".tabulator-row")
    expect(rows.first).to_be_visible(timeout=20_000)
    search = students.get_by_placeholder("student ID, goal or reason")
    search.fill("S0003")
    search.press("Enter")
    expect(rows.filter(has_not_text="S0003")).to_have_count(0, timeout=20_000)
    expect(rows.filter(has_text="S0003").first).to_be_visible()
    # every goal is met in this school: "not met" with the search is an empty table, not an error
    students.get_by_role("button", name="not met", exact=True).click()
    expect(rows).to_have_count(0, timeout=20_000)
    students.get_by_role("button", name="all", exact=True).click()
    expect(rows.first).to_be_visible(timeout=20_000)
    click_until(rows.first, students.get_by_text("Plan for"))
    expect(students.get_by_text("S0003").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "jupyterlab-01-tour-student-plan.png"))
    assert outside == [], f"requests left the machine: {sorted(set(outside))}"


def test_the_staffing_what_if_replans_when_the_class_size_slider_moves(watched, lab):
    page, outside, console = watched
    run_all(page, lab, "02-staffing-what-if.ipynb")
    assert_clean(page, outside, console, "02-staffing-what-if.ipynb", panels=2)
    designs = panel_outputs(page).first
    expect(designs.get_by_text("every class capped at 20 students").first).to_be_visible(timeout=20_000)
    handle = designs.locator(".noUi-handle").first
    handle.focus()
    handle.press("ArrowLeft")
    handle.press("ArrowLeft")
    expect(designs.get_by_text("every class capped at 18 students").first).to_be_visible(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "jupyterlab-02-staffing-what-if-moved.png"))
    assert outside == [], f"requests left the machine: {sorted(set(outside))}"


def test_the_grant_slider_compares_a_different_grant(watched, lab):
    page, outside, console = watched
    run_all(page, lab, "04-comparing-designs.ipynb")
    assert_clean(page, outside, console, "04-comparing-designs.ipynb", panels=1)
    comparison = panel_outputs(page).first
    expect(comparison.get_by_text("with a $150,000 grant").first).to_be_visible(timeout=20_000)
    handle = comparison.locator(".noUi-handle").first
    handle.focus()
    handle.press("ArrowRight")
    expect(comparison.get_by_text("with a $200,000 grant").first).to_be_visible(timeout=90_000)
    page.screenshot(path=str(ARTIFACTS / "jupyterlab-04-comparing-designs-moved.png"))
    assert outside == [], f"requests left the machine: {sorted(set(outside))}"


def test_the_ab_blocks_notebook_shows_the_picked_students_week_before_and_after(watched, lab):
    page, outside, console = watched
    run_all(page, lab, "08-traditional-to-ab-blocks.ipynb")
    assert_clean(page, outside, console, "08-traditional-to-ab-blocks.ipynb", panels=2)
    week = panel_outputs(page).first
    expect(week.get_by_text("A day (90 min)").first).to_be_visible(timeout=20_000)
    picker = week.locator("select").first
    expect(picker.locator("option").nth(1)).to_be_attached()   # the options arrive after the select itself
    first, second = (label.split()[0] for label in picker.locator("option").all_text_contents()[:2])
    expect(week.locator("strong", has_text=first).first).to_be_visible()
    picker.select_option(index=1)
    expect(week.locator("strong", has_text=second).first).to_be_visible(timeout=30_000)
    expect(week.locator("strong", has_text=first)).to_have_count(0)
    expect(week.get_by_text("B day (90 min)").first).to_be_visible()
    week.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "jupyterlab-08-traditional-to-ab-blocks-picked.png"))
    assert outside == [], f"requests left the machine: {sorted(set(outside))}"


@pytest.mark.parametrize("notebook, panels", [("03-tutoring-groups.ipynb", 1), ("05-central-office-review.ipynb", 0),
                                              ("06-district-review.ipynb", 2), ("07-assessment-cycle.ipynb", 4)])
def test_the_other_notebooks_run_offline_and_draw_every_output(watched, lab, notebook, panels):
    page, outside, console = watched
    run_all(page, lab, notebook)
    assert_clean(page, outside, console, notebook, panels=panels)


def test_an_html_export_of_a_notebook_loads_nothing_from_the_internet(page, tmp_path):
    from workbench.notebook import export_html

    work = tmp_path / "elsewhere"
    work.mkdir()
    copy = Path(shutil.copy(NOTEBOOKS / "03-tutoring-groups.ipynb", work))
    exported = export_html(copy, work / "groups.html")
    with pytest.raises(FileExistsError, match="already exists"):
        export_html(copy, exported)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(exported.as_uri())
    expect(page.get_by_text("With groups of at most 1").first).to_be_visible(timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "notebook-export-03.png"), full_page=True)
    assert [url for url in requests if not url.startswith(("file:", "data:", "blob:"))] == []
