"""The Scenario page's "Import a school": a OneRoster zip uploaded in the app becomes a new scenario folder
with pseudonyms, the import report is shown, and a broken zip is refused in the words `workbench import`
uses."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from oneroster_fixture import build_oneroster, people

from workbench.app.state import Workbench
from workbench.scenario import load_scenario

TUTORIAL = Path(__file__).resolve().parents[1] / "scenarios" / "tutorial"


def _zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def oneroster_zip(tmp_path_factory) -> bytes:
    return _zipped(build_oneroster(tmp_path_factory.mktemp("sis") / "oneroster"))


def _session(tmp_path) -> Workbench:
    served = tmp_path / "served" / "tutorial"
    served.parent.mkdir()
    import shutil

    shutil.copytree(TUTORIAL, served)
    return Workbench([served])


def test_an_uploaded_export_becomes_a_pseudonymous_scenario_beside_the_served_ones(tmp_path, oneroster_zip):
    wb = _session(tmp_path)
    folder = wb.import_oneroster(oneroster_zip, "grand-bend-high", school="255901001",
                                 key_path=tmp_path / "keys" / "district.key")
    assert folder == tmp_path / "served" / "grand-bend-high", wb.status
    assert "grand-bend-high" in wb.param.scenario_name.objects, "it can be opened in this session"
    assert "IMPORT-REPORT" not in wb.status and "import report" in wb.status
    assert "students" in wb.import_report and "default" in wb.import_report.lower()
    school = load_scenario(folder)
    assert len(school.students) > 100
    text = "\n".join(p.read_text(encoding="utf-8") for p in folder.iterdir() if p.is_file())
    names = {v for person in people().values() for k, v in person.items() if k in ("first", "last") and len(v) > 3}
    assert not [n for n in names if n in text], "no name from the export reaches the scenario"


def test_a_broken_zip_and_a_taken_folder_name_are_refused_in_plain_words(tmp_path, oneroster_zip):
    wb = _session(tmp_path)
    assert wb.import_oneroster(b"not a zip at all", "broken") is None
    assert wb.status.startswith("Not imported:") and not (tmp_path / "served" / "broken").exists()
    assert wb.import_oneroster(oneroster_zip, "tutorial", school="255901001") is None
    assert "already exists" in wb.status
    assert wb.import_oneroster(oneroster_zip, "../outside", school="255901001") is None
    assert "folder name" in wb.status


def test_the_scenario_page_offers_the_upload_and_shows_the_report_as_plain_text(tmp_path, oneroster_zip):
    import panel as pn

    from workbench.app.views import import_panel

    wb = _session(tmp_path)
    page = import_panel(wb)
    uploads = page.select(pn.widgets.FileInput)
    assert len(uploads) == 1 and uploads[0].accept == ".zip"
    wb.import_oneroster(oneroster_zip, "gb", school="255901001", key_path=tmp_path / "k" / "d.key")
    shown = page.select(pn.pane.Str)
    assert shown and "students" in shown[0].object, "the report is shown as text, never as HTML"
