"""The repo's own docs say what the code does: the generated tables in docs/ match the settings schema, the
table schema, the goal kinds, the rule registry and the commands, and the README sends users there."""

from __future__ import annotations

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
generate = runpy.run_path(str(ROOT / "docs" / "generate.py"))


def test_every_generated_table_in_docs_matches_the_code():
    assert generate["stale_pages"]() == [], "run `make docs` and commit the pages"


def test_a_new_setting_would_show_up_in_the_docs(monkeypatch):
    from workbench.scenario import settings

    fields = dict(settings.Solver.model_fields)
    assert "`solver.seed`" in generate["settings_block"]()
    fields.pop("seed")
    monkeypatch.setattr(settings.Solver, "model_fields", fields)
    assert "`solver.seed`" not in generate["settings_block"]()


def test_every_rule_and_goal_kind_is_documented():
    from workbench.results.check import RULE_NAMES
    from workbench.scenario.schema import GOAL_KINDS

    rules = (ROOT / "docs" / "rules.md").read_text()
    for rule, name in RULE_NAMES.items():
        assert f"| {rule} | {name} |" in rules
    scenario = (ROOT / "docs" / "scenario.md").read_text()
    for kind in GOAL_KINDS:
        assert f"| {kind} |" in scenario, f"goal kind {kind} has no row saying when it is met"


def test_the_readme_points_to_the_repos_docs_not_a_folder_users_do_not_have():
    readme = (ROOT / "README.md").read_text()
    assert "docs/README.md" in readme
    assert "../shared" not in readme


def test_docs_list_every_staffing_column_a_result_writes_and_say_what_each_means(mini):
    """A district analyst opening staffing.csv finds each of its columns in docs/results.md (issue: the docs
    listed 7 of the 14)."""
    from workbench.pipeline import solve_scenario

    written = list(solve_scenario(mini).staffing.columns)
    results = (ROOT / "docs" / "results.md").read_text()
    assert [c for c in written if f"\n| {c} | " not in results] == []
    assert "not yet described" not in results
