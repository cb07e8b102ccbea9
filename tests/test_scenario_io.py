"""A scenario read, written and read again is the same scenario."""

import pandas as pd

from workbench.scenario import load_scenario, write_scenario
from workbench.scenario.schema import TABLES


def test_round_trip_keeps_every_table(mini, tmp_path):
    write_scenario(mini, tmp_path / "copy")
    again = load_scenario(tmp_path / "copy")
    for name in TABLES:
        pd.testing.assert_frame_equal(mini.table(name), again.table(name), check_dtype=True)
    assert again.settings == mini.settings


def test_a_failed_write_leaves_the_old_folder(mini, tmp_path, monkeypatch):
    target = tmp_path / "copy"
    write_scenario(mini, target)
    before = sorted(p.name for p in target.iterdir())
    monkeypatch.setattr(pd.DataFrame, "to_csv", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    try:
        write_scenario(mini, target)
    except OSError:
        pass
    assert sorted(p.name for p in target.iterdir()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["copy"]
