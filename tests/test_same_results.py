"""A refactor changes structure, not designs (issue 19): a school that solved its scenario last week and solves it
again after a code change that meant no change in planning gets the very same result files.

Each bundled school below is solved with `workbench solve` in its own process and every result file is compared,
by SHA-256, with the digests committed in tests/data/result_digests.json: CSVs byte for byte, summary.json
without its timing fields (`design_summary`) and without `scenario_path` (where the checkout happens to be).
The tutorial has no strong-teacher goals and no team leaders, so Riverside Middle's multi-classroom-leader
pilot (leaders, `leader` and rated strong-teacher goals) is checked too, as a slow test.

When a change is MEANT to change a design (a new rule, a better pass, a fixed bug), refresh the digests and
commit them with the change, saying in the commit message why the design changed:

    .venv/bin/python tests/test_same_results.py --refresh            # every school below
    .venv/bin/python tests/test_same_results.py --refresh tutorial   # one school
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DIGESTS = ROOT / "tests" / "data" / "result_digests.json"
REFRESH = ".venv/bin/python tests/test_same_results.py --refresh"
SCHOOLS = {"tutorial": [], "riverside-middle-mcl": [pytest.mark.slow]}
WHERE_FIELDS = {"scenario_path"}   # where the scenario sits on this machine: no part of the design


def solve(school: str, out: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "workbench.cli", "solve", str(ROOT / "scenarios" / school),
                           "--out", str(out)], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def digests(folder: Path) -> dict[str, str]:
    """file name -> SHA-256 of what a design is: the bytes of each table, summary.json without timings."""
    from workbench.results.io import design_summary

    out = {}
    for path in sorted(folder.iterdir()):
        data = path.read_bytes()
        if path.name == "summary.json":
            summary = {k: v for k, v in design_summary(json.loads(data)).items() if k not in WHERE_FIELDS}
            data = json.dumps(summary, sort_keys=True, ensure_ascii=False).encode()
        out[path.name] = hashlib.sha256(data).hexdigest()
    return out


@pytest.mark.parametrize("school", [pytest.param(s, marks=m) for s, m in SCHOOLS.items()])
def test_a_bundled_school_solved_after_a_refactor_gets_the_design_it_got_before(school, tmp_path):
    committed = json.loads(DIGESTS.read_text(encoding="utf-8"))[school]
    solve(school, tmp_path / "result")
    now = digests(tmp_path / "result")
    changed = sorted(name for name in set(now) | set(committed) if now.get(name) != committed.get(name))
    assert not changed, (
        f"{school}: the result files {', '.join(changed)} differ from the committed digests. If this change was "
        f"meant to change the design, run `{REFRESH} {school}` and commit tests/data/result_digests.json with "
        "it, saying why the design changed; if not, the change altered planning where it should only have "
        "moved code.")


def refresh(schools: list[str]) -> None:
    known = json.loads(DIGESTS.read_text(encoding="utf-8")) if DIGESTS.exists() else {}
    for school in schools:
        with tempfile.TemporaryDirectory() as tmp:
            solve(school, Path(tmp) / "result")
            known[school] = digests(Path(tmp) / "result")
        print(f"{school}: {len(known[school])} files digested")
    DIGESTS.write_text(json.dumps(known, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:2] != ["--refresh"]:
        sys.exit(__doc__)
    refresh(sys.argv[2:] or list(SCHOOLS))
