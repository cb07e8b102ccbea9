"""The workbench app against hostile input, without a browser (tests/browser/test_security.py drives the same
stories in Chromium).

A workshop opens a scenario folder a stranger made, and anyone on the page can type a path or a cell:
- every text a folder supplies reaches the page escaped, and Markdown panes refuse raw HTML;
- the Compare page opens result folders only inside the folders the server was started with;
- a non-local address needs a password, and only the served address may open a websocket session;
- a typed-in cell is checked on entry with `workbench validate`'s words, and a value its column cannot hold is
  refused, so the table and the model never disagree.
"""

from __future__ import annotations

import shutil
import socket
import time
from html.parser import HTMLParser
from pathlib import Path

import panel as pn
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from workbench.app import pages as app_pages
from workbench.app import safe, views
from workbench.app.folders import OutsideServedFolders, confine, resolve_roots
from workbench.app.serve import ServeRefused, serve_app, serve_options
from workbench.app.state import Workbench, existing_result
from workbench.cli import app as cli
from workbench.pipeline import solve_scenario
from workbench.results.io import write_result
from workbench.scenario import load_scenario
from workbench.scenario.validate import validate_scenario

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "data" / "hostile"
MINI = ROOT / "tests" / "data" / "mini"
PAYLOADS = [
    '<img src=x onerror="window.__xss=1">',
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    "[click me](javascript:window.__xss=1)",
    '<a href="javascript:alert(1)">open</a>',
    "<script>alert(1)</script>",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "    <svg onload=alert(1)>   indented four spaces",
    "**not bold** `not code` # not a heading\n- not a list\n\n| not | a table |",
    "&lt;img src=x onerror=alert(1)&gt; &amp; entities stay as typed",
    "$$x$$ :smile: www.example.org",
]


class Page(HTMLParser):
    """The tags, attributes and text of rendered HTML."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(name, value or "") for name, value in attrs]

    def handle_data(self, data):
        self.text.append(data)


def rendered(pane: pn.pane.Markdown) -> Page:
    """What the browser receives from a Markdown pane (Panel sends the HTML escaped once more)."""
    import html

    return Page(html.unescape(pane._transform_object(pane.object)["object"]))


def assert_harmless(page: Page) -> None:
    """No element a stranger could have planted; the only links are the app's own heading anchors."""
    assert not set(page.tags) & {"img", "iframe", "script", "svg", "object", "embed", "style", "form"}, page.tags
    assert not [name for name, _ in page.attrs if name.startswith("on")]
    assert all(value.startswith("#") for name, value in page.attrs if name in ("href", "src"))


def words(text: str) -> str:
    return " ".join(text.split())


# ---- 1. every text is shown as written ------------------------------------------------------------------
@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_strangers_text_renders_as_exactly_that_text(payload):
    page = rendered(safe.plain(payload))
    assert set(page.tags) <= {"p"}
    assert words("".join(page.text)) == words(payload)


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=80))
@settings(max_examples=300, deadline=None)
def test_any_text_at_all_renders_as_itself_and_nothing_more(text):
    page = rendered(safe.plain(text))
    assert set(page.tags) <= {"p"}
    assert words("".join(page.text)) == words(text)


def test_markdown_the_app_writes_itself_still_refuses_raw_html():
    page = rendered(safe.markdown("## Heading\n" + PAYLOADS[0] + "\n\n" + PAYLOADS[1]))
    assert "h2" in page.tags
    assert_harmless(page)
    assert PAYLOADS[0] in "".join(page.text)


def test_labels_a_widget_renders_as_html_are_escaped_and_still_select_the_design():
    options = safe.choices(["<img src=x onerror=alert(1)> #1", "tutorial #2"])
    assert options == {"&lt;img src=x onerror=alert(1)&gt; #1": "<img src=x onerror=alert(1)> #1",
                       "tutorial #2": "tutorial #2"}


@pytest.fixture(scope="module")
def hostile_session(tmp_path_factory) -> Workbench:
    """The hostile school in a folder whose very name is markup, solved twice so Compare has two designs."""
    folder = shutil.copytree(HOSTILE, tmp_path_factory.mktemp("served") / "<img src=x onerror=alert(9)>")
    wb = Workbench([folder])
    for _ in range(2):
        assert wb.start_solve()
        wb.wait(120)
    assert len(wb.results) == 2, wb.status
    return wb


def every_page(wb: Workbench) -> list:
    pages = [views.header(wb)] + [pn.panel(page(wb=wb)) for page in app_pages.PAGES
                                   if page is not views.ReviewPage]
    pages += [views.table_editor(wb, name) for name in ("students", "courses", "staff", "roles", "supports",
                                                        "goals", "requests")]
    for page in pages:
        page.get_root()   # draws lazy pages
    return pages


def test_no_page_of_a_hostile_school_carries_markup_and_its_texts_are_shown(hostile_session):
    wb = hostile_session
    pages = every_page(wb)
    markdown = [pane for page in pages for pane in page.select(pn.pane.Markdown)]
    shown = ""
    for pane in markdown:
        page = rendered(pane)
        assert_harmless(page)
        shown += " " + "".join(page.text)
    for text in (wb.scenario.settings.name, wb.scenario.settings.description, "<img src=x onerror=alert(9)> #2"):
        assert words(text) in words(shown)
    tabulators = [table for page in pages for table in page.select(pn.widgets.Tabulator)]
    assert len(tabulators) >= 15
    for table in tabulators:   # column titles (a stranger's header) are text, as cells are
        assert table._configuration["columnDefaults"]["titleFormatter"] == "plaintext"
    for choice in [c for page in pages for c in page.select(pn.widgets.MultiChoice)]:
        assert all("<" not in label for label in choice.options)


def test_a_students_plan_names_a_hostile_id_as_text(hostile_session):
    from workbench.goals.students import student_needs

    page = rendered(safe.markdown(student_needs(hostile_session.scenario, "<img src=x onerror=alert(3)>")))
    assert_harmless(page)
    assert "<img src=x onerror=alert(3)>" in "".join(page.text)


# ---- 2. the Compare page opens only the served folders ------------------------------------------------------
@pytest.fixture(scope="module")
def mini_result():
    return solve_scenario(load_scenario(MINI).with_settings(**{"solver.time_limit_s": 10}))


@pytest.fixture
def served(tmp_path, mini_result):
    """A served scenario with a saved result, a served results folder, and another school's result beside them
    (not served), reachable by a symlink planted in the results folder."""
    scenario = shutil.copytree(MINI, tmp_path / "served" / "mini")
    write_result(mini_result, scenario / "result")
    results = tmp_path / "served" / "results"
    write_result(mini_result, results / "pilot")
    write_result(mini_result, tmp_path / "other-school" / "result")
    (results / "sneaky").symlink_to(tmp_path / "other-school" / "result")
    leaky = write_result(mini_result, results / "leaky")
    (leaky / "budget.csv").unlink()
    (leaky / "budget.csv").symlink_to(tmp_path / "other-school" / "result" / "budget.csv")
    return {"scenario": scenario, "results": results, "other": tmp_path / "other-school" / "result"}


@pytest.mark.parametrize("typed", ["/etc", "/root/.ssh", "/", "..", "~", "", "mini/../../other-school/result",
                                   "results/sneaky", "results/leaky", "results/../../other-school/result",
                                   "{other}", "{other}/../result", "results/pilot\x00/etc"])
def test_a_folder_outside_the_served_ones_is_refused_and_nothing_is_read(served, typed):
    wb = Workbench([served["scenario"]], result_roots=[served["results"]])
    before = dict(wb.results)
    assert wb.add_result_folder(typed.format(other=served["other"])) is None
    assert wb.results == before
    assert wb.status.startswith("Not opened:")
    if typed != "results/leaky":   # the refusal reads the same whether or not the folder exists
        said = wb.status.replace(typed.format(other=served["other"]).strip() or "an empty path", "PATH", 1)
        assert said == ("Not opened: PATH is outside the folders this workbench serves (mini, results): "
                        "only result folders inside them can be opened.")


def test_a_served_result_folder_opens_by_the_name_the_page_shows(served, monkeypatch):
    wb = Workbench([served["scenario"]], result_roots=[served["results"]])
    assert "mini (saved)" in wb.results   # the saved result beside the scenario
    assert wb.result_folders() == ["mini/result", "results/leaky", "results/pilot"]   # not the symlink's target
    assert wb.add_result_folder("results/pilot/summary.json") is None
    assert wb.status == "Not opened: results/pilot/summary.json is not a folder: give the result folder itself."
    assert wb.add_result_folder("results/pilot") == "results/pilot (folder)"
    assert wb.add_result_folder(str(served["scenario"] / "result")) == "mini/result (folder)"
    monkeypatch.chdir(served["results"].parent.parent)
    assert wb.add_result_folder("served/results/pilot") == "results/pilot (folder)"


def test_a_saved_result_that_links_out_of_its_scenario_is_not_opened(served):
    result = served["scenario"] / "result"
    shutil.rmtree(result)
    result.symlink_to(served["other"])
    assert existing_result(served["scenario"]) is None
    assert "mini (saved)" not in Workbench([served["scenario"]]).results


def test_symlinked_roots_are_resolved_so_their_own_folders_stay_open(served, tmp_path):
    link = tmp_path / "link-to-results"
    link.symlink_to(served["results"])
    roots = resolve_roots([link])
    assert confine("results/pilot", roots) == (served["results"] / "pilot").resolve()
    with pytest.raises(OutsideServedFolders):
        confine("results/sneaky", roots)


# ---- 3. who may reach the server ---------------------------------------------------------------------------
def test_on_this_machine_only_the_served_address_may_open_a_session():
    options = serve_options("127.0.0.1", 5006)
    assert options.origins == ["127.0.0.1:5006", "localhost:5006"]
    assert options.password is None


@pytest.mark.parametrize("address", ["0.0.0.0", "192.168.1.20", "::", "workshop.example.org"])
def test_a_network_address_without_a_password_is_refused_and_says_why(address):
    with pytest.raises(ServeRefused, match="--basic-auth") as refused:
        serve_options(address, 5006)
    assert "anyone who can reach this machine" in str(refused.value)


def test_a_network_address_with_a_password_accepts_only_its_own_origin(tmp_path):
    options = serve_options("192.168.1.20", 8000, basic_auth="s3cret")
    assert options.origins == ["192.168.1.20:8000"] and options.password == "s3cret"
    for everywhere in ("0.0.0.0", "::", "fe80::1"):
        with pytest.raises(ServeRefused, match="needs --origin"):
            serve_options(everywhere, 8000, basic_auth="s3cret")
    everywhere = serve_options("0.0.0.0", 8000, basic_auth="s3cret", origins=["workshop.local:8000"])
    assert everywhere.origins == ["workshop.local:8000"]
    with pytest.raises(ServeRefused, match="without wildcards"):
        serve_options("0.0.0.0", 8000, basic_auth="s3cret", origins=["*"])


def test_the_password_may_be_kept_in_a_file_but_never_empty(tmp_path):
    (tmp_path / "pw").write_text("correct horse\nignored\n", encoding="utf-8")
    assert serve_options(basic_auth=str(tmp_path / "pw")).password == "correct horse"
    (tmp_path / "blank").write_text("\n", encoding="utf-8")
    for empty in (str(tmp_path / "blank"), " "):
        with pytest.raises(ServeRefused, match="empty"):
            serve_options(basic_auth=empty)


def test_the_serve_command_refuses_before_anything_listens(monkeypatch, tmp_path):
    monkeypatch.setattr(pn, "serve", lambda *a, **k: pytest.fail("the server was started"))
    result = CliRunner().invoke(cli, ["serve", str(MINI), "--address", "0.0.0.0", "--no-show"])
    assert result.exit_code == 2
    assert "refusing to listen on 0.0.0.0" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(cli, ["serve", str(tmp_path / "nowhere"), "--no-show"])
    assert result.exit_code == 2 and "not a folder" in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _handshake(port: int, origin: str) -> str:
    """The status line the server answers a websocket handshake from `origin` with (127.0.0.1 only)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                      f"Origin: {origin}\r\n\r\n").encode())
        return sock.recv(4096).decode("latin-1").splitlines()[0]


def test_a_page_on_another_site_cannot_open_a_websocket_session():
    port = _free_port()
    serve_app([MINI], port=port, show=False, threaded=True)
    try:
        deadline = time.time() + 20
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            assert time.time() < deadline
            time.sleep(0.1)
        assert " 403 " in _handshake(port, "http://evil.example")
        assert " 403 " in _handshake(port, f"http://127.0.0.1.evil.example:{port}")
        assert " 403 " not in _handshake(port, f"http://127.0.0.1:{port}")
    finally:
        pn.state.kill_all_servers()


# ---- 4. a typed-in cell is checked on entry ----------------------------------------------------------------
@pytest.fixture
def session(tmp_path) -> Workbench:
    return Workbench([shutil.copytree(MINI, tmp_path / "mini")])


def validate_says(tmp_path, file: str, line: int, column: str, text: str) -> list[str]:
    """What `workbench validate` says of the same cell written into a copy of the folder."""
    import csv

    folder = shutil.copytree(MINI, tmp_path / f"validate-{column}")
    rows = list(csv.reader((folder / file).open(encoding="utf-8")))
    rows[line - 1][rows[0].index(column)] = text
    with (folder / file).open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return [str(p) for p in validate_scenario(folder)]


def test_a_word_in_a_number_column_is_refused_with_validates_words_and_the_model_keeps_its_value(session, tmp_path):
    assert not session.edit_cell("staff", 0, "max_sections", "abc")
    assert session.scenario.staff.loc[0, "max_sections"] == 4
    said = validate_says(tmp_path, "staff.csv", 2, "max_sections", "abc")
    assert [str(p) for p in session.problems] == said == [
        "staff.csv:2:max_sections: 'abc' is not a whole number — write a whole number"]
    assert session.status.startswith("Not kept: staff.csv:2:max_sections")
    assert session.check() is not None   # "Check the edits": the scenario as kept is valid


@pytest.mark.parametrize(("table", "row", "column", "text"), [
    ("students", 3, "grade", "seventh"), ("students", 0, "ell", "maybe"), ("students", 0, "math_level", "nan"),
    ("staff", 1, "max_sections", ""), ("staff", 1, "fte", "1e999"), ("roles", 0, "annual_cost", "$100")])
def test_every_kind_of_unreadable_cell_is_refused_as_validate_refuses_it(session, tmp_path, table, row, column, text):
    before = session.scenario.table(table)[column].copy()
    assert not session.edit_cell(table, row, column, text)
    assert session.scenario.table(table)[column].equals(before)
    file = f"{table}.csv"
    expected = [p for p in validate_says(tmp_path, file, row + 2, column, text) if p.startswith(f"{file}:{row + 2}:")]
    assert [str(p) for p in session.problems] == expected


def test_a_readable_value_is_kept_typed_and_a_clash_with_another_table_is_named_at_once(session, tmp_path):
    assert session.edit_cell("staff", 0, "max_sections", " 3 ")
    assert session.scenario.staff.loc[0, "max_sections"] == 3
    assert str(session.scenario.staff["max_sections"].dtype) == "int64"
    assert session.edit_cell("staff", 0, "fte", "")   # an optional number may be blank: it means full time
    assert session.scenario.staff["fte"].iloc[0] == 1.0
    assert session.edit_cell("staff", 0, "role", "wizard")   # kept: the role may be added to roles.csv next
    assert [str(p) for p in session.problems] == [
        p for p in validate_says(tmp_path, "staff.csv", 2, "role", "wizard") if "wizard" in p]
    assert session.check() is None
    assert session.edit_cell("staff", 0, "role", "teacher")
    assert session.problems == [] and session.check() is not None


def test_the_table_shows_only_what_the_model_holds(session):
    editor = views.table_editor(session, "staff").select(pn.widgets.Tabulator)[0]
    assert not session.edit_cell("staff", 0, "max_sections", "abc")
    shown = editor.value
    assert shown.loc[0, "max_sections"] == "4"
    assert "'abc' is not a whole number" in shown.loc[0, views.PROBLEM_COLUMN]
    assert (shown.drop(columns=views.PROBLEM_COLUMN) == views.as_text(session.scenario.staff)).all().all()


def test_a_refused_setting_shows_the_kept_value_again(session):
    widget = pn.widgets.IntInput(value=4)
    views.setting_changed(session, widget, "tutoring.max_group_size", -3)
    assert session.scenario.settings.tutoring.max_group_size == 4 and widget.value == 4
    assert session.problems and session.problems[0].column == "tutoring.max_group_size"

